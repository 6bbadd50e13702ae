/* test_zmalloc_mt — accounting under threads: blocks allocated in one thread and freed or
 * reallocated in another (through a shared queue), threads that exit while their blocks live
 * on, more threads alive at once than there are counter slots (the shared fallback), and
 * allocations from a thread's exit destructors, readers while threads exit. used_memory must
 * come back to the byte. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zmalloc.h"

/* ======================== Shared hand-off queue ======================== */

struct block {
    void *p;
    size_t req; /* requested size, for zfree_with_size */
};

#define QCAP 8192
static struct block queue[QCAP];
static size_t qlen;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;

/* Bytes the test believes are live (sum of zmalloc_size), kept beside the real counter. */
static _Atomic long long live_bytes;
static _Atomic int worker_errors;

static void
track(const void *p, int sign)
{
    atomic_fetch_add(&live_bytes, sign * (long long)zmalloc_size(p));
}

static int
q_push(struct block b)
{
    int ok;

    pthread_mutex_lock(&qlock);
    ok = qlen < QCAP;
    if (ok)
        queue[qlen++] = b;
    pthread_mutex_unlock(&qlock);
    return ok;
}

static int
q_pop(struct block *b)
{
    int ok;

    pthread_mutex_lock(&qlock);
    ok = qlen > 0;
    if (ok)
        *b = queue[--qlen];
    pthread_mutex_unlock(&qlock);
    return ok;
}

static void
drop(struct block b, unsigned r)
{
    track(b.p, -1);
    if (r & 1)
        zfree_with_size(b.p, b.req);
    else
        zfree(b.p);
}

static void
q_drain(void)
{
    struct block b;

    while (q_pop(&b))
        drop(b, 0);
}

static unsigned
rnd(unsigned *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static size_t
rnd_size(unsigned *s)
{
    unsigned x = rnd(s) % 100;
    return x < 70 ? 8 + rnd(s) % 57 : x < 95 ? 65 + rnd(s) % 448 : 513 + rnd(s) % 20000;
}

static struct block
alloc_block(unsigned *s)
{
    struct block b;

    b.req = rnd_size(s);
    switch (rnd(s) % 3) {
    case 0:
        b.p = zmalloc(b.req);
        break;
    case 1:
        b.p = zcalloc(b.req);
        break;
    default:
        b.p = zcalloc_n(1, b.req);
        break;
    }
    memset(b.p, 0x5a, b.req);
    track(b.p, +1);
    return b;
}

static void
realloc_block(struct block *b, unsigned *s)
{
    track(b->p, -1);
    b->req = rnd_size(s);
    b->p = zrealloc(b->p, b->req);
    track(b->p, +1);
}

static pthread_t
spawn(void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_t t;

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1 << 20);
    if (pthread_create(&t, &attr, fn, arg) != 0)
        atomic_fetch_add(&worker_errors, 1);
    pthread_attr_destroy(&attr);
    return t;
}

/* ======================== Hand-offs between long-lived threads ======================== */

#define LOCAL 256

static void *
handoff_worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u + 1;
    struct block local[LOCAL] = {{0}};
    long ops = 300000;

    for (long i = 0; i < ops; i++) {
        unsigned k = rnd(&seed) % LOCAL, op = rnd(&seed) % 100;
        struct block b;

        if (local[k].p == NULL) {
            if (op < 85 || !q_pop(&local[k]))
                local[k] = alloc_block(&seed);
        } else if (op < 20) {
            realloc_block(&local[k], &seed);
        } else if (op < 50) {
            drop(local[k], op);
            local[k].p = NULL;
        } else if (op < 70) {
            /* Hand the block to whichever thread pops it next. */
            if (q_push(local[k]))
                local[k].p = NULL;
        } else if (q_pop(&b)) {
            /* Another thread's block: free it here, or keep it after a realloc. */
            if (op < 85) {
                drop(b, op);
            } else {
                realloc_block(&b, &seed);
                drop(local[k], op);
                local[k] = b;
            }
        }
    }
    /* Leave some blocks behind: they outlive this thread, counted in its (recycled) slot. */
    for (int k = 0; k < LOCAL; k++)
        if (local[k].p && (k % 2 || !q_push(local[k])))
            drop(local[k], (unsigned)k);
    return NULL;
}

static void
test_handoff_exact(void **state)
{
    enum { NTHREADS = 4 };
    size_t base = zmalloc_used_memory();
    pthread_t t[NTHREADS];

    atomic_store(&live_bytes, 0);
    for (int i = 0; i < NTHREADS; i++)
        t[i] = spawn(handoff_worker, (void *)(uintptr_t)(i + 1));
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&worker_errors), 0);
    /* The queue still holds blocks of threads that have exited: still counted. */
    assert_true(atomic_load(&live_bytes) > 0);
    assert_true((long long)zmalloc_used_memory() - (long long)base == atomic_load(&live_bytes));
    q_drain();
    assert_int_equal(atomic_load(&live_bytes), 0);
    assert_int_equal(zmalloc_used_memory(), base);
}

/* ======================== Thread churn beyond the slot array ======================== */

#define WIDE       (ZMALLOC_THREAD_SLOTS + 16) /* alive at once: 16 of them find no free slot */
#define PER_THREAD 20

static pthread_barrier_t wide_ready, wide_go;
static pthread_key_t late_key;

struct late {
    struct block b;
    int round;
};

/* Runs in the exit destructors of the thread. The first round re-arms the key, so the second
 * round comes after zmalloc's own exit destructor has given the thread's slot away. */
static void
late_destructor(void *arg)
{
    struct late *late = arg;
    unsigned seed = (unsigned)(uintptr_t)arg | 1;

    if (late->round++ == 0) {
        pthread_setspecific(late_key, late);
        return;
    }
    drop(late->b, seed);
    zfree(late);
    if (!q_push(alloc_block(&seed)))
        atomic_fetch_add(&worker_errors, 1);
}

static void *
wide_worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg * 2246822519u + 7;
    struct block mine[PER_THREAD];

    for (int i = 0; i < PER_THREAD; i++)
        mine[i] = alloc_block(&seed);
    pthread_barrier_wait(&wide_ready); /* main checks the count with all of us alive */
    pthread_barrier_wait(&wide_go);
    for (int i = 0; i < PER_THREAD; i++) {
        if (i % 2 == 0 && q_push(mine[i]))
            continue; /* outlives this thread */
        drop(mine[i], (unsigned)i);
    }
    if ((uintptr_t)arg % 4 == 0) {
        struct late *late = zmalloc(sizeof(*late));

        late->b = alloc_block(&seed);
        late->round = 0;
        pthread_setspecific(late_key, late);
    }
    return NULL;
}

/* Short-lived threads: take what dead threads left, free or realloc it, leave new blocks. */
static void *
churn_worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg * 3266489917u + 3;
    struct block b;

    for (int i = 0; i < 10; i++) {
        if (q_pop(&b)) {
            if (rnd(&seed) % 2) {
                drop(b, rnd(&seed));
            } else {
                realloc_block(&b, &seed);
                if (!q_push(b))
                    drop(b, 0);
            }
        }
        b = alloc_block(&seed);
        if (rnd(&seed) % 2 || !q_push(b))
            drop(b, 0);
    }
    return NULL;
}

static void
test_more_threads_than_slots(void **state)
{
    size_t base = zmalloc_used_memory();
    pthread_t t[WIDE];
    long long live;

    atomic_store(&live_bytes, 0);
    assert_int_equal(pthread_key_create(&late_key, late_destructor), 0);
    assert_int_equal(pthread_barrier_init(&wide_ready, NULL, WIDE + 1), 0);
    assert_int_equal(pthread_barrier_init(&wide_go, NULL, WIDE + 1), 0);
    for (int i = 0; i < WIDE; i++)
        t[i] = spawn(wide_worker, (void *)(uintptr_t)(i + 1));
    pthread_barrier_wait(&wide_ready);
    /* All WIDE threads are alive and quiet: slots and the shared counter must add up. */
    live = atomic_load(&live_bytes);
    assert_true(live > 0);
    assert_true((long long)zmalloc_used_memory() - (long long)base == live);
    pthread_barrier_wait(&wide_go);
    for (int i = 0; i < WIDE; i++)
        pthread_join(t[i], NULL);
    assert_true((long long)zmalloc_used_memory() - (long long)base == atomic_load(&live_bytes));

    /* Waves of new threads reuse the freed slots; 5 x 40 more threads in total. */
    for (int wave = 0; wave < 5; wave++) {
        pthread_t w[40];

        for (int i = 0; i < 40; i++)
            w[i] = spawn(churn_worker, (void *)(uintptr_t)(wave * 40 + i + 1));
        for (int i = 0; i < 40; i++)
            pthread_join(w[i], NULL);
        assert_true((long long)zmalloc_used_memory() - (long long)base == atomic_load(&live_bytes));
    }
    assert_int_equal(atomic_load(&worker_errors), 0);
    q_drain();
    assert_int_equal(atomic_load(&live_bytes), 0);
    assert_int_equal(zmalloc_used_memory(), base);
    pthread_barrier_destroy(&wide_ready);
    pthread_barrier_destroy(&wide_go);
    pthread_key_delete(late_key);
}

/* ======================== Reader during writers ======================== */

static _Atomic int stop_readers;

static void *
reader(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_readers)) {
        (void)zmalloc_used_memory();
        (void)zmalloc_peak_memory();
    }
    return NULL;
}

/* Concurrent readers see in-flight values only; once writers stop, the sum is exact. Under
 * TSan this also proves the slots are race-free. */
static void
test_concurrent_reader(void **state)
{
    size_t base = zmalloc_used_memory();
    pthread_t r, w[2];

    atomic_store(&stop_readers, 0);
    atomic_store(&live_bytes, 0);
    r = spawn(reader, NULL);
    for (int i = 0; i < 2; i++)
        w[i] = spawn(handoff_worker, (void *)(uintptr_t)(100 + i));
    for (int i = 0; i < 2; i++)
        pthread_join(w[i], NULL);
    atomic_store(&stop_readers, 1);
    pthread_join(r, NULL);
    q_drain();
    assert_int_equal(zmalloc_used_memory(), base);
    assert_true(zmalloc_peak_memory() >= base);
}

/* ======================== Readers while threads exit ======================== */

/* While its thread lives, a slot's last counter readings sit in that thread's TLS, which the
 * readers follow; at exit the thread parks them back in the slot. A reader that followed a
 * dead thread's TLS would read a reused stack: wild figures. */
static _Atomic int stop_exit_readers;
static _Atomic size_t exit_reader_reads;

static void *
exit_reader(void *arg)
{
    size_t limit = (size_t)(uintptr_t)arg;

    while (!atomic_load(&stop_exit_readers)) {
        int64_t cats[ZMALLOC_CATEGORIES];
        struct zmalloc_thread_stat st[8];
        size_t used = zmalloc_used_memory(), sum = zmalloc_category_usage(cats, ZMALLOC_CATEGORIES);

        if (used > limit || sum > limit || zmalloc_thread_stats(st, 8) < 1)
            atomic_fetch_add(&worker_errors, 1);
        atomic_fetch_add(&exit_reader_reads, 1);
    }
    return NULL;
}

static void *
short_lived(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;

    /* Foreign allocations too, so the thread's offsets are not zero when it parks. */
    for (int i = 0; i < 20; i++) {
        void *f = malloc(32 + rnd(&seed) % 256); /* deliberately not zmalloc */
        struct block b = alloc_block(&seed);

        free(f);
        if (rnd(&seed) % 2 || !q_push(b))
            drop(b, rnd(&seed));
    }
    return NULL;
}

static void
test_readers_while_threads_exit(void **state)
{
    size_t base = zmalloc_used_memory();
    pthread_t r[2];

    atomic_store(&live_bytes, 0);
    atomic_store(&worker_errors, 0);
    atomic_store(&stop_exit_readers, 0);
    atomic_store(&exit_reader_reads, 0);
    for (int i = 0; i < 2; i++)
        r[i] = spawn(exit_reader, (void *)(uintptr_t)(base + ((size_t)256 << 20)));
    for (int wave = 0; wave < 50; wave++) {
        pthread_t t[8];

        for (int i = 0; i < 8; i++)
            t[i] = spawn(short_lived, (void *)(uintptr_t)(wave * 8 + i + 7));
        for (int i = 0; i < 8; i++)
            pthread_join(t[i], NULL);
    }
    atomic_store(&stop_exit_readers, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    assert_true(atomic_load(&exit_reader_reads) > 0);
    assert_int_equal(atomic_load(&worker_errors), 0);
    /* 400 threads came and went: their bytes are all still accounted for, to the byte. */
    assert_true((long long)zmalloc_used_memory() - (long long)base == atomic_load(&live_bytes));
    q_drain();
    assert_int_equal(zmalloc_used_memory(), base);
}

/* ======================== fork while threads allocate ======================== */

static _Atomic int stop_mixers;

/* zmalloc interleaved with plain malloc: every zmalloc call finds the thread's allocator
 * counters moved by someone else and re-anchors its slot (a multi-store rewrite). */
static void *
mixer(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;

    while (!atomic_load_explicit(&stop_mixers, memory_order_relaxed)) {
        void *f = malloc(16 + rnd(&seed) % 512); /* deliberately not zmalloc */
        void *p = zmalloc(16 + rnd(&seed) % 512);

        free(f);
        zfree(p);
    }
    return NULL;
}

/* A fork child inherits whatever the other threads were doing at that instant, including a
 * half-done slot rewrite; reading used_memory there must not hang. When the threads are
 * quiet, the child must read exactly what the parent reads. */
static void
test_fork_child(void **state)
{
    size_t base = zmalloc_used_memory();
    pthread_t t[2];
    int status;
    pid_t pid;

    atomic_store(&stop_mixers, 0);
    for (int i = 0; i < 2; i++)
        t[i] = spawn(mixer, (void *)(uintptr_t)(i + 11));
    for (int i = 0; i < 40; i++) {
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            signal(SIGALRM, SIG_DFL);
            alarm(5);
            (void)zmalloc_used_memory();
            _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    atomic_store(&stop_mixers, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(zmalloc_used_memory(), base);

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(zmalloc_used_memory() == base ? 0 : 1);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handoff_exact),     cmocka_unit_test(test_more_threads_than_slots),
        cmocka_unit_test(test_concurrent_reader), cmocka_unit_test(test_readers_while_threads_exit),
        cmocka_unit_test(test_fork_child),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
