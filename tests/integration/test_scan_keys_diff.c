/* test_scan_keys_diff.c — differential test of the cursor iterations, key commands and SORT: a
 * fixed list of command sequences goes to a zmem-server and to a live redis-server (7.0.15 here,
 * started on a free loopback port with --save '' --appendonly no, stopped by pid), and the
 * replies are compared. Where Redis leaves an order unspecified the replies are compared
 * sorted; a full SCAN iteration is compared as the set of elements it returned. Skips when no
 * redis-server is installed (ZMEM_REDIS_SERVER names another binary).
 *
 * A line of a sequence is "<mode> <command>", words split on spaces, mode:
 *   =  the replies must be equal
 *   S  an array compared sorted (SMEMBERS, KEYS)
 *   P  an array of pairs compared sorted by pair (HGETALL)
 *   C  a scan reply: the same cursor, the elements (pairs for HSCAN/ZSCAN) compared sorted
 *   F  a full iteration from the given cursor until 0: the sets of elements compared
 * A word "p{a..b}s" stands for the words p<a>s .. p<b>s, "*hp:a:b" for the field-value pairs
 * f<i> v<i>, "*zp:a:b" for the score-member pairs <i%7>.5 z<i>, "*x:n" for n x's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>

#include <cmocka.h>

#include "integration/harness.h"

static struct zserver srv;
static redisContext *zc, *rc;
static pid_t redis_pid = -1;
static char redis_bin[512];

/* ---- The redis-server to compare with ---- */

static int
find_redis(void)
{
    const char *env = getenv("ZMEM_REDIS_SERVER");
    if (env && *env) {
        snprintf(redis_bin, sizeof(redis_bin), "%s", env);
        return access(redis_bin, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    while (path && *path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n > 0 && n < 400) {
            snprintf(redis_bin, sizeof(redis_bin), "%.*s/redis-server", (int)n, path);
            if (access(redis_bin, X_OK) == 0)
                return 1;
        }
        path = colon ? colon + 1 : NULL;
    }
    return 0;
}

static void
stop_redis(void)
{
    if (redis_pid <= 0)
        return;
    kill(redis_pid, SIGTERM);
    for (int i = 0; i < 250; i++) {
        if (waitpid(redis_pid, NULL, WNOHANG) == redis_pid) {
            redis_pid = -1;
            return;
        }
        usleep(20000);
    }
    kill(redis_pid, SIGKILL);
    waitpid(redis_pid, NULL, 0);
    redis_pid = -1;
}

/* Start redis-server on a random free port and connect rc to it. 0, or -1. */
static int
start_redis(void)
{
    pid_t parent = getpid();
    for (int attempt = 0; attempt < 8; attempt++) {
        int port = 20000 + rand() % 40000;
        char portstr[16];
        snprintf(portstr, sizeof(portstr), "%d", port);
        redis_pid = fork();
        if (redis_pid < 0)
            return -1;
        if (redis_pid == 0) {
            int devnull = open("/dev/null", O_RDWR);
            prctl(PR_SET_PDEATHSIG, SIGKILL); /* die with the test, however it ends */
            if (getppid() != parent)
                _exit(1);
            if (devnull >= 0) {
                dup2(devnull, 0);
                dup2(devnull, 1);
                dup2(devnull, 2);
            }
            execl(redis_bin, redis_bin, "--port", portstr, "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--daemonize", "no", (char *)NULL);
            _exit(127);
        }
        long long deadline = harness_now_ms() + 5000;
        while (harness_now_ms() < deadline) {
            if (waitpid(redis_pid, NULL, WNOHANG) == redis_pid) {
                redis_pid = -1;
                break; /* port taken: try another */
            }
            struct timeval tv = {5, 0};
            rc = redisConnectWithTimeout("127.0.0.1", port, tv);
            if (rc && !rc->err) {
                redisReply *r = redisCommand(rc, "PING");
                int ok = r && r->type == REDIS_REPLY_STATUS;
                if (r)
                    freeReplyObject(r);
                if (ok)
                    return 0;
            }
            if (rc)
                redisFree(rc);
            rc = NULL;
            usleep(20000);
        }
        stop_redis();
    }
    return -1;
}

/* ---- Replies as comparable text ---- */

struct sbuf {
    char *s;
    size_t len, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->s == NULL || b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void
canon(const redisReply *r, struct sbuf *b)
{
    char num[32];
    switch (r->type) {
    case REDIS_REPLY_STRING:
        sb_str(b, "$");
        sb_add(b, r->str, r->len);
        break;
    case REDIS_REPLY_STATUS:
        sb_str(b, "+");
        sb_str(b, r->str);
        break;
    case REDIS_REPLY_ERROR:
        sb_str(b, "-");
        sb_str(b, r->str);
        break;
    case REDIS_REPLY_INTEGER:
        snprintf(num, sizeof(num), ":%lld", r->integer);
        sb_str(b, num);
        break;
    case REDIS_REPLY_NIL:
        sb_str(b, "(nil)");
        break;
    case REDIS_REPLY_ARRAY:
        sb_str(b, "[");
        for (size_t i = 0; i < r->elements; i++) {
            if (i)
                sb_str(b, ",");
            canon(r->element[i], b);
        }
        sb_str(b, "]");
        break;
    default:
        sb_str(b, "?");
    }
}

static int
str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A list of strings, kept to be sorted and joined. */
struct slist {
    char **v;
    size_t n, cap;
};

static void
sl_push(struct slist *l, char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = s;
}

/* Items of `per` consecutive elements of array r (from index from) as texts, pushed to l. */
static void
push_items(const redisReply *r, size_t from, size_t per, struct slist *l)
{
    for (size_t i = from; i + per <= r->elements; i += per) {
        struct sbuf b = {0};
        sb_str(&b, "(");
        for (size_t j = 0; j < per; j++) {
            if (j)
                sb_str(&b, " ");
            canon(r->element[i + j], &b);
        }
        sb_str(&b, ")");
        sl_push(l, b.s);
    }
}

/* Sort l (dropping repeats when dedup), join it into b, free it. */
static void
sl_join(struct slist *l, int dedup, struct sbuf *b)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof(*l->v), str_cmp);
    sb_str(b, "{");
    for (size_t i = 0; i < l->n; i++) {
        if (!(dedup && i > 0 && strcmp(l->v[i], l->v[i - 1]) == 0)) {
            sb_str(b, l->v[i]);
            sb_str(b, ";");
        }
    }
    sb_str(b, "}");
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* ---- Running a line on one server ---- */

struct argv {
    char **v;
    size_t *len;
    int n, cap;
};

static void
av_push(struct argv *a, const char *s, size_t len)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = realloc(a->v, (size_t)a->cap * sizeof(*a->v));
        a->len = realloc(a->len, (size_t)a->cap * sizeof(*a->len));
    }
    a->v[a->n] = strndup(s, len);
    a->len[a->n++] = len;
}

static void
av_pushf(struct argv *a, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    av_push(a, buf, (size_t)n);
}

static void
av_free(struct argv *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    free(a->len);
}

/* One word, expanded as the file comment says. */
static void
expand_word(struct argv *a, const char *w)
{
    int lo, hi, n;
    char *brace = strchr(w, '{');
    if (sscanf(w, "*hp:%d:%d", &lo, &hi) == 2) {
        for (int i = lo; i <= hi; i++) {
            av_pushf(a, "f%d", i);
            av_pushf(a, "v%d", i);
        }
    } else if (sscanf(w, "*zp:%d:%d", &lo, &hi) == 2) {
        for (int i = lo; i <= hi; i++) {
            av_pushf(a, "%d.5", i % 7);
            av_pushf(a, "z%d", i);
        }
    } else if (sscanf(w, "*x:%d", &n) == 1) {
        char *x = malloc((size_t)n);
        memset(x, 'x', (size_t)n);
        av_push(a, x, (size_t)n);
        free(x);
    } else if (brace && sscanf(brace, "{%d..%d}", &lo, &hi) == 2) {
        const char *suffix = strchr(brace, '}') + 1;
        for (int i = lo; i <= hi; i++)
            av_pushf(a, "%.*s%d%s", (int)(brace - w), w, i, suffix);
    } else {
        av_push(a, w, strlen(w));
    }
}

static void
parse_line(const char *line, struct argv *a)
{
    char *copy = strdup(line), *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        expand_word(a, w);
    free(copy);
}

static redisReply *
run_argv(redisContext *c, const struct argv *a)
{
    redisReply *r = redisCommandArgv(c, a->n, (const char **)a->v, a->len);
    if (r == NULL)
        fail_msg("no reply to '%s' (%s)", a->v[0], c->errstr);
    return r;
}

/* The elements of a scan are pairs for HSCAN and ZSCAN. */
static size_t
scan_per(const struct argv *a)
{
    return strcasecmp(a->v[0], "hscan") == 0 || strcasecmp(a->v[0], "zscan") == 0 ? 2 : 1;
}

/* Run the command a (mode m) on c; its comparable text into b. */
static void
run_mode(redisContext *c, char m, struct argv *a, struct sbuf *b)
{
    struct slist l = {0};
    if (m == 'F') {
        int ci = strcasecmp(a->v[0], "scan") == 0 ? 1 : 2;
        size_t per = scan_per(a);
        int calls = 0;
        char *start = a->v[ci];
        a->v[ci] = strdup(start);
        for (;;) {
            redisReply *r = run_argv(c, a);
            if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
                canon(r, b); /* an error: compared as it is */
                freeReplyObject(r);
                break;
            }
            push_items(r->element[1], 0, per, &l);
            int done = strcmp(r->element[0]->str, "0") == 0 || ++calls > 100000;
            free(a->v[ci]);
            a->v[ci] = strdup(r->element[0]->str);
            a->len[ci] = strlen(a->v[ci]);
            freeReplyObject(r);
            if (done)
                break;
        }
        free(a->v[ci]);
        a->v[ci] = start;
        a->len[ci] = strlen(start);
        sl_join(&l, 1, b);
        return;
    }
    redisReply *r = run_argv(c, a);
    if (r->type != REDIS_REPLY_ARRAY || m == '=') {
        canon(r, b);
    } else if (m == 'S' || m == 'P') {
        push_items(r, 0, m == 'P' ? 2 : 1, &l);
        sl_join(&l, 0, b);
    } else if (m == 'C' && r->elements == 2 && r->element[1]->type == REDIS_REPLY_ARRAY) {
        canon(r->element[0], b);
        push_items(r->element[1], 0, scan_per(a), &l);
        sl_join(&l, 0, b);
    } else {
        canon(r, b);
    }
    freeReplyObject(r);
}

/* ---- The sequences ---- */

struct seq {
    const char *family;
    const char *const *lines;
};

static const char *const scan_errors[] = {
    "= SADD s 1 2 3",
    "C SSCAN s 0",
    "= SSCAN s abc",
    "= SSCAN s 0 COUNT 0",
    "= SSCAN s 0 COUNT -1",
    "= SSCAN s 0 COUNT x",
    "= SSCAN s 0 MATCH",
    "= SSCAN s 0 COUNT",
    "= SSCAN s 0 foo bar",
    "= SSCAN s 0 TYPE string",
    "= SSCAN nokey 0",
    "= SSCAN nokey 0 COUNT 0",
    "= SSCAN nokey abc",
    "= SET str x",
    "= SSCAN str 0",
    "= SSCAN str 0 COUNT 0",
    "= SSCAN str abc",
    "= SSCAN s 18446744073709551616",
    "= SSCAN s 1x",
    "= HSCAN s 0",
    "= ZSCAN s 0",
    "= HSCAN str 0 MATCH",
    "= ZSCAN nokey 0 foo",
    "= SCAN x",
    "= SCAN 0 COUNT 0",
    "= SCAN 0 MATCH",
    "= SCAN 0 COUNT 1.5",
    "= SCAN -",
    "= SSCAN s",
    "= HSCAN h",
    "= ZSCAN",
    "= SCAN",
    NULL,
};

static const char *const scan_sets[] = {
    "= SADD si 1 2 3 -5 100000",
    "C SSCAN si 0",
    "C SSCAN si 0 MATCH 1*",
    "C SSCAN si 0 COUNT 1",
    "= SADD ss a b c ab",
    "F SSCAN ss 0",
    "F SSCAN ss 0 MATCH a*",
    "F SSCAN ss 0 COUNT 1",
    "= SADD big m{0..299}",
    "F SSCAN big 0",
    "F SSCAN big 0 COUNT 7",
    "F SSCAN big 0 MATCH m1*",
    "F SSCAN big 0 MATCH *9 COUNT 1000",
    "F SSCAN big 0 MATCH nothing*",
    "= SADD ints {0..999}",
    "F SSCAN ints 0 COUNT 50",
    "F SSCAN ints 0 MATCH 99?",
    NULL,
};

static const char *const scan_hashes[] = {
    "= HSET h a 1 b 2 c 3 abc 4",
    "= HSCAN h 0",
    "= HSCAN h 0 MATCH a*",
    "= HSCAN h 0 COUNT 1",
    "= HSCAN h 123",
    "= HSCAN h 0 MATCH",
    "= HSET hb *hp:0:199",
    "F HSCAN hb 0",
    "F HSCAN hb 0 COUNT 5",
    "F HSCAN hb 0 MATCH f1?",
    "= HSET hlong f *x:100",
    "= HSCAN hlong 0",
    NULL,
};

static const char *const scan_zsets[] = {
    "= ZADD z 0.1 a 1 b 1.5 c inf d -inf e 1e20 f 3.0000000000000004 g -2.5 h 123456789 i",
    "= ZSCAN z 0",
    "= ZSCAN z 0 MATCH [a-c]",
    "= ZSCAN z 99 COUNT 1",
    "= ZSCAN z 0 MATCH *",
    "= ZADD zb *zp:0:199",
    "F ZSCAN zb 0",
    "F ZSCAN zb 0 COUNT 3",
    "F ZSCAN zb 0 MATCH z1*",
    "= ZADD zb 0.1 a 1e20 b -inf c",
    "F ZSCAN zb 0 MATCH [abc]",
    NULL,
};

static const char *const scan_keys[] = {
    "= SET k1 v",
    "= RPUSH k2 a",
    "= SADD k3 a",
    "= HSET k4 f v",
    "= ZADD k5 1 a",
    "C SCAN 0 COUNT 100",
    "F SCAN 0 TYPE string",
    "F SCAN 0 TYPE LIST",
    "F SCAN 0 TYPE zset MATCH k*",
    "F SCAN 0 TYPE hash MATCH x*",
    "F SCAN 0 TYPE nosuchtype",
    "F SCAN 0 MATCH k[1-3] COUNT 2",
    "= MSET key:{0..499}",
    "F SCAN 0",
    "F SCAN 0 COUNT 3 MATCH key:1*",
    "S KEYS k?",
    NULL,
};

static const char *const copy_strings[] = {
    "= SET s1 hello",
    "= SET s2 12345",
    "= SET s3 *x:100",
    "= COPY s1 c1",
    "= COPY s2 c2",
    "= COPY s3 c3",
    "= GET c1",
    "= GET c2",
    "= GET c3",
    "= COPY s1 s2",
    "= COPY s1 s2 REPLACE",
    "= GET s2",
    "= COPY s1 s1",
    "= COPY nokey nokey",
    "= COPY s1 x DB 1",
    "= COPY s1 x DB 1",
    "= COPY s1 s1 DB 1",
    "= COPY s1 x DB 16",
    "= COPY s1 x DB -1",
    "= COPY s1 x DB x",
    "= COPY s1 x DB 4294967296",
    "= COPY s1 x foo",
    "= COPY s1 x DB",
    "= COPY nokey x",
    "= COPY s1",
    "= COPY s1 x REPLACE REPLACE",
    "= SELECT 1",
    "= GET x",
    "= GET s1",
    "= SELECT 0",
    "= SET e v EX 100",
    "= COPY e e2",
    "= TTL e2",
    "= RPUSH l a",
    "= COPY l e2 REPLACE",
    "= TTL e2",
    "= TYPE e2",
    NULL,
};

static const char *const copy_types[] = {
    "= RPUSH l a b c",
    "= COPY l l2",
    "= LRANGE l2 0 -1",
    "= RPUSH l2 d",
    "= LRANGE l 0 -1",
    "= RPUSH lb x{0..999}",
    "= COPY lb lb2",
    "= LRANGE lb2 0 -1",
    "= SADD si 1 2 3",
    "= COPY si si2",
    "S SMEMBERS si2",
    "= SADD ss a b c",
    "= COPY ss ss2",
    "S SMEMBERS ss2",
    "= SADD sb m{0..299}",
    "= COPY sb sb2 DB 2",
    "= SELECT 2",
    "= SCARD sb2",
    "S SMEMBERS sb2",
    "= SELECT 0",
    "= HSET h a 1 b 2",
    "= COPY h h2",
    "= HGETALL h2",
    "= HSET hb *hp:0:199",
    "= COPY hb hb2",
    "P HGETALL hb2",
    "= HDEL hb2 f0",
    "= HLEN hb",
    "= ZADD z 1 a 2 b",
    "= COPY z z2",
    "= ZRANGE z2 0 -1 WITHSCORES",
    "= ZADD zb *zp:0:199",
    "= EXPIRE zb 1000",
    "= COPY zb zb2",
    "= ZRANGE zb2 0 -1 WITHSCORES",
    "= TTL zb2",
    "= ZRANK zb2 z150",
    "= COPY zb l REPLACE",
    "= TYPE l",
    "= ZCARD l",
    NULL,
};

static const char *const move_cases[] = {
    "= SET a 1",
    "= MOVE a 1",
    "= MOVE a 1",
    "= EXISTS a",
    "= SELECT 1",
    "= GET a",
    "= MOVE a 1",
    "= MOVE a 16",
    "= MOVE a -1",
    "= MOVE a x",
    "= MOVE a 4294967296",
    "= MOVE nokey 0",
    "= SET b 2 EX 100",
    "= MOVE b 0",
    "= SELECT 0",
    "= TTL b",
    "= SET c here",
    "= SELECT 1",
    "= SET c there",
    "= MOVE c 0",
    "= GET c",
    "= SELECT 0",
    "= GET c",
    "= SADD big m{0..299}",
    "= MOVE big 3",
    "= SELECT 3",
    "= SCARD big",
    "= SELECT 0",
    "= MOVE c",
    "= MOVE",
    NULL,
};

static const char *const generic_cases[] = {
    "= SET a hello",
    "= RENAME a a",
    "= RENAMENX a a",
    "= RENAME nokey x",
    "= RENAMENX nokey x",
    "= RENAMENX nokey nokey",
    "= SET b two EX 100",
    "= RENAME b c",
    "= TTL c",
    "= EXISTS b",
    "= RENAMENX a c",
    "= RENAMENX a d",
    "= GET d",
    "= RPUSH l x",
    "= RENAME l d",
    "= TYPE d",
    "= TTL d",
    "= TOUCH d c nokey d",
    "= EXISTS d d c nokey",
    "= OBJECT REFCOUNT c",
    "= OBJECT REFCOUNT nokey",
    "= OBJECT FREQ nokey",
    "= OBJECT FREQ c",
    "= OBJECT IDLETIME nokey",
    "= OBJECT HELP",
    "= OBJECT foo",
    "= OBJECT",
    "= OBJECT FREQ",
    "= FLUSHALL",
    "= RANDOMKEY",
    "= SET only 1",
    "= RANDOMKEY",
    NULL,
};

static const char *const sort_cases[] = {
    "= RPUSH l 3 1 2 10",
    "= SORT l",
    "= SORT l DESC",
    "= SORT l ALPHA",
    "= SORT l ALPHA DESC",
    "= SORT l LIMIT 1 2",
    "= SORT l LIMIT 1",
    "= SORT l LIMIT x 2",
    "= SORT l LIMIT -1 2",
    "= SORT l LIMIT 1 -1",
    "= SORT l LIMIT 0 0",
    "= SORT l LIMIT 10 2",
    "= SORT l LIMIT 1 9223372036854775807",
    "= RPUSH ls b a c",
    "= SORT ls",
    "= SORT ls foo",
    "= SORT ls ALPHA",
    "= SORT nokey",
    "= SORT nokey STORE dst",
    "= SET str x",
    "= SORT str",
    "= SORT l BY nosort",
    "= SORT l BY nosort DESC",
    "= SORT l BY nosort LIMIT 1 2",
    "= SORT l BY nosort LIMIT 1 2 DESC",
    "= SORT l BY w_*",
    "= MSET w_3 1 w_1 3 w_2 2 w_10 0 o_3 three o_1 one",
    "= SORT l BY w_* GET o_* GET # GET nope_*",
    "= SORT l BY w_* DESC GET #",
    "= SORT l BY w_*->f",
    "= HSET h_1 f 5",
    "= HSET h_2 f 1",
    "= SORT l BY h_*->f",
    "= SORT l GET h_*->f GET h_*-> GET h_*->g",
    "= SORT l GET nostar",
    "= SORT l STORE dst",
    "= LRANGE dst 0 -1",
    "= SORT l GET o_* STORE dst",
    "= LRANGE dst 0 -1",
    "= SORT nokey STORE dst",
    "= EXISTS dst",
    "= SORT_RO l STORE dst",
    "= SORT_RO l DESC LIMIT 0 2",
    "= SET dst2 x EX 100",
    "= SORT l STORE dst2",
    "= TTL dst2",
    "= SORT l STORE l",
    "= LRANGE l 0 -1",
    "= SADD si 5 3 9 1",
    "= SORT si DESC",
    "= SORT si BY nosort STORE sdst",
    "= LRANGE sdst 0 -1",
    "S SORT si BY nosort",
    "= SADD sb m{0..299}",
    "= SORT sb ALPHA LIMIT 10 5",
    "= SORT sb BY nosort STORE sbo",
    "= LRANGE sbo 0 9",
    "= ZADD z 3 a 1 b 2 c",
    "= SORT z ALPHA",
    "= SORT z BY nosort",
    "= SORT z BY nosort DESC LIMIT 1 5",
    "= ZADD zb *zp:0:199",
    "= SORT zb BY nosort LIMIT 5 10",
    "= SORT zb BY nosort DESC LIMIT 5 10",
    "= SORT zb ALPHA DESC LIMIT 0 5",
    "= RPUSH fl 1.5 -2 inf 1e3 0x10",
    "= SORT fl",
    "= RPUSH bad nan",
    "= SORT bad",
    "= SORT l GET",
    "= SORT l BY",
    "= SORT l STORE",
    "= SORT",
    "= SORT_RO",
    NULL,
};

static const struct seq seqs[] = {
    {"scan errors", scan_errors}, {"sscan", scan_sets},     {"hscan", scan_hashes},
    {"zscan", scan_zsets},        {"scan keys", scan_keys}, {"copy strings", copy_strings},
    {"copy types", copy_types},   {"move", move_cases},     {"rename/touch/object", generic_cases},
    {"sort", sort_cases},
};

static void
test_differential(void **state)
{
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    if (redis_pid <= 0)
        fail_msg("redis-server is installed but did not start");
    size_t total = 0, agree = 0;
    for (size_t s = 0; s < sizeof(seqs) / sizeof(seqs[0]); s++) {
        size_t n = 0, ok = 0;
        redisContext *both[2] = {zc, rc};
        for (int i = 0; i < 2; i++) {
            freeReplyObject(cu_run(both[i], "SELECT 0"));
            freeReplyObject(cu_run(both[i], "FLUSHALL"));
        }
        for (const char *const *l = seqs[s].lines; *l; l++) {
            struct argv a = {0};
            parse_line(*l + 2, &a);
            struct sbuf zb = {0}, rb = {0};
            run_mode(zc, (*l)[0], &a, &zb);
            run_mode(rc, (*l)[0], &a, &rb);
            n++;
            if (strcmp(zb.s, rb.s) == 0)
                ok++;
            else
                print_message("%s: '%.60s'\n  redis: %.300s\n  zmem:  %.300s\n", seqs[s].family, *l,
                              rb.s, zb.s);
            free(zb.s);
            free(rb.s);
            av_free(&a);
        }
        print_message("%-20s %3zu commands, %3zu agree\n", seqs[s].family, n, ok);
        total += n;
        agree += ok;
    }
    print_message("%-20s %3zu commands, %3zu agree\n", "all", total, agree);
    assert_int_equal(agree, total);
}

static int
setup(void **state)
{
    srand((unsigned)(getpid() ^ harness_now_ms()));
    if (zserver_start(&srv, NULL) < 0 || (zc = zserver_connect(&srv)) == NULL)
        return -1;
    if (find_redis()) {
        atexit(stop_redis);
        if (start_redis() < 0)
            return -1;
    }
    return 0;
}

static int
teardown(void **state)
{
    if (rc)
        redisFree(rc);
    stop_redis();
    if (zc)
        redisFree(zc);
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
