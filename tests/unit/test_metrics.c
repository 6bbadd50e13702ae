/* test_metrics.c — the metric table (metrics_def.h) and its three renderers: every row has help,
 * names are unique in each form, Prometheus suffixes follow the rules, # Memory lists Redis
 * 7.0's 51 fields in Redis's order, each rendered output holds exactly the table's names, and
 * metrics_collect() writes every LIVE row of the sections it collects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "info.h"
#include "metrics.h"
#include "metrics_ref.h"
#include "tools.h"
#include "util.h"

/* ---- A small set of strings (names seen in a rendered output). ---- */

#define NAMES_MAX 512
struct names {
    char *v[NAMES_MAX];
    int n;
};

static int
names_has(const struct names *s, const char *name, size_t len)
{
    for (int i = 0; i < s->n; i++)
        if (strlen(s->v[i]) == len && memcmp(s->v[i], name, len) == 0)
            return 1;
    return 0;
}

static void
names_add(struct names *s, const char *name, size_t len)
{
    assert_true(s->n < NAMES_MAX);
    s->v[s->n] = strndup(name, len);
    s->n++;
}

static void
names_free(struct names *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->v[i]);
    s->n = 0;
}

/* A snapshot with every value set, as a server would hand it over (zeros, "x" for text). */
static void
fake_snapshot(struct metrics_snapshot *s)
{
    memset(s, 0, sizeof(*s));
    for (int id = 0; id < M_COUNT; id++)
        if (metric_defs[id].kind == MK_STR)
            s->v[id].s = "x";
}

/* The INFO names the table declares for one section set, _human twins included. */
static void
expected_info_names(struct names *out, unsigned mask)
{
    char tmp[128];
    for (int id = 0; id < M_COUNT; id++) {
        const struct metric_def *d = &metric_defs[id];
        if (d->info == NULL || !(mask & MS_BIT(d->sect)))
            continue;
        names_add(out, d->info, strlen(d->info));
        if (d->unit == MU_BYTES_H) {
            snprintf(tmp, sizeof(tmp), "%s_human", d->info);
            names_add(out, tmp, strlen(tmp));
        }
    }
}

/* ---- The table itself. ---- */

/* How many times row id appears in METRICS_MEMORY_STATS (the MEMORY STATS order). */
static int
stats_order_count(int id)
{
    static const int order[] = {
#define ORDER_KEY(row) M_##row,
#define ORDER_DBS()    -1,
        METRICS_MEMORY_STATS(ORDER_KEY, ORDER_DBS)
#undef ORDER_KEY
#undef ORDER_DBS
    };
    int n = 0;

    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        n += order[i] == id;
    return n;
}

static void
test_every_row_has_help(void **state)
{
    (void)state;
    for (int id = 0; id < M_COUNT; id++) {
        const struct metric_def *d = &metric_defs[id];
        assert_non_null(d->help);
        assert_true(strlen(d->help) > 10);
        /* A row shown nowhere would be dead weight. */
        assert_true(d->info || d->stats || d->prom);
        assert_true(d->sect < MS_COUNT);
    }
}

static void
test_names_unique_in_each_form(void **state)
{
    struct names info = {0}, stats = {0}, prom = {0};
    (void)state;

    expected_info_names(&info, MS_ALL);
    for (int i = 0; i < info.n; i++)
        for (int j = i + 1; j < info.n; j++)
            assert_string_not_equal(info.v[i], info.v[j]);
    for (int id = 0; id < M_COUNT; id++) {
        const struct metric_def *d = &metric_defs[id];
        if (d->stats) {
            assert_false(names_has(&stats, d->stats, strlen(d->stats)));
            names_add(&stats, d->stats, strlen(d->stats));
        }
        if (d->prom) {
            assert_false(names_has(&prom, d->prom, strlen(d->prom)));
            names_add(&prom, d->prom, strlen(d->prom));
        }
        /* A MEMORY STATS key has one place in MEMORY STATS's order, and only a key has one. */
        assert_int_equal(stats_order_count(id), d->stats != NULL);
    }
    names_free(&info);
    names_free(&stats);
    names_free(&prom);
}

static void
test_prometheus_suffix_rules(void **state)
{
    (void)state;
    for (int id = 0; id < M_COUNT; id++) {
        const struct metric_def *d = &metric_defs[id];
        if (d->prom == NULL)
            continue;
        size_t n = strlen(d->prom);
        int total = n > 6 && strcmp(d->prom + n - 6, "_total") == 0;
        if (d->type == MT_COUNTER)
            assert_true(total);
        else
            assert_false(total);
        for (const char *p = d->prom; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
    }
}

static void
test_memory_fields_in_redis_order(void **state)
{
    struct names mem = {0};
    (void)state;

    expected_info_names(&mem, MS_BIT(MS_MEMORY));
    assert_true(mem.n >= 51);
    for (int i = 0; i < 51; i++)
        assert_string_equal(mem.v[i], redis_memory_fields[i]);
    names_free(&mem);
}

static void
test_section_mask(void **state)
{
    const char *a[] = {"MeMoRy", "cpu", "memory", "bogus"};
    size_t al[] = {6, 3, 6, 5};
    const char *b[] = {"everything"};
    size_t bl[] = {10};
    const char *c[] = {"default", "commandstats"};
    size_t cl[] = {7, 12};
    (void)state;

    assert_int_equal(metrics_section_mask(0, NULL, NULL), MS_DEFAULT);
    assert_int_equal(metrics_section_mask(4, a, al), MS_BIT(MS_MEMORY) | MS_BIT(MS_CPU));
    assert_int_equal(metrics_section_mask(1, a + 3, al + 3), 0);
    assert_int_equal(metrics_section_mask(1, b, bl), MS_ALL);
    assert_int_equal(metrics_section_mask(2, c, cl), MS_DEFAULT | MS_BIT(MS_COMMANDSTATS));
    assert_false(MS_DEFAULT & MS_BIT(MS_COMMANDSTATS));
    assert_false(MS_DEFAULT & MS_BIT(MS_LATENCYSTATS));
}

/* ---- Rendered INFO holds exactly the table's names, in CRLF lines under ordered headers. ---- */

static void
test_info_render_matches_table(void **state)
{
    struct metrics_snapshot s;
    struct buf out = BUF_INIT;
    struct names want = {0}, got = {0};
    int last_sect = -1;
    (void)state;

    fake_snapshot(&s);
    metrics_format_info(&out, &s, MS_ALL, 0);
    expected_info_names(&want, MS_ALL);

    const char *p = out.data, *end = out.data + out.len;
    assert_true(out.len > 2 && memcmp(end - 2, "\r\n", 2) == 0);
    assert_true(memcmp(p, "# Server\r\n", 10) == 0);
    while (p < end) {
        const char *eol = memchr(p, '\r', (size_t)(end - p));
        assert_non_null(eol);
        assert_true(eol + 1 < end && eol[1] == '\n'); /* every line ends in CRLF */
        size_t len = (size_t)(eol - p);
        if (len > 2 && p[0] == '#' && p[1] == ' ') {
            int sect = -1;
            for (int k = 0; k < MS_COUNT; k++)
                if (strlen(metrics_section_title(k)) == len - 2 &&
                    memcmp(metrics_section_title(k), p + 2, len - 2) == 0)
                    sect = k;
            assert_true(sect > last_sect); /* headers in the fixed order */
            last_sect = sect;
        } else if (len > 0) {
            const char *colon = memchr(p, ':', len);
            assert_non_null(colon);
            assert_false(names_has(&got, p, (size_t)(colon - p)));
            names_add(&got, p, (size_t)(colon - p));
        }
        p = eol + 2;
    }
    assert_int_equal(last_sect, MS_KEYSPACE);
    assert_int_equal(got.n, want.n);
    for (int i = 0; i < want.n; i++)
        assert_true(names_has(&got, want.v[i], strlen(want.v[i])));
    names_free(&want);
    names_free(&got);
    buf_free(&out);
}

static void
test_info_value_formats(void **state)
{
    struct metrics_snapshot s;
    struct buf out = BUF_INIT;
    (void)state;

    fake_snapshot(&s);
    s.v[M_USED_MEMORY].u = 1040872;
    s.v[M_USED_MEMORY_PEAK_PERC].d = 100.17;
    s.v[M_MEM_FRAGMENTATION_RATIO].d = 13.024;
    s.v[M_USED_CPU_SYS].d = 0.061012;
    s.v[M_MAXMEMORY].i = 0;
    s.v[M_RDB_LAST_BGSAVE_TIME_SEC].i = -1;
    metrics_format_info(&out, &s, MS_ALL, 0);
    buf_append(&out, "", 1);
    assert_non_null(strstr(out.data, "\r\nused_memory:1040872\r\nused_memory_human:1016.48K\r\n"));
    assert_non_null(strstr(out.data, "\r\nused_memory_peak_perc:100.17%\r\n"));
    assert_non_null(strstr(out.data, "\r\nmem_fragmentation_ratio:13.02\r\n"));
    assert_non_null(strstr(out.data, "\r\nused_cpu_sys:0.061012\r\n"));
    assert_non_null(strstr(out.data, "\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\n"));
    assert_non_null(strstr(out.data, "\r\nused_memory_lua_human:0B\r\n"));
    assert_non_null(strstr(out.data, "\r\nrdb_last_bgsave_time_sec:-1\r\n"));
    /* Sections are separated by exactly one empty line. */
    assert_non_null(strstr(out.data, "\r\n\r\n# Clients\r\n"));
    assert_null(strstr(out.data, "\r\n\r\n\r\n"));
    /* redis-cli --stat takes the first occurrence of these: it must be the real field. */
    assert_true(strstr(out.data, "used_memory") == strstr(out.data, "\r\nused_memory:") + 2);
    assert_true(strstr(out.data, "loading") == strstr(out.data, "\r\nloading:") + 2);
    buf_free(&out);
}

/* INFO formats numbers without printf: it must print what printf and bytes_to_human() print. */
static void
test_info_numbers_match_printf(void **state)
{
    struct metrics_snapshot s;
    char want[96], *line;
    unsigned long long n = 1;
    double x = 0.001;
    (void)state;

    /* Edges first: unit boundaries, .xx5 cases, exact binary ties (1.125 prints 1.12). */
    static const unsigned long long edge_n[] = {0,
                                                1,
                                                1023,
                                                1024,
                                                1025,
                                                1034,
                                                1048565,
                                                1048566,
                                                1048575,
                                                1048576,
                                                1073741823,
                                                1073741824,
                                                1099511627776ULL,
                                                1125899906842624ULL,
                                                1152921504606846976ULL};
    static const double edge_x[] = {0,
                                    0.005,
                                    0.015,
                                    0.125,
                                    1.125,
                                    2.675,
                                    1.005,
                                    99.995,
                                    1023.995,
                                    0.0000005,
                                    13.024999999999999,
                                    1e12};
    const int nedge_n = (int)(sizeof(edge_n) / sizeof(*edge_n));
    const int nedge_x = (int)(sizeof(edge_x) / sizeof(*edge_x));

    for (int i = 0; i < 4000; i++) {
        struct buf out = BUF_INIT;
        /* Then byte counts and ratios spread over every magnitude. */
        n = i % 4 == 0 ? n * 3 + 1 : i % 4 == 1 ? n + 5 : n * 2 + 7;
        if (n > (1ULL << 62))
            n = (unsigned long long)i * 1023;
        x = x * 1.37 + 0.0051;
        if (x > 1e9)
            x = (double)i / 997;
        if (i < nedge_n)
            n = edge_n[i];
        if (i < nedge_x)
            x = edge_x[i];
        fake_snapshot(&s);
        s.v[M_USED_MEMORY].u = n;
        s.v[M_MEM_FRAGMENTATION_RATIO].d = x;
        s.v[M_USED_MEMORY_PEAK_PERC].d = (double)(float)x;
        s.v[M_USED_CPU_SYS].d = x / 3;
        metrics_format_info(&out, &s, MS_BIT(MS_MEMORY) | MS_BIT(MS_CPU), 0);
        buf_append(&out, "", 1);
        char human[64];
        bytes_to_human(human, sizeof(human), n);
        snprintf(want, sizeof(want), "\r\nused_memory_human:%s\r\n", human);
        line = strstr(out.data, want);
        assert_non_null(line);
        snprintf(want, sizeof(want), "\r\nmem_fragmentation_ratio:%.2f\r\n", x);
        assert_non_null(strstr(out.data, want));
        snprintf(want, sizeof(want), "\r\nused_memory_peak_perc:%.2f%%\r\n", (double)(float)x);
        assert_non_null(strstr(out.data, want));
        snprintf(want, sizeof(want), "\r\nused_cpu_sys:%.6f\r\n", x / 3);
        assert_non_null(strstr(out.data, want));
        buf_free(&out);
    }
}

/* ---- Prometheus text holds exactly the table's names, and promtool accepts it. ---- */

static void
test_prom_render_matches_table(void **state)
{
    struct metrics_snapshot s;
    struct buf out = BUF_INIT;
    struct names want = {0}, got = {0};
    char tmp[160];
    (void)state;

    fake_snapshot(&s);
    metrics_format_prom(&out, &s, 0);
    for (int id = 0; id < M_COUNT; id++)
        if (metric_defs[id].prom) {
            snprintf(tmp, sizeof(tmp), "redis_%s", metric_defs[id].prom);
            names_add(&want, tmp, strlen(tmp));
        }
    const char *p = out.data, *end = out.data + out.len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(eol);
        if (*p != '#') {
            const char *sp = memchr(p, ' ', (size_t)(eol - p));
            assert_non_null(sp);
            assert_false(names_has(&got, p, (size_t)(sp - p)));
            names_add(&got, p, (size_t)(sp - p));
        }
        p = eol + 1;
    }
    assert_int_equal(got.n, want.n);
    for (int i = 0; i < want.n; i++)
        assert_true(names_has(&got, want.v[i], strlen(want.v[i])));

    names_free(&want);
    names_free(&got);
    buf_free(&out);
}

/* The whole page, labelled families included, from live (empty) modules. */
static void
test_prom_full_page(void **state)
{
    struct buf out = BUF_INIT;
    (void)state;

    assert_int_equal(command_setup(commands_all), 0);
    assert_int_equal(db_setup(4), 0);
    metrics_render_prom(&out);
    buf_append(&out, "", 1);
    assert_non_null(strstr(out.data, "\nredis_up 1\n"));
    assert_non_null(strstr(out.data, "\nredis_db_keys{db=\"db3\"} 0\n"));
    assert_non_null(strstr(out.data, "\nredis_instance_info{"));
    assert_non_null(strstr(out.data, "redis_version=\"7.0.15\""));
    buf_free(&out);
    db_teardown();
    command_teardown();
}

/* ---- Collect writes every row of the sections it collects. ---- */

static const char *
row_name(int id)
{
    const struct metric_def *d = &metric_defs[id];
    return d->info ? d->info : d->stats ? d->stats : d->prom;
}

/* After metrics_collect() of a mask, every row of a collected section holds a value of this
 * request (CONST rows from the table, LIVE rows through a setter), and no row of another
 * section does. A LIVE row whose assignment was forgotten fails here, by name, instead of
 * printing 0 as if that were its value. */
static void
test_collect_writes_every_live_row(void **state)
{
    struct metrics_snapshot s;
    unsigned masks[MS_COUNT + 2];
    int nmask = 0, nlive = 0;
    (void)state;

    assert_int_equal(command_setup(commands_all), 0);
    assert_int_equal(db_setup(4), 0);
    for (int sect = 0; sect < MS_COUNT; sect++)
        masks[nmask++] = MS_BIT(sect);
    masks[nmask++] = MS_DEFAULT;
    masks[nmask++] = MS_ALL;
    for (int m = 0; m < nmask; m++) {
        metrics_collect(&s, masks[m]);
        for (int id = 0; id < M_COUNT; id++) {
            const struct metric_def *d = &metric_defs[id];
            int collected = (masks[m] & MS_BIT(d->sect)) != 0;
            if (collected && !metrics_written(&s, id))
                fail_msg("%s row %s (section %s) was not written by metrics_collect()",
                         d->live ? "LIVE" : "CONST", row_name(id), metrics_section_title(d->sect));
            if (!collected && metrics_written(&s, id))
                fail_msg("row %s written though section %s was not collected", row_name(id),
                         metrics_section_title(d->sect));
            if (collected && !d->live)
                assert_memory_equal(&s.v[id], &d->value, sizeof(d->value));
            nlive += masks[m] == MS_ALL && d->live;
        }
    }
    assert_true(nlive > 0);
    db_teardown();
    command_teardown();
}

/* promtool's linter (an optional tool: CI installs prometheus) on text; exit 0 means no
 * problem. */
static void
promtool_accepts(const char *text, size_t len)
{
    char promtool[512], cmd[600];
    require_tool("promtool", "lint the Prometheus text");
    assert_int_equal(tools_find("promtool", promtool, sizeof(promtool)), 0);
    snprintf(cmd, sizeof(cmd), "'%s' check metrics >/dev/null 2>&1", promtool);
    FILE *f = popen(cmd, "w");
    assert_non_null(f);
    fwrite(text, 1, len, f);
    assert_int_equal(pclose(f), 0);
}

/* The table-driven text of test_prom_render_matches_table, through promtool. */
static void
test_prom_render_promtool(void **state)
{
    struct metrics_snapshot s;
    struct buf out = BUF_INIT;
    (void)state;

    fake_snapshot(&s);
    metrics_format_prom(&out, &s, 0);
    promtool_accepts(out.data, out.len);
    buf_free(&out);
}

/* The whole page of test_prom_full_page, through promtool. */
static void
test_prom_full_page_promtool(void **state)
{
    struct buf out = BUF_INIT;
    (void)state;

    assert_int_equal(command_setup(commands_all), 0);
    assert_int_equal(db_setup(4), 0);
    metrics_render_prom(&out);
    db_teardown();
    command_teardown();
    promtool_accepts(out.data, out.len);
    buf_free(&out);
}

/* ---- MEMORY STATS keys and types. ---- */

struct recorder {
    struct names keys;
    char types[64]; /* per key: 'i' integer, 'd' double */
    long long pairs;
};

static void
rec_map(void *ctx, long long pairs)
{
    ((struct recorder *)ctx)->pairs = pairs;
}

static void
rec_key(void *ctx, const char *key)
{
    struct recorder *r = ctx;
    names_add(&r->keys, key, strlen(key));
}

static void
rec_int(void *ctx, long long v)
{
    struct recorder *r = ctx;
    (void)v;
    r->types[r->keys.n - 1] = 'i';
}

static void
rec_dbl(void *ctx, double v)
{
    struct recorder *r = ctx;
    (void)v;
    r->types[r->keys.n - 1] = 'd';
}

static void
test_memory_stats_keys_and_types(void **state)
{
    struct metrics_snapshot s;
    struct recorder r;
    struct metrics_map_sink sink = {rec_map, rec_key, rec_int, rec_dbl, &r};
    (void)state;

    memset(&r, 0, sizeof(r));
    fake_snapshot(&s);
    metrics_render_map(&s, &sink, 0);
    assert_int_equal(r.pairs, 27);
    assert_int_equal(r.keys.n, 27);
    for (int i = 0; i < 27; i++) {
        assert_string_equal(r.keys.v[i], redis_stats_keys[i]);
        assert_int_equal(r.types[i], redis_stats_is_double(r.keys.v[i]) ? 'd' : 'i');
    }
    names_free(&r.keys);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_has_help),
        cmocka_unit_test(test_names_unique_in_each_form),
        cmocka_unit_test(test_prometheus_suffix_rules),
        cmocka_unit_test(test_memory_fields_in_redis_order),
        cmocka_unit_test(test_section_mask),
        cmocka_unit_test(test_info_render_matches_table),
        cmocka_unit_test(test_info_value_formats),
        cmocka_unit_test(test_info_numbers_match_printf),
        cmocka_unit_test(test_prom_render_matches_table),
        cmocka_unit_test(test_prom_full_page),
        cmocka_unit_test(test_prom_render_promtool),
        cmocka_unit_test(test_prom_full_page_promtool),
        cmocka_unit_test(test_memory_stats_keys_and_types),
        cmocka_unit_test(test_collect_writes_every_live_row),
    };
    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
