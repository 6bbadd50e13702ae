/* test_lists.c — list commands against a live zmem-server: LPOS, LINSERT, LSET, LREM, LTRIM,
 * LMOVE, RPOPLPUSH and LMPOP with their replies and Redis 7.0.15's exact error texts; the
 * listpack/quicklist conversions these edits cause, in both directions; used_memory back to its
 * baseline once the lists are gone; and a differential run against a live redis-server (fixed
 * cases, then a seeded random sequence; ZMEM_DIFF_SEED repeats one), every reply compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/fixture.h"
#include "integration/redis_diff.h"

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define NOTINT    "ERR value is not an integer or out of range"
#define SYNTAX    "ERR syntax error"

#define expect_int(want, ...) assert_int_equal(cu_int(ctx, __VA_ARGS__), want)
#define expect_ok(...)        expect_status(ctx, "OK", __VA_ARGS__)
#define expect_err(want, ...) expect_error(ctx, want, __VA_ARGS__)
#define expect_str(want, ...) expect_bulk(ctx, want, __VA_ARGS__)
#define expect_null(...)      expect_nil(ctx, __VA_ARGS__)

static void
cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    freeReplyObject(cu_vrun(ctx, fmt, ap));
    va_end(ap);
}

/* The reply flattened into one space-separated string (integers as numbers, nil as "nil"),
 * to compare whole arrays at once. */
static void
flatten(const redisReply *r, char *out, size_t size)
{
    if (r->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < r->elements; i++)
            flatten(r->element[i], out, size);
        return;
    }
    size_t n = strlen(out);
    if (n && n < size - 1)
        out[n++] = ' ', out[n] = '\0';
    if (r->type == REDIS_REPLY_INTEGER) {
        snprintf(out + n, size - n, "%lld", r->integer);
    } else if (r->type == REDIS_REPLY_NIL) {
        snprintf(out + n, size - n, "nil");
    } else {
        snprintf(out + n, size - n, "%.*s", (int)r->len, r->str);
    }
}

static void
expect_flat(const char *want, const char *fmt, ...)
{
    char got[8192] = "";
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(ctx, fmt, ap);
    va_end(ap);
    flatten(r, got, sizeof(got));
    freeReplyObject(r);
    if (strcmp(got, want) != 0)
        fail_msg("'%s': wanted '%s', got '%s'", fmt, want, got);
}

/* ---- Replies and errors ---- */

static void
test_lpos(void **state)
{
    expect_int(7, "RPUSH l a b c a b c a");
    expect_int(0, "LPOS l a");
    expect_int(3, "LPOS l a RANK 2");
    expect_int(6, "LPOS l a RANK -1");
    expect_flat("3 0", "LPOS l a RANK -2 COUNT 0");
    expect_flat("0 3", "LPOS l a COUNT 2 MAXLEN 4");
    expect_flat("0 3 6", "LPOS l a COUNT 0");
    expect_null("LPOS l a RANK 4");
    expect_null("LPOS l zz");
    expect_flat("", "LPOS l zz COUNT 0");
    expect_null("LPOS nokey a");
    expect_flat("", "LPOS nokey a COUNT 1");
    /* Redis 7.0 takes LLONG_MIN as a rank: every match from the tail. */
    expect_flat("6 3 0", "LPOS l a RANK -9223372036854775808 COUNT 1");
    expect_err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
               "... or use negative to start from the end of the list",
               "LPOS l a RANK 0");
    expect_err(NOTINT, "LPOS l a RANK x");
    expect_err("ERR COUNT can't be negative", "LPOS l a COUNT -1");
    expect_err("ERR COUNT can't be negative", "LPOS l a COUNT x");
    expect_err("ERR MAXLEN can't be negative", "LPOS l a MAXLEN -1");
    expect_err(SYNTAX, "LPOS l a RANK");
    expect_err(SYNTAX, "LPOS l a FOO 1");
    expect_ok("SET str v");
    expect_err(WRONGTYPE, "LPOS str a");
}

static void
test_linsert_lset_lrem_ltrim(void **state)
{
    expect_int(3, "RPUSH l a b c");
    expect_int(4, "LINSERT l BEFORE b X");
    expect_int(5, "LINSERT l after c Y");
    expect_int(-1, "LINSERT l AFTER zz Y");
    expect_int(0, "LINSERT nokey AFTER a b");
    expect_int(0, "EXISTS nokey");
    expect_err(SYNTAX, "LINSERT l MIDDLE a b");
    expect_flat("a X b c Y", "LRANGE l 0 -1");
    expect_ok("LSET l 0 first");
    expect_ok("LSET l -1 last");
    expect_err("ERR index out of range", "LSET l 5 x");
    expect_err("ERR index out of range", "LSET l -6 x");
    expect_err("ERR no such key", "LSET nokey 0 x");
    expect_err(NOTINT, "LSET l x x");
    expect_flat("first X b c last", "LRANGE l 0 -1");
    expect_int(5, "RPUSH r a b a c a");
    expect_int(1, "LREM r 1 a");
    expect_flat("b a c a", "LRANGE r 0 -1");
    expect_int(1, "LREM r -1 a");
    expect_flat("b a c", "LRANGE r 0 -1");
    expect_int(0, "LREM r 0 zz");
    expect_int(0, "LREM nokey 0 a");
    expect_err(NOTINT, "LREM r x a");
    expect_int(1, "LREM r 0 a");
    expect_int(1, "LREM r 0 b");
    expect_int(1, "LREM r 0 c");
    expect_int(0, "EXISTS r"); /* emptied: deleted */
    expect_ok("LTRIM l 1 -2");
    expect_flat("X b c", "LRANGE l 0 -1");
    expect_ok("LTRIM l -100 100");
    expect_flat("X b c", "LRANGE l 0 -1");
    expect_ok("LTRIM l 2 1");
    expect_int(0, "EXISTS l");
    expect_ok("LTRIM nokey 0 1");
    expect_err(NOTINT, "LTRIM l x 1");
    expect_ok("SET str v");
    expect_err(WRONGTYPE, "LINSERT str BEFORE a b");
    expect_err(WRONGTYPE, "LSET str 0 a");
    expect_err(WRONGTYPE, "LREM str 0 a");
    expect_err(WRONGTYPE, "LTRIM str 0 1");
    expect_err("ERR wrong number of arguments for 'linsert' command", "LINSERT l BEFORE a");
    expect_err("ERR wrong number of arguments for 'lset' command", "LSET l 0");
}

static void
test_lmove_lmpop(void **state)
{
    expect_int(4, "RPUSH s 1 2 3 4");
    expect_str("1", "LMOVE s d LEFT RIGHT");
    expect_str("4", "LMOVE s d right left");
    expect_flat("4 1", "LRANGE d 0 -1");
    expect_str("2", "LMOVE s s LEFT RIGHT"); /* rotation */
    expect_flat("3 2", "LRANGE s 0 -1");
    expect_str("3", "LMOVE s s LEFT LEFT");
    expect_flat("3 2", "LRANGE s 0 -1");
    expect_str("2", "RPOPLPUSH s d");
    expect_str("3", "RPOPLPUSH s d");
    expect_int(0, "EXISTS s");
    expect_null("RPOPLPUSH s d");
    expect_null("LMOVE s d LEFT LEFT");
    expect_err(SYNTAX, "LMOVE s d UP LEFT");
    expect_ok("SET str v");
    expect_err(WRONGTYPE, "LMOVE d str LEFT LEFT");
    expect_err(WRONGTYPE, "LMOVE str d LEFT LEFT");
    expect_flat("3 2 4 1", "LRANGE d 0 -1"); /* a refused move changes nothing */
    expect_flat("d 3", "LMPOP 2 nokey d LEFT");
    expect_flat("d 1 4", "LMPOP 2 nokey d RIGHT COUNT 2");
    expect_flat("d 2", "LMPOP 1 d RIGHT COUNT 10");
    expect_int(0, "EXISTS d");
    redisReply *r = cu_run(ctx, "LMPOP 2 nokey d LEFT");
    assert_int_equal(r->type, REDIS_REPLY_NIL); /* a null array */
    freeReplyObject(r);
    expect_err(WRONGTYPE, "LMPOP 2 nokey str LEFT");
    expect_err("ERR numkeys should be greater than 0", "LMPOP 0 a LEFT");
    expect_err("ERR numkeys should be greater than 0", "LMPOP x a LEFT");
    expect_err(SYNTAX, "LMPOP 3 a LEFT");
    expect_err(SYNTAX, "LMPOP 1 a MIDDLE");
    expect_err("ERR count should be greater than 0", "LMPOP 1 a LEFT COUNT 0");
    expect_err("ERR count should be greater than 0", "LMPOP 1 a LEFT COUNT x");
    expect_err(SYNTAX, "LMPOP 1 a LEFT COUNT 1 COUNT 1");
    expect_err("ERR wrong number of arguments for 'lmpop' command", "LMPOP 1 a");
}

/* ---- Encodings ---- */

static void
test_list_encodings(void **state)
{
    char big[1001];
    memset(big, 'x', 1000);
    big[1000] = '\0';
    /* LINSERT and LSET grow a listpack past 8 KiB: it becomes a quicklist, split in nodes. */
    for (int i = 0; i < 8; i++) /* 8 x 1006 bytes: one pack still */
        cmd("RPUSH l e%d%s", i, big);
    expect_str("listpack", "OBJECT ENCODING l");
    expect_int(9, "LINSERT l AFTER e3%s mid%s", big, big);
    expect_str("quicklist", "OBJECT ENCODING l");
    expect_int(4, "LPOS l mid%s", big);
    expect_int(9, "LLEN l");
    /* LTRIM back to a few elements merges the nodes and gives a listpack again. */
    expect_ok("LTRIM l 2 3");
    expect_str("listpack", "OBJECT ENCODING l");
    {
        redisReply *r = cu_run(ctx, "LRANGE l 0 -1");
        assert_int_equal(r->elements, 2);
        assert_int_equal(r->element[0]->len, 1002);
        assert_int_equal(memcmp(r->element[1]->str, "e3", 2), 0);
        freeReplyObject(r);
    }
    expect_ok("LSET l 0 small");
    char huge[9001];
    memset(huge, 'h', 9000);
    huge[9000] = '\0';
    expect_ok("LSET l 1 %s", huge);
    expect_str("quicklist", "OBJECT ENCODING l");
    {
        redisReply *r = cu_run(ctx, "LINDEX l 1");
        assert_int_equal(r->len, 9000);
        freeReplyObject(r);
    }
    expect_ok("LSET l 1 tiny");
    expect_str("listpack", "OBJECT ENCODING l");
    expect_flat("small tiny", "LRANGE l 0 -1");
    /* LREM removing most of a quicklist gives a listpack back. */
    for (int i = 0; i < 40; i++)
        cmd("RPUSH q k%d%s", i % 2, big);
    expect_str("quicklist", "OBJECT ENCODING q");
    expect_int(20, "LREM q 0 k0%s", big);
    expect_int(18, "LREM q -18 k1%s", big);
    expect_str("listpack", "OBJECT ENCODING q");
    expect_int(2, "LLEN q");
    /* LMOVE from a quicklist into a listpack that grows into a quicklist in turn. */
    for (int i = 0; i < 20; i++)
        cmd("RPUSH q2 m%d%s", i, big);
    expect_str("quicklist", "OBJECT ENCODING q2");
    for (int i = 0; i < 17; i++) {
        redisReply *r = cu_run(ctx, "LMOVE q2 q LEFT RIGHT");
        assert_int_equal(r->type, REDIS_REPLY_STRING);
        freeReplyObject(r);
    }
    expect_str("quicklist", "OBJECT ENCODING q");
    expect_str("listpack", "OBJECT ENCODING q2");
    expect_int(19, "LLEN q");
    expect_int(3, "LLEN q2"); /* one node at most half full: a listpack again */
    expect_int(2, "LPOS q m0%s", big);
}

/* ---- Memory ---- */

static long long
used_memory(void)
{
    return info_field(ctx, "memory", "used_memory");
}

static void
churn(void)
{
    char big[301];
    memset(big, 'm', 300);
    big[300] = '\0';
    for (int i = 0; i < 200; i++)
        cmd("RPUSH big%d e%d%s", i % 3, i, big);
    for (int i = 0; i < 30; i++) {
        cmd("LINSERT big0 BEFORE e%d%s ins%d%s", i * 3, big, i, big);
        cmd("LSET big1 %d set%d%s%s", i, i, big, big);
        cmd("LMOVE big1 big2 LEFT RIGHT");
        cmd("RPOPLPUSH big2 small");
    }
    cmd("LREM big0 0 e3%s", big);
    cmd("LTRIM big2 5 40");
    cmd("LMPOP 2 none big1 LEFT COUNT 7");
}

/* Empty every list churn() made with list commands only. */
static void
empty_by_commands(void)
{
    cmd("LTRIM big0 1 0");
    cmd("LMPOP 1 big1 RIGHT COUNT 1000");
    cmd("LREM small 0 x");
    expect_ok("LTRIM small 1 0");
    while (cu_int(ctx, "EXISTS big2"))
        cmd("RPOPLPUSH big2 big2tmp");
    while (cu_int(ctx, "EXISTS big2tmp")) {
        cmd("LMOVE big2tmp big2tmp LEFT RIGHT"); /* a rotation keeps the list */
        cmd("RPOP big2tmp 3");
    }
    expect_int(0, "DBSIZE");
}

static void
test_list_memory(void **state)
{
    /* A first pass, so buffers that grow once and stay (client buffers, the shared reply
     * buffer the big LMPOP reply grows) are in the baseline. */
    churn();
    empty_by_commands();
    expect_ok("FLUSHALL");
    long long base = used_memory();
    churn();
    assert_true(used_memory() > base + 20000);
    expect_ok("FLUSHALL");
    assert_int_equal(used_memory(), base);
    churn();
    cmd("DEL big0 big1 big2 small");
    assert_int_equal(used_memory(), base);
    /* Emptying by commands frees as much as deleting. */
    churn();
    empty_by_commands();
    assert_int_equal(used_memory(), base);
}

/* ---- Differential ---- */

static const char *const fixed_cases[] = {
    "RPUSH l a b c a b c a",
    "LPOS l a",
    "LPOS l a RANK 2",
    "LPOS l a RANK -1",
    "LPOS l a RANK -2 COUNT 0",
    "LPOS l a COUNT 2 MAXLEN 4",
    "LPOS l a RANK -9223372036854775808 COUNT 1",
    "LPOS l a RANK 9223372036854775807",
    "LPOS l zz",
    "LPOS l zz COUNT 0",
    "LPOS nokey a",
    "LPOS nokey a COUNT 1",
    "LPOS l a RANK 0",
    "LPOS l a COUNT -1",
    "LPOS l a MAXLEN x",
    "LPOS l a RANK 5",
    "LPOS l a RANK",
    "LINSERT l before c X",
    "LINSERT l AFTER c Y",
    "LINSERT l after zz Y",
    "LINSERT nk after zz Y",
    "LINSERT l middle a b",
    "LRANGE l 0 -1",
    "LSET l 0 first",
    "LSET l -1 last",
    "LSET l 100 x",
    "LSET l -100 x",
    "LSET nk 0 x",
    "LSET l x x",
    "LRANGE l 0 -1",
    "LREM l 0 a",
    "LREM l 1 b",
    "LREM l -1 c",
    "LREM l -9223372036854775808 c",
    "LRANGE l 0 -1",
    "LTRIM l 1 -2",
    "LRANGE l 0 -1",
    "LTRIM l 5 1",
    "EXISTS l",
    "LTRIM nk 0 1",
    "RPUSH s 1 2 3 4",
    "LMOVE s d left right",
    "LMOVE s d RIGHT LEFT",
    "LRANGE d 0 -1",
    "LMOVE s s left right",
    "LMOVE s s left left",
    "LRANGE s 0 -1",
    "RPOPLPUSH s d",
    "RPOPLPUSH s d",
    "EXISTS s",
    "RPOPLPUSH s d",
    "LMOVE s d up left",
    "SET str x",
    "LMOVE d str left left",
    "LMOVE str d left left",
    "LRANGE d 0 -1",
    "LMPOP 2 nk d left",
    "LMPOP 2 nk d right count 10",
    "LMPOP 2 nk d right count 10",
    "LMPOP 1 str left",
    "LMPOP 0 a left",
    "LMPOP -1 a left",
    "LMPOP 3 a left",
    "LMPOP 2 a left",
    "LMPOP 1 a left count 0",
    "LMPOP 1 a left count -5",
    "LMPOP 1 a left count 1 count 2",
    "LMPOP 1 a left foo",
    "LMPOP 1 a",
    "LPOS str a",
    "LTRIM str 0 1",
    "LREM str 0 a",
    "LSET str 0 a",
    "LINSERT str before a b",
    "RPOPLPUSH str d",
    NULL,
};

static const char *const elems[] = {"a", "b", "c", "d", "1", "2", "", "long"};
static const char *const lkeys[] = {"l1", "l2", "l3", "str", "none"};

static const char *
rand_key(void)
{
    /* Mostly lists; the string and the missing key now and then. */
    int r = rand() % 20;
    return r < 18 ? lkeys[r % 3] : lkeys[3 + r % 2];
}

/* An element: short ones so that matches happen, a 300-byte one for the quicklist sizes. */
static void
add_elem(struct rd_words *c)
{
    int i = rand() % 8;
    if (i == 7)
        rd_wordf(c, "long%040d", rand() % 3);
    else
        rd_word(c, elems[i]);
}

static void
random_list_cmd(struct rd *d, struct rd_words *c)
{
    rd_words_reset(c);
    switch (rand() % 15) {
    case 0:
    case 1: {
        rd_word(c, rand() % 2 ? "RPUSH" : "LPUSH");
        rd_word(c, rand_key());
        int n = (int)rd_rand(1, rand() % 10 == 0 ? 60 : 5);
        for (int i = 0; i < n; i++)
            add_elem(c);
        break;
    }
    case 2:
        rd_word(c, "LPOS");
        rd_word(c, rand_key());
        add_elem(c);
        if (rand() % 2) {
            rd_word(c, "RANK");
            rd_wordf(c, "%ld", rd_rand(-4, 4));
        }
        if (rand() % 2) {
            rd_word(c, "COUNT");
            rd_wordf(c, "%ld", rd_rand(-1, 4));
        }
        if (rand() % 3 == 0) {
            rd_word(c, "MAXLEN");
            rd_wordf(c, "%ld", rd_rand(-1, 10));
        }
        break;
    case 3:
        rd_word(c, "LINSERT");
        rd_word(c, rand_key());
        rd_word(c, rand() % 2 ? "BEFORE" : "AFTER");
        add_elem(c);
        add_elem(c);
        break;
    case 4:
        rd_word(c, "LSET");
        rd_word(c, rand_key());
        rd_wordf(c, "%ld", rd_rand(-12, 12));
        add_elem(c);
        break;
    case 5:
        rd_word(c, "LREM");
        rd_word(c, rand_key());
        rd_wordf(c, "%ld", rd_rand(-3, 3));
        add_elem(c);
        break;
    case 6:
        rd_word(c, "LTRIM");
        rd_word(c, rand_key());
        rd_wordf(c, "%ld", rd_rand(-8, 8));
        rd_wordf(c, "%ld", rd_rand(-8, 40));
        break;
    case 7:
        rd_word(c, "LMOVE");
        rd_word(c, rand_key());
        rd_word(c, rand_key());
        rd_word(c, rand() % 2 ? "LEFT" : "RIGHT");
        rd_word(c, rand() % 2 ? "LEFT" : "RIGHT");
        break;
    case 8:
        rd_word(c, "RPOPLPUSH");
        rd_word(c, rand_key());
        rd_word(c, rand_key());
        break;
    case 9: {
        rd_word(c, "LMPOP");
        int n = (int)rd_rand(1, 3);
        rd_wordf(c, "%d", n);
        for (int i = 0; i < n; i++)
            rd_word(c, rand_key());
        rd_word(c, rand() % 2 ? "LEFT" : "RIGHT");
        if (rand() % 2) {
            rd_word(c, "COUNT");
            rd_wordf(c, "%ld", rd_rand(0, 6));
        }
        break;
    }
    case 10:
        rd_word(c, rand() % 2 ? "LPOP" : "RPOP");
        rd_word(c, rand_key());
        if (rand() % 2)
            rd_wordf(c, "%ld", rd_rand(0, 4));
        break;
    case 11:
        rd_word(c, "LINDEX");
        rd_word(c, rand_key());
        rd_wordf(c, "%ld", rd_rand(-10, 10));
        break;
    default: /* the whole state, often */
        rd_word(c, "LRANGE");
        rd_word(c, rand_key());
        rd_word(c, "0");
        rd_word(c, "-1");
        break;
    }
    rd_words_run(d, c, NULL);
}

static void
test_list_diff(void **state)
{
    struct rd d;
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    int r = rd_start(&d, ctx);
    assert_int_equal(r, 0);
    long fixed_agree = 0, fixed = 0;
    for (int i = 0; fixed_cases[i]; i++, fixed++)
        fixed_agree += rd_cmd(&d, fixed_cases[i]);
    rd_cmd(&d, "FLUSHALL");
    rd_cmd(&d, "SET str v");
    unsigned long long seed = rd_seed();
    srand((unsigned)seed);
    struct rd_words *c = malloc(sizeof(*c));
    for (int i = 0; i < 4000; i++)
        random_list_cmd(&d, c);
    /* And the final state of every key. */
    for (int i = 0; i < 3; i++) {
        rd_words_reset(c);
        rd_word(c, "LRANGE");
        rd_word(c, lkeys[i]);
        rd_word(c, "0");
        rd_word(c, "-1");
        rd_words_run(&d, c, NULL);
    }
    free(c);
    printf("lists differential (seed %llu): %ld fixed cases, %ld agree; %ld cases in all, %ld "
           "agree\n",
           seed, fixed, fixed_agree, d.cases, d.agreed);
    rd_stop(&d);
    assert_int_equal(d.agreed, d.cases);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_lpos, fixture_flush),
        cmocka_unit_test_setup(test_linsert_lset_lrem_ltrim, fixture_flush),
        cmocka_unit_test_setup(test_lmove_lmpop, fixture_flush),
        cmocka_unit_test_setup(test_list_encodings, fixture_flush),
        cmocka_unit_test_setup(test_list_memory, fixture_flush),
        cmocka_unit_test_setup(test_list_diff, fixture_flush),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
