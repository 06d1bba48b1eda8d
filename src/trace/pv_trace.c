/* SPDX-License-Identifier: MIT */
#include "pv_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/pv_time.h"

/* Events wait here until this much is buffered (or the process ends). */
#define PV_TRACE_BUFFER (64u << 10)
/* The longest event line; longer ones (a huge name) are left out. */
#define PV_TRACE_LINE 1024u

static struct {
   pthread_mutex_t lock;
   char path[PATH_MAX];
   uint64_t min_ns;
   pid_t owner;   /* the process that writes FILE */
   pid_t pid;     /* this process */
   int fd;        /* the owner: FILE; others: their part, opened when first needed */
   size_t len;
   char buffer[PV_TRACE_BUFFER];
} trace = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static _Thread_local pid_t thread_pid;
static _Thread_local pid_t thread_tid;

static pid_t
current_tid(void)
{
   /* a forked child's thread inherits its parent's cached id */
   if (thread_pid != trace.pid) {
      thread_pid = trace.pid;
      thread_tid = gettid();
   }
   return thread_tid;
}

static bool
write_all(int fd, const char *data, size_t size)
{
   while (size) {
      const ssize_t n = write(fd, data, size);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         return false;
      data += n;
      size -= (size_t)n;
   }
   return true;
}

/* Under the lock. */
static void
flush_locked(void)
{
   if (!trace.len)
      return;
   if (trace.fd < 0 && trace.pid != trace.owner) {
      char part[PATH_MAX + 16];
      snprintf(part, sizeof(part), "%s.%d", trace.path, (int)trace.pid);
      trace.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
   }
   if (trace.fd >= 0 && !write_all(trace.fd, trace.buffer, trace.len))
      pv_warn("trace: writing events failed: %s", strerror(errno));
   trace.len = 0;
}

void
pv_trace_flush(void)
{
   if (!trace.path[0])
      return;
   pthread_mutex_lock(&trace.lock);
   flush_locked();
   pthread_mutex_unlock(&trace.lock);
}

/* A forked child: the parent's buffered events and file are the parent's. */
static void
after_fork_in_child(void)
{
   pthread_mutex_init(&trace.lock, NULL);
   if (trace.fd >= 0)
      close(trace.fd);
   trace.fd = -1;
   trace.len = 0;
   trace.pid = getpid();
}

static void
at_exit(void)
{
   pv_trace_flush();
}

bool
pv_trace_start(const char *path, uint32_t min_us)
{
   if (strlen(path) >= sizeof(trace.path)) {
      pv_error("trace: path too long: %s", path);
      return false;
   }
   const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
   if (fd < 0 || !write_all(fd, "[\n", 2)) {
      pv_error("trace: cannot write %s: %s", path, strerror(errno));
      if (fd >= 0)
         close(fd);
      return false;
   }
   snprintf(trace.path, sizeof(trace.path), "%s", path);
   trace.min_ns = (uint64_t)min_us * 1000u;
   trace.owner = trace.pid = getpid();
   trace.fd = fd;
   static bool registered;
   if (!registered) {
      registered = true;
      pthread_atfork(NULL, NULL, after_fork_in_child);
      atexit(at_exit);
   }
   pv_log_debug_categories |= PV_CAT_TRACE;
   pv_trace_name_process("pearvisor-gpu server");
   return true;
}

/* Appends the whole lines of a child's part to FILE, then removes it. */
static void
append_part(pid_t pid)
{
   char part[PATH_MAX + 16];
   snprintf(part, sizeof(part), "%s.%d", trace.path, (int)pid);
   const int fd = open(part, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return; /* it recorded nothing */
   static char chunk[1u << 20];
   size_t carry = 0; /* the start of a line, not yet written */
   for (;;) {
      const ssize_t n = read(fd, chunk + carry, sizeof(chunk) - carry);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         break;
      const size_t have = carry + (size_t)n;
      size_t whole = have;
      while (whole && chunk[whole - 1] != '\n')
         whole--;
      if (whole && !write_all(trace.fd, chunk, whole))
         pv_warn("trace: appending %s failed: %s", part, strerror(errno));
      carry = have - whole;
      if (carry == sizeof(chunk))
         carry = 0; /* no line is this long: not an event of ours */
      memmove(chunk, chunk + whole, carry);
   }
   /* a last line without its end: the child died while writing it */
   close(fd);
   unlink(part);
}

void
pv_trace_child_ended(pid_t pid)
{
   if (!trace.path[0] || getpid() != trace.owner)
      return;
   pthread_mutex_lock(&trace.lock);
   flush_locked();
   append_part(pid);
   pthread_mutex_unlock(&trace.lock);
}

void
pv_trace_finish(void)
{
   if (!trace.path[0] || getpid() != trace.owner)
      return;
   pthread_mutex_lock(&trace.lock);
   flush_locked();
   char end[160];
   /* the last event has no comma after it, and closes the array */
   const int n = snprintf(end, sizeof(end),
                          "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":0,"
                          "\"args\":{\"name\":\"pearvisor-gpu server\"}}\n]\n",
                          (int)trace.pid);
   if (!write_all(trace.fd, end, (size_t)n))
      pv_warn("trace: finishing %s failed: %s", trace.path, strerror(errno));
   close(trace.fd);
   trace.fd = -1;
   trace.path[0] = '\0';
   pv_log_debug_categories &= ~(unsigned)PV_CAT_TRACE;
   pthread_mutex_unlock(&trace.lock);
}

bool
pv_trace_command_wanted(uint64_t dur_ns)
{
   return dur_ns >= trace.min_ns;
}

/* Formats one event, adds ",\n" and buffers it. */
static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
emit(const char *fmt, ...)
{
   if (!trace.path[0])
      return;
   char line[PV_TRACE_LINE];
   va_list ap;
   va_start(ap, fmt);
   const int n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
   va_end(ap);
   if (n < 0 || (size_t)n >= sizeof(line) - 2)
      return;
   line[n] = ',';
   line[n + 1] = '\n';
   const size_t size = (size_t)n + 2;
   pthread_mutex_lock(&trace.lock);
   if (trace.len + size > sizeof(trace.buffer))
      flush_locked();
   memcpy(trace.buffer + trace.len, line, size);
   trace.len += size;
   pthread_mutex_unlock(&trace.lock);
}

void
pv_trace_span(const char *category, const char *name, uint64_t start_ns, uint64_t dur_ns,
              const char *args)
{
   emit("{\"ph\":\"X\",\"cat\":\"%s\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,"
        "\"dur\":%.3f,\"args\":{%s}}",
        category, name, (int)trace.pid, (int)current_tid(), (double)start_ns / 1000.0,
        (double)dur_ns / 1000.0, args ? args : "");
}

void
pv_trace_instant(const char *category, const char *name, const char *args)
{
   emit("{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"%s\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,"
        "\"ts\":%.3f,\"args\":{%s}}",
        category, name, (int)trace.pid, (int)current_tid(), (double)pv_now_ns() / 1000.0,
        args ? args : "");
}

/* `in` as the inside of a JSON string. */
static void
escape(char *out, size_t size, const char *in)
{
   size_t o = 0;
   for (; *in && o + 7 < size; in++) {
      const unsigned char ch = (unsigned char)*in;
      if (ch == '"' || ch == '\\') {
         out[o++] = '\\';
         out[o++] = (char)ch;
      } else if (ch < 0x20 || ch >= 0x7f) {
         o += (size_t)snprintf(out + o, size - o, "\\u%04x", ch);
      } else {
         out[o++] = (char)ch;
      }
   }
   out[o] = '\0';
}

static void
name_metadata(const char *kind, int tid, const char *name)
{
   char escaped[256];
   escape(escaped, sizeof(escaped), name);
   emit("{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":\"%s\"}}", kind,
        (int)trace.pid, tid, escaped);
}

void
pv_trace_name_thread(const char *name)
{
   name_metadata("thread_name", (int)current_tid(), name);
}

void
pv_trace_name_process(const char *name)
{
   name_metadata("process_name", 0, name);
}
