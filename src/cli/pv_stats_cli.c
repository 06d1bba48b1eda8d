/* SPDX-License-Identifier: MIT */
/* pearvisor-gpu stats: what a running server's clients are doing, from its
 * control socket (stats/pv_stats_control.h), once or like top. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/pv_cli.h"
#include "stats/pv_stats_control.h"
#include "transport/pv_vtest_proto.h"

#define MAX_CLIENTS 2048
#define MAX_REPORT ((size_t)4 << 20)

struct client_stats {
   uint32_t id;
   int32_t pid;
   char name[72];
   uint64_t commands, bytes, submissions, busy_ns, in_flight, objects, memory, blob_bytes,
      rings, age_ns;
};

struct sample {
   uint64_t now_ns;
   int count;
   struct client_stats clients[MAX_CLIENTS];
};

/* The server's report, or NULL (said why). */
static char *
query(const char *socket_path)
{
   struct sockaddr_un addr = { .sun_family = AF_UNIX };
   if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s" PV_STATS_CONTROL_SUFFIX,
                        socket_path) >= sizeof(addr.sun_path)) {
      fprintf(stderr, "stats: socket path too long: %s\n", socket_path);
      return NULL;
   }
   const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
   if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
      fprintf(stderr, "stats: cannot connect to %s: %s (is a server running there?)\n",
              addr.sun_path, strerror(errno));
      if (fd >= 0)
         close(fd);
      return NULL;
   }
   char *report = malloc(MAX_REPORT + 1);
   size_t len = 0;
   while (report && len < MAX_REPORT) {
      const ssize_t n = read(fd, report + len, MAX_REPORT - len);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         break;
      len += (size_t)n;
   }
   close(fd);
   if (report)
      report[len] = '\0';
   return report;
}

static uint64_t
field(const char *line, const char *key)
{
   char pattern[32];
   snprintf(pattern, sizeof(pattern), " %s=", key);
   const char *at = strstr(line, pattern);
   return at ? strtoull(at + strlen(pattern), NULL, 10) : 0;
}

/* False when the report is not one (an old server, something else). */
static bool
parse(char *report, struct sample *s)
{
   s->count = 0;
   if (strncmp(report, "pearvisor-gpu stats 1 ", 22) || !strstr(report, "\nend\n"))
      return false;
   s->now_ns = field(report + 21, "now_ns");
   for (char *save, *line = strtok_r(report, "\n", &save); line;
        line = strtok_r(NULL, "\n", &save)) {
      if (strncmp(line, "client ", 7) || s->count == MAX_CLIENTS)
         continue;
      struct client_stats *c = &s->clients[s->count++];
      c->id = (uint32_t)field(line, "id");
      c->pid = (int32_t)field(line, "pid");
      const char *name = strstr(line, " name=");
      snprintf(c->name, sizeof(c->name), "%.*s", name ? (int)strcspn(name + 6, " ") : 1,
               name ? name + 6 : "?");
      c->age_ns = field(line, "age_ns");
      c->commands = field(line, "commands");
      c->bytes = field(line, "bytes");
      c->submissions = field(line, "submissions");
      c->busy_ns = field(line, "busy_ns");
      c->in_flight = field(line, "in_flight");
      c->objects = field(line, "objects");
      c->memory = field(line, "memory");
      c->blob_bytes = field(line, "blob_bytes");
      c->rings = field(line, "rings");
   }
   return true;
}

static bool
take_sample(const char *socket_path, struct sample *s)
{
   char *report = query(socket_path);
   if (!report)
      return false;
   const bool ok = parse(report, s);
   if (!ok)
      fprintf(stderr, "stats: the server's answer is not a statistics report\n");
   free(report);
   return ok;
}

static const struct client_stats *
find(const struct sample *s, const struct client_stats *c)
{
   for (int i = 0; i < s->count; i++) {
      if (s->clients[i].id == c->id && s->clients[i].pid == c->pid)
         return &s->clients[i];
   }
   return NULL;
}

/* Per second between two samples; 0 for a client new since the first. */
static double
rate(uint64_t now, uint64_t before, double seconds)
{
   return before && now > before && seconds > 0 ? (double)(now - before) / seconds : 0;
}

static void
print(const struct sample *then, const struct sample *now)
{
   const double seconds = (double)(now->now_ns - then->now_ns) * 1e-9;
   printf("%d clients; per second over the last %.1f s\n", now->count, seconds);
   printf("%6s %8s %-20s %10s %9s %9s %8s %8s %7s %8s %8s %9s %9s %5s %8s %6s\n", "CLIENT",
          "PID", "NAME", "COMMANDS", "CMD/s", "MB", "MB/s", "SUBMITS", "SUB/s", "INFLIGHT",
          "OBJECTS", "MEM_MiB", "BLOB_MiB", "RINGS", "BUSY_s", "BUSY%");
   for (int i = 0; i < now->count; i++) {
      const struct client_stats *c = &now->clients[i];
      const struct client_stats *b = find(then, c);
      const struct client_stats zero = { 0 };
      if (!b)
         b = &zero;
      /* the first sample may predate the counters' first publication */
      const double busy = rate(c->busy_ns, b->busy_ns, seconds) * 1e-9;
      printf("%6" PRIu32 " %8" PRId32 " %-20.20s %10" PRIu64 " %9.0f %9.1f %8.2f %8" PRIu64
             " %7.0f %8" PRIu64 " %8" PRIu64 " %9.1f %9.1f %5" PRIu64 " %8.3f %5.0f%%\n",
             c->id, c->pid, c->name, c->commands, rate(c->commands, b->commands, seconds),
             (double)c->bytes / 1e6, rate(c->bytes, b->bytes, seconds) / 1e6, c->submissions,
             rate(c->submissions, b->submissions, seconds), c->in_flight, c->objects,
             (double)c->memory / (1 << 20), (double)c->blob_bytes / (1 << 20), c->rings,
             (double)c->busy_ns * 1e-9, busy * 100);
   }
   fflush(stdout);
}

static void
sleep_seconds(double seconds)
{
   struct timespec ts = { (time_t)seconds,
                          (long)((seconds - (double)(time_t)seconds) * 1e9) };
   while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !pv_cli_stop_requested)
      ;
}

int
pv_cli_stats(const struct options *opts)
{
   if (opts->argc) {
      fprintf(stderr, "pearvisor-gpu stats: unexpected argument '%s'\n", opts->argv[0]);
      return 2;
   }
   double interval = 1.0; /* once: the rates over one second */
   if (opts->stats_watch) {
      char *end;
      interval = strtod(opts->stats_watch, &end);
      if (*end || !(interval >= 0.1 && interval <= 3600)) {
         fprintf(stderr, "pearvisor-gpu stats: --watch takes seconds from 0.1 to 3600, not '%s'\n",
                 opts->stats_watch);
         return 2;
      }
   }
   const char *env = getenv("VTEST_SOCKET_NAME");
   const char *socket_path = opts->socket_path ? opts->socket_path
                                               : (env && env[0] ? env : PV_VTEST_DEFAULT_SOCKET);
   if (opts->stats_raw) {
      char *report = query(socket_path);
      if (!report)
         return 1;
      fputs(report, stdout);
      free(report);
      return 0;
   }
   struct sample *samples = calloc(2, sizeof(*samples));
   if (!samples || !take_sample(socket_path, &samples[0])) {
      free(samples);
      return 1;
   }
   pv_cli_install_signals();
   int ret = 0;
   for (int turn = 1; !pv_cli_stop_requested; turn ^= 1) {
      sleep_seconds(interval);
      if (pv_cli_stop_requested)
         break;
      if (!take_sample(socket_path, &samples[turn])) {
         ret = 1;
         break;
      }
      if (opts->stats_watch)
         printf("\033[H\033[2J"); /* like top: the same screen, refreshed */
      print(&samples[turn ^ 1], &samples[turn]);
      if (!opts->stats_watch)
         break;
   }
   free(samples);
   return ret;
}
