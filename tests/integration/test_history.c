/* test_history.c — MEMORY HISTORY against a zmem-server started with --memory-history-len 5:
 * field names and types in RESP2 (hiredis) and RESP3 (raw bytes), oldest first about 1000 ms
 * apart, at most 5 samples, COUNT, figures in the range of INFO's, keys following SETs, CONFIG
 * SET memory-history-len resizing (keeping the newest) and turning it off, and the errors.
 * GET /history is checked with curl in test_history.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"

#define RING_LEN 5

static const char *const fields[] = {"timestamp_ms",
                                     "used_memory",
                                     "used_memory_rss",
                                     "used_memory_peak",
                                     "used_memory_private_dirty",
                                     "used_memory_overhead",
                                     "used_memory_dataset",
                                     "allocator_allocated",
                                     "allocator_active",
                                     "allocator_resident",
                                     "mem_fragmentation_ratio",
                                     "allocator_frag_ratio",
                                     "connected_clients",
                                     "keys",
                                     "evicted_keys",
                                     "expired_keys",
                                     "instantaneous_ops_per_sec",
                                     "lazyfree_pending_objects"};
#define NFIELDS ((int)(sizeof(fields) / sizeof(fields[0])))

static int
is_ratio(int f)
{
    return strstr(fields[f], "_ratio") != NULL;
}

/* One sample of a RESP2 reply, as numbers. */
struct sample {
    double v[NFIELDS];
};

/* MEMORY HISTORY [args] in RESP2: checks the shape (flat field/value arrays, names in order,
 * integers as integers, ratios as bulk doubles) and returns the samples (at most max). */
static int
history2(redisContext *c, const char *args, struct sample *out, int max)
{
    char cmd[128];
    int n = 0, ok = 1;

    snprintf(cmd, sizeof(cmd), "MEMORY HISTORY%s", args); /* hiredis splits it at spaces */
    redisReply *r = cu_run(c, cmd);

    assert_that(r && r->type == REDIS_REPLY_ARRAY, "MEMORY HISTORY%s is an array", args);
    if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject(r);
        return -1;
    }
    for (size_t i = 0; i < r->elements && n < max; i++, n++) {
        redisReply *s = r->element[i];
        if (s->type != REDIS_REPLY_ARRAY || s->elements != 2 * NFIELDS) {
            ok = 0;
            break;
        }
        for (int f = 0; f < NFIELDS; f++) {
            redisReply *k = s->element[2 * f], *v = s->element[2 * f + 1];
            if (k->type != REDIS_REPLY_STRING || strcmp(k->str, fields[f]) != 0)
                ok = 0;
            if (is_ratio(f)) {
                char *end;
                out[n].v[f] = v->type == REDIS_REPLY_STRING ? strtod(v->str, &end) : -1;
                if (v->type != REDIS_REPLY_STRING || *end != '\0')
                    ok = 0;
            } else {
                out[n].v[f] = v->type == REDIS_REPLY_INTEGER ? (double)v->integer : -1;
                if (v->type != REDIS_REPLY_INTEGER)
                    ok = 0;
            }
        }
    }
    assert_that(ok, "MEMORY HISTORY%s: %d flat arrays of the %d fields in order, typed", args, n,
                NFIELDS);
    n = (int)r->elements;
    freeReplyObject(r);
    return n;
}

static void
history_error(redisContext *c, const char *cmd, const char *text)
{
    redisReply *r = cu_run(c, cmd);
    assert_that(r && r->type == REDIS_REPLY_ERROR && strcmp(r->str, text) == 0,
                "%s -> %s (want %s)", cmd, r ? r->str : "(null)", text);
    if (r)
        freeReplyObject(r);
}

static void
sleep_ms(int ms)
{
    usleep((useconds_t)ms * 1000);
}

/* ---- RESP3, from the raw bytes: an array of maps ---- */

struct cursor {
    const char *p, *end;
};

/* Reads "<t><number>\r\n" with t the expected type byte; returns the number, or -1. */
static long long
resp_header(struct cursor *c, char t)
{
    if (c->p >= c->end || *c->p != t)
        return -1;
    char *e;
    long long n = strtoll(c->p + 1, &e, 10);
    if (e[0] != '\r' || e[1] != '\n')
        return -1;
    c->p = e + 2;
    return n;
}

static int
resp3_history(const char *raw, size_t len, int want)
{
    struct cursor c = {raw, raw + len};
    /* HELLO's map first: skip to the reply after it, the last '*' at a line start. */
    const char *a = NULL;
    for (const char *p = raw; p + 1 < c.end; p++)
        if (p[0] == '\n' && p[1] == '*')
            a = p + 1;
    if (a == NULL)
        return 0;
    c.p = a;
    if (resp_header(&c, '*') != want)
        return 0;
    for (int i = 0; i < want; i++) {
        if (resp_header(&c, '%') != NFIELDS)
            return 0;
        for (int f = 0; f < NFIELDS; f++) {
            long long klen = resp_header(&c, '$');
            if (klen != (long long)strlen(fields[f]) || memcmp(c.p, fields[f], (size_t)klen) != 0)
                return 0;
            c.p += klen + 2;
            if (c.p >= c.end || *c.p != (is_ratio(f) ? ',' : ':'))
                return 0;
            c.p = strstr(c.p, "\r\n");
            if (c.p == NULL)
                return 0;
            c.p += 2;
        }
    }
    return c.p == c.end;
}

static void
test_history(void **state)
{
    struct zserver srv;
    const char *args[] = {"--memory-history-len", "5", NULL};
    struct sample s[16], t[16];

    assert_int_equal(zserver_start(&srv, args), 0);
    redisContext *c = zserver_connect(&srv);
    assert_non_null(c);
    long long t_start = harness_now_ms();
    redisReply *r = cu_run(c, "CONFIG GET memory-history-len");
    assert_that(r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
                    strcmp(r->element[1]->str, "5") == 0,
                "CONFIG GET memory-history-len 5");
    freeReplyObject(r);
    for (int i = 0; i < 10; i++)
        freeReplyObject(cu_run(c, "SET hist:%d %d", i, i));

    /* ---- About three samples after 3.4 s: oldest first, ~1000 ms apart, INFO's figures. */
    sleep_ms(3400 - (int)(harness_now_ms() - t_start));
    char *info = info_text(c, "memory");
    long long used = info_ll(info, "used_memory"), startup = info_ll(info, "used_memory_startup");
    long long peak = info_ll(info, "used_memory_peak"), rss = info_ll(info, "used_memory_rss");
    free(info);
    int n = history2(c, "", s, 16);
    printf("after 3.4 s: %d samples\n", n);
    assert_that(n >= 2 && n <= 4, "2..4 samples after 3.4 s (got %d)", n);
    for (int i = 1; i < n && i < 16; i++) {
        double gap = s[i].v[0] - s[i - 1].v[0];
        printf("  gap %d: %.0f ms\n", i, gap);
        assert_that(gap >= 800 && gap <= 1300, "sample %d is %.0f ms after the previous one", i,
                    gap);
    }
    for (int i = 0; i < n && i < 16; i++) {
        double *v = s[i].v;
        assert_that(v[13] == 10, "sample %d: keys 10 (got %.0f)", i, v[13]);
        assert_that(v[12] == 1, "sample %d: connected_clients 1 (got %.0f)", i, v[12]);
        /* An idle server between the samples and INFO: the same figures, give or take the
         * ring's own growth and a reply buffer. */
        assert_that(v[1] > startup && v[1] <= peak && v[1] >= used - 65536 && v[1] <= used + 65536,
                    "sample %d: used_memory %.0f near INFO's %lld (startup %lld, peak %lld)", i,
                    v[1], used, startup, peak);
        assert_that(v[3] >= v[1] && v[3] <= peak,
                    "sample %d: used_memory_peak %.0f in [used, %lld]", i, v[3], peak);
        assert_that(v[2] > 0 && v[2] <= 4 * rss, "sample %d: used_memory_rss %.0f (INFO %lld)", i,
                    v[2], rss);
        assert_that(v[5] + v[6] == v[1], "sample %d: overhead + dataset = used_memory", i);
        assert_that(v[7] > 0 && v[8] >= v[7] && v[9] >= v[8],
                    "sample %d: allocated <= active <= resident", i);
        assert_that(v[10] > 0 && v[10] > v[2] / v[1] - 0.001 && v[10] < v[2] / v[1] + 0.001,
                    "sample %d: mem_fragmentation_ratio %.4f ~ rss/used", i, v[10]);
        assert_that(v[11] > 0 && v[11] > v[8] / v[7] - 0.001 && v[11] < v[8] / v[7] + 0.001,
                    "sample %d: allocator_frag_ratio %.4f ~ active/allocated", i, v[11]);
        assert_that(v[0] > 1.6e12 && v[0] <= (double)harness_now_ms() + 5,
                    "sample %d: timestamp_ms is wall-clock ms", i);
    }

    /* ---- The ring holds at most 5: after 6.4 s, exactly the newest 5. */
    sleep_ms(6400 - (int)(harness_now_ms() - t_start));
    for (int i = 0; i < 10; i++)
        freeReplyObject(cu_run(c, "SET more:%d %d", i, i));
    sleep_ms(1100);
    n = history2(c, "", s, 16);
    assert_that(n == RING_LEN, "%d samples after 7.5 s (got %d)", RING_LEN, n);
    assert_that(n > 0 && s[n - 1].v[13] == 20,
                "newest sample: keys 20 after 10 more SETs (got %.0f)",
                n > 0 ? s[n - 1].v[13] : -1);
    for (int i = 1; i < n; i++)
        assert_that(s[i].v[0] > s[i - 1].v[0], "oldest first: %d after %d", i, i - 1);

    /* ---- COUNT: the newest n, oldest first. */
    int m = history2(c, " COUNT 2", t, 16);
    assert_that(m == 2, "COUNT 2 gives 2 (got %d)", m);
    /* A sample may have come in between: the two are the newest of the full list or after. */
    assert_that(m == 2 && t[0].v[0] >= s[n - 2].v[0] && t[1].v[0] > t[0].v[0],
                "COUNT 2: the newest two");
    m = history2(c, " count 100", t, 16);
    assert_that(m == RING_LEN, "COUNT 100 gives all %d (got %d)", RING_LEN, m);

    /* ---- RESP3: an array of maps, ',' doubles and ':' integers. */
    static const char req[] = "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"
                              "*4\r\n$6\r\nMEMORY\r\n$7\r\nHISTORY\r\n$5\r\nCOUNT\r\n$1\r\n3\r\n";
    size_t rawlen;
    char *raw = raw_exchange(srv.port, req, sizeof(req) - 1, 1 << 20, &rawlen);
    assert_that(resp3_history(raw, rawlen, 3), "RESP3: array of 3 maps of %d fields, typed",
                NFIELDS);
    assert_that(strstr(raw, "$23\r\nmem_fragmentation_ratio\r\n,") != NULL, "RESP3 double ratio");
    free(raw);

    /* ---- Errors, as Redis words them for a count (LPOP, SPOP) and for options. */
    const char *range = "ERR value is out of range, must be positive";
    history_error(c, "MEMORY HISTORY COUNT 0", range);
    history_error(c, "MEMORY HISTORY COUNT -1", range);
    history_error(c, "MEMORY HISTORY COUNT abc", range);
    history_error(c, "MEMORY HISTORY COUNT", "ERR syntax error");
    history_error(c, "MEMORY HISTORY SAMPLES 2", "ERR syntax error");
    history_error(c, "MEMORY HISTORY COUNT 1 COUNT", "ERR syntax error");
    history_error(c, "CONFIG SET memory-history-len -1",
                  "ERR CONFIG SET failed (possibly related to argument 'memory-history-len') - "
                  "argument must be between 0 and 1000000 inclusive");

    /* ---- CONFIG SET resizes at once, keeping the newest. */
    n = history2(c, "", s, 16);
    r = cu_run(c, "CONFIG SET memory-history-len 2");
    assert_that(r && r->type == REDIS_REPLY_STATUS, "CONFIG SET memory-history-len 2");
    freeReplyObject(r);
    m = history2(c, "", t, 16);
    assert_that(m == 2, "2 samples right after CONFIG SET 2 (got %d)", m);
    assert_that(m == 2 && n >= 2 && t[0].v[0] >= s[n - 2].v[0], "the newest two were kept");
    sleep_ms(2200);
    m = history2(c, "", t, 16);
    assert_that(m == 2 && t[1].v[0] - t[0].v[0] >= 800, "still 2 samples, still taken (got %d)", m);

    long long over_on = zserver_info_field(c, "memory", "used_memory_overhead");
    r = cu_run(c, "CONFIG SET memory-history-len 0");
    freeReplyObject(r);
    long long over_off = zserver_info_field(c, "memory", "used_memory_overhead");
    m = history2(c, "", t, 16);
    assert_that(m == 0, "history off: an empty array (got %d)", m);
    /* Two 144-byte records left the overhead (and nothing else changed in between). */
    assert_that(over_on - over_off >= 288 && over_on - over_off < 4096,
                "used_memory_overhead fell by the ring's bytes: %lld -> %lld", over_on, over_off);
    sleep_ms(1200);
    m = history2(c, "", t, 16);
    assert_that(m == 0, "history off: nothing sampled (got %d)", m);
    freeReplyObject(cu_run(c, "CONFIG SET memory-history-len 3"));
    sleep_ms(1200);
    m = history2(c, "", t, 16);
    assert_that(m >= 1 && m <= 2, "back on: sampling again (got %d)", m);

    redisFree(c);
    int st = zserver_stop(&srv);
    assert_that(st == 0, "server exits cleanly (status %d)", st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_history)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
