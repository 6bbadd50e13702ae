/* test_objset.c — set and sorted set values: encodings and their conversions (intset widths,
 * listpack, hashtable, skiplist), packed score round trips, the skiplist's order and ranks
 * against a sorted-array model under random changes, random members, per-member sizes
 * (printed), and used memory back to its baseline after sync and lazy frees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "db.h"
#include "fixture_db.h"
#include "lazyfree.h"
#include "object.h"
#include "objset.h"
#include "objzset.h"
#include "zmalloc.h"

static struct kv *
new_set(const char *first, size_t hint)
{
    struct val v;
    set_new_val(&v, first, strlen(first), hint);
    return kv_build("s", 1, &v, -1);
}

static int
add(struct kv *s, const char *m)
{
    return set_add(s, m, strlen(m));
}

/* ---- Sets ---- */

static void
test_intset(void **state)
{
    size_t base = zmalloc_used_memory();
    struct kv *s = new_set("1", 1);
    assert_string_equal(kv_enc_name(s), "intset");
    assert_string_equal(kv_type_name(s), "set");
    assert_int_equal(add(s, "1"), 1);
    assert_int_equal(add(s, "5"), 1);
    assert_int_equal(add(s, "-3"), 1);
    assert_int_equal(add(s, "5"), 0);
    assert_int_equal(zmalloc_size(kv_ptr(s)), zmalloc_size_for(8 + 3 * 2));
    /* Widening to 4 then 8 bytes puts the new value at an end and keeps the rest. */
    assert_int_equal(add(s, "100000"), 1);
    assert_int_equal(add(s, "-9223372036854775808"), 1);
    assert_string_equal(kv_enc_name(s), "intset");
    const char *want[] = {"-9223372036854775808", "-3", "1", "5", "100000"};
    for (size_t i = 0; i < 5; i++)
        assert_true(set_has(s, want[i], strlen(want[i])));
    assert_false(set_has(s, "2", 1));
    assert_false(set_has(s, "01", 2)); /* not canonical: a string, so never in an intset */
    assert_int_equal(set_len(s), 5);
    assert_int_equal(set_del(s, "-3", 2), 1);
    assert_int_equal(set_del(s, "-3", 2), 0);
    assert_int_equal(set_del(s, "abc", 3), 0);
    assert_int_equal(set_len(s), 4);
    /* Up to 512 integers stay an intset; the 513th makes a table. */
    char buf[32];
    for (int i = 0; set_len(s) < SET_INT_ENTRIES; i++) {
        snprintf(buf, sizeof(buf), "%d", 1000 + i);
        assert_int_equal(add(s, buf), 1);
    }
    assert_string_equal(kv_enc_name(s), "intset");
    assert_int_equal(add(s, "77777"), 1);
    assert_string_equal(kv_enc_name(s), "hashtable");
    assert_true(set_has(s, "-9223372036854775808", 20));
    assert_true(set_has(s, "1000", 4));
    kv_free(s);
    assert_int_equal(zmalloc_used_memory(), base);
}

static void
test_set_pack_and_table(void **state)
{
    size_t base = zmalloc_used_memory();
    /* An integer set meeting a string becomes a listpack while small. */
    struct kv *s = new_set("1", 2);
    assert_int_equal(add(s, "1"), 1);
    assert_int_equal(add(s, "2"), 1);
    assert_int_equal(add(s, "a"), 1);
    assert_string_equal(kv_enc_name(s), "listpack");
    assert_true(set_has(s, "2", 1));
    assert_true(set_has(s, "a", 1));
    char buf[32];
    while (set_len(s) < SET_PACK_ENTRIES) {
        snprintf(buf, sizeof(buf), "m%zu", set_len(s));
        assert_int_equal(add(s, buf), 1);
    }
    assert_string_equal(kv_enc_name(s), "listpack");
    size_t packed = kv_memory(s, 0);
    assert_int_equal(add(s, "one-more"), 1);
    assert_string_equal(kv_enc_name(s), "hashtable");
    printf("set of 128 short members        : %zu bytes packed, %zu as a table (129)\n", packed,
           kv_memory(s, 0));
    assert_int_equal(set_len(s), 129);
    assert_true(set_has(s, "1", 1));
    assert_true(set_has(s, "m100", 4));
    kv_free(s);

    /* A 65-byte member goes straight to a table; a 64-byte one fits the pack. */
    char big[66];
    memset(big, 'x', 65);
    big[65] = '\0';
    s = new_set("a", 1);
    assert_string_equal(kv_enc_name(s), "listpack");
    big[64] = '\0';
    assert_int_equal(add(s, big), 1);
    assert_string_equal(kv_enc_name(s), "listpack");
    big[64] = 'x';
    assert_int_equal(add(s, big), 1);
    assert_string_equal(kv_enc_name(s), "hashtable");
    kv_free(s);
    s = new_set(big, 1);
    assert_string_equal(kv_enc_name(s), "hashtable");
    kv_free(s);
    /* A big announced batch starts as a table. */
    s = new_set("a", 1000);
    assert_string_equal(kv_enc_name(s), "hashtable");
    kv_free(s);
    assert_int_equal(zmalloc_used_memory(), base);
}

struct seen {
    char m[600][24];
    int n;
};

static void
remember(void *ctx, const char *m, size_t ml)
{
    struct seen *s = ctx;
    assert_true(ml < 24);
    memcpy(s->m[s->n], m, ml);
    s->m[s->n][ml] = '\0';
    s->n++;
}

static int
all_distinct(struct seen *s)
{
    for (int i = 0; i < s->n; i++)
        for (int j = i + 1; j < s->n; j++)
            if (strcmp(s->m[i], s->m[j]) == 0)
                return 0;
    return 1;
}

/* Random member choices, popping, and iteration in each encoding. */
static void
test_set_random_and_pop(void **state)
{
    size_t base = zmalloc_used_memory();
    const char *firsts[] = {"0", "a", "a"};
    const int sizes[] = {300, 100, 500};
    const char *encs[] = {"intset", "listpack", "hashtable"};
    for (int k = 0; k < 3; k++) {
        struct kv *s = new_set(firsts[k], 1);
        char buf[32];
        for (int i = 0; i < sizes[k]; i++) {
            snprintf(buf, sizeof(buf), k == 0 ? "%d" : "m%d", i);
            assert_int_equal(add(s, buf), 1);
        }
        assert_string_equal(kv_enc_name(s), encs[k]);
        struct seen *seen = calloc(1, sizeof(*seen));
        set_foreach(s, remember, seen);
        assert_int_equal(seen->n, sizes[k]);
        assert_true(all_distinct(seen));
        /* Few (sampled) and many (shuffled) distinct members. */
        size_t ns[] = {5, (size_t)sizes[k] / 2, (size_t)sizes[k] - 1};
        for (int t = 0; t < 3; t++) {
            seen->n = 0;
            assert_int_equal(set_random_distinct(s, ns[t], remember, seen), 0);
            assert_int_equal(seen->n, (int)ns[t]);
            assert_true(all_distinct(seen));
            for (int i = 0; i < seen->n; i++)
                assert_true(set_has(s, seen->m[i], strlen(seen->m[i])));
        }
        char ibuf[24];
        size_t len;
        const char *r = set_random(s, &len, ibuf);
        assert_true(set_has(s, r, len));
        /* Pop everything: each member once. */
        seen->n = 0;
        while (set_pop(s, remember, seen) == 0)
            assert_false(set_has(s, seen->m[seen->n - 1], strlen(seen->m[seen->n - 1])));
        assert_int_equal(seen->n, sizes[k]);
        assert_true(all_distinct(seen));
        assert_int_equal(set_len(s), 0);
        free(seen);
        kv_free(s);
    }
    assert_int_equal(zmalloc_used_memory(), base);
}

/* ---- Sorted sets ---- */

static struct kv *
new_zset(void)
{
    struct val v;
    zset_new_val(&v);
    return kv_build("z", 1, &v, -1);
}

static int
zadd(struct kv *z, double score, const char *m, int flags, double *newscore)
{
    int out;
    double ns = 0;
    assert_int_equal(zset_add(z, score, m, strlen(m), flags, &out, &ns), 0);
    if (newscore)
        *newscore = ns;
    return out;
}

static void
test_zset_scores(void **state)
{
    size_t base = zmalloc_used_memory();
    const double scores[] = {0,
                             1,
                             -1,
                             127,
                             128,
                             -128,
                             -129,
                             32767,
                             1e15,
                             -1e15,
                             9007199254740992.0,
                             9007199254740994.0,
                             1.5,
                             0.1,
                             -2.75,
                             1e-310,
                             1e300,
                             1.0 / 0.0,
                             -1.0 / 0.0,
                             4503599627370497.0,
                             -9007199254740992.0};
    const size_t n = sizeof(scores) / sizeof(scores[0]);
    for (int pass = 0; pass < 2; pass++) {
        struct kv *z = new_zset();
        char m[16];
        if (pass == 1) { /* the same checks on a skiplist */
            for (int i = 0; i < 200; i++) {
                snprintf(m, sizeof(m), "pad%d", i);
                zadd(z, 5000 + i, m, 0, NULL);
            }
            assert_string_equal(kv_enc_name(z), "skiplist");
        }
        for (size_t i = 0; i < n; i++) {
            snprintf(m, sizeof(m), "e%zu", i);
            assert_int_equal(zadd(z, scores[i], m, 0, NULL), ZADD_OUT_ADDED);
        }
        for (size_t i = 0; i < n; i++) {
            double d;
            snprintf(m, sizeof(m), "e%zu", i);
            assert_int_equal(zset_score(z, m, strlen(m), &d), 1);
            assert_true(d == scores[i]);
        }
        /* -0 is stored as 0. */
        double d;
        zadd(z, -0.0, "negzero", 0, NULL);
        assert_int_equal(zset_score(z, "negzero", 7, &d), 1);
        assert_false(signbit(d));
        kv_free(z);
    }
    assert_int_equal(zmalloc_used_memory(), base);
    /* Parsing: Redis's accepted and refused spellings. */
    double d;
    assert_int_equal(zset_parse_score("1.5", 3, &d), 0);
    assert_true(d == 1.5);
    assert_int_equal(zset_parse_score("0x10", 4, &d), 0);
    assert_true(d == 16);
    assert_int_equal(zset_parse_score("-inf", 4, &d), 0);
    assert_true(isinf(d) && d < 0);
    assert_int_equal(zset_parse_score("+inf", 4, &d), 0);
    assert_int_equal(zset_parse_score("1e-310", 6, &d), 0);
    assert_int_equal(zset_parse_score("nan", 3, &d), -1);
    assert_int_equal(zset_parse_score("1e400", 5, &d), -1);
    assert_int_equal(zset_parse_score("1e-400", 6, &d), -1);
    assert_int_equal(zset_parse_score(" 1", 2, &d), -1);
    assert_int_equal(zset_parse_score("1 ", 2, &d), -1);
    assert_int_equal(zset_parse_score("", 0, &d), -1);
    struct zscore_range r;
    assert_int_equal(zset_parse_range("(1", 2, "+inf", 4, &r), 0);
    assert_true(r.minex && !r.maxex && r.min == 1 && isinf(r.max));
    assert_int_equal(zset_parse_range("(", 1, "", 0, &r), 0); /* strtod of "": 0 */
    assert_int_equal(zset_parse_range("a", 1, "1", 1, &r), -1);
    assert_int_equal(zset_parse_range("1", 1, "nan", 3, &r), -1);
    struct zlex_bound b;
    assert_int_equal(zset_parse_lex("-", 1, &b), 0);
    assert_int_equal(b.kind, -1);
    assert_int_equal(zset_parse_lex("(ab", 3, &b), 0);
    assert_true(b.kind == 0 && b.ex && b.len == 2);
    assert_int_equal(zset_parse_lex("ab", 2, &b), -1);
    assert_int_equal(zset_parse_lex("++", 2, &b), -1);
    assert_int_equal(zset_parse_lex("", 0, &b), -1);
}

/* The model: elements sorted by (score, member). */
struct melem {
    double score;
    char m[16];
};

static int
melem_cmp(const void *a, const void *b)
{
    const struct melem *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return strcmp(x->m, y->m);
}

static void
check_model(struct kv *z, struct melem *model, size_t n)
{
    qsort(model, n, sizeof(*model), melem_cmp);
    assert_int_equal(zset_len(z), n);
    struct zset_iter it;
    struct zelem e;
    zset_iter_init(&it, z, 0, 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(zset_iter_next(&it, &e), 1);
        assert_true(e.score == model[i].score);
        assert_int_equal(e.ml, strlen(model[i].m));
        assert_memory_equal(e.m, model[i].m, e.ml);
    }
    assert_int_equal(zset_iter_next(&it, &e), 0);
    zset_iter_init(&it, z, 0, 1);
    for (size_t i = n; i-- > 0;) {
        assert_int_equal(zset_iter_next(&it, &e), 1);
        assert_memory_equal(e.m, model[i].m, e.ml);
    }
    assert_int_equal(zset_iter_next(&it, &e), 0);
    /* Ranks, and iterators started in the middle. */
    for (size_t i = 0; i < n; i += 1 + n / 40) {
        const char *m = model[i].m;
        assert_int_equal(zset_rank(z, m, strlen(m), 0), (long long)i);
        assert_int_equal(zset_rank(z, m, strlen(m), 1), (long long)(n - 1 - i));
        zset_iter_init(&it, z, i, 0);
        assert_int_equal(zset_iter_next(&it, &e), 1);
        assert_memory_equal(e.m, m, e.ml);
        zset_iter_init(&it, z, n - 1 - i, 1);
        assert_int_equal(zset_iter_next(&it, &e), 1);
        assert_memory_equal(e.m, m, e.ml);
    }
    /* Score spans against a count in the model. */
    for (int t = 0; t < 20; t++) {
        struct zscore_range r = {(double)(rand() % 60) - 10, (double)(rand() % 60) - 10, rand() % 2,
                                 rand() % 2};
        size_t lo, hi, want = 0, first = n;
        for (size_t i = 0; i < n; i++) {
            double s = model[i].score;
            if ((r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max)) {
                want++;
                if (first == n)
                    first = i;
            }
        }
        zset_score_span(z, &r, &lo, &hi);
        assert_int_equal(hi - lo, want);
        if (want)
            assert_int_equal(lo, first);
    }
}

static void
run_model(int elements, int ops, const char *enc)
{
    struct kv *z = new_zset();
    struct melem *model = calloc((size_t)elements, sizeof(*model));
    size_t n = 0;
    srand(12345);
    for (int op = 0; op < ops; op++) {
        int id = rand() % elements;
        char m[16];
        snprintf(m, sizeof(m), "m%04d", id);
        double score = (double)(rand() % 40); /* many ties: order by member too */
        if (rand() % 7 == 0)
            score += 0.5;
        size_t at = n;
        for (size_t i = 0; i < n; i++)
            if (strcmp(model[i].m, m) == 0)
                at = i;
        int what = rand() % 10;
        if (what < 6) {
            int out = zadd(z, score, m, 0, NULL);
            if (at == n) {
                assert_int_equal(out, ZADD_OUT_ADDED);
                model[n].score = score;
                strcpy(model[n++].m, m);
            } else {
                assert_int_equal(out, model[at].score == score ? 0 : ZADD_OUT_UPDATED);
                model[at].score = score;
            }
        } else if (what < 8) {
            double ns;
            zadd(z, 3, m, ZADD_INCR, &ns);
            if (at == n) {
                model[n].score = 3;
                strcpy(model[n++].m, m);
            } else {
                model[at].score += 3;
                assert_true(ns == model[at].score);
            }
        } else {
            assert_int_equal(zset_del(z, m, strlen(m)), at < n);
            if (at < n)
                model[at] = model[--n];
        }
        if (op % 97 == 0)
            check_model(z, model, n);
    }
    check_model(z, model, n);
    assert_string_equal(kv_enc_name(z), enc);
    free(model);
    kv_free(z);
}

static void
test_zset_model(void **state)
{
    size_t base = zmalloc_used_memory();
    run_model(100, 3000, "listpack");
    run_model(1000, 20000, "skiplist");
    assert_int_equal(zmalloc_used_memory(), base);
}

static void
test_zset_flags_and_conversion(void **state)
{
    size_t base = zmalloc_used_memory();
    struct kv *z = new_zset();
    double ns;
    assert_int_equal(zadd(z, 5, "a", ZADD_XX, NULL), ZADD_OUT_NOP);
    assert_int_equal(zset_len(z), 0);
    assert_int_equal(zadd(z, 5, "a", ZADD_NX, NULL), ZADD_OUT_ADDED);
    assert_int_equal(zadd(z, 6, "a", ZADD_NX, NULL), ZADD_OUT_NOP);
    assert_int_equal(zadd(z, 4, "a", ZADD_GT, NULL), ZADD_OUT_NOP);
    assert_int_equal(zadd(z, 7, "a", ZADD_GT, NULL), ZADD_OUT_UPDATED);
    assert_int_equal(zadd(z, 8, "a", ZADD_LT, NULL), ZADD_OUT_NOP);
    assert_int_equal(zadd(z, 1, "a", ZADD_LT | ZADD_XX, NULL), ZADD_OUT_UPDATED);
    assert_int_equal(zadd(z, 1, "a", 0, &ns), 0); /* same score: nothing to do */
    assert_true(ns == 1);
    assert_int_equal(zadd(z, 1.0 / 0.0, "a", 0, NULL), ZADD_OUT_UPDATED);
    assert_int_equal(zadd(z, -1.0 / 0.0, "a", ZADD_INCR, NULL), ZADD_OUT_NAN);
    double d;
    assert_int_equal(zset_score(z, "a", 1, &d), 1);
    assert_true(isinf(d));
    /* 128 elements stay packed, the 129th converts; so does a 65-byte member. */
    char m[80];
    for (int i = 1; i < ZSET_PACK_ENTRIES; i++) {
        snprintf(m, sizeof(m), "element:%06d", i);
        zadd(z, i % 10, m, 0, NULL);
    }
    assert_string_equal(kv_enc_name(z), "listpack");
    size_t packed = kv_memory(z, 0);
    assert_int_equal(zadd(z, 0, "element:000000", 0, NULL), ZADD_OUT_ADDED);
    assert_string_equal(kv_enc_name(z), "skiplist");
    printf("zset of 128 members (14 bytes)  : %zu bytes packed, %zu as a skiplist (129)\n", packed,
           kv_memory(z, 0));
    assert_int_equal(zset_rank(z, "element:000000", 14, 0), 0);
    assert_int_equal(zset_rank(z, "a", 1, 0), 128);
    kv_free(z);
    z = new_zset();
    memset(m, 'x', 65);
    m[65] = '\0';
    zadd(z, 1, "short", 0, NULL);
    zadd(z, 1, m, 0, NULL);
    assert_string_equal(kv_enc_name(z), "skiplist");
    assert_int_equal(zset_rank(z, m, 65, 0), 1);
    kv_free(z);
    assert_int_equal(zmalloc_used_memory(), base);
}

/* Bytes per member in each encoding, for the figures in the report (memcached sizes.c). */
static void
test_member_sizes(void **state)
{
    const int n = 10000;
    char m[32];
    struct kv *s = new_set("a", 1), *z = new_zset();
    size_t s0 = kv_memory(s, 0), z0 = kv_memory(z, 0);
    for (int i = 0; i < n; i++) {
        snprintf(m, sizeof(m), "element:%012d", i);
        assert_int_equal(add(s, m), 1);
        zadd(z, i, m, 0, NULL);
    }
    printf("set member (20 bytes), table    : %.1f bytes per member\n",
           (double)(kv_memory(s, 0) - s0) / n);
    printf("zset member (20 bytes), skiplist: %.1f bytes per member\n",
           (double)(kv_memory(z, 0) - z0) / n);
    /* The bounds are jemalloc's size classes; glibc rounds blocks differently (8-byte header,
     * 16-byte steps), so other allocators get a sixth more room. */
    int je = strncmp(zmalloc_allocator_name(), "jemalloc", 8) == 0;
    assert_true(kv_memory(s, 0) < (size_t)n * (je ? 64 : 75));
    assert_true(kv_memory(z, 0) < (size_t)n * (je ? 96 : 112));
    kv_free(s);
    kv_free(z);
}

/* ---- db + lazyfree: used memory back to the baseline ---- */

static void
test_baseline_after_frees(void **state)
{
    struct db *db = db_get(0);
    size_t base = zmalloc_used_memory();
    char key[16], m[32];
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 4; k++) {
            struct val v;
            snprintf(key, sizeof(key), "k%d", k);
            if (k % 2)
                zset_new_val(&v);
            else
                set_new_val(&v, k ? "x" : "1", 1, 1);
            struct kv *e = db_add(db, key, strlen(key), &v, k == 3 ? db_now_ms() + 100000 : -1);
            assert_non_null(e);
            for (int i = 0; i < 1000; i++) {
                int out;
                double ns;
                snprintf(m, sizeof(m), k == 0 ? "%d" : "member:%d", i);
                if (k % 2)
                    assert_int_equal(zset_add(e, i, m, strlen(m), 0, &out, &ns), 0);
                else
                    assert_int_equal(set_add(e, m, strlen(m)), 1);
            }
            assert_true(kv_free_effort(e) > 64);
        }
        uint64_t freed = lazyfreed_objects();
        assert_int_equal(db_delete(db, "k0", 2, FREE_LAZY), 1);
        assert_int_equal(db_delete(db, "k1", 2, FREE_LAZY), 1);
        assert_int_equal(db_delete(db, "k2", 2, FREE_SYNC), 1);
        wait_lazyfree();
        assert_int_equal(lazyfreed_objects(), freed + 2);
        db_flush(db, round);
        wait_lazyfree();
        assert_int_equal(zmalloc_used_memory(), base);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intset),
        cmocka_unit_test(test_set_pack_and_table),
        cmocka_unit_test(test_set_random_and_pop),
        cmocka_unit_test(test_zset_scores),
        cmocka_unit_test(test_zset_model),
        cmocka_unit_test(test_zset_flags_and_conversion),
        cmocka_unit_test(test_member_sizes),
    };
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test(test_baseline_after_frees),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("db", db_tests, db_group_setup, db_group_teardown);
    return failed;
}
