/* test_command_docs.c — COMMAND INFO, COMMAND DOCS and COMMAND GETKEYS[ANDFLAGS] as Redis 7
 * clients read them. First coverage: every zmem command and subcommand has a docs row (its
 * DOCS carry "since", its INFO key specs agree with first/last/step); the ones lacking it are
 * listed. Then, against a live redis-server 7.0.15, for every command both servers have: INFO's
 * arity, the flags zmem honours, first/last/step, ACL categories, tips and key specs; DOCS's
 * argument trees (names, types, tokens, flags, key spec indexes), group and since; and GETKEYS on
 * representative calls. Differences are allowed only where `explained` gives the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"
#include "integration/redis_diff.h"

static struct zserver srv;
static redisContext *ctx;

/* ---- reading replies ---- */

/* hiredis 0.14 stops at 7 levels of nesting, and Redis's COMMAND INFO of a container and
 * COMMAND DOCS of a command with nested arguments go deeper. So those are read here: a
 * connection of our own and a small recursive RESP2 reader that builds redisReply trees (malloc'd
 * as hiredis does, so freeReplyObject frees them). */
struct deep {
    int fd;
    FILE *in;
};

static void
deep_open(struct deep *d, int port)
{
    d->fd = raw_connect(port);
    assert_true(d->fd >= 0);
    d->in = fdopen(dup(d->fd), "r");
    assert_non_null(d->in);
}

static void
deep_close(struct deep *d)
{
    if (d->in)
        fclose(d->in);
    if (d->fd >= 0)
        close(d->fd);
    d->in = NULL;
    d->fd = -1;
}

static redisReply *
deep_read(FILE *in)
{
    char line[4096];
    if (fgets(line, sizeof(line), in) == NULL)
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    redisReply *r = calloc(1, sizeof(*r));
    long long n = strtoll(line + 1, NULL, 10);
    switch (line[0]) {
    case '+':
    case '-':
        r->type = line[0] == '+' ? REDIS_REPLY_STATUS : REDIS_REPLY_ERROR;
        r->str = strdup(line + 1);
        r->len = strlen(r->str);
        break;
    case ':':
        r->type = REDIS_REPLY_INTEGER;
        r->integer = n;
        break;
    case '$':
        if (n < 0) {
            r->type = REDIS_REPLY_NIL;
            break;
        }
        r->type = REDIS_REPLY_STRING;
        r->str = malloc((size_t)n + 3);
        assert_int_equal(fread(r->str, 1, (size_t)n + 2, in), (size_t)n + 2);
        r->str[n] = '\0';
        r->len = (size_t)n;
        break;
    case '*':
        if (n < 0) {
            r->type = REDIS_REPLY_NIL;
            break;
        }
        r->type = REDIS_REPLY_ARRAY;
        r->elements = (size_t)n;
        r->element = calloc((size_t)n + 1, sizeof(*r->element));
        for (long long i = 0; i < n; i++) {
            r->element[i] = deep_read(in);
            assert_non_null(r->element[i]);
        }
        break;
    default:
        fail_msg("unexpected reply line: %s", line);
    }
    return r;
}

/* Send a command of space-separated words and read its reply (never NULL). */
static redisReply *
deep_cmd(struct deep *d, const char *fmt, ...)
{
    char *cmd = NULL;
    va_list ap;
    va_start(ap, fmt);
    int len = redisvFormatCommand(&cmd, fmt, ap);
    va_end(ap);
    assert_true(len > 0);
    raw_send(d->fd, cmd, (size_t)len);
    free(cmd);
    redisReply *r = deep_read(d->in);
    assert_non_null(r);
    return r;
}

static struct deep zdeep = {-1, NULL};

static int
setup(void **state)
{
    (void)state;
    if (zserver_start(&srv, NULL) < 0)
        return -1;
    ctx = zserver_connect(&srv);
    if (ctx == NULL)
        return -1;
    deep_open(&zdeep, srv.port);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    deep_close(&zdeep);
    if (ctx)
        redisFree(ctx);
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

/* The value under `key` in a RESP2 map (a flat array of pairs), NULL when absent. */
static const redisReply *
map_get(const redisReply *m, const char *key)
{
    for (size_t i = 0; m && m->type == REDIS_REPLY_ARRAY && i + 1 < m->elements; i += 2)
        if (m->element[i]->str && strcmp(m->element[i]->str, key) == 0)
            return m->element[i + 1];
    return NULL;
}

/* Append text to buf. */
static void
cat(char *buf, size_t size, const char *text)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s", text);
}

/* A reply's strings as one sorted, space-separated line (a set compared as a set), then
 * their reply types. */
static void
sorted_words(const redisReply *r, char *buf, size_t size)
{
    const char *w[512];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; r && i < r->elements && n < 512; i++)
        w[n++] = r->element[i]->str;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(w[j - 1], w[j]) > 0; j--) {
            const char *t = w[j];
            w[j] = w[j - 1];
            w[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        cat(buf, size, w[i]);
        cat(buf, size, " ");
    }
    /* The reply type counts too: Redis sends categories as status replies, tips as bulk. */
    for (size_t i = 0; r && i < r->elements; i++)
        cat(buf, size, r->element[i]->type == REDIS_REPLY_STATUS ? "+" : "$");
}

/* The key specs as text, without Redis's free-text "notes". */
static void
specs_text(const redisReply *specs, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t s = 0; specs && s < specs->elements; s++) {
        const redisReply *m = specs->element[s];
        for (size_t i = 0; i + 1 < m->elements; i += 2) {
            if (strcmp(m->element[i]->str, "notes") == 0)
                continue;
            cat(buf, size, m->element[i]->str);
            cat(buf, size, "=");
            rd_show(m->element[i + 1], buf, size);
        }
        cat(buf, size, "; ");
    }
}

/* An argument tree as text: name, type, key_spec_index, token, flags and nested arguments;
 * Redis's per-argument "since", "summary" and "deprecated_since" are left out. */
static void
args_text(const redisReply *args, char *buf, size_t size)
{
    static const char *const keep[] = {"name", "type", "key_spec_index", "token", "flags"};
    cat(buf, size, "[");
    for (size_t a = 0; args && a < args->elements; a++) {
        const redisReply *m = args->element[a];
        cat(buf, size, "{");
        for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
            const redisReply *v = map_get(m, keep[k]);
            if (v == NULL)
                continue;
            cat(buf, size, keep[k]);
            cat(buf, size, "=");
            rd_show(v, buf, size);
        }
        if (map_get(m, "arguments"))
            args_text(map_get(m, "arguments"), buf, size);
        cat(buf, size, "}");
    }
    cat(buf, size, "]");
}

/* Every command and subcommand zmem lists (COMMAND LIST); the caller frees the reply. */
static redisReply *
zmem_commands(void)
{
    redisReply *r = cu_run(ctx, "COMMAND LIST");
    assert_true(r->elements > 100);
    return r;
}

/* ---- coverage ---- */

static void
test_coverage(void **state)
{
    (void)state;
    redisReply *names = zmem_commands();
    char missing[4096] = "";
    int nmissing = 0;
    for (size_t i = 0; i < names->elements; i++) {
        const char *name = names->element[i]->str;
        redisReply *d = deep_cmd(&zdeep, "COMMAND DOCS %s", name);
        redisReply *info = deep_cmd(&zdeep, "COMMAND INFO %s", name);
        assert_int_equal(d->elements, 2);
        assert_string_equal(d->element[0]->str, name);
        const redisReply *doc = d->element[1];
        const redisReply *e = info->element[0];
        assert_int_equal(e->elements, 10);
        int has_row = map_get(doc, "since") != NULL;
        /* A command with keys must describe them with specs, whose first spec starts at
         * the table's first key. */
        int first = (int)e->element[3]->integer;
        const redisReply *specs = e->element[8];
        int specs_ok = first <= 0 || specs->elements > 0;
        if (!has_row || !specs_ok) {
            nmissing++;
            cat(missing, sizeof(missing), name);
            cat(missing, sizeof(missing), !has_row ? " (no docs row) " : " (no key specs) ");
        }
        assert_non_null(map_get(doc, "summary"));
        assert_non_null(map_get(doc, "group"));
        freeReplyObject(d);
        freeReplyObject(info);
    }
    fprintf(stderr,
            "command docs: %zu commands and subcommands, %d without docs or key specs%s%s\n",
            names->elements, nmissing, nmissing ? ": " : "", missing);
    freeReplyObject(names);
    assert_int_equal(nmissing, 0);

    /* COMMAND, COMMAND INFO with no name and COMMAND COUNT agree. */
    long long count = cu_int(ctx, "COMMAND COUNT");
    redisReply *all = deep_cmd(&zdeep, "COMMAND");
    assert_int_equal((long long)all->elements, count);
    freeReplyObject(all);
    all = deep_cmd(&zdeep, "COMMAND INFO");
    assert_int_equal((long long)all->elements, count);
    freeReplyObject(all);
    all = deep_cmd(&zdeep, "COMMAND DOCS");
    assert_int_equal((long long)all->elements, 2 * count);
    freeReplyObject(all);
}

/* ---- against redis-server ---- */

/* A difference from Redis 7.0.15 that is zmem's on purpose, with the reason. */
static const struct {
    const char *name, *aspect, *why;
} explained[] = {
    {"auth", "flags",
     "skip_slowlog: zmem keeps AUTH out of the slow log (it carries a password); Redis 7.0 logs it "
     "with the arguments redacted"},
    {"hello", "flags", "skip_slowlog: as AUTH, HELLO may carry a password"},
};
#define NEXPLAINED (sizeof(explained) / sizeof(explained[0]))
static int explained_seen[NEXPLAINED];

/* Flags zmem acts on (loading and stale are left out: zmem never loads or serves stale data). */
static const char *const honoured[] = {
    "write",        "readonly", "denyoom",  "admin",    "no_auth",           "fast",
    "skip_slowlog", "pubsub",   "noscript", "blocking", "no_mandatory_keys", "protected",
    "movablekeys",
};

static void
honoured_flags(const redisReply *flags, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t h = 0; h < sizeof(honoured) / sizeof(honoured[0]); h++)
        for (size_t i = 0; i < flags->elements; i++)
            if (strcmp(flags->element[i]->str, honoured[h]) == 0) {
                cat(buf, size, honoured[h]);
                cat(buf, size, " ");
            }
}

/* One aspect of one command: 1 when it agrees or the difference is explained. */
static int
same_or_explained(const char *name, const char *aspect, const char *z, const char *r, int *agree)
{
    if (strcmp(z, r) == 0)
        return 1;
    *agree = 0;
    for (size_t i = 0; i < NEXPLAINED; i++)
        if (strcmp(explained[i].name, name) == 0 && strcmp(explained[i].aspect, aspect) == 0) {
            explained_seen[i] = 1;
            return 1;
        }
    fprintf(stderr, "%s %s differs:\n  zmem:  %s\n  redis: %s\n", name, aspect, z, r);
    return 0;
}

/* COMMAND LIST FILTERBY ACLCAT cat on one server, keeping only the names the other server
 * lists in `only`, sorted, as one line. */
static void
acl_list(redisContext *c, const char *cat, const redisReply *only, char *buf, size_t size)
{
    redisReply *r = redisCommand(c, "COMMAND LIST FILTERBY ACLCAT %s", cat);
    assert_non_null(r);
    redisReply keep = {.type = REDIS_REPLY_ARRAY, .elements = 0};
    redisReply *el[512];
    keep.element = el;
    for (size_t i = 0; i < r->elements && keep.elements < 512; i++) {
        int in = 0;
        for (size_t j = 0; j < only->elements && !in; j++)
            in = strcmp(only->element[j]->str, r->element[i]->str) == 0;
        if (in)
            el[keep.elements++] = r->element[i];
    }
    sorted_words(&keep, buf, size);
    freeReplyObject(r);
}

#define TXT 16384

static void
test_against_redis(void **state)
{
    (void)state;
    struct rd r;
    static char z[TXT], rr[TXT];
    require_tool("redis-server", "the COMMAND INFO and DOCS replies of Redis 7.0 to compare with");
    if (rd_start(&r, ctx) != 0)
        fail_msg("redis-server is installed but did not start");
    struct deep rdeep;
    deep_open(&rdeep, r.srv.port);
    redisReply *names = zmem_commands();
    int compared = 0, info_agree = 0, docs_agree = 0, unexplained = 0, zmem_only = 0;
    for (size_t i = 0; i < names->elements; i++) {
        const char *name = names->element[i]->str;
        redisReply *zi = deep_cmd(&zdeep, "COMMAND INFO %s", name);
        redisReply *ri = deep_cmd(&rdeep, "COMMAND INFO %s", name);
        if (ri->element[0]->type == REDIS_REPLY_NIL) {
            zmem_only++;
            freeReplyObject(zi);
            freeReplyObject(ri);
            continue;
        }
        compared++;
        const redisReply *ze = zi->element[0], *re = ri->element[0];
        int agree = 1, ok = 1;
        /* INFO: arity and first/last/step, the honoured flags, categories, tips, key specs. */
        snprintf(z, TXT, "%lld %lld %lld %lld", ze->element[1]->integer, ze->element[3]->integer,
                 ze->element[4]->integer, ze->element[5]->integer);
        snprintf(rr, TXT, "%lld %lld %lld %lld", re->element[1]->integer, re->element[3]->integer,
                 re->element[4]->integer, re->element[5]->integer);
        ok &= same_or_explained(name, "arity/keys", z, rr, &agree);
        honoured_flags(ze->element[2], z, TXT);
        honoured_flags(re->element[2], rr, TXT);
        ok &= same_or_explained(name, "flags", z, rr, &agree);
        sorted_words(ze->element[6], z, TXT);
        sorted_words(re->element[6], rr, TXT);
        ok &= same_or_explained(name, "categories", z, rr, &agree);
        sorted_words(ze->element[7], z, TXT);
        sorted_words(re->element[7], rr, TXT);
        ok &= same_or_explained(name, "tips", z, rr, &agree);
        specs_text(ze->element[8], z, TXT);
        specs_text(re->element[8], rr, TXT);
        ok &= same_or_explained(name, "key specs", z, rr, &agree);
        info_agree += agree;
        freeReplyObject(zi);
        freeReplyObject(ri);

        /* DOCS: the argument tree, group and since. */
        redisReply *zd = deep_cmd(&zdeep, "COMMAND DOCS %s", name);
        redisReply *rd = deep_cmd(&rdeep, "COMMAND DOCS %s", name);
        assert_int_equal(zd->elements, 2);
        assert_int_equal(rd->elements, 2);
        agree = 1;
        z[0] = rr[0] = '\0';
        args_text(map_get(zd->element[1], "arguments"), z, TXT);
        args_text(map_get(rd->element[1], "arguments"), rr, TXT);
        ok &= same_or_explained(name, "arguments", z, rr, &agree);
        const char *fields[] = {"group", "since"};
        for (int f = 0; f < 2; f++) {
            const redisReply *a = map_get(zd->element[1], fields[f]);
            const redisReply *b = map_get(rd->element[1], fields[f]);
            ok &= same_or_explained(name, fields[f], a ? a->str : "(none)", b ? b->str : "(none)",
                                    &agree);
        }
        docs_agree += agree;
        unexplained += !ok;
        freeReplyObject(zd);
        freeReplyObject(rd);
    }
    /* COMMAND LIST FILTERBY ACLCAT reads the same categories: the lists agree over the
     * commands zmem has. */
    static const char *const cats[] = {
        "keyspace",    "read",      "write",     "fast", "slow",   "dangerous", "admin",
        "string",      "hash",      "sortedset", "geo",  "bitmap", "pubsub",    "connection",
        "transaction", "scripting", "blocking",  "list", "set"};
    int cats_agree = 0;
    redisReply *rnames = redisCommand(r.redis, "COMMAND LIST");
    assert_non_null(rnames);
    for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
        acl_list(ctx, cats[i], rnames, z, TXT);
        acl_list(r.redis, cats[i], names, rr, TXT);
        if (strcmp(z, rr) != 0) {
            fprintf(stderr, "COMMAND LIST FILTERBY ACLCAT %s differs:\n  zmem:  %s\n  redis: %s\n",
                    cats[i], z, rr);
            unexplained++;
        } else {
            cats_agree++;
        }
    }
    fprintf(stderr, "COMMAND LIST FILTERBY ACLCAT: %d of %zu categories list the same commands\n",
            cats_agree, sizeof(cats) / sizeof(cats[0]));
    freeReplyObject(rnames);
    freeReplyObject(names);
    deep_close(&rdeep);
    rd_stop(&r);
    fprintf(
        stderr,
        "command docs vs redis-server: %d commands compared (%d zmem's own); COMMAND INFO agrees "
        "on %d, COMMAND DOCS arguments/group/since on %d; %d with unexplained differences\n",
        compared, zmem_only, info_agree, docs_agree, unexplained);
    assert_int_equal(unexplained, 0);
    for (size_t i = 0; i < NEXPLAINED; i++)
        if (!explained_seen[i])
            fail_msg("explained difference %s %s no longer differs: drop it", explained[i].name,
                     explained[i].aspect);
}

/* Calls whose keys COMMAND GETKEYS and GETKEYSANDFLAGS must find as Redis does: index and
 * range specs, keyword searches (GEORADIUS STORE), key counts (ZUNIONSTORE, LMPOP, EVAL), the
 * argument walks of SORT, SET and BITFIELD, and the errors. */
static const char *const getkeys_calls[] = {
    "get k",
    "set k v",
    "set k v get",
    "set k v ex 10 get",
    "setex k 10 v",
    "mset a 1 b 2 c 3",
    "msetnx a 1 b 2",
    "mget a b c",
    "del a b c",
    "unlink a b",
    "exists a b",
    "touch a b",
    "rename a b",
    "copy a b db 1 replace",
    "move a 1",
    "object encoding k",
    "memory usage k samples 5",
    "sort k",
    "sort k store d",
    "sort k by w_* get # get o_* limit 0 10 store d",
    "sort k limit 0 store",
    "sort k store a store b",
    "sort_ro k by x get y",
    "zunionstore d 2 a b weights 1 2 aggregate sum",
    "zinterstore d 1 a",
    "zdiffstore d 3 a b c",
    "zunion 2 a b",
    "zinter 3 a b c withscores",
    "zintercard 2 a b limit 5",
    "zunionstore d x a",
    "zunionstore d 5 a b",
    "zrangestore d s 0 -1",
    "lmpop 2 a b left",
    "blmpop 0 2 a b left count 2",
    "zmpop 1 a min",
    "bzmpop 0 2 a b max",
    "blpop a b 0",
    "blmove a b left right 0",
    "brpoplpush a b 0",
    "bzpopmin a b 0",
    "lmove a b left right",
    "smove a b m",
    "sunionstore d a b",
    "sdiffstore d a b c",
    "sintercard 2 a b",
    "georadius k 1 2 3 m",
    "georadius k 1 2 3 m store s storedist t",
    "georadius k 1 2 3 m storedist t",
    "georadiusbymember k m 3 m store s",
    "geosearchstore d s frommember m byradius 1 m",
    "bitop and d a b c",
    "bitfield k get u8 0",
    "bitfield k set u8 0 1",
    "bitfield k get u8 0 overflow wrap get u8 1",
    "bitfield_ro k get u8 0",
    "lcs a b",
    "eval s 2 a b c",
    "eval s 0",
    "evalsha s 1 a",
    "fcall f 2 a b",
    "fcall_ro f 0",
    "watch a b",
    "hset h f v",
    "getex k persist",
    "getdel k",
    "linsert l before p v",
    "spop s",
    "publish c m",
    "pexpireat k 10",
    "debug object k",
    "ping",
    "get",
    "get a b",
    "nosuch a",
    "config get x",
};

static void
test_getkeys(void **state)
{
    (void)state;
    struct rd r;
    char line[256];
    (void)rd_cmdf; /* redis_diff.h's printf form is not needed here */
    require_tool("redis-server", "the COMMAND GETKEYS replies of Redis 7.0 to compare with");
    if (rd_start(&r, ctx) != 0)
        fail_msg("redis-server is installed but did not start");
    for (size_t i = 0; i < sizeof(getkeys_calls) / sizeof(getkeys_calls[0]); i++) {
        snprintf(line, sizeof(line), "COMMAND GETKEYS %s", getkeys_calls[i]);
        rd_cmd(&r, line);
        snprintf(line, sizeof(line), "COMMAND GETKEYSANDFLAGS %s", getkeys_calls[i]);
        rd_cmd(&r, line);
    }
    long cases = r.cases, agreed = r.agreed;
    rd_stop(&r);
    fprintf(stderr, "command getkeys: %ld of %ld cases agree with redis-server\n", agreed, cases);
    assert_int_equal(agreed, cases);
}

/* Subcommands by their full names, and DOCS's shape for a deprecated command. */
static void
test_shapes(void **state)
{
    (void)state;
    redisReply *x = deep_cmd(&zdeep, "COMMAND INFO config|get nosuch|x get|x");
    assert_int_equal(x->elements, 3);
    assert_string_equal(x->element[0]->element[0]->str, "config|get");
    assert_int_equal(x->element[1]->type, REDIS_REPLY_NIL);
    assert_int_equal(x->element[2]->type, REDIS_REPLY_NIL);
    freeReplyObject(x);
    x = deep_cmd(&zdeep, "COMMAND DOCS georadius");
    const redisReply *d = x->element[1];
    assert_string_equal(map_get(d, "since")->str, "3.2.0");
    assert_string_equal(map_get(d, "doc_flags")->element[0]->str, "deprecated");
    assert_string_equal(map_get(d, "deprecated_since")->str, "6.2.0");
    assert_string_equal(map_get(d, "complexity")->str, "O(N+log(M))");
    freeReplyObject(x);
    /* A command without arguments has no "arguments" field, as in Redis. */
    x = cu_run(ctx, "COMMAND DOCS multi");
    assert_null(map_get(x->element[1], "arguments"));
    freeReplyObject(x);
    /* COMMAND LIST FILTERBY ACLCAT reads the same categories as COMMAND INFO. */
    x = cu_run(ctx, "COMMAND LIST FILTERBY ACLCAT geo");
    assert_true(x->elements >= 10);
    for (size_t i = 0; i < x->elements; i++)
        assert_true(strncmp(x->element[i]->str, "geo", 3) == 0);
    freeReplyObject(x);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_against_redis),
        cmocka_unit_test(test_getkeys),
        cmocka_unit_test(test_shapes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
