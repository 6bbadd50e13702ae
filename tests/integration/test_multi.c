/* test_multi.c — transactions against a live zmem-server: MULTI/EXEC/DISCARD replies and
 * Redis 7.0's exact errors in RESP2 and RESP3 (raw bytes), EXECABORT after queueing errors,
 * runtime errors as per-command replies, WATCH broken by another client's write, by expiry,
 * by FLUSHALL and by eviction but not by a read or a write to a missing key, UNWATCH and
 * DISCARD, CLIENT LIST's multi=/multi-mem=/flags, the memory of a big discarded queue going
 * back, commandstats of queued commands, and fixed sequences compared with a live
 * redis-server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"
#include "integration/redis_diff.h"

static struct zserver srv;
static redisContext *ctx, *other;

static int
setup(void **state)
{
    (void)state;
    if (zserver_start(&srv, NULL) != 0)
        return -1;
    ctx = zserver_connect(&srv);
    other = zserver_connect(&srv);
    return ctx && other ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    redisFree(ctx);
    redisFree(other);
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

/* EXEC's reply: -1 for a null array, else its element count (fails on anything else). */
static long
exec_count(redisContext *c)
{
    redisReply *r = cu_run(c, "EXEC");
    long n = r->type == REDIS_REPLY_NIL     ? -1
             : r->type == REDIS_REPLY_ARRAY ? (long)r->elements
                                            : -2;
    if (n == -2)
        fail_msg("EXEC: type %d '%s'", r->type, r->str ? r->str : "");
    freeReplyObject(r);
    return n;
}

/* WATCH key, let `mutate` run on the other connection, then MULTI/PING/EXEC: 1 if the
 * transaction ran, 0 if EXEC answered the null array. */
static int
watched_exec_runs(const char *key, const char *mutate)
{
    expect_status(ctx, "OK", "WATCH %s", key);
    if (mutate) {
        redisReply *r = cu_run(other, mutate);
        freeReplyObject(r);
    }
    expect_status(ctx, "OK", "MULTI");
    expect_status(ctx, "QUEUED", "PING");
    return exec_count(ctx) == 1;
}

static void
test_replies_and_errors(void **state)
{
    (void)state;
    freeReplyObject(cu_run(ctx, "FLUSHALL"));
    expect_error(ctx, "ERR EXEC without MULTI", "EXEC");
    expect_error(ctx, "ERR DISCARD without MULTI", "DISCARD");
    expect_status(ctx, "OK", "MULTI");
    expect_error(ctx, "ERR MULTI calls can not be nested", "MULTI");
    expect_error(ctx, "ERR WATCH inside MULTI is not allowed", "WATCH x");
    expect_status(ctx, "QUEUED", "SET a 1");
    expect_status(ctx, "QUEUED", "INCR a");
    expect_status(ctx, "QUEUED", "LPUSH a x"); /* fails only when run */
    expect_status(ctx, "QUEUED", "GET a");
    redisReply *r = cu_run(ctx, "EXEC");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 4);
    assert_string_equal(r->element[0]->str, "OK");
    assert_int_equal(r->element[1]->integer, 2);
    assert_int_equal(r->element[2]->type, REDIS_REPLY_ERROR);
    assert_string_equal(r->element[2]->str,
                        "WRONGTYPE Operation against a key holding the wrong kind of value");
    assert_string_equal(r->element[3]->str, "2");
    freeReplyObject(r);
    /* An empty transaction is an empty array. */
    expect_status(ctx, "OK", "MULTI");
    assert_int_equal(exec_count(ctx), 0);
    /* DISCARD drops the queue. */
    expect_status(ctx, "OK", "MULTI");
    expect_status(ctx, "QUEUED", "SET a 100");
    expect_status(ctx, "OK", "DISCARD");
    expect_bulk(ctx, "2", "GET a");
    /* SELECT inside the transaction applies to the commands after it. */
    expect_status(ctx, "OK", "MULTI");
    expect_status(ctx, "QUEUED", "SELECT 1");
    expect_status(ctx, "QUEUED", "SET indb1 x");
    expect_status(ctx, "QUEUED", "SELECT 0");
    assert_int_equal(exec_count(ctx), 3);
    assert_int_equal(cu_int(ctx, "EXISTS indb1"), 0);
    expect_status(ctx, "OK", "SELECT 1");
    assert_int_equal(cu_int(ctx, "EXISTS indb1"), 1);
    expect_status(ctx, "OK", "SELECT 0");
}

static void
test_execabort(void **state)
{
    (void)state;
    const char *abort_text = "EXECABORT Transaction discarded because of previous errors.";
    freeReplyObject(cu_run(ctx, "SET k before"));
    expect_status(ctx, "OK", "MULTI");
    expect_status(ctx, "QUEUED", "SET k after");
    expect_error(ctx, "ERR unknown command 'NOSUCH', with args beginning with: 'x' ", "NOSUCH x");
    expect_error(ctx, abort_text, "EXEC");
    expect_bulk(ctx, "before", "GET k");
    expect_error(ctx, "ERR EXEC without MULTI", "EXEC"); /* the MULTI state went */

    expect_status(ctx, "OK", "MULTI");
    expect_error(ctx, "ERR wrong number of arguments for 'get' command", "GET");
    expect_status(ctx, "QUEUED", "SET k after");
    expect_error(ctx, abort_text, "EXEC");
    expect_bulk(ctx, "before", "GET k");

    /* A subcommand unknown and a DISCARD with arguments doom the transaction too. */
    expect_status(ctx, "OK", "MULTI");
    expect_error(ctx, "ERR wrong number of arguments for 'discard' command", "DISCARD x");
    expect_error(ctx, abort_text, "EXEC");

    /* EXEC refused for its own arity quotes the reason. */
    expect_status(ctx, "OK", "MULTI");
    expect_status(ctx, "QUEUED", "SET k after");
    expect_error(ctx,
                 "EXECABORT Transaction discarded because of: wrong number of arguments for "
                 "'exec' command",
                 "EXEC x");
    expect_error(ctx, "ERR EXEC without MULTI", "EXEC");
    expect_bulk(ctx, "before", "GET k");

    /* WATCH inside MULTI and a nested MULTI are refused but do not doom it. */
    expect_status(ctx, "OK", "MULTI");
    expect_error(ctx, "ERR WATCH inside MULTI is not allowed", "WATCH k");
    expect_error(ctx, "ERR MULTI calls can not be nested", "MULTI");
    expect_status(ctx, "QUEUED", "SET k after");
    assert_int_equal(exec_count(ctx), 1);
    expect_bulk(ctx, "after", "GET k");
}

/* Over maxmemory, queueing is refused (and dooms the transaction), and EXEC of a queue with a
 * command that may grow memory is refused with EXECABORT quoting the OOM error. */
static void
test_oom(void **state)
{
    (void)state;
    const char *oom = "OOM command not allowed when used memory > 'maxmemory'.";
    expect_status(ctx, "OK", "MULTI");
    expect_status(ctx, "QUEUED", "SET b 1");
    expect_status(other, "OK", "CONFIG SET maxmemory 1");
    expect_error(ctx,
                 "EXECABORT Transaction discarded because of: OOM command not allowed when "
                 "used memory > 'maxmemory'.",
                 "EXEC");
    expect_status(ctx, "OK", "MULTI");
    expect_error(ctx, oom, "GET b");
    expect_status(ctx, "OK", "DISCARD");
    expect_status(other, "OK", "CONFIG SET maxmemory 0");
    expect_nil(ctx, "GET b");
}

static void
test_resp3(void **state)
{
    (void)state;
    int fd = raw_connect(srv.port);
    char *hello;
    size_t len;
    int closed;
    raw_sends(fd, "HELLO 3\r\n");
    hello = raw_read(fd, (size_t)-2, 300, &len, &closed);
    assert_true(len > 0 && hello[0] == '%');
    free(hello);
    raw_expect(fd, "EXEC\r\n", "-ERR EXEC without MULTI\r\n");
    raw_expect(fd, "MULTI\r\n", "+OK\r\n");
    raw_expect(fd, "MULTI\r\n", "-ERR MULTI calls can not be nested\r\n");
    raw_expect(fd, "SET r3 5\r\n", "+QUEUED\r\n");
    raw_expect(fd, "INCR r3\r\n", "+QUEUED\r\n");
    raw_expect(fd, "GET nosuchkey\r\n", "+QUEUED\r\n");
    raw_expect(fd, "EXEC\r\n", "*3\r\n+OK\r\n:6\r\n_\r\n");
    /* A broken WATCH: RESP3's null. */
    raw_expect(fd, "WATCH r3\r\n", "+OK\r\n");
    expect_status(other, "OK", "SET r3 7");
    raw_expect(fd, "MULTI\r\n", "+OK\r\n");
    raw_expect(fd, "PING\r\n", "+QUEUED\r\n");
    raw_expect(fd, "EXEC\r\n", "_\r\n");
    raw_expect(fd, "MULTI\r\n", "+OK\r\n");
    raw_expect(fd, "FOO\r\n", "-ERR unknown command 'FOO', with args beginning with: \r\n");
    raw_expect(fd, "EXEC\r\n", "-EXECABORT Transaction discarded because of previous errors.\r\n");
    close(fd);
    /* RESP2's null array. */
    fd = raw_connect(srv.port);
    raw_expect(fd, "WATCH r3\r\n", "+OK\r\n");
    expect_status(other, "OK", "SET r3 8");
    raw_expect(fd, "MULTI\r\nPING\r\nEXEC\r\n", "+OK\r\n+QUEUED\r\n*-1\r\n");
    close(fd);
}

static void
test_watch_writes(void **state)
{
    (void)state;
    freeReplyObject(cu_run(ctx, "FLUSHALL"));
    freeReplyObject(cu_run(other, "SET w 1"));
    assert_false(watched_exec_runs("w", "INCR w")); /* changed in place */
    assert_false(watched_exec_runs("w", "SET w 2"));
    assert_false(watched_exec_runs("w", "APPEND w x"));
    assert_false(watched_exec_runs("w", "EXPIRE w 100"));
    assert_false(watched_exec_runs("w", "PERSIST w"));
    assert_false(watched_exec_runs("w", "RENAME w w2"));
    assert_false(watched_exec_runs("w2", "RENAME w2 w"));
    assert_true(watched_exec_runs("w", "COPY w w3")); /* the source is only read */
    assert_false(watched_exec_runs("w3", "DEL w3"));
    assert_false(watched_exec_runs("w3", "COPY w w3"));
    assert_true(watched_exec_runs("w", "SETNX w 5")); /* no change */
    assert_true(watched_exec_runs("w", "SET w 5 NX"));
    assert_false(watched_exec_runs("w", "MOVE w 1"));
    freeReplyObject(cu_run(other, "RPUSH l a b"));
    assert_false(watched_exec_runs("l", "RPUSH l c"));
    assert_false(watched_exec_runs("l", "LPOP l"));
    assert_false(watched_exec_runs("l", "DEL l"));
    /* Creating the watched key breaks the watch too. */
    assert_false(watched_exec_runs("fresh", "SET fresh 1"));
    /* Reads, writes to other keys, and a delete of a missing key do not. */
    assert_true(watched_exec_runs("fresh", "GET fresh"));
    assert_true(watched_exec_runs("fresh", "SET unrelated 1"));
    assert_true(watched_exec_runs("missing", "DEL missing"));
    assert_true(watched_exec_runs("missing", "EXPIRE missing 10"));
    /* WATCH remembers the database of the key. */
    expect_status(other, "OK", "SELECT 9");
    assert_true(watched_exec_runs("fresh", "SET fresh 2"));
    expect_status(other, "OK", "SELECT 0");
    /* The watching client's own write before MULTI counts as well; after EXEC, nothing is
     * watched any more. */
    expect_status(ctx, "OK", "WATCH fresh");
    expect_status(ctx, "OK", "SET fresh 3");
    expect_status(ctx, "OK", "MULTI");
    assert_int_equal(exec_count(ctx), -1);
    assert_true(watched_exec_runs("fresh", NULL));
    freeReplyObject(cu_run(other, "SET fresh 4"));
    expect_status(ctx, "OK", "MULTI");
    assert_int_equal(exec_count(ctx), 0);
    /* A write inside the transaction to a watched key does not fail it. */
    expect_status(ctx, "OK", "WATCH fresh");
    expect_status(ctx, "OK", "MULTI");
    expect_status(ctx, "QUEUED", "SET fresh 5");
    assert_int_equal(exec_count(ctx), 1);
}

static void
test_watch_expiry(void **state)
{
    (void)state;
    /* A key expiring after WATCH fails EXEC, whether or not it was deleted yet. */
    freeReplyObject(cu_run(ctx, "SET e 1"));
    expect_status(ctx, "OK", "WATCH e");
    assert_int_equal(cu_int(other, "PEXPIRE e 50"), 1);
    expect_status(ctx, "OK", "MULTI");
    usleep(150 * 1000);
    expect_status(ctx, "QUEUED", "PING");
    assert_int_equal(exec_count(ctx), -1);

    freeReplyObject(cu_run(ctx, "SET e2 1"));
    assert_int_equal(cu_int(ctx, "PEXPIRE e2 50"), 1);
    expect_status(ctx, "OK", "WATCH e2");
    usleep(150 * 1000);
    expect_nil(other, "GET e2"); /* another client's lookup deletes it */
    expect_status(ctx, "OK", "MULTI");
    assert_int_equal(exec_count(ctx), -1);

    /* A key already expired when watched: its deletion is no change (Redis 7.0). */
    freeReplyObject(cu_run(ctx, "SET e3 1"));
    assert_int_equal(cu_int(ctx, "PEXPIRE e3 1"), 1);
    usleep(20 * 1000);
    expect_status(ctx, "OK", "WATCH e3");
    assert_int_equal(cu_int(other, "DEL e3"), 0);
    expect_status(ctx, "OK", "MULTI");
    expect_status(ctx, "QUEUED", "PING");
    assert_int_equal(exec_count(ctx), 1);
}

static void
test_watch_flush(void **state)
{
    (void)state;
    freeReplyObject(cu_run(ctx, "SET f 1"));
    assert_false(watched_exec_runs("f", "FLUSHALL"));
    /* A flush that removes nothing watched leaves the watch alone. */
    assert_true(watched_exec_runs("f", "FLUSHALL"));
    freeReplyObject(cu_run(ctx, "SET f 1"));
    assert_false(watched_exec_runs("f", "FLUSHDB"));
    freeReplyObject(cu_run(ctx, "SET f 1"));
    expect_status(other, "OK", "SELECT 2");
    assert_true(watched_exec_runs("f", "FLUSHDB")); /* another database */
    expect_status(other, "OK", "SELECT 0");
    assert_false(watched_exec_runs("f", "FLUSHDB ASYNC"));
}

/* UNWATCH forgets the keys; DISCARD forgets them and the dirty flag. CLIENT LIST shows the
 * state: flags x in MULTI, d when a watched key changed, multi= the queue length. */
static void
test_unwatch_discard_client_list(void **state)
{
    (void)state;
    freeReplyObject(cu_run(ctx, "SET u 1"));
    expect_status(ctx, "OK", "WATCH u");
    expect_status(ctx, "OK", "UNWATCH");
    freeReplyObject(cu_run(other, "SET u 2"));
    expect_status(ctx, "OK", "MULTI");
    assert_int_equal(exec_count(ctx), 0);
    expect_status(ctx, "OK", "UNWATCH"); /* nothing watched: still OK */

    expect_status(ctx, "OK", "WATCH u");
    freeReplyObject(cu_run(other, "SET u 3"));
    redisReply *r = cu_run(ctx, "CLIENT INFO");
    if (r->type == REDIS_REPLY_ERROR) { /* no CLIENT INFO: find ourselves in CLIENT LIST */
        freeReplyObject(r);
        r = cu_run(ctx, "CLIENT LIST");
    }
    assert_non_null(strstr(r->str, "flags=d "));
    freeReplyObject(r);
    expect_status(ctx, "OK", "MULTI");
    expect_status(ctx, "QUEUED", "PING");
    expect_status(ctx, "QUEUED", "PING");
    r = cu_run(other, "CLIENT LIST");
    assert_non_null(strstr(r->str, "flags=xd "));
    assert_non_null(strstr(r->str, " multi=2 "));
    freeReplyObject(r);
    expect_status(ctx, "OK", "DISCARD");
    /* DISCARD also unwatched and cleared the dirty flag. */
    expect_status(ctx, "OK", "MULTI");
    assert_int_equal(exec_count(ctx), 0);
    r = cu_run(other, "CLIENT LIST");
    assert_null(strstr(r->str, "flags=xd "));
    assert_null(strstr(r->str, " multi=2 "));
    assert_non_null(strstr(r->str, " multi=-1 "));
    freeReplyObject(r);
}

/* The value of "name=" on the CLIENT LIST line of the client other than `other`. */
static long long
ctx_client_field(const char *name)
{
    redisReply *r = cu_run(other, "CLIENT LIST");
    long long v = -1;
    char id_other[32];
    redisReply *idr = cu_run(other, "CLIENT ID");
    snprintf(id_other, sizeof(id_other), "id=%lld ", idr->integer);
    freeReplyObject(idr);
    for (char *line = r->str; line && *line;) {
        char *end = strchr(line, '\n');
        if (strncmp(line, id_other, strlen(id_other)) != 0) {
            char key[64];
            snprintf(key, sizeof(key), " %s=", name);
            char *p = strstr(line, key);
            if (p && (!end || p < end))
                v = atoll(p + strlen(key));
        }
        line = end ? end + 1 : NULL;
    }
    freeReplyObject(r);
    return v;
}

static void
test_memory_back_after_discard(void **state)
{
    (void)state;
    static char value[1001];
    memset(value, 'm', 1000);
    freeReplyObject(cu_run(ctx, "FLUSHALL"));
    assert_int_equal(ctx_client_field("multi-mem"), 0);
    long long before = info_field(other, "memory", "used_memory");
    long long tot_before = ctx_client_field("tot-mem");
    expect_status(ctx, "OK", "MULTI");
    for (int i = 0; i < 2000; i++)
        expect_status(ctx, "QUEUED", "SET key:%d %s", i, value);
    long long mm = ctx_client_field("multi-mem");
    assert_true(mm >= 2000 * 1000);
    assert_int_equal(ctx_client_field("multi"), 2000);
    assert_true(ctx_client_field("tot-mem") >= tot_before + mm);
    long long during = info_field(other, "memory", "used_memory");
    assert_true(during >= before + 2000 * 1000);
    expect_status(ctx, "OK", "DISCARD");
    assert_int_equal(ctx_client_field("multi-mem"), 0);
    assert_int_equal(ctx_client_field("multi"), -1);
    long long after = info_field(other, "memory", "used_memory");
    /* Back to where it was, give or take a buffer's growth. */
    assert_true(after < before + 64 * 1024);
    assert_int_equal(cu_int(ctx, "DBSIZE"), 0);
}

static long long
cmdstat(const char *cmd, const char *field)
{
    redisReply *r = cu_run(other, "INFO commandstats");
    char key[64];
    snprintf(key, sizeof(key), "cmdstat_%s:", cmd);
    long long v = -1;
    char *p = strstr(r->str, key);
    if (p) {
        char f[32];
        snprintf(f, sizeof(f), "%s=", field);
        char *q = strstr(p, f);
        if (q)
            v = atoll(q + strlen(f));
    }
    freeReplyObject(r);
    return v;
}

static void
test_commandstats(void **state)
{
    (void)state;
    expect_status(other, "OK", "CONFIG RESETSTAT");
    expect_status(ctx, "OK", "MULTI");
    expect_status(ctx, "QUEUED", "INCR cs");
    expect_status(ctx, "QUEUED", "INCR cs");
    expect_status(ctx, "QUEUED", "LPUSH cs x");
    assert_int_equal(cmdstat("incr", "calls"), -1); /* queued is not run */
    assert_int_equal(exec_count(ctx), 3);
    assert_int_equal(cmdstat("incr", "calls"), 2);
    assert_int_equal(cmdstat("lpush", "failed_calls"), 1);
    assert_int_equal(cmdstat("exec", "calls"), 1);
    assert_int_equal(cmdstat("exec", "failed_calls"), 0);
    assert_int_equal(cmdstat("multi", "calls"), 1);
    expect_status(ctx, "OK", "MULTI");
    expect_error(ctx, "ERR wrong number of arguments for 'incr' command", "INCR");
    expect_status(ctx, "OK", "DISCARD");
    assert_int_equal(cmdstat("incr", "rejected_calls"), 1);
}

/* Eviction of a watched key breaks the watch: its own server, 2 MB, allkeys-random. */
static void
test_watch_eviction(void **state)
{
    (void)state;
    struct zserver es;
    const char *args[] = {"--maxmemory", "2mb", "--maxmemory-policy", "allkeys-random", NULL};
    assert_int_equal(zserver_start(&es, args), 0);
    redisContext *a = zserver_connect(&es), *b = zserver_connect(&es);
    assert_non_null(a);
    assert_non_null(b);
    static char value[1001];
    memset(value, 'e', 1000);
    expect_status(a, "OK", "SET victim %s", value);
    expect_status(a, "OK", "WATCH victim");
    int i = 0;
    while (cu_int(b, "EXISTS victim") == 1 && i < 200000) {
        for (int j = 0; j < 100; j++, i++)
            redisAppendCommand(b, "SET fill:%d %s", i, value);
        for (int j = 0; j < 100; j++) {
            redisReply *r;
            assert_int_equal(redisGetReply(b, (void **)&r), REDIS_OK);
            freeReplyObject(r);
        }
    }
    assert_int_equal(cu_int(b, "EXISTS victim"), 0);
    assert_true(info_field(b, "stats", "evicted_keys") > 0);
    expect_status(a, "OK", "MULTI");
    expect_status(a, "QUEUED", "PING");
    assert_int_equal(exec_count(a), -1);
    /* A watch not touched by eviction still runs. */
    expect_status(a, "OK", "WATCH never-there");
    expect_status(a, "OK", "MULTI");
    expect_status(a, "QUEUED", "PING");
    assert_int_equal(exec_count(a), 1);
    redisFree(a);
    redisFree(b);
    assert_int_equal(zserver_stop(&es), 0);
}

/* Fixed sequences on one connection each, compared reply by reply with redis-server. */
static void
test_diff_redis(void **state)
{
    (void)state;
    struct rd r;
    redisContext *z = zserver_connect(&srv);
    assert_non_null(z);
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    if (rd_start(&r, z) != 0)
        fail_msg("redis-server is installed but did not start");
    static const char *const seq[] = {
        "FLUSHALL",
        "EXEC",
        "DISCARD",
        "MULTI",
        "MULTI",
        "WATCH a",
        "SET a 1",
        "INCR a",
        "HSET a f v",
        "GET a",
        "EXEC",
        "MULTI",
        "SET a 1",
        "NOSUCH x y",
        "EXEC",
        "GET a",
        "MULTI",
        "GET",
        "EXEC",
        "MULTI",
        "EXEC x",
        "EXEC",
        "MULTI",
        "DISCARD x",
        "EXEC",
        "WATCH",
        "UNWATCH x",
        "WATCH a b c",
        "SET b 1",
        "MULTI",
        "PING",
        "EXEC",
        "WATCH a",
        "UNWATCH",
        "SET a 2",
        "MULTI",
        "INCRBY a 3",
        "EXEC",
        "WATCH nokey",
        "DEL nokey",
        "MULTI",
        "ECHO hi",
        "EXEC",
        "WATCH a",
        "MULTI",
        "SET a 10",
        "EXEC",
        "MULTI",
        "EXEC",
        "MULTI",
        "SELECT 3",
        "SET x 1",
        "SELECT 0",
        "EXEC",
        "SELECT 3",
        "GET x",
        "SELECT 0",
        "MULTI",
        "RPUSH l 1 2 3",
        "LRANGE l 0 -1",
        "LPOP l",
        "INCR l",
        "EXEC",
        "MULTI",
        "DISCARD",
        "DISCARD",
        "WATCH l",
        "MULTI",
        "UNWATCH",
        "DEL l",
        "EXEC",
        "EXISTS l",
        "MULTI",
        "CLIENT",
        "EXEC",
        "MULTI",
        "CONFIG nosuchsub",
        "EXEC",
        "SET s 1",
        "WATCH s",
        "EXPIRE s 100",
        "MULTI",
        "PING",
        "EXEC",
        "WATCH s",
        "FLUSHDB",
        "MULTI",
        "PING",
        "EXEC",
        "WATCH s",
        "FLUSHDB",
        "MULTI",
        "PING",
        "EXEC",
        "SET c 1",
        "WATCH c",
        "COPY c c2",
        "SETNX c 2",
        "SET c 3 NX",
        "EXPIRE nokey 5",
        "RENAME c2 c3",
        "MULTI",
        "PING",
        "EXEC",
        "WATCH c",
        "PERSIST c",
        "MULTI",
        "PING",
        "EXEC",
        "WATCH c",
        "PEXPIRE c 100000",
        "MULTI",
        "PING",
        "EXEC",
        "WATCH c",
        "MSET x 1 c 4",
        "MULTI",
        "GET c",
        "EXEC",
        "WATCH c3",
        "MOVE c3 5",
        "MULTI",
        "PING",
        "EXEC",
    };
    size_t n = sizeof(seq) / sizeof(seq[0]);
    for (size_t i = 0; i < n; i++)
        rd_cmd(&r, seq[i]);
    /* Many keys watched at once, one of them changed by the connection itself. */
    for (int i = 0; i < 3; i++) {
        rd_cmdf(&r, "WATCH k%d k%d k%d k%d k%d", i, i + 1, i + 2, i + 3, i + 4);
        rd_cmdf(&r, "SET k%d v", i + 2 * i);
        rd_cmd(&r, "MULTI");
        rd_cmdf(&r, "GET k%d", i);
        rd_cmd(&r, "EXEC");
    }
    printf("multi diff: %ld of %ld replies agree\n", r.agreed, r.cases);
    long agreed = r.agreed, cases = r.cases;
    rd_stop(&r);
    redisFree(z);
    assert_int_equal(agreed, cases);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replies_and_errors),
        cmocka_unit_test(test_execabort),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_resp3),
        cmocka_unit_test(test_watch_writes),
        cmocka_unit_test(test_watch_expiry),
        cmocka_unit_test(test_watch_flush),
        cmocka_unit_test(test_unwatch_discard_client_list),
        cmocka_unit_test(test_memory_back_after_discard),
        cmocka_unit_test(test_commandstats),
        cmocka_unit_test(test_watch_eviction),
        cmocka_unit_test(test_diff_redis),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
