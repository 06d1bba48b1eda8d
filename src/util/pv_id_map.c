/* SPDX-License-Identifier: MIT */
#include "pv_id_map.h"

#include <stdlib.h>

#include "util/pv_hash.h"

#define TOMBSTONE UINT64_MAX /* keys are ids; UINT64_MAX marks a removed slot */
#define MIN_CAPACITY 16u

bool
pv_id_map_init(struct pv_id_map *map)
{
   map->keys = calloc(MIN_CAPACITY, sizeof(*map->keys));
   map->values = calloc(MIN_CAPACITY, sizeof(*map->values));
   map->capacity = MIN_CAPACITY;
   map->count = 0;
   map->used = 0;
   if (!map->keys || !map->values) {
      pv_id_map_fini(map);
      return false;
   }
   return true;
}

void
pv_id_map_fini(struct pv_id_map *map)
{
   free(map->keys);
   free(map->values);
   map->keys = NULL;
   map->values = NULL;
   map->count = 0;
}

static int64_t
find(const struct pv_id_map *map, uint64_t key)
{
   const uint32_t mask = map->capacity - 1;
   for (uint32_t i = (uint32_t)pv_hash_u64(key) & mask;; i = (i + 1) & mask) {
      if (!map->keys[i])
         return -1;
      if (map->keys[i] == key)
         return i;
   }
}

void *
pv_id_map_get(const struct pv_id_map *map, uint64_t key)
{
   if (!key || key == TOMBSTONE)
      return NULL;
   const int64_t i = find(map, key);
   return i < 0 ? NULL : map->values[i];
}

static bool
rehash(struct pv_id_map *map, uint32_t capacity)
{
   uint64_t *keys = calloc(capacity, sizeof(*keys));
   void **values = calloc(capacity, sizeof(*values));
   if (!keys || !values) {
      free(keys);
      free(values);
      return false;
   }
   for (uint32_t i = 0; i < map->capacity; i++) {
      const uint64_t key = map->keys[i];
      if (!key || key == TOMBSTONE)
         continue;
      uint32_t j = (uint32_t)pv_hash_u64(key) & (capacity - 1);
      while (keys[j])
         j = (j + 1) & (capacity - 1);
      keys[j] = key;
      values[j] = map->values[i];
   }
   free(map->keys);
   free(map->values);
   map->keys = keys;
   map->values = values;
   map->capacity = capacity;
   map->used = map->count;
   return true;
}

bool
pv_id_map_put(struct pv_id_map *map, uint64_t key, void *value)
{
   if (!key || key == TOMBSTONE)
      return false;
   const int64_t found = find(map, key);
   if (found >= 0) {
      map->values[found] = value;
      return true;
   }
   if ((map->used + 1) * 4 > map->capacity * 3) {
      uint32_t capacity = map->count * 2 >= map->capacity ? map->capacity * 2 : map->capacity;
      if (capacity < map->capacity || !rehash(map, capacity))
         return false;
   }
   const uint32_t mask = map->capacity - 1;
   uint32_t i = (uint32_t)pv_hash_u64(key) & mask;
   while (map->keys[i] && map->keys[i] != TOMBSTONE)
      i = (i + 1) & mask;
   if (!map->keys[i])
      map->used++;
   map->keys[i] = key;
   map->values[i] = value;
   map->count++;
   return true;
}

void *
pv_id_map_remove(struct pv_id_map *map, uint64_t key)
{
   if (!key || key == TOMBSTONE)
      return NULL;
   const int64_t i = find(map, key);
   if (i < 0)
      return NULL;
   void *value = map->values[i];
   map->keys[i] = TOMBSTONE;
   map->values[i] = NULL;
   map->count--;
   return value;
}

bool
pv_id_map_next(const struct pv_id_map *map, uint32_t *iter, uint64_t *key, void **value)
{
   for (uint32_t i = *iter; i < map->capacity; i++) {
      if (map->keys[i] && map->keys[i] != TOMBSTONE) {
         *key = map->keys[i];
         *value = map->values[i];
         *iter = i + 1;
         return true;
      }
   }
   *iter = map->capacity;
   return false;
}
