/* test_copy.c — val_copy(), the deep copy behind COPY: for every type and encoding (int,
 * embstr, raw; hash listpack and hashtable; list listpack and quicklist; set intset, listpack
 * and hashtable; zset listpack and skiplist) the copy has the same encoding and contents, is a
 * separate object (changing one leaves the other), and freeing both brings used memory back
 * to where it was before the original was made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "object.h"
#include "objhash.h"
#include "objlist.h"
#include "objset.h"
#include "objzset.h"
#include "zmalloc.h"

/* The copy of e as an entry of its own, key "copy". */
static struct kv *
copy_of(const struct kv *e)
{
    struct val v;
    assert_int_equal(val_copy(e, &v), 0);
    assert_int_equal(v.enc, e->enc);
    if (v.ptr != NULL)
        assert_ptr_not_equal(v.ptr, kv_ptr(e));
    struct kv *c = kv_build("copy", 4, &v, -1);
    assert_non_null(c);
    return c;
}

/* ---- Strings ---- */

static void
check_string(const char *s)
{
    size_t base = zmalloc_used_memory();
    struct val v;
    assert_int_equal(str_val(s, strlen(s), &v), 0);
    struct kv *e = kv_build("k", 1, &v, 12345);
    struct kv *c = copy_of(e);
    char b1[24], b2[24];
    size_t l1, l2;
    const char *s1 = kv_str(e, &l1, b1), *s2 = kv_str(c, &l2, b2);
    assert_int_equal(l1, l2);
    assert_memory_equal(s1, s2, l1);
    assert_string_equal(kv_enc_name(c), kv_enc_name(e));
    kv_free(e);
    /* The copy outlives its source. */
    s2 = kv_str(c, &l2, b2);
    assert_int_equal(l2, strlen(s));
    assert_memory_equal(s2, s, l2);
    kv_free(c);
    assert_int_equal(zmalloc_used_memory(), base);
}

static void
test_strings(void **state)
{
    check_string("12345");
    check_string("-9223372036854775808");
    check_string("short string");
    char big[300];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    check_string(big);
}

/* ---- Hashes ---- */

struct hsum {
    const struct kv *other;
    size_t n;
};

/* Every field of one hash is in the other with the same value. */
static void
hash_same(void *arg, const char *f, size_t fl, const char *v, size_t vl)
{
    struct hsum *h = arg;
    const char *ov;
    size_t ovl;
    assert_int_equal(hash_get(h->other, f, fl, &ov, &ovl), 1);
    assert_int_equal(ovl, vl);
    assert_memory_equal(ov, v, vl);
    h->n++;
}

static void
check_hash(size_t fields, const char *enc)
{
    size_t base = zmalloc_used_memory();
    struct val v;
    hash_new_val(&v);
    struct kv *e = kv_build("h", 1, &v, -1);
    for (size_t i = 0; i < fields; i++) {
        char f[32], val[32];
        snprintf(f, sizeof(f), "field:%zu", i);
        snprintf(val, sizeof(val), "value:%zu", i * 7);
        assert_int_equal(hash_set(e, f, strlen(f), val, strlen(val)), 1);
    }
    assert_string_equal(kv_enc_name(e), enc);
    struct kv *c = copy_of(e);
    assert_string_equal(kv_enc_name(c), enc);
    assert_int_equal(hash_len(c), fields);
    struct hsum h = {c, 0};
    hash_foreach(e, hash_same, &h);
    assert_int_equal(h.n, fields);
    /* Independent: a change to the copy does not show in the source. */
    assert_int_equal(hash_set(c, "new", 3, "x", 1), 1);
    assert_int_equal(hash_del(c, "field:0", 7), fields > 0);
    assert_int_equal(hash_len(e), fields);
    const char *ov;
    size_t ovl;
    assert_int_equal(hash_get(e, "field:0", 7, &ov, &ovl), fields > 0);
    assert_int_equal(hash_get(e, "new", 3, &ov, &ovl), 0);
    kv_free(e);
    kv_free(c);
    assert_int_equal(zmalloc_used_memory(), base);
}

static void
test_hashes(void **state)
{
    check_hash(0, "listpack");
    check_hash(10, "listpack");
    check_hash(1000, "hashtable");
}

/* ---- Lists ---- */

struct lcollect {
    char **v;
    size_t n;
};

static void
list_collect(void *arg, const char *s, size_t len)
{
    struct lcollect *l = arg;
    l->v[l->n] = strndup(s, len);
    l->n++;
}

static void
check_list(size_t n, size_t elem_len, const char *enc)
{
    size_t base = zmalloc_used_memory();
    struct val v;
    list_new_val(&v);
    struct kv *e = kv_build("l", 1, &v, -1);
    char *buf = malloc(elem_len + 32);
    for (size_t i = 0; i < n; i++) {
        memset(buf, 'a' + (int)(i % 26), elem_len);
        int len = snprintf(buf + elem_len, 32, "%zu", i);
        assert_int_equal(list_push(e, i % 2 ? LIST_HEAD : LIST_TAIL, buf, elem_len + (size_t)len),
                         0);
    }
    free(buf);
    assert_string_equal(kv_enc_name(e), enc);
    struct kv *c = copy_of(e);
    assert_string_equal(kv_enc_name(c), enc);
    assert_int_equal(list_len(c), n);
    struct lcollect a = {calloc(n + 1, sizeof(char *)), 0}, b = {calloc(n + 1, sizeof(char *)), 0};
    list_range(e, 0, n, list_collect, &a);
    list_range(c, 0, n, list_collect, &b);
    assert_int_equal(a.n, n);
    assert_int_equal(b.n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(a.v[i], b.v[i]);
        free(a.v[i]);
        free(b.v[i]);
    }
    free(a.v);
    free(b.v);
    assert_int_equal(list_push(c, LIST_TAIL, "extra", 5), 0);
    assert_int_equal(list_len(e), n);
    kv_free(e);
    kv_free(c);
    assert_int_equal(zmalloc_used_memory(), base);
}

static void
test_lists(void **state)
{
    check_list(0, 1, "listpack");
    check_list(20, 5, "listpack");
    check_list(5000, 10, "quicklist");
    check_list(6, 10000, "quicklist"); /* one oversized element per node */
}

/* ---- Sets ---- */

static void
set_same(void *arg, const char *m, size_t ml)
{
    struct hsum *h = arg;
    assert_true(set_has(h->other, m, ml));
    h->n++;
}

static void
check_set(size_t n, const char *prefix, const char *enc)
{
    size_t base = zmalloc_used_memory();
    char m[64];
    snprintf(m, sizeof(m), "%s0", prefix);
    struct val v;
    set_new_val(&v, m, strlen(m), n);
    struct kv *e = kv_build("s", 1, &v, -1);
    for (size_t i = 0; i < n; i++) {
        snprintf(m, sizeof(m), "%s%zu", prefix, i * 3);
        assert_int_equal(set_add(e, m, strlen(m)), 1);
    }
    assert_string_equal(kv_enc_name(e), enc);
    struct kv *c = copy_of(e);
    assert_string_equal(kv_enc_name(c), enc);
    assert_int_equal(set_len(c), n);
    struct hsum h = {c, 0};
    set_foreach(e, set_same, &h);
    assert_int_equal(h.n, n);
    assert_int_equal(set_add(c, "not-a-member", 12), 1);
    assert_false(set_has(e, "not-a-member", 12));
    kv_free(e);
    kv_free(c);
    assert_int_equal(zmalloc_used_memory(), base);
}

static void
test_sets(void **state)
{
    check_set(10, "", "intset");
    check_set(10, "-100000000000", "intset"); /* 8-byte integers */
    check_set(10, "m", "listpack");
    check_set(2000, "m", "hashtable");
}

/* ---- Sorted sets ---- */

static void
check_zset(size_t n, const char *enc)
{
    size_t base = zmalloc_used_memory();
    struct val v;
    zset_new_val(&v);
    struct kv *e = kv_build("z", 1, &v, -1);
    for (size_t i = 0; i < n; i++) {
        char m[32];
        snprintf(m, sizeof(m), "member:%zu", i);
        int out;
        double ns;
        double score = (double)(i % 17) * 1.5 - 3;
        assert_int_equal(zset_add(e, score, m, strlen(m), 0, &out, &ns), 0);
        assert_int_equal(out, ZADD_OUT_ADDED);
    }
    assert_string_equal(kv_enc_name(e), enc);
    struct kv *c = copy_of(e);
    assert_string_equal(kv_enc_name(c), enc);
    assert_int_equal(zset_len(c), n);
    /* Same elements in the same order, and ranks work in the copy's skiplist. */
    struct zset_iter a, b;
    struct zelem x, y;
    zset_iter_init(&a, e, 0, 0);
    zset_iter_init(&b, c, 0, 0);
    size_t rank = 0;
    while (zset_iter_next(&a, &x)) {
        assert_int_equal(zset_iter_next(&b, &y), 1);
        assert_int_equal(x.ml, y.ml);
        assert_memory_equal(x.m, y.m, x.ml);
        assert_true(x.score == y.score);
        assert_int_equal(zset_rank(c, y.m, y.ml, 0), (long long)rank);
        rank++;
    }
    assert_int_equal(zset_iter_next(&b, &y), 0);
    assert_int_equal(rank, n);
    if (n > 0) {
        assert_int_equal(zset_del(c, "member:0", 8), 1);
        double s;
        assert_int_equal(zset_score(e, "member:0", 8, &s), 1);
    }
    kv_free(e);
    kv_free(c);
    assert_int_equal(zmalloc_used_memory(), base);
}

static void
test_zsets(void **state)
{
    check_zset(0, "listpack");
    check_zset(50, "listpack");
    check_zset(3000, "skiplist");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings), cmocka_unit_test(test_hashes), cmocka_unit_test(test_lists),
        cmocka_unit_test(test_sets),    cmocka_unit_test(test_zsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
