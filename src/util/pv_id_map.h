/* SPDX-License-Identifier: MIT */
#ifndef PV_ID_MAP_H
#define PV_ID_MAP_H

#include <stdbool.h>
#include <stdint.h>

/* u64 key -> pointer map, open addressing; not thread-safe (callers lock).
 * Key 0 is reserved. */
struct pv_id_map {
   uint64_t *keys;   /* owned */
   void **values;    /* owned */
   uint32_t capacity;
   uint32_t count;
   uint32_t used;    /* count + tombstones */
};

bool pv_id_map_init(struct pv_id_map *map);
void pv_id_map_fini(struct pv_id_map *map);
void *pv_id_map_get(const struct pv_id_map *map, uint64_t key);
/* false when out of memory or key is 0; replaces an existing value */
bool pv_id_map_put(struct pv_id_map *map, uint64_t key, void *value);
/* returns the removed value or NULL */
void *pv_id_map_remove(struct pv_id_map *map, uint64_t key);

/* Iteration: for (uint32_t i = 0; pv_id_map_next(map, &i, &key, &value);) */
bool pv_id_map_next(const struct pv_id_map *map, uint32_t *iter, uint64_t *key, void **value);

#endif /* PV_ID_MAP_H */
