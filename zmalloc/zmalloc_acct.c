/* zmalloc_acct.c — the readers and the bookkeeping off the hot path: used memory and its peak,
 * categories (registration, switching, the per-category sum), per-thread figures by thread
 * name, and the debug checker that catches a block freed under the wrong category.
 * zmalloc_slots.h describes the per-thread slots zmalloc.c writes. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZMALLOC_NO_INLINE /* zmalloc_category_set is defined here */
#include "zmalloc.h"
#include "zmalloc_slots.h"

#define LOAD(field)     ZM_LOAD(field)
#define STORE(field, v) ZM_STORE(field, v)

static _Alignas(128) _Atomic size_t peak_bytes;

/* Guards the slots' registry fields (owner, name, live) and the retired table. Taken at thread
 * start and exit, and by every reader that sums slots: a live slot's a_seen/d_seen are in its
 * owner's TLS, which exists only until the owner's exit parks them back under this lock.
 * Never on the allocation path. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

void
zm_registry_prefork(void)
{
    pthread_mutex_lock(&registry_lock);
}

void
zm_registry_postfork(void)
{
    pthread_mutex_unlock(&registry_lock);
}

/* ======================== Slot totals and used memory ======================== */

void
zm_slot_totals(struct zm_slot *s, uint64_t *alloc, uint64_t *freed)
{
#ifdef ZMALLOC_JEMALLOC
    for (unsigned spins = 0;; spins++) {
        uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire), a, f;

        if (seq & 1) {
            if (spins > 100) /* the owner was preempted inside its few stores */
                sched_yield();
            continue;
        }
        const struct zmalloc_thread_ *t = atomic_load_explicit(&s->live, memory_order_acquire);
        const uint64_t *as = t ? &t->a_seen : &s->a_seen, *ds = t ? &t->d_seen : &s->d_seen;

        a = (uint64_t)LOAD(s->g_alloc) + (__atomic_load_n(as, __ATOMIC_RELAXED) - LOAD(s->a_off));
        f = (uint64_t)LOAD(s->g_free) + (__atomic_load_n(ds, __ATOMIC_RELAXED) - LOAD(s->d_off));
        atomic_thread_fence(memory_order_acquire);
        if (LOAD(s->seq) == seq) {
            *alloc = a;
            *freed = f;
            return;
        }
    }
#else
    *alloc = (uint64_t)LOAD(s->g_alloc);
    *freed = (uint64_t)LOAD(s->g_free);
#endif
}

/* One slot's net bytes (may be negative: a thread freeing what others allocated). */
static int64_t
slot_bytes(struct zm_slot *s)
{
    uint64_t a, f;

    zm_slot_totals(s, &a, &f);
    return (int64_t)(a - f);
}

static size_t
used_now(void)
{
    unsigned n = atomic_load_explicit(&zm_slots_used, memory_order_acquire);
    int64_t sum = LOAD(zm_shared_alloc) - LOAD(zm_shared_free);

    pthread_mutex_lock(&registry_lock);
    for (unsigned i = 0; i < n; i++)
        sum += slot_bytes(&zm_slots[i]);
    pthread_mutex_unlock(&registry_lock);
    /* Slots are read one after another while other threads keep counting: mid-flight the sum
     * may be off by their in-flight blocks, and in theory dip below 0. */
    return sum > 0 ? (size_t)sum : 0;
}

static void
raise_peak(size_t used)
{
    size_t peak = atomic_load_explicit(&peak_bytes, memory_order_relaxed);

    while (used > peak && !atomic_compare_exchange_weak_explicit(
                              &peak_bytes, &peak, used, memory_order_relaxed, memory_order_relaxed))
        ;
}

size_t
zmalloc_used_memory(void)
{
    size_t used = used_now();

    raise_peak(used);
    return used;
}

size_t
zmalloc_update_peak(void)
{
    return zmalloc_used_memory();
}

size_t
zmalloc_peak_memory(void)
{
    raise_peak(used_now());
    return atomic_load_explicit(&peak_bytes, memory_order_relaxed);
}

void
zmalloc_reset_peak(void)
{
    atomic_store_explicit(&peak_bytes, used_now(), memory_order_relaxed);
}

/* ======================== Categories ======================== */

static pthread_mutex_t cat_lock = PTHREAD_MUTEX_INITIALIZER;
static char cat_names[ZMALLOC_CATEGORIES][ZMALLOC_CATEGORY_NAME_LEN] = {"other"};
/* Ids below this are registered; released after the name is written, so a reader that sees
 * the id sees its name. */
int zmalloc_category_count_ = 1;

int
zmalloc_category_register(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    int id = -1, n;

    if (len == 0 || len >= ZMALLOC_CATEGORY_NAME_LEN)
        return -1;
    pthread_mutex_lock(&cat_lock);
    n = __atomic_load_n(&zmalloc_category_count_, __ATOMIC_RELAXED);
    for (int i = 0; i < n && id < 0; i++)
        if (strcmp(cat_names[i], name) == 0)
            id = i;
    if (id < 0 && n < ZMALLOC_CATEGORIES) {
        memcpy(cat_names[n], name, len + 1);
        id = n;
        __atomic_store_n(&zmalloc_category_count_, n + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&cat_lock);
    return id;
}

const char *
zmalloc_category_name(int id)
{
    if (id < 0 || id >= __atomic_load_n(&zmalloc_category_count_, __ATOMIC_ACQUIRE))
        return NULL;
    return cat_names[id];
}

int
zmalloc_category_count(void)
{
    return __atomic_load_n(&zmalloc_category_count_, __ATOMIC_ACQUIRE);
}

#define CLOAD(field)     __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define CSTORE(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)

void
zm_base_reset(struct zm_slot *s)
{
    int64_t b = LOAD(s->g_alloc) - LOAD(s->g_free);

#ifdef ZMALLOC_JEMALLOC
    b -= (int64_t)(LOAD(s->a_off) - LOAD(s->d_off));
#endif
    zmalloc_thread_.base = b;
}

/* Credit the calling thread's open interval to its current category and start a new one: the
 * only writes of cat[] and mark, by the owner, as the inline switch in zmalloc.h does. Its net
 * bytes come from its TLS (a_seen - d_seen + base), the same figure slot_bytes() sums from the
 * slot. A reader between the two stores may count the interval twice for an instant; a quiet
 * process reads exactly. */
static void
close_interval(struct zm_slot *s)
{
    struct zmalloc_cats_ *c = &s->cats;
    int cur = CLOAD(c->cur);
    int64_t b = (int64_t)(zmalloc_thread_.a_seen - zmalloc_thread_.d_seen) + zmalloc_thread_.base;

    CSTORE(c->cat[cur], CLOAD(c->cat[cur]) + (b - CLOAD(c->mark)));
    CSTORE(c->mark, b);
}

/* The inline switch's rare cases: an id not registered (nothing changes), the thread's first
 * zmalloc call (it registers here), or a thread that counts in the shared counters (no slot,
 * no interval to close). */
int
zmalloc_category_set_slow_(int id)
{
    int prev = zmalloc_thread_.cur;
    struct zm_slot *s;

    if (id == prev || id < 0 || id >= __atomic_load_n(&zmalloc_category_count_, __ATOMIC_RELAXED))
        return prev;
    zm_thread_ensure();
    s = zm_self_slot;
    if (s != NULL && zmalloc_thread_.cats != NULL) {
        close_interval(s);
        CSTORE(s->cats.cur, id);
    }
    zmalloc_thread_.cur = id;
    return prev;
}

int
zmalloc_category_set(int id)
{
    return zmalloc_category_set_inline_(id);
}

int
zmalloc_category_current(void)
{
    return zmalloc_thread_.cur;
}

size_t
zmalloc_category_usage(int64_t *bytes, int n)
{
    int64_t sum[ZMALLOC_CATEGORIES] = {0}, total = 0;
    unsigned used = atomic_load_explicit(&zm_slots_used, memory_order_acquire);

    pthread_mutex_lock(&registry_lock);
    for (unsigned i = 0; i < used; i++) {
        struct zm_slot *s = &zm_slots[i];
        int cur = CLOAD(s->cats.cur);
        int64_t mark = CLOAD(s->cats.mark);

        for (int c = 0; c < ZMALLOC_CATEGORIES; c++)
            sum[c] += CLOAD(s->cats.cat[c]);
        sum[cur] += slot_bytes(s) - mark;
    }
    pthread_mutex_unlock(&registry_lock);
    for (int c = 0; c < ZMALLOC_CATEGORIES; c++) {
        sum[c] += LOAD(zm_shared_cat[c]);
        total += sum[c];
        if (c < n)
            bytes[c] = sum[c];
    }
    return total > 0 ? (size_t)total : 0;
}

void *
zmalloc_cat(size_t size, int cat)
{
    int prev = zmalloc_category_set(cat);
    void *p = zmalloc(size);

    zmalloc_category_set(prev);
    return p;
}

void
zfree_cat(void *ptr, int cat)
{
    int prev = zmalloc_category_set(cat);

    zfree(ptr);
    zmalloc_category_set(prev);
}

void
zmalloc_category_move(int from, int to, int64_t bytes)
{
    int n = __atomic_load_n(&zmalloc_category_count_, __ATOMIC_RELAXED);
    struct zm_slot *s;

    if (from == to || bytes == 0 || from < 0 || to < 0 || from >= n || to >= n)
        return;
    s = zm_self_slot;
    if (s == NULL) {
        zm_thread_ensure();
        s = zm_self_slot;
    }
    if (s != NULL) { /* owner-written, as in close_interval() */
        CSTORE(s->cats.cat[from], CLOAD(s->cats.cat[from]) - bytes);
        CSTORE(s->cats.cat[to], CLOAD(s->cats.cat[to]) + bytes);
    } else {
        atomic_fetch_sub_explicit(&zm_shared_cat[from], bytes, memory_order_relaxed);
        atomic_fetch_add_explicit(&zm_shared_cat[to], bytes, memory_order_relaxed);
    }
}

/* ======================== Per-thread figures ======================== */

#define RETIRED_MAX 32
static struct zmalloc_thread_stat retired[RETIRED_MAX];
static int retired_count;

static void
copy_name(char *dst, const char *src)
{
    size_t len = strnlen(src, ZMALLOC_THREAD_NAME_LEN - 1);

    memcpy(dst, src, len);
    dst[len] = '\0';
}

void
zm_registry_attach(struct zm_slot *s)
{
    uint64_t a, f;

    zm_slot_totals(s, &a, &f);
    pthread_mutex_lock(&registry_lock);
#ifdef ZMALLOC_JEMALLOC
    /* The caller copied the parked a_seen/d_seen into its TLS: from here readers go there. */
    atomic_store_explicit(&s->live, &zmalloc_thread_, memory_order_release);
#endif
    s->owned = true;
    copy_name(s->name, "unnamed");
    s->base_alloc = a;
    s->base_free = f;
    pthread_mutex_unlock(&registry_lock);
    /* A recycled slot's last interval was closed at the previous owner's exit (mark == net
     * bytes); the new owner's interval starts in its own current category. */
    CSTORE(s->cats.cur, zmalloc_thread_.cur);
}

/* Add one thread's figures under name into a table of n entries (cap max); returns the new n.
 * Past max, figures go to the last entry, so nothing is dropped from the totals. */
static int
merge_stat(struct zmalloc_thread_stat *t, int n, int max, const char *name, uint64_t a, uint64_t f)
{
    int i;

    for (i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            break;
    if (i == n) {
        if (n == max) {
            i = max - 1;
        } else {
            copy_name(t[i].name, name);
            t[i].allocated = t[i].freed = 0;
            n++;
        }
    }
    t[i].allocated += a;
    t[i].freed += f;
    return n;
}

void
zm_registry_detach(struct zm_slot *s)
{
    uint64_t a, f;

    close_interval(s);
    zm_slot_totals(s, &a, &f);
    pthread_mutex_lock(&registry_lock);
    retired_count = merge_stat(retired, retired_count, RETIRED_MAX, s->name, a - s->base_alloc,
                               f - s->base_free);
#ifdef ZMALLOC_JEMALLOC
    /* Park the TLS values in the slot: once the lock is released no reader follows live. */
    s->a_seen = zmalloc_thread_.a_seen;
    s->d_seen = zmalloc_thread_.d_seen;
    atomic_store_explicit(&s->live, NULL, memory_order_release);
#endif
    s->owned = false;
    pthread_mutex_unlock(&registry_lock);
}

int
zmalloc_thread_name(const char *name)
{
    struct zm_slot *s;

    zm_thread_ensure();
    s = zm_self_slot;
    if (s == NULL || name == NULL)
        return -1;
    pthread_mutex_lock(&registry_lock);
    copy_name(s->name, name);
    pthread_mutex_unlock(&registry_lock);
    return 0;
}

int
zmalloc_thread_stats(struct zmalloc_thread_stat *out, int max)
{
    /* Every name fits: retired names, one per slot, and "shared". */
    struct zmalloc_thread_stat t[RETIRED_MAX + ZMALLOC_THREAD_SLOTS + 1];
    int cap = (int)(sizeof(t) / sizeof(t[0])), n;
    unsigned used = atomic_load_explicit(&zm_slots_used, memory_order_acquire);
    int64_t sa = LOAD(zm_shared_alloc), sf = LOAD(zm_shared_free);

    pthread_mutex_lock(&registry_lock);
    n = retired_count;
    memcpy(t, retired, sizeof(retired[0]) * (size_t)n);
    for (unsigned i = 0; i < used; i++) {
        struct zm_slot *s = &zm_slots[i];
        uint64_t a, f;

        if (!s->owned)
            continue;
        zm_slot_totals(s, &a, &f);
        n = merge_stat(t, n, cap, s->name, a - s->base_alloc, f - s->base_free);
    }
    pthread_mutex_unlock(&registry_lock);
    if (sa != 0 || sf != 0)
        n = merge_stat(t, n, cap, "shared", (uint64_t)sa, (uint64_t)sf);
    for (int i = 0; i < n && i < max; i++)
        out[i] = t[i];
    return n;
}

/* ======================== Checker (debug) ======================== */

/* Open addressing, linear probing, deletion by backward shift (no tombstones). Key 0 is
 * empty. Grown at half full. Allocated with the allocator directly: not counted. */
struct check_entry {
    uintptr_t ptr;
    int cat;
};

static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static struct check_entry *check_tab;
static size_t check_cap, check_len;

static void
mismatch_default(const void *ptr, int alloc_cat, int free_cat)
{
    const char *a = zmalloc_category_name(alloc_cat), *f = zmalloc_category_name(free_cat);

    fprintf(stderr, "zmalloc: block %p allocated in category '%s' freed in category '%s'\n", ptr,
            a ? a : "?", f ? f : "?");
    abort();
}

typedef void (*mismatch_fn)(const void *, int, int);
static _Atomic(mismatch_fn) mismatch_handler = mismatch_default;

void
zmalloc_set_category_mismatch_handler(void (*handler)(const void *ptr, int alloc_cat, int free_cat))
{
    atomic_store_explicit(&mismatch_handler, handler ? handler : mismatch_default,
                          memory_order_release);
}

int
zmalloc_category_check(int enable)
{
    atomic_store_explicit(&zm_check_on, enable != 0, memory_order_relaxed);
    return 0;
}

static size_t
check_hash(uintptr_t p, size_t cap)
{
    return (size_t)((p >> 4) * UINT64_C(0x9E3779B97F4A7C15) >> 16) & (cap - 1);
}

static void
check_put_locked(uintptr_t p, int cat)
{
    size_t i;

    if ((check_len + 1) * 2 > check_cap) {
        size_t ncap = check_cap ? check_cap * 2 : 4096;
        struct check_entry *old = check_tab, *tab = calloc(ncap, sizeof(*tab));

        if (tab == NULL)
            return; /* the checker is best effort; the counts stay exact */
        for (size_t j = 0; j < check_cap; j++) {
            if (old[j].ptr == 0)
                continue;
            for (i = check_hash(old[j].ptr, ncap); tab[i].ptr; i = (i + 1) & (ncap - 1))
                ;
            tab[i] = old[j];
        }
        free(old);
        check_tab = tab;
        check_cap = ncap;
    }
    for (i = check_hash(p, check_cap); check_tab[i].ptr && check_tab[i].ptr != p;
         i = (i + 1) & (check_cap - 1))
        ;
    if (check_tab[i].ptr == 0)
        check_len++;
    check_tab[i].ptr = p;
    check_tab[i].cat = cat;
}

/* Remove p; returns its category, or -1 if it was not recorded. */
static int
check_take_locked(uintptr_t p)
{
    size_t i, j, mask = check_cap - 1;
    int cat;

    if (check_cap == 0)
        return -1;
    for (i = check_hash(p, check_cap); check_tab[i].ptr != p; i = (i + 1) & mask)
        if (check_tab[i].ptr == 0)
            return -1;
    cat = check_tab[i].cat;
    /* Backward shift: move later members of the run into the hole when their home allows. */
    for (j = (i + 1) & mask; check_tab[j].ptr; j = (j + 1) & mask) {
        size_t home = check_hash(check_tab[j].ptr, check_cap);

        if (((j - home) & mask) >= ((j - i) & mask)) {
            check_tab[i] = check_tab[j];
            i = j;
        }
    }
    check_tab[i].ptr = 0;
    check_len--;
    return cat;
}

void
zm_check_alloc(void *p)
{
    pthread_mutex_lock(&check_lock);
    check_put_locked((uintptr_t)p, zmalloc_thread_.cur);
    pthread_mutex_unlock(&check_lock);
}

void
zm_check_free(void *p)
{
    int cat;

    pthread_mutex_lock(&check_lock);
    cat = check_take_locked((uintptr_t)p);
    pthread_mutex_unlock(&check_lock);
    if (cat >= 0 && cat != zmalloc_thread_.cur)
        atomic_load_explicit(&mismatch_handler, memory_order_acquire)(p, cat, zmalloc_thread_.cur);
}
