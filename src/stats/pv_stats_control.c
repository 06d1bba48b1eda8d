/* SPDX-License-Identifier: MIT */
#include "pv_stats_control.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport/pv_vtest.h"
#include "util/pv_log.h"
#include "util/pv_time.h"

/* A reader that does not read gets this long, in all, before the server
 * goes back to its clients. */
#define PV_STATS_CONTROL_SEND_MS 200

static void
control_path(const char *socket_path, char *out, size_t size)
{
   snprintf(out, size, "%s" PV_STATS_CONTROL_SUFFIX, socket_path);
}

int
pv_stats_control_listen(const char *socket_path)
{
   char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
   control_path(socket_path, path, sizeof(path));
   const int fd = pv_vtest_listen(path);
   if (fd < 0) {
      pv_warn("no statistics: cannot listen on %s", path);
      return -1;
   }
   /* who may connect to the vtest socket may ask, and nobody else */
   struct stat st;
   if (stat(socket_path, &st) < 0 || chmod(path, st.st_mode & 0777) < 0)
      pv_warn("statistics socket %s: cannot copy the vtest socket's mode: %s", path,
              strerror(errno));
   return fd;
}

void
pv_stats_control_close(int fd, const char *socket_path)
{
   if (fd < 0)
      return;
   close(fd);
   char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
   control_path(socket_path, path, sizeof(path));
   unlink(path);
}

size_t
pv_stats_report(const struct pv_stats_table *table, char *out, size_t size)
{
   const uint64_t now = pv_now_ns();
   uint32_t clients = 0;
   for (uint32_t i = 0; i < table->capacity; i++)
      clients += atomic_load_explicit(&table->slots[i].pid, memory_order_acquire) > 0;
   int n = snprintf(out, size, "pearvisor-gpu stats 1 now_ns=%" PRIu64 " clients=%" PRIu32 "\n",
                    now, clients);
   size_t len = n < 0 ? 0 : (size_t)n;
   for (uint32_t i = 0; i < table->capacity && len < size; i++) {
      const struct pv_stats_slot *slot = &table->slots[i];
      /* a slot being claimed has a negative pid until it is filled in */
      if (atomic_load_explicit(&slot->pid, memory_order_acquire) <= 0)
         continue;
      len += pv_stats_format(slot, now, out + len, size - len);
   }
   if (len < size) {
      n = snprintf(out + len, size - len, "end\n");
      len += n < 0 ? 0 : (size_t)n;
   }
   return len < size ? len : size;
}

void
pv_stats_control_answer(int fd, const struct pv_stats_table *table)
{
   const int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
   if (conn < 0)
      return;
   /* one line a client, at most ~320 bytes each */
   const size_t cap = 64 + (size_t)table->capacity * 320;
   char *report = malloc(cap);
   if (report) {
      const size_t len = pv_stats_report(table, report, cap);
      const struct timeval step = { .tv_usec = 50 * 1000 };
      setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &step, sizeof(step));
      const uint64_t deadline = pv_now_ms() + PV_STATS_CONTROL_SEND_MS;
      for (size_t sent = 0; sent < len && pv_now_ms() < deadline;) {
         const ssize_t k = send(conn, report + sent, len - sent, MSG_NOSIGNAL);
         if (k < 0 && errno != EINTR && errno != EAGAIN)
            break;
         if (k > 0)
            sent += (size_t)k;
      }
      free(report);
   }
   close(conn);
}
