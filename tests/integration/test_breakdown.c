/* test_breakdown.c — MEMORY BREAKDOWN through a live zmem-server run with the category checker
 * on (ZMEM_CHECK_CATEGORIES=abort: a block freed under another category than its own kills
 * the server). After each load (every type, expiry, eviction, sync and async deletes, FLUSHALL
 * ASYNC, 300 idle clients, a half-sent 1 MB bulk, a slow reader) the categories add up to
 * total to the byte, the ones that should move did, and once the load is gone each is back
 * within 1 KiB of its baseline. The lazy free thread's freed_bytes grows by the MEMORY USAGE
 * of the hash it freed. */
#include <sys/socket.h>

#include "integration/fixture.h"

#define NCAT 16

struct bd {
    long long total;
    int n;
    char name[NCAT][32];
    long long v[NCAT];
    long long lazy_freed, main_alloc;
    int has_main, has_lazy;
};

static long long
cat(const struct bd *b, const char *name)
{
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->name[i], name) == 0)
            return b->v[i];
    fail_msg("MEMORY BREAKDOWN has no %s", name);
    return 0;
}

/* Parse a MEMORY BREAKDOWN reply (RESP2: a flat field/value array), check the sum, free r. */
static void
breakdown_of(struct bd *b, redisReply *r)
{
    long long sum = 0;

    memset(b, 0, sizeof(*b));
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const char *k = r->element[i]->str;
        redisReply *v = r->element[i + 1];
        if (strcmp(k, "total") == 0) {
            b->total = v->integer;
        } else if (strcmp(k, "threads") == 0) {
            assert_int_equal(v->type, REDIS_REPLY_ARRAY);
            for (size_t t = 0; t + 1 < v->elements; t += 2) {
                redisReply *f = v->element[t + 1];
                assert_int_equal(f->elements, 4);
                if (strcmp(v->element[t]->str, "main") == 0) {
                    b->has_main = 1;
                    b->main_alloc = f->element[1]->integer;
                } else if (strcmp(v->element[t]->str, "lazyfree") == 0) {
                    b->has_lazy = 1;
                    b->lazy_freed = f->element[3]->integer;
                }
            }
        } else {
            assert_true(b->n < NCAT);
            assert_int_equal(v->type, REDIS_REPLY_INTEGER);
            snprintf(b->name[b->n], sizeof(b->name[0]), "%s", k);
            b->v[b->n++] = v->integer;
            sum += v->integer;
        }
    }
    freeReplyObject(r);
    assert_int_equal(sum, b->total);
    assert_true(b->has_main && b->has_lazy);
}

static void
breakdown(struct bd *b)
{
    breakdown_of(b, redisCommand(ctx, "MEMORY BREAKDOWN"));
}

/* Poll until used_memory holds still over two reads 100 ms apart, then read the breakdown. */
static void
quiet_breakdown(struct bd *b)
{
    long long prev = -1;
    for (int i = 0; i < 100; i++) {
        long long used = info_field(ctx, "memory", "used_memory");
        if (used == prev && info_field(ctx, "memory", "lazyfree_pending_objects") == 0)
            break;
        prev = used;
        usleep(100000);
    }
    breakdown(b);
}

/* Every category within 1 KiB of the baseline's. One exception: libevent keeps high-water
 * arrays (epoll's event array doubles when one wait returns it full, and never shrinks), so
 * after many connections closing at once eventloop may stay up to 64 KiB higher. */
static void
expect_back(const struct bd *base)
{
    struct bd now;
    quiet_breakdown(&now);
    assert_int_equal(now.n, base->n);
    for (int i = 0; i < base->n; i++) {
        long long d = now.v[i] - base->v[i];
        if (strcmp(base->name[i], "eventloop") == 0 && d > 0 && d <= 65536)
            continue;
        if (d > 1024 || d < -1024)
            fail_msg("%s: %lld now, %lld at the baseline", base->name[i], now.v[i], base->v[i]);
    }
}

static void
ok(redisReply *r)
{
    assert_non_null(r);
    assert_true(r->type != REDIS_REPLY_ERROR);
    freeReplyObject(r);
}

/* Send n pipelined commands built by fmt from i (each %d takes i), read every reply. */
static void
pipeline(int n, const char *fmt)
{
    for (int i = 0; i < n; i++)
        redisAppendCommand(ctx, fmt, i, i, i);
    for (int i = 0; i < n; i++) {
        redisReply *r;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        ok(r);
    }
}

static struct bd base;

static void
start(void)
{
    const char *args[] = {"--slowlog-log-slower-than",
                          "-1",
                          "--latency-monitor-threshold",
                          "0",
                          "--enable-debug-command",
                          "yes",
                          NULL};
    setenv("ZMEM_CHECK_CATEGORIES", "abort", 1);
    fixture_start(args);
    unsetenv("ZMEM_CHECK_CATEGORIES");
    usleep(1500000); /* past the first second: first sample, first cron */
    /* Warm up what grows once and stays: this connection's buffers, libevent's fd map (300
     * connections), the tables' first sizes. */
    pipeline(2000, "SET warm:%d %d");
    pipeline(2000, "DEL warm:%d");
    int fds[300];
    for (int i = 0; i < 300; i++)
        fds[i] = raw_connect(srv.port);
    for (int i = 0; i < 100 && info_field(ctx, "clients", "connected_clients") < 301; i++)
        usleep(20000);
    for (int i = 0; i < 300; i++)
        close(fds[i]);
    for (int i = 0; i < 100 && info_field(ctx, "clients", "connected_clients") > 1; i++)
        usleep(20000);
    quiet_breakdown(&base);
}

static void
test_types_expire_delete(void **state)
{
    struct bd now;

    start();
    pipeline(500, "SET str:%d value-%d");
    pipeline(200, "SET raw:%d %0100d");
    pipeline(300, "INCRBY int:%d %d");
    pipeline(2000, "HSET hash:%d field%d v");
    pipeline(2000, "HSET bighash f%d v");
    pipeline(2000, "RPUSH list:%d e%d");
    pipeline(2000, "SADD set:%d m%d");
    pipeline(600, "SADD iset:%d %d");
    pipeline(2000, "ZADD zset:%d %d m%d");
    pipeline(2000, "ZADD bigzset %d m%d");
    quiet_breakdown(&now);
    assert_true(cat(&now, "values.string") > cat(&base, "values.string") + 50000);
    assert_true(cat(&now, "values.hash") > cat(&base, "values.hash") + 100000);
    assert_true(cat(&now, "values.list") > cat(&base, "values.list") + 50000);
    assert_true(cat(&now, "values.set") > cat(&base, "values.set") + 50000);
    assert_true(cat(&now, "values.zset") > cat(&base, "values.zset") + 100000);
    assert_true(cat(&now, "keyspace") > cat(&base, "keyspace") + 8000);
    /* Data loaded: what nothing claims stays under 1% of the total. */
    assert_true(cat(&now, "other") * 100 < now.total);

    /* Expiry: keys with a deadline (expiry bookkeeping), then gone by the active cycle. */
    pipeline(500, "PEXPIRE str:%d 1");
    for (int i = 0; i < 100 && cu_int(ctx, "DBSIZE") > 9200; i++)
        usleep(50000);
    pipeline(500, "EXISTS str:%d");
    /* Sync and async deletes, then FLUSHALL ASYNC for the rest. */
    pipeline(200, "DEL raw:%d");
    ok(redisCommand(ctx, "UNLINK bighash bigzset"));
    ok(redisCommand(ctx, "FLUSHALL ASYNC"));
    expect_back(&base);
    fixture_stop();
}

static void
test_eviction(void **state)
{
    struct bd now;

    start();
    ok(redisCommand(ctx, "CONFIG SET maxmemory-policy allkeys-random"));
    ok(redisCommand(ctx, "CONFIG SET maxmemory %lld", base.total + 300000));
    pipeline(4000, "SET evict:%d %0200d");
    assert_true(info_field(ctx, "stats", "evicted_keys") > 0);
    quiet_breakdown(&now);
    assert_true(cat(&now, "values.string") > cat(&base, "values.string") + 100000);
    ok(redisCommand(ctx, "CONFIG SET maxmemory 0"));
    ok(redisCommand(ctx, "FLUSHALL"));
    expect_back(&base);
    fixture_stop();
}

static void
test_clients(void **state)
{
    struct bd now;
    int fds[300];

    start();
    /* 300 idle clients. */
    for (int i = 0; i < 300; i++)
        fds[i] = raw_connect(srv.port);
    for (int i = 0; i < 100 && info_field(ctx, "clients", "connected_clients") < 301; i++)
        usleep(20000);
    quiet_breakdown(&now);
    assert_true(cat(&now, "clients.other") > cat(&base, "clients.other") + 300 * 100);
    for (int i = 0; i < 300; i++)
        close(fds[i]);
    for (int i = 0; i < 100 && info_field(ctx, "clients", "connected_clients") > 1; i++)
        usleep(20000);
    expect_back(&base);

    /* A client holding a half-sent 1 MB bulk: its query buffer. */
    int fd = raw_connect(srv.port);
    raw_sends(fd, "*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$1048576\r\n");
    static char chunk[600000];
    memset(chunk, 'q', sizeof(chunk));
    raw_send(fd, chunk, sizeof(chunk));
    for (int i = 0; i < 100; i++) {
        breakdown(&now);
        if (cat(&now, "clients.query") > cat(&base, "clients.query") + 500000)
            break;
        usleep(20000);
    }
    assert_true(cat(&now, "clients.query") > cat(&base, "clients.query") + 500000);
    close(fd);
    for (int i = 0; i < 100 && info_field(ctx, "clients", "connected_clients") > 1; i++)
        usleep(20000);
    expect_back(&base);

    /* A slow reader: 4000 x 8 KB of replies it does not read, past the socket buffers (the
     * server then stops reading under backpressure). The
     * value is under the size sent by reference (reply.h REPLY_REF_MIN), so every reply is a
     * copy owned by the client: clients.reply holds them. */
    ok(redisCommand(ctx, "SET big %b", chunk, (size_t)8000));
    fd = raw_connect(srv.port);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    for (int i = 0; i < 4000; i++)
        raw_sends(fd, "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
    for (int i = 0; i < 500 * harness_slow(); i++) { /* up to 10 s: a loaded machine */
        breakdown(&now);
        if (cat(&now, "clients.reply") > cat(&base, "clients.reply") + 200000)
            break;
        usleep(20000);
    }
    /* What it holds depends on the socket buffers and the backpressure watermark (~300-500 KB
     * here); 200 KB is far above any idle movement. */
    assert_true(cat(&now, "clients.reply") > cat(&base, "clients.reply") + 200000);
    close(fd);
    for (int i = 0; i < 100 && info_field(ctx, "clients", "connected_clients") > 1; i++)
        usleep(20000);
    ok(redisCommand(ctx, "DEL big"));
    expect_back(&base);
    fixture_stop();
}

/* UNLINK of a big hash: the lazy free thread frees exactly what MEMORY USAGE said, plus the
 * job that carried it. */
static void
test_lazyfree_thread(void **state)
{
    struct bd before, after;

    start();
    pipeline(5000, "HSET lazyhash field:%d value:%d");
    long long usage = cu_int(ctx, "MEMORY USAGE lazyhash SAMPLES 0");
    assert_true(usage > 200000);
    quiet_breakdown(&before);
    ok(redisCommand(ctx, "UNLINK lazyhash"));
    quiet_breakdown(&after);
    long long freed = after.lazy_freed - before.lazy_freed;
    if (freed < usage || freed > usage + 256)
        fail_msg("lazyfree freed %lld bytes, MEMORY USAGE said %lld", freed, usage);
    assert_int_equal(cat(&after, "values.hash"), cat(&base, "values.hash"));
    expect_back(&base);
    fixture_stop();
}

/* While jobs wait for the lazy free thread their objects are under lazyfree: a FLUSHDB ASYNC
 * of 200k keys keeps the thread busy, and the UNLINKed hash queued behind it shows under
 * lazyfree at once, no longer under values.hash (both by MEMORY USAGE's estimate, so within a
 * margin). Once both jobs are done every category is back, exactly. */
static void
test_lazyfree_pending(void **state)
{
    struct bd before, during;

    start();
    ok(redisCommand(ctx, "SELECT 1"));
    ok(redisCommand(ctx, "DEBUG POPULATE 200000"));
    ok(redisCommand(ctx, "SELECT 0"));
    pipeline(5000, "HSET lazyhash field:%d value:%d");
    long long usage = cu_int(ctx, "MEMORY USAGE lazyhash SAMPLES 0");
    quiet_breakdown(&before);
    redisAppendCommand(ctx, "SELECT 1");
    redisAppendCommand(ctx, "FLUSHDB ASYNC");
    redisAppendCommand(ctx, "SELECT 0");
    redisAppendCommand(ctx, "UNLINK lazyhash");
    redisAppendCommand(ctx, "MEMORY BREAKDOWN");
    redisAppendCommand(ctx, "INFO memory");
    redisReply *r;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        ok(r);
    }
    assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
    breakdown_of(&during, r);
    assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
    const char *p = strstr(r->str, "lazyfree_pending_objects:");
    assert_non_null(p);
    long long pending = atoll(p + strlen("lazyfree_pending_objects:"));
    freeReplyObject(r);
    long long lazy = cat(&during, "lazyfree") - cat(&before, "lazyfree");
    long long hash = cat(&before, "values.hash") - cat(&during, "values.hash");
    print_message("jobs pending %lld: lazyfree +%lld, values.hash -%lld (the hash: %lld, "
                  "MEMORY USAGE SAMPLES 0)\n",
                  pending, lazy, hash, usage);
    assert_true(pending > 0); /* the flush of 200k keys is not done in microseconds */
    /* The hash's estimate left values.hash (and nothing of db 1's strings went there); the
     * flushed keys' left values.string; lazyfree holds both, the tables and the jobs. */
    long long str = cat(&before, "values.string") - cat(&during, "values.string");
    assert_true(hash > usage * 4 / 5 && hash < usage * 5 / 4);
    assert_true(str > 200000 * 16);
    assert_true(lazy > hash + str);
    expect_back(&base);
    fixture_stop();
}

/* MEMORY USAGE key SAMPLES 0 is exact: one key of each type (small and big encodings) moves its
 * value category by exactly that many bytes. */
static void
test_usage_exact(void **state)
{
    static const struct {
        const char *cat, *key, *fmt;
        int n;
    } cases[] = {
        {"values.string", "s1", "SET s1 short", 1},
        {"values.string", "s2", "APPEND s2 %0120d", 40},
        {"values.hash", "h1", "HSET h1 f%d v", 10},
        {"values.hash", "h2", "HSET h2 field:%d value", 3000},
        {"values.list", "l1", "RPUSH l1 e%d", 10},
        {"values.list", "l2", "RPUSH l2 %0100d", 3000},
        {"values.set", "i1", "SADD i1 %d", 100},
        {"values.set", "t1", "SADD t1 m%d", 50},
        {"values.set", "t2", "SADD t2 member:%d", 3000},
        {"values.zset", "z1", "ZADD z1 %d m", 1},
        {"values.zset", "z2", "ZADD z2 %d member:%d", 3000},
    };
    struct bd before, after;

    start();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        quiet_breakdown(&before);
        pipeline(cases[i].n, cases[i].fmt);
        quiet_breakdown(&after);
        long long usage = cu_int(ctx, "MEMORY USAGE %s SAMPLES 0", cases[i].key);
        long long moved = cat(&after, cases[i].cat) - cat(&before, cases[i].cat);
        if (moved != usage)
            fail_msg("%s: MEMORY USAGE %lld, %s moved by %lld", cases[i].key, usage, cases[i].cat,
                     moved);
    }
    ok(redisCommand(ctx, "FLUSHALL"));
    expect_back(&base);
    fixture_stop();
}

/* Prometheus: one zmem_memory_bytes line per category and the threads' byte counters. */
static void
test_prometheus(void **state)
{
    char mport[16];
    snprintf(mport, sizeof(mport), "%d", harness_random_port());
    const char *args[] = {"--metrics-port", mport, NULL};
    fixture_start(args);
    int fd = raw_connect(atoi(mport));
    raw_sends(fd, "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    size_t len;
    int closed;
    char *body = raw_read(fd, (size_t)-1 / 2, 5000, &len, &closed);
    close(fd);
    static const char *const want[] = {
        "# TYPE zmem_memory_bytes gauge",
        "zmem_memory_bytes{category=\"keyspace\"} ",
        "zmem_memory_bytes{category=\"values.hash\"} ",
        "zmem_memory_bytes{category=\"clients.query\"} ",
        "zmem_memory_bytes{category=\"other\"} ",
        "# TYPE zmem_thread_allocated_bytes_total counter",
        "zmem_thread_allocated_bytes_total{thread=\"main\"} ",
        "zmem_thread_freed_bytes_total{thread=\"lazyfree\"} ",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (strstr(body, want[i]) == NULL)
            fail_msg("/metrics has no '%s'", want[i]);
    free(body);
    fixture_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_types_expire_delete, fixture_teardown),
        cmocka_unit_test_teardown(test_eviction, fixture_teardown),
        cmocka_unit_test_teardown(test_clients, fixture_teardown),
        cmocka_unit_test_teardown(test_lazyfree_thread, fixture_teardown),
        cmocka_unit_test_teardown(test_lazyfree_pending, fixture_teardown),
        cmocka_unit_test_teardown(test_usage_exact, fixture_teardown),
        cmocka_unit_test_teardown(test_prometheus, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
