/* zmalloc — an accounting allocator: every block it hands out is counted, exactly and cheaply,
 * from any thread, so a process can tell how much heap it really uses.
 *
 * The backend is chosen at build time: ZMALLOC_JEMALLOC (default), ZMALLOC_TCMALLOC or
 * ZMALLOC_LIBC. What is counted is the allocator's usable size of each block, so that for a
 * process whose every allocation goes through zmalloc, zmalloc_used_memory() equals the
 * allocator's own count of live blocks (zmalloc_get_allocator_info's `allocated`).
 *
 * The exported symbols carry a zmem_ prefix (zlib also exports a zcalloc); the seed names
 * below are macros onto them, so source written against Redis's zmalloc.h compiles unchanged. */
#ifndef ZMEM_ZMALLOC_H
#define ZMEM_ZMALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h> /* malloc, calloc and free, for the inline fast path */

#ifdef __cplusplus
extern "C" { /* usable from C++ too: C linkage for everything below */
#endif

#if defined(__GNUC__)
#define ZMALLOC_ATTR_MALLOC      __attribute__((malloc))
#define ZMALLOC_ATTR_SIZE(n)     __attribute__((alloc_size(n)))
#define ZMALLOC_ATTR_SIZE2(n, m) __attribute__((alloc_size(n, m)))
#else
#define ZMALLOC_ATTR_MALLOC
#define ZMALLOC_ATTR_SIZE(n)
#define ZMALLOC_ATTR_SIZE2(n, m)
#endif

#define zmalloc            zmem_malloc
#define zcalloc            zmem_calloc
#define zcalloc_n          zmem_calloc_n
#define zrealloc           zmem_realloc
#define zfree              zmem_free
#define zstrdup            zmem_strdup
#define zstrndup           zmem_strndup
#define ztrymalloc         zmem_trymalloc
#define ztrycalloc         zmem_trycalloc
#define ztryrealloc        zmem_tryrealloc
#define zmalloc_usable     zmem_malloc_usable
#define ztryrealloc_usable zmem_tryrealloc_usable
#define zfree_with_size    zmem_free_with_size

/* ---- Allocation. On failure these call the OOM handler (default: print the size, abort). ---- */

/* Allocate size bytes (size 0 gives a valid, freeable block). */
void *zmalloc(size_t size) ZMALLOC_ATTR_MALLOC ZMALLOC_ATTR_SIZE(1);
/* Allocate size zeroed bytes (Redis's one-argument form). */
void *zcalloc(size_t size) ZMALLOC_ATTR_MALLOC ZMALLOC_ATTR_SIZE(1);
/* Allocate count*size zeroed bytes; an overflowing product is an allocation failure (the
 * OOM handler is called with SIZE_MAX). */
void *zcalloc_n(size_t count, size_t size) ZMALLOC_ATTR_MALLOC ZMALLOC_ATTR_SIZE2(1, 2);
/* realloc rules: zrealloc(NULL, n) allocates; zrealloc(p, 0) frees p and returns NULL. */
void *zrealloc(void *ptr, size_t size) ZMALLOC_ATTR_SIZE(2);
/* Free a block from any z* call (NULL is ignored). Any thread may free any thread's block. */
void zfree(void *ptr);
/* Free when the caller knows the size it asked for (or the usable size): jemalloc then frees
 * with sdallocx, skipping its own size-class lookup; elsewhere the same as zfree. Passing any
 * other size is undefined. */
void zfree_with_size(void *ptr, size_t size);
/* Copy a NUL-terminated string / at most n bytes of it (result always NUL-terminated). */
char *zstrdup(const char *s) ZMALLOC_ATTR_MALLOC;
char *zstrndup(const char *s, size_t n) ZMALLOC_ATTR_MALLOC;

/* ---- The same, but returning NULL on failure; the OOM handler is never called. ---- */
void *ztrymalloc(size_t size) ZMALLOC_ATTR_MALLOC ZMALLOC_ATTR_SIZE(1);
void *ztrycalloc(size_t size) ZMALLOC_ATTR_MALLOC ZMALLOC_ATTR_SIZE(1);
/* On failure the old block is left untouched and still owned by the caller. */
void *ztryrealloc(void *ptr, size_t size) ZMALLOC_ATTR_SIZE(2);

/* zmalloc that also reports the usable size in *usable (when usable is not NULL).
 * The caller may use all usable bytes. No alloc_size attribute on purpose: with
 * _FORTIFY_SOURCE=3 the compiler would otherwise hold the caller to `size` bytes. */
void *zmalloc_usable(size_t size, size_t *usable) ZMALLOC_ATTR_MALLOC;
/* ztryrealloc that also reports the usable size of the result (0 when it returns NULL);
 * for growable buffers that want the allocator's slack. Same rules as ztryrealloc. */
void *ztryrealloc_usable(void *ptr, size_t size, size_t *usable);

/* ---- Sizes. Only valid on the exact pointer a z* call returned. ---- */

/* Bytes this block counts for in zmalloc_used_memory(): the allocator's usable size. No backend
 * puts a header in front of blocks (libc uses malloc_usable_size; see zmalloc.c for why). */
size_t zmalloc_size(const void *ptr);
/* Bytes of this block the caller may use; equal to zmalloc_size() since there is no header. */
size_t zmalloc_usable_size(const void *ptr);
/* What zmalloc(size) would count, without allocating (size-class rounding). Exact on jemalloc
 * and tcmalloc; on glibc exact below the mmap threshold (128 KiB at start), an estimate above. */
size_t zmalloc_size_for(size_t size);

/* ---- Accounting ---- */

/* Threads that can hold a private counter slot at the same time. A slot is freed when its
 * thread exits and reused, value kept, by the next thread; threads beyond this many live at
 * once share one atomic counter (correct, only slower). */
#define ZMALLOC_THREAD_SLOTS 64

/* Bytes currently allocated through zmalloc by all threads, including threads that exited.
 * Exact when no other thread is allocating; never drifts. Cheap: sums a few padded slots. */
size_t zmalloc_used_memory(void);
/* The highest zmalloc_used_memory() seen. The peak is sampled, not traced per allocation:
 * every zmalloc_used_memory(), zmalloc_update_peak() and zmalloc_peak_memory() call raises it
 * (so it is never below current usage); callers sample after each unit of work. */
size_t zmalloc_peak_memory(void);
/* Raise the peak to the current usage and return the current usage. */
size_t zmalloc_update_peak(void);
/* Restart peak tracking from the current usage. */
void zmalloc_reset_peak(void);
/* Accounting is always thread safe; kept for source compatibility with the seed API. */
void zmalloc_enable_thread_safeness(void);
/* Called with the requested size when an allocation fails; it must not return normally
 * (exit or abort). NULL restores the default (print the size to stderr, abort). */
void zmalloc_set_oom_handler(void (*handler)(size_t));

/* ---- Categories: where the bytes are (zmalloc_acct.c) ----
 *
 * A program names up to ZMALLOC_CATEGORIES categories ("keyspace", "clients.query", ...);
 * id 0 is built in ("other": whatever was never tagged). Each thread has a current category,
 * 0 at start, set at module boundaries with zmalloc_category_set(); every byte a thread
 * allocates, and every byte it frees, counts in its current category. The caller states the
 * category, so a block must be freed under the category it was allocated in; zmalloc does not
 * look the block up. Why this design:
 * - it is exact and lock-free: each thread counts in its own slot, like used memory;
 * - it costs nothing per allocation: a thread's slot keeps one running net-bytes figure (the
 *   one used memory already needs); a switch credits the bytes moved since the previous
 *   switch to the category that was current, so the hot path never reads the category. A
 *   switch is inlined (below) and costs about 1-2.5 ns (bench/alloc: a switch every 8 pairs
 *   adds ~0.05x to a pair);
 * - it is exact across threads: a block allocated by one thread in category C and freed by
 *   another thread, also in C, leaves C where it was (each thread's slot moves, the sum does
 *   not). A background thread that frees others' blocks sets each block's category first.
 * - a header or side table per block would cost memory per block and a lookup per free, which
 *   is what keeps allocators from meeting a 1.3x budget.
 * The categories always add up to zmalloc_used_memory() exactly; a block freed under the
 * wrong category moves its bytes between the two categories, never out of the sum. To find
 * such a block, zmalloc_category_check(1) records each block's category and calls a handler
 * (default: abort with both names) when it is freed or reallocated under another one. */

/* Category ids are 0 .. ZMALLOC_CATEGORIES-1; names up to ZMALLOC_CATEGORY_NAME_LEN-1 bytes. */
#define ZMALLOC_CATEGORIES        32
#define ZMALLOC_CATEGORY_NAME_LEN 32
#define ZMALLOC_CATEGORY_OTHER    0

/* Register a category by name (thread safe); registering a name twice returns the same id.
 * Returns the id, or -1 when the table is full or the name is empty or too long. */
int zmalloc_category_register(const char *name);
/* The name of id, or NULL when id is not registered. */
const char *zmalloc_category_name(int id);
/* Number of ids in use: ids 0 .. count-1 are registered. */
int zmalloc_category_count(void);
/* Make id the calling thread's current category; returns the previous one (so callers can
 * restore it). An id that is not registered changes nothing (the current one is returned). */
int zmalloc_category_set(int id);
/* The calling thread's current category. */
int zmalloc_category_current(void);
/* Bytes per category now: bytes[id] for id < n (ids above n are left out, and may then be
 * missing from the sum). Returns the sum over all categories, which is used memory at the
 * same instant: exact when no other thread is allocating. A category may be negative while
 * blocks are freed under the wrong one. */
size_t zmalloc_category_usage(int64_t *bytes, int n);
/* zmalloc / zfree under category cat (the caller's current category is kept). */
void *zmalloc_cat(size_t size, int cat) ZMALLOC_ATTR_MALLOC ZMALLOC_ATTR_SIZE(1);
void zfree_cat(void *ptr, int cat);
/* Re-credit bytes (may be negative) from category from to category to, in the calling
 * thread's figures; the sum of all categories does not change. For ownership that changes
 * hands in bulk: a program handing a structure to a background thread can show it under a
 * "pending" category at once, and move the same bytes back once the thread has freed it under
 * its original category (so the two moves cancel exactly, whatever the amount). */
void zmalloc_category_move(int from, int to, int64_t bytes);

/* Checker (debug): when enable != 0, from now on every block allocated by a thread that starts
 * allocating afterwards (on jemalloc; on libc and tcmalloc: every thread) is recorded with its
 * category in a side table, and freeing or reallocating it under another category calls the
 * mismatch handler. Slow (a locked table, no jemalloc fast path): for test builds. Call it
 * before the program's first allocation to cover everything. Returns 0. */
int zmalloc_category_check(int enable);
/* Called on a mismatch with the block and both categories; NULL restores the default (print
 * both names to stderr and abort). A handler that returns lets the free go on. */
void zmalloc_set_category_mismatch_handler(void (*handler)(const void *ptr, int alloc_cat,
                                                           int free_cat));

/* ---- Per-thread figures (zmalloc_acct.c) ---- */

#define ZMALLOC_THREAD_NAME_LEN 16

struct zmalloc_thread_stat {
    char name[ZMALLOC_THREAD_NAME_LEN]; /* threads of the same name are summed */
    uint64_t allocated; /* bytes allocated through zmalloc since start (usable sizes) */
    uint64_t freed;     /* bytes freed through zmalloc since start, whoever allocated them */
};

/* Name the calling thread for zmalloc_thread_stats (up to 15 bytes kept; default "unnamed").
 * Returns 0, or -1 when the thread counts in the shared counters (more than
 * ZMALLOC_THREAD_SLOTS alive: its figures are reported under "shared"). */
int zmalloc_thread_name(const char *name);
/* Fill out[0 .. max-1] with one entry per thread name, live threads and exited ones alike
 * (an exited thread's figures are kept under its name). Returns the number of names, which
 * may exceed max. Cumulative, so a rate is the difference of two calls. */
int zmalloc_thread_stats(struct zmalloc_thread_stat *out, int max);

/* ---- Allocator identity and statistics (zmalloc_os.c; slow: callers cache on a timer) ---- */

/* "jemalloc-5.3.0", "tcmalloc-2.10" or "libc", as INFO's mem_allocator prints it. */
const char *zmalloc_allocator_name(void);

struct zmalloc_allocator_info {
    size_t allocated; /* bytes in blocks handed to the program and not freed yet */
    size_t tcache;    /* bytes in free blocks parked in thread caches */
    size_t internal;  /* bytes the allocator took from its own arenas for itself */
    size_t active;    /* bytes in pages that hold any of the three above */
    size_t resident;  /* bytes of allocator memory resident in RAM (metadata included) */
    size_t retained;  /* bytes unmapped from RSS but kept as address space */
    size_t muzzy;     /* bytes given back lazily (MADV_FREE) that still count in RSS */
};
/* Fill *info from the allocator. Returns 0 with real numbers, or -1 when the allocator keeps
 * none (libc): then allocated is zmalloc_used_memory() and active = resident = RSS, Redis's
 * fallback, and the rest 0. Cost: ~12-25 us (jemalloc, tcmalloc).
 *
 * `allocated` is what the program holds, from the allocator's point of view: every live block
 * the process got from malloc, through zmalloc or not (libc's own, the dynamic linker's), and
 * nothing else. So in a process whose every allocation goes through zmalloc it equals
 * zmalloc_used_memory(), up to blocks in flight, at any heap size.
 * - jemalloc: stats.allocated - tcache - internal. jemalloc's stats.allocated counts every
 *   region taken from its bins, so it also holds the blocks sitting in thread caches (freed by
 *   the program, or fetched ahead by a cache fill that moves a whole batch at once) and its
 *   own internal allocations (each thread's cache stack); jemalloc reports both apart
 *   (stats.arenas.<all>.tcache_bytes and .internal), which is what `tcache` and `internal`
 *   are. allocated + tcache + internal is stats.allocated. tcache_bytes is summed while the
 *   owning threads keep running (jemalloc's own caveat), so it may be off by the blocks they
 *   move during the read; allocated is clamped at 0.
 * - tcmalloc: generic.current_allocated_bytes, which already leaves the caches out;
 *   tcache = tcmalloc.current_total_thread_cache_bytes; internal = 0 (tcmalloc's metadata is
 *   never part of allocated).
 * - active, resident, retained, muzzy: jemalloc's stats.* of those names; tcmalloc as mapped in
 *   zmalloc_os.c. */
int zmalloc_get_allocator_info(struct zmalloc_allocator_info *info);
/* Return free memory to the OS: jemalloc purges all arenas, libc malloc_trim, tcmalloc
 * ReleaseFreeMemory. Returns 0 on success, -1 if the allocator reported an error. */
int zmalloc_purge(void);
/* Switch the calling thread's allocator cache on (enable != 0) or off. Off, the thread's frees
 * go straight back to the shared arena, where any thread can reuse them, and the cache's own
 * memory (~28 KB per thread on jemalloc) is given back; its allocations and frees then take
 * the arena's lock. For background threads that allocate little. jemalloc only
 * (thread.tcache.enabled): returns 0 when applied, -1 elsewhere (tcmalloc and glibc have no
 * per-thread switch), and then nothing changes. */
int zmalloc_thread_cache(int enable);
/* Let the allocator return freed pages to the OS from a thread of its own (enable != 0), or
 * stop and join that thread. Without it jemalloc ages dirty pages only while the program
 * allocates or frees, so an idle process keeps what it freed last. Call it after any fork
 * that is meant to keep running (daemonizing): a fork child starts without the thread.
 * jemalloc only (opt.background_thread, Redis's jemalloc-bg-thread): returns 0 when applied,
 * -1 elsewhere, and then nothing changes. */
int zmalloc_background_purge(int enable);
/* Write the allocator's own statistics report to cb in pieces (jemalloc malloc_stats_print,
 * tcmalloc GetStats, glibc malloc_info). Returns -1 if the allocator has none. */
int zmalloc_stats_print(void (*cb)(void *ctx, const char *text), void *ctx);

/* ---- Active defragmentation support (zmalloc_defrag.c) ----
 *
 * For a program that moves its long-lived blocks to give fragmented memory back (the server's
 * activedefrag): ask the hint about a block, and when it says yes, move the block with
 * zmalloc_defrag_move() and update every pointer to it. Main thread use: the hint keeps one
 * lookup cached without a lock. */

/* 1 when the allocator can say which blocks are worth moving (jemalloc with its
 * experimental.utilization.query and statistics, as Debian's 5.3 has them), else 0 (tcmalloc,
 * libc, sanitizer builds). A fragmentation remedy should refuse to start on 0. */
int zmalloc_defrag_supported(void);
/* Would moving this block (a pointer a z* call returned) help? 1 when its slab is no fuller
 * than its size class's average (+1/8) and is not the slab new blocks are being carved from:
 * a copy then lands in a fuller slab, and this one can empty. 0 for full slabs, large blocks,
 * and always on tcmalloc and libc. ~0.3 us (one mallctl). */
int zmalloc_defrag_hint(const void *ptr);
/* Move a block: allocate a copy of all its usable bytes (on jemalloc bypassing the thread
 * cache, so the copy comes from the current slab and the old region is freed to its slab at
 * once), free the old block and return the copy; NULL on allocation failure (ptr untouched).
 * zmalloc_used_memory() stays exact (old usable size out, new in). The caller must replace
 * every pointer to ptr. Works on every backend (a plain copy where the hint says no). */
void *zmalloc_defrag_move(void *ptr);
/* zmalloc_mallctl_int/_str's answer when an option was written and has no value to read
 * (a write-only option or a call of a void one): not an errno value. */
#define ZMALLOC_MALLCTL_WRITTEN (-1)
/* jemalloc's mallctl on an integer option, exactly as Redis 7.0's DEBUG MALLCTL: tried 8
 * bytes wide, then narrower while jemalloc answers EINVAL; newval written when not NULL.
 * 0 with the old value in *old, ZMALLOC_MALLCTL_WRITTEN when a write-only option took newval,
 * or an errno value (ENOENT: no such option, EPERM: not writable, EINVAL: no width fits;
 * ENOTSUP on tcmalloc and libc). */
int zmalloc_mallctl_int(const char *name, int64_t *old, const int64_t *newval);
/* The same for a string option (DEBUG MALLCTL-STR): read it, then, when write, write newval
 * (NULL: call the option with no value, Redis's VOID). 0 with the value read before the write
 * in *old (pointing into jemalloc's own memory; a refused write is then not reported, as in
 * Redis), ZMALLOC_MALLCTL_WRITTEN when a write-only option was written, or an errno value. */
int zmalloc_mallctl_str(const char *name, const char **old, int write, const char *newval);

/* ZMALLOC_CONF("opt:value,..."), once in a program: the allocator's start-up options, read
 * before main (jemalloc's malloc_conf; the MALLOC_CONF environment variable still overrides
 * them). Nothing on other allocators. Only for options that must be fixed before the first
 * allocation; switches with a call above are better made after a fork. */
#if defined(ZMALLOC_JEMALLOC)
#define ZMALLOC_CONF(opts)                                                                         \
    extern const char *malloc_conf;                                                                \
    const char *malloc_conf = (opts)
#else
#define ZMALLOC_CONF(opts) extern int zmalloc_conf_unused_
#endif

/* ---- Process memory probes (zmalloc_os.c). None of these allocate. ---- */

/* Resident set size in bytes, from /proc/self/stat field 24 (no stdio); 0 if unreadable.
 * ~6 us. */
size_t zmalloc_get_rss(void);
/* RSS / used memory, for callers that have no cached sample (prefer one consistent sample). */
float zmalloc_get_fragmentation_ratio(size_t rss);
/* Sum of one smaps field (e.g. "Private_Dirty:") in bytes for pid (-1: this process), from
 * smaps_rollup when the kernel has it, else smaps. Milliseconds on a large process. */
size_t zmalloc_get_smap_bytes_by_field(const char *field, long pid);
/* zmalloc_get_smap_bytes_by_field("Private_Dirty:", pid). */
size_t zmalloc_get_private_dirty(long pid);
/* Physical RAM in bytes, or the cgroup memory limit when that is lower. */
size_t zmalloc_get_memory_size(void);

/* Free memory that libc itself allocated (not through zmalloc), e.g. backtrace_symbols(). */
void zlibc_free(void *ptr);

/* ---- Seed forms of two probes, picked by argument count ----
 *
 * The seed API (Redis's zmalloc.h, as the seeds write it up) declares
 * size_t zmalloc_get_private_dirty(void), and float zmalloc_get_fragmentation_ratio both with
 * (size_t rss) and with (void). These two macros count their arguments, 0 or 1, so both forms
 * of each call compile and the exported symbols stay the ones declared above:
 *   zmalloc_get_private_dirty()           this process, zmalloc_get_private_dirty(-1)
 *   zmalloc_get_private_dirty(pid)        as declared above
 *   zmalloc_get_fragmentation_ratio()     zmalloc_get_fragmentation_ratio(zmalloc_get_rss())
 *   zmalloc_get_fragmentation_ratio(rss)  as declared above
 * The bare name (a function pointer) is the declared function. Plain C99 (no `, ##__VA_ARGS__`
 * nor __VA_OPT__, so -std=c99 -pedantic is clean): an argument list is empty when only the
 * last of four comma probes finds a comma (the test Jens Gustedt published). */
#define ZMALLOC_ARG3_(a, b, c, ...)    c
#define ZMALLOC_HAS_COMMA_(...)        ZMALLOC_ARG3_(__VA_ARGS__, 1, 0, 0)
#define ZMALLOC_COMMA_(...)            ,
#define ZMALLOC_PASTE2_(a, b)          a##b
#define ZMALLOC_CAT_(a, b)             ZMALLOC_PASTE2_(a, b)
#define ZMALLOC_PASTE5_(a, b, c, d, e) a##b##c##d##e
#define ZMALLOC_EMPTY_WHEN_0001        ,
#define ZMALLOC_IS_EMPTY4_(a, b, c, d)                                                             \
    ZMALLOC_HAS_COMMA_(ZMALLOC_PASTE5_(ZMALLOC_EMPTY_WHEN_, a, b, c, d))
/* 1 when the argument list is empty, else 0. */
#define ZMALLOC_IS_EMPTY_(...)                                                                     \
    ZMALLOC_IS_EMPTY4_(                                                                            \
        ZMALLOC_HAS_COMMA_(__VA_ARGS__), ZMALLOC_HAS_COMMA_(ZMALLOC_COMMA_ __VA_ARGS__),           \
        ZMALLOC_HAS_COMMA_(__VA_ARGS__()), ZMALLOC_HAS_COMMA_(ZMALLOC_COMMA_ __VA_ARGS__()))

#define zmalloc_get_private_dirty(...)                                                             \
    ZMALLOC_CAT_(ZMALLOC_PRIVATE_DIRTY_, ZMALLOC_IS_EMPTY_(__VA_ARGS__))(__VA_ARGS__)
#define ZMALLOC_PRIVATE_DIRTY_1(...) (zmalloc_get_private_dirty)(-1L)
#define ZMALLOC_PRIVATE_DIRTY_0(pid) (zmalloc_get_private_dirty)(pid)

#define zmalloc_get_fragmentation_ratio(...)                                                       \
    ZMALLOC_CAT_(ZMALLOC_FRAG_RATIO_, ZMALLOC_IS_EMPTY_(__VA_ARGS__))(__VA_ARGS__)
#define ZMALLOC_FRAG_RATIO_1(...) (zmalloc_get_fragmentation_ratio)(zmalloc_get_rss())
#define ZMALLOC_FRAG_RATIO_0(rss) (zmalloc_get_fragmentation_ratio)(rss)

/* ---- Inline fast path: zmalloc, ztrymalloc, zcalloc, ztrycalloc and zfree (GNU C) ----
 *
 * On jemalloc the accounting of an allocation is two loads, a compare and a store around the
 * allocator call (zmalloc.c, "jemalloc fast path"). That is so little that the call into this
 * library around it would cost as much again: bench/alloc measured a do-nothing wrapper alone
 * at 1.2x a raw jemalloc pair. So those five calls are inlined into the caller, and call into
 * the library only when the thread has no fast path (first call of a thread, tcmalloc, libc,
 * the category checker) or an allocation failed. zmalloc_category_set is inlined too: a
 * server switches categories far more often than it allocates. The thread state below belongs to
 * zmalloc.c, not to the API: it may change with any version, so a program is built against the
 * header of the libzmalloc it links (the static library built here). ZMALLOC_NO_INLINE, defined
 * before the include, keeps the plain calls. Taking the address of zmalloc or zfree still works: it
 * is then the inline function's out-of-line copy in that file, with the same behaviour. */
#if defined(__GNUC__)
/* A slot's category figures, written by its owner only, read by zmalloc_category_usage: the
 * bytes of every closed interval per category, and where the open one started. */
struct zmalloc_cats_ {
    int64_t mark; /* the slot's net bytes when the current interval opened */
    int cur;      /* the owner's current category */
    int64_t cat[ZMALLOC_CATEGORIES];
};

/* One thread's fast-path state. For a thread with the fast path, allocp and deallocp point at
 * jemalloc's per-thread cumulative byte counters, and a_seen and d_seen are those counters as
 * they stood after the thread's last zmalloc call. For any other thread (not registered yet,
 * past its exit, another allocator, the category checker) both point at a constant
 * UINT64_MAX while a_seen and d_seen are 0, so the one compare below always fails and sends
 * the call into the library: no separate "has a fast path" test. Other threads read a_seen
 * and d_seen (atomically, under the library's registry lock), hence the atomic stores. */
struct zmalloc_thread_ {
    const volatile uint64_t *allocp;
    const volatile uint64_t *deallocp;
    uint64_t a_seen;
    uint64_t d_seen;
    /* Categories, on the same line (a switch touches it and the slot's cats, nothing else):
     * the slot's net bytes are a_seen - d_seen + base (base holds the slot's other terms, kept
     * by the owner as they change); cats is the slot's category figures (NULL while the thread
     * has no slot); cur the current category, with or without a slot. */
    int64_t base;
    struct zmalloc_cats_ *cats;
    int cur;
};
extern __thread struct zmalloc_thread_ zmalloc_thread_ __attribute__((tls_model("initial-exec")));

#define ZMALLOC_HOW_TRY_  1 /* return NULL on failure instead of calling the OOM handler */
#define ZMALLOC_HOW_ZERO_ 2 /* calloc */

/* The compare failed: the thread has no fast path, or the counters moved outside zmalloc (a
 * plain malloc on this thread, whose bytes are then set apart). Either way the call is made
 * there, whole, out of line: the OOM handler is called on failure unless TRY. */
void *zmalloc_miss_(size_t size, int how);
void zfree_miss_(void *ptr);
/* After a failed allocation: a retry, then the OOM handler unless TRY. */
void *zmalloc_slow_(size_t size, int how);

static inline __attribute__((always_inline)) void *
zmalloc_fast_(size_t size, int how)
{
    void *p;

    if (__builtin_expect(*zmalloc_thread_.allocp != zmalloc_thread_.a_seen, 0))
        return zmalloc_miss_(size, how);
    p = (how & ZMALLOC_HOW_ZERO_) ? calloc(1, size) : malloc(size);
    /* The compiler takes malloc for a call that writes no memory it can see; the barrier
     * makes it read the counter again, and frees a register across the call. */
    __asm__ __volatile__("" ::: "memory");
    __atomic_store_n(&zmalloc_thread_.a_seen, *zmalloc_thread_.allocp, __ATOMIC_RELAXED);
    if (__builtin_expect(p == NULL, 0) && !(how & ZMALLOC_HOW_TRY_))
        return zmalloc_slow_(size, how);
    return p;
}

static inline __attribute__((malloc, alloc_size(1))) void *
zmalloc_inline_(size_t size)
{
    return zmalloc_fast_(size, 0);
}

static inline __attribute__((malloc, alloc_size(1))) void *
ztrymalloc_inline_(size_t size)
{
    return zmalloc_fast_(size, ZMALLOC_HOW_TRY_);
}

static inline __attribute__((malloc, alloc_size(1))) void *
zcalloc_inline_(size_t size)
{
    return zmalloc_fast_(size, ZMALLOC_HOW_ZERO_);
}

static inline __attribute__((malloc, alloc_size(1))) void *
ztrycalloc_inline_(size_t size)
{
    return zmalloc_fast_(size, ZMALLOC_HOW_ZERO_ | ZMALLOC_HOW_TRY_);
}

/* free(NULL) is a no-op that moves no counter: no NULL test needed. */
static inline void
zfree_inline_(void *ptr)
{
    if (__builtin_expect(*zmalloc_thread_.deallocp != zmalloc_thread_.d_seen, 0)) {
        zfree_miss_(ptr);
        return;
    }
    free(ptr);
    __asm__ __volatile__("" ::: "memory");
    __atomic_store_n(&zmalloc_thread_.d_seen, *zmalloc_thread_.deallocp, __ATOMIC_RELAXED);
}

/* Registered category ids are 0 .. zmalloc_category_count_ - 1 (read atomically). */
extern int zmalloc_category_count_;
/* zmalloc_category_set for a thread without a slot yet, or an id not registered. */
int zmalloc_category_set_slow_(int id);

/* A switch closes the open interval: its bytes (net bytes now - mark) go to the category that
 * was current. Most switches in a server open and close scopes that allocate nothing: then
 * that is one compare, and the switch is a few loads and two stores, inline. */
static inline int
zmalloc_category_set_inline_(int id)
{
    struct zmalloc_cats_ *c = zmalloc_thread_.cats;
    int prev = zmalloc_thread_.cur;
    int64_t b;

    if (id == prev)
        return prev;
    if (__builtin_expect(c == NULL, 0) ||
        (unsigned)id >= (unsigned)__atomic_load_n(&zmalloc_category_count_, __ATOMIC_RELAXED))
        return zmalloc_category_set_slow_(id);
    b = (int64_t)(zmalloc_thread_.a_seen - zmalloc_thread_.d_seen) + zmalloc_thread_.base;
    if (b != c->mark) {
        __atomic_store_n(&c->cat[prev], c->cat[prev] + (b - c->mark), __ATOMIC_RELAXED);
        __atomic_store_n(&c->mark, b, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&c->cur, id, __ATOMIC_RELAXED);
    zmalloc_thread_.cur = id;
    return prev;
}

#if !defined(ZMALLOC_NO_INLINE)
#define zmalloc_category_set zmalloc_category_set_inline_
#undef zmalloc
#undef ztrymalloc
#undef zcalloc
#undef ztrycalloc
#undef zfree
#define zmalloc    zmalloc_inline_
#define ztrymalloc ztrymalloc_inline_
#define zcalloc    zcalloc_inline_
#define ztrycalloc ztrycalloc_inline_
#define zfree      zfree_inline_
#endif
#endif /* __GNUC__ */

#ifdef __cplusplus
}
#endif

#endif
