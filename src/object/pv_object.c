/* SPDX-License-Identifier: MIT */
#include "pv_object.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "util/pv_hash.h"

static atomic_llong live_objects;

void *
pv_object_calloc(size_t size)
{
   void *obj = calloc(1, size);
   if (obj)
      atomic_fetch_add_explicit(&live_objects, 1, memory_order_relaxed);
   return obj;
}

void
pv_object_free(void *obj)
{
   if (!obj)
      return;
   atomic_fetch_sub_explicit(&live_objects, 1, memory_order_relaxed);
   free(obj);
}

int64_t
pv_object_live_count(void)
{
   return atomic_load(&live_objects);
}

/* a removed entry; keeps probe chains intact */
static struct pv_object tombstone_object;
#define TOMBSTONE (&tombstone_object)

#define MIN_CAPACITY 64u

const char *
pv_object_status_string(enum pv_object_status status)
{
   switch (status) {
   case PV_OBJECT_OK:
      return "ok";
   case PV_OBJECT_ZERO_ID:
      return "object id 0";
   case PV_OBJECT_DUPLICATE:
      return "object id already in use";
   case PV_OBJECT_QUOTA:
      return "object quota reached";
   case PV_OBJECT_NO_MEMORY:
      return "out of memory";
   }
   return "?";
}

bool
pv_object_table_init(struct pv_object_table *table, uint32_t max_objects)
{
   table->slots = calloc(MIN_CAPACITY, sizeof(*table->slots));
   if (!table->slots)
      return false;
   atomic_flag_clear(&table->lock);
   table->capacity = MIN_CAPACITY;
   table->count = 0;
   table->used = 0;
   table->max_objects = max_objects;
   return true;
}

void
pv_object_table_fini(struct pv_object_table *table)
{
   free(table->slots);
   table->slots = NULL;
}

/* slot holding `id`, or NULL */
static struct pv_object **
find_locked(struct pv_object_table *table, uint64_t id)
{
   const uint32_t mask = table->capacity - 1;
   for (uint32_t i = (uint32_t)pv_hash_u64(id) & mask;; i = (i + 1) & mask) {
      struct pv_object *obj = table->slots[i];
      if (!obj)
         return NULL;
      if (obj != TOMBSTONE && obj->id == id)
         return &table->slots[i];
   }
}

static void
insert_slot_locked(struct pv_object **slots, uint32_t capacity, struct pv_object *obj)
{
   const uint32_t mask = capacity - 1;
   uint32_t i = (uint32_t)pv_hash_u64(obj->id) & mask;
   while (slots[i] && slots[i] != TOMBSTONE)
      i = (i + 1) & mask;
   slots[i] = obj;
}

/* The capacity to rehash into when 3/4 full counting tombstones: double only
 * when live objects fill half of the table.  0: too large. */
static uint32_t
grown_capacity_locked(const struct pv_object_table *table)
{
   uint32_t capacity = table->capacity;
   if (table->count * 2 >= capacity) {
      if (capacity > UINT32_MAX / 2)
         return 0;
      capacity *= 2;
   }
   return capacity;
}

static void
rehash_locked(struct pv_object_table *table, struct pv_object **slots, uint32_t capacity)
{
   for (uint32_t i = 0; i < table->capacity; i++) {
      struct pv_object *obj = table->slots[i];
      if (obj && obj != TOMBSTONE)
         insert_slot_locked(slots, capacity, obj);
   }
   free(table->slots);
   table->slots = slots;
   table->capacity = capacity;
   table->used = table->count;
}

struct pv_object *
pv_object_table_get(struct pv_object_table *table, uint64_t id, VkObjectType type,
                    VkObjectType *found)
{
   if (found)
      *found = VK_OBJECT_TYPE_UNKNOWN;
   if (!id)
      return NULL;
   pv_object_table_lock(table);
   struct pv_object **slot = find_locked(table, id);
   struct pv_object *obj = slot ? *slot : NULL;
   /* under the lock: a destroy removes the object under it first, so it
    * either sees this reference or this lookup does not find the object */
   if (obj && obj->type == type)
      obj->gets++;
   pv_object_table_unlock(table);
   if (!obj)
      return NULL;
   if (found)
      *found = obj->type;
   return obj->type == type ? obj : NULL;
}

/* -- references held for a command ------------------------------------------------ */

static _Thread_local struct pv_object_holder *current_holder;

void
pv_object_holder_enter(struct pv_object_holder *holder)
{
   holder->outer = current_holder;
   current_holder = holder;
}

void
pv_object_holder_leave(struct pv_object_holder *holder)
{
   current_holder = holder->outer;
   holder->outer = NULL;
}

bool
pv_object_holder_add(struct pv_object_holder *holder, struct pv_object *obj)
{
   if (holder->count == holder->cap) {
      const uint32_t cap = holder->cap ? holder->cap * 2 : 16;
      struct pv_object **objs = realloc(holder->objs, cap * sizeof(*objs));
      if (!objs) {
         pv_object_put(obj);
         return false;
      }
      holder->objs = objs;
      holder->cap = cap;
   }
   holder->objs[holder->count++] = obj;
   return true;
}

void
pv_object_holder_release(struct pv_object_holder *holder)
{
   for (uint32_t i = 0; i < holder->count; i++)
      pv_object_put(holder->objs[i]);
   holder->count = 0;
}

void
pv_object_holder_fini(struct pv_object_holder *holder)
{
   pv_object_holder_release(holder);
   free(holder->objs);
   holder->objs = NULL;
   holder->cap = 0;
}

/* The object is out of the table: drops what this thread's command holds of
 * it (the handler destroying it is usually that command), then waits for
 * the other threads' commands to let go. */
static void
wait_unheld(struct pv_object *obj)
{
   for (struct pv_object_holder *holder = current_holder; holder; holder = holder->outer) {
      for (uint32_t i = 0; i < holder->count; i++) {
         if (holder->objs[i] == obj) {
            holder->objs[i] = NULL;
            pv_object_put(obj);
         }
      }
   }
   /* out of the table (under its lock, after which no lookup finds it):
    * `gets` no longer changes */
   const uint32_t gets = obj->gets;
   for (unsigned spins = 0; atomic_load_explicit(&obj->puts, memory_order_acquire) != gets;
        spins++) {
      if (spins < 64) {
         pv_cpu_relax();
      } else if (spins < 256) {
         sched_yield();
      } else {
         /* another ring's host call on it: that may take a while */
         const struct timespec ts = { .tv_nsec = 50 * 1000 };
         nanosleep(&ts, NULL);
      }
   }
}

static enum pv_object_status
check_id_locked(struct pv_object_table *table, uint64_t id)
{
   if (!id)
      return PV_OBJECT_ZERO_ID;
   if (find_locked(table, id))
      return PV_OBJECT_DUPLICATE;
   if (table->count >= table->max_objects)
      return PV_OBJECT_QUOTA;
   return PV_OBJECT_OK;
}

enum pv_object_status
pv_object_table_check_id(struct pv_object_table *table, uint64_t id)
{
   pv_object_table_lock(table);
   const enum pv_object_status status = check_id_locked(table, id);
   pv_object_table_unlock(table);
   return status;
}

enum pv_object_status
pv_object_table_adopt(struct pv_object_table *table, struct pv_object *obj,
                      struct pv_object *parent)
{
   /* a larger slot array is allocated (and zeroed: for millions of slots,
    * milliseconds of page faults) with the lock released, for the size the
    * table wants then; the rehash into it is under the lock */
   struct pv_object **spare = NULL;
   uint32_t spare_capacity = 0;
   enum pv_object_status status;
   for (;;) {
      pv_object_table_lock(table);
      status = check_id_locked(table, obj->id);
      if (status != PV_OBJECT_OK || (table->used + 1) * 4 <= table->capacity * 3)
         break;
      const uint32_t capacity = grown_capacity_locked(table);
      if (!capacity) {
         status = PV_OBJECT_NO_MEMORY;
         break;
      }
      if (spare && spare_capacity == capacity) {
         rehash_locked(table, spare, capacity);
         spare = NULL;
         break;
      }
      pv_object_table_unlock(table);
      free(spare);
      spare = calloc(capacity, sizeof(*spare));
      spare_capacity = capacity;
      if (!spare)
         return PV_OBJECT_NO_MEMORY;
   }
   if (status == PV_OBJECT_OK) {
      obj->gets = 0;
      atomic_store_explicit(&obj->puts, 0, memory_order_relaxed);
      insert_slot_locked(table->slots, table->capacity, obj);
      table->count++;
      table->used++;
      pv_list_init(&obj->children);
      obj->parent = parent;
      if (parent)
         pv_list_add_tail(&parent->children, &obj->link);
      else
         pv_list_init(&obj->link);
   }
   pv_object_table_unlock(table);
   free(spare); /* another adopt grew the table first */
   return status;
}

static void
remove_locked(struct pv_object_table *table, struct pv_object *obj)
{
   struct pv_object **slot = find_locked(table, obj->id);
   if (slot && *slot == obj) {
      *slot = TOMBSTONE;
      table->count--;
   }
   /* `parent` stays: destroy functions use it to reach their device */
   pv_list_del(&obj->link);
}

void
pv_object_table_forget(struct pv_object_table *table, struct pv_object *obj)
{
   pv_object_table_lock(table);
   remove_locked(table, obj);
   pv_object_table_unlock(table);
   wait_unheld(obj);
}

/* Detaches the subtree under `root` in destruction order into `order`
 * (children newest first, then their parent).  Returns the count, or -1 when
 * out of memory. */
static long
collect_locked(struct pv_object *root, struct pv_object ***order)
{
   size_t cap = 16, n = 0;
   struct pv_object **out = malloc(cap * sizeof(*out));
   if (!out)
      return -1;
   /* iterative post-order: descend into the newest child until a leaf */
   struct pv_object *obj = root;
   for (;;) {
      while (!pv_list_empty(&obj->children))
         obj = pv_container_of(obj->children.prev, struct pv_object, link);
      if (n == cap) {
         cap *= 2;
         struct pv_object **grown = realloc(out, cap * sizeof(*out));
         if (!grown) {
            free(out);
            return -1;
         }
         out = grown;
      }
      out[n++] = obj;
      if (obj == root)
         break;
      pv_list_del(&obj->link); /* leaf is collected: unlink from its parent */
      obj = obj->parent;
   }
   *order = out;
   return (long)n;
}

void
pv_object_table_destroy(struct pv_object_table *table, struct pv_object *obj)
{
   struct pv_object **order = NULL;
   pv_object_table_lock(table);
   long n = collect_locked(obj, &order);
   if (n > 0) {
      for (long i = 0; i < n; i++)
         remove_locked(table, order[i]);
   }
   pv_object_table_unlock(table);
   if (n < 0)
      abort(); /* host out of memory while tearing down: nothing sane is left */
   for (long i = 0; i < n; i++)
      wait_unheld(order[i]);

   /* nobody will signal what the host still waits on for a subtree torn
    * down with its parent: without this a device waiting idle would wait
    * for ever (lavapipe's queue on a timeline value the guest never set) */
   for (long i = 0; i < n; i++) {
      if (order[i] != obj && order[i]->release_waits)
         order[i]->release_waits(order[i]);
   }
   /* parents first: a device waits idle before its objects go */
   for (long i = n; i-- > 0;) {
      if (order[i]->quiesce)
         order[i]->quiesce(order[i]);
   }
   for (long i = 0; i < n; i++) {
      struct pv_object *o = order[i];
      if (o->destroy)
         o->destroy(o);
      else
         pv_object_free(o);
   }
   free(order);
}

void
pv_object_table_destroy_all(struct pv_object_table *table)
{
   for (;;) {
      struct pv_object *root = NULL;
      pv_object_table_lock(table);
      /* destroy top-level objects newest id first; children go with them */
      for (uint32_t i = 0; i < table->capacity; i++) {
         struct pv_object *obj = table->slots[i];
         if (obj && obj != TOMBSTONE && !obj->parent) {
            if (!root || obj->id > root->id)
               root = obj;
         }
      }
      pv_object_table_unlock(table);
      if (!root)
         break;
      pv_object_table_destroy(table, root);
   }
}

uint32_t
pv_object_table_count(struct pv_object_table *table)
{
   pv_object_table_lock(table);
   const uint32_t count = table->count;
   pv_object_table_unlock(table);
   return count;
}
