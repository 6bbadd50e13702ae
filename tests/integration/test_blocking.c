/* test_blocking.c — the blocking commands against a live zmem-server: BLPOP, BRPOP, BLMPOP,
 * BLMOVE, BRPOPLPUSH, BZPOPMIN, BZPOPMAX and BZMPOP blocking and then served by another
 * connection's write, FIFO per key in both orders; timeouts with the null reply of RESP2 and
 * RESP3; CLIENT UNBLOCK TIMEOUT and ERROR; a blocked client's pipelined commands waiting; a
 * blocked client closing; WRONGTYPE and the timeout errors; INFO blocked_clients,
 * clients_in_timeout_table and CLIENT LIST flags=b; used_memory back to its baseline once the
 * blocked clients are gone; and a differential run against a live redis-server 7.0 (errors,
 * immediate answers and the replies served to blocked clients, timing aside). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"
#include "integration/redis_diff.h"

static struct zserver srv;
static redisContext *ctx;

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"

#define expect_int(want, ...) assert_int_equal(cu_int(ctx, __VA_ARGS__), want)
#define expect_err(want, ...) expect_error(ctx, want, __VA_ARGS__)

static void
cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    freeReplyObject(cu_vrun(ctx, fmt, ap));
    va_end(ap);
}

/* Send a command on c without waiting for its reply. */
static void
send_cmd(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    assert_int_equal(redisvAppendCommand(c, fmt, ap), REDIS_OK);
    va_end(ap);
    int done = 0;
    while (!done)
        assert_int_equal(redisBufferWrite(c, &done), REDIS_OK);
}

static redisReply *
get_reply(redisContext *c)
{
    void *r = NULL;
    assert_int_equal(redisGetReply(c, &r), REDIS_OK);
    assert_non_null(r);
    return r;
}

/* 1 when nothing arrives on c within ms. */
static int
silent_for(redisContext *c, int ms)
{
    struct pollfd p = {c->fd, POLLIN, 0};
    return poll(&p, 1, ms) == 0;
}

/* Wait until INFO says n clients are blocked (2 s at most). */
static void
wait_blocked(long long n)
{
    long long deadline = harness_now_ms() + 2000, v = -1;
    while (harness_now_ms() < deadline) {
        v = info_field(ctx, "clients", "blocked_clients");
        if (v == n)
            return;
        usleep(2000);
    }
    fail_msg("blocked_clients is %lld, wanted %lld", v, n);
}

/* The reply flattened into one space-separated string ("nil" for nil, errors as text). */
static void
flatten(const redisReply *r, char *out, size_t size)
{
    if (r->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < r->elements; i++)
            flatten(r->element[i], out, size);
        return;
    }
    size_t n = strlen(out);
    if (n && n < size - 1)
        out[n++] = ' ', out[n] = '\0';
    if (r->type == REDIS_REPLY_INTEGER)
        snprintf(out + n, size - n, "%lld", r->integer);
    else if (r->type == REDIS_REPLY_NIL)
        snprintf(out + n, size - n, "nil");
    else
        snprintf(out + n, size - n, "%.*s", (int)r->len, r->str);
}

/* The next reply on c, flattened, must be want. */
static void
expect_flat(redisContext *c, const char *want)
{
    char got[1024] = "";
    redisReply *r = get_reply(c);
    flatten(r, got, sizeof(got));
    freeReplyObject(r);
    if (strcmp(got, want) != 0)
        fail_msg("wanted '%s', got '%s'", want, got);
}

/* Run a command on ctx: its flattened reply must be want. */
static void
expect_run(const char *want, const char *fmt, ...)
{
    char got[1024] = "";
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(ctx, fmt, ap);
    va_end(ap);
    flatten(r, got, sizeof(got));
    freeReplyObject(r);
    if (strcmp(got, want) != 0)
        fail_msg("'%s': wanted '%s', got '%s'", fmt, want, got);
}

static redisContext *
conn(void)
{
    redisContext *c = zserver_connect(&srv);
    assert_non_null(c);
    return c;
}

static int
setup(void **state)
{
    /* No slow log: its argv copies would move used_memory. */
    const char *args[] = {"--slowlog-log-slower-than", "-1", NULL};
    if (zserver_start(&srv, args) < 0)
        return -1;
    ctx = zserver_connect(&srv);
    return ctx ? 0 : -1;
}

static int
teardown(void **state)
{
    if (ctx)
        redisFree(ctx);
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

static int
flush(void **state)
{
    cmd("FLUSHALL");
    return 0;
}

/* ---- Served by a write ---- */

static void
test_blpop_brpop_fifo(void **state)
{
    redisContext *a = conn(), *b = conn();
    /* a first, then b: a gets the first element. */
    send_cmd(a, "BLPOP q 0");
    wait_blocked(1);
    send_cmd(b, "BLPOP q 0");
    wait_blocked(2);
    assert_true(silent_for(a, 50));
    expect_int(3, "RPUSH q x y z");
    expect_flat(a, "q x");
    expect_flat(b, "q y");
    expect_run("z", "LRANGE q 0 -1");
    redisFree(a);
    redisFree(b);
}

/* The remaining element after two were served; then the other order, with BRPOP. */
static void
test_fifo_both_orders(void **state)
{
    redisContext *a = conn(), *b = conn();
    send_cmd(b, "BRPOP q 0");
    wait_blocked(1);
    send_cmd(a, "BRPOP q 0");
    wait_blocked(2);
    expect_int(3, "RPUSH q x y z");
    expect_flat(b, "q z");
    expect_flat(a, "q y");
    expect_run("x", "LRANGE q 0 -1");
    redisFree(a);
    redisFree(b);
}

static void
test_multi_keys(void **state)
{
    redisContext *a = conn();
    send_cmd(a, "BLPOP q1 q2 q3 0");
    wait_blocked(1);
    expect_int(1, "LPUSH q3 v");
    expect_flat(a, "q3 v");
    expect_int(0, "EXISTS q3");
    /* A key named twice is served once. */
    send_cmd(a, "BLPOP d d 0");
    wait_blocked(1);
    expect_int(2, "RPUSH d 1 2");
    expect_flat(a, "d 1");
    expect_run("2", "LRANGE d 0 -1");
    redisFree(a);
}

static void
test_blmpop(void **state)
{
    redisContext *a = conn();
    send_cmd(a, "BLMPOP 0 2 l1 l2 RIGHT COUNT 2");
    wait_blocked(1);
    expect_int(3, "RPUSH l2 1 2 3");
    expect_flat(a, "l2 3 2");
    send_cmd(a, "BLMPOP 0 1 l3 LEFT");
    wait_blocked(1);
    expect_int(2, "RPUSH l3 1 2");
    expect_flat(a, "l3 1");
    redisFree(a);
}

static void
test_blmove_brpoplpush(void **state)
{
    redisContext *a = conn(), *b = conn();
    send_cmd(a, "BLMOVE src dst LEFT RIGHT 0");
    wait_blocked(1);
    expect_int(2, "LPUSH src x w");
    expect_flat(a, "w");
    expect_run("x", "LRANGE src 0 -1");
    expect_run("w", "LRANGE dst 0 -1");
    /* A chain: serving a makes s2 ready for b in the same turn. */
    send_cmd(a, "BRPOPLPUSH s1 s2 0");
    wait_blocked(1);
    send_cmd(b, "BRPOPLPUSH s2 s3 0");
    wait_blocked(2);
    expect_int(1, "RPUSH s1 m");
    expect_flat(a, "m");
    expect_flat(b, "m");
    expect_int(0, "EXISTS s1 s2");
    expect_int(1, "LLEN s3");
    /* Destination of the wrong type when served: WRONGTYPE, the source unchanged. */
    cmd("SET str v");
    send_cmd(a, "BLMOVE s4 str LEFT LEFT 0");
    wait_blocked(1);
    expect_int(1, "RPUSH s4 e");
    expect_flat(a, WRONGTYPE);
    expect_int(1, "LLEN s4");
    wait_blocked(0);
    redisFree(a);
    redisFree(b);
}

static void
test_bzpop(void **state)
{
    redisContext *a = conn(), *b = conn();
    send_cmd(a, "BZPOPMIN z 0");
    wait_blocked(1);
    send_cmd(b, "BZPOPMAX z 0");
    wait_blocked(2);
    expect_int(3, "ZADD z 1 a 2 b 3 c");
    expect_flat(a, "z a 1");
    expect_flat(b, "z c 3");
    send_cmd(a, "BZMPOP 0 2 y z2 MAX COUNT 5");
    wait_blocked(1);
    cmd("ZADD zs1 1 m 2 n");
    expect_int(2, "ZUNIONSTORE z2 1 zs1");
    expect_flat(a, "z2 n 2 m 1");
    expect_int(0, "EXISTS z2");
    /* ZINCRBY creating the key serves too. */
    send_cmd(a, "BZPOPMIN z3 0");
    wait_blocked(1);
    cmd("ZINCRBY z3 2.5 k");
    expect_flat(a, "z3 k 2.5");
    /* A list waiter is not served by a sorted set, nor the reverse. */
    send_cmd(a, "BLPOP mix 0.3");
    wait_blocked(1);
    cmd("ZADD mix 1 a");
    assert_true(silent_for(a, 50));
    expect_flat(a, "nil");
    redisFree(a);
    redisFree(b);
}

/* ---- Timeouts, CLIENT UNBLOCK, closing ---- */

static void
test_timeouts(void **state)
{
    const char *cmds[] = {
        "BLPOP k 0.1",        "BRPOP k 0.1",    "BLMPOP 0.1 1 k LEFT", "BLMOVE k d LEFT LEFT 0.1",
        "BRPOPLPUSH k d 0.1", "BZPOPMIN k 0.1", "BZPOPMAX k 0.1",      "BZMPOP 0.1 1 k MIN"};
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        long long t0 = harness_now_ms();
        redisReply *r = cu_run(ctx, cmds[i]);
        long long took = harness_now_ms() - t0;
        if (r->type != REDIS_REPLY_NIL)
            fail_msg("%s: not nil", cmds[i]);
        freeReplyObject(r);
        if (took < 90 || took > 1500)
            fail_msg("%s took %lld ms", cmds[i], took);
    }
    /* The exact bytes: *-1 in RESP2, _ in RESP3 (BLMOVE too, as Redis 7.0). */
    int fd = raw_connect(srv.port);
    raw_expect(fd, "BLMOVE k d LEFT LEFT 0.01\r\n", "*-1\r\n");
    raw_expect(fd, "BLPOP k 0.01\r\n", "*-1\r\n");
    size_t len;
    int closed;
    raw_sends(fd, "HELLO 3\r\n");
    free(raw_read(fd, 100000, 200, &len, &closed));
    raw_expect(fd, "BLPOP k 0.01\r\n", "_\r\n");
    raw_expect(fd, "BLMOVE k d LEFT LEFT 0.01\r\n", "_\r\n");
    raw_expect(fd, "BZMPOP 0.01 1 k MIN\r\n", "_\r\n");
    /* RESP3 scores are doubles when served. */
    raw_expect(fd, "ZADD zz 1.5 m\r\n", ":1\r\n");
    raw_expect(fd, "BZPOPMIN zz 0\r\n", "*3\r\n$2\r\nzz\r\n$1\r\nm\r\n,1.5\r\n");
    close(fd);
    /* -0.0001 is no timeout at all in Redis 7.0 (it rounds up to 0). */
    redisContext *a = conn();
    send_cmd(a, "BLPOP k -0.0001");
    wait_blocked(1);
    assert_int_equal(info_field(ctx, "clients", "clients_in_timeout_table"), 0);
    assert_true(silent_for(a, 100));
    redisFree(a);
    wait_blocked(0);
}

static void
test_client_unblock(void **state)
{
    redisContext *a = conn();
    long long id = cu_int(a, "CLIENT ID");
    send_cmd(a, "BLPOP k 0");
    wait_blocked(1);
    expect_int(1, "CLIENT UNBLOCK %lld", id);
    expect_flat(a, "nil");
    expect_int(0, "CLIENT UNBLOCK %lld", id);
    send_cmd(a, "BZPOPMIN k 10");
    wait_blocked(1);
    assert_int_equal(info_field(ctx, "clients", "clients_in_timeout_table"), 1);
    expect_int(1, "CLIENT UNBLOCK %lld ERROR", id);
    expect_flat(a, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    assert_int_equal(info_field(ctx, "clients", "clients_in_timeout_table"), 0);
    send_cmd(a, "BLMOVE k d LEFT LEFT 0");
    wait_blocked(1);
    expect_int(1, "CLIENT UNBLOCK %lld timeout", id);
    expect_flat(a, "nil");
    expect_int(0, "CLIENT UNBLOCK 999999");
    expect_err("ERR value is not an integer or out of range", "CLIENT UNBLOCK abc");
    expect_err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR", "CLIENT UNBLOCK 1 foo");
    expect_err("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT "
               "HELP.",
               "CLIENT UNBLOCK 1 timeout x");
    /* The unblocked client works on. */
    send_cmd(a, "PING");
    expect_flat(a, "PONG");
    redisFree(a);
}

static void
test_pipeline_waits(void **state)
{
    int fd = raw_connect(srv.port);
    raw_sends(fd, "BLPOP p 0\r\nPING\r\nLLEN p\r\n");
    wait_blocked(1);
    size_t len;
    int closed;
    char *got = raw_read(fd, 1, 100, &len, &closed);
    assert_int_equal(len, 0);
    free(got);
    /* More input while blocked waits too. */
    raw_sends(fd, "ECHO later\r\n");
    usleep(50000);
    expect_int(2, "RPUSH p a b");
    const char *want = "*2\r\n$1\r\np\r\n$1\r\na\r\n+PONG\r\n:1\r\n$5\r\nlater\r\n";
    got = raw_read(fd, strlen(want), 2000, &len, &closed);
    assert_string_equal(got, want);
    free(got);
    close(fd);
}

static void
test_blocked_client_closes(void **state)
{
    redisContext *a = conn(), *b = conn();
    send_cmd(a, "BLPOP gone 0");
    send_cmd(b, "BLPOP gone other 5");
    wait_blocked(2);
    redisFree(a);
    wait_blocked(1);
    redisFree(b);
    wait_blocked(0);
    assert_int_equal(info_field(ctx, "clients", "clients_in_timeout_table"), 0);
    /* Nobody takes the element any more. */
    expect_int(1, "RPUSH gone x");
    expect_int(1, "LLEN gone");
}

static void
test_errors_and_types(void **state)
{
    cmd("SET s x");
    cmd("RPUSH l a");
    expect_err(WRONGTYPE, "BLPOP nokey s 0");
    expect_err(WRONGTYPE, "BZPOPMIN l 0");
    expect_err(WRONGTYPE, "BLMPOP 0 2 nokey s LEFT");
    expect_err(WRONGTYPE, "BZMPOP 0 1 l MIN");
    expect_err(WRONGTYPE, "BLMOVE s d LEFT LEFT 0");
    expect_err(WRONGTYPE, "BLMOVE l s LEFT LEFT 0");
    expect_err("ERR timeout is not a float or out of range", "BLPOP k abc");
    expect_err("ERR timeout is not a float or out of range", "BLPOP k 1e5000");
    expect_err("ERR timeout is negative", "BLPOP k -1");
    expect_err("ERR timeout is negative", "BZPOPMAX k 1e300");
    expect_err("ERR timeout is negative", "BRPOPLPUSH a b inf");
    expect_err("ERR syntax error", "BLMOVE a b LEFT UP 0");
    expect_err("ERR numkeys should be greater than 0", "BLMPOP 0 0 k LEFT");
    expect_err("ERR count should be greater than 0", "BZMPOP 0 1 k MIN COUNT 0");
    /* Immediate answers when there is something. */
    expect_run("l a", "BLPOP l 0");
    expect_run("nil", "BLPOP l 0.01");
}

static void
test_info_and_client_list(void **state)
{
    redisContext *a = conn(), *b = conn();
    assert_int_equal(info_field(ctx, "clients", "blocked_clients"), 0);
    send_cmd(a, "BLPOP i 0");
    send_cmd(b, "BZPOPMIN j 30");
    wait_blocked(2);
    assert_int_equal(info_field(ctx, "clients", "clients_in_timeout_table"), 1);
    redisReply *r = cu_run(ctx, "CLIENT LIST");
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    int nb = 0;
    for (char *p = r->str; (p = strstr(p, " flags=b ")); p++)
        nb++;
    assert_int_equal(nb, 2);
    freeReplyObject(r);
    r = cu_run(ctx, "CLIENT INFO");
    assert_non_null(strstr(r->str, " flags=N "));
    freeReplyObject(r);
    cmd("RPUSH i 1");
    cmd("ZADD j 1 m");
    expect_flat(a, "i 1");
    expect_flat(b, "j m 1");
    wait_blocked(0);
    assert_int_equal(info_field(ctx, "clients", "clients_in_timeout_table"), 0);
    redisFree(a);
    redisFree(b);
}

/* Block n clients on many keys with and without timeouts, then let them go every way. */
static void
block_round(int n)
{
    redisContext *cs[32];
    for (int i = 0; i < n; i++) {
        cs[i] = conn();
        if (i % 2)
            send_cmd(cs[i], "BLPOP key:%d key:%d:b shared 0", i, i);
        else
            send_cmd(cs[i], "BZMPOP 30 2 zkey:%d shared2 MIN COUNT 3", i);
    }
    wait_blocked(n);
    cmd("RPUSH shared a b");
    cmd("ZADD shared2 1 a");
    wait_blocked(n - 3);
    for (int i = 0; i < n; i++)
        redisFree(cs[i]);
    wait_blocked(0);
    /* And until the server has closed them all, so the next round reuses the same descriptors
     * (the event loop's descriptor map grows with the highest one). */
    long long deadline = harness_now_ms() + 2000;
    while (info_field(ctx, "clients", "connected_clients") > 1 && harness_now_ms() < deadline)
        usleep(2000);
    expect_int(0, "EXISTS shared shared2");
}

/* used_memory once it has settled (the served clients' closes are asynchronous). */
static long long
settled_memory(void)
{
    long long prev = -1, now = info_field(ctx, "memory", "used_memory");
    for (int i = 0; i < 100 && now != prev; i++) {
        usleep(20000);
        prev = now;
        now = info_field(ctx, "memory", "used_memory");
    }
    return now;
}

static void
test_memory_baseline(void **state)
{
    block_round(20); /* what grows once with the connections is then in the baseline */
    long long base = settled_memory();
    block_round(20);
    long long m1 = settled_memory();
    block_round(20);
    long long m2 = settled_memory();
    block_round(20);
    long long m3 = settled_memory();
    /* Nothing stays behind per round. The event loop's own arrays (libevent's epoll result
     * array doubles when one wait fills it) may grow once, depending on timing: a bounded
     * step, never a per-round drift. */
    assert_int_equal(m3, m2);
    assert_true(m1 - base >= 0 && m1 - base <= 2048);
    assert_true(m2 - m1 >= 0 && m2 - m1 <= 2048);
    if (m1 != base || m2 != m1)
        printf("blocking memory: baseline %lld, then %lld, %lld, %lld\n", base, m1, m2, m3);
}

/* ---- Differential ---- */

static const char *const fixed_cases[] = {
    "SET s x",
    "RPUSH l a b c",
    "ZADD z 1 a 2 b 3 c",
    "BLPOP k abc",
    "BLPOP k -1",
    "BLPOP k 1e300",
    "BLPOP k inf",
    "BLPOP k nan",
    "BLPOP k 1e5000",
    "BLPOP k 0x1p-20",
    "BLPOP s 0",
    "BLPOP nokey s 1",
    "BLPOP l 0",
    "BRPOP l 0",
    "BLPOP nokey l 0",
    "RPUSH l a b c",
    "BLMPOP 0 1 l LEFT COUNT 5",
    "BLMPOP abc 1 l LEFT",
    "BLMPOP 0 0 l LEFT",
    "BLMPOP 0 1 l UP",
    "BLMPOP 0 1 l LEFT COUNT 0",
    "BLMPOP 0 2 l",
    "BLMPOP 0.01 2 l LEFT",
    "BLMPOP -1 1 l LEFT",
    "BLMPOP abc 1 l UP",
    "BLMPOP abc 0 l LEFT",
    "BLMPOP abc 1 l LEFT COUNT 0",
    "BZMPOP abc x z MIN",
    "BZMPOP abc 1 z MIN",
    "RPUSH l a b c",
    "BLMOVE l d LEFT RIGHT 0",
    "BLMOVE l d LEFT UP 0",
    "BLMOVE l d LEFT LEFT -1",
    "BLMOVE l s LEFT LEFT 0",
    "BLMOVE s l LEFT LEFT 0",
    "BRPOPLPUSH l d 0",
    "BRPOPLPUSH l d abc",
    "LRANGE d 0 -1",
    "BZPOPMIN z 0",
    "BZPOPMAX z 0",
    "BZPOPMIN s 0",
    "BZPOPMIN z abc",
    "BZMPOP 0 1 z MIN COUNT 9",
    "BZMPOP 0 1 l MIN",
    "BZMPOP 0 1 z MID",
    "BZMPOP 0 -1 z MIN",
    "BLPOP k 0.01",
    "BRPOP k 0.01",
    "BLMOVE k d LEFT LEFT 0.01",
    "BRPOPLPUSH k d 0.01",
    "BLMPOP 0.01 1 k RIGHT",
    "BZPOPMIN k 0.01",
    "BZMPOP 0.01 2 k k2 MAX",
    "CLIENT UNBLOCK abc",
    "CLIENT UNBLOCK 999999",
    "CLIENT UNBLOCK 1 foo",
    "CLIENT UNBLOCK 999999 ERROR",
    "CLIENT UNBLOCK 1 timeout x",
    "BLPOP",
    "BLMOVE a b",
    "BZMPOP 0",
    NULL,
};

/* A waiter on each server, then the same write on each: the served replies compared. */
struct served_case {
    const char *blocked[3]; /* each on its own connection, in this order */
    const char *write;
};

static const struct served_case served_cases[] = {
    {{"BLPOP a b 0", "BRPOP b 0", NULL}, "RPUSH b 1 2 3"},
    {{"BLMPOP 0 2 a b RIGHT COUNT 2", "BLMPOP 0 1 b LEFT COUNT 5", NULL}, "LPUSH b 1 2 3"},
    {{"BLMOVE a b RIGHT LEFT 0", "BRPOPLPUSH b c 0", "BLPOP c 0"}, "RPUSH a x y"},
    {{"BZPOPMIN z 0", "BZPOPMAX z 0", "BZMPOP 0 1 z MIN COUNT 2"}, "ZADD z 1 a 2 b 3 c 4 d"},
    {{"BZPOPMAX z2 0", NULL, NULL}, "ZINCRBY z2 1.5 m"},
    {{"BLPOP w 0", "BZPOPMIN w 0", NULL}, "ZADD w 1 m"},
    {{"BLMOVE e s LEFT LEFT 0", NULL, NULL}, "RPUSH e v"},
};

/* The connections of the served cases: waiters on each server and their client ids. */
struct waiters {
    redisContext *z[3], *r[3];
    long long zid[3], rid[3];
};

static void
served_diff(struct rd *d, struct waiters *w, const struct served_case *sc)
{
    int n = 0;
    rd_cmd(d, "FLUSHALL");
    rd_cmd(d, "SET s str");
    while (n < 3 && sc->blocked[n]) {
        send_cmd(w->r[n], "%s", sc->blocked[n]);
        send_cmd(w->z[n], "%s", sc->blocked[n]);
        usleep(20000); /* each waits before the next: the FIFO order is the sending order */
        n++;
    }
    usleep(30000);
    rd_cmd(d, sc->write);
    usleep(50000);
    for (int i = 0; i < n; i++) {
        /* A waiter left unserved is unblocked on both, so every reply can be compared. */
        if (silent_for(w->r[i], 0))
            freeReplyObject(cu_run(d->redis, "CLIENT UNBLOCK %lld", w->rid[i]));
        if (silent_for(w->z[i], 0))
            freeReplyObject(cu_run(d->zmem, "CLIENT UNBLOCK %lld", w->zid[i]));
        redisReply *a = get_reply(w->r[i]), *b = get_reply(w->z[i]);
        const char *what[2] = {sc->blocked[i], sc->write};
        size_t lens[2] = {strlen(what[0]), strlen(what[1])};
        rd_count(d, 2, what, lens, a, b, rd_same(a, b)); /* "blocked-command write-command" */
        freeReplyObject(a);
        freeReplyObject(b);
    }
    /* The state left behind (KEYS would list it in hash order). */
    static const char *const keys[] = {"a", "b", "c", "e", "s", "w", "z", "z2"};
    rd_cmd(d, "DBSIZE");
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char line[64];
        snprintf(line, sizeof(line), "TYPE %s", keys[i]);
        rd_cmd(d, line);
        snprintf(line, sizeof(line), "LRANGE %s 0 -1", keys[i]);
        rd_cmd(d, line);
        snprintf(line, sizeof(line), "ZRANGE %s 0 -1 WITHSCORES", keys[i]);
        rd_cmd(d, line);
    }
}

static void
test_blocking_diff(void **state)
{
    struct rd d;
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    int r = rd_start(&d, ctx);
    assert_int_equal(r, 0);
    long fixed = 0, fixed_agree = 0;
    for (int i = 0; fixed_cases[i]; i++, fixed++)
        fixed_agree += rd_cmd(&d, fixed_cases[i]);
    struct waiters w;
    struct timeval tv = {5, 0};
    for (int i = 0; i < 3; i++) {
        w.z[i] = conn();
        w.r[i] = redisConnectWithTimeout("127.0.0.1", d.redis->tcp.port, tv);
        assert_non_null(w.r[i]);
        assert_int_equal(w.r[i]->err, 0);
        redisSetTimeout(w.r[i], tv);
        w.zid[i] = cu_int(w.z[i], "CLIENT ID");
        w.rid[i] = cu_int(w.r[i], "CLIENT ID");
    }
    for (size_t i = 0; i < sizeof(served_cases) / sizeof(served_cases[0]); i++)
        served_diff(&d, &w, &served_cases[i]);
    for (int i = 0; i < 3; i++) {
        redisFree(w.z[i]);
        redisFree(w.r[i]);
    }
    printf("blocking differential: %ld fixed cases, %ld agree; %ld cases in all, %ld agree\n",
           fixed, fixed_agree, d.cases, d.agreed);
    rd_stop(&d);
    assert_int_equal(d.agreed, d.cases);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_blpop_brpop_fifo, flush),
        cmocka_unit_test_setup(test_fifo_both_orders, flush),
        cmocka_unit_test_setup(test_multi_keys, flush),
        cmocka_unit_test_setup(test_blmpop, flush),
        cmocka_unit_test_setup(test_blmove_brpoplpush, flush),
        cmocka_unit_test_setup(test_bzpop, flush),
        cmocka_unit_test_setup(test_timeouts, flush),
        cmocka_unit_test_setup(test_client_unblock, flush),
        cmocka_unit_test_setup(test_pipeline_waits, flush),
        cmocka_unit_test_setup(test_blocked_client_closes, flush),
        cmocka_unit_test_setup(test_errors_and_types, flush),
        cmocka_unit_test_setup(test_info_and_client_list, flush),
        cmocka_unit_test_setup(test_memory_baseline, flush),
        cmocka_unit_test_setup(test_blocking_diff, flush),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
