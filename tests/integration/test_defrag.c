/* test_defrag.c — active defragmentation through a live zmem-server.
 * - The load of issue 11 (300,000 values of 150 bytes, 100,000 of 300, then 3 of every 4 of the
 *   first kind deleted) leaves allocator_frag_ratio high; with activedefrag on it falls to 1.10
 *   or below within 60 s, active_defrag_hits counts the moves, every surviving value reads back
 *   intact and used_memory still matches the allocator's own count (jemalloc builds; other
 *   builds check that CONFIG SET activedefrag yes is refused with a clear error).
 * - DEBUG DEFRAG-ALL FORCE moves every block of every key and value of every type and encoding
 *   (any allocator, so the sanitizer builds check each pointer fix-up): contents, TTLs, ranks,
 *   reverse order (skiplist back links), list ends and used_memory are the same after, and the
 *   values stay usable. Big values go through the step-by-step path too (max-scan-fields 7).
 * - Pub/sub: forced passes move every channel, pattern and shard channel entry, subscriber
 *   array and table, in their memory category; every subscription still delivers, PUBSUB
 *   answers the same, used_memory is unchanged and back to its baseline after unsubscribing.
 * - Client-side caching: the same for the tracking key table (entries, holder arrays, table):
 *   the counts and used_memory stay, and each change still invalidates for each reader.
 * - The switches: names, defaults, CONFIG GET/SET, DEBUG MALLCTL and MALLCTL-STR (each answer
 *   Redis 7.0's, compared with a live redis-server when one is at hand). */
#include "integration/fixture.h"
#include "integration/redis_diff.h"

#define N_SMALL 300000
#define N_BIG   100000

static int
is_jemalloc(void)
{
    return strcmp(harness_malloc(), "jemalloc") == 0;
}

static double
info_f64(const char *section, const char *name)
{
    char *s = info_text(ctx, section);
    char v[64];
    int found = info_text_field(s, name, v, sizeof(v)) == 0;
    free(s);
    assert_that(found, "INFO %s has no field %s", section, name);
    return atof(v);
}

/* The value of key <prefix><i>: len bytes derived from i, so each key's bytes are its own. */
static void
make_value(char *buf, size_t len, char prefix, int i)
{
    for (size_t k = 0; k < len; k++)
        buf[k] = (char)('a' + (unsigned)(i * 7 + (int)k * 13 + prefix) % 26);
    buf[len] = '\0';
}

/* CONFIG GET name's value must be want. */
static void
expect_config(const char *name, const char *want)
{
    redisReply *r = redisCommand(ctx, "CONFIG GET %s", name);
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 2);
    assert_string_equal(r->element[1]->str, want);
    freeReplyObject(r);
}

static void
drain(int n)
{
    for (int i = 0; i < n; i++) {
        redisReply *r = NULL;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        assert_true(r->type != REDIS_REPLY_ERROR);
        freeReplyObject(r);
    }
}

static void
load(char prefix, int n, size_t len, int step)
{
    char v[512];
    int sent = 0;

    for (int i = 0; i < n; i += step) {
        make_value(v, len, prefix, i);
        redisAppendCommand(ctx, "SET %s:%d %s", (char[]){prefix, 0}, i, v);
        if (++sent == 1000) {
            drain(sent);
            sent = 0;
        }
    }
    drain(sent);
}

/* Every key <prefix>:<i> with i % keep == 0 holds its value; the others are gone. */
static void
verify(char prefix, int n, size_t len, int keep)
{
    char v[512];
    int bad = 0;

    for (int base = 0; base < n; base += 1000) {
        int hi = base + 1000 < n ? base + 1000 : n;
        for (int i = base; i < hi; i++)
            redisAppendCommand(ctx, "GET %s:%d", (char[]){prefix, 0}, i);
        for (int i = base; i < hi; i++) {
            redisReply *r = NULL;
            assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
            if (i % keep == 0) {
                make_value(v, len, prefix, i);
                if (r->type != REDIS_REPLY_STRING || r->len != len || memcmp(r->str, v, len) != 0)
                    bad++;
            } else if (r->type != REDIS_REPLY_NIL) {
                bad++;
            }
            freeReplyObject(r);
        }
    }
    assert_that(bad == 0, "%d keys %c:* read back wrong", bad, prefix);
}

/* 1 when MEMORY DOCTOR's report contains text. */
static int
doctor_says(const char *text)
{
    redisReply *r = redisCommand(ctx, "MEMORY DOCTOR");
    int found = r && r->type == REDIS_REPLY_STRING && strstr(r->str, text) != NULL;
    if (r)
        freeReplyObject(r);
    return found;
}

static void
test_issue_load(void **state)
{
    const char *args[] = {"--active-defrag-ignore-bytes",
                          "1mb",
                          "--active-defrag-threshold-lower",
                          "5",
                          "--enable-debug-command",
                          "yes",
                          NULL};
    fixture_start(args);
    if (!is_jemalloc()) {
        static const char want[] =
            "ERR CONFIG SET failed (possibly related to argument 'activedefrag') - Active "
            "defragmentation cannot be enabled: it requires zmem built with jemalloc (this build "
            "uses ";
        redisReply *r = cu_run(ctx, "CONFIG SET activedefrag yes");
        assert_int_equal(r->type, REDIS_REPLY_ERROR);
        /* then the allocator's name: "libc", "tcmalloc-2.10" */
        assert_that(
            strncmp(r->str, want, sizeof(want) - 1) == 0 &&
                strncmp(r->str + sizeof(want) - 1, harness_malloc(), strlen(harness_malloc())) == 0,
            "CONFIG SET activedefrag yes: %s", r->str);
        freeReplyObject(r);
        expect_config("activedefrag", "no");
        fixture_stop();
        return;
    }
    load('a', N_SMALL, 150, 1);
    load('b', N_BIG, 300, 1);
    for (int i = 0, sent = 0; i < N_SMALL; i++) {
        if (i % 4)
            redisAppendCommand(ctx, "DEL a:%d", i), sent++;
        if (sent == 1000 || i == N_SMALL - 1) {
            drain(sent);
            sent = 0;
        }
    }
    usleep(300000); /* a fresh allocator sample */
    double before = info_f64("memory", "allocator_frag_ratio");
    long long rss_before = info_field(ctx, "memory", "used_memory_rss");
    assert_that(before > 1.3, "the load left allocator_frag_ratio at %.2f, expected > 1.3", before);
    assert_int_equal(info_field(ctx, "memory", "active_defrag_running"), 0);
    assert_true(doctor_says("CONFIG SET activedefrag yes"));

    expect_status(ctx, "OK", "CONFIG SET activedefrag yes");
    long long t0 = harness_now_ms(), deadline = t0 + 60000LL * harness_slow();
    double ratio = before;
    int seen_running = 0, doctor_running = 0;
    while (harness_now_ms() < deadline) {
        doctor_running |= doctor_says("Active defragmentation is running");
        seen_running += info_field(ctx, "memory", "active_defrag_running") > 0;
        ratio = info_f64("memory", "allocator_frag_ratio");
        if (ratio <= 1.10)
            break;
        usleep(200000);
    }
    long long took = harness_now_ms() - t0;
    long long rss_after = info_field(ctx, "memory", "used_memory_rss");
    long long hits = info_field(ctx, "stats", "active_defrag_hits");
    print_message("allocator_frag_ratio %.2f -> %.2f in %lld ms; rss %lld -> %lld; hits %lld "
                  "misses %lld key_hits %lld key_misses %lld\n",
                  before, ratio, took, rss_before, rss_after, hits,
                  info_field(ctx, "stats", "active_defrag_misses"),
                  info_field(ctx, "stats", "active_defrag_key_hits"),
                  info_field(ctx, "stats", "active_defrag_key_misses"));
    assert_that(ratio <= 1.10, "allocator_frag_ratio still %.2f after 60 s", ratio);
    assert_true(seen_running || took < 1000);
    /* A pass seen running in INFO for a while is seen running by the doctor too. */
    assert_true(doctor_running || seen_running < 3);
    assert_true(hits > 0);
    assert_true(info_field(ctx, "stats", "active_defrag_key_hits") > 0);
    expect_int(ctx, N_SMALL / 4 + N_BIG, "DBSIZE");
    verify('a', N_SMALL, 150, 4);
    verify('b', N_BIG, 300, 1);
    /* used_memory is exact through the moves: it matches the allocator's count of live blocks
     * (which also holds a few hundred bytes glibc allocates for itself). */
    expect_status(ctx, "OK", "CONFIG SET activedefrag no");
    usleep(300000);
    long long used = info_field(ctx, "memory", "used_memory");
    long long alloc = info_field(ctx, "memory", "allocator_allocated");
    assert_that(llabs(alloc - used) < 64 * 1024, "used_memory %lld, allocator_allocated %lld", used,
                alloc);
    expect_status(ctx, "OK", "CONFIG RESETSTAT");
    assert_int_equal(info_field(ctx, "stats", "active_defrag_hits"), 0);
    fixture_stop();
}

/* ---- Every type and encoding, every block moved ---- */

static void
fill_types(void)
{
    /* strings: int, embstr, raw; with and without TTLs */
    for (int i = 0; i < 200; i++) {
        redisAppendCommand(ctx, "SET int:%d %d", i, i * 1000);
        redisAppendCommand(ctx, "SET emb:%d short-%d", i, i);
        redisAppendCommand(ctx, "SET raw:%d %0200d", i, i);
        redisAppendCommand(ctx, "PEXPIRE raw:%d %d", i, 1000000 + i);
    }
    drain(800);
    /* hashes, sets, sorted sets, lists: a small (packed) and a big one of each */
    for (int i = 0; i < 3000; i++) {
        if (i < 20) {
            redisAppendCommand(ctx, "HSET hsmall f%d v%d", i, i);
            redisAppendCommand(ctx, "SADD ssmall m%d", i);
            redisAppendCommand(ctx, "SADD sint %d", i);
            redisAppendCommand(ctx, "ZADD zsmall %d m%d", i, i);
            redisAppendCommand(ctx, "RPUSH lsmall e%d", i);
            drain(5);
        }
        redisAppendCommand(ctx, "HSET hbig field:%d value:%d", i, i);
        redisAppendCommand(ctx, "SADD sbig member:%d", i);
        redisAppendCommand(ctx, "ZADD zbig %d member:%d", (i * 37) % 1000, i);
        redisAppendCommand(ctx, "RPUSH lbig element:%d", i);
        drain(4);
    }
    expect_int(ctx, 1, "EXPIRE hbig 100000");
    expect_int(ctx, 1, "EXPIRE zbig 100000");
}

/* Everything a client can read of the keyspace, as one text. */
static char *
snapshot(void)
{
    static const char *const reads[] = {
        "HGETALL hsmall",
        "HGETALL hbig",
        "SMEMBERS ssmall",
        "SMEMBERS sint",
        "SMEMBERS sbig",
        "ZRANGE zsmall 0 -1 WITHSCORES",
        "LRANGE lsmall 0 -1",
        "ZRANGE zbig 0 -1 WITHSCORES",
        "ZREVRANGE zbig 0 -1 WITHSCORES",
        "LRANGE lbig 0 -1",
        "ZRANK zbig member:1234",
        "ZSCORE zbig member:2999",
        "LINDEX lbig -1",
        "OBJECT ENCODING hbig",
        "OBJECT ENCODING zbig",
        "OBJECT ENCODING lbig",
        "OBJECT ENCODING sbig",
        "OBJECT ENCODING hsmall",
        "OBJECT ENCODING sint",
        "DBSIZE",
    };
    size_t cap = 1 << 20, len = 0;
    char *out = malloc(cap);

    for (size_t k = 0; k < sizeof(reads) / sizeof(reads[0]); k++) {
        redisReply *r = redisCommand(ctx, reads[k]);
        assert_non_null(r);
        /* Set and hash orders depend on the table, which moves do not change. */
        for (size_t j = 0; j < (r->type == REDIS_REPLY_ARRAY ? r->elements : 1); j++) {
            const redisReply *e = r->type == REDIS_REPLY_ARRAY ? r->element[j] : r;
            char num[32];
            const char *s = e->str;
            size_t n = e->len;
            if (e->type == REDIS_REPLY_INTEGER) {
                n = (size_t)snprintf(num, sizeof(num), "%lld", e->integer);
                s = num;
            }
            while (len + n + 2 > cap)
                out = realloc(out, cap *= 2);
            memcpy(out + len, s ? s : "", s ? n : 0);
            len += s ? n : 0;
            out[len++] = '|';
        }
        freeReplyObject(r);
    }
    for (int i = 0; i < 200; i++) {
        char key[32];
        snprintf(key, sizeof(key), "raw:%d", i);
        redisReply *r = redisCommand(ctx, "GET %s", key);
        assert_int_equal(r->type, REDIS_REPLY_STRING);
        while (len + r->len + 2 > cap)
            out = realloc(out, cap *= 2);
        memcpy(out + len, r->str, r->len);
        len += r->len;
        freeReplyObject(r);
        snprintf(key, sizeof(key), "int:%d", i);
        r = redisCommand(ctx, "GET %s", key);
        assert_int_equal(r->type, REDIS_REPLY_STRING);
        assert_int_equal(atoll(r->str), i * 1000);
        freeReplyObject(r);
        assert_true(cu_int(ctx, "PTTL raw:%d", i) > 0);
    }
    out[len] = '\0';
    return out;
}

static void
forced_pass(const char *scan_fields)
{
    /* No slow log: a pass is slow under the sanitizers, and the entry (argv copies) would count
     * in used_memory. */
    const char *args[] = {"--enable-debug-command",
                          "yes",
                          "--active-defrag-max-scan-fields",
                          scan_fields,
                          "--slowlog-log-slower-than",
                          "-1",
                          NULL};
    setenv("ZMEM_CHECK_CATEGORIES", "abort", 1); /* each move in its block's own category */
    fixture_start(args);
    unsetenv("ZMEM_CHECK_CATEGORIES");
    /* Past the first second: the first memory sample and cron allocate, not in the baseline. */
    usleep(1500000);
    fill_types();
    char *before = snapshot();
    long long used = info_field(ctx, "memory", "used_memory");
    for (int round = 0; round < 3; round++)
        expect_status(ctx, "OK", "DEBUG DEFRAG-ALL FORCE");
    assert_int_equal(info_field(ctx, "memory", "used_memory"), used);
    char *after = snapshot();
    assert_string_equal(before, after);
    long long hits = info_field(ctx, "stats", "active_defrag_hits");
    /* every key, value, element node, table and pack, three times */
    assert_that(hits >= 3 * (800 + 3 * 3000), "only %lld blocks moved", hits);
    assert_int_equal(info_field(ctx, "stats", "active_defrag_misses"), 0);
    /* every key counted once per pass, big ones when their last step is done */
    assert_int_equal(info_field(ctx, "stats", "active_defrag_key_hits"), 3 * 609);
    assert_int_equal(info_field(ctx, "stats", "active_defrag_key_misses"), 0);

    /* The moved structures still work: skiplist updates, list ends, hash and set changes,
     * expiry through the expires array. */
    expect_int(ctx, 0, "ZADD zbig 5000 member:1234");
    expect_int(ctx, 2999, "ZRANK zbig member:1234");
    expect_int(ctx, 1, "ZREM zbig member:0");
    expect_int(ctx, 2999, "ZCARD zbig");
    expect_bulk(ctx, "element:0", "LPOP lbig");
    expect_bulk(ctx, "element:2999", "RPOP lbig");
    expect_int(ctx, 2999, "RPUSH lbig tail");
    expect_int(ctx, 1, "HDEL hbig field:7");
    expect_int(ctx, 1, "SREM sbig member:7");
    expect_int(ctx, 1, "PEXPIRE raw:5 1");
    usleep(50000);
    expect_nil(ctx, "GET raw:5");
    expect_status(ctx, "OK", "DEBUG DEFRAG-ALL FORCE");
    expect_int(ctx, 0, "ZREVRANK zbig member:1234");
    expect_int(ctx, 2999, "ZCARD zbig");
    expect_bulk(ctx, "tail", "LINDEX lbig -1");
    expect_int(ctx, 1, "DEL zbig");
    expect_int(ctx, 5, "DEL hbig sbig lbig hsmall zsmall");
    free(before);
    free(after);
    fixture_stop();
}

static void
test_forced_every_type(void **state)
{
    forced_pass("1000");
}

static void
test_forced_big_values_stepwise(void **state)
{
    forced_pass("7");
}

/* ---- Switches ---- */

static void
test_switches(void **state)
{
    const char *args[] = {"--enable-debug-command", "yes", NULL};
    fixture_start(args);
    static const char *const defaults[][2] = {
        {"activedefrag", "no"},
        {"active-defrag-ignore-bytes", "104857600"},
        {"active-defrag-threshold-lower", "10"},
        {"active-defrag-threshold-upper", "100"},
        {"active-defrag-cycle-min", "1"},
        {"active-defrag-cycle-max", "25"},
        {"active-defrag-max-scan-fields", "1000"},
    };
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        expect_config(defaults[i][0], defaults[i][1]);
    expect_status(ctx, "OK", "CONFIG SET active-defrag-cycle-max 50");
    expect_config("active-defrag-cycle-max", "50");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument "
                 "'active-defrag-cycle-min') - argument must be between 1 and 99 inclusive",
                 "CONFIG SET active-defrag-cycle-min 0");
    expect_status(ctx, "OK", "CONFIG SET active-defrag-ignore-bytes 2mb");
    expect_config("active-defrag-ignore-bytes", "2097152");
    assert_int_equal(info_field(ctx, "memory", "active_defrag_running"), 0);
    if (is_jemalloc()) {
        expect_status(ctx, "OK", "CONFIG SET activedefrag yes");
        assert_int_equal(cu_int(ctx, "DEBUG MALLCTL arenas.page"), 4096);
        expect_status(ctx, "OK", "DEBUG DEFRAG-ALL");
    } else {
        expect_error(ctx, "ERR Operation not supported", "DEBUG MALLCTL arenas.page");
        expect_error(ctx, "ERR Operation not supported", "DEBUG MALLCTL-STR version");
        expect_error(ctx,
                     "ERR Active defragmentation needs jemalloc (use FORCE to move every block)",
                     "DEBUG DEFRAG-ALL");
    }
    fixture_stop();
}

/* DEBUG MALLCTL and MALLCTL-STR answer as Redis 7.0's: each case's expected reply is Redis's
 * (checked against a live redis-server too when one built with jemalloc is at hand). */
static void
test_mallctl_like_redis(void **state)
{
    static const char *const cases[][2] = {
        /* an 8-byte option reads; a 4-byte one cannot be read this way, in Redis neither */
        {"DEBUG MALLCTL arenas.page", ":4096"},
        {"DEBUG MALLCTL arenas.narenas", "-ERR Invalid argument"},
        /* a read-only option given a value */
        {"DEBUG MALLCTL arenas.page 1", "-ERR Operation not permitted"},
        {"DEBUG MALLCTL arenas.page 1 extra", "-ERR Operation not permitted"},
        {"DEBUG MALLCTL arenas.page x", "-ERR value is not an integer or out of range"},
        {"DEBUG MALLCTL no.such.option", "-ERR No such file or directory"},
        {"DEBUG MALLCTL no.such.option 1", "-ERR No such file or directory"},
        /* a void option: neither read nor written with a value, called by VOID */
        {"DEBUG MALLCTL thread.tcache.flush 1", "-ERR Operation not permitted"},
        {"DEBUG MALLCTL-STR thread.tcache.flush", "-ERR Operation not permitted"},
        {"DEBUG MALLCTL-STR thread.tcache.flush x", "-ERR Operation not permitted"},
        {"DEBUG MALLCTL-STR thread.tcache.flush VOID", "+OK"},
        /* a string option reads; a refused write still answers the old value */
        {"DEBUG MALLCTL-STR opt.dss", "$secondary"},
        {"DEBUG MALLCTL-STR opt.dss primary", "$secondary"},
        {"DEBUG MALLCTL-STR arenas.narenas", "-ERR Invalid argument"},
        {"DEBUG MALLCTL-STR no.such.option x", "-ERR No such file or directory"},
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);
    const char *args[] = {"--enable-debug-command", "yes", NULL};

    fixture_start(args);
    if (!is_jemalloc()) {
        expect_error(ctx, "ERR Operation not supported", "DEBUG MALLCTL arenas.page");
        fixture_stop();
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *want = cases[i][1];
        redisReply *r = redisCommand(ctx, cases[i][0]);
        assert_non_null(r);
        if (want[0] == ':') {
            assert_int_equal(r->type, REDIS_REPLY_INTEGER);
            assert_int_equal(r->integer, atoll(want + 1));
        } else {
            int type = want[0] == '-'   ? REDIS_REPLY_ERROR
                       : want[0] == '+' ? REDIS_REPLY_STATUS
                                        : REDIS_REPLY_STRING;
            assert_that(r->type == type && strcmp(r->str, want + 1) == 0, "%s: want %s, got %s",
                        cases[i][0], want, r->str ? r->str : "(no text)");
        }
        freeReplyObject(r);
    }
    redisReply *v = redisCommand(ctx, "DEBUG MALLCTL-STR version");
    assert_int_equal(v->type, REDIS_REPLY_STRING);
    assert_true(strncmp(v->str, "5.", 2) == 0);
    freeReplyObject(v);

    /* The same commands on Redis itself, when its allocator is jemalloc too. */
    struct rd rd;
    require_tool("redis-server", "Redis 7.0's DEBUG MALLCTL replies to compare with");
    if (rd_start_with(&rd, ctx, "--enable-debug-command", "yes") < 0)
        fail_msg("redis-server is installed but did not start");
    redisReply *a = redisCommand(rd.redis, "INFO memory");
    int redis_je = a && a->str && strstr(a->str, "mem_allocator:jemalloc") != NULL;
    if (a)
        freeReplyObject(a);
    if (redis_je) {
        for (size_t i = 0; i < n; i++)
            rd_cmd(&rd, cases[i][0]);
        rd_cmd(&rd, "DEBUG MALLCTL");
    } else {
        fprintf(stderr, "SKIP: redis-server is not built with jemalloc: no live comparison\n");
    }
    long cases_n = rd.cases, agreed = rd.agreed;
    rd_stop(&rd);
    assert_int_equal(agreed, cases_n);
    fixture_stop();
}

/* ---- Pub/sub ---- */

#define N_CHAN  1500 /* channels: subscriber A has all, B the first half */
#define N_PAT   200  /* patterns of B: "ch:<i>" and "nomatch:<i>" */
#define N_SHARD 300  /* shard channels of C */

/* Send a subscription command for each name and read every confirmation. */
static void
subscribe_all(redisContext *c, const char *cmd, const char *prefix, int n)
{
    for (int i = 0; i < n; i++) {
        redisAppendCommand(c, "%s %s%d", cmd, prefix, i);
    }
    for (int i = 0; i < n; i++) {
        redisReply *r = NULL;
        assert_int_equal(redisGetReply(c, (void **)&r), REDIS_OK);
        assert_int_equal(r->type, REDIS_REPLY_ARRAY);
        freeReplyObject(r);
    }
}

static int
cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* What a client can see of the pub/sub state, as one text (channel lists sorted: their order
 * is the table's, which may rehash between two reads). */
static char *
pubsub_snapshot(void)
{
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    const char *cmds[] = {"PUBSUB NUMPAT", "PUBSUB CHANNELS", "PUBSUB SHARDCHANNELS",
                          "PUBSUB NUMSUB ch:0 ch:749 ch:750 ch:1499 nope",
                          "PUBSUB SHARDNUMSUB sh:0 sh:299 nope"};
    for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
        redisReply *r = redisCommand(ctx, cmds[k]);
        assert_non_null(r);
        size_t n = r->type == REDIS_REPLY_ARRAY ? r->elements : 1;
        char **items = calloc(n + 1, sizeof(*items));
        for (size_t j = 0; j < n; j++) {
            const redisReply *e = r->type == REDIS_REPLY_ARRAY ? r->element[j] : r;
            items[j] = malloc(64);
            if (e->type == REDIS_REPLY_INTEGER)
                snprintf(items[j], 64, "%lld|", e->integer);
            else
                snprintf(items[j], 64, "%.*s|", (int)e->len, e->str);
        }
        if (strstr(cmds[k], "CHANNELS"))
            qsort(items, n, sizeof(*items), cmp_str);
        for (size_t j = 0; j < n; j++) {
            size_t l = strlen(items[j]);
            while (len + l + 2 > cap)
                out = realloc(out, cap *= 2);
            memcpy(out + len, items[j], l);
            len += l;
            free(items[j]);
        }
        out[len++] = '\n';
        free(items);
        freeReplyObject(r);
    }
    out[len] = '\0';
    return out;
}

/* PUBLISH (or SPUBLISH) msg on each name; each must reach `want(i)` subscribers. */
static void
publish_all(const char *cmd, const char *prefix, int n, int (*want)(int))
{
    for (int i = 0; i < n; i++) {
        redisAppendCommand(ctx, "%s %s%d m%d", cmd, prefix, i, i);
    }
    for (int i = 0; i < n; i++) {
        redisReply *r = NULL;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        assert_that(r->type == REDIS_REPLY_INTEGER && r->integer == want(i),
                    "%s #%d reached %lld subscribers, want %d", cmd, i, r->integer, want(i));
        freeReplyObject(r);
    }
}

static int
receivers_chan(int i)
{
    return 1 + (i < N_CHAN / 2) + (i < N_PAT); /* A, B, and B's pattern ch:<i> */
}

static int
receivers_shard(int i)
{
    (void)i;
    return 1;
}

/* Read n messages of kind on c: message i names channel <prefix><i>. */
static void
expect_messages(redisContext *c, const char *kind, const char *prefix, int n)
{
    for (int i = 0; i < n; i++) {
        redisReply *r = NULL;
        char ch[32], msg[32];
        assert_int_equal(redisGetReply(c, (void **)&r), REDIS_OK);
        snprintf(ch, sizeof(ch), "%s%d", prefix, i);
        snprintf(msg, sizeof(msg), "m%d", i);
        assert_int_equal(r->type, REDIS_REPLY_ARRAY);
        assert_int_equal(r->elements, 3);
        assert_string_equal(r->element[0]->str, kind);
        assert_string_equal(r->element[1]->str, ch);
        assert_string_equal(r->element[2]->str, msg);
        freeReplyObject(r);
    }
}

/* Many channels, patterns and shard channels: forced passes move every entry, subscriber
 * array and table (under the category checker: a block freed under another category than its
 * own kills the server); afterwards every subscription still delivers, PUBSUB answers the
 * same, used_memory did not change, and unsubscribing brings it back to the baseline. */
static void
test_forced_pubsub(void **state)
{
    const char *args[] = {"--enable-debug-command", "yes", "--slowlog-log-slower-than", "-1", NULL};
    setenv("ZMEM_CHECK_CATEGORIES", "abort", 1);
    fixture_start(args);
    unsetenv("ZMEM_CHECK_CATEGORIES");
    redisContext *a = zserver_connect(&srv), *b = zserver_connect(&srv), *c = zserver_connect(&srv);
    assert_true(a && b && c);
    usleep(1500000); /* past the first sample and cron, as forced_pass */
    /* One small round of every command first: their first use allocates for good (statistics
     * rows), which is not what the baseline is about. */
    subscribe_all(a, "SUBSCRIBE", "ch:", 1);
    subscribe_all(b, "PSUBSCRIBE", "ch:", 1);
    subscribe_all(c, "SSUBSCRIBE", "sh:", 1);
    free(pubsub_snapshot());
    expect_int(ctx, 2, "PUBLISH ch:0 x");
    expect_int(ctx, 1, "SPUBLISH sh:0 x");
    subscribe_all(a, "UNSUBSCRIBE", "ch:", 1); /* reads the message, then the confirmation: */
    subscribe_all(b, "PUNSUBSCRIBE", "ch:", 1);
    subscribe_all(c, "SUNSUBSCRIBE", "sh:", 1);
    redisContext *warm[3] = {a, b, c};
    for (int k = 0; k < 3; k++) {
        redisReply *r = NULL;
        assert_int_equal(redisGetReply(warm[k], (void **)&r), REDIS_OK);
        assert_true(r->type == REDIS_REPLY_ARRAY && strstr(r->element[0]->str, "unsubscribe"));
        freeReplyObject(r);
    }
    long long base = info_field(ctx, "memory", "used_memory");

    subscribe_all(a, "SUBSCRIBE", "ch:", N_CHAN);
    subscribe_all(b, "SUBSCRIBE", "ch:", N_CHAN / 2);
    for (int i = 0; i < N_PAT; i++) {
        redisAppendCommand(b, "PSUBSCRIBE nomatch:%d", i); /* matches no channel */
        redisAppendCommand(b, "PSUBSCRIBE ch:%d", i);      /* matches ch:<i> only */
    }
    for (int i = 0; i < 2 * N_PAT; i++) {
        redisReply *r = NULL;
        assert_int_equal(redisGetReply(b, (void **)&r), REDIS_OK);
        freeReplyObject(r);
    }
    subscribe_all(c, "SSUBSCRIBE", "sh:", N_SHARD);
    char *before = pubsub_snapshot();
    long long used = info_field(ctx, "memory", "used_memory");

    for (int round = 0; round < 2; round++)
        expect_status(ctx, "OK", "DEBUG DEFRAG-ALL FORCE");
    assert_int_equal(info_field(ctx, "memory", "used_memory"), used);
    long long other = info_field(ctx, "stats", "active_defrag_other_hits");
    /* each entry and its subscriber array, twice (the tables on top) */
    long long entries = N_CHAN + 2 * N_PAT + N_SHARD;
    assert_that(other >= 2 * 2 * entries, "only %lld pub/sub blocks moved", other);
    assert_true(info_field(ctx, "stats", "active_defrag_hits") >= other);
    char *after = pubsub_snapshot();
    assert_string_equal(before, after);

    /* Every channel, pattern and shard channel still delivers, to each of its subscribers. */
    publish_all("PUBLISH", "ch:", N_CHAN, receivers_chan);
    publish_all("SPUBLISH", "sh:", N_SHARD, receivers_shard);
    expect_messages(a, "message", "ch:", N_CHAN);
    for (int i = 0; i < N_CHAN; i++) {
        /* B: the message, then the pattern's for the first N_PAT channels, in that order */
        char ch[32];
        snprintf(ch, sizeof(ch), "ch:%d", i);
        if (i < N_CHAN / 2) {
            redisReply *r = NULL;
            assert_int_equal(redisGetReply(b, (void **)&r), REDIS_OK);
            assert_string_equal(r->element[0]->str, "message");
            assert_string_equal(r->element[1]->str, ch);
            freeReplyObject(r);
        }
        if (i < N_PAT) {
            redisReply *r = NULL;
            assert_int_equal(redisGetReply(b, (void **)&r), REDIS_OK);
            assert_string_equal(r->element[0]->str, "pmessage");
            assert_string_equal(r->element[1]->str, ch);
            assert_string_equal(r->element[2]->str, ch);
            freeReplyObject(r);
        }
    }
    expect_messages(c, "smessage", "sh:", N_SHARD);

    /* And the moved state unwinds exactly: each client unsubscribes from everything. */
    redisContext *subs[3] = {a, b, c};
    const int replies[3] = {N_CHAN, N_CHAN / 2 + 2 * N_PAT, N_SHARD};
    redisAppendCommand(a, "UNSUBSCRIBE");
    redisAppendCommand(b, "UNSUBSCRIBE");
    redisAppendCommand(b, "PUNSUBSCRIBE");
    redisAppendCommand(c, "SUNSUBSCRIBE");
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < replies[k]; i++) {
            redisReply *r = NULL;
            assert_int_equal(redisGetReply(subs[k], (void **)&r), REDIS_OK);
            freeReplyObject(r);
        }
    }
    expect_int(ctx, 0, "PUBSUB NUMPAT");
    assert_int_equal(info_field(ctx, "stats", "pubsub_channels"), 0);
    assert_int_equal(info_field(ctx, "stats", "pubsubshard_channels"), 0);
    assert_int_equal(info_field(ctx, "memory", "used_memory"), base);
    redisFree(a);
    redisFree(b);
    redisFree(c);
    free(before);
    free(after);
    fixture_stop();
}

/* ---- Client-side caching ---- */

#define N_TRACKED 1000 /* keys t:<i>: client X tracks all, Y the first half */

/* Send s on fd and read until what arrived ends with suffix; the text read (malloc'd). */
static char *
read_until(int fd, const char *s, const char *suffix)
{
    size_t len = 0, cap = 1 << 20, sl = strlen(suffix);
    char *buf = malloc(cap);
    long long deadline = harness_now_ms() + 10000LL * harness_slow();

    if (s)
        raw_sends(fd, s);
    while (harness_now_ms() < deadline && (len < sl || memcmp(buf + len - sl, suffix, sl) != 0)) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        if (len + 16384 > cap)
            buf = realloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    buf[len] = '\0';
    assert_that(len >= sl && memcmp(buf + len - sl, suffix, sl) == 0, "no reply ending in %s",
                suffix);
    return buf;
}

/* A RESP3 connection with tracking on that has read keys t:0 .. t:<n-1>. */
static int
tracking_client(int n)
{
    int fd = raw_connect(srv.port);
    free(read_until(fd, "HELLO 3\r\n", "\r\n"));
    free(read_until(fd, "CLIENT TRACKING ON\r\nPING\r\n", "+PONG\r\n"));
    for (int i = 0; i < n; i++) {
        char cmd[64];
        snprintf(cmd, sizeof(cmd), "GET t:%d\r\n", i);
        raw_sends(fd, cmd);
    }
    free(read_until(fd, "PING\r\n", "+PONG\r\n"));
    return fd;
}

/* The invalidation pushes for keys t:<from> .. t:<to-1>, in order, then PING's answer. */
static char *
pushes(int from, int to)
{
    char *out = malloc((size_t)(to - from) * 64 + 16), *p = out;
    for (int i = from; i < to; i++) {
        char key[32];
        int kl = snprintf(key, sizeof(key), "t:%d", i);
        p += sprintf(p, ">2\r\n$10\r\ninvalidate\r\n*1\r\n$%d\r\n%s\r\n", kl, key);
    }
    strcpy(p, "+PONG\r\n");
    return out;
}

/* The tracking key table: forced passes move every key entry, holder array and table; the
 * counts and used_memory stay, and each change still reaches each client that read the key. */
static void
test_forced_tracking(void **state)
{
    const char *args[] = {"--enable-debug-command", "yes", "--slowlog-log-slower-than", "-1", NULL};
    setenv("ZMEM_CHECK_CATEGORIES", "abort", 1);
    fixture_start(args);
    unsetenv("ZMEM_CHECK_CATEGORIES");
    for (int i = 0; i < N_TRACKED; i++)
        redisAppendCommand(ctx, "SET t:%d v", i);
    drain(N_TRACKED);
    int x = tracking_client(N_TRACKED), y = tracking_client(N_TRACKED / 2);
    assert_int_equal(info_field(ctx, "stats", "tracking_total_keys"), N_TRACKED);
    assert_int_equal(info_field(ctx, "stats", "tracking_total_items"), N_TRACKED * 3 / 2);
    long long used = info_field(ctx, "memory", "used_memory");
    long long other0 = info_field(ctx, "stats", "active_defrag_other_hits");

    for (int round = 0; round < 2; round++)
        expect_status(ctx, "OK", "DEBUG DEFRAG-ALL FORCE");
    assert_int_equal(info_field(ctx, "memory", "used_memory"), used);
    long long other = info_field(ctx, "stats", "active_defrag_other_hits") - other0;
    assert_that(other >= 2 * 2 * N_TRACKED, "only %lld tracking blocks moved", other);
    assert_int_equal(info_field(ctx, "stats", "tracking_total_keys"), N_TRACKED);
    assert_int_equal(info_field(ctx, "stats", "tracking_total_items"), N_TRACKED * 3 / 2);

    /* Each change reaches each reader, once, in order; then the table is empty. */
    for (int i = 0; i < N_TRACKED; i++)
        redisAppendCommand(ctx, "SET t:%d w", i);
    drain(N_TRACKED);
    char *want_x = pushes(0, N_TRACKED), *want_y = pushes(0, N_TRACKED / 2);
    char *got_x = read_until(x, "PING\r\n", "+PONG\r\n");
    char *got_y = read_until(y, "PING\r\n", "+PONG\r\n");
    assert_string_equal(got_x, want_x);
    assert_string_equal(got_y, want_y);
    assert_int_equal(info_field(ctx, "stats", "tracking_total_keys"), 0);
    assert_int_equal(info_field(ctx, "stats", "tracking_total_items"), 0);
    free(want_x);
    free(want_y);
    free(got_x);
    free(got_y);
    close(x);
    close(y);
    fixture_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_switches, fixture_teardown),
        cmocka_unit_test_teardown(test_mallctl_like_redis, fixture_teardown),
        cmocka_unit_test_teardown(test_forced_every_type, fixture_teardown),
        cmocka_unit_test_teardown(test_forced_big_values_stepwise, fixture_teardown),
        cmocka_unit_test_teardown(test_forced_pubsub, fixture_teardown),
        cmocka_unit_test_teardown(test_forced_tracking, fixture_teardown),
        cmocka_unit_test_teardown(test_issue_load, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
