/* test_core.c — the server core's commands against a live zmem-server: PING/ECHO/QUIT/TIME,
 * HELLO and RESP3 bytes, AUTH and NOAUTH, SELECT, CONFIG GET/SET, CLIENT, COMMAND, SLOWLOG,
 * LATENCY, dispatch errors with Redis 7.0's exact texts, pipelining, inline commands and
 * protocol errors. Start-up, shutdown and limits are in test_core_start.c. */
#include "integration/harness.h"

static struct zserver srv;
static redisContext *ctx;

static int
group_setup(void **state)
{
    if (zserver_start(&srv, NULL) < 0)
        return -1;
    ctx = zserver_connect(&srv);
    return ctx ? 0 : -1;
}

static int
group_teardown(void **state)
{
    if (ctx)
        redisFree(ctx);
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

static void
test_ping_echo(void **state)
{
    expect_status(ctx, "PONG", "PING");
    expect_bulk(ctx, "hello", "PING hello");
    expect_error(ctx, "ERR wrong number of arguments for 'ping' command", "PING a b");
    expect_bulk(ctx, "hi there", "ECHO %s", "hi there");
    expect_error(ctx, "ERR wrong number of arguments for 'echo' command", "ECHO");
    expect_error(ctx, "ERR wrong number of arguments for 'echo' command", "ECHO a b");
}

static void
test_unknown_command(void **state)
{
    expect_error(ctx, "ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' ",
                 "FOO bar baz");
    expect_error(ctx, "ERR unknown command 'nosuch', with args beginning with: ", "nosuch");
    /* Arguments are listed until the list reaches 128 bytes, each cut to what is left. */
    char big[201];
    memset(big, 'a', 200);
    big[200] = '\0';
    char want[300];
    snprintf(want, sizeof(want), "ERR unknown command 'x', with args beginning with: '%.128s' ",
             big);
    expect_error(ctx, want, "x %s b", big);
}

static void
test_container_errors(void **state)
{
    expect_error(ctx, "ERR wrong number of arguments for 'config' command", "CONFIG");
    expect_error(ctx, "ERR wrong number of arguments for 'config|get' command", "CONFIG GET");
    expect_error(ctx, "ERR unknown subcommand 'foo'. Try CONFIG HELP.", "CONFIG foo");
    expect_error(ctx, "ERR unknown subcommand 'NOPE'. Try CLIENT HELP.", "client NOPE");
    expect_error(ctx, "ERR unknown subcommand 'x'. Try SLOWLOG HELP.", "SLOWLOG x");
    expect_error(ctx, "ERR unknown subcommand 'foo'. Try LATENCY HELP.", "LATENCY foo");
    expect_error(ctx, "ERR unknown subcommand 'foo'. Try COMMAND HELP.", "COMMAND foo");
    expect_error(ctx, "ERR wrong number of arguments for 'client|kill' command", "CLIENT KILL");
    expect_error(ctx, "ERR wrong number of arguments for 'slowlog|len' command", "SLOWLOG LEN x");
    redisReply *r = cu_run(ctx, "CONFIG HELP");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_string_equal(r->element[0]->str,
                        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert_string_equal(r->element[r->elements - 2]->str, "HELP");
    assert_string_equal(r->element[r->elements - 1]->str, "    Prints this help.");
    freeReplyObject(r);
}

static void
test_select_time(void **state)
{
    expect_status(ctx, "OK", "SELECT 15");
    expect_status(ctx, "OK", "SELECT 0");
    expect_error(ctx, "ERR DB index is out of range", "SELECT 16");
    expect_error(ctx, "ERR DB index is out of range", "SELECT -1");
    expect_error(ctx, "ERR value is not an integer or out of range", "SELECT x");
    redisReply *r = cu_run(ctx, "TIME");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 2);
    long long secs = atoll(r->element[0]->str), usec = atoll(r->element[1]->str);
    assert_true(llabs(secs - (long long)time(NULL)) <= 2);
    assert_true(usec >= 0 && usec < 1000000);
    freeReplyObject(r);
    expect_error(ctx, "ERR wrong number of arguments for 'time' command", "TIME x");
}

static void
test_hello_resp2(void **state)
{
    expect_error(ctx, "NOPROTO unsupported protocol version", "HELLO 4");
    expect_error(ctx, "ERR Protocol version is not an integer or out of range", "HELLO abc");
    expect_error(ctx, "ERR Syntax error in HELLO option 'setname'", "HELLO 3 setname");
    expect_error(ctx, "ERR Syntax error in HELLO option 'bogus'", "HELLO 2 bogus x");
    redisReply *r = cu_run(ctx, "HELLO 2");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 14);
    assert_string_equal(r->element[0]->str, "server");
    assert_string_equal(r->element[1]->str, "redis");
    assert_string_equal(r->element[3]->str, "7.0.15");
    assert_int_equal(r->element[5]->integer, 2);
    long long id = r->element[7]->integer;
    assert_string_equal(r->element[9]->str, "standalone");
    assert_string_equal(r->element[11]->str, "master");
    assert_int_equal(r->element[13]->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    assert_int_equal(cu_int(ctx, "CLIENT ID"), id);
}

static void
test_resp3_bytes(void **state)
{
    int fd = raw_connect(srv.port);
    size_t len;
    int closed;
    raw_sends(fd, "HELLO 3\r\n");
    char *got = raw_read(fd, (size_t)-2, 300, &len, &closed); /* the whole map */
    assert_memory_equal(got, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n", 27);
    assert_non_null(strstr(got, "$5\r\nproto\r\n:3\r\n"));
    assert_non_null(strstr(got, "$7\r\nmodules\r\n*0\r\n"));
    free(got);
    raw_expect(fd, "PING\r\n", "+PONG\r\n");
    raw_expect(fd, "CLIENT GETNAME\r\n", "_\r\n");
    raw_expect(fd, "CONFIG GET maxmemory-samples\r\n",
               "%1\r\n$17\r\nmaxmemory-samples\r\n$1\r\n5\r\n");
    raw_expect(fd, "CONFIG GET nomatch*\r\n", "%0\r\n");
    raw_sends(fd, "HELLO 2\r\nCLIENT GETNAME\r\n");
    got = raw_read(fd, (size_t)-2, 300, &len, &closed);
    const char *head = "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
                       "$5\r\nproto\r\n:2\r\n";
    assert_memory_equal(got, head, strlen(head));
    assert_string_equal(got + len - 5, "$-1\r\n"); /* RESP2 null after switching back */
    free(got);
    close(fd);
}

static void
test_pipeline_and_inline(void **state)
{
    int fd = raw_connect(srv.port);
    size_t one = strlen("*1\r\n$4\r\nPING\r\n"), len;
    int closed;
    char *req = malloc(one * 1000);
    for (int i = 0; i < 1000; i++)
        memcpy(req + i * one, "*1\r\n$4\r\nPING\r\n", one);
    raw_send(fd, req, one * 1000); /* one write */
    char *got = raw_read(fd, 7 * 1000, 5000, &len, &closed);
    assert_int_equal(len, 7000);
    for (int i = 0; i < 1000; i++)
        assert_memory_equal(got + 7 * i, "+PONG\r\n", 7);
    free(got);
    free(req);
    /* Inline: LF or CRLF endings, quoting, empty lines ignored. */
    raw_expect(fd, "PING\n", "+PONG\r\n");
    raw_expect(fd, "\r\n\nECHO \"a b\"\r\n", "$3\r\na b\r\n");
    raw_expect(fd, "echo 'x y' \n", "$3\r\nx y\r\n");
    /* A command split over several writes. */
    raw_sends(fd, "*2\r\n$4\r\nEC");
    usleep(20000);
    raw_sends(fd, "HO\r\n$5\r\nhel");
    usleep(20000);
    raw_expect(fd, "lo\r\n", "$5\r\nhello\r\n");
    close(fd);
}

static void
test_big_bulk(void **state)
{
    size_t n = 3 * 1024 * 1024 + 7, len;
    int closed;
    char *val = malloc(n);
    memset(val, 'v', n);
    redisReply *r = cu_run(ctx, "ECHO %b", val, n);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_int_equal(r->len, n);
    assert_memory_equal(r->str, val, n);
    freeReplyObject(r);
    /* The same through a raw socket that reads its reply late: all of it arrives. */
    int fd = raw_connect(srv.port);
    char hdr[64];
    int h = snprintf(hdr, sizeof(hdr), "*2\r\n$4\r\nECHO\r\n$%zu\r\n", n);
    raw_send(fd, hdr, (size_t)h);
    raw_send(fd, val, n);
    raw_sends(fd, "\r\nPING\r\n");
    usleep(200000);
    char *got = raw_read(fd, n + 12 + 7, 5000, &len, &closed);
    assert_int_equal(len, n + 12 + 7); /* "$3145735\r\n" + payload + CRLF, then +PONG */
    assert_memory_equal(got + len - 7, "+PONG\r\n", 7);
    free(got);
    free(val);
    close(fd);
}

static void
test_protocol_error_closes(void **state)
{
    int fd = raw_connect(srv.port);
    /* The first command runs; nothing after the bad one does. */
    raw_expect(fd, "PING\r\n*x\r\nPING\r\n",
               "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n");
    assert_true(raw_closed_within(fd, 2000));
    close(fd);
    fd = raw_connect(srv.port);
    raw_expect(fd, "*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n");
    assert_true(raw_closed_within(fd, 2000));
    close(fd);
    fd = raw_connect(srv.port);
    raw_expect(fd, "*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n");
    close(fd);
    fd = raw_connect(srv.port);
    raw_expect(fd, "ECHO \"open\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n");
    close(fd);
    /* The server keeps serving everyone else. */
    expect_status(ctx, "PONG", "PING");
}

static void
test_quit(void **state)
{
    int fd = raw_connect(srv.port);
    raw_expect(fd, "QUIT\r\nPING\r\n", "+OK\r\n");
    assert_true(raw_closed_within(fd, 2000));
    close(fd);
}

static void
test_auth_without_password(void **state)
{
    expect_error(ctx,
                 "ERR AUTH <password> called without any password configured for the default "
                 "user. Are you sure your configuration is correct?",
                 "AUTH x");
    expect_status(ctx, "OK", "AUTH default anything");
    expect_error(ctx, "WRONGPASS invalid username-password pair or user is disabled.",
                 "AUTH bob x");
    expect_error(ctx, "ERR syntax error", "AUTH a b c");
    expect_error(ctx, "ERR wrong number of arguments for 'auth' command", "AUTH");
}

struct cfg_pairs {
    int n;
    int even;
    long long databases;
    char save[16], appendonly[16];
};

static void
read_pairs(redisReply *r, struct cfg_pairs *p)
{
    memset(p, 0, sizeof(*p));
    p->databases = -1;
    p->even = r->elements % 2 == 0;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        assert_int_equal(r->element[i]->type, REDIS_REPLY_STRING);
        assert_int_equal(r->element[i + 1]->type, REDIS_REPLY_STRING);
        if (strcmp(r->element[i]->str, "databases") == 0)
            p->databases = atoll(r->element[i + 1]->str);
        if (strcmp(r->element[i]->str, "save") == 0)
            snprintf(p->save, sizeof(p->save), "[%s]", r->element[i + 1]->str);
        if (strcmp(r->element[i]->str, "appendonly") == 0)
            snprintf(p->appendonly, sizeof(p->appendonly), "%s", r->element[i + 1]->str);
        p->n++;
    }
}

static void
test_config_get(void **state)
{
    struct cfg_pairs p;
    redisReply *r = cu_run(ctx, "CONFIG GET *");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    read_pairs(r, &p);
    assert_true(p.even);
    assert_true(p.n >= 20);
    assert_int_equal(p.databases, 16);
    assert_string_equal(p.save, "[]");
    assert_string_equal(p.appendonly, "no");
    freeReplyObject(r);
    /* Case-insensitive glob; several patterns, each option once. */
    r = cu_run(ctx, "CONFIG GET MAXMEMORY* maxmemory maxclients");
    assert_int_equal(r->elements, 12); /* five maxmemory* options and maxclients */
    assert_string_equal(r->element[0]->str, "maxmemory");
    assert_string_equal(r->element[1]->str, "0");
    freeReplyObject(r);
    r = cu_run(ctx, "CONFIG GET nosuch*");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 0);
    freeReplyObject(r);
    r = cu_run(ctx, "CONFIG GET io-threads");
    assert_string_equal(r->element[1]->str, "1");
    freeReplyObject(r);
    r = cu_run(ctx, "CONFIG GET slowlog-*");
    assert_int_equal(r->elements, 4); /* slowlog-log-slower-than, slowlog-max-len */
    freeReplyObject(r);
    r = cu_run(ctx, "CONFIG GET ma?clients");
    assert_int_equal(r->elements, 2);
    assert_string_equal(r->element[1]->str, "10000");
    freeReplyObject(r);
}

static void
expect_config(const char *name, const char *want)
{
    redisReply *r = cu_run(ctx, "CONFIG GET %s", name);
    assert_int_equal(r->elements, 2);
    assert_string_equal(r->element[1]->str, want);
    freeReplyObject(r);
}

static void
test_config_set(void **state)
{
    expect_status(ctx, "OK", "CONFIG SET hz 600");
    expect_config("hz", "500"); /* clamped like Redis */
    expect_status(ctx, "OK", "CONFIG SET hz 10 maxmemory 100mb");
    expect_config("maxmemory", "104857600");
    expect_status(ctx, "OK", "CONFIG SET maxmemory 0 maxmemory-policy ALLKEYS-LRU");
    expect_config("maxmemory-policy", "allkeys-lru");
    expect_status(ctx, "OK", "CONFIG SET maxmemory-policy noeviction");
    expect_error(ctx, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
                 "CONFIG SET foo bar");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
                 "immutable config",
                 "CONFIG SET databases 3");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't "
                 "be parsed into an integer",
                 "CONFIG SET hz abc");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument "
                 "must be a memory value",
                 "CONFIG SET maxmemory -1");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - "
                 "argument must be between 1 and 2147483647 inclusive",
                 "CONFIG SET maxmemory-samples 0");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - "
                 "argument must be between 1048576 and 9223372036854775807 inclusive",
                 "CONFIG SET proto-max-bulk-len 1000");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - "
                 "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                 "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                 "noeviction",
                 "CONFIG SET maxmemory-policy foo");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'lazyfree-lazy-user-del') - "
                 "argument must be 'yes' or 'no'",
                 "CONFIG SET lazyfree-lazy-user-del maybe");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter",
                 "CONFIG SET hz 10 hz 20");
    /* All or nothing: a bad second pair leaves the first unapplied. */
    expect_error(ctx, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
                 "CONFIG SET hz 33 foo 1");
    expect_config("hz", "10");
    expect_error(ctx, "ERR wrong number of arguments for 'config|set' command", "CONFIG SET hz");
    expect_error(ctx, "ERR wrong number of arguments for 'config|set' command",
                 "CONFIG SET hz 10 maxclients");
    expect_status(ctx, "OK", "CONFIG SET save %s appendonly no", "");
    expect_status(ctx, "OK", "CONFIG RESETSTAT");
}

static void
test_client_commands(void **state)
{
    expect_nil(ctx, "CLIENT GETNAME");
    expect_error(ctx, "ERR Client names cannot contain spaces, newlines or special characters.",
                 "CLIENT SETNAME %s", "a b");
    expect_status(ctx, "OK", "CLIENT SETNAME core-test");
    expect_bulk(ctx, "core-test", "CLIENT GETNAME");
    long long myid = cu_int(ctx, "CLIENT ID");

    redisReply *r = cu_run(ctx, "CLIENT INFO");
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    char want[64];
    snprintf(want, sizeof(want), "id=%lld addr=127.0.0.1:", myid);
    assert_memory_equal(r->str, want, strlen(want));
    assert_non_null(strstr(r->str, " name=core-test "));
    assert_non_null(strstr(r->str, " cmd=client|info "));
    assert_int_equal(r->str[r->len - 1], '\n');
    freeReplyObject(r);

    /* CLIENT LIST: one line per client, k=v tokens only. */
    redisContext *other = zserver_connect(&srv);
    long long otherid = cu_int(other, "CLIENT ID");
    r = cu_run(ctx, "CLIENT LIST");
    int lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(r->str, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lines++;
        assert_int_equal(strncmp(line, "id=", 3), 0);
        assert_non_null(strstr(line, " addr=127.0.0.1:"));
        char *tsave = NULL;
        char copy[1024];
        snprintf(copy, sizeof(copy), "%s", line);
        for (char *tok = strtok_r(copy, " ", &tsave); tok; tok = strtok_r(NULL, " ", &tsave))
            assert_non_null(strchr(tok, '='));
        for (const char *k = "laddr= fd= name= age= idle= flags=N db=0 cmd= tot-mem= resp=";;) {
            const char *sp = strchr(k, ' ');
            char key[32];
            snprintf(key, sizeof(key), " %.*s", (int)(sp ? sp - k : (long)strlen(k)), k);
            if (strstr(line, key) == NULL)
                fail_msg("CLIENT LIST line lacks '%s': %s", key, line);
            if (!sp)
                break;
            k = sp + 1;
        }
    }
    assert_true(lines >= 2);
    freeReplyObject(r);
    r = cu_run(ctx, "CLIENT LIST ID %lld", otherid);
    assert_int_equal(strchr(r->str, '\n') - r->str + 1, (long)r->len); /* exactly one line */
    freeReplyObject(r);
    r = cu_run(ctx, "CLIENT LIST TYPE pubsub");
    assert_int_equal(r->len, 0);
    freeReplyObject(r);
    expect_error(ctx, "ERR Unknown client type 'bogus'", "CLIENT LIST TYPE bogus");

    /* KILL by address and by filter. */
    r = cu_run(other, "CLIENT INFO");
    char addr[64];
    sscanf(strstr(r->str, "addr=") + 5, "%63s", addr);
    freeReplyObject(r);
    expect_status(ctx, "OK", "CLIENT KILL %s", addr);
    assert_null(redisCommand(other, "PING")); /* its connection is gone */
    redisFree(other);
    expect_error(ctx, "ERR No such client", "CLIENT KILL 1.2.3.4:5");
    other = zserver_connect(&srv);
    otherid = cu_int(other, "CLIENT ID");
    assert_int_equal(cu_int(ctx, "CLIENT KILL ID %lld", otherid), 1);
    assert_int_equal(cu_int(ctx, "CLIENT KILL ID %lld", otherid), 0);
    redisFree(other);
    expect_error(ctx, "ERR client-id should be greater than 0", "CLIENT KILL ID 0");
    expect_error(ctx, "ERR client-id should be greater than 0", "CLIENT KILL ID abc");
    expect_error(ctx, "ERR No such user 'nobody'", "CLIENT KILL USER nobody");
    assert_int_equal(cu_int(ctx, "CLIENT KILL USER default SKIPME yes"), 0);
    expect_error(ctx, "ERR syntax error", "CLIENT KILL foo bar");
    expect_error(ctx, "ERR syntax error", "CLIENT KILL ID 5 SKIPME");
    /* SKIPME yes (the default) spares the caller. */
    assert_int_equal(cu_int(ctx, "CLIENT KILL ID %lld", myid), 0);
    r = cu_run(ctx, "CLIENT HELP");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    expect_status(ctx, "OK", "CLIENT SETNAME %s", "");
    expect_nil(ctx, "CLIENT GETNAME");
}

static void
test_client_kill_self(void **state)
{
    redisContext *c = zserver_connect(&srv);
    long long id = cu_int(c, "CLIENT ID");
    /* The reply still arrives, then the connection closes. */
    assert_int_equal(cu_int(c, "CLIENT KILL ID %lld SKIPME no", id), 1);
    assert_null(redisCommand(c, "PING"));
    redisFree(c);
}

static void
test_command(void **state)
{
    long long count = cu_int(ctx, "COMMAND COUNT");
    assert_true(count >= 15);
    redisReply *r = cu_run(ctx, "COMMAND");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, count);
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *e = r->element[i];
        assert_int_equal(e->type, REDIS_REPLY_ARRAY);
        assert_int_equal(e->elements, 10);
        assert_int_equal(e->element[0]->type, REDIS_REPLY_STRING);
        assert_int_equal(e->element[1]->type, REDIS_REPLY_INTEGER);
        assert_int_equal(e->element[3]->type, REDIS_REPLY_INTEGER);
    }
    freeReplyObject(r);
    r = cu_run(ctx, "COMMAND INFO ping nosuch");
    assert_int_equal(r->elements, 2);
    assert_string_equal(r->element[0]->element[0]->str, "ping");
    assert_int_equal(r->element[0]->element[1]->integer, -1);
    assert_int_equal(r->element[1]->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    /* DOCS: each entry, subcommands included, has a summary and a group (redis-cli relies
     * on both), and arguments is an array. (The whole of COMMAND DOCS nests deeper than this
     * hiredis reads; test_command_docs reads all of it.) */
    r = cu_run(ctx, "COMMAND DOCS get config ping memory set");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 10);
    for (size_t i = 0; i < r->elements; i += 2) {
        redisReply *doc = r->element[i + 1];
        int summary = 0, group = 0;
        for (size_t k = 0; k + 1 < doc->elements; k += 2) {
            const char *key = doc->element[k]->str;
            redisReply *v = doc->element[k + 1];
            if (strcmp(key, "summary") == 0 && v->type == REDIS_REPLY_STRING)
                summary = 1;
            if (strcmp(key, "group") == 0 && v->type == REDIS_REPLY_STRING)
                group = 1;
            if (strcmp(key, "arguments") == 0)
                assert_int_equal(v->type, REDIS_REPLY_ARRAY);
            if (strcmp(key, "subcommands") == 0) {
                for (size_t s = 0; s + 1 < v->elements; s += 2) {
                    assert_non_null(strchr(v->element[s]->str, '|'));
                    /* Redis's order: summary, since, group, ... */
                    assert_string_equal(v->element[s + 1]->element[0]->str, "summary");
                    assert_string_equal(v->element[s + 1]->element[4]->str, "group");
                }
            }
        }
        if (!summary || !group)
            fail_msg("COMMAND DOCS entry %s lacks summary or group", r->element[i]->str);
    }
    freeReplyObject(r);
    r = cu_run(ctx, "COMMAND DOCS config nosuch");
    assert_int_equal(r->elements, 2);
    assert_string_equal(r->element[0]->str, "config");
    freeReplyObject(r);
    expect_error(ctx, "ERR wrong number of arguments for 'command|count' command",
                 "COMMAND COUNT x");
}

static void
test_slowlog(void **state)
{
    expect_status(ctx, "OK", "CONFIG SET slowlog-log-slower-than 0");
    expect_status(ctx, "OK", "SLOWLOG RESET");
    char big[200];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    expect_bulk(ctx, big, "ECHO %s", big);
    redisReply *r = cu_run(ctx, "SLOWLOG GET 1");
    assert_int_equal(r->elements, 1);
    redisReply *e = r->element[0];
    assert_int_equal(e->elements, 6);
    assert_int_equal(e->element[0]->type, REDIS_REPLY_INTEGER); /* the exporter needs ints */
    assert_int_equal(e->element[1]->type, REDIS_REPLY_INTEGER);
    assert_true(llabs(e->element[1]->integer - (long long)time(NULL)) <= 2);
    assert_int_equal(e->element[2]->type, REDIS_REPLY_INTEGER);
    assert_int_equal(e->element[3]->elements, 2);
    assert_string_equal(e->element[3]->element[0]->str, "ECHO");
    char want[200];
    snprintf(want, sizeof(want), "%.128s... (71 more bytes)", big);
    assert_string_equal(e->element[3]->element[1]->str, want);
    assert_memory_equal(e->element[4]->str, "127.0.0.1:", 10);
    assert_int_equal(e->element[5]->type, REDIS_REPLY_STRING);
    long long first_id = e->element[0]->integer;
    freeReplyObject(r);

    /* More than 32 arguments: 31 kept, the last says how many were left out. */
    const char *argv[40];
    argv[0] = "PING";
    for (int i = 1; i < 40; i++)
        argv[i] = "x";
    r = redisCommandArgv(ctx, 40, argv, NULL);
    freeReplyObject(r);
    r = cu_run(ctx, "SLOWLOG GET 1");
    e = r->element[0];
    assert_int_equal(e->element[0]->integer, first_id + 2); /* SLOWLOG GET itself was logged */
    assert_int_equal(e->element[3]->elements, 32);
    assert_string_equal(e->element[3]->element[31]->str, "... (9 more arguments)");
    freeReplyObject(r);

    assert_true(cu_int(ctx, "SLOWLOG LEN") >= 3);
    r = cu_run(ctx, "SLOWLOG GET -1");
    assert_true(r->elements >= 3);
    freeReplyObject(r);
    expect_error(ctx, "ERR count should be greater than or equal to -1", "SLOWLOG GET -2");
    expect_error(ctx, "ERR count should be greater than or equal to -1", "SLOWLOG GET abc");
    expect_status(ctx, "OK", "CONFIG SET slowlog-max-len 2");
    assert_int_equal(cu_int(ctx, "SLOWLOG LEN"), 2);
    expect_status(ctx, "OK", "CONFIG SET slowlog-log-slower-than -1 slowlog-max-len 128");
    expect_status(ctx, "OK", "SLOWLOG RESET");
    expect_status(ctx, "PONG", "PING");
    assert_int_equal(cu_int(ctx, "SLOWLOG LEN"), 0);
    expect_status(ctx, "OK", "CONFIG SET slowlog-log-slower-than 10000");
}

static void
test_latency(void **state)
{
    redisReply *r = cu_run(ctx, "LATENCY LATEST");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 0);
    freeReplyObject(r);
    r = cu_run(ctx, "LATENCY HELP");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
}

static void
test_half_close_gets_replies(void **state)
{
    int fd = raw_connect(srv.port);
    size_t len;
    int closed;
    for (int i = 0; i < 200; i++)
        raw_sends(fd, "PING\r\n");
    shutdown(fd, SHUT_WR);
    char *got = raw_read(fd, 7 * 200 + 1, 3000, &len, &closed);
    assert_int_equal(len, 7 * 200);
    assert_true(closed);
    free(got);
    close(fd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_echo),
        cmocka_unit_test(test_unknown_command),
        cmocka_unit_test(test_container_errors),
        cmocka_unit_test(test_select_time),
        cmocka_unit_test(test_hello_resp2),
        cmocka_unit_test(test_resp3_bytes),
        cmocka_unit_test(test_pipeline_and_inline),
        cmocka_unit_test(test_big_bulk),
        cmocka_unit_test(test_protocol_error_closes),
        cmocka_unit_test(test_quit),
        cmocka_unit_test(test_auth_without_password),
        cmocka_unit_test(test_config_get),
        cmocka_unit_test(test_config_set),
        cmocka_unit_test(test_client_commands),
        cmocka_unit_test(test_client_kill_self),
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_slowlog),
        cmocka_unit_test(test_latency),
        cmocka_unit_test(test_half_close_gets_replies),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
