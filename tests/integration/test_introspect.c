/* test_introspect.c — Redis 7.0 directives in CONFIG GET/SET (values and exact error texts
 * compared with a live redis-server), the encoding thresholds honoured, the latency monitor
 * and per-command histograms (LATENCY *, INFO latencystats), and DEBUG behind
 * enable-debug-command (refusal text, PROTOCOL's exact bytes in RESP2 and RESP3, POPULATE,
 * OBJECT, SET-ACTIVE-EXPIRE). Differential parts skip when no redis-server is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"
#include "integration/redis_diff.h"

#define expect_int(c, want, ...) assert_int_equal(cu_int(c, __VA_ARGS__), want)

static struct zserver srv, dbg; /* defaults; and one with enable-debug-command yes */
static redisContext *ctx, *dctx;

static int
setup(void **state)
{
    (void)state;
    const char *args[] = {"--enable-debug-command", "yes", NULL};
    if (zserver_start(&srv, NULL) < 0 || zserver_start(&dbg, args) < 0)
        return -1;
    ctx = zserver_connect(&srv);
    dctx = zserver_connect(&dbg);
    return ctx && dctx ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    if (ctx)
        redisFree(ctx);
    if (dctx)
        redisFree(dctx);
    int a = zserver_stop(&srv), b = zserver_stop(&dbg);
    return a == 0 && b == 0 ? 0 : -1;
}

static int
flush(void **state)
{
    (void)state;
    freeReplyObject(cu_run(ctx, "FLUSHALL"));
    freeReplyObject(cu_run(dctx, "FLUSHALL"));
    return 0;
}

/* CONFIG GET name's value on c, copied into buf. */
static const char *
config_value(redisContext *c, const char *name, char *buf, size_t size)
{
    redisReply *r = cu_run(c, "CONFIG GET %s", name);
    buf[0] = '\0';
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2)
        snprintf(buf, size, "%s", r->element[1]->str);
    freeReplyObject(r);
    return buf;
}

/* Values with the same default in both, and CONFIG SET's refusals, compared exactly. */
static const char *const config_cases[] = {
    "CONFIG GET activerehashing",
    "CONFIG GET list-max-listpack-size",
    "CONFIG GET list-max-ziplist-size",
    "CONFIG GET list-compress-depth",
    "CONFIG GET set-max-intset-entries",
    "CONFIG GET zset-max-listpack-entries",
    "CONFIG GET zset-max-listpack-value",
    "CONFIG GET zset-max-ziplist-entries",
    "CONFIG GET zset-max-ziplist-value",
    "CONFIG GET hash-max-listpack-value",
    "CONFIG GET hash-max-ziplist-value",
    "CONFIG GET latency-monitor-threshold",
    "CONFIG GET latency-tracking",
    "CONFIG GET lfu-log-factor",
    "CONFIG GET lfu-decay-time",
    "CONFIG GET lazyfree-lazy-eviction",
    "CONFIG GET lazyfree-lazy-expire",
    "CONFIG GET lazyfree-lazy-server-del",
    "CONFIG GET lazyfree-lazy-user-flush",
    "CONFIG GET replica-lazy-flush",
    "CONFIG GET dbfilename",
    "CONFIG GET tcp-backlog",
    "CONFIG GET supervised",
    "CONFIG GET io-threads",
    "CONFIG GET maxmemory-eviction-tenacity",
    "CONFIG GET active-expire-effort",
    "CONFIG GET enable-debug-command",
    "CONFIG GET enable-protected-configs",
    "CONFIG GET enable-module-command",
    "CONFIG GET unixsocket",
    "CONFIG GET unixsocketperm",
    "CONFIG GET save",
    "CONFIG GET appendonly",
    "CONFIG SET active-expire-effort 11",
    "CONFIG SET active-expire-effort 0",
    "CONFIG SET maxmemory-eviction-tenacity 101",
    "CONFIG SET lfu-log-factor -1",
    "CONFIG SET lfu-decay-time x",
    "CONFIG SET latency-tracking maybe",
    "CONFIG SET activerehashing maybe",
    "CONFIG SET latency-monitor-threshold -1",
    "CONFIG SET hash-max-listpack-entries -1",
    "CONFIG SET list-compress-depth -1",
    "CONFIG SET enable-debug-command yes",
    "CONFIG SET enable-protected-configs yes",
    "CONFIG SET enable-module-command yes",
    "CONFIG SET supervised systemd",
    "CONFIG SET tcp-backlog 100",
    "CONFIG SET io-threads 4",
    "CONFIG SET dir /tmp",
    "CONFIG SET dbfilename x.rdb",
    "CONFIG SET zset-max-ziplist-entries -1",
    "CONFIG SET ZSET-max-listpack-entries -1",
    "CONFIG SET Active-Expire-Effort 0",
    "CONFIG SET zset-max-ziplist-entries 10",
    "CONFIG GET zset-max-listpack-entries",
    "CONFIG SET zset-max-listpack-entries 128",
    "CONFIG SET lfu-log-factor 20 lfu-decay-time 5",
    "CONFIG GET lfu-log-factor",
    "CONFIG GET lfu-decay-time",
    "CONFIG SET lfu-log-factor 10 lfu-decay-time 1",
    "CONFIG SET latency-monitor-threshold 0 latency-tracking yes",
    "CONFIG SET maxmemory-eviction-tenacity 10 active-expire-effort 1",
    "CONFIG SET list-max-listpack-size -2 list-compress-depth 0",
    "CONFIG SET lazyfree-lazy-eviction no lazyfree-lazy-expire no",
    "CONFIG GET latency-tracking-info-percentiles",
    "CONFIG SET latency-tracking-info-percentiles 101",
    "CONFIG SET latency-tracking-info-percentiles abc",
    "CONFIG SET latency-tracking-info-percentiles -1",
    "CONFIG SET latency-tracking-info-percentiles 12.5",
    "CONFIG GET latency-tracking-info-percentiles",
    "CONFIG SET latency-tracking-info-percentiles 50",
    "CONFIG SET save ''",
    "CONFIG SET appendonly no",
};

static void
test_config_diff(void **state)
{
    (void)state;
    struct rd r;
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    if (rd_start(&r, ctx) < 0)
        fail_msg("redis-server is installed but did not start");
    for (size_t i = 0; i < sizeof(config_cases) / sizeof(config_cases[0]); i++)
        rd_cmd(&r, config_cases[i]);
    fprintf(stderr, "config: %ld of %ld cases agree with redis-server\n", r.agreed, r.cases);
    long cases = r.cases, agreed = r.agreed;
    rd_stop(&r);
    assert_int_equal(agreed, cases);
}

static void
test_config_zmem_only(void **state)
{
    (void)state;
    char v[256];
    /* zmem's own defaults, shown as they are (Redis's hash default is 512). */
    assert_string_equal(config_value(ctx, "hash-max-listpack-entries", v, sizeof(v)), "128");
    assert_string_equal(config_value(ctx, "hash-max-ziplist-entries", v, sizeof(v)), "128");
    assert_true(config_value(ctx, "dir", v, sizeof(v))[0] == '/');
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'save') - zmem keeps data "
                 "in memory only and never saves snapshots",
                 "CONFIG SET save %s", "3600 1");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'appendonly') - can't set "
                 "immutable config",
                 "CONFIG SET appendonly yes");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set "
                 "protected config",
                 "CONFIG SET dbfilename a.rdb");
    /* CONFIG GET * shows every option once, aliases included. */
    redisReply *r = cu_run(ctx, "CONFIG GET *");
    int aliases = 0;
    for (size_t i = 0; i < r->elements; i += 2)
        aliases += strstr(r->element[i]->str, "ziplist") != NULL;
    assert_int_equal(aliases, 5);
    freeReplyObject(r);
}

static void
test_encoding_thresholds(void **state)
{
    (void)state;
    expect_status(ctx, "OK", "CONFIG SET hash-max-ziplist-entries 4 hash-max-listpack-value 8");
    expect_int(ctx, 4, "HSET h a 1 b 2 c 3 d 4");
    expect_bulk(ctx, "listpack", "OBJECT ENCODING h");
    expect_int(ctx, 1, "HSET h e 5");
    expect_bulk(ctx, "hashtable", "OBJECT ENCODING h");
    expect_int(ctx, 1, "HSET h2 f 123456789");
    expect_bulk(ctx, "hashtable", "OBJECT ENCODING h2");
    expect_status(ctx, "OK", "CONFIG SET hash-max-listpack-entries 128 hash-max-listpack-value 64");

    expect_status(ctx, "OK", "CONFIG SET zset-max-listpack-entries 2 zset-max-ziplist-value 4");
    expect_int(ctx, 2, "ZADD z 1 a 2 b");
    expect_bulk(ctx, "listpack", "OBJECT ENCODING z");
    expect_int(ctx, 1, "ZADD z 3 c");
    expect_bulk(ctx, "skiplist", "OBJECT ENCODING z");
    expect_int(ctx, 1, "ZADD z2 1 abcdefgh");
    expect_bulk(ctx, "skiplist", "OBJECT ENCODING z2");
    expect_status(ctx, "OK", "CONFIG SET zset-max-listpack-entries 128 zset-max-listpack-value 64");

    /* 400 elements of 100 bytes (~41 KiB): one pack at -5 (64 KiB), a quicklist at -2. */
    char elem[101];
    memset(elem, 'x', 100);
    elem[100] = '\0';
    expect_status(ctx, "OK", "CONFIG SET list-max-listpack-size -5");
    for (int i = 0; i < 400; i++)
        freeReplyObject(cu_run(ctx, "RPUSH big %s", elem));
    expect_bulk(ctx, "listpack", "OBJECT ENCODING big");
    expect_status(ctx, "OK", "CONFIG SET list-max-ziplist-size -2");
    for (int i = 0; i < 400; i++)
        freeReplyObject(cu_run(ctx, "RPUSH big2 %s", elem));
    expect_bulk(ctx, "quicklist", "OBJECT ENCODING big2");
}

static void
test_latency(void **state)
{
    (void)state;
    struct rd r;
    /* The reports of a monitor that has seen nothing, and the errors, as Redis. */
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    if (rd_start(&r, ctx) != 0)
        fail_msg("redis-server is installed but did not start");
    {
        static const char *const cases[] = {
            "LATENCY LATEST",         "LATENCY HISTORY command",
            "LATENCY HISTORY nosuch", "LATENCY RESET",
            "LATENCY RESET command",  "LATENCY GRAPH command",
            "LATENCY GRAPH nosuch",   "LATENCY HISTORY",
            "LATENCY NOSUCH",         "LATENCY HISTOGRAM nosuch",
            "LATENCY GRAPH a b",
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            rd_cmd(&r, cases[i]);
        long cases_n = r.cases, agreed = r.agreed;
        fprintf(stderr, "latency: %ld of %ld cases agree with redis-server\n", agreed, cases_n);
        rd_stop(&r);
        assert_int_equal(agreed, cases_n);
    }

    expect_status(dctx, "OK", "CONFIG SET latency-monitor-threshold 10");
    expect_status(dctx, "OK", "DEBUG SLEEP 0.03");
    redisReply *x = cu_run(dctx, "LATENCY LATEST");
    assert_int_equal(x->elements, 1);
    assert_string_equal(x->element[0]->element[0]->str, "command");
    assert_true(x->element[0]->element[2]->integer >= 30);
    assert_true(x->element[0]->element[3]->integer >= 30);
    freeReplyObject(x);
    x = cu_run(dctx, "LATENCY HISTORY command");
    assert_int_equal(x->elements, 1);
    assert_true(x->element[0]->element[1]->integer >= 30);
    freeReplyObject(x);
    x = cu_run(dctx, "LATENCY GRAPH command");
    assert_non_null(strstr(x->str, "command - high "));
    freeReplyObject(x);
    x = cu_run(dctx, "LATENCY DOCTOR");
    assert_non_null(strstr(x->str, "command: 1 spike recorded"));
    freeReplyObject(x);
    expect_int(dctx, 1, "LATENCY RESET command");
    expect_error(dctx, "ERR No samples available for event 'command'", "LATENCY GRAPH command");
    expect_status(dctx, "OK", "CONFIG SET latency-monitor-threshold 0");
    expect_status(dctx, "OK", "DEBUG SLEEP 0.02");
    x = cu_run(dctx, "LATENCY LATEST");
    assert_int_equal(x->elements, 0);
    freeReplyObject(x);

    /* Histograms: calls counted per command, buckets cumulative. */
    freeReplyObject(cu_run(ctx, "CONFIG SET latency-tracking-info-percentiles %s", "50 99 99.9"));
    expect_status(ctx, "OK", "CONFIG RESETSTAT");
    for (int i = 0; i < 5; i++)
        freeReplyObject(cu_run(ctx, "SET k v"));
    freeReplyObject(cu_run(ctx, "CONFIG GET port"));
    x = cu_run(ctx, "LATENCY HISTOGRAM set config|get nosuch set");
    assert_int_equal(x->type, REDIS_REPLY_ARRAY); /* a RESP2 map */
    assert_int_equal(x->elements, 4);
    assert_string_equal(x->element[0]->str, "set");
    redisReply *m = x->element[1];
    assert_string_equal(m->element[0]->str, "calls");
    assert_int_equal(m->element[1]->integer, 5);
    assert_string_equal(m->element[2]->str, "histogram_usec");
    redisReply *b = m->element[3];
    assert_true(b->elements >= 2);
    assert_int_equal(b->element[b->elements - 1]->integer, 5); /* the last bucket has all */
    assert_string_equal(x->element[2]->str, "config|get");
    freeReplyObject(x);
    x = cu_run(ctx, "LATENCY HISTOGRAM config");
    /* config|get and config|resetstat (counted after it reset the stats, as in Redis) */
    assert_int_equal(x->elements, 4);
    freeReplyObject(x);
    x = cu_run(ctx, "INFO latencystats");
    assert_non_null(strstr(x->str, "latency_percentiles_usec_set:p50="));
    assert_non_null(strstr(x->str, ",p99="));
    assert_non_null(strstr(x->str, ",p99.9="));
    freeReplyObject(x);
    freeReplyObject(cu_run(ctx, "CONFIG SET latency-tracking-info-percentiles %s", "0 12.5 100"));
    x = cu_run(ctx, "INFO latencystats");
    assert_non_null(strstr(x->str, "latency_percentiles_usec_set:p0="));
    assert_non_null(strstr(x->str, ",p12.5="));
    assert_non_null(strstr(x->str, ",p100="));
    freeReplyObject(x);
    freeReplyObject(cu_run(ctx, "CONFIG SET latency-tracking-info-percentiles %s", "50 99 99.9"));
    expect_status(ctx, "OK", "CONFIG SET latency-tracking no");
    freeReplyObject(cu_run(ctx, "GET k"));
    x = cu_run(ctx, "LATENCY HISTOGRAM get");
    assert_int_equal(x->elements, 0);
    freeReplyObject(x);
    expect_status(ctx, "OK", "CONFIG SET latency-tracking yes");
    expect_status(ctx, "OK", "CONFIG RESETSTAT");
    x = cu_run(ctx, "LATENCY HISTOGRAM set");
    assert_int_equal(x->elements, 0);
    freeReplyObject(x);
    expect_status(ctx, "OK", "CONFIG SET latency-monitor-threshold 0");
}

#define DEBUG_REFUSED                                                                              \
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "  \
    "can run it from a local connection, otherwise you need to set this option in the "            \
    "configuration file, and then restart the server."

/* PROTOCOL's replies, byte for byte as redis-server 7.0.15 sends them: type, RESP2, RESP3. */
static const char *const protocol_cases[][3] = {
    {"string", "$11\r\nHello World\r\n", "$11\r\nHello World\r\n"},
    {"integer", ":12345\r\n", ":12345\r\n"},
    {"double", "$5\r\n3.141\r\n", ",3.141\r\n"},
    {"bignum", "$37\r\n1234567999999999999999999999999999999\r\n",
     "(1234567999999999999999999999999999999\r\n"},
    {"null", "$-1\r\n", "_\r\n"},
    {"array", "*3\r\n:0\r\n:1\r\n:2\r\n", "*3\r\n:0\r\n:1\r\n:2\r\n"},
    {"set", "*3\r\n:0\r\n:1\r\n:2\r\n", "~3\r\n:0\r\n:1\r\n:2\r\n"},
    {"map", "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n",
     "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"},
    {"attrib", "$39\r\nSome real reply following the attribute\r\n",
     "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply "
     "following the attribute\r\n"},
    {"push", "-ERR RESP2 is not supported by this command\r\n",
     ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push "
     "reply\r\n"},
    {"verbatim", "$25\r\nThis is a verbatim\nstring\r\n",
     "=29\r\ntxt:This is a verbatim\nstring\r\n"},
    {"true", ":1\r\n", "#t\r\n"},
    {"false", ":0\r\n", "#f\r\n"},
    {"nosuch",
     "-ERR Wrong protocol type name. Please use one of the following: "
     "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n",
     "-ERR Wrong protocol type name. Please use one of the following: "
     "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n"},
};

static void
test_debug(void **state)
{
    (void)state;
    struct rd r;
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    if (rd_start(&r, ctx) != 0)
        fail_msg("redis-server is installed but did not start");
    {
        static const char *const cases[] = {"DEBUG OBJECT k", "DEBUG SLEEP 0", "DEBUG",
                                            "DEBUG HELP"};
        for (size_t i = 0; i < 3; i++)
            rd_cmd(&r, cases[i]);
        long cases_n = r.cases, agreed = r.agreed;
        rd_stop(&r);
        assert_int_equal(agreed, cases_n);
    }
    expect_error(ctx, DEBUG_REFUSED, "DEBUG OBJECT k");

    for (size_t i = 0; i < sizeof(protocol_cases) / sizeof(protocol_cases[0]); i++) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "DEBUG PROTOCOL %s\r\n", protocol_cases[i][0]);
        int fd = raw_connect(dbg.port);
        raw_expect(fd, cmd, protocol_cases[i][1]);
        size_t len;
        int closed;
        raw_sends(fd, "HELLO 3\r\n");
        free(raw_read(fd, 1, 500, &len, &closed));
        usleep(20000);
        free(raw_read(fd, 100000, 50, &len, &closed)); /* the rest of HELLO's map */
        raw_expect(fd, cmd, protocol_cases[i][2]);
        close(fd);
    }

    expect_status(dctx, "OK", "DEBUG POPULATE 3 pp 5");
    expect_bulk(dctx, "value", "GET pp:2");
    expect_status(dctx, "OK", "DEBUG POPULATE 2");
    expect_bulk(dctx, "value:1", "GET key:1");
    expect_status(dctx, "OK", "SET key:0 mine");
    expect_status(dctx, "OK", "DEBUG POPULATE 2");
    expect_bulk(dctx, "mine", "GET key:0"); /* existing keys are left alone */
    redisReply *x = cu_run(dctx, "DEBUG POPULATE 1 pad 10");
    freeReplyObject(x);
    x = cu_run(dctx, "GET pad:0");
    assert_int_equal(x->len, 10);
    assert_memory_equal(x->str, "value:0\0\0\0", 10);
    freeReplyObject(x);
    expect_error(dctx, "ERR value is out of range, must be positive", "DEBUG POPULATE -1");
    expect_error(dctx, "ERR value is out of range, must be positive", "DEBUG POPULATE 2 p x");
    expect_error(dctx, "ERR no such key", "DEBUG OBJECT nokey");
    x = cu_run(dctx, "DEBUG OBJECT pp:0");
    assert_int_equal(x->type, REDIS_REPLY_STATUS);
    assert_non_null(strstr(x->str, " refcount:1 encoding:embstr serializedlength:5 lru:"));
    freeReplyObject(x);
    expect_error(dctx,
                 "ERR unknown subcommand or wrong number of arguments for 'Nosuch'. Try "
                 "DEBUG HELP.",
                 "DEBUG Nosuch");
    expect_error(dctx,
                 "ERR unknown subcommand or wrong number of arguments for 'object'. Try "
                 "DEBUG HELP.",
                 "DEBUG object");
    expect_error(dctx, "ERR wrong number of arguments for 'debug' command", "DEBUG");
    expect_status(dctx, "OK", "DEBUG CHANGE-REPL-ID");
    expect_status(dctx, "OK", "DEBUG QUICKLIST-PACKED-THRESHOLD 1k");
    expect_error(dctx, "ERR argument must be a memory value bigger than 1 and smaller than 4gb",
                 "DEBUG QUICKLIST-PACKED-THRESHOLD abc");
    expect_status(dctx, "Apparently Redis did not crash: test passed", "DEBUG STRINGMATCH-TEST");

    /* SET-ACTIVE-EXPIRE 0: an expired key nobody reads stays counted until it is 1 again. */
    expect_status(dctx, "OK", "FLUSHALL");
    expect_status(dctx, "OK", "DEBUG SET-ACTIVE-EXPIRE 0");
    expect_status(dctx, "OK", "SET e v PX 1");
    usleep(400000);
    expect_int(dctx, 1, "DBSIZE");
    expect_status(dctx, "OK", "DEBUG SET-ACTIVE-EXPIRE 1");
    long long deadline = harness_now_ms() + 3000;
    while (cu_int(dctx, "DBSIZE") != 0 && harness_now_ms() < deadline)
        usleep(50000);
    expect_int(dctx, 0, "DBSIZE");
}

/* An empty scripting engine's answers, compared with Redis (whose engine is empty too). */
static const char *const script_cases[] = {
    "FUNCTION LIST",
    "FUNCTION LIST WITHCODE",
    "FUNCTION LIST LIBRARYNAME",
    "FUNCTION LIST LIBRARYNAME x*",
    "FUNCTION LIST bogus",
    "FUNCTION FLUSH",
    "FUNCTION FLUSH ASYNC",
    "FUNCTION FLUSH bogus",
    "FUNCTION DELETE lib",
    "FUNCTION KILL",
    "FCALL f 0",
    "FCALL_RO f 0",
    "FCALL f",
    "EVALSHA 0123456789012345678901234567890123456789 0",
    "EVALSHA_RO abc 0",
    "EVALSHA abc",
    "EVAL",
    "SCRIPT EXISTS a b",
    "SCRIPT FLUSH",
    "SCRIPT FLUSH SYNC",
    "SCRIPT FLUSH bogus",
    "SCRIPT KILL",
    "SCRIPT NOSUCH",
};

static void
test_scripting(void **state)
{
    (void)state;
    struct rd r;
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    if (rd_start(&r, ctx) != 0)
        fail_msg("redis-server is installed but did not start");
    {
        for (size_t i = 0; i < sizeof(script_cases) / sizeof(script_cases[0]); i++)
            rd_cmd(&r, script_cases[i]);
        long cases_n = r.cases, agreed = r.agreed;
        fprintf(stderr, "scripting: %ld of %ld cases agree with redis-server\n", agreed, cases_n);
        rd_stop(&r);
        assert_int_equal(agreed, cases_n);
    }
    static const char *const refused[] = {"EVAL %s 0", "EVAL_RO %s 0", "SCRIPT LOAD %s",
                                          "FUNCTION LOAD %s", "FUNCTION RESTORE %s"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        expect_error(ctx,
                     "ERR scripting is not supported: zmem has no Lua engine, so EVAL, SCRIPT "
                     "LOAD, FUNCTION LOAD and FUNCTION RESTORE cannot load code",
                     refused[i], "return 1");
    redisReply *x = cu_run(ctx, "FUNCTION STATS");
    assert_int_equal(x->elements, 4);
    assert_string_equal(x->element[0]->str, "running_script");
    assert_int_equal(x->element[1]->type, REDIS_REPLY_NIL);
    assert_int_equal(x->element[3]->elements, 0);
    freeReplyObject(x);
}

static const char *const getkeys_cases[] = {
    "COMMAND GETKEYS get",
    "COMMAND GETKEYS nosuch a",
    "COMMAND GETKEYS ping",
    "COMMAND GETKEYS ping x",
    "COMMAND GETKEYS get a b",
    "COMMAND GETKEYS set a b",
    "COMMAND GETKEYS set a b EX 10",
    "COMMAND GETKEYS mset a 1 b 2",
    "COMMAND GETKEYS mset a",
    "COMMAND GETKEYS object encoding k",
    "COMMAND GETKEYS memory usage k",
    "COMMAND GETKEYS config",
    "COMMAND GETKEYS config get x",
    "COMMAND GETKEYS del a b c",
    "COMMAND GETKEYS mget a b",
    "COMMAND GETKEYS rename a b",
    "COMMAND GETKEYS lmove a b left right",
    "COMMAND GETKEYSANDFLAGS get k",
    "COMMAND GETKEYSANDFLAGS mget a b",
    "COMMAND GETKEYSANDFLAGS ping x",
    "COMMAND LIST x",
    "COMMAND LIST FILTERBY bogus x",
    "COMMAND LIST FILTERBY pattern",
    "COMMAND LIST FILTERBY module x",
    "COMMAND LIST FILTERBY aclcat nosuch",
};

/* COMMAND LIST's reply on one server, sorted (Redis lists in hash order). */
static int
list_sorted(redisContext *c, const char *cmd, char out[][64], int max)
{
    redisReply *r = redisCommand(c, cmd);
    int n = 0;
    for (size_t i = 0; r && i < r->elements && n < max; i++)
        snprintf(out[n++], 64, "%s", r->element[i]->str);
    freeReplyObject(r);
    qsort(out, (size_t)n, 64, (int (*)(const void *, const void *))strcmp);
    return n;
}

static void
test_command_introspection(void **state)
{
    (void)state;
    struct rd r;
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    if (rd_start(&r, ctx) != 0)
        fail_msg("redis-server is installed but did not start");
    {
        for (size_t i = 0; i < sizeof(getkeys_cases) / sizeof(getkeys_cases[0]); i++)
            rd_cmd(&r, getkeys_cases[i]);
        long cases_n = r.cases, agreed = r.agreed;
        fprintf(stderr, "command: %ld of %ld cases agree with redis-server\n", agreed, cases_n);
        static char a[64][64], b[64][64];
        int na = list_sorted(r.redis, "COMMAND LIST FILTERBY PATTERN latency*", a, 64);
        int nb = list_sorted(ctx, "COMMAND LIST FILTERBY PATTERN latency*", b, 64);
        rd_stop(&r);
        assert_int_equal(agreed, cases_n);
        assert_int_equal(na, nb);
        for (int i = 0; i < na; i++)
            assert_string_equal(a[i], b[i]);
    }
    /* Every command and subcommand once; the count is COMMAND COUNT plus the subcommands. */
    redisReply *x = cu_run(ctx, "COMMAND LIST");
    int subs = 0, has_get = 0;
    for (size_t i = 0; i < x->elements; i++) {
        subs += strchr(x->element[i]->str, '|') != NULL;
        has_get |= strcmp(x->element[i]->str, "config|get") == 0;
    }
    assert_int_equal((long long)x->elements - subs, cu_int(ctx, "COMMAND COUNT"));
    assert_true(has_get);
    freeReplyObject(x);
    x = cu_run(ctx, "COMMAND LIST FILTERBY ACLCAT hash");
    assert_true(x->elements >= 10);
    for (size_t i = 0; i < x->elements; i++)
        assert_true(x->element[i]->str[0] == 'h');
    freeReplyObject(x);
    x = cu_run(ctx, "COMMAND GETKEYSANDFLAGS set k v");
    assert_string_equal(x->element[0]->element[0]->str, "k");
    assert_int_equal(x->element[0]->element[1]->elements, 2); /* OW update: SET without GET */
    freeReplyObject(x);
}

/* CLIENT REPLY and RESET on raw connections: what is (not) sent, byte for byte. */
static void
test_client_reply_reset(void **state)
{
    (void)state;
    int fd = raw_connect(srv.port);
    /* OFF: nothing comes back, errors included, until ON's +OK. */
    raw_sends(fd, "CLIENT REPLY OFF\r\nSET a 1\r\nNOSUCH\r\nGET a\r\nCLIENT REPLY ON\r\nGET a\r\n");
    size_t len;
    int closed;
    char *got = raw_read(fd, 11, 2000, &len, &closed);
    assert_string_equal(got, "+OK\r\n$1\r\n1\r\n");
    free(got);
    /* SKIP: neither SKIP nor the next command is answered; the one after is. */
    raw_expect(fd, "CLIENT REPLY SKIP\r\nINCR a\r\nINCR a\r\n", ":3\r\n");
    raw_expect(fd, "CLIENT REPLY foo\r\n", "-ERR syntax error\r\n");
    raw_expect(fd, "CLIENT REPLY\r\n",
               "-ERR wrong number of arguments for 'client|reply' command\r\n");
    /* RESET: database 0, RESP2, no name. */
    raw_expect(fd, "SELECT 3\r\n", "+OK\r\n");
    raw_expect(fd, "CLIENT SETNAME me\r\n", "+OK\r\n");
    raw_sends(fd, "HELLO 3\r\n");
    free(raw_read(fd, 1, 500, &len, &closed));
    usleep(20000);
    free(raw_read(fd, 100000, 50, &len, &closed));
    raw_expect(fd, "CLIENT REPLY OFF\r\nRESET\r\n", "+RESET\r\n");
    raw_expect(fd, "GET a\r\n", "$1\r\n3\r\n"); /* db 0 again, replies on */
    raw_expect(fd, "CLIENT GETNAME\r\n", "$-1\r\n");
    raw_expect(fd, "DEBUG PROTOCOL true\r\n",
               "-ERR DEBUG command not allowed. If the enable-debug-command option is set to "
               "\"local\", you can run it from a local connection, otherwise you need to set this "
               "option in the configuration file, and then restart the server.\r\n");
    close(fd);

    struct rd r;
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    if (rd_start(&r, ctx) != 0)
        fail_msg("redis-server is installed but did not start");
    {
        static const char *const cases[] = {"RESET",
                                            "RESET x",
                                            "CLIENT REPLY foo",
                                            "CLIENT KILL MAXAGE 10",
                                            "CLIENT KILL ID 0",
                                            "CLIENT KILL ADDR 1.2.3.4:5",
                                            "CLIENT KILL 1.2.3.4:5",
                                            "CLIENT KILL TYPE bogus"};
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            rd_cmd(&r, cases[i]);
        long cases_n = r.cases, agreed = r.agreed;
        fprintf(stderr, "client: %ld of %ld cases agree with redis-server\n", agreed, cases_n);
        rd_stop(&r);
        assert_int_equal(agreed, cases_n);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_config_diff, flush),
        cmocka_unit_test_setup(test_config_zmem_only, flush),
        cmocka_unit_test_setup(test_encoding_thresholds, flush),
        cmocka_unit_test_setup(test_latency, flush),
        cmocka_unit_test_setup(test_debug, flush),
        cmocka_unit_test_setup(test_scripting, flush),
        cmocka_unit_test_setup(test_command_introspection, flush),
        cmocka_unit_test_setup(test_client_reply_reset, flush),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
