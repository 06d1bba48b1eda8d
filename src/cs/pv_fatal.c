/* SPDX-License-Identifier: MIT */
#include "pv_fatal.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/pv_log.h"

void
pv_fatal_set(struct pv_fatal *fatal, const char *fmt, ...)
{
   char msg[256];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(msg, sizeof(msg), fmt, ap);
   va_end(ap);

   if (!atomic_exchange(&fatal->logged, true)) {
      snprintf(fatal->reason, sizeof(fatal->reason), "%s", msg);
      atomic_store_explicit(&fatal->has_reason, true, memory_order_release);
      pv_log_msg(PV_LOG_ERROR, PV_CAT_GENERAL, __FILE__, __LINE__,
                 "guest error, context marked fatal: %s", msg);
   } else {
      pv_debug(PV_CAT_CS, "further guest error: %s", msg);
   }
   atomic_store_explicit(&fatal->set, true, memory_order_release);
}
