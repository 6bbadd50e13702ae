/* zmalloc_slots.h — internal to libzmalloc (not installed): the per-thread counter slots that
 * zmalloc.c writes on its hot path and zmalloc_acct.c reads (used memory, categories, thread
 * figures). Nothing here is part of the public API. */
#ifndef ZMEM_ZMALLOC_SLOTS_H
#define ZMEM_ZMALLOC_SLOTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "zmalloc.h"

#define ZM_LOAD(field)     atomic_load_explicit(&(field), memory_order_relaxed)
#define ZM_STORE(field, v) atomic_store_explicit(&(field), (v), memory_order_relaxed)

/* One thread's counters. A slot's net bytes B are g_alloc - g_free plus, on jemalloc,
 * (a_seen - a_off) - (d_seen - d_off) (see "jemalloc fast path" in zmalloc.c). All fields but
 * the registry ones are written by the owner only, with relaxed stores.
 *
 * Categories are counted per interval, not per call: the hot path does not look at the current
 * category at all. When the owner switches category, the bytes B moved since the last switch
 * (B - mark) are credited to the category that was current, and mark = B. A reader adds the
 * open interval (B - mark) to cat[cur]. So the categories of a slot always sum to B exactly,
 * and an allocation costs nothing more than before; a switch costs a few loads and stores. */
struct zm_slot {
    _Alignas(128) _Atomic int64_t g_alloc; /* generic path: bytes allocated, cumulative */
    _Atomic int64_t g_free;                /* generic path: bytes freed, cumulative */
#ifdef ZMALLOC_JEMALLOC
    _Atomic uint64_t seq; /* odd while the owner rewrites a_seen, a_off, d_seen, d_off */
    /* The owner's fast-path state (its TLS), where a_seen and d_seen are while it lives; NULL
     * when the slot has no live owner. Set and cleared under the registry lock, which readers
     * hold while they follow it. */
    _Atomic(struct zmalloc_thread_ *) live;
    uint64_t a_seen;        /* parked here while live is NULL: jemalloc's thread allocated
                             * counter after the last owner's last call (see zmalloc.h) */
    _Atomic uint64_t a_off; /* a_seen - a_off: bytes this slot's owners allocated via zmalloc */
    uint64_t d_seen;        /* the same for deallocations */
    _Atomic uint64_t d_off;
    _Atomic uint64_t journal[4]; /* what a rewrite is writing, for a fork child to finish */
#endif
    /* Categories (owner-written; zmalloc.h: the owner's TLS points here, for the inline
     * switch). Read and written with __atomic builtins: the layout is shared with the header. */
    _Alignas(64) struct zmalloc_cats_ cats;
    /* Registry (written under zm_registry_lock): who owns the slot, for per-thread figures. */
    bool owned;
    char name[ZMALLOC_THREAD_NAME_LEN];
    uint64_t base_alloc; /* the slot's cumulative figures when its owner registered */
    uint64_t base_free;
};

extern struct zm_slot zm_slots[ZMALLOC_THREAD_SLOTS];
extern _Atomic unsigned zm_slots_used;
/* Threads without a slot of their own: shared, read-modify-write. */
extern _Atomic int64_t zm_shared_alloc, zm_shared_free;
extern _Atomic int64_t zm_shared_cat[ZMALLOC_CATEGORIES];
/* The calling thread's slot (NULL: none, or not registered yet); its category is
 * zmalloc_thread_.cur. */
extern _Thread_local struct zm_slot *zm_self_slot;
/* Non-zero: zmalloc.c takes the generic path and reports each block to the checker. */
extern _Atomic int zm_check_on;

/* The owner's cached sum of its slot's terms other than a_seen - d_seen (zmalloc_thread_.base),
 * recomputed from the slot. */
void zm_base_reset(struct zm_slot *s);

/* Cumulative allocated / freed bytes of a slot (consistent pair: retried across a rewrite).
 * The caller is the slot's owner or holds the registry lock (zm_registry_lock). */
void zm_slot_totals(struct zm_slot *s, uint64_t *alloc, uint64_t *freed);
/* fork handlers for the registry lock: taken before, released after in parent and child. */
void zm_registry_prefork(void);
void zm_registry_postfork(void);
/* The calling thread, registered: make sure its slot exists (first call of a thread). */
void zm_thread_ensure(void);
/* Registry hooks from zmalloc.c: a thread took slot s / is giving it back (exit). */
void zm_registry_attach(struct zm_slot *s);
void zm_registry_detach(struct zm_slot *s);
/* Checker hooks from the generic path (only while zm_check_on). */
void zm_check_alloc(void *p);
void zm_check_free(void *p);

#endif
