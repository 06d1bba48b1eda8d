/* SPDX-License-Identifier: MIT */
#ifndef PV_LOG_H
#define PV_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Logging.  Errors are always printed; PV_DEBUG (a comma-separated list read
 * once at start-up) turns on more: "info", "debug", or a category name that
 * enables debug output for that category only ("vtest", "ring", "cs",
 * "object", "vk", "all").
 *
 * Every line carries the process's current label (the context it serves, set
 * with pv_log_set_label) so that a guest-caused error names its client.
 */
enum pv_log_level {
   PV_LOG_ERROR,
   PV_LOG_WARN,
   PV_LOG_INFO,
   PV_LOG_DEBUG,
};

enum pv_log_category {
   PV_CAT_GENERAL = 1u << 0,
   PV_CAT_VTEST = 1u << 1,
   PV_CAT_RING = 1u << 2,
   PV_CAT_CS = 1u << 3,
   PV_CAT_OBJECT = 1u << 4,
   PV_CAT_VK = 1u << 5,
   PV_CAT_TIME = 1u << 6, /* commands that take long, with their time */
   /* not a PV_DEBUG name: on while --trace records (trace/pv_trace.h).  A
    * bit here, so that "time each command" for either costs one test */
   PV_CAT_TRACE = 1u << 7,
};

/* What makes the dispatch and the rings read the clock around their work. */
#define PV_CAT_TIMED (PV_CAT_TIME | PV_CAT_TRACE)

void pv_log_init(void);

/* The label printed on this thread's lines, e.g. "ctx 3 vulkaninfo". */
void pv_log_set_label(const char *label);

bool pv_log_enabled(enum pv_log_level level, unsigned category);

/* No lines at all, errors included (fuzzers, where every input is an error;
 * set before any thread starts). */
void pv_log_silence(bool silence);

void pv_log_msg(enum pv_log_level level, unsigned category, const char *file, int line,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void pv_log_vmsg(enum pv_log_level level, unsigned category, const char *file, int line,
                 const char *fmt, va_list ap);

#define pv_log(level, ...) pv_log_msg(level, PV_CAT_GENERAL, __FILE__, __LINE__, __VA_ARGS__)
#define pv_error(...) pv_log_msg(PV_LOG_ERROR, PV_CAT_GENERAL, __FILE__, __LINE__, __VA_ARGS__)
#define pv_warn(...) pv_log_msg(PV_LOG_WARN, PV_CAT_GENERAL, __FILE__, __LINE__, __VA_ARGS__)
#define pv_info(...) pv_log_msg(PV_LOG_INFO, PV_CAT_GENERAL, __FILE__, __LINE__, __VA_ARGS__)
/* Debug categories on (PV_DEBUG): read inline, since pv_debug sits on hot
 * paths and must cost nothing when off. */
extern unsigned pv_log_debug_categories;

static inline bool
pv_log_debug_enabled(unsigned category)
{
   return __builtin_expect((pv_log_debug_categories & category) != 0, 0);
}

#define pv_debug(cat, ...)                                                                 \
   do {                                                                                    \
      if (pv_log_debug_enabled(cat))                                                       \
         pv_log_msg(PV_LOG_DEBUG, cat, __FILE__, __LINE__, __VA_ARGS__);                   \
   } while (0)

#endif /* PV_LOG_H */
