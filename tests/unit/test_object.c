/* SPDX-License-Identifier: MIT */
/* The object table and the id map. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>
#include <time.h>

#include "object/pv_object.h"
#include "pv_test.h"
#include "util/pv_id_map.h"

static struct pv_object *
make(uint64_t id, VkObjectType type)
{
   struct pv_object *obj = calloc(1, sizeof(*obj));
   obj->id = id;
   obj->type = type;
   obj->handle = id * 16;
   return obj;
}

/* A lookup of a single-threaded test: takes the reference and drops it. */
static struct pv_object *
lookup(struct pv_object_table *t, uint64_t id, VkObjectType type, VkObjectType *found)
{
   struct pv_object *obj = pv_object_table_get(t, id, type, found);
   pv_object_put(obj);
   return obj;
}

PV_TEST(object_insert_lookup_type)
{
   struct pv_object_table t;
   REQUIRE(pv_object_table_init(&t, 100));
   struct pv_object *buf = make(7, VK_OBJECT_TYPE_BUFFER);
   REQUIRE(pv_object_table_adopt(&t, buf, NULL) == PV_OBJECT_OK);
   VkObjectType found;
   CHECK(lookup(&t, 7, VK_OBJECT_TYPE_BUFFER, &found) == buf);
   CHECK(lookup(&t, 7, VK_OBJECT_TYPE_IMAGE, &found) == NULL);
   CHECK_EQ(found, VK_OBJECT_TYPE_BUFFER); /* exists, other type */
   CHECK(lookup(&t, 8, VK_OBJECT_TYPE_BUFFER, &found) == NULL);
   CHECK_EQ(found, VK_OBJECT_TYPE_UNKNOWN);
   CHECK(lookup(&t, 0, VK_OBJECT_TYPE_BUFFER, &found) == NULL);
   pv_object_table_destroy_all(&t);
   CHECK_EQ(pv_object_table_count(&t), 0);
   pv_object_table_fini(&t);
}

PV_TEST(object_rejects_zero_and_duplicates)
{
   struct pv_object_table t;
   REQUIRE(pv_object_table_init(&t, 100));
   struct pv_object *zero = make(0, VK_OBJECT_TYPE_BUFFER);
   CHECK(pv_object_table_adopt(&t, zero, NULL) == PV_OBJECT_ZERO_ID);
   free(zero);
   struct pv_object *a = make(5, VK_OBJECT_TYPE_BUFFER);
   struct pv_object *b = make(5, VK_OBJECT_TYPE_IMAGE);
   CHECK(pv_object_table_adopt(&t, a, NULL) == PV_OBJECT_OK);
   CHECK(pv_object_table_check_id(&t, 5) == PV_OBJECT_DUPLICATE);
   CHECK(pv_object_table_adopt(&t, b, NULL) == PV_OBJECT_DUPLICATE);
   free(b);
   CHECK(lookup(&t, 5, VK_OBJECT_TYPE_BUFFER, NULL) == a);
   pv_object_table_destroy_all(&t);
   pv_object_table_fini(&t);
}

PV_TEST(object_quota)
{
   struct pv_object_table t;
   REQUIRE(pv_object_table_init(&t, 3));
   for (uint64_t id = 1; id <= 3; id++)
      CHECK(pv_object_table_adopt(&t, make(id, VK_OBJECT_TYPE_FENCE), NULL) == PV_OBJECT_OK);
   struct pv_object *extra = make(4, VK_OBJECT_TYPE_FENCE);
   CHECK(pv_object_table_adopt(&t, extra, NULL) == PV_OBJECT_QUOTA);
   free(extra);
   pv_object_table_destroy_all(&t);
   pv_object_table_fini(&t);
}

PV_TEST(object_growth_and_tombstones)
{
   struct pv_object_table t;
   REQUIRE(pv_object_table_init(&t, 1u << 20));
   /* ids like Mesa's counters and like pointers */
   for (uint64_t i = 1; i <= 5000; i++) {
      const uint64_t id = (i & 1) ? i : 0x5600a8470000ull + i * 16;
      REQUIRE(pv_object_table_adopt(&t, make(id, VK_OBJECT_TYPE_SEMAPHORE), NULL) ==
              PV_OBJECT_OK);
   }
   CHECK_EQ(pv_object_table_count(&t), 5000);
   /* remove half, then churn: lookups must still find the rest */
   for (uint64_t i = 1; i <= 5000; i += 2) {
      struct pv_object *o = lookup(&t, i, VK_OBJECT_TYPE_SEMAPHORE, NULL);
      REQUIRE(o);
      pv_object_table_destroy(&t, o);
   }
   for (uint64_t round = 0; round < 20000; round++) {
      const uint64_t id = 1000000 + round;
      REQUIRE(pv_object_table_adopt(&t, make(id, VK_OBJECT_TYPE_EVENT), NULL) ==
              PV_OBJECT_OK);
      pv_object_table_destroy(&t, lookup(&t, id, VK_OBJECT_TYPE_EVENT, NULL));
   }
   for (uint64_t i = 2; i <= 5000; i += 2) {
      const uint64_t id = 0x5600a8470000ull + i * 16;
      CHECK(lookup(&t, id, VK_OBJECT_TYPE_SEMAPHORE, NULL) != NULL);
   }
   CHECK_EQ(pv_object_table_count(&t), 2500);
   CHECK(t.capacity <= 16384); /* tombstones did not make it grow without bound */
   pv_object_table_destroy_all(&t);
   pv_object_table_fini(&t);
}

static uint64_t destroyed[16];
static int destroyed_count;

static void
record_destroy(struct pv_object *obj)
{
   destroyed[destroyed_count++] = obj->id;
   free(obj);
}

PV_TEST(object_destroy_order)
{
   /* device 1 { pool 2 { cmd 3, cmd 4 }, buffer 5 }, instance 10 { device 1 } */
   struct pv_object_table t;
   REQUIRE(pv_object_table_init(&t, 100));
   struct pv_object *inst = make(10, VK_OBJECT_TYPE_INSTANCE);
   struct pv_object *dev = make(1, VK_OBJECT_TYPE_DEVICE);
   struct pv_object *pool = make(2, VK_OBJECT_TYPE_COMMAND_POOL);
   struct pv_object *cmd3 = make(3, VK_OBJECT_TYPE_COMMAND_BUFFER);
   struct pv_object *cmd4 = make(4, VK_OBJECT_TYPE_COMMAND_BUFFER);
   struct pv_object *buf = make(5, VK_OBJECT_TYPE_BUFFER);
   struct pv_object *all[] = { inst, dev, pool, cmd3, cmd4, buf };
   for (size_t i = 0; i < 6; i++)
      all[i]->destroy = record_destroy;
   REQUIRE(pv_object_table_adopt(&t, inst, NULL) == PV_OBJECT_OK);
   REQUIRE(pv_object_table_adopt(&t, dev, inst) == PV_OBJECT_OK);
   REQUIRE(pv_object_table_adopt(&t, pool, dev) == PV_OBJECT_OK);
   REQUIRE(pv_object_table_adopt(&t, cmd3, pool) == PV_OBJECT_OK);
   REQUIRE(pv_object_table_adopt(&t, cmd4, pool) == PV_OBJECT_OK);
   REQUIRE(pv_object_table_adopt(&t, buf, dev) == PV_OBJECT_OK);

   destroyed_count = 0;
   pv_object_table_destroy(&t, pool); /* children first, newest first */
   CHECK_EQ(destroyed_count, 3);
   CHECK_EQ(destroyed[0], 4);
   CHECK_EQ(destroyed[1], 3);
   CHECK_EQ(destroyed[2], 2);
   CHECK(lookup(&t, 3, VK_OBJECT_TYPE_COMMAND_BUFFER, NULL) == NULL);

   destroyed_count = 0;
   pv_object_table_destroy_all(&t); /* buffer, device, instance */
   CHECK_EQ(destroyed_count, 3);
   CHECK_EQ(destroyed[0], 5);
   CHECK_EQ(destroyed[1], 1);
   CHECK_EQ(destroyed[2], 10);
   CHECK_EQ(pv_object_table_count(&t), 0);
   pv_object_table_fini(&t);
}

PV_TEST(object_contexts_are_separate)
{
   struct pv_object_table a, b;
   REQUIRE(pv_object_table_init(&a, 10));
   REQUIRE(pv_object_table_init(&b, 10));
   REQUIRE(pv_object_table_adopt(&a, make(9, VK_OBJECT_TYPE_BUFFER), NULL) == PV_OBJECT_OK);
   CHECK(lookup(&b, 9, VK_OBJECT_TYPE_BUFFER, NULL) == NULL);
   /* the same id names an unrelated object in another context */
   REQUIRE(pv_object_table_adopt(&b, make(9, VK_OBJECT_TYPE_BUFFER), NULL) == PV_OBJECT_OK);
   CHECK(lookup(&a, 9, VK_OBJECT_TYPE_BUFFER, NULL) !=
         lookup(&b, 9, VK_OBJECT_TYPE_BUFFER, NULL));
   pv_object_table_destroy_all(&a);
   pv_object_table_destroy_all(&b);
   pv_object_table_fini(&a);
   pv_object_table_fini(&b);
}

PV_TEST(id_map_basics)
{
   struct pv_id_map m;
   REQUIRE(pv_id_map_init(&m));
   static int values[1000];
   for (int i = 1; i < 1000; i++)
      REQUIRE(pv_id_map_put(&m, (uint64_t)i, &values[i]));
   CHECK(!pv_id_map_put(&m, 0, &values[0]));
   CHECK_EQ(m.count, 999);
   for (int i = 1; i < 1000; i += 3)
      CHECK(pv_id_map_remove(&m, (uint64_t)i) == &values[i]);
   CHECK(pv_id_map_remove(&m, 1) == NULL);
   for (int i = 1; i < 1000; i++)
      CHECK(pv_id_map_get(&m, (uint64_t)i) == ((i - 1) % 3 ? &values[i] : NULL));
   uint64_t key;
   void *value;
   int seen = 0;
   for (uint32_t it = 0; pv_id_map_next(&m, &it, &key, &value);)
      seen++;
   CHECK_EQ(seen, (int)m.count);
   pv_id_map_fini(&m);
}

/* -- references: destroy against use from another thread -------------------------- */

static atomic_int destroyed_after_put; /* 1: destroyed after the holder let go */
static atomic_bool holder_put;

static void
destroy_checking_put(struct pv_object *obj)
{
   atomic_store(&destroyed_after_put, atomic_load(&holder_put) ? 1 : -1);
   free(obj);
}

struct holder_args {
   struct pv_object_table *table;
   atomic_bool holding;
};

static int
hold_for_a_while(void *arg)
{
   struct holder_args *a = arg;
   struct pv_object *obj = pv_object_table_get(a->table, 21, VK_OBJECT_TYPE_BUFFER, NULL);
   atomic_store(&a->holding, obj != NULL);
   /* another ring's command using the buffer: 50 ms */
   const struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
   nanosleep(&ts, NULL);
   atomic_store(&holder_put, true);
   pv_object_put(obj);
   return 0;
}

PV_TEST(object_destroy_waits_for_other_threads)
{
   struct pv_object_table t;
   REQUIRE(pv_object_table_init(&t, 10));
   struct pv_object *buf = make(21, VK_OBJECT_TYPE_BUFFER);
   buf->destroy = destroy_checking_put;
   REQUIRE(pv_object_table_adopt(&t, buf, NULL) == PV_OBJECT_OK);
   atomic_store(&destroyed_after_put, 0);
   atomic_store(&holder_put, false);
   struct holder_args args = { .table = &t };
   atomic_init(&args.holding, false);
   thrd_t thread;
   REQUIRE(thrd_create(&thread, hold_for_a_while, &args) == thrd_success);
   while (!atomic_load(&args.holding))
      thrd_yield();
   pv_object_table_destroy(&t, buf);
   /* the lookup after removal fails, and the host object went only after
    * the other thread let go */
   CHECK(lookup(&t, 21, VK_OBJECT_TYPE_BUFFER, NULL) == NULL);
   CHECK_EQ(atomic_load(&destroyed_after_put), 1);
   thrd_join(thread, NULL);
   pv_object_table_fini(&t);
}

PV_TEST(object_destroy_of_own_reference_does_not_wait)
{
   struct pv_object_table t;
   REQUIRE(pv_object_table_init(&t, 10));
   struct pv_object *dev = make(1, VK_OBJECT_TYPE_DEVICE);
   REQUIRE(pv_object_table_adopt(&t, dev, NULL) == PV_OBJECT_OK);
   REQUIRE(pv_object_table_adopt(&t, make(2, VK_OBJECT_TYPE_BUFFER), dev) == PV_OBJECT_OK);
   /* a command decoded the device and its buffer, then destroys the
    * device (and the buffer with it): its own references do not hold it up */
   struct pv_object_holder h = { 0 };
   pv_object_holder_enter(&h);
   REQUIRE(pv_object_holder_add(&h, pv_object_table_get(&t, 1, VK_OBJECT_TYPE_DEVICE, NULL)));
   REQUIRE(pv_object_holder_add(&h, pv_object_table_get(&t, 2, VK_OBJECT_TYPE_BUFFER, NULL)));
   pv_object_table_destroy(&t, dev);
   CHECK_EQ(pv_object_table_count(&t), 0);
   pv_object_holder_release(&h); /* the destroyed ones were dropped: no use after free */
   pv_object_holder_leave(&h);
   pv_object_holder_fini(&h);
   pv_object_table_fini(&t);
}
