/* test_dict.c — the keyspace hash table: insert/find/remove through resizes, incremental
 * rehashing, the SCAN guarantee (every element present for the whole scan is returned, even
 * while the table grows or shrinks), sampling, and memory back to baseline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dict.h"
#include "zmalloc.h"

struct item {
    struct dict_node node;
    int visits;
    size_t len;
    char key[24];
};

static const char *
item_key(const struct dict_node *n, size_t *len)
{
    const struct item *it = (const struct item *)n;
    *len = it->len;
    return it->key;
}

static struct item *
items_new(size_t n)
{
    struct item *v = zcalloc_n(n, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i].len = (size_t)snprintf(v[i].key, sizeof(v[i].key), "key:%06zu", i);
    return v;
}

static uint64_t
hash_of(const struct item *it)
{
    return dict_hash(it->key, it->len);
}

static void
test_insert_find_remove(void **state)
{
    size_t base = zmalloc_used_memory();
    struct dict d;
    dict_init(&d, item_key);
    struct item *v = items_new(10000);
    for (size_t i = 0; i < 10000; i++) {
        assert_null(dict_find(&d, v[i].key, v[i].len, hash_of(&v[i])));
        dict_insert(&d, &v[i].node, hash_of(&v[i]));
    }
    assert_int_equal(dict_size(&d), 10000);
    for (size_t i = 0; i < 10000; i++)
        assert_ptr_equal(dict_find(&d, v[i].key, v[i].len, hash_of(&v[i])), &v[i].node);
    assert_null(dict_find(&d, "nokey", 5, dict_hash("nokey", 5)));
    /* Remove the even ones; the odd ones stay findable through any shrink. */
    for (size_t i = 0; i < 10000; i += 2)
        assert_ptr_equal(dict_remove(&d, v[i].key, v[i].len, hash_of(&v[i])), &v[i].node);
    assert_int_equal(dict_size(&d), 5000);
    for (size_t i = 0; i < 10000; i++) {
        struct dict_node *n = dict_find(&d, v[i].key, v[i].len, hash_of(&v[i]));
        if (i % 2)
            assert_ptr_equal(n, &v[i].node);
        else
            assert_null(n);
    }
    for (size_t i = 1; i < 10000; i += 2)
        assert_non_null(dict_remove(&d, v[i].key, v[i].len, hash_of(&v[i])));
    assert_int_equal(dict_size(&d), 0);
    /* An emptied dict holds no table at all. */
    assert_int_equal(dict_table_memory(&d), 0);
    zfree(v);
    assert_int_equal(zmalloc_used_memory(), base);
}

static void
test_rehash_is_incremental(void **state)
{
    struct dict d;
    dict_init(&d, item_key);
    struct item *v = items_new(4096);
    int saw_rehash = 0;
    for (size_t i = 0; i < 4096; i++) {
        dict_insert(&d, &v[i].node, hash_of(&v[i]));
        saw_rehash |= dict_is_rehashing(&d);
        /* Everything inserted so far is findable mid-rehash. */
        if (i % 97 == 0)
            for (size_t j = 0; j <= i; j += 13)
                assert_non_null(dict_find(&d, v[j].key, v[j].len, hash_of(&v[j])));
    }
    assert_true(saw_rehash);
    while (dict_rehash(&d, 100))
        ;
    assert_false(dict_is_rehashing(&d));
    /* Load factor 1: 4096 keys in 4096 or 8192 buckets. */
    assert_true(dict_buckets(&d) >= 4096 && dict_buckets(&d) <= 8192);
    assert_int_equal(dict_table_memory(&d), zmalloc_size_for(dict_buckets(&d) * sizeof(void *)));
    dict_clear(&d, NULL, NULL);
    zfree(v);
}

static void
mark(struct dict_node *n, void *ctx)
{
    ((struct item *)n)->visits++;
}

/* Scan while the table grows from 16 to thousands of elements, then while it shrinks: the
 * elements present the whole time must all be visited. */
static void
scan_under_resize(int grow)
{
    enum { STABLE = 200, CHURN = 6000 };
    struct dict d;
    dict_init(&d, item_key);
    struct item *stable = items_new(STABLE);
    struct item *churn = items_new(CHURN);
    for (size_t i = 0; i < CHURN; i++)
        churn[i].key[0] = 'c'; /* distinct from the stable keys */
    for (size_t i = 0; i < STABLE; i++)
        dict_insert(&d, &stable[i].node, hash_of(&stable[i]));
    if (!grow)
        for (size_t i = 0; i < CHURN; i++)
            dict_insert(&d, &churn[i].node, hash_of(&churn[i]));
    unsigned long long cursor = 0;
    size_t next = 0, calls = 0;
    do {
        cursor = dict_scan(&d, cursor, mark, NULL);
        calls++;
        for (int k = 0; k < 40 && next < CHURN; k++, next++) {
            if (grow)
                dict_insert(&d, &churn[next].node, hash_of(&churn[next]));
            else
                dict_remove(&d, churn[next].key, churn[next].len, hash_of(&churn[next]));
        }
    } while (cursor != 0);
    for (size_t i = 0; i < STABLE; i++)
        assert_true(stable[i].visits >= 1);
    assert_true(calls > 1);
    dict_clear(&d, NULL, NULL);
    zfree(stable);
    zfree(churn);
}

static void
test_scan_while_growing(void **state)
{
    scan_under_resize(1);
}

static void
test_scan_while_shrinking(void **state)
{
    scan_under_resize(0);
}

static void
test_scan_visits_each_once_when_stable(void **state)
{
    struct dict d;
    dict_init(&d, item_key);
    struct item *v = items_new(1000);
    for (size_t i = 0; i < 1000; i++)
        dict_insert(&d, &v[i].node, hash_of(&v[i]));
    while (dict_rehash(&d, 100))
        ;
    unsigned long long cursor = 0;
    do {
        cursor = dict_scan(&d, cursor, mark, NULL);
    } while (cursor != 0);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(v[i].visits, 1);
    dict_clear(&d, NULL, NULL);
    zfree(v);
}

static void
test_random_and_sample(void **state)
{
    struct dict d;
    dict_init(&d, item_key);
    assert_null(dict_random(&d));
    struct dict_node *out[16];
    assert_int_equal(dict_sample(&d, out, 16), 0);
    struct item *v = items_new(500);
    for (size_t i = 0; i < 500; i++)
        dict_insert(&d, &v[i].node, hash_of(&v[i]));
    for (int i = 0; i < 2000; i++) {
        struct item *it = (struct item *)dict_random(&d);
        assert_true(it >= v && it < v + 500);
        it->visits++;
    }
    /* 2000 draws over 500 keys: a fair-ish draw reaches most of them. */
    size_t hit = 0;
    for (size_t i = 0; i < 500; i++)
        hit += v[i].visits > 0;
    assert_true(hit > 350);
    size_t n = dict_sample(&d, out, 16);
    assert_true(n >= 1 && n <= 16);
    for (size_t i = 0; i < n; i++)
        assert_true((struct item *)out[i] >= v && (struct item *)out[i] < v + 500);
    dict_clear(&d, NULL, NULL);
    zfree(v);
}

static void
test_replace_in_place(void **state)
{
    struct dict d;
    dict_init(&d, item_key);
    struct item *v = items_new(3), *w = items_new(1);
    for (size_t i = 0; i < 3; i++)
        dict_insert(&d, &v[i].node, hash_of(&v[i]));
    struct dict_pos pos;
    memcpy(w[0].key, v[1].key, sizeof(w[0].key));
    w[0].len = v[1].len;
    assert_true(dict_lookup(&d, v[1].key, v[1].len, hash_of(&v[1]), &pos));
    dict_pos_replace(&pos, &w[0].node);
    assert_ptr_equal(dict_find(&d, v[1].key, v[1].len, hash_of(&v[1])), &w[0].node);
    assert_int_equal(dict_size(&d), 3);
    dict_clear(&d, NULL, NULL);
    zfree(v);
    zfree(w);
}

static void
test_hash_is_seeded(void **state)
{
    uint64_t a = dict_hash("hello", 5);
    uint8_t seed[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    dict_seed(seed);
    uint64_t b = dict_hash("hello", 5);
    assert_true(a != b);
    assert_int_equal(b, dict_hash("hello", 5));
    assert_true(dict_hash("hello", 5) != dict_hash("hellp", 5));
    assert_true(dict_hash("", 0) != dict_hash("a", 1));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_find_remove),
        cmocka_unit_test(test_rehash_is_incremental),
        cmocka_unit_test(test_scan_while_growing),
        cmocka_unit_test(test_scan_while_shrinking),
        cmocka_unit_test(test_scan_visits_each_once_when_stable),
        cmocka_unit_test(test_random_and_sample),
        cmocka_unit_test(test_replace_in_place),
        cmocka_unit_test(test_hash_is_seeded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
