/* test_reply_chain.c — pending output as a chain with large stored strings sent by reference:
 * pipelined GETs of a big value that is not read cost no copy per GET; a DEL, SET, APPEND,
 * SETRANGE, SETBIT, GETDEL, GETSET, expiry or FLUSHALL ASYNC of the value while its replies are
 * owed still delivers the old bytes intact (and the memory comes back once they are sent);
 * other clients are answered meanwhile; replies stay in order across chunks, references and
 * CLIENT REPLY SKIP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"

static struct zserver srv;
static redisContext *ctx;

/* See test_limits.c: allocator size classes and libevent tables move a little. */
#define BASELINE_SLACK (strcmp(harness_malloc(), "jemalloc") == 0 ? 16 * 1024 : 64 * 1024)

static int
group_setup(void **state)
{
    const char *args[] = {"--first-command-timeout", "0", NULL};
    if (zserver_start(&srv, args) < 0)
        return -1;
    ctx = zserver_connect(&srv);
    usleep(1500000); /* past the first cron and memory sample: a quiet baseline */
    return ctx ? 0 : -1;
}

static int
group_teardown(void **state)
{
    if (ctx)
        redisFree(ctx);
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

/* One pipelined batch past the shared reply buffer's size puts it back at its kept size. */
static long long
used_memory(void)
{
    for (int i = 0; i < 20000; i++)
        redisAppendCommand(ctx, "PING");
    for (int i = 0; i < 20000; i++) {
        redisReply *r;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        freeReplyObject(r);
    }
    return info_field(ctx, "memory", "used_memory");
}

static void
assert_back_to(long long before)
{
    long long now = used_memory();
    for (int i = 0; i < 60 && now > before + BASELINE_SLACK; i++) {
        usleep(50000);
        now = used_memory();
    }
    if (now > before + BASELINE_SLACK)
        fail_msg("used_memory %lld, %lld above its baseline %lld", now, now - before, before);
}

/* A connection with a small receive buffer, so that what the server owes stays with it. */
static int
slow_connect(void)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)srv.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        fail_msg("connect to %d failed", srv.port);
    return fd;
}

/* The CLIENT LIST field (omem, tot-mem, ...) of the client named name, or -1. */
static long long
client_field(const char *name, const char *field)
{
    char want[64], key[64];
    snprintf(want, sizeof(want), " name=%s ", name);
    snprintf(key, sizeof(key), " %s=", field);
    redisReply *r = cu_run(ctx, "CLIENT LIST");
    long long v = -1;
    const char *line = strstr(r->str, want);
    if (line) {
        const char *end = strchr(line, '\n');
        const char *f = strstr(line, key);
        if (f && (!end || f < end))
            v = atoll(f + strlen(key));
    }
    freeReplyObject(r);
    return v;
}

/* Wait (up to 10 s) until client name owes at least min bytes: its commands have run. */
static void
wait_owed(const char *name, long long min)
{
    for (int i = 0; i < 200; i++) {
        if (client_field(name, "omem") >= min)
            return;
        usleep(50000);
    }
    fail_msg("client %s never owed %lld bytes (omem %lld)", name, min, client_field(name, "omem"));
}

/* Read exactly len bytes from fd and compare them with want. */
static void
read_expect(int fd, const char *want, size_t len)
{
    char *buf = malloc(1 << 20);
    size_t got = 0;
    long long deadline = harness_now_ms() + 60000;
    while (got < len && harness_now_ms() < deadline) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 1000) <= 0)
            continue;
        size_t room = len - got < (1 << 20) ? len - got : (1 << 20);
        ssize_t k = read(fd, buf, room);
        if (k <= 0)
            fail_msg("read %zd after %zu of %zu bytes", k, got, len);
        if (memcmp(buf, want + got, (size_t)k) != 0) {
            for (ssize_t i = 0; i < k; i++)
                if (buf[i] != want[got + (size_t)i])
                    fail_msg("byte %zu of %zu differs: a reply was changed or cut", got + (size_t)i,
                             len);
        }
        got += (size_t)k;
    }
    free(buf);
    assert_int_equal(got, len);
}

/* A value whose every byte depends on its position and on seed. */
static char *
pattern(size_t n, int seed)
{
    char *v = malloc(n);
    for (size_t i = 0; i < n; i++)
        v[i] = (char)('!' + (i * 7 + (size_t)seed * 13 + i / 4093) % 90);
    return v;
}

/* Append "$<n>\r\n<v>\r\n" to dst at *off. */
static void
put_bulk(char *dst, size_t *off, const char *v, size_t n)
{
    *off += (size_t)sprintf(dst + *off, "$%zu\r\n", n);
    memcpy(dst + *off, v, n);
    *off += n;
    memcpy(dst + *off, "\r\n", 2);
    *off += 2;
}

/* ---- No copy per GET ---- */

static void
test_gets_not_copied(void **state)
{
    size_t vlen = 1000000;
    int gets = 50;
    char *v = pattern(vlen, 1);
    redisReply *r = redisCommand(ctx, "SET big %b", v, vlen);
    freeReplyObject(r);
    long long before = used_memory();

    int fd = slow_connect();
    raw_sends(fd, "CLIENT SETNAME reader\r\n");
    for (int i = 0; i < gets; i++)
        raw_sends(fd, "GET big\r\n");
    /* Backpressure stops it at about 1 MiB owed: two replies of 1 MB wait on the server. */
    wait_owed("reader", 1000000);
    long long held = used_memory() - before;
    long long omem = client_field("reader", "omem"), tot = client_field("reader", "tot-mem");
    print_message("GETs of 1 MB pending, not read: omem %lld, tot-mem %lld, used_memory +%lld\n",
                  omem, tot, held);
    /* A copy per GET would hold at least the 1 MB it owes; references hold a few nodes. */
    if (held > 256 * 1024)
        fail_msg("owing %lld bytes of replies made used_memory grow by %lld", omem, held);
    assert_true(tot < 256 * 1024);

    /* Another client is answered while this one still owes its replies. */
    expect_status(ctx, "PONG", "PING");
    assert_true(client_field("reader", "omem") > 0);

    /* Then it reads: every reply whole. */
    size_t one = 10 + vlen + 2, len = 5 + one * (size_t)gets, off = 0;
    char *want = malloc(len);
    memcpy(want, "+OK\r\n", 5);
    off = 5;
    for (int i = 0; i < gets; i++)
        put_bulk(want, &off, v, vlen);
    read_expect(fd, want, len);
    free(want);
    close(fd);
    free(v);
    cu_int(ctx, "DEL big");
    assert_back_to(before - (long long)vlen);
}

/* GETRANGE of a large range goes by reference too (pinning the whole value), and a write to
 * the value while the ranges are owed changes neither the owed bytes nor the next reply's. */
static void
test_getrange_not_copied(void **state)
{
    size_t vlen = 1000000, from = 100, n = 900000;
    int gets = 40;
    char *v = pattern(vlen, 4);
    redisReply *r = redisCommand(ctx, "SET big %b", v, vlen);
    freeReplyObject(r);
    long long before = used_memory();

    int fd = slow_connect();
    raw_sends(fd, "CLIENT SETNAME ranger\r\n");
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "GETRANGE big %zu %zu\r\n", from, from + n - 1);
    for (int i = 0; i < gets; i++)
        raw_sends(fd, cmd);
    wait_owed("ranger", (long long)n / 2);
    long long held = used_memory() - before;
    print_message("GETRANGEs of 900 KB pending, not read: used_memory +%lld\n", held);
    if (held > 256 * 1024)
        fail_msg("owing GETRANGE replies made used_memory grow by %lld", held);

    /* Written in place while referenced: the value is copied first, so the replies already
     * made keep the old bytes; the GETRANGEs still held back by backpressure run later and see
     * the new ones. So: old replies, then new ones, and at least the first is old. */
    cu_int(ctx, "SETRANGE big 200 ZZZ");
    char *nv = malloc(vlen);
    memcpy(nv, v, vlen);
    memcpy(nv + 200, "ZZZ", 3);
    size_t one = 9 + n + 2, len = 5 + one * (size_t)gets, got;
    int closed;
    char *out = raw_read(fd, len, 60000, &got, &closed);
    assert_int_equal(got, len);
    assert_memory_equal(out, "+OK\r\n", 5);
    char hdr[16];
    snprintf(hdr, sizeof(hdr), "$%zu\r\n", n);
    int olds = 0, news = 0;
    for (int i = 0; i < gets; i++) {
        const char *rep = out + 5 + one * (size_t)i;
        assert_memory_equal(rep, hdr, 9);
        assert_memory_equal(rep + 9 + n, "\r\n", 2);
        if (memcmp(rep + 9, v + from, n) == 0 && news == 0)
            olds++;
        else if (memcmp(rep + 9, nv + from, n) == 0)
            news++;
        else
            fail_msg("reply %d of %d is neither the old range nor the new one", i + 1, gets);
    }
    print_message("%d replies made before the SETRANGE, %d after\n", olds, news);
    assert_true(olds >= 1);
    free(out);
    free(nv);
    close(fd);
    r = redisCommand(ctx, "GETRANGE big 0 299");
    assert_int_equal(r->len, 300);
    assert_memory_equal(r->str + 200, "ZZZ", 3);
    assert_memory_equal(r->str + 100, v + 100, 100);
    freeReplyObject(r);
    free(v);
    cu_int(ctx, "DEL big");
    assert_back_to(before - (long long)vlen);
}

/* ---- The value changes while its replies are owed ---- */

enum after { AFTER_NIL, AFTER_NEW, AFTER_APPEND, AFTER_SETRANGE, AFTER_SETBIT };

struct change {
    const char *cmd; /* run on the other client while the replies are owed */
    enum after after;
};

static void
change_while_owed(const struct change *ch)
{
    size_t vlen = 4 * 1024 * 1024;
    char *old = pattern(vlen, 2), *new = pattern(vlen, 3);
    redisReply *r = redisCommand(ctx, "SET big %b", old, vlen);
    freeReplyObject(r);

    /* MGET pins the value twice, then the GET waits behind backpressure and runs after the
     * change: it sees the new state. */
    int fd = slow_connect();
    raw_sends(fd, "CLIENT SETNAME pinner\r\nMGET big big\r\nGET big\r\n");
    /* Past the kernel's socket buffers some of the first reference is still owed: both pins are
     * held when the value changes. */
    wait_owed("pinner", (long long)vlen + 64);

    if (strcmp(ch->cmd, "SET") == 0 || strcmp(ch->cmd, "GETSET") == 0)
        r = redisCommand(ctx, "%s big %b", ch->cmd, new, vlen);
    else
        r = redisCommand(ctx, ch->cmd);
    assert_non_null(r);
    assert_int_not_equal(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    if (strncmp(ch->cmd, "PEXPIRE", 7) == 0)
        usleep(20000);

    size_t cap = 3 * (vlen + 64) + 64, off = 0;
    char *want = malloc(cap);
    off += (size_t)sprintf(want, "+OK\r\n*2\r\n");
    put_bulk(want, &off, old, vlen);
    put_bulk(want, &off, old, vlen);
    switch (ch->after) {
    case AFTER_NIL:
        memcpy(want + off, "$-1\r\n", 5);
        off += 5;
        break;
    case AFTER_NEW:
        put_bulk(want, &off, new, vlen);
        break;
    case AFTER_APPEND: /* APPEND big xyz */
        off += (size_t)sprintf(want + off, "$%zu\r\n", vlen + 3);
        memcpy(want + off, old, vlen);
        memcpy(want + off + vlen, "xyz\r\n", 5);
        off += vlen + 5;
        break;
    case AFTER_SETRANGE: /* SETRANGE big 1000 ZZZ */
        memcpy(new, old, vlen);
        memcpy(new + 1000, "ZZZ", 3);
        put_bulk(want, &off, new, vlen);
        break;
    case AFTER_SETBIT: /* SETBIT big 7 1: the low bit of byte 0 */
        memcpy(new, old, vlen);
        new[0] |= 1;
        put_bulk(want, &off, new, vlen);
        break;
    }
    read_expect(fd, want, off);
    free(want);
    close(fd);
    free(old);
    free(new);
    cu_int(ctx, "DEL big");
}

static void
test_changed_while_owed(void **state)
{
    static const struct change changes[] = {
        {"DEL big", AFTER_NIL},
        {"UNLINK big", AFTER_NIL},
        {"GETDEL big", AFTER_NIL},
        {"FLUSHALL ASYNC", AFTER_NIL},
        {"FLUSHALL SYNC", AFTER_NIL},
        {"PEXPIRE big 1", AFTER_NIL},
        {"SET", AFTER_NEW},
        {"GETSET", AFTER_NEW},
        {"APPEND big xyz", AFTER_APPEND},
        {"SETRANGE big 1000 ZZZ", AFTER_SETRANGE},
        {"SETBIT big 7 1", AFTER_SETBIT},
    };
    long long before = used_memory();
    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
        print_message("%s while two replies of the value are owed\n", changes[i].cmd);
        change_while_owed(&changes[i]);
    }
    /* Every old value went with its last reply. */
    assert_back_to(before);
}

/* ---- Order ---- */

static void
expect_bulk_n(redisReply *r, const char *v, size_t n)
{
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_int_equal(r->len, n);
    assert_memory_equal(r->str, v, n);
}

static void
test_order_across_chunks(void **state)
{
    size_t vlen = 300000;
    char *v = pattern(vlen, 4), elem[100];
    memset(elem, 'e', sizeof(elem));
    redisReply *r = redisCommand(ctx, "SET big %b", v, vlen);
    freeReplyObject(r);
    cu_int(ctx, "DEL l");
    for (int i = 0; i < 3000; i++) {
        elem[0] = (char)('0' + i % 10);
        redisAppendCommand(ctx, "RPUSH l %b", elem, sizeof(elem));
    }
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        freeReplyObject(r);
    }
    long long before = used_memory();

    redisContext *c = zserver_connect(&srv);
    for (int round = 0; round < 3; round++) {
        redisAppendCommand(c, "SET s hello");
        redisAppendCommand(c, "GET big");
        redisAppendCommand(c, "PING");
        redisAppendCommand(c, "LRANGE l 0 -1");
        redisAppendCommand(c, "MGET big s nokey big");
        redisAppendCommand(c, "CLIENT REPLY SKIP");
        redisAppendCommand(c, "GET big");
        redisAppendCommand(c, "GET s");
        redisAppendCommand(c, "GETEX big PERSIST");
    }
    for (int round = 0; round < 3; round++) {
        redisReply *x;
        assert_int_equal(redisGetReply(c, (void **)&x), REDIS_OK);
        assert_string_equal(x->str, "OK");
        freeReplyObject(x);
        assert_int_equal(redisGetReply(c, (void **)&x), REDIS_OK);
        expect_bulk_n(x, v, vlen);
        freeReplyObject(x);
        assert_int_equal(redisGetReply(c, (void **)&x), REDIS_OK);
        assert_string_equal(x->str, "PONG");
        freeReplyObject(x);
        assert_int_equal(redisGetReply(c, (void **)&x), REDIS_OK);
        assert_int_equal(x->elements, 3000);
        for (size_t i = 0; i < x->elements; i++) {
            elem[0] = (char)('0' + i % 10);
            expect_bulk_n(x->element[i], elem, sizeof(elem));
        }
        freeReplyObject(x);
        assert_int_equal(redisGetReply(c, (void **)&x), REDIS_OK);
        assert_int_equal(x->elements, 4);
        expect_bulk_n(x->element[0], v, vlen);
        expect_bulk_n(x->element[1], "hello", 5);
        assert_int_equal(x->element[2]->type, REDIS_REPLY_NIL);
        expect_bulk_n(x->element[3], v, vlen);
        freeReplyObject(x);
        /* CLIENT REPLY SKIP: neither it nor the GET after it answers. */
        assert_int_equal(redisGetReply(c, (void **)&x), REDIS_OK);
        expect_bulk_n(x, "hello", 5);
        freeReplyObject(x);
        assert_int_equal(redisGetReply(c, (void **)&x), REDIS_OK);
        expect_bulk_n(x, v, vlen);
        freeReplyObject(x);
    }
    redisFree(c);
    free(v);
    cu_int(ctx, "DEL big l");
    assert_back_to(before - (long long)vlen - 300000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gets_not_copied),
        cmocka_unit_test(test_getrange_not_copied),
        cmocka_unit_test(test_changed_while_owed),
        cmocka_unit_test(test_order_across_chunks),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
