/* SPDX-License-Identifier: MIT */
#include "pv_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum pv_log_level max_level = PV_LOG_WARN;
unsigned pv_log_debug_categories;
static _Thread_local char thread_label[64];
static char process_label[64];

void
pv_log_init(void)
{
   const char *env = getenv("PV_DEBUG");
   if (!env)
      return;
   char buf[256];
   snprintf(buf, sizeof(buf), "%s", env);
   for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
      if (!strcmp(tok, "info")) {
         if (max_level < PV_LOG_INFO)
            max_level = PV_LOG_INFO;
      } else if (!strcmp(tok, "debug") || !strcmp(tok, "all")) {
         max_level = PV_LOG_DEBUG;
         /* every category, but not the trace's switch (pv_trace.h) */
         pv_log_debug_categories |= ~(unsigned)PV_CAT_TRACE;
      } else {
         static const struct {
            const char *name;
            unsigned cat;
         } cats[] = {
            { "vtest", PV_CAT_VTEST }, { "ring", PV_CAT_RING }, { "cs", PV_CAT_CS },
            { "object", PV_CAT_OBJECT }, { "vk", PV_CAT_VK }, { "time", PV_CAT_TIME },
         };
         for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
            if (!strcmp(tok, cats[i].name)) {
               pv_log_debug_categories |= cats[i].cat;
               if (max_level < PV_LOG_INFO)
                  max_level = PV_LOG_INFO;
            }
         }
      }
   }
}

void
pv_log_set_label(const char *label)
{
   snprintf(thread_label, sizeof(thread_label), "%s", label ? label : "");
   /* new threads of this process start with the same label */
   snprintf(process_label, sizeof(process_label), "%s", label ? label : "");
}

static bool silenced;

void
pv_log_silence(bool silence)
{
   silenced = silence;
   if (silence)
      pv_log_debug_categories = 0;
}

bool
pv_log_enabled(enum pv_log_level level, unsigned category)
{
   if (silenced)
      return false;
   if (level == PV_LOG_DEBUG)
      return (pv_log_debug_categories & category) != 0;
   return level <= max_level;
}

void
pv_log_vmsg(enum pv_log_level level, unsigned category, const char *file, int line,
            const char *fmt, va_list ap)
{
   if (!pv_log_enabled(level, category))
      return;
   static const char *const names[] = { "error", "warn", "info", "debug" };
   const char *label = thread_label[0] ? thread_label : process_label;
   const char *base = strrchr(file, '/');
   base = base ? base + 1 : file;

   char msg[1024];
   int n = snprintf(msg, sizeof(msg), "pearvisor[%d]%s%s%s %s: ", (int)getpid(),
                    label[0] ? " [" : "", label, label[0] ? "]" : "", names[level]);
   if (n < 0 || (size_t)n >= sizeof(msg))
      n = 0;
   int m = vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
   size_t len = m < 0 ? (size_t)n : (size_t)n + (size_t)m;
   if (len > sizeof(msg) - 64)
      len = sizeof(msg) - 64;
   if (level == PV_LOG_DEBUG || level == PV_LOG_ERROR)
      len += (size_t)snprintf(msg + len, sizeof(msg) - len, " (%s:%d)", base, line);
   msg[len++] = '\n';
   /* one write per line keeps lines of concurrent processes whole */
   ssize_t unused = write(STDERR_FILENO, msg, len);
   (void)unused;
}

void
pv_log_msg(enum pv_log_level level, unsigned category, const char *file, int line,
           const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   pv_log_vmsg(level, category, file, line, fmt, ap);
   va_end(ap);
}
