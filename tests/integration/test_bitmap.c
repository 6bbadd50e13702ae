/* test_bitmap.c — bit commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
 * BITFIELD_RO) and LCS on a live zmem-server: replies and Redis 7.0.15's exact error texts,
 * raw-string growth, then a differential run against a live redis-server (fixed cases, then a
 * seeded random sequence; ZMEM_DIFF_SEED repeats one) whose replies must agree exactly, and
 * used_memory back to its baseline once the keys are deleted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/fixture.h"
#include "integration/redis_diff.h"

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define NOTINT    "ERR value is not an integer or out of range"
#define BADOFFSET "ERR bit offset is not an integer or out of range"
#define BADTYPE                                                                                    \
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "    \
    "i64 is."

#define expect_int(want, ...) assert_int_equal(cu_int(ctx, __VA_ARGS__), want)
#define expect_ok(...)        expect_status(ctx, "OK", __VA_ARGS__)
#define expect_err(want, ...) expect_error(ctx, want, __VA_ARGS__)
#define expect_str(want, ...) expect_bulk(ctx, want, __VA_ARGS__)

static void
cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    freeReplyObject(cu_vrun(ctx, fmt, ap));
    va_end(ap);
}

/* The integers of an array reply (nil as -999), compared with want[0..n). */
static void
expect_ints(const long long *want, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(ctx, fmt, ap);
    va_end(ap);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != n)
        fail_msg("'%s': wanted %zu elements, got type %d", fmt, n, r->type);
    for (size_t i = 0; i < n; i++) {
        long long got = r->element[i]->type == REDIS_REPLY_NIL ? -999 : r->element[i]->integer;
        if (got != want[i])
            fail_msg("'%s': element %zu wanted %lld, got %lld", fmt, i, want[i], got);
    }
    freeReplyObject(r);
}

/* ---- Replies and errors ---- */

static void
test_setbit_getbit(void **state)
{
    expect_int(0, "SETBIT b 7 1");
    expect_str("\x01", "GET b");
    expect_str("raw", "OBJECT ENCODING b");
    expect_int(1, "SETBIT b 7 0");
    expect_int(0, "SETBIT b 23 1");
    expect_int(3, "STRLEN b");
    expect_int(1, "GETBIT b 23");
    expect_int(0, "GETBIT b 22");
    expect_int(0, "GETBIT b 1000000");
    expect_int(0, "GETBIT nokey 5");
    /* An int-encoded value is its decimal digits: "1" is 0x31. */
    expect_ok("SET n 1");
    expect_int(1, "GETBIT n 2");
    expect_int(1, "GETBIT n 7");
    expect_int(0, "SETBIT n 6 1");
    expect_str("3", "GET n");
    expect_str("raw", "OBJECT ENCODING n");
    /* Growth keeps the expiry and zero-fills. */
    expect_ok("SET e abc EX 100");
    expect_int(0, "SETBIT e 100 1");
    expect_int(13, "STRLEN e");
    assert_true(cu_int(ctx, "TTL e") > 0);
    expect_err(BADOFFSET, "SETBIT b -1 1");
    expect_err(BADOFFSET, "SETBIT b x 1");
    expect_err(BADOFFSET, "SETBIT b 4294967296 1"); /* byte 512 MiB: proto-max-bulk-len */
    expect_err(BADOFFSET, "GETBIT b 4294967296");
    expect_err("ERR bit is not an integer or out of range", "SETBIT b 1 2");
    expect_err("ERR bit is not an integer or out of range", "SETBIT b 1 x");
    cmd("RPUSH l a");
    expect_err(WRONGTYPE, "SETBIT l 1 1");
    expect_err(WRONGTYPE, "GETBIT l 1");
    expect_err("ERR wrong number of arguments for 'setbit' command", "SETBIT b 1");
}

static void
test_bitcount_bitpos(void **state)
{
    expect_ok("SET s foobar");
    expect_int(26, "BITCOUNT s");
    expect_int(4, "BITCOUNT s 0 0");
    expect_int(6, "BITCOUNT s 1 1");
    expect_int(6, "BITCOUNT s 1 1 BYTE");
    expect_int(17, "BITCOUNT s 5 30 BIT");
    expect_int(0, "BITCOUNT s -1 -5 nonsense"); /* negative and reversed: 0 before the unit */
    expect_int(0, "BITCOUNT nokey x y");        /* a missing key answers 0 first (7.0) */
    expect_err("ERR syntax error", "BITCOUNT s 1");
    expect_err("ERR syntax error", "BITCOUNT s 0 1 WORD");
    expect_err(NOTINT, "BITCOUNT s a 1");
    expect_ok("SET p %b", "\xff\xf0\x00", (size_t)3);
    expect_int(12, "BITPOS p 0");
    expect_int(8, "BITPOS p 1 1");
    expect_int(-1, "BITPOS p 1 2 -1");
    expect_int(-1, "BITPOS p 0 0 0"); /* explicit end, all ones in it */
    expect_ok("SET q %b", "\xff", (size_t)1);
    expect_int(8, "BITPOS q 0");       /* no end: zeros follow the string */
    expect_int(-1, "BITPOS q 0 0 -1"); /* an explicit end does not */
    expect_int(7, "BITPOS p 1 7 15 BIT");
    expect_int(12, "BITPOS p 0 7 15 BIT");
    expect_int(-1, "BITPOS nokey 1");
    expect_int(0, "BITPOS nokey 0 x y");
    expect_err("ERR The bit argument must be 1 or 0.", "BITPOS p 2");
    expect_err(NOTINT, "BITPOS p x");
    expect_err("ERR syntax error", "BITPOS p 1 0 1 WORD");
    cmd("RPUSH l a");
    expect_err(WRONGTYPE, "BITCOUNT l");
    expect_err(WRONGTYPE, "BITPOS l 1");
}

static void
test_bitop(void **state)
{
    expect_ok("SET a \x0f\x0f");
    expect_ok("SET b \xff");
    expect_int(2, "BITOP AND d a b");
    expect_str("\x0f", "GETRANGE d 0 0");
    expect_int(0, "GETBIT d 15");
    expect_int(2, "BITOP OR d a b nokey");
    expect_str("\xff\x0f", "GET d");
    expect_int(2, "BITOP XOR d a b");
    expect_str("\xf0\x0f", "GET d");
    expect_int(1, "BITOP NOT d b");
    expect_int(0, "BITCOUNT d");
    expect_str("raw", "OBJECT ENCODING d");
    expect_int(0, "BITOP NOT d nokey"); /* empty result: no key */
    expect_int(0, "EXISTS d");
    expect_err("ERR BITOP NOT must be called with a single source key.", "BITOP NOT d a b");
    expect_err("ERR syntax error", "BITOP NAND d a b");
    cmd("RPUSH l a");
    expect_err(WRONGTYPE, "BITOP AND d a l");
    expect_int(2, "BITOP AND l a a"); /* the destination is simply replaced */
    expect_status(ctx, "string", "TYPE l");
}

static void
test_bitfield(void **state)
{
    const long long r1[] = {0, 255, 9, -999, 0};
    expect_ints(r1, 5,
                "BITFIELD f SET u8 0 255 GET u8 0 INCRBY u8 0 10 OVERFLOW FAIL INCRBY u8 0 300 "
                "GET u4 0");
    const long long r2[] = {0, 127, -128, 0};
    expect_ints(r2, 4, "BITFIELD g OVERFLOW SAT SET i8 0 200 GET i8 0 INCRBY i8 8 -1000 GET u1 0");
    const long long r3[] = {0, -1, 9223372036854775807LL};
    expect_ints(r3, 3, "BITFIELD h SET i64 #1 -1 GET i64 64 GET u63 64");
    /* WRAP is the default; an unsigned SET of -1 keeps the low bits. */
    const long long r4[] = {0, 31, 4};
    expect_ints(r4, 3, "BITFIELD w SET u5 0 -1 GET u5 0 INCRBY u5 0 5");
    expect_int(16, "STRLEN h");
    const long long r5[] = {0, 0};
    expect_ints(r5, 2, "BITFIELD nokey GET u8 0 GET i16 #100");
    expect_int(0, "EXISTS nokey");
    const long long r6[] = {9};
    expect_ints(r6, 1, "BITFIELD_RO f GET u8 0");
    expect_ints(NULL, 0, "BITFIELD f");
    expect_err("ERR BITFIELD_RO only supports the GET subcommand", "BITFIELD_RO f SET u8 0 1");
    expect_err(BADTYPE, "BITFIELD f GET u64 0");
    expect_err(BADTYPE, "BITFIELD f GET i65 0");
    expect_err(BADTYPE, "BITFIELD f GET I8 0");
    expect_err(BADOFFSET, "BITFIELD f GET u8 -1");
    expect_err(BADOFFSET, "BITFIELD f GET u8 #x");
    expect_err("ERR Invalid OVERFLOW type specified", "BITFIELD f OVERFLOW LOUD");
    expect_err("ERR syntax error", "BITFIELD f GET u8");
    expect_err("ERR syntax error", "BITFIELD f FLIP u8 0");
    expect_err(NOTINT, "BITFIELD f SET u8 0 x");
    cmd("RPUSH l a");
    expect_err(WRONGTYPE, "BITFIELD l GET u8 0");
    expect_err(WRONGTYPE, "BITFIELD_RO l GET u8 0");
}

static void
test_lcs(void **state)
{
    expect_ok("MSET a ohmytext b mynewtext");
    expect_str("mytext", "LCS a b");
    expect_int(6, "LCS a b LEN");
    redisReply *r = cu_run(ctx, "LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 4);
    assert_string_equal(r->element[0]->str, "matches");
    assert_int_equal(r->element[1]->elements, 1);
    redisReply *m = r->element[1]->element[0];
    assert_int_equal(m->element[0]->element[0]->integer, 4);
    assert_int_equal(m->element[0]->element[1]->integer, 7);
    assert_int_equal(m->element[1]->element[0]->integer, 5);
    assert_int_equal(m->element[1]->element[1]->integer, 8);
    assert_int_equal(m->element[2]->integer, 4);
    assert_string_equal(r->element[2]->str, "len");
    assert_int_equal(r->element[3]->integer, 6);
    freeReplyObject(r);
    expect_str("", "LCS a nokey");
    expect_err("ERR If you want both the length and indexes, please just use IDX.",
               "LCS a b LEN IDX");
    expect_err("ERR syntax error", "LCS a b FAST");
    expect_err(NOTINT, "LCS a b MINMATCHLEN x");
    cmd("RPUSH l a");
    expect_err("ERR The specified keys must contain string values", "LCS a l");
}

/* ---- Differential ---- */

static const char *const fixed_cases[] = {
    "SET s foobar",
    "BITCOUNT s",
    "BITCOUNT s 1 1",
    "BITCOUNT s -1 -5 foo",
    "BITCOUNT s 0 -1 bit",
    "BITCOUNT s 5 30 BIT",
    "BITCOUNT s a b",
    "BITCOUNT nokey a b",
    "BITCOUNT s 1",
    "BITCOUNT s 0 1 x",
    "BITPOS s 1",
    "BITPOS s 0",
    "BITPOS s 0 1 2",
    "BITPOS s 1 -5 -10",
    "BITPOS s 0 3 100 bit",
    "BITPOS s 1 3 x bit",
    "BITPOS s 1 3 4 foo",
    "BITPOS s 1 2 3 4 5",
    "SETBIT s 100 1",
    "GET s",
    "GETBIT s 100",
    "GETBIT s 99",
    "SETBIT s 4294967296 1",
    "SETBIT s -1 1",
    "SETBIT s 1 2",
    "SET n 12345",
    "SETBIT n 3 1",
    "GET n",
    "BITOP AND d s n",
    "GET d",
    "BITOP OR d s n",
    "GET d",
    "BITOP XOR d s n nokey",
    "GET d",
    "BITOP NOT d s",
    "GET d",
    "BITOP NOT d nokey",
    "EXISTS d",
    "BITOP XX d s",
    "BITOP NOT d s n",
    "BITFIELD bf SET u8 0 255 GET u8 0 INCRBY u8 0 10 OVERFLOW SAT INCRBY u8 0 -300 OVERFLOW "
    "FAIL INCRBY i8 0 200",
    "BITFIELD bf SET i64 #1 -1 GET i64 64 GET u63 64 SET u8 #100 -1",
    "BITFIELD bf OVERFLOW SAT SET u8 0 -1 SET i8 8 -200 SET i5 20 100 OVERFLOW WRAP SET i5 20 "
    "100 SET u5 30 100",
    "BITFIELD bf OVERFLOW SAT INCRBY i64 0 9223372036854775807 INCRBY i64 0 1 INCRBY i64 0 "
    "-9223372036854775808 INCRBY u63 64 -1 OVERFLOW WRAP INCRBY i64 0 9223372036854775807",
    "BITFIELD bf GET u64 0",
    "BITFIELD bf GET i0 0",
    "BITFIELD bf GET x8 0",
    "BITFIELD bf OVERFLOW foo",
    "BITFIELD bf GET u8",
    "BITFIELD bf INCRBY u8 0 a",
    "BITFIELD bf GET u8 #a",
    "BITFIELD bf GET u8 #-1",
    "BITFIELD_RO bf GET u8 0 GET i16 #3",
    "BITFIELD_RO bf SET u8 0 1",
    "BITFIELD nokey GET u8 0",
    "BITFIELD bf",
    "GET bf",
    "LCS s n",
    "SET a ohmytext",
    "SET b mynewtext",
    "LCS a b",
    "LCS a b LEN",
    "LCS a b IDX",
    "LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN",
    "LCS a b IDX WITHMATCHLEN",
    "LCS a b LEN IDX",
    "LCS a b foo",
    "LCS a nokey",
    "LCS a b MINMATCHLEN -3 IDX",
    "LPUSH l x",
    "LCS a l",
    "BITCOUNT l",
    "SETBIT l 1 1",
    "GETBIT l 1",
    "BITOP AND d l",
    "BITFIELD l GET u8 0",
    "BITFIELD_RO l GET u8 0",
    "LCS a b MINMATCHLEN x",
    "BITPOS nokey 0",
    "BITPOS s 2",
    "SET e ''",
    "BITCOUNT e",
    "BITPOS e 0",
    "BITPOS e 1",
    "BITPOS e 0 0 -1",
    "SETBIT e 0 1",
    "SETBIT nk 7 1",
    "GET nk",
    "BITOP AND nk nk e",
    "GET nk",
    "SETRANGE nk 10 x",
    "GET nk",
    "SETBIT",
    "BITFIELD",
    "BITOP AND d",
    "LCS a",
    "GETBIT s"};

/* A small deterministic generator (xorshift64*), so a seed repeats a run. */
static uint64_t rng_state;

static uint64_t
rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static long long
rnd(long long lo, long long hi) /* inclusive */
{
    return lo + (long long)(rng() % (uint64_t)(hi - lo + 1));
}

/* A value for a field of this signedness and width: edges, just past them, or random. */
static long long
field_value(int sign, int bits)
{
    long long max =
        sign ? (bits == 64 ? INT64_MAX : (1LL << (bits - 1)) - 1) : (long long)((1ULL << bits) - 1);
    switch (rnd(0, 6)) {
    case 0:
        return max;
    case 1:
        return sign ? -max - 1 : 0;
    case 2:
        return max < INT64_MAX ? max + 1 : -1;
    case 3:
        return -rnd(1, 1000);
    case 4:
        return (long long)rng();
    default:
        return rnd(-300, 300);
    }
}

static void
random_bitfield_op(char *line, size_t size)
{
    size_t n = strlen(line);
    int sign = (int)rnd(0, 1), bits = (int)rnd(1, sign ? 64 : 63);
    char off[32];
    if (rnd(0, 3) == 0)
        snprintf(off, sizeof(off), "#%lld", rnd(0, 20));
    else
        snprintf(off, sizeof(off), "%lld", rnd(0, 300));
    static const char *const ow[] = {"WRAP", "SAT", "FAIL"};
    switch (rnd(0, 3)) {
    case 0:
        snprintf(line + n, size - n, " GET %c%d %s", sign ? 'i' : 'u', bits, off);
        break;
    case 1:
        snprintf(line + n, size - n, " SET %c%d %s %lld", sign ? 'i' : 'u', bits, off,
                 field_value(sign, bits));
        break;
    case 2:
        snprintf(line + n, size - n, " INCRBY %c%d %s %lld", sign ? 'i' : 'u', bits, off,
                 field_value(sign, bits));
        break;
    default:
        snprintf(line + n, size - n, " OVERFLOW %s", ow[rnd(0, 2)]);
    }
}

/* One random bit or string command on keys b0..b3 (and the list "lst"). */
static void
random_bitmap_command(char *line, size_t size)
{
    static const char *const units[] = {"", " BYTE", " BIT"};
    static const char *const ops[] = {"AND", "OR", "XOR", "NOT"};
    int k = (int)rnd(0, 3);
    const char *key = rnd(0, 40) == 0 ? "lst" : NULL;
    char kb[8];
    snprintf(kb, sizeof(kb), "b%d", k);
    if (key == NULL)
        key = kb;
    switch (rnd(0, 13)) {
    case 0:
    case 1:
        snprintf(line, size, "SETBIT %s %lld %lld", key, rnd(0, 9) ? rnd(0, 400) : rnd(0, 20000),
                 rnd(0, 20) ? rnd(0, 1) : 2);
        break;
    case 2:
        snprintf(line, size, "GETBIT %s %lld", key, rnd(0, 500));
        break;
    case 3:
        if (rnd(0, 3) == 0)
            snprintf(line, size, "BITCOUNT %s", key);
        else
            snprintf(line, size, "BITCOUNT %s %lld %lld%s", key, rnd(-60, 60), rnd(-60, 60),
                     units[rnd(0, 2)]);
        break;
    case 4: {
        int form = (int)rnd(0, 3);
        long long bit = rnd(0, 1);
        if (form == 0)
            snprintf(line, size, "BITPOS %s %lld", key, bit);
        else if (form == 1)
            snprintf(line, size, "BITPOS %s %lld %lld", key, bit, rnd(-60, 60));
        else
            snprintf(line, size, "BITPOS %s %lld %lld %lld%s", key, bit, rnd(-60, 60), rnd(-60, 60),
                     units[rnd(0, 2)]);
        break;
    }
    case 5: {
        int op = (int)rnd(0, 3), nsrc = op == 3 ? 1 : (int)rnd(1, 4);
        size_t n = (size_t)snprintf(line, size, "BITOP %s b%lld", ops[op], rnd(0, 4));
        for (int i = 0; i < nsrc; i++)
            n += (size_t)snprintf(line + n, size - n, " b%lld", rnd(0, 4));
        break;
    }
    case 6:
    case 7:
        snprintf(line, size, "BITFIELD%s %s", rnd(0, 4) ? "" : "_RO", key);
        for (long long i = rnd(0, 4); i > 0; i--)
            random_bitfield_op(line, size);
        break;
    case 8:
        if (rnd(0, 1))
            snprintf(line, size, "SET %s %lld", key, rnd(-100000, 100000));
        else
            snprintf(line, size, "SET %s %.*s", key, (int)rnd(1, 60),
                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        break;
    case 9:
        snprintf(line, size, "SETRANGE %s %lld xyz", key, rnd(0, 80));
        break;
    case 10:
        snprintf(line, size, "APPEND %s %lld", key, rnd(0, 999));
        break;
    case 11:
        snprintf(line, size, "%s %s", rnd(0, 1) ? "GET" : "STRLEN", key);
        break;
    case 12: {
        static const char *const opts[] = {"",
                                           " LEN",
                                           " IDX",
                                           " IDX WITHMATCHLEN",
                                           " IDX MINMATCHLEN 2",
                                           " IDX MINMATCHLEN 3 WITHMATCHLEN"};
        snprintf(line, size, "LCS b%lld b%lld%s", rnd(0, 4), rnd(0, 4), opts[rnd(0, 5)]);
        break;
    }
    default:
        snprintf(line, size, "DEL %s", key);
    }
}

static void
test_differential(void **state)
{
    struct rd r;
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    if (rd_start(&r, ctx) < 0)
        fail_msg("redis-server is installed but did not start");
    /* LCS of two keys grown by SETBIT is quadratic: slow under the sanitizers, not wrong. */
    redisSetTimeout(ctx, (struct timeval){60, 0});
    for (size_t i = 0; i < sizeof(fixed_cases) / sizeof(fixed_cases[0]); i++)
        rd_cmd(&r, fixed_cases[i]);
    long fixed = r.cases, fixed_ok = r.agreed;
    rd_cmd(&r, "FLUSHALL");
    rd_cmd(&r, "RPUSH lst x");
    rng_state = rd_seed();
    char line[2048];
    for (int i = 0; i < 4000; i++) {
        random_bitmap_command(line, sizeof(line));
        rd_cmd(&r, line);
        /* LCS over long strings is slow on both sides: keep them short. */
        if (i % 100 == 99)
            rd_cmd(&r, "DEL b0 b1 b2 b3 b4");
    }
    for (int k = 0; k <= 4; k++)
        rd_cmdf(&r, "GET b%d", k);
    fprintf(stderr, "bitmap differential: fixed %ld/%ld agree, random %ld/%ld agree\n", fixed_ok,
            fixed, r.agreed - fixed_ok, r.cases - fixed);
    long cases = r.cases, agreed = r.agreed;
    rd_stop(&r);
    assert_int_equal(agreed, cases);
}

/* ---- Memory ---- */

static long long
used_memory(void)
{
    return info_field(ctx, "memory", "used_memory");
}

static void
test_memory_baseline(void **state)
{
    long long base = used_memory();
    /* Twice: buffers that grow once and stay belong to the baseline. */
    for (int round = 0; round < 2; round++) {
        expect_int(0, "SETBIT big 8000000 1");
        for (int i = 0; i < 2000; i++)
            redisAppendCommand(ctx, "SETBIT grow %d 1", i * 13);
        for (int i = 0; i < 2000; i++) {
            redisReply *r;
            assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
            freeReplyObject(r);
        }
        assert_true(used_memory() > base + 1000000);
        expect_int(1000001, "BITOP OR dst big grow");
        cmd("BITFIELD bf SET u32 #1000 1 INCRBY i16 0 5");
        expect_ok("SET s1 abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop");
        expect_int(0, "SETBIT s1 3 1");
        expect_ok("SET i 12345");
        expect_int(0, "SETBIT i 100 1");
        cmd("LCS s1 i IDX");
        expect_int(6, "DEL big grow dst bf s1 i");
        long long after = used_memory();
        if (round == 0)
            base = after;
        else
            assert_int_equal(after, base);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_setbit_getbit, fixture_flush),
        cmocka_unit_test_setup(test_bitcount_bitpos, fixture_flush),
        cmocka_unit_test_setup(test_bitop, fixture_flush),
        cmocka_unit_test_setup(test_bitfield, fixture_flush),
        cmocka_unit_test_setup(test_lcs, fixture_flush),
        cmocka_unit_test_setup(test_differential, fixture_flush),
        cmocka_unit_test_setup(test_memory_baseline, fixture_flush),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
