/* zmalloc.c — the hot path: allocation wrappers and the exact, cheap byte counter behind
 * zmalloc_used_memory(). Slow probes (RSS, smaps, allocator statistics) live in zmalloc_os.c.
 *
 * Counter. Each thread owns one slot on a 128-byte line of its own (128, not 64, so the
 * adjacent-line prefetcher does not pair two threads' slots). Only the owner writes its slot,
 * with relaxed loads and stores: no lock prefix, no shared line, yet no data race (TSan sees
 * C11 atomics). A slot can go negative (a thread freeing what another allocated); only the sum
 * means anything. zmalloc_used_memory() sums the slots in use plus the shared counters
 * (zmalloc_acct.c reads them; zmalloc_slots.h describes a slot).
 * Slots are handed out from a 64-bit free mask; when a thread exits, a pthread key destructor
 * puts its slot back in the mask with its bytes untouched (memory the thread allocated may
 * still be live), and the next new thread continues counting in it. A thread that finds no
 * free slot (more than ZMALLOC_THREAD_SLOTS alive at once), or that allocates after its exit
 * destructor ran, counts in the shared counters with atomic adds: correct, just slower.
 *
 * Size lookup, per backend (what is counted is always the allocator's usable size):
 * - jemalloc: no lookup at all on the fast path. jemalloc already keeps, for every thread, the
 *   total bytes it ever allocated and freed (thread.allocatedp / thread.deallocatedp, in usable
 *   sizes, bumped by malloc and free themselves). The thread follows those counters and sets
 *   apart whatever moved them outside zmalloc (details at "jemalloc fast path"), which costs
 *   two loads and a store instead of a sallocx() (~3 ns, as much as the free itself); zmalloc.h
 *   inlines that path into callers. When the counters are not available (jemalloc built
 *   without stats), sallocx() is used.
 * - tcmalloc: tc_nallocx() for a new block (the size class, computed from the request) and
 *   tc_malloc_size() before free and after realloc (see NEW_SIZE for when nallocx is not
 *   trusted). tcmalloc keeps no per-thread byte counters we could follow as on jemalloc.
 * - libc: malloc_usable_size(), not a 16-byte size header. Why: it counts what glibc really
 *   hands out, like the other backends (so zmalloc_usable gives callers the real slack); it
 *   keeps pointers exactly as malloc returned them, so the sanitizer builds (which force this
 *   backend) see every block with exact bounds: ASan/TSan report the requested size as the
 *   usable size, so a write past the request is caught, and nothing hides a 16-byte prefix an
 *   underflow could silently corrupt. The price is portability to libcs without
 *   malloc_usable_size (glibc, musl and the sanitizers all have it); it costs ~1 ns per pair.
 */
#define _GNU_SOURCE
/* The exported functions are defined here; the header's inline forms call into them. */
#define ZMALLOC_NO_INLINE
#include "zmalloc.h"
#include "zmalloc_internal.h"
#include "zmalloc_slots.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(ZMALLOC_JEMALLOC)
#include <jemalloc/jemalloc.h>
/* GCC 12 warns when fresh (uninitialized) memory reaches sallocx's const void * parameter,
 * though sallocx only looks the address up. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define RAW_MALLOC(n)     malloc(n)
#define RAW_CALLOC(n)     calloc(1, (n))
#define RAW_REALLOC(p, n) realloc((p), (n))
#define RAW_FREE(p)       free(p)
#define RAW_SIZE(p)       sallocx((p), 0)
#elif defined(ZMALLOC_TCMALLOC)
#include <gperftools/nallocx.h>
#include <gperftools/tcmalloc.h>
#define RAW_MALLOC(n)     tc_malloc(n)
#define RAW_CALLOC(n)     tc_calloc(1, (n))
#define RAW_REALLOC(p, n) tc_realloc((p), (n))
#define RAW_FREE(p)       tc_free(p)
#define RAW_SIZE(p)       tc_malloc_size(p)
/* Size of a block fresh from tc_malloc/tc_calloc(n): tc_nallocx is a size-class computation
 * (~2 ns) where tc_malloc_size walks the page map (~5 ns). Only a sampled allocation could
 * differ (gperftools 2.10 keeps them in their class, but that is not a documented promise),
 * and tcmalloc samples only when TCMALLOC_SAMPLE_PARAMETER is set: then we look up instead.
 * Not for realloc: tc_realloc may keep a shrunk block in its old, larger class. */
#define NEW_SIZE(p, n)    (tc_sampling() ? tc_malloc_size(p) : tc_nallocx((n), 0))
#elif defined(ZMALLOC_LIBC)
#include <malloc.h>
#define RAW_MALLOC(n)     malloc(n)
#define RAW_CALLOC(n)     calloc(1, (n))
#define RAW_REALLOC(p, n) realloc((p), (n))
#define RAW_FREE(p)       free(p)
#define RAW_SIZE(p)       malloc_usable_size(p)
#else
#error "zmalloc: build with -DZMALLOC_JEMALLOC, -DZMALLOC_TCMALLOC or -DZMALLOC_LIBC"
#endif

#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

#ifndef NEW_SIZE
#define NEW_SIZE(p, n) RAW_SIZE(p)
#endif

#ifdef ZMALLOC_TCMALLOC
/* 1: tcmalloc samples allocations (their size is not the size class), 0: it does not, -1:
 * not looked at yet. Read once; the environment is tcmalloc's own source for this. */
static _Atomic int tc_sampling_state = -1;

static inline bool
tc_sampling(void)
{
    int state = atomic_load_explicit(&tc_sampling_state, memory_order_relaxed);

    if (UNLIKELY(state < 0)) {
        const char *v = getenv("TCMALLOC_SAMPLE_PARAMETER");

        state = v != NULL && strtoll(v, NULL, 10) > 0;
        atomic_store_explicit(&tc_sampling_state, state, memory_order_relaxed);
    }
    return state;
}
#endif

/* ======================== Per-thread counter slots ======================== */

_Static_assert(ZMALLOC_THREAD_SLOTS == 64, "the free-slot mask is one 64-bit word");

struct zm_slot zm_slots[ZMALLOC_THREAD_SLOTS];
/* Bit i set: slot i has no live owner. Taking a slot (acquire) pairs with giving it back
 * (release), so a new owner's first load sees the dead owner's last store. */
static _Atomic uint64_t slots_free = UINT64_MAX;
/* Slots [0, zm_slots_used) may hold bytes; the lowest free slot is always taken, so this stays
 * near the number of threads alive at once and keeps the reader's sum short. */
_Atomic unsigned zm_slots_used;
/* Bytes of threads without a slot of their own: read-modify-write, shared. */
_Alignas(128) _Atomic int64_t zm_shared_alloc;
_Atomic int64_t zm_shared_free;
_Atomic int64_t zm_shared_cat[ZMALLOC_CATEGORIES];
_Thread_local struct zm_slot *zm_self_slot;
/* What a thread without the fast path compares against (see zmalloc.h). */
static const uint64_t no_counter = UINT64_MAX;
__thread struct zmalloc_thread_ zmalloc_thread_ = {&no_counter, &no_counter, 0, 0, 0, NULL, 0};
_Atomic int zm_check_on;

enum thread_state { THREAD_NEW = 0, THREAD_OWN, THREAD_SHARED };

/* The slot itself is zm_self_slot (NULL: count in the shared counters, or register first);
 * the jemalloc fast path's state is zmalloc_thread_ (zmalloc.h): its allocp and deallocp, the
 * thread counters, are set only together with the slot (volatile because the compiler believes
 * malloc() writes no memory we can see). */
struct thread_acct {
    enum thread_state state;
};

static _Thread_local struct thread_acct self;

static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static bool exit_key_ok;

/* The owner is the only writer of its slot: a plain load and store suffice, and are atomic
 * only so that concurrent readers are well defined. */
static inline void
slot_add(struct zm_slot *slot, int64_t alloc, int64_t freed)
{
    if (alloc)
        ZM_STORE(slot->g_alloc, ZM_LOAD(slot->g_alloc) + alloc);
    if (freed)
        ZM_STORE(slot->g_free, ZM_LOAD(slot->g_free) + freed);
    zmalloc_thread_.base += alloc - freed; /* slot is the caller's own */
}

#define LOAD(field)     ZM_LOAD(field)
#define STORE(field, v) ZM_STORE(field, v)

#ifdef ZMALLOC_JEMALLOC
/* Re-anchor the slot on the thread counters' current values, keeping the bytes it holds:
 * whatever moved the counters since a_seen/d_seen (another thread's counters when the slot is
 * recycled, or allocations made outside zmalloc) goes into the offsets. This rewrites four
 * fields, so it runs under an odd sequence number (readers retry rather than sum a
 * half-written slot) and writes the target values to a journal first, so that a fork child
 * in which the writing thread no longer exists can complete it (slots_after_fork). Rare: at
 * thread start and after foreign allocations. */
static __attribute__((noinline, cold)) void
slot_resync(struct zm_slot *s, uint64_t a_now, uint64_t d_now)
{
    struct zmalloc_thread_ *t = &zmalloc_thread_; /* the owner's: s->live */
    uint64_t seq = LOAD(s->seq);
    uint64_t v[4] = {a_now, LOAD(s->a_off) + (a_now - t->a_seen), d_now,
                     LOAD(s->d_off) + (d_now - t->d_seen)};

    for (int i = 0; i < 4; i++)
        STORE(s->journal[i], v[i]);
    STORE(s->seq, seq + 1);
    atomic_thread_fence(memory_order_release);
    zmalloc_thread_.base -= (int64_t)((v[1] - LOAD(s->a_off)) - (v[3] - LOAD(s->d_off)));
    __atomic_store_n(&t->a_seen, v[0], __ATOMIC_RELAXED);
    STORE(s->a_off, v[1]);
    __atomic_store_n(&t->d_seen, v[2], __ATOMIC_RELAXED);
    STORE(s->d_off, v[3]);
    atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

/* The calling thread has the fast path and its counters moved outside zmalloc. */
static void
resync_now(void)
{
    slot_resync(zm_self_slot, *zmalloc_thread_.allocp, *zmalloc_thread_.deallocp);
}

/* fork child: only the forking thread survives; finish any rewrite another thread was in. */
static void
slots_after_fork(void)
{
    unsigned n = atomic_load_explicit(&zm_slots_used, memory_order_acquire);

    for (unsigned i = 0; i < n; i++) {
        struct zm_slot *s = &zm_slots[i];
        uint64_t seq = LOAD(s->seq);

        if (seq & 1) {
            /* The writer's thread state outlives it in the child (its stack is still mapped). */
            struct zmalloc_thread_ *t = atomic_load_explicit(&s->live, memory_order_relaxed);

            __atomic_store_n(t ? &t->a_seen : &s->a_seen, LOAD(s->journal[0]), __ATOMIC_RELAXED);
            STORE(s->a_off, LOAD(s->journal[1]));
            __atomic_store_n(t ? &t->d_seen : &s->d_seen, LOAD(s->journal[2]), __ATOMIC_RELAXED);
            STORE(s->d_off, LOAD(s->journal[3]));
            STORE(s->seq, seq + 1);
        }
    }
}
#endif

/* fork: readers hold the registry lock, so a fork made while another thread held it would
 * leave it locked in the child; the child then completes any half-written slot. */
static void
fork_child(void)
{
    zm_registry_postfork();
#ifdef ZMALLOC_JEMALLOC
    slots_after_fork();
#endif
}

/* Thread exit (pthread key destructor): give the slot back, value kept. Any later zmalloc
 * call from this thread (another key's destructor) counts in the shared counters. */
static void
thread_exit(void *arg)
{
    struct zm_slot *s = arg;
    unsigned i = (unsigned)(s - zm_slots);

    /* Close the category interval and fold the thread's figures into the retired ones while
     * the slot is still ours (the registry lock makes the hand-over atomic for readers). */
    zm_registry_detach(s);
    zm_self_slot = NULL;
    zmalloc_thread_.allocp = &no_counter; /* no fast path any more: a_seen, d_seen to 0 */
    zmalloc_thread_.deallocp = &no_counter;
    zmalloc_thread_.a_seen = 0;
    zmalloc_thread_.d_seen = 0;
    zmalloc_thread_.cats = NULL; /* categories from now on: the shared counters, by cur */
    self.state = THREAD_SHARED;
    atomic_fetch_or_explicit(&slots_free, UINT64_C(1) << i, memory_order_release);
}

static void
exit_key_create(void)
{
    exit_key_ok = pthread_key_create(&exit_key, thread_exit) == 0;
    (void)pthread_atfork(zm_registry_prefork, zm_registry_postfork, fork_child);
}

/* First allocator call of a thread: take the lowest free slot, or stay shared if none. */
static void
thread_register(void)
{
    uint64_t mask;
    unsigned i, used;

    self.state = THREAD_SHARED; /* from here on, never registers again */
    pthread_once(&exit_key_once, exit_key_create);
    mask = atomic_load_explicit(&slots_free, memory_order_relaxed);
    do {
        if (mask == 0)
            return;
        i = (unsigned)__builtin_ctzll(mask);
    } while (!atomic_compare_exchange_weak_explicit(&slots_free, &mask, mask & ~(UINT64_C(1) << i),
                                                    memory_order_acquire, memory_order_relaxed));
    used = atomic_load_explicit(&zm_slots_used, memory_order_relaxed);
    while (used < i + 1 &&
           !atomic_compare_exchange_weak_explicit(&zm_slots_used, &used, i + 1,
                                                  memory_order_release, memory_order_relaxed))
        ;
    /* Without the destructor the slot is simply never recycled: still exact. */
    if (exit_key_ok)
        (void)pthread_setspecific(exit_key, &zm_slots[i]);
    zm_self_slot = &zm_slots[i];
    self.state = THREAD_OWN;
#ifdef ZMALLOC_JEMALLOC
    /* Take over the counter values the slot's last owner parked (attach publishes them). */
    zmalloc_thread_.a_seen = __atomic_load_n(&zm_self_slot->a_seen, __ATOMIC_RELAXED);
    zmalloc_thread_.d_seen = __atomic_load_n(&zm_self_slot->d_seen, __ATOMIC_RELAXED);
#endif
    zm_registry_attach(zm_self_slot);
#ifdef ZMALLOC_JEMALLOC
    {
        uint64_t *a = NULL, *d = NULL;
        size_t len = sizeof(a);

        /* With the category checker on, every call must see the pointer: generic path. */
        if (mallctl("thread.allocatedp", &a, &len, NULL, 0) == 0 &&
            mallctl("thread.deallocatedp", &d, &len, NULL, 0) == 0 && a && d &&
            !atomic_load_explicit(&zm_check_on, memory_order_relaxed)) {
            slot_resync(zm_self_slot, *(volatile uint64_t *)a, *(volatile uint64_t *)d);
            zmalloc_thread_.allocp = a;
            zmalloc_thread_.deallocp = d;
        } else {
            /* No fast path: a_seen and d_seen must be 0 (zmalloc.h); rebasing them there moves
             * the offsets by as much, so the slot's bytes do not change. */
            slot_resync(zm_self_slot, 0, 0);
        }
    }
#endif
    /* Categories last: the inline switch needs base right once it sees cats. */
    zm_base_reset(zm_self_slot);
    zmalloc_thread_.cats = &zm_self_slot->cats;
}

void
zm_thread_ensure(void)
{
    if (self.state == THREAD_NEW)
        thread_register();
}

/* A thread without a slot counts in the shared counters, per category at once (it has no
 * interval of its own to close). */
static __attribute__((noinline)) void
count_slow(int64_t alloc, int64_t freed)
{
    if (self.state == THREAD_NEW)
        thread_register();
    if (zm_self_slot) {
        slot_add(zm_self_slot, alloc, freed);
        return;
    }
    atomic_fetch_add_explicit(&zm_shared_alloc, alloc, memory_order_relaxed);
    atomic_fetch_add_explicit(&zm_shared_free, freed, memory_order_relaxed);
    atomic_fetch_add_explicit(&zm_shared_cat[zmalloc_thread_.cur], alloc - freed,
                              memory_order_relaxed);
}

static inline void
count(int64_t alloc, int64_t freed)
{
    struct zm_slot *slot = zm_self_slot;

    if (LIKELY(slot != NULL))
        slot_add(slot, alloc, freed);
    else
        count_slow(alloc, freed);
}

#define CHECKING() UNLIKELY(atomic_load_explicit(&zm_check_on, memory_order_relaxed))

/* ======================== Counted allocator calls ======================== */

/* The generic path: allocator call plus a size lookup. The whole story on tcmalloc and libc;
 * on jemalloc only until a thread has registered, or when the counters are missing. */
#ifdef ZMALLOC_JEMALLOC
#define GENERIC static __attribute__((noinline))
#else
#define GENERIC static inline
#endif

GENERIC void *
generic_malloc(size_t size, size_t *usable)
{
    void *p = RAW_MALLOC(size);

    if (p) {
        size_t n = NEW_SIZE(p, size);
        count((int64_t)n, 0);
        if (CHECKING())
            zm_check_alloc(p);
        if (usable)
            *usable = n;
    }
    return p;
}

GENERIC void *
generic_calloc(size_t size)
{
    void *p = RAW_CALLOC(size);

    if (p) {
        count((int64_t)NEW_SIZE(p, size), 0);
        if (CHECKING())
            zm_check_alloc(p);
    }
    return p;
}

GENERIC void *
generic_realloc(void *ptr, size_t size)
{
    size_t old = RAW_SIZE(ptr);
    void *p;

    if (CHECKING())
        zm_check_free(ptr); /* checked before the call: realloc may free it */
    p = RAW_REALLOC(ptr, size);
    if (p) {
        count((int64_t)RAW_SIZE(p), (int64_t)old);
        if (CHECKING())
            zm_check_alloc(p);
    } else if (CHECKING()) {
        zm_check_alloc(ptr); /* failed: the old block lives on, in the current category */
    }
    return p;
}

GENERIC void
generic_free(void *ptr)
{
    if (CHECKING())
        zm_check_free(ptr);
    count(0, (int64_t)RAW_SIZE(ptr));
    RAW_FREE(ptr);
}

#ifdef ZMALLOC_JEMALLOC
/* jemalloc fast path. jemalloc counts, per thread, every byte it hands out and takes back
 * (thread.allocated/deallocated, usable sizes, wrapping). The thread keeps a_seen, that counter
 * as it was right after its last zmalloc call, and its slot a_off, the bytes the counter saw
 * that were not ours; so a_seen - a_off are the bytes allocated through zmalloc. A call reads
 * the counter before the allocator call: if it moved since a_seen, someone else (libc, a
 * library calling malloc) allocated on this thread, and slot_resync() sets those bytes apart.
 * After the call it stores the counter into a_seen. The hot path is two loads, a compare and
 * one store, with no read-modify-write, so no chain of dependent memory operations runs from
 * one call to the next: measured ~0.6 ns per pair cheaper than slot += (after - before).
 * Deallocations work the same way with d_seen/d_off.
 *
 * a_seen and d_seen live in the thread's own TLS (zmalloc_thread_, zmalloc.h), not in its
 * slot: a %fs-relative access needs no slot pointer and no register across the call, which
 * measured ~0.3 ns per pair cheaper. Readers reach them through the slot's live pointer, under
 * the registry lock, which a thread's exit also takes to park the values back in the slot
 * (zmalloc_acct.c): so no reader touches a dead thread's TLS. zmalloc.h inlines zmalloc,
 * zcalloc and zfree (the same code as below) into callers.
 * allocp set implies slot and deallocp set: all three belong to a registered thread. */
static inline bool
has_fast(void)
{
    return zmalloc_thread_.allocp != &no_counter;
}

/* The out-of-line form of zmalloc.h's zmalloc_fast_ (which calls into here on a miss), plus
 * the usable size. */
static inline void *
counted_alloc(size_t size, bool zero, size_t *usable)
{
    struct zmalloc_thread_ *t = &zmalloc_thread_;
    uint64_t before, after;
    void *p;

    if (UNLIKELY(*t->allocp != t->a_seen)) {
        if (!has_fast())
            return zero ? generic_calloc(size) : generic_malloc(size, usable);
        resync_now();
    }
    before = t->a_seen;
    p = zero ? calloc(1, size) : malloc(size);
    after = *t->allocp;
    __atomic_store_n(&t->a_seen, after, __ATOMIC_RELAXED);
    if (usable)
        *usable = (size_t)(after - before);
    return p;
}

#define counted_malloc(size, usable) counted_alloc((size), false, (usable))
#define counted_calloc(size)         counted_alloc((size), true, NULL)

static inline void *
counted_realloc(void *ptr, size_t size)
{
    struct zmalloc_thread_ *t = &zmalloc_thread_;
    void *p;

    if (UNLIKELY(*t->allocp != t->a_seen || *t->deallocp != t->d_seen)) {
        if (!has_fast())
            return generic_realloc(ptr, size);
        resync_now();
    }
    /* Moved or resized in place, jemalloc adds the new usable size to allocated and the old
     * one to deallocated; a failure changes neither. */
    p = realloc(ptr, size);
    __atomic_store_n(&t->a_seen, *t->allocp, __ATOMIC_RELAXED);
    __atomic_store_n(&t->d_seen, *t->deallocp, __ATOMIC_RELAXED);
    return p;
}

/* The out-of-line form of zmalloc.h's zfree_inline_. With a size (zfree_with_size), the block
 * goes back through sdallocx, which skips the size-class lookup free() does; jemalloc accepts
 * any size from the requested size to the usable size (0: the size is not known). */
static inline void
counted_dealloc(void *ptr, size_t size)
{
    struct zmalloc_thread_ *t = &zmalloc_thread_;

    if (UNLIKELY(*t->deallocp != t->d_seen)) {
        if (!has_fast()) {
            generic_free(ptr);
            return;
        }
        resync_now();
    }
    if (size)
        sdallocx(ptr, size, 0);
    else
        free(ptr);
    __atomic_store_n(&t->d_seen, *t->deallocp, __ATOMIC_RELAXED);
}

#define counted_free(ptr)             counted_dealloc((ptr), 0)
#define counted_free_sized(ptr, size) counted_dealloc((ptr), (size))
#else
#define counted_malloc(size, usable)  generic_malloc((size), (usable))
#define counted_calloc(size)          generic_calloc(size)
#define counted_realloc(ptr, size)    generic_realloc((ptr), (size))
#define counted_free(ptr)             generic_free(ptr)
/* No sized free that is both available and exact for every block: plain free. */
#define counted_free_sized(ptr, size) generic_free(ptr)
#endif

void
zmalloc_count_replace_(size_t old_usable, size_t new_usable)
{
    count((int64_t)new_usable, (int64_t)old_usable);
}

void
zmalloc_check_replace_(void *old, void *np)
{
    if (CHECKING()) {
        zm_check_free(old);
        zm_check_alloc(np);
    }
}

/* ======================== Out of memory ======================== */

typedef void (*oom_handler_fn)(size_t);

static void
oom_default(size_t size)
{
    char msg[96];
    int n =
        snprintf(msg, sizeof(msg), "zmalloc: Out of memory trying to allocate %zu bytes\n", size);

    /* write(2), not stdio: no allocation while out of memory. */
    if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0) {
        /* nothing left to report to */
    }
    abort();
}

static _Atomic(oom_handler_fn) oom_handler = oom_default;

static __attribute__((noinline, cold, noreturn)) void
oom(size_t size)
{
    atomic_load_explicit(&oom_handler, memory_order_acquire)(size);
    /* A handler must not return; if one does, abort rather than hand out NULL. */
    abort();
}

void
zmalloc_set_oom_handler(void (*handler)(size_t))
{
    atomic_store_explicit(&oom_handler, handler ? handler : oom_default, memory_order_release);
}

void
zmalloc_enable_thread_safeness(void)
{
    /* Accounting is always thread safe; nothing to switch on. */
}

/* ======================== Allocation API ======================== */

void *
zmalloc_miss_(size_t size, int how)
{
    return zmalloc_slow_(size, how);
}

void
zfree_miss_(void *ptr)
{
    if (ptr != NULL)
        counted_free(ptr);
}

void *
zmalloc_slow_(size_t size, int how)
{
    void *p = (how & ZMALLOC_HOW_ZERO_) ? counted_calloc(size) : counted_malloc(size, NULL);

    if (UNLIKELY(p == NULL) && !(how & ZMALLOC_HOW_TRY_))
        oom(size);
    return p;
}

void *
ztrymalloc(size_t size)
{
    return zmalloc_slow_(size, ZMALLOC_HOW_TRY_);
}

void *
zmalloc(size_t size)
{
    return zmalloc_slow_(size, 0);
}

void *
zmalloc_usable(size_t size, size_t *usable)
{
    void *p = counted_malloc(size, usable);

    if (UNLIKELY(p == NULL))
        oom(size);
    return p;
}

void *
ztrycalloc(size_t size)
{
    return zmalloc_slow_(size, ZMALLOC_HOW_ZERO_ | ZMALLOC_HOW_TRY_);
}

void *
zcalloc(size_t size)
{
    return zmalloc_slow_(size, ZMALLOC_HOW_ZERO_);
}

void *
zcalloc_n(size_t count, size_t size)
{
    size_t total;

    /* The product has no meaningful value to report: the handler sees SIZE_MAX. */
    if (UNLIKELY(__builtin_mul_overflow(count, size, &total)))
        oom(SIZE_MAX);
    return zcalloc(total);
}

void *
ztryrealloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return counted_malloc(size, NULL);
    if (size == 0) {
        counted_free(ptr);
        return NULL;
    }
    return counted_realloc(ptr, size);
}

void *
ztryrealloc_usable(void *ptr, size_t size, size_t *usable)
{
    void *p = ztryrealloc(ptr, size);

    if (usable)
        *usable = p ? RAW_SIZE(p) : 0;
    return p;
}

void *
zrealloc(void *ptr, size_t size)
{
    void *p;

    if (ptr == NULL)
        return zmalloc(size);
    if (size == 0) {
        counted_free(ptr);
        return NULL;
    }
    p = counted_realloc(ptr, size);
    if (UNLIKELY(p == NULL))
        oom(size);
    return p;
}

void
zfree(void *ptr)
{
    if (ptr != NULL)
        counted_free(ptr);
}

void
zfree_with_size(void *ptr, size_t size)
{
    if (ptr != NULL)
        counted_free_sized(ptr, size);
}

char *
zstrdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = zmalloc(len);

    memcpy(p, s, len);
    return p;
}

char *
zstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = zmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void
zlibc_free(void *ptr)
{
    free(ptr);
}

/* ======================== Sizes ======================== */

size_t
zmalloc_size(const void *ptr)
{
    return ptr ? RAW_SIZE((void *)ptr) : 0;
}

size_t
zmalloc_usable_size(const void *ptr)
{
    return zmalloc_size(ptr);
}

#if defined(ZMALLOC_LIBC) && (defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__))
#define ZMALLOC_SANITIZED 1
#elif defined(ZMALLOC_LIBC) && defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ZMALLOC_SANITIZED 1
#endif
#endif

#ifdef ZMALLOC_SANITIZED
/* By default ASan and TSan abort on an allocation they cannot satisfy, where malloc returns
 * NULL; ztry* promise NULL (a client may ask for any size), so sanitized builds should behave
 * like production. Weak: a program's own definition, or ASAN_OPTIONS/TSAN_OPTIONS, wins. */
const char *__asan_default_options(void) __attribute__((weak));
const char *__tsan_default_options(void) __attribute__((weak));

const char *
__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

const char *
__tsan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

size_t
zmalloc_size_for(size_t size)
{
#if defined(ZMALLOC_JEMALLOC)
    return nallocx(size ? size : 1, 0); /* nallocx(0) is undefined; malloc(0) is size 1 */
#elif defined(ZMALLOC_TCMALLOC)
    return tc_nallocx(size, 0);
#elif defined(ZMALLOC_SANITIZED)
    return size ? size : 1; /* the sanitizers report the requested size (0 counts as 1) */
#else
    /* glibc: chunk = size + 8-byte header rounded up to 16, at least 32; the usable part is
     * the chunk minus its header. Blocks above the (dynamic) mmap threshold use whole pages
     * minus 16 bytes instead, hence the estimate there. */
    const size_t page = 4096;
    size_t chunk = size + 8 + 15 < 32 ? 32 : (size + 8 + 15) & ~(size_t)15;

    if (size >= 128 * 1024)
        return ((chunk + 8 + page - 1) & ~(page - 1)) - 16;
    return chunk - 8;
#endif
}
