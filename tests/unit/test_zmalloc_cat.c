/* test_zmalloc_cat — categories and per-thread figures: categories always add up to
 * zmalloc_used_memory() to the byte, each one comes back to its baseline once its blocks are
 * freed, hand-offs between threads stay exact per category, thread figures survive the
 * thread's exit under its name, and the checker catches a block freed under the wrong
 * category. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "zmalloc.h"

static int cat_a, cat_b;

static int
setup(void **state)
{
    cat_a = zmalloc_category_register("test.a");
    cat_b = zmalloc_category_register("test.b");
    return cat_a > 0 && cat_b > 0 && cat_a != cat_b ? 0 : -1;
}

/* Sum of the categories, checked against used memory read at the same quiet instant. */
static size_t
usage(int64_t *bytes)
{
    size_t total = zmalloc_category_usage(bytes, ZMALLOC_CATEGORIES);

    assert_int_equal(total, zmalloc_used_memory());
    return total;
}

static void
test_register(void **state)
{
    char long_name[ZMALLOC_CATEGORY_NAME_LEN + 1];

    assert_int_equal(zmalloc_category_register("test.a"), cat_a);
    assert_string_equal(zmalloc_category_name(0), "other");
    assert_string_equal(zmalloc_category_name(cat_b), "test.b");
    assert_null(zmalloc_category_name(zmalloc_category_count()));
    assert_null(zmalloc_category_name(-1));
    assert_int_equal(zmalloc_category_register(""), -1);
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_int_equal(zmalloc_category_register(long_name), -1);
    /* An unregistered id changes nothing. */
    assert_int_equal(zmalloc_category_set(ZMALLOC_CATEGORIES - 1 > zmalloc_category_count()
                                              ? ZMALLOC_CATEGORIES - 1
                                              : -1),
                     0);
    assert_int_equal(zmalloc_category_current(), 0);
}

static void
test_sum_exact(void **state)
{
    int64_t before[ZMALLOC_CATEGORIES], mid[ZMALLOC_CATEGORIES], after[ZMALLOC_CATEGORIES];
    void *p[64];
    size_t in_a = 0, in_b = 0;

    usage(before);
    assert_int_equal(zmalloc_category_set(cat_a), 0);
    for (int i = 0; i < 32; i++) {
        p[i] = zmalloc((size_t)(8 + i * 37));
        in_a += zmalloc_size(p[i]);
    }
    in_a -= zmalloc_size(p[0]);
    p[0] = zrealloc(p[0], 5000);
    in_a += zmalloc_size(p[0]);
    assert_int_equal(zmalloc_category_set(cat_b), cat_a);
    for (int i = 32; i < 64; i++) {
        p[i] = zmalloc_cat((size_t)(100 + i), cat_b);
        in_b += zmalloc_size(p[i]);
    }
    zmalloc_category_set(0);
    usage(mid);
    assert_int_equal(mid[cat_a] - before[cat_a], (int64_t)in_a);
    assert_int_equal(mid[cat_b] - before[cat_b], (int64_t)in_b);
    assert_int_equal(mid[0], before[0]);
    for (int i = 0; i < 32; i++)
        zfree_cat(p[i], cat_a);
    zmalloc_category_set(cat_b);
    for (int i = 32; i < 64; i++)
        zfree(p[i]);
    zmalloc_category_set(0);
    usage(after);
    for (int c = 0; c < ZMALLOC_CATEGORIES; c++)
        assert_int_equal(after[c], before[c]);
}

/* zmalloc_category_move: bytes change category, the sum does not; a move made on one thread
 * and undone on another cancels exactly (the lazy free thread's pattern). */
static void *
move_back(void *arg)
{
    zmalloc_category_move(cat_b, cat_a, (int64_t)(intptr_t)arg);
    return NULL;
}

static void
test_move(void **state)
{
    int64_t before[ZMALLOC_CATEGORIES], mid[ZMALLOC_CATEGORIES], after[ZMALLOC_CATEGORIES];
    pthread_t th;

    usage(before);
    zmalloc_category_move(cat_a, cat_b, 12345);
    zmalloc_category_move(cat_a, cat_a, 777);                   /* same category: nothing */
    zmalloc_category_move(cat_a, zmalloc_category_count(), 99); /* unknown id: nothing */
    usage(mid);
    assert_int_equal(mid[cat_a] - before[cat_a], -12345);
    assert_int_equal(mid[cat_b] - before[cat_b], 12345);
    for (int c = 0; c < ZMALLOC_CATEGORIES; c++)
        if (c != cat_a && c != cat_b)
            assert_int_equal(mid[c], before[c]);
    assert_int_equal(pthread_create(&th, NULL, move_back, (void *)(intptr_t)12345), 0);
    pthread_join(th, NULL);
    usage(after);
    for (int c = 0; c < ZMALLOC_CATEGORIES; c++)
        assert_int_equal(after[c], before[c]);
}

/* ---- hand-off: a worker allocates in A, the main thread frees in A (and the reverse) ---- */

#define HANDOFF 2000
static void *handed[HANDOFF];
static size_t handed_bytes;

static void *
producer(void *arg)
{
    zmalloc_thread_name("producer");
    zmalloc_category_set(cat_a);
    for (int i = 0; i < HANDOFF; i++) {
        handed[i] = zmalloc((size_t)(16 + (i * 7) % 700));
        handed_bytes += zmalloc_size(handed[i]);
    }
    zmalloc_category_set(0);
    return NULL;
}

static void *
consumer(void *arg)
{
    zmalloc_thread_name("consumer");
    zmalloc_category_set(cat_a);
    for (int i = 0; i < HANDOFF; i++)
        zfree(handed[i]);
    return NULL; /* exits with cat_a current: its last interval is closed at exit */
}

static const struct zmalloc_thread_stat *
find_stat(const struct zmalloc_thread_stat *t, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

static void
test_handoff(void **state)
{
    int64_t before[ZMALLOC_CATEGORIES], mid[ZMALLOC_CATEGORIES], after[ZMALLOC_CATEGORIES];
    struct zmalloc_thread_stat t0[128], t1[128], t2[128];
    const struct zmalloc_thread_stat *p0, *c0, *p1, *c2;
    int n0, n1, n2;
    pthread_t th;

    n0 = zmalloc_thread_stats(t0, 128);
    p0 = find_stat(t0, n0, "producer");
    c0 = find_stat(t0, n0, "consumer");
    usage(before);
    handed_bytes = 0;
    assert_int_equal(pthread_create(&th, NULL, producer, NULL), 0);
    pthread_join(th, NULL);
    usage(mid);
    assert_int_equal(mid[cat_a] - before[cat_a], (int64_t)handed_bytes);
    n1 = zmalloc_thread_stats(t1, 128);
    p1 = find_stat(t1, n1, "producer");
    assert_non_null(p1);
    assert_int_equal(p1->allocated - (p0 ? p0->allocated : 0), handed_bytes);

    assert_int_equal(pthread_create(&th, NULL, consumer, NULL), 0);
    pthread_join(th, NULL);
    usage(after);
    for (int c = 0; c < ZMALLOC_CATEGORIES; c++)
        assert_int_equal(after[c], before[c]);
    n2 = zmalloc_thread_stats(t2, 128);
    c2 = find_stat(t2, n2, "consumer");
    assert_non_null(c2);
    assert_int_equal(c2->freed - (c0 ? c0->freed : 0), handed_bytes);
}

/* Many short threads at once (more than there are slots): the shared counters keep the
 * categories exact too. */
static void *
churn(void *arg)
{
    void *p[16];

    zmalloc_category_set((int)(intptr_t)arg);
    for (int i = 0; i < 16; i++)
        p[i] = zmalloc((size_t)(i * 40 + 1));
    for (int i = 0; i < 16; i++)
        zfree(p[i]);
    p[0] = zmalloc(333); /* leaked on purpose, freed below by the main thread */
    return p[0];
}

static void
test_many_threads(void **state)
{
    enum { N = ZMALLOC_THREAD_SLOTS + 16 };
    static pthread_t th[N];
    int64_t before[ZMALLOC_CATEGORIES], after[ZMALLOC_CATEGORIES];
    void *left[N];

    usage(before);
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&th[i], NULL, churn, (void *)(intptr_t)cat_b), 0);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], &left[i]);
    zmalloc_category_set(cat_b);
    for (int i = 0; i < N; i++)
        zfree(left[i]);
    zmalloc_category_set(0);
    usage(after);
    for (int c = 0; c < ZMALLOC_CATEGORIES; c++)
        assert_int_equal(after[c], before[c]);
}

/* ---- checker ---- */

static _Atomic int mismatches;
static const void *mismatch_ptr;
static int mismatch_alloc, mismatch_free;

static void
on_mismatch(const void *ptr, int alloc_cat, int free_cat)
{
    mismatch_ptr = ptr;
    mismatch_alloc = alloc_cat;
    mismatch_free = free_cat;
    atomic_fetch_add(&mismatches, 1);
}

static const void *checked_ptr;

static void *
checked_thread(void *arg)
{
    void *ok, *bad, *grown;

    zmalloc_category_set(cat_a);
    ok = zmalloc(40);
    bad = zmalloc(50);
    grown = zmalloc(60);
    zfree(ok); /* same category: fine */
    zmalloc_category_set(cat_b);
    checked_ptr = bad;
    zfree(bad); /* allocated in A, freed in B */
    zmalloc_category_set(cat_a);
    grown = zrealloc(grown, 6000); /* same category: fine */
    zfree(grown);
    zmalloc_category_set(0);
    return NULL;
}

static void
test_checker(void **state)
{
    pthread_t th;

    zmalloc_set_category_mismatch_handler(on_mismatch);
    zmalloc_category_check(1);
    assert_int_equal(pthread_create(&th, NULL, checked_thread, NULL), 0);
    pthread_join(th, NULL);
    zmalloc_category_check(0);
    zmalloc_set_category_mismatch_handler(NULL);
    assert_int_equal(atomic_load(&mismatches), 1);
    assert_ptr_equal(mismatch_ptr, checked_ptr);
    assert_int_equal(mismatch_alloc, cat_a);
    assert_int_equal(mismatch_free, cat_b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register), cmocka_unit_test(test_sum_exact),
        cmocka_unit_test(test_handoff),  cmocka_unit_test(test_many_threads),
        cmocka_unit_test(test_checker),  cmocka_unit_test(test_move),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
