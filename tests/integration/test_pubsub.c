/* test_pubsub.c — pub/sub and keyspace notifications against a live zmem-server: the exact
 * RESP2 and RESP3 bytes of (p)subscribe confirmations, messages and unsubscribe-all, the
 * subscribed-mode restriction of RESP2, PUBSUB subcommands, CLIENT LIST sub=/psub=, INFO
 * pubsub_channels/_patterns, the subscriber's memory back to its baseline, the pubsub output
 * buffer class, notify-keyspace-events validation, the expired and evicted events, and a
 * differential run of every write command against a live redis-server with a `__key*__:*`
 * subscriber on each, the received event streams compared exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"
#include "integration/redis_diff.h"

static struct zserver srv;
static redisContext *ctx;

#define RESTRICTED                                                                                 \
    "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "    \
    "allowed in this context"

static int
setup(void **state)
{
    (void)state;
    if (zserver_start(&srv, NULL) < 0)
        return -1;
    ctx = zserver_connect(&srv);
    return ctx ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    if (ctx)
        redisFree(ctx);
    zserver_stop(&srv);
    return 0;
}

static void
run_ok(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(c, fmt, ap);
    va_end(ap);
    if (r->type == REDIS_REPLY_ERROR)
        fail_msg("'%s': %s", fmt, r->str);
    freeReplyObject(r);
}

/* ---- Wire format ---- */

static void
test_resp2_subscribe_publish(void **state)
{
    (void)state;
    int sub = raw_connect(srv.port);
    raw_expect(
        sub, "SUBSCRIBE a b\r\n",
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
    raw_expect(sub, "PSUBSCRIBE x*\r\n", "*3\r\n$10\r\npsubscribe\r\n$2\r\nx*\r\n:3\r\n");
    /* Subscribing twice changes nothing but still confirms. */
    raw_expect(sub, "SUBSCRIBE a\r\n", "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:3\r\n");
    raw_expect(sub, "PING\r\n", "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    raw_expect(sub, "PING hi\r\n", "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
    char err[256], want[300];
    snprintf(err, sizeof(err), RESTRICTED, "get");
    snprintf(want, sizeof(want), "-%s\r\n", err);
    raw_expect(sub, "GET k\r\n", want);
    snprintf(err, sizeof(err), RESTRICTED, "config|get");
    snprintf(want, sizeof(want), "-%s\r\n", err);
    raw_expect(sub, "CONFIG GET maxmemory\r\n", want);

    assert_int_equal(cu_int(ctx, "PUBLISH a hello"), 1);
    raw_expect(sub, "", "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n");
    assert_int_equal(cu_int(ctx, "PUBLISH xyz m"), 1);
    raw_expect(sub, "", "*4\r\n$8\r\npmessage\r\n$2\r\nx*\r\n$3\r\nxyz\r\n$1\r\nm\r\n");
    assert_int_equal(cu_int(ctx, "PUBLISH nobody m"), 0);

    raw_expect(sub, "UNSUBSCRIBE b\r\n", "*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:2\r\n");
    raw_expect(sub, "UNSUBSCRIBE b\r\n", "*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:2\r\n");
    raw_expect(sub, "UNSUBSCRIBE\r\n", "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n");
    raw_expect(sub, "PUNSUBSCRIBE\r\n", "*3\r\n$12\r\npunsubscribe\r\n$2\r\nx*\r\n:0\r\n");
    raw_expect(sub, "UNSUBSCRIBE\r\n", "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
    raw_expect(sub, "PUNSUBSCRIBE\r\n", "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
    /* Out of subscribed mode: everything runs again. */
    raw_expect(sub, "PING\r\n", "+PONG\r\n");
    raw_expect(sub, "GET nokey\r\n", "$-1\r\n");
    close(sub);
}

static void
test_resp3_push(void **state)
{
    (void)state;
    int sub = raw_connect(srv.port);
    size_t len;
    int closed;
    raw_sends(sub, "HELLO 3\r\n");
    free(raw_read(sub, (size_t)-2, 300, &len, &closed));
    raw_expect(sub, "SUBSCRIBE a\r\n", ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    /* RESP3 allows any command while subscribed. */
    raw_expect(sub, "GET k\r\n", "_\r\n");
    raw_expect(sub, "PUBLISH a hello\r\n",
               ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n:1\r\n");
    raw_expect(sub, "PSUBSCRIBE a*\r\n", ">3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:2\r\n");
    raw_expect(sub, "PUBLISH a m2\r\n",
               ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nm2\r\n"
               ">4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$2\r\nm2\r\n:2\r\n");
    /* NUMSUB stays a flat array in RESP3, as in Redis. */
    raw_expect(sub, "PUBSUB NUMSUB a b\r\n", "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:0\r\n");
    raw_expect(sub, "PING\r\n", "+PONG\r\n");
    raw_expect(sub, "UNSUBSCRIBE\r\n", ">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n");
    raw_expect(sub, "PUNSUBSCRIBE\r\n", ">3\r\n$12\r\npunsubscribe\r\n$2\r\na*\r\n:0\r\n");
    raw_expect(sub, "UNSUBSCRIBE\r\n", ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
    close(sub);
}

/* ---- PUBSUB, CLIENT LIST, INFO, memory ---- */

/* The CLIENT LIST field `name` (e.g. "tot-mem=") of client id, or -1. */
static long long
client_field(long long id, const char *name)
{
    redisReply *r = cu_run(ctx, "CLIENT LIST ID %lld", id);
    long long v = -1;
    const char *p = r->type == REDIS_REPLY_STRING ? strstr(r->str, name) : NULL;
    if (p)
        v = atoll(p + strlen(name));
    freeReplyObject(r);
    return v;
}

static char *
client_flags(long long id, char *buf, size_t size)
{
    redisReply *r = cu_run(ctx, "CLIENT LIST ID %lld", id);
    const char *p = r->str ? strstr(r->str, " flags=") : NULL;
    buf[0] = '\0';
    if (p)
        sscanf(p + 7, "%15s", buf);
    (void)size;
    freeReplyObject(r);
    return buf;
}

static void
test_pubsub_introspection(void **state)
{
    (void)state;
    redisContext *s1 = zserver_connect(&srv), *s2 = zserver_connect(&srv);
    long long id1 = cu_int(s1, "CLIENT ID");
    /* The parser keeps room for the most arguments seen: ask with more than any command below
     * first, so the baseline already has it. */
    assert_int_equal(cu_int(s1, "EXISTS a b c d e"), 0);
    usleep(50000);
    long long base = client_field(id1, "tot-mem=");
    assert_true(base > 0);
    assert_int_equal(client_field(id1, " sub="), 0);

    run_ok(s1, "SUBSCRIBE news.tech news.art");
    redisReply *r;
    assert_int_equal(redisGetReply(s1, (void **)&r), REDIS_OK);
    freeReplyObject(r);
    run_ok(s1, "PSUBSCRIBE news.*");
    run_ok(s2, "SUBSCRIBE news.tech");
    run_ok(s2, "PSUBSCRIBE news.*");

    assert_int_equal(client_field(id1, " sub="), 2);
    assert_int_equal(client_field(id1, " psub="), 1);
    char flags[16];
    assert_string_equal(client_flags(id1, flags, sizeof(flags)), "P");
    assert_true(client_field(id1, "tot-mem=") > base);
    assert_int_equal(info_field(ctx, "stats", "pubsub_channels"), 2);
    assert_int_equal(info_field(ctx, "stats", "pubsub_patterns"), 1);

    r = cu_run(ctx, "PUBSUB NUMSUB news.tech news.art none");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 6);
    assert_int_equal(r->element[1]->integer, 2);
    assert_int_equal(r->element[3]->integer, 1);
    assert_int_equal(r->element[5]->integer, 0);
    freeReplyObject(r);
    assert_int_equal(cu_int(ctx, "PUBSUB NUMPAT"), 1);
    r = cu_run(ctx, "PUBSUB CHANNELS *tech");
    assert_int_equal(r->elements, 1);
    assert_string_equal(r->element[0]->str, "news.tech");
    freeReplyObject(r);
    r = cu_run(ctx, "PUBSUB CHANNELS");
    assert_int_equal(r->elements, 2);
    freeReplyObject(r);
    /* The subcommand is quoted as typed, as redis-server 7.0 does. */
    expect_error(ctx,
                 "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try "
                 "PUBSUB HELP.",
                 "PUBSUB CHANNELS a b");
    expect_error(ctx,
                 "ERR unknown subcommand or wrong number of arguments for 'channels'. Try "
                 "PUBSUB HELP.",
                 "PUBSUB channels a b");
    expect_error(ctx, "ERR wrong number of arguments for 'pubsub|numpat' command",
                 "PUBSUB NUMPAT x");
    expect_error(ctx, "ERR unknown subcommand 'foo'. Try PUBSUB HELP.", "PUBSUB foo");
    r = cu_run(ctx, "PUBSUB HELP");
    assert_int_equal(r->elements, 14);
    freeReplyObject(r);
    /* Two channel subscribers and two pattern ones. */
    assert_int_equal(cu_int(ctx, "PUBLISH news.tech x"), 4);

    /* s2 goes away: its subscriptions with it. */
    redisFree(s2);
    usleep(100000);
    assert_int_equal(cu_int(ctx, "PUBSUB NUMPAT"), 1);
    r = cu_run(ctx, "PUBSUB NUMSUB news.tech");
    assert_int_equal(r->element[1]->integer, 1);
    freeReplyObject(r);

    /* Unsubscribing everything brings s1 back to its size before. */
    redisAppendCommand(s1, "UNSUBSCRIBE");
    redisAppendCommand(s1, "PUNSUBSCRIBE");
    /* The message and pmessage from the PUBLISH above come first, then the confirmations. */
    for (int i = 0, done = 0; !done; i++) {
        assert_true(i < 10);
        assert_int_equal(redisGetReply(s1, (void **)&r), REDIS_OK);
        done = r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
               strcmp(r->element[0]->str, "punsubscribe") == 0;
        freeReplyObject(r);
    }
    assert_int_equal(cu_int(s1, "DBSIZE") >= 0, 1);
    usleep(50000);
    assert_int_equal(client_field(id1, " sub="), 0);
    assert_int_equal(client_field(id1, "tot-mem="), base);
    assert_string_equal(client_flags(id1, flags, sizeof(flags)), "N");
    assert_int_equal(info_field(ctx, "stats", "pubsub_channels"), 0);
    assert_int_equal(info_field(ctx, "stats", "pubsub_patterns"), 0);
    redisFree(s1);
}

/* A subscriber that reads nothing is closed at the pubsub class's hard limit. */
static void
test_pubsub_output_limit(void **state)
{
    (void)state;
    run_ok(ctx, "CONFIG SET client-output-buffer-limit %s", "pubsub 1mb 0 0");
    int sub = raw_connect(srv.port);
    raw_expect(sub, "SUBSCRIBE flood\r\n", "*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n");
    char *big = malloc(100001);
    memset(big, 'x', 100000);
    big[100000] = '\0';
    long long delivered = 0;
    for (int i = 0; i < 400 && (i < 2 || delivered); i++) {
        redisReply *r = cu_run(ctx, "PUBLISH flood %s", big);
        delivered = r->integer;
        freeReplyObject(r);
    }
    free(big);
    assert_int_equal(delivered, 0);
    assert_true(raw_closed_within(sub, 2000));
    close(sub);
    run_ok(ctx, "CONFIG SET client-output-buffer-limit %s", "pubsub 32mb 8mb 60");
}

/* ---- notify-keyspace-events ---- */

static void
test_notify_config(void **state)
{
    (void)state;
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
                 "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
                 "CONFIG SET notify-keyspace-events Q");
    const char *cases[][2] = {
        {"AnKEm", "AKEm"}, {"g$x", "g$x"}, {"KA", "AK"}, {"Elshzextdn", "lshzxetdnE"}, {"", ""}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_ok(ctx, "CONFIG SET notify-keyspace-events %s", cases[i][0]);
        redisReply *r = cu_run(ctx, "CONFIG GET notify-keyspace-events");
        assert_int_equal(r->elements, 2);
        assert_string_equal(r->element[1]->str, cases[i][1]);
        freeReplyObject(r);
    }
}

/* Collect messages on sub until the pong of a PING: "channel message" lines in buf. */
static void
collect_events(redisContext *sub, char *buf, size_t size)
{
    redisReply *r;
    size_t n = 0;
    buf[0] = '\0';
    redisAppendCommand(sub, "PING");
    for (;;) {
        if (redisGetReply(sub, (void **)&r) != REDIS_OK)
            fail_msg("subscriber: %s", sub->errstr);
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
            strcmp(r->element[0]->str, "pong") == 0) {
            freeReplyObject(r);
            return;
        }
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 4 && n < size) {
            int w = snprintf(buf + n, size - n, "%s %s;", r->element[2]->str, r->element[3]->str);
            if (w > 0)
                n += (size_t)w < size - n ? (size_t)w : size - n - 1;
        }
        freeReplyObject(r);
    }
}

static redisContext *
event_subscriber(const struct zserver *s)
{
    redisContext *sub = zserver_connect(s);
    redisReply *r = redisCommand(sub, "PSUBSCRIBE __key*__:*");
    assert_non_null(r);
    freeReplyObject(r);
    return sub;
}

static void
test_expired_evicted(void **state)
{
    (void)state;
    char got[4096];
    run_ok(ctx, "FLUSHALL");
    run_ok(ctx, "CONFIG SET notify-keyspace-events %s", "Exe");
    redisContext *sub = event_subscriber(&srv);
    /* Lazy: found expired by a read. */
    run_ok(ctx, "SET lazy v PX 20");
    usleep(60000);
    redisReply *r = cu_run(ctx, "GET lazy");
    assert_int_equal(r->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    collect_events(sub, got, sizeof(got));
    assert_string_equal(got, "__keyevent@0__:expired lazy;");
    /* Active: the expire cycle finds it alone. */
    run_ok(ctx, "SET active v PX 20");
    long long deadline = harness_now_ms() + 3000;
    got[0] = '\0';
    while (got[0] == '\0' && harness_now_ms() < deadline) {
        usleep(50000);
        collect_events(sub, got, sizeof(got));
    }
    assert_string_equal(got, "__keyevent@0__:expired active;");
    /* Evicted: over maxmemory with allkeys-random. */
    long long used = info_field(ctx, "memory", "used_memory");
    run_ok(ctx, "CONFIG SET maxmemory-policy allkeys-random");
    run_ok(ctx, "CONFIG SET maxmemory %lld", used + 200000);
    static char val[5001];
    memset(val, 'v', 5000);
    for (int i = 0; i < 100; i++)
        run_ok(ctx, "SET ev:%d %s", i, val);
    collect_events(sub, got, sizeof(got));
    assert_non_null(strstr(got, "__keyevent@0__:evicted ev:"));
    run_ok(ctx, "CONFIG SET maxmemory 0");
    run_ok(ctx, "CONFIG SET maxmemory-policy noeviction");
    /* Without K or E nothing is sent; 'n' reports new keys. */
    run_ok(ctx, "CONFIG SET notify-keyspace-events %s", "g$");
    run_ok(ctx, "SET quiet v");
    collect_events(sub, got, sizeof(got));
    assert_string_equal(got, "");
    run_ok(ctx, "CONFIG SET notify-keyspace-events %s", "Kn$");
    run_ok(ctx, "SET fresh v");
    run_ok(ctx, "SET fresh w");
    collect_events(sub, got, sizeof(got));
    assert_string_equal(got, "__keyspace@0__:fresh new;__keyspace@0__:fresh set;"
                             "__keyspace@0__:fresh set;");
    run_ok(ctx, "CONFIG SET notify-keyspace-events %s", "");
    run_ok(ctx, "FLUSHALL");
    redisFree(sub);
}

/* Every write command, on zmem and on redis-server, each with a subscriber to every keyspace
 * channel: the events each command raised must be the same, in the same order. */
static const char *const diff_cmds[] = {
    "set s1 v",
    "set s1 v2 ex 100",
    "set s1 v3 keepttl",
    "setex s2 100 v",
    "psetex s3 100000 v",
    "setnx s4 v",
    "setnx s4 v",
    "getset s4 w",
    "mset m1 a m2 b",
    "msetnx m3 a m4 b",
    "msetnx m3 a m5 b",
    "getdel m4",
    "getdel nokey",
    "getex s1 persist",
    "getex s1 persist",
    "getex s1 ex 100",
    "getex s1 pxat 1",
    "incr n",
    "decr n",
    "incrby n 5",
    "decrby n 2",
    "incrbyfloat n 1.5",
    "append ap x",
    "append ap y",
    "setrange sr 3 abc",
    "setrange sr 0 ''",
    "setrange nosr 0 ''",
    "setbit b 7 1",
    "bitop or bo b b",
    "bitop and bo nokey",
    "bitfield bf set u8 0 200 incrby u8 0 100",
    "bitfield bf overflow fail incrby u8 0 100",
    "del s2 s3 nokey",
    "unlink m1",
    "expire m2 100",
    "pexpire m2 100000",
    "expireat m2 9999999999",
    "pexpireat m2 1",
    "expire nokey 10",
    "persist m3",
    "expire m3 100",
    "expire m3 50 gt",
    "persist m3",
    "rename m3 m3b",
    "renamenx m3b m5",
    "renamenx sr m5",
    "copy m3b cp",
    "copy m3b cp replace",
    "copy m3b cp db 2",
    "move cp 1",
    "move cp 1",
    "lpush l a b c d e f",
    "rpush l g h",
    "lpushx l x",
    "rpushx nol x",
    "lpop l",
    "rpop l 2",
    "lpop l 0",
    "linsert l before c y",
    "linsert l before zz y",
    "lset l 0 q",
    "lrem l 1 q",
    "lrem l 1 nothere",
    "ltrim l 0 3",
    "lmove l l2 left right",
    "lmove l l left left",
    "rpoplpush l l2",
    "lmpop 2 nol l2 right count 5",
    "ltrim l 5 1",
    "rpush one x",
    "rpop one",
    "hset h a 1 b 2",
    "hmset h c 3",
    "hsetnx h a 9",
    "hsetnx h d 9",
    "hdel h a zz",
    "hdel h zz",
    "hincrby h b 3",
    "hincrbyfloat h b 1.5",
    "hdel h b c d",
    "sadd st a b c d e",
    "sadd st a",
    "srem st a zz",
    "srem st zz",
    "smove st st2 b", /* before SPOP, which may take any member */
    "spop st",
    "spop st 0",
    "smove st st2 zz",
    "sadd x1 a b c",
    "sadd x2 b c d",
    "sinterstore si x1 x2",
    "sunionstore su x1 x2",
    "sdiffstore sd x1 x2",
    "sinterstore sd x1 nokey",
    "spop x1 10",
    "sadd one a",
    "smove one st2 a",
    "zadd z 1 a 2 b 3 c 4 d 5 e",
    "zadd z 1 a",
    "zadd z incr 2 a",
    "zadd z xx 10 new",
    "zadd z gt 0 b",
    "zadd z ch gt 9 b",
    "zincrby z 0 a",
    "zincrby z 1 a",
    "zrem z a zz",
    "zpopmin z",
    "zpopmax z 2",
    "zpopmin z 0",
    "zmpop 1 z min",
    "zadd z2 1 a 2 b 3 c 4 d 5 e 6 f",
    "zremrangebyrank z2 0 0",
    "zremrangebyscore z2 2 2",
    "zremrangebylex z2 [c [c",
    "zremrangebylex z2 [zz [zzz",
    "zunionstore zu 2 z2 z",
    "zinterstore zi 2 z2 z",
    "zdiffstore zd 2 z2 z",
    "zrangestore zr z2 0 1",
    "zrangestore zr nokey 0 1",
    "zremrangebyrank z2 0 -1",
    "zadd one 1 a",
    "zpopmax one",
    "geoadd g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
    "geoadd g 13.361389 38.115556 Palermo",
    "geosearchstore gs g fromlonlat 15 37 byradius 200 km",
    "georadius g 15 37 200 km store gr",
    "georadiusbymember g Palermo 300 km store grm",
    "geosearchstore gs g fromlonlat 0 0 byradius 1 km",
    "rpush sl 3 1 2",
    "sort sl store so",
    "sort nokey store so",
    "set sdel x",
    "del sdel",
    "hincrby nh f 1",
    "flushdb",
};

/* Run line on c (words split at spaces, '' an empty argument); the reply is dropped. */
static void
run_line(redisContext *c, const char *line)
{
    const char *argv[32];
    size_t lens[32];
    char copy[512];
    int argc = 0;
    snprintf(copy, sizeof(copy), "%s", line);
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w && argc < 32;
         w = strtok_r(NULL, " ", &save)) {
        argv[argc] = strcmp(w, "''") == 0 ? "" : w;
        lens[argc] = strlen(argv[argc]);
        argc++;
    }
    redisReply *r = redisCommandArgv(c, argc, argv, lens);
    if (r == NULL)
        fail_msg("'%s': no reply", line);
    freeReplyObject(r);
}

/* Read commands on missing keys: "keymiss" (class m) where Redis raises it (not OBJECT). */
static const char *const miss_cmds[] = {
    "get nokey",     "set k v",      "get k",          "mget a b k",        "exists a b k",
    "type a",        "strlen a",     "getrange a 0 1", "hget h f",          "hgetall h",
    "lrange l 0 -1", "llen l",       "smembers s",     "sismember s a",     "zrange z 0 -1",
    "zscore z a",    "ttl a",        "pttl a",         "object encoding a", "touch a",
    "sunion a b",    "zunion 2 a b", "lpos l a",       "srandmember s",     "getbit a 0",
    "bitcount a",    "lcs a b",      "sort a",         "geopos g a",        "getdel a",
    "incr a",        "lpop a",       "copy q w",       "sintercard 2 a b",  "expiretime a",
};

/* Run cmds on zmem and on redis-server, each with notify-keyspace-events `classes` and a
 * subscriber to every keyspace channel; the events of each command must be the same, in the
 * same order. Returns how many commands agreed; *events how many of them raised any. No assert
 * here: the caller stops redis-server first. */
static size_t
events_diff(struct rd *rd, const char *classes, const char *const *cmds, size_t n, size_t *events)
{
    redisContext *conns[2] = {ctx, rd->redis};
    struct zserver *servers[2] = {&srv, &rd->srv};
    redisContext *subs[2];
    for (int k = 0; k < 2; k++) {
        run_ok(conns[k], "FLUSHALL");
        run_ok(conns[k], "CONFIG SET notify-keyspace-events %s", classes);
        subs[k] = event_subscriber(servers[k]);
    }
    size_t agreed = 0;
    static char got[2][8192];
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
            run_line(conns[k], cmds[i]);
            collect_events(subs[k], got[k], sizeof(got[k]));
        }
        if (strcmp(got[0], got[1]) == 0) {
            agreed++;
            *events += got[0][0] != '\0';
        } else {
            print_message("'%s':\n  zmem:  %s\n  redis: %s\n", cmds[i], got[0], got[1]);
        }
    }
    print_message("keyspace events (%s): %zu of %zu commands agree (%zu raised events)\n", classes,
                  agreed, n, *events);
    for (int k = 0; k < 2; k++) {
        run_ok(conns[k], "CONFIG SET notify-keyspace-events %s", "");
        run_ok(conns[k], "FLUSHALL");
        redisFree(subs[k]);
    }
    return agreed;
}

static void
test_keyspace_events_diff(void **state)
{
    (void)state;
    struct rd rd;
    require_tool("redis-server", "Redis 7.0's keyspace events to compare with");
    if (rd_start(&rd, ctx) < 0)
        fail_msg("redis-server is installed but did not start");
    size_t nd = sizeof(diff_cmds) / sizeof(diff_cmds[0]),
           nm = sizeof(miss_cmds) / sizeof(miss_cmds[0]);
    size_t ev_write = 0, ev_new = 0, ev_miss = 0;
    size_t agreed_write = events_diff(&rd, "KEA", diff_cmds, nd, &ev_write);
    /* With 'n' too: "new" for every key created, in its place among the command's events. */
    size_t agreed_new = events_diff(&rd, "KEAn", diff_cmds, nd, &ev_new);
    size_t agreed_miss = events_diff(&rd, "KEm", miss_cmds, nm, &ev_miss);
    rd_stop(&rd);
    assert_int_equal(agreed_write, nd);
    assert_int_equal(agreed_new, nd);
    assert_int_equal(agreed_miss, nm);
    assert_true(ev_write > 100);
    assert_true(ev_miss > 20);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resp2_subscribe_publish), cmocka_unit_test(test_resp3_push),
        cmocka_unit_test(test_pubsub_introspection),    cmocka_unit_test(test_pubsub_output_limit),
        cmocka_unit_test(test_notify_config),           cmocka_unit_test(test_expired_evicted),
        cmocka_unit_test(test_keyspace_events_diff),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
