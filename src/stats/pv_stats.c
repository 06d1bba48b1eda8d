/* SPDX-License-Identifier: MIT */
#include "pv_stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/pv_log.h"
#include "util/pv_time.h"

struct pv_stats_table *pv_stats_shared;

struct pv_stats_table *
pv_stats_table_create(uint32_t capacity)
{
   const size_t size = sizeof(struct pv_stats_table) + capacity * sizeof(struct pv_stats_slot);
   /* shared and anonymous: the server's forks write into the same pages */
   void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
   if (map == MAP_FAILED)
      return NULL;
   struct pv_stats_table *table = map; /* zero-filled */
   table->capacity = capacity;
   return table;
}

void
pv_stats_table_destroy(struct pv_stats_table *table)
{
   if (table)
      munmap(table, sizeof(*table) + table->capacity * sizeof(struct pv_stats_slot));
}

static void
clear_counters(struct pv_stats_slot *slot)
{
   _Atomic uint64_t *const fields[] = {
      &slot->commands, &slot->bytes, &slot->submissions, &slot->busy_ns, &slot->in_flight,
      &slot->objects, &slot->memory_bytes, &slot->blob_bytes, &slot->rings,
   };
   for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
      pv_stats_set(fields[i], 0);
}

struct pv_stats_slot *
pv_stats_claim(struct pv_stats_table *table, uint32_t client_id, const char *name)
{
   if (!table)
      return NULL;
   const int32_t pid = (int32_t)getpid();
   for (uint32_t i = 0; i < table->capacity; i++) {
      struct pv_stats_slot *slot = &table->slots[i];
      int32_t free_pid = 0;
      if (!atomic_compare_exchange_strong(&slot->pid, &free_pid, -pid))
         continue;
      /* claimed (a negative pid: not shown until filled in) */
      clear_counters(slot);
      atomic_store_explicit(&slot->client_id, client_id, memory_order_relaxed);
      pv_stats_set(&slot->started_ns, pv_now_ns());
      pv_stats_set_name(slot, name);
      atomic_store_explicit(&slot->pid, pid, memory_order_release);
      return slot;
   }
   return NULL;
}

void
pv_stats_release(struct pv_stats_slot *slot)
{
   if (slot)
      atomic_store_explicit(&slot->pid, 0, memory_order_release);
}

void
pv_stats_release_pid(struct pv_stats_table *table, pid_t pid)
{
   if (!table)
      return;
   for (uint32_t i = 0; i < table->capacity; i++) {
      struct pv_stats_slot *slot = &table->slots[i];
      int32_t held = (int32_t)pid;
      if (!atomic_compare_exchange_strong(&slot->pid, &held, 0)) {
         held = -(int32_t)pid;
         atomic_compare_exchange_strong(&slot->pid, &held, 0);
      }
   }
}

void
pv_stats_set_name(struct pv_stats_slot *slot, const char *name)
{
   char padded[PV_STATS_NAME_WORDS * 8] = { 0 };
   strncpy(padded, name ? name : "", sizeof(padded) - 1);
   for (int i = 0; i < PV_STATS_NAME_WORDS; i++) {
      uint64_t word;
      memcpy(&word, padded + 8 * i, 8);
      atomic_store_explicit(&slot->name[i], word, memory_order_relaxed);
   }
}

void
pv_stats_get_name(const struct pv_stats_slot *slot, char *out, size_t size)
{
   char raw[PV_STATS_NAME_WORDS * 8 + 1];
   for (int i = 0; i < PV_STATS_NAME_WORDS; i++) {
      const uint64_t word = atomic_load_explicit(&slot->name[i], memory_order_relaxed);
      memcpy(raw + 8 * i, &word, 8);
   }
   raw[sizeof(raw) - 1] = '\0';
   /* one word per field of the report, printable: from a guest */
   for (char *p = raw; *p; p++) {
      if (*p <= 0x20 || *p > 0x7e)
         *p = '_';
   }
   snprintf(out, size, "%s", raw[0] ? raw : "?");
}

#define LOAD(field) atomic_load_explicit(&slot->field, memory_order_relaxed)

size_t
pv_stats_format(const struct pv_stats_slot *slot, uint64_t now_ns, char *out, size_t size)
{
   char name[PV_STATS_NAME_WORDS * 8 + 1];
   pv_stats_get_name(slot, name, sizeof(name));
   const uint64_t started = LOAD(started_ns);
   const int n = snprintf(
      out, size,
      "client id=%" PRIu32 " pid=%" PRId32 " name=%s age_ns=%" PRIu64 " commands=%" PRIu64
      " bytes=%" PRIu64 " submissions=%" PRIu64 " busy_ns=%" PRIu64 " in_flight=%" PRIu64
      " objects=%" PRIu64 " memory=%" PRIu64 " blob_bytes=%" PRIu64 " rings=%" PRIu64 "\n",
      atomic_load_explicit(&slot->client_id, memory_order_relaxed),
      atomic_load_explicit(&slot->pid, memory_order_relaxed), name,
      now_ns > started ? now_ns - started : 0, LOAD(commands), LOAD(bytes), LOAD(submissions),
      LOAD(busy_ns), LOAD(in_flight), LOAD(objects), LOAD(memory_bytes), LOAD(blob_bytes),
      LOAD(rings));
   return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

void
pv_stats_log_summary(const struct pv_stats_slot *slot)
{
   if (!slot || !pv_log_enabled(PV_LOG_INFO, PV_CAT_GENERAL))
      return;
   char line[512];
   pv_stats_format(slot, pv_now_ns(), line, sizeof(line));
   line[strcspn(line, "\n")] = '\0';
   pv_info("leaving: %s", line);
}
