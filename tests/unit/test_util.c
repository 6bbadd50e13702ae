/* test_util.c — server/base/util.c: Redis's strict integer rules, doubles, memory sizes with
 * units, glob matching (CONFIG GET, KEYS, SCAN MATCH) and INFO's _human byte format. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util.h"

static int
ll(const char *s, long long *out)
{
    return str_to_ll(s, strlen(s), out);
}

static void
test_str_to_ll(void **state)
{
    long long v;
    assert_int_equal(ll("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(ll("12345", &v), 0);
    assert_int_equal(v, 12345);
    assert_int_equal(ll("-42", &v), 0);
    assert_int_equal(v, -42);
    assert_int_equal(ll("9223372036854775807", &v), 0);
    assert_true(v == LLONG_MAX);
    assert_int_equal(ll("-9223372036854775808", &v), 0);
    assert_true(v == LLONG_MIN);
    /* One spelling per value: no sign on zero, no '+', no leading zeros, no spaces. */
    const char *bad[] = {"",
                         "-",
                         "-0",
                         "+1",
                         "01",
                         " 1",
                         "1 ",
                         "1a",
                         "9223372036854775808",
                         "-9223372036854775809",
                         "99999999999999999999",
                         "1.0",
                         "0x10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ll(bad[i], &v) != -1)
            fail_msg("'%s' was accepted", bad[i]);
    /* Length is honoured: "123" inside a longer buffer. */
    assert_int_equal(str_to_ll("123456", 3, &v), 0);
    assert_int_equal(v, 123);
}

static void
test_str_to_double(void **state)
{
    double d;
    assert_int_equal(str_to_double("1.5", 3, &d), 0);
    assert_true(d == 1.5);
    assert_int_equal(str_to_double("-1e3", 4, &d), 0);
    assert_true(d == -1000.0);
    assert_int_equal(str_to_double("10", 2, &d), 0);
    assert_true(d == 10.0);
    const char *bad[] = {"", " 1", "1 ", "abc", "nan", "inf", "-inf", "1e999", "1.5x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (str_to_double(bad[i], strlen(bad[i]), &d) != -1)
            fail_msg("'%s' was accepted", bad[i]);
}

static void
test_str_to_memory(void **state)
{
    static const struct {
        const char *s;
        long long v;
    } good[] = {
        {"0", 0},
        {"100", 100},
        {"100b", 100},
        {"1k", 1000},
        {"1kb", 1024},
        {"1K", 1000},
        {"1KB", 1024},
        {"2m", 2000000},
        {"100mb", 104857600},
        {"1gb", 1073741824},
        {"3g", 3000000000LL},
        {"1Gb", 1073741824},
    };
    long long v;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (str_to_memory(good[i].s, &v) != 0 || v != good[i].v)
            fail_msg("'%s': wanted %lld", good[i].s, good[i].v);
    }
    const char *bad[] = {"", "-1", "10zb", "1.5mb", "mb", "1 mb", "abc", "99999999999gb"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (str_to_memory(bad[i], &v) != -1)
            fail_msg("'%s' was accepted", bad[i]);
}

static int
gm(const char *p, const char *s, int nocase)
{
    return glob_match(p, strlen(p), s, strlen(s), nocase);
}

static void
test_glob(void **state)
{
    assert_true(gm("*", "", 0));
    assert_true(gm("*", "anything", 0));
    assert_true(gm("max*", "maxmemory", 0));
    assert_false(gm("max*", "xmaxmemory", 0));
    assert_true(gm("*memory*", "maxmemory-policy", 0));
    assert_true(gm("h?", "hz", 0));
    assert_false(gm("h?", "h", 0));
    assert_true(gm("key[0-9]", "key7", 0));
    assert_false(gm("key[0-9]", "keyx", 0));
    assert_true(gm("key[^0-9]", "keyx", 0));
    assert_true(gm("key[abc]", "keyb", 0));
    assert_true(gm("a\\*b", "a*b", 0));
    assert_false(gm("a\\*b", "axb", 0));
    assert_true(gm("a*b*c", "aXbYbZc", 0));
    assert_false(gm("a*b*c", "aXbYbZ", 0));
    assert_false(gm("MAXMEMORY", "maxmemory", 0));
    assert_true(gm("MAXMEMORY*", "maxmemory-samples", 1));
    assert_true(gm("[A-C]x", "bx", 1));
    /* A pattern that explodes a naive backtracking matcher must finish at once. */
    char s[4001], p[64];
    memset(s, 'a', 4000);
    s[4000] = '\0';
    strcpy(p, "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
    clock_t t0 = clock();
    assert_false(gm(p, s, 0));
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
}

static void
test_bytes_to_human(void **state)
{
    static const struct {
        unsigned long long n;
        const char *s;
    } cases[] = {
        {0, "0B"},
        {200, "200B"},
        {1023, "1023B"},
        {1024, "1.00K"},
        {939376, "917.36K"},
        {1040875, "1016.48K"},
        {12383682, "11.81M"},
        {1024ULL * 1024 * 1024, "1.00G"},
        {25275996979ULL, "23.54G"},
        {1024ULL * 1024 * 1024 * 1024, "1.00T"},
        {1024ULL * 1024 * 1024 * 1024 * 1024, "1.00P"},
        {1024ULL * 1024 * 1024 * 1024 * 1024 * 1024, "1152921504606846976B"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bytes_to_human(buf, sizeof(buf), cases[i].n);
        if (strcmp(buf, cases[i].s) != 0)
            fail_msg("%llu: wanted %s, got %s", cases[i].n, cases[i].s, buf);
    }
}

static void
test_clocks(void **state)
{
    int64_t m0 = mono_us(), w = wall_ms();
    assert_true(llabs(w / 1000 - (long long)time(NULL)) <= 1);
    assert_true(mono_us() >= m0);
    assert_true(wall_us() / 1000 >= w);
    assert_true(mono_ms() >= m0 / 1000);
}

static void
test_secret_eq(void **state)
{
    assert_true(secret_eq("pw", 2, "pw", 2));
    assert_false(secret_eq("pw", 2, "pW", 2));
    assert_false(secret_eq("p", 1, "pw", 2));
    assert_false(secret_eq("pwpw", 4, "pw", 2)); /* want cycled, but the lengths differ */
    assert_false(secret_eq("", 0, "pw", 2));
    assert_false(secret_eq("", 0, "", 0)); /* no secret matches nothing */
}

static void
test_addr_is_loopback(void **state)
{
    assert_int_equal(addr_is_loopback("127.0.0.1"), 1);
    assert_int_equal(addr_is_loopback("127.1.2.3"), 1);
    assert_int_equal(addr_is_loopback("::1"), 1);
    assert_int_equal(addr_is_loopback("::ffff:127.0.0.1"), 1);
    assert_int_equal(addr_is_loopback("0.0.0.0"), 0);
    assert_int_equal(addr_is_loopback("::"), 0);
    assert_int_equal(addr_is_loopback("10.1.2.3"), 0);
    assert_int_equal(addr_is_loopback("::ffff:10.0.0.1"), 0);
    assert_int_equal(addr_is_loopback("localhost"), -1);
    assert_int_equal(addr_is_loopback(""), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_to_ll),      cmocka_unit_test(test_str_to_double),
        cmocka_unit_test(test_str_to_memory),  cmocka_unit_test(test_glob),
        cmocka_unit_test(test_bytes_to_human), cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_secret_eq),      cmocka_unit_test(test_addr_is_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
