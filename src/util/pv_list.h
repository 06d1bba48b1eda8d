/* SPDX-License-Identifier: MIT */
#ifndef PV_LIST_H
#define PV_LIST_H

#include <stdbool.h>
#include <stddef.h>

/* Intrusive doubly-linked list. */
struct pv_list {
   struct pv_list *prev;
   struct pv_list *next;
};

static inline void
pv_list_init(struct pv_list *list)
{
   list->prev = list;
   list->next = list;
}

static inline bool
pv_list_empty(const struct pv_list *list)
{
   return list->next == list;
}

static inline void
pv_list_add_tail(struct pv_list *list, struct pv_list *item)
{
   item->prev = list->prev;
   item->next = list;
   list->prev->next = item;
   list->prev = item;
}

static inline void
pv_list_del(struct pv_list *item)
{
   item->prev->next = item->next;
   item->next->prev = item->prev;
   item->prev = item;
   item->next = item;
}

#define pv_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#endif /* PV_LIST_H */
