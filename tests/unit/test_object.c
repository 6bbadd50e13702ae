/* test_object.c — key entries and values: per-key and per-element sizes (printed, in the
 * spirit of memcached's sizes.c, and asserted), encoding choices and conversions, the packed
 * buffer, and used memory back to its baseline after sync and lazy frees through db + lazyfree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "db.h"
#include "fixture_db.h"
#include "lazyfree.h"
#include "object.h"
#include "objhash.h"
#include "objlist.h"
#include "pack.h"
#include "util.h"
#include "zmalloc.h"

/* ---- Sizes ---- */

static void
test_sizes(void **state)
{
    struct val v;
    char key[16];
    snprintf(key, sizeof(key), "key:%06d", 42);

    assert_int_equal(sizeof(struct kv), 16);
    assert_int_equal(sizeof(struct hfield), 16);

    /* The headline load: "key:NNNNNN" with a 16-byte value is one 46-byte block. */
    assert_int_equal(str_val("abcdefghijklmnop", 16, &v), 0);
    assert_int_equal(v.enc, ENC_EMBSTR);
    size_t need = kv_needed(10, &v, 0);
    assert_int_equal(need, 46);
    struct kv *e = kv_build(key, 10, &v, -1);
    printf("key:NNNNNN + 16-byte value      : %zu bytes asked, %zu allocated\n", need,
           zmalloc_size(e));
    /* 48 under jemalloc and tcmalloc; glibc's chunk arithmetic otherwise. */
    assert_int_equal(zmalloc_size(e),
                     strcmp(zmalloc_allocator_name(), "libc") == 0 ? zmalloc_size_for(need) : 48);
    assert_int_equal(kv_memory(e, 0), zmalloc_size(e));
    kv_free(e);

    /* With a TTL the entry grows by 12 bytes (expiry + expires index). */
    printf("  ... with a TTL                : %zu bytes asked\n", kv_needed(10, &v, 1));
    assert_int_equal(kv_needed(10, &v, 1), 58);

    /* An integer value takes 8 bytes in the entry. */
    assert_int_equal(str_val("123456", 6, &v), 0);
    assert_int_equal(v.enc, ENC_INT);
    printf("key:NNNNNN + integer            : %zu bytes asked\n", kv_needed(10, &v, 0));
    assert_int_equal(kv_needed(10, &v, 0), 34);

    /* Raw strings: entry + separate buffer with an 8-byte length header. */
    char big[100];
    memset(big, 'x', sizeof(big));
    assert_int_equal(str_val(big, 100, &v), 0);
    assert_int_equal(v.enc, ENC_RAW);
    e = kv_build(key, 10, &v, -1);
    printf("key:NNNNNN + 100-byte value     : %zu allocated (entry %zu + buffer %zu)\n",
           kv_memory(e, 0), zmalloc_size(e), zmalloc_size(kv_ptr(e)));
    assert_int_equal(kv_memory(e, 0), zmalloc_size(e) + zmalloc_size(kv_ptr(e)));
    assert_int_equal(zmalloc_size(kv_ptr(e)), zmalloc_size_for(8 + 100));
    kv_free(e);

    /* Packed elements: 2 bytes of framing under 128 bytes, 4 under 16 KiB. */
    assert_int_equal(pack_elem_size(3), 5);
    assert_int_equal(pack_elem_size(127), 129);
    assert_int_equal(pack_elem_size(128), 132);
    printf("pack element of 3 bytes         : %zu bytes\n", pack_elem_size(3));
    printf("hash field block (4+4 bytes)    : %zu bytes asked\n", sizeof(struct hfield) + 8);
}

/* ---- Strings ---- */

static void
test_string_encodings(void **state)
{
    struct val v;
    assert_int_equal(str_val("0", 1, &v), 0);
    assert_int_equal(v.enc, ENC_INT);
    assert_int_equal(str_val("-9223372036854775808", 20, &v), 0);
    assert_int_equal(v.enc, ENC_INT);
    assert_true(v.i == (-9223372036854775807LL - 1));
    assert_int_equal(str_val("01", 2, &v), 0); /* not canonical */
    assert_int_equal(v.enc, ENC_EMBSTR);
    assert_int_equal(str_val("12345678901234567890", 20, &v), 0); /* overflows */
    assert_int_equal(v.enc, ENC_EMBSTR);
    char s44[45], s45[46];
    memset(s44, 'a', sizeof(s44));
    memset(s45, 'a', sizeof(s45));
    assert_int_equal(str_val(s44, 44, &v), 0);
    assert_int_equal(v.enc, ENC_EMBSTR);
    assert_int_equal(str_val(s45, 45, &v), 0);
    assert_int_equal(v.enc, ENC_RAW);
    val_free(v.enc, v.ptr);

    char ibuf[24];
    size_t len;
    assert_int_equal(str_val("-42", 3, &v), 0);
    struct kv *e = kv_build("k", 1, &v, -1);
    const char *s = kv_str(e, &len, ibuf);
    assert_int_equal(len, 3);
    assert_memory_equal(s, "-42", 3);
    assert_string_equal(kv_enc_name(e), "int");
    assert_string_equal(kv_type_name(e), "string");
    kv_free(e);

    char out[LDBL_STR_MAX];
    long double a, b;
    assert_int_equal(str_to_ldouble("10.5", 4, &a), 0);
    assert_int_equal(str_to_ldouble("0.1", 3, &b), 0);
    ldouble_to_str(out, sizeof(out), a + b);
    assert_string_equal(out, "10.6");
    ldouble_to_str(out, sizeof(out), 3.0L);
    assert_string_equal(out, "3");
    assert_int_equal(str_to_ldouble(" 1", 2, &a), -1);
    assert_int_equal(str_to_ldouble("nan", 3, &a), -1);
    assert_int_equal(str_to_ldouble("1x", 2, &a), -1);
}

/* ---- Packed buffer ---- */

static void
test_pack_both_directions(void **state)
{
    struct pack *p = pack_new();
    char big[20000];
    memset(big, 'b', sizeof(big));
    size_t lens[] = {0, 1, 127, 128, 300, 16383, 16384, 20000};
    size_t n = sizeof(lens) / sizeof(lens[0]);
    for (size_t i = 0; i < n; i++)
        p = pack_insert(p, p->bytes, big, lens[i]);
    assert_int_equal(p->count, n);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        pack_get(p, off, &len);
        assert_int_equal(len, lens[i]);
        off = pack_next(p, off);
    }
    assert_int_equal(off, p->bytes);
    long back = pack_last(p);
    for (size_t i = n; i-- > 0;) {
        size_t len;
        pack_get(p, (size_t)back, &len);
        assert_int_equal(len, lens[i]);
        back = pack_prev(p, (size_t)back);
    }
    assert_int_equal(back, -1);
    size_t len;
    pack_get(p, (size_t)pack_seek(p, -2), &len);
    assert_int_equal(len, 16384);
    assert_int_equal(pack_seek(p, 8), -1);
    assert_int_equal(pack_seek(p, -9), -1);
    p = pack_replace(p, (size_t)pack_seek(p, 0), "xyz", 3);
    assert_memory_equal(pack_get(p, 0, &len), "xyz", 3);
    p = pack_remove(p, 0, n);
    assert_int_equal(p->count, 0);
    assert_int_equal(p->bytes, 0);
    zfree(p);
}

/* ---- Hashes and lists ---- */

static void
test_hash_conversion(void **state)
{
    struct val v;
    hash_new_val(&v);
    struct kv *h = kv_build("h", 1, &v, -1);
    char f[16];
    for (int i = 0; i < 128; i++) {
        int n = snprintf(f, sizeof(f), "f%d", i);
        assert_int_equal(hash_set(h, f, (size_t)n, "v", 1), 1);
    }
    assert_string_equal(kv_enc_name(h), "listpack");
    size_t packed = kv_memory(h, 0);
    assert_int_equal(hash_set(h, "f0", 2, "w", 1), 0); /* update, still packed */
    assert_string_equal(kv_enc_name(h), "listpack");
    assert_int_equal(hash_set(h, "f128", 4, "v", 1), 1); /* the 129th field converts */
    assert_string_equal(kv_enc_name(h), "hashtable");
    assert_int_equal(hash_len(h), 129);
    const char *val;
    size_t vl;
    assert_int_equal(hash_get(h, "f0", 2, &val, &vl), 1);
    assert_memory_equal(val, "w", 1);
    printf("hash of 128 short fields        : %zu bytes packed, %zu as a table (129)\n", packed,
           kv_memory(h, 0));
    assert_true(kv_memory(h, 0) > 2 * packed);
    assert_int_equal(hash_del(h, "f0", 2), 1);
    assert_int_equal(hash_del(h, "f0", 2), 0);
    assert_int_equal(hash_len(h), 128);
    kv_free(h);

    /* A value over 64 bytes converts at once. */
    hash_new_val(&v);
    h = kv_build("h", 1, &v, -1);
    char big[65];
    memset(big, 'x', sizeof(big));
    assert_int_equal(hash_set(h, "a", 1, big, 64), 1);
    assert_string_equal(kv_enc_name(h), "listpack");
    assert_int_equal(hash_set(h, "b", 1, big, 65), 1);
    assert_string_equal(kv_enc_name(h), "hashtable");
    kv_free(h);
}

struct collect {
    char buf[64][16];
    int n;
};

static void
collect(void *ctx, const char *s, size_t len)
{
    struct collect *c = ctx;
    memcpy(c->buf[c->n], s, len < 15 ? len : 15);
    c->buf[c->n][len < 15 ? len : 15] = '\0';
    c->n++;
}

static void
test_list_quicklist(void **state)
{
    struct val v;
    list_new_val(&v);
    struct kv *l = kv_build("l", 1, &v, -1);
    char el[200];
    /* 100-byte elements: 8 KiB holds 80 of them per pack. */
    for (int i = 0; i < 1000; i++) {
        memset(el, 'a', 100);
        int n = snprintf(el, sizeof(el), "%d", i);
        el[n] = '-';
        assert_int_equal(list_push(l, LIST_TAIL, el, 100), 0);
    }
    assert_string_equal(kv_enc_name(l), "quicklist");
    assert_int_equal(list_len(l), 1000);
    const struct qlist *q = kv_ptr(l);
    assert_true(q->nodes >= 12 && q->nodes <= 14);
    const char *s;
    size_t len;
    assert_int_equal(list_index(l, 500, &s, &len), 1);
    assert_memory_equal(s, "500-", 4);
    assert_int_equal(list_index(l, -1, &s, &len), 1);
    assert_memory_equal(s, "999-", 4);
    assert_int_equal(list_index(l, 1000, &s, &len), 0);
    struct collect c = {.n = 0};
    list_range(l, 495, 10, collect, &c);
    assert_int_equal(c.n, 10);
    assert_memory_equal(c.buf[0], "495-", 4);
    assert_memory_equal(c.buf[9], "504-", 4);
    /* Pop down to a few elements: back to a single pack. */
    for (int i = 0; i < 990; i++) {
        c.n = 0;
        assert_int_equal(list_pop(l, i % 2 ? LIST_HEAD : LIST_TAIL, collect, &c), 0);
    }
    assert_int_equal(list_len(l), 10);
    assert_string_equal(kv_enc_name(l), "listpack");
    kv_free(l);
}

/* ---- db + lazyfree: used memory back to the baseline ---- */

static void
fill(struct db *db, int nkeys, int hashes)
{
    char key[32], field[32];
    struct val v;
    for (int i = 0; i < nkeys; i++) {
        int kl = snprintf(key, sizeof(key), "key:%06d", i);
        assert_int_equal(str_val("value-of-sixteen", 16, &v), 0);
        assert_non_null(db_add(db, key, (size_t)kl, &v, i % 3 ? -1 : db_now_ms() + 100000));
    }
    for (int i = 0; i < hashes; i++) {
        int kl = snprintf(key, sizeof(key), "hash:%d", i);
        hash_new_val(&v);
        struct kv *h = db_add(db, key, (size_t)kl, &v, -1);
        for (int f = 0; f < 500; f++) {
            int fl = snprintf(field, sizeof(field), "field:%d", f);
            assert_true(hash_set(h, field, (size_t)fl, "v", 1) >= 0);
        }
    }
}

static void
test_baseline_after_sync_and_lazy_frees(void **state)
{
    struct db *db = db_get(0);
    size_t base = zmalloc_used_memory();

    fill(db, 20000, 10);
    assert_int_equal(db_size(db), 20010);
    assert_true(db_expires_size(db) > 6000);
    assert_true(db_overhead_main(db) > 20010 * sizeof(struct kv));
    /* Delete a big hash lazily and a few keys synchronously, then flush asynchronously. */
    uint64_t freed_before = lazyfreed_objects();
    assert_int_equal(db_delete(db, "hash:0", 6, FREE_LAZY), 1);
    assert_int_equal(db_delete(db, "key:000001", 10, FREE_SYNC), 1);
    assert_int_equal(db_delete(db, "key:000001", 10, FREE_SYNC), 0);
    wait_lazyfree();
    assert_int_equal(lazyfreed_objects(), freed_before + 1);
    db_flush(db, 1);
    assert_int_equal(db_size(db), 0);
    wait_lazyfree();
    assert_int_equal(zmalloc_used_memory(), base);

    /* And once more, synchronously, with expiry changes on the way. */
    fill(db, 5000, 3);
    struct kv *e = db_lookup_write(db, "key:000002", 10);
    assert_non_null(e);
    assert_int_equal(db_set_expire(db, &e, db_now_ms() + 5000), 0);
    assert_true(kv_expire(e) > 0);
    assert_int_equal(db_set_expire(db, &e, -1), 0);
    assert_int_equal(kv_expire(e), -1);
    db_flush(db, 0);
    assert_int_equal(zmalloc_used_memory(), base);
    assert_int_equal(db_overhead_main(db), 0);
    assert_int_equal(db_overhead_expires(db), 0);
}

static void
test_lazy_expiry_and_set_overwrite(void **state)
{
    struct db *db = db_get(1);
    size_t base = zmalloc_used_memory();
    struct val v;
    assert_int_equal(str_val("v1", 2, &v), 0);
    assert_non_null(db_add(db, "gone", 4, &v, db_now_ms() - 1));
    uint64_t expired = keyspace_stats()->expired_keys;
    assert_null(db_lookup_read(db, "gone", 4));
    assert_int_equal(keyspace_stats()->expired_keys, expired + 1);
    assert_int_equal(db_size(db), 0);

    /* SET over a key: KEEPTTL keeps the expiry, a plain SET drops it. */
    int64_t when = db_now_ms() + 60000;
    assert_int_equal(db_set(db, "k", 1, &v, when, 0), 0);
    assert_int_equal(db_expires_size(db), 1);
    assert_int_equal(str_val("a-longer-value", 14, &v), 0);
    assert_int_equal(db_set(db, "k", 1, &v, -1, SET_KEEPTTL), 0);
    assert_int_equal(kv_expire(db_peek(db, "k", 1)), when);
    assert_int_equal(db_set(db, "k", 1, &v, -1, 0), 0);
    assert_int_equal(kv_expire(db_peek(db, "k", 1)), -1);
    assert_int_equal(db_expires_size(db), 0);
    assert_int_equal(db_delete(db, "k", 1, FREE_SYNC), 1);

    /* Volatile to plain in the same size class (10-byte value + TTL = 22-byte value): the
     * entry is rewritten in place and must come out intact. */
    assert_int_equal(str_val("0123456789", 10, &v), 0);
    assert_int_equal(db_set(db, "k", 1, &v, db_now_ms() + 60000, 0), 0);
    assert_int_equal(str_val("abcdefghijklmnopqrstuv", 22, &v), 0);
    assert_int_equal(db_set(db, "k", 1, &v, -1, 0), 0);
    char ibuf[24];
    size_t len;
    const char *s = kv_str(db_peek(db, "k", 1), &len, ibuf);
    assert_int_equal(len, 22);
    assert_memory_equal(s, "abcdefghijklmnopqrstuv", 22);
    assert_int_equal(db_expires_size(db), 0);
    assert_int_equal(db_delete(db, "k", 1, FREE_SYNC), 1);
    assert_int_equal(zmalloc_used_memory(), base);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_string_encodings),
        cmocka_unit_test(test_pack_both_directions),
        cmocka_unit_test(test_hash_conversion),
        cmocka_unit_test(test_list_quicklist),
    };
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test(test_baseline_after_sync_and_lazy_frees),
        cmocka_unit_test(test_lazy_expiry_and_set_overwrite),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("db", db_tests, db_group_setup, db_group_teardown);
    return failed;
}
