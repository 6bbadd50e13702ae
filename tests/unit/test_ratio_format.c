/* test_ratio_format.c — doubles as /metrics and GET /history print them: the shortest text
 * that strtod() reads back as the same double (double_to_shortest), ratios computed in double so
 * that /metrics carries no float noise, and MEMORY STATS still narrowing them to float for
 * Redis's digits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "metrics.h"
#include "util.h"

static void
test_double_to_shortest(void **state)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0, "0"},         {1, "1"},
        {1.1, "1.1"},     {0.1 + 0.2, "0.30000000000000004"},
        {7, "7"},         {1e-06, "1e-06"},
        {2e-06, "2e-06"}, {123456789.25, "123456789.25"},
        {-2.5, "-2.5"},   {1.0 / 3, "0.3333333333333333"},
    };
    char buf[64];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = double_to_shortest(buf, sizeof(buf), cases[i].v);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
    /* Any ratio a sample can produce round-trips, in at most 17 digits. */
    for (unsigned long long a = 1; a < 200000; a += 997) {
        double v = (double)(a * 7919) / (double)a / 3.0;
        double_to_shortest(buf, sizeof(buf), v);
        assert_true(strtod(buf, NULL) == v);
        assert_true(strlen(buf) <= 24);
    }
}

/* /metrics prints a ratio as the double it is (no float noise), MEMORY STATS as Redis does (the
 * float widened), INFO with two decimals. */
static void
record_map(void *ctx, long long pairs)
{
    (void)ctx;
    (void)pairs;
}

static const char *last_key;
static double frag_in_stats = -1;

static void
record_key(void *ctx, const char *key)
{
    (void)ctx;
    last_key = key;
}

static void
record_int(void *ctx, long long v)
{
    (void)ctx;
    (void)v;
}

static void
record_dbl(void *ctx, double v)
{
    (void)ctx;
    if (strcmp(last_key, "allocator-fragmentation.ratio") == 0)
        frag_in_stats = v;
}

static void
test_ratio_printing(void **state)
{
    struct metrics_snapshot s;
    struct buf out = BUF_INIT;
    struct metrics_map_sink sink = {record_map, record_key, record_int, record_dbl, NULL};
    char want[128];
    double frag = 1.1, mem = 4472832.0 / 102408.0; /* float would print 43.677726745605469 */
    (void)state;

    assert_int_equal(command_setup(commands_all), 0);
    assert_int_equal(db_setup(4), 0);
    metrics_collect(&s, MS_ALL);
    s.v[M_ALLOCATOR_FRAG_RATIO].d = frag;
    s.v[M_MEM_FRAGMENTATION_RATIO].d = mem;
    metrics_format_prom(&out, &s, 0);
    buf_append(&out, "", 1);
    assert_non_null(strstr(out.data, "\nredis_allocator_frag_ratio 1.1\n"));
    const char *p = strstr(out.data, "\nredis_mem_fragmentation_ratio ");
    assert_non_null(p);
    p += strlen("\nredis_mem_fragmentation_ratio ");
    assert_true(strtod(p, NULL) == mem); /* exact, not the float's 43.677726745605469 */
    double_to_shortest(want, sizeof(want), mem);
    assert_memory_equal(p, want, strlen(want));
    assert_int_equal(p[strlen(want)], '\n');
    printf("mem_fragmentation_ratio %s on /metrics (float would be %.17g)\n", want,
           (double)(float)mem);

    metrics_render_map(&s, &sink, 0);
    assert_true(frag_in_stats == (double)(float)frag); /* Redis's digits: 1.1000000238418579 */
    buf_free(&out);
    db_teardown();
    command_teardown();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_to_shortest),
        cmocka_unit_test(test_ratio_printing),
    };
    return cmocka_run_group_tests_name("ratio_format", tests, NULL, NULL);
}
