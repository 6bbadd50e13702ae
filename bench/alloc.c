/* bench/alloc — what accounting costs: ns per alloc+free pair for the raw allocator, zmalloc,
 * and two counter designs zmalloc rejected (one global atomic, one mutex), each built here
 * over the raw allocator plus the same size lookup zmalloc uses, so that only the counter
 * differs. Numbers, never pass/fail; the machine is shared, so read the ratios.
 *
 * Method (docs/zmalloc.md, "Measuring the cost"): each thread keeps a ring of live blocks;
 * every step frees the oldest and allocates a new one (touching its first byte). Two
 * patterns: "mixed", a ring of 1024 with sizes 70% 8-64 B, 25% 65-512 B, 5% 513-4096 B from a
 * fixed table, and "tight", a ring of 256 with sizes 8-512 B. "zmalloc, categories" switches
 * the thread's category twice every 16 pairs, as a server does at module boundaries. At 2 threads
 * both run the full count at once and the figure is per thread. Variants run round-robin, one run
 * each per repetition, and the median over repetitions is printed, with its ratio to raw.
 *
 *   build/bench/alloc [pairs per run, default 2000000] [repetitions, default 11]
 *
 * Calling malloc/free directly is the point here (the "raw" baseline); nothing allocated
 * that way escapes the run that allocated it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zmalloc.h"

#if defined(ZMALLOC_JEMALLOC)
#include <jemalloc/jemalloc.h>
#elif defined(ZMALLOC_TCMALLOC)
#include <gperftools/tcmalloc.h>
#else
#include <malloc.h>
#endif

#define RING_MAX 1024
#define NSIZES   4096 /* size table; a power of two, larger than the ring */
#define MAXREP   101

static size_t sizes[NSIZES];
/* Live blocks per thread in the current pattern (a power of two, at most RING_MAX). */
static long ring_n;
/* Category ids for the "with categories" variant (switches twice every 16 pairs). */
static int cat_x, cat_y;

/* ---- The size lookup zmalloc uses, per backend, for the atomic and mutex variants ---- */

#if defined(ZMALLOC_JEMALLOC)
/* jemalloc's own per-thread byte counters, read around each call (see zmalloc.c). */
static _Thread_local const volatile uint64_t *t_allocp, *t_deallocp;

static void
lookup_thread_init(void)
{
    uint64_t *a = NULL, *d = NULL;
    size_t len = sizeof(a);

    if (mallctl("thread.allocatedp", &a, &len, NULL, 0) != 0 ||
        mallctl("thread.deallocatedp", &d, &len, NULL, 0) != 0) {
        fprintf(stderr, "alloc: jemalloc without thread.allocatedp\n");
        exit(1);
    }
    t_allocp = a;
    t_deallocp = d;
}

#define COUNTED_MALLOC(p, n, COUNT)                                                                \
    do {                                                                                           \
        uint64_t before_ = *t_allocp;                                                              \
        (p) = malloc(n);                                                                           \
        COUNT((int64_t)(*t_allocp - before_));                                                     \
    } while (0)
#define COUNTED_FREE(p, COUNT)                                                                     \
    do {                                                                                           \
        uint64_t before_ = *t_deallocp;                                                            \
        free(p);                                                                                   \
        COUNT(-(int64_t)(*t_deallocp - before_));                                                  \
    } while (0)
#define RAW_MALLOC(n) malloc(n)
#define RAW_FREE(p)   free(p)
#else
#if defined(ZMALLOC_TCMALLOC)
#define RAW_MALLOC(n) tc_malloc(n)
#define RAW_FREE(p)   tc_free(p)
#define RAW_SIZE(p)   tc_malloc_size(p)
#else
#define RAW_MALLOC(n) malloc(n)
#define RAW_FREE(p)   free(p)
#define RAW_SIZE(p)   malloc_usable_size(p)
#endif
static void
lookup_thread_init(void)
{
}
#define COUNTED_MALLOC(p, n, COUNT)                                                                \
    do {                                                                                           \
        (p) = RAW_MALLOC(n);                                                                       \
        COUNT((int64_t)RAW_SIZE(p));                                                               \
    } while (0)
#define COUNTED_FREE(p, COUNT)                                                                     \
    do {                                                                                           \
        COUNT(-(int64_t)RAW_SIZE(p));                                                              \
        RAW_FREE(p);                                                                               \
    } while (0)
#endif

/* ---- The rejected counters ---- */

static _Alignas(128) _Atomic int64_t global_counter;
static _Alignas(128) int64_t mutex_counter;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;

#define COUNT_ATOMIC(d) atomic_fetch_add_explicit(&global_counter, (d), memory_order_relaxed)
#define COUNT_MUTEX(d)                                                                             \
    do {                                                                                           \
        pthread_mutex_lock(&counter_lock);                                                         \
        mutex_counter += (d);                                                                      \
        pthread_mutex_unlock(&counter_lock);                                                       \
    } while (0)

/* ---- One timed loop per variant, each with its calls inlined (no indirect call) ---- */

/* The thread's own CPU time, not wall time: on a shared machine a preempted thread would
 * otherwise charge someone else's time slice to whichever variant was running. */
static double
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double
wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The block in ring slot i & (RING-1) at step i was allocated RING steps earlier, so its
 * requested size is sizes[(i - RING) & (NSIZES - 1)]; the ring is filled to match.
 * The loop runs 8 pairs per iteration, written out, with STEP once before them: the category
 * switch then needs no branch of its own. Tested as "if ((i & 7) == 0)" inside a one-pair loop,
 * that branch mispredicted often enough to cost more than the switch itself (per switch, 1 ns
 * with a switch every pair, 5-6 ns with one every 16 in a micro-benchmark), which charged the
 * bench's own branch to zmalloc. Every variant has the same loop shape. */
#define DEFINE_LOOP(name, ALLOC, FREE) DEFINE_LOOP_STEP(name, ALLOC, FREE, NO_STEP)
#define NO_STEP(i)                     ((void)0)
/* What a server does at module boundaries: a category switch every 8 pairs. */
#define CAT_STEP(i) zmalloc_category_set(((i)&8) ? cat_x : cat_y)
#define PAIR(i, ALLOC, FREE)                                                                       \
    do {                                                                                           \
        unsigned k_ = (unsigned)((i) & (rn - 1));                                                  \
        FREE(ring[k_], sizes[((i)-rn) & (NSIZES - 1)]);                                            \
        ALLOC(ring[k_], sizes[(i) & (NSIZES - 1)]);                                                \
        *(volatile char *)ring[k_] = 1;                                                            \
    } while (0)
#define DEFINE_LOOP_STEP(name, ALLOC, FREE, STEP)                                                  \
    static double loop_##name(long pairs)                                                          \
    {                                                                                              \
        void *ring[RING_MAX];                                                                      \
        double t0, t1;                                                                             \
        long i, n, rn = ring_n;                                                                    \
        for (i = 0; i < rn; i++)                                                                   \
            ALLOC(ring[i], sizes[(i - rn) & (NSIZES - 1)]);                                        \
        t0 = now_ns();                                                                             \
        for (i = 0; i < pairs; i += 8) {                                                           \
            STEP(i);                                                                               \
            PAIR(i, ALLOC, FREE);                                                                  \
            PAIR(i + 1, ALLOC, FREE);                                                              \
            PAIR(i + 2, ALLOC, FREE);                                                              \
            PAIR(i + 3, ALLOC, FREE);                                                              \
            PAIR(i + 4, ALLOC, FREE);                                                              \
            PAIR(i + 5, ALLOC, FREE);                                                              \
            PAIR(i + 6, ALLOC, FREE);                                                              \
            PAIR(i + 7, ALLOC, FREE);                                                              \
        }                                                                                          \
        t1 = now_ns();                                                                             \
        for (n = i; i < n + rn; i++)                                                               \
            FREE(ring[i & (rn - 1)], sizes[(i - rn) & (NSIZES - 1)]);                              \
        zmalloc_category_set(0);                                                                   \
        return (t1 - t0) / (double)n;                                                              \
    }

#define A_RAW(p, n)    ((p) = RAW_MALLOC(n))
#define F_RAW(p, n)    RAW_FREE(p)
#define A_Z(p, n)      ((p) = zmalloc(n))
#define F_Z(p, n)      zfree(p)
#define F_ZSIZED(p, n) zfree_with_size((p), (n))
#define A_ATOMIC(p, n) COUNTED_MALLOC(p, n, COUNT_ATOMIC)
#define F_ATOMIC(p, n) COUNTED_FREE(p, COUNT_ATOMIC)
#define A_MUTEX(p, n)  COUNTED_MALLOC(p, n, COUNT_MUTEX)
#define F_MUTEX(p, n)  COUNTED_FREE(p, COUNT_MUTEX)

DEFINE_LOOP(raw, A_RAW, F_RAW)
DEFINE_LOOP(zplain, A_Z, F_Z)
DEFINE_LOOP_STEP(zcat, A_Z, F_Z, CAT_STEP)
DEFINE_LOOP(zsized, A_Z, F_ZSIZED)
DEFINE_LOOP(atomic, A_ATOMIC, F_ATOMIC)
DEFINE_LOOP(mutex, A_MUTEX, F_MUTEX)

#if defined(ZMALLOC_JEMALLOC)
/* For the record: zmalloc's per-thread slot, but with the usual sallocx() lookup on both
 * sides instead of jemalloc's thread counters (Redis/Valkey's way). */
static _Thread_local struct {
    _Alignas(128) _Atomic int64_t v;
} t_slot;
#define COUNT_SLOT(d)                                                                              \
    atomic_store_explicit(&t_slot.v, atomic_load_explicit(&t_slot.v, memory_order_relaxed) + (d),  \
                          memory_order_relaxed)
#define A_SALLOCX(p, n)                                                                            \
    do {                                                                                           \
        (p) = malloc(n);                                                                           \
        COUNT_SLOT((int64_t)sallocx((p), 0));                                                      \
    } while (0)
#define F_SALLOCX(p, n)                                                                            \
    do {                                                                                           \
        COUNT_SLOT(-(int64_t)sallocx((p), 0));                                                     \
        free(p);                                                                                   \
    } while (0)
DEFINE_LOOP(sallocx, A_SALLOCX, F_SALLOCX)
#endif

struct variant {
    const char *name;
    double (*loop)(long pairs);
};

static const struct variant variants[] = {
    {"raw allocator", loop_raw},
    {"zmalloc / zfree", loop_zplain},
    {"zmalloc, categories", loop_zcat},
    {"global atomic counter", loop_atomic},
    {"mutex counter", loop_mutex},
    {"zmalloc / zfree_with_size", loop_zsized},
#if defined(ZMALLOC_JEMALLOC)
    {"per-thread slot + sallocx", loop_sallocx},
#endif
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))
#define NREQUIRED 5 /* the first five are the comparison; the rest are for the record */

/* ---- Two persistent workers (stable arenas and caches), driven by barriers ---- */

static pthread_barrier_t start_line, finish_line;
static const struct variant *job;
static int job_threads;
static long job_pairs;
static double job_ns[2];

static void *
worker(void *arg)
{
    int id = (int)(intptr_t)arg;

    lookup_thread_init();
    for (;;) {
        pthread_barrier_wait(&start_line);
        if (job == NULL)
            return NULL;
        if (id < job_threads)
            job_ns[id] = job->loop(job_pairs);
        pthread_barrier_wait(&finish_line);
    }
}

/* CPU seconds the workers spent over wall seconds, summed over 2-thread runs: 2.0 means the
 * two threads always ran at the same time (contention was real), 1.0 that they took turns. */
static double overlap_cpu, overlap_wall;

static double
run(const struct variant *v, int threads, long pairs)
{
    double t0 = wall_ns();

    job = v;
    job_threads = threads;
    job_pairs = pairs;
    pthread_barrier_wait(&start_line);
    pthread_barrier_wait(&finish_line);
    if (threads == 1)
        return job_ns[0];
    overlap_cpu += (job_ns[0] + job_ns[1]) * (double)pairs;
    overlap_wall += wall_ns() - t0;
    return (job_ns[0] + job_ns[1]) / 2;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Pattern "mixed": ring of 1024, sizes 70% 8-64 B / 25% 65-512 B / 5% 513-4096 B. Pattern
 * "tight": ring of 256, sizes uniform in 8-512 B, so everything stays in the thread cache and
 * the allocator's own cost is smallest (the accounting's share is largest). */
static void
fill_sizes(int tight)
{
    uint32_t r = 0x2545f491u;

    for (int i = 0; i < NSIZES; i++) {
        uint32_t pick, n;
        r ^= r << 13, r ^= r >> 17, r ^= r << 5;
        pick = r % 100;
        r ^= r << 13, r ^= r >> 17, r ^= r << 5;
        if (tight)
            n = 8 + r % 505;
        else
            n = pick < 70 ? 8 + r % 57 : pick < 95 ? 65 + r % 448 : 513 + r % 3584;
        sizes[i] = n;
    }
    ring_n = tight ? 256 : RING_MAX;
}

static void
run_pattern(int tight, long pairs, int reps)
{
    static double ns[2][NVARIANTS][MAXREP];

    fill_sizes(tight);
    /* Warm-up: one run of everything, not recorded. */
    for (size_t v = 0; v < NVARIANTS; v++)
        run(&variants[v], 2, pairs / 4 + 1);
    overlap_cpu = overlap_wall = 0;
    for (int rep = 0; rep < reps; rep++)
        for (int t = 0; t < 2; t++)
            for (size_t v = 0; v < NVARIANTS; v++)
                ns[t][v][rep] = run(&variants[v], t + 1, pairs);

    printf("alloc (%s): %s, CPU ns per alloc+free pair per thread, median of %d runs of %ld "
           "pairs\n",
           tight ? "tight" : "mixed", zmalloc_allocator_name(), reps, pairs);
    if (tight)
        printf("       ring of %ld blocks, sizes 8-512 B uniform; ", ring_n);
    else
        printf("       ring of %ld blocks, sizes 70%% 8-64 B / 25%% 65-512 B / 5%% 513-4096 B; ",
               ring_n);
    printf("shared machine: noisy, compare the ratios\n");
    printf("  %-28s %17s %19s\n", "variant", "1 thread", "2 threads");
    {
        double raw[2];

        for (size_t v = 0; v < NVARIANTS; v++) {
            double med[2];

            for (int t = 0; t < 2; t++) {
                qsort(ns[t][v], (size_t)reps, sizeof(double), cmp_double);
                med[t] = ns[t][v][reps / 2];
                if (v == 0)
                    raw[t] = med[t];
            }
            if (v == NREQUIRED)
                printf("  for the record:\n");
            printf("  %-28s %7.2f ns %5.2fx %9.2f ns %5.2fx\n", variants[v].name, med[0],
                   med[0] / raw[0], med[1], med[1] / raw[1]);
        }
    }
    printf("  2-thread runs: the threads overlapped %.2f of 2.00 (below ~1.8 the machine was busy "
           "and contention is understated)\n",
           overlap_wall > 0 ? overlap_cpu / overlap_wall : 0.0);
}

int
main(int argc, char **argv)
{
    long pairs = argc > 1 ? atol(argv[1]) : 2000000;
    int reps = argc > 2 ? atoi(argv[2]) : 11;
    pthread_t workers[2];
    size_t base;

    if (pairs < 1 || reps < 1 || reps > MAXREP) {
        fprintf(stderr, "usage: %s [pairs per run] [repetitions <= %d]\n", argv[0], MAXREP);
        return 2;
    }
    cat_x = zmalloc_category_register("bench.x");
    cat_y = zmalloc_category_register("bench.y");
    base = zmalloc_used_memory();
    pthread_barrier_init(&start_line, NULL, 3);
    pthread_barrier_init(&finish_line, NULL, 3);
    for (int i = 0; i < 2; i++)
        pthread_create(&workers[i], NULL, worker, (void *)(intptr_t)i);

    run_pattern(0, pairs, reps);
    run_pattern(1, pairs, reps);

    job = NULL;
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < 2; i++)
        pthread_join(workers[i], NULL);
    /* Every variant freed what it allocated: zmalloc's count must be back to the byte. */
    printf("zmalloc_used_memory drift after all runs: %lld bytes\n",
           (long long)zmalloc_used_memory() - (long long)base);
    return 0;
}
