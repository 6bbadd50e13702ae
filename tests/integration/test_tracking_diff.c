/* test_tracking_diff.c — client tracking compared with a live redis-server 7.0: scenarios of
 * three connections each (a tracking client, a writer or redirect target, a third party) are
 * played on zmem and on Redis, step by step, and every connection's whole byte stream must be
 * the same: replies, RESP3 invalidation pushes, RESP2 __redis__:invalidate messages, flush
 * nulls, BCAST batches, tracking-redir-broken, CLIENT TRACKINGINFO / GETREDIR and the error
 * texts. Client ids differ between the servers, so "{ID1}" in a step stands for the id of
 * connection 1 on that server and the ids are written back as "ID1" in the streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"
#include "integration/redis_diff.h"
#include "tools.h"

#define NCONN 3

/* One step: conn sends line ("{IDn}" replaced) and the step ends once conn has an answer
 * (ms NO_ANSWER: a blocking command, it has none yet); conn -1 waits `ms`; conn -2 closes
 * conn `ms`. */
struct step {
    int conn;
    const char *line;
    int ms;
};

struct scenario {
    const char *name;
    int proto[NCONN]; /* 2 or 3 */
    const struct step *steps;
};

#define NO_ANSWER (-1)
#define WAIT(ms)                                                                                   \
    {                                                                                              \
        -1, NULL, ms                                                                               \
    }
#define CLOSE(c)                                                                                   \
    {                                                                                              \
        -2, NULL, c                                                                                \
    }
#define END_STEPS                                                                                  \
    {                                                                                              \
        -3, NULL, 0                                                                                \
    }

static const struct step s_default[] = {
    {0, "CLIENT TRACKING on\r\n", 0},
    {0, "GET a\r\nMGET b c\r\n", 0},
    {1, "SET a 1\r\nSET a 2\r\n", 0},
    {1, "RPUSH b x\r\n", 0},
    {0, "LLEN b\r\nGET b\r\n", 0},
    {1, "LPUSH b y\r\n", 0},
    {0, "SET c 1\r\n", 0},
    {0, "GET c\r\n", 0},
    {1, "DEL nosuch\r\nDEL c\r\n", 0},
    {0, "EXISTS x y\r\nSTRLEN z\r\n", 0},
    {1, "MSET x 1 y 2 z 3\r\n", 0},
    {0, "GET k\r\nCLIENT TRACKINGINFO\r\nCLIENT GETREDIR\r\n", 0},
    {0, "FLUSHDB\r\n", 0},
    {0, "GET k\r\n", 0},
    {2, "FLUSHALL\r\n", 0},
    {0, "CLIENT TRACKING off\r\nCLIENT GETREDIR\r\nCLIENT TRACKINGINFO\r\n", 0},
    {1, "SET k 1\r\n", 0},
    END_STEPS,
};

static const struct step s_redirect_resp2[] = {
    {1, "SUBSCRIBE __redis__:invalidate\r\n", 0},
    {0, "CLIENT TRACKING on REDIRECT {ID1}\r\n", 0},
    {0, "GET a\r\nCLIENT GETREDIR\r\nCLIENT TRACKINGINFO\r\n", 0},
    {2, "SET a 1\r\n", 0},
    {0, "GET a\r\nGET b\r\n", 0},
    {2, "FLUSHALL\r\n", 0},
    {0, "GET z\r\n", 0},
    CLOSE(1),
    WAIT(100),
    {2, "SET z 1\r\n", 0},
    {0, "CLIENT TRACKINGINFO\r\n", 0},
    END_STEPS,
};

static const struct step s_redirect_resp3[] = {
    {0, "CLIENT TRACKING on REDIRECT {ID1}\r\n", 0},
    {0, "GET a\r\n", 0},
    {2, "SET a 1\r\n", 0},
    {2, "FLUSHALL\r\n", 0},
    {0, "GET b\r\nGET c\r\n", 0},
    CLOSE(1),
    WAIT(100),
    {2, "SET b 1\r\n", 0},
    {2, "SET c 1\r\n", 0},
    {0, "CLIENT TRACKINGINFO\r\nCLIENT GETREDIR\r\n", 0},
    {0, "CLIENT TRACKING on\r\nCLIENT TRACKINGINFO\r\n", 0},
    END_STEPS,
};

static const struct step s_bcast[] = {
    {0, "CLIENT TRACKING on BCAST PREFIX a PREFIX b\r\n", 0},
    {2, "SET a1 1\r\nSET b1 1\r\nSET c1 1\r\nSET a0 1\r\nSET a1 2\r\n", 0},
    {0, "SET a2 1\r\n", 0},
    {0, "CLIENT TRACKING on BCAST NOLOOP PREFIX x\r\n", 0},
    {0, "SET a3 1\r\n", 0},
    {2, "SET a4 1\r\nSET x 1\r\n", 0},
    {0, "SET b2 1\r\n", 0},
    {2, "SET b3 1\r\n", 0},
    {0, "CLIENT TRACKINGINFO\r\n", 0},
    {0, "CLIENT TRACKING on BCAST PREFIX ab\r\nCLIENT TRACKING on BCAST PREFIX q PREFIX qq\r\n", 0},
    {0, "CLIENT TRACKING on\r\nCLIENT TRACKING on BCAST OPTIN\r\n", 0},
    {1, "CLIENT TRACKING on BCAST\r\n", 0},
    {2, "DEL a1 zz\r\n", 0},
    {2, "FLUSHALL\r\n", 0},
    {0, "CLIENT TRACKING off\r\nCLIENT TRACKINGINFO\r\n", 0},
    {2, "SET a5 1\r\n", 0},
    END_STEPS,
};

static const struct step s_optin_optout[] = {
    {0, "CLIENT CACHING yes\r\n", 0},
    {0, "CLIENT TRACKING on OPTIN\r\n", 0},
    {0, "GET a\r\nCLIENT CACHING yes\r\nGET b\r\nGET c\r\n", 0},
    {1, "MSET a 1 b 1 c 1\r\n", 0},
    {0, "CLIENT CACHING yes\r\nMULTI\r\nGET m1\r\nGET m2\r\nEXEC\r\nGET m3\r\n", 0},
    {1, "MSET m1 1 m2 2 m3 3\r\n", 0},
    {0, "CLIENT CACHING yes\r\nCLIENT TRACKINGINFO\r\nGET d\r\nCLIENT TRACKINGINFO\r\n", 0},
    {0, "CLIENT CACHING no\r\nCLIENT CACHING maybe\r\n", 0},
    {0, "CLIENT TRACKING on OPTOUT\r\n", 0},
    {0, "CLIENT TRACKING off\r\nCLIENT TRACKING on OPTOUT\r\n", 0},
    {0, "CLIENT CACHING no\r\nGET e\r\nGET f\r\nCLIENT CACHING yes\r\n", 0},
    {1, "MSET e 1 f 1\r\n", 0},
    {0, "CLIENT CACHING no\r\nCLIENT TRACKINGINFO\r\n", 0},
    END_STEPS,
};

static const struct step s_noloop_multi[] = {
    {0, "CLIENT TRACKING on NOLOOP\r\n", 0},
    {0, "GET a\r\nSET a 1\r\n", 0},
    {1, "SET a 2\r\n", 0},
    {0, "GET a\r\n", 0},
    {1, "SET a 3\r\n", 0},
    {0, "CLIENT TRACKING on\r\nGET m\r\nMULTI\r\nSET m 1\r\nGET m\r\nEXEC\r\n", 0},
    {1, "INCR m\r\n", 0},
    {0, "GET p\r\nRESET\r\n", 0},
    {1, "SET p 1\r\n", 0},
    {0, "CLIENT TRACKINGINFO\r\n", 0},
    END_STEPS,
};

static const struct step s_errors[] = {
    {0, "CLIENT TRACKING on REDIRECT 999999\r\nCLIENT TRACKING on REDIRECT x\r\n", 0},
    {0, "CLIENT TRACKING on REDIRECT {ID1} REDIRECT {ID1}\r\n", 0},
    {0, "CLIENT TRACKING on PREFIX a\r\nCLIENT TRACKING on BCAST OPTIN\r\n", 0},
    {0, "CLIENT TRACKING on OPTIN OPTOUT\r\nCLIENT TRACKING on FOO\r\nCLIENT TRACKING maybe\r\n",
     0},
    {0, "CLIENT TRACKING on REDIRECT\r\nCLIENT TRACKING\r\nCLIENT CACHING\r\n", 0},
    {0, "CLIENT GETREDIR x\r\nCLIENT TRACKINGINFO x\r\nCLIENT CACHING yes\r\n", 0},
    {0, "CLIENT TRACKING off FOO\r\nCLIENT TRACKING off BCAST\r\nCLIENT TRACKINGINFO\r\n", 0},
    {0,
     "CLIENT TRACKING on BCAST PREFIX a PREFIX ab\r\nCLIENT TRACKING on BCAST PREFIX b PREFIX "
     "b\r\n",
     0},
    {0, "CLIENT TRACKING on BCAST PREFIX a PREFIX b PREFIX c\r\nCLIENT TRACKINGINFO\r\n", 0},
    END_STEPS,
};

static const struct step s_expiry[] = {
    {0, "CLIENT TRACKING on\r\n", 0},
    {1, "SET e v PX 400\r\nSET l v PX 400\r\n", 0},
    {0, "GET e\r\n", 0},
    WAIT(1200),
    {0, "PING\r\n", 0},
    {1, "SET l2 v\r\nPEXPIRE l2 1\r\n", 0},
    {0, "GET l2\r\n", 0},
    WAIT(300),
    {1, "SET e v\r\n", 0},
    END_STEPS,
};

static const struct step s_key_commands[] = {
    {0, "CLIENT TRACKING on\r\n", 0},
    {1, "MSET r1 a c1 b m1 c g1 d s1 x\r\nSADD set1 a b\r\nRPUSH l1 a b\r\n", 0},
    {0, "MGET r1 r2 c1 c2 m1 g1 g2\r\nSISMEMBER set1 a\r\nSCARD set2\r\nLRANGE l1 0 -1\r\n", 0},
    {0, "LLEN l2\r\nTYPE s1\r\nSTRLEN s1\r\nEXISTS nothere\r\n", 0},
    {1, "RENAME r1 r2\r\n", 0},
    {1, "COPY c1 c2\r\n", 0},
    {1, "MOVE m1 1\r\n", 0},
    {1, "GETDEL g1\r\nGETEX g2 PX 100\r\n", 0},
    {1, "SUNIONSTORE set2 set2\r\n", 0},
    {1, "LMOVE l1 l2 LEFT LEFT\r\n", 0},
    {1, "APPEND s1 y\r\nSETRANGE s1 0 z\r\n", 0},
    {0, "GET late\r\n", 0},
    {1, "SET late v PX 1\r\n", 0},
    WAIT(50),
    {0, "GET late\r\n", 0},
    WAIT(200),
    {0, "GET late\r\n", 0},
    {1, "SELECT 1\r\nSET nothere 1\r\n", 0},
    {0, "MULTI\r\nFLUSHDB\r\nFLUSHDB\r\nEXEC\r\n", 0},
    END_STEPS,
};

static const struct step s_blocking[] = {
    {0, "CLIENT TRACKING on\r\n", 0},
    {0, "LLEN q\r\n", 0},
    {2, "BLPOP q 5\r\n", NO_ANSWER},
    {1, "RPUSH q x\r\n", 0},
    {0, "LLEN q\r\n", 0},
    {1, "RPUSH q y\r\n", 0},
    {0, "CLIENT TRACKING off\r\nCLIENT TRACKING on BCAST\r\n", 0},
    {2, "BLPOP q2 5\r\n", NO_ANSWER},
    {1, "LPUSH q2 z\r\n", 0},
    END_STEPS,
};

static const struct scenario scenarios[] = {
    {"key commands: RENAME, COPY, MOVE, GETDEL, stores, other databases",
     {3, 2, 2},
     s_key_commands},
    {"blocking pops", {3, 2, 2}, s_blocking},
    {"default mode (RESP3)", {3, 2, 2}, s_default},
    {"default mode (RESP2, no messages)", {2, 2, 2}, s_default},
    {"RESP2 redirect to a subscriber", {2, 2, 2}, s_redirect_resp2},
    {"RESP3 redirect", {3, 3, 2}, s_redirect_resp3},
    {"RESP2 client, RESP3 redirect", {2, 3, 2}, s_redirect_resp3},
    {"BCAST", {3, 3, 2}, s_bcast},
    {"OPTIN / OPTOUT", {3, 2, 2}, s_optin_optout},
    {"NOLOOP, MULTI, RESET", {3, 2, 2}, s_noloop_multi},
    {"errors", {2, 2, 2}, s_errors},
    {"expiry", {3, 2, 2}, s_expiry},
};

/* A connection's transcript. */
struct tbuf {
    char *s;
    size_t len, cap;
};

static void
tb_add(struct tbuf *t, const char *p, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
    }
    memcpy(t->s + t->len, p, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* Read whatever the open connections say: at least the first bytes of the answer to the step
 * just sent on `sender` (-1: none), then until none has said anything for 30 ms (both scaled by
 * ZMEM_TEST_SLOW), so a step never overtakes the one before it on a slow machine. */
static void
collect(const int *fd, struct tbuf *out, int sender)
{
    int slow = harness_slow();
    size_t had = sender >= 0 ? out[sender].len : 0;
    long long deadline = harness_now_ms() + 5000LL * slow;
    for (;;) {
        struct pollfd p[NCONN];
        int n = 0, map[NCONN];
        for (int i = 0; i < NCONN; i++) {
            if (fd[i] >= 0) {
                p[n] = (struct pollfd){fd[i], POLLIN, 0};
                map[n++] = i;
            }
        }
        int answered = sender < 0 || out[sender].len > had;
        if (n == 0 || harness_now_ms() > deadline)
            return;
        if (poll(p, (nfds_t)n, 30 * slow) <= 0) {
            if (answered)
                return;
            continue;
        }
        for (int j = 0; j < n; j++) {
            if (!(p[j].revents & (POLLIN | POLLHUP)))
                continue;
            char buf[16384];
            ssize_t r = read(p[j].fd, buf, sizeof(buf));
            if (r > 0)
                tb_add(&out[map[j]], buf, (size_t)r);
        }
    }
}

static void
subst_ids(const char *line, const long long *ids, char *dst, size_t size)
{
    size_t n = 0;
    while (*line && n + 24 < size) {
        if (strncmp(line, "{ID", 3) == 0 && line[3] >= '0' && line[3] < '0' + NCONN &&
            line[4] == '}') {
            n += (size_t)snprintf(dst + n, size - n, "%lld", ids[line[3] - '0']);
            line += 5;
        } else {
            dst[n++] = *line++;
        }
    }
    dst[n] = '\0';
}

/* ":<id>\r\n" of each connection written back as ":ID<n>\r\n". */
static void
normalize_ids(struct tbuf *t, const long long *ids)
{
    for (int i = 0; i < NCONN; i++) {
        char pat[32], rep[16];
        snprintf(pat, sizeof(pat), ":%lld\r\n", ids[i]);
        snprintf(rep, sizeof(rep), ":ID%d\r\n", i);
        char *p;
        while (t->s && (p = strstr(t->s, pat)) != NULL) {
            size_t pl = strlen(pat), rl = strlen(rep);
            memmove(p + rl, p + pl, strlen(p + pl) + 1);
            memcpy(p, rep, rl);
            t->len = t->len - pl + rl;
        }
    }
}

/* Send s on fd and read until what arrived ends with suffix (2 s at most, scaled). */
static char *
read_until(int fd, const char *s, const char *suffix)
{
    struct tbuf t = {0};
    size_t sl = strlen(suffix);
    long long deadline = harness_now_ms() + 2000LL * harness_slow();
    raw_sends(fd, s);
    while (harness_now_ms() < deadline && (t.len < sl || strcmp(t.s + t.len - sl, suffix) != 0)) {
        struct pollfd p = {fd, POLLIN, 0};
        char buf[4096];
        ssize_t r;
        if (poll(&p, 1, 100) > 0 && (r = read(fd, buf, sizeof(buf))) > 0)
            tb_add(&t, buf, (size_t)r);
    }
    if (t.s == NULL)
        tb_add(&t, "", 0);
    return t.s;
}

/* Play sc on the server at port; out[i] gets connection i's stream. */
static void
play(const struct scenario *sc, int port, struct tbuf *out)
{
    int fd[NCONN];
    long long ids[NCONN];
    int admin = raw_connect(port);
    free(read_until(admin, "FLUSHALL\r\n", "+OK\r\n"));
    close(admin);
    for (int i = 0; i < NCONN; i++) {
        fd[i] = raw_connect(port);
        if (sc->proto[i] == 3)
            free(read_until(fd[i], "HELLO 3\r\nPING\r\n", "+PONG\r\n"));
        char *got = read_until(fd[i], "CLIENT ID\r\n", "\r\n");
        assert_int_equal(got[0], ':');
        ids[i] = atoll(got + 1);
        free(got);
    }
    for (const struct step *st = sc->steps; st->conn != -3; st++) {
        int sender = -1;
        if (st->conn == -1) {
            usleep((useconds_t)st->ms * 1000);
        } else if (st->conn == -2) {
            close(fd[st->ms]);
            fd[st->ms] = -1;
        } else {
            char line[1024];
            subst_ids(st->line, ids, line, sizeof(line));
            raw_sends(fd[st->conn], line);
            sender = st->ms == NO_ANSWER ? -1 : st->conn;
        }
        collect(fd, out, sender);
    }
    for (int i = 0; i < NCONN; i++) {
        if (fd[i] >= 0)
            close(fd[i]);
        normalize_ids(&out[i], ids);
    }
}

/* The stream with CR LF shown as "|", for a mismatch report. */
static void
show(const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\r' && s[1] == '\n') {
            fputc('|', stderr);
            s++;
        } else {
            fputc(*s, stderr);
        }
    }
    fputc('\n', stderr);
}

static void
test_tracking_differential(void **state)
{
    (void)state;
    struct zserver srv;
    struct rd r;
    require_tool("redis-server", "the streams of Redis 7.0 to compare with");
    redisContext *ctx = zserver_start_connect(&srv, NULL);
    if (rd_start(&r, ctx) < 0)
        fail_msg("redis-server is installed but did not start");
    /* One-connection replies first, through hiredis. */
    rd_cmdf(&r, "CONFIG GET %s", "tracking-table-max-keys");
    rd_cmd(&r, "CONFIG SET tracking-table-max-keys 500");
    rd_cmd(&r, "CONFIG GET tracking-table-max-keys");
    rd_cmd(&r, "CONFIG SET tracking-table-max-keys -1");
    rd_cmd(&r, "CONFIG SET tracking-table-max-keys 1000000");
    rd_cmd(&r, "CLIENT GETREDIR");
    rd_cmd(&r, "CLIENT TRACKINGINFO");
    rd_cmd(&r, "CLIENT TRACKING on OPTOUT NOLOOP");
    rd_cmd(&r, "CLIENT TRACKINGINFO");
    rd_cmd(&r, "CLIENT CACHING no");
    rd_cmd(&r, "CLIENT TRACKINGINFO");
    rd_cmd(&r, "CLIENT TRACKING off");
    int failed = r.agreed != r.cases;
    size_t n = sizeof(scenarios) / sizeof(scenarios[0]);
    int streams = 0, agreed = 0;
    for (size_t i = 0; i < n; i++) {
        struct tbuf a[NCONN] = {{0}}, b[NCONN] = {{0}};
        play(&scenarios[i], r.srv.port, a);
        play(&scenarios[i], srv.port, b);
        for (int c = 0; c < NCONN; c++) {
            const char *x = a[c].s ? a[c].s : "", *y = b[c].s ? b[c].s : "";
            streams++;
            if (strcmp(x, y) == 0) {
                agreed++;
                continue;
            }
            failed = 1;
            fprintf(stderr, "scenario '%s', connection %d differs\n  redis: ", scenarios[i].name,
                    c);
            show(x);
            fprintf(stderr, "  zmem:  ");
            show(y);
        }
        for (int c = 0; c < NCONN; c++) {
            free(a[c].s);
            free(b[c].s);
        }
    }
    printf("tracking differential: %ld of %ld single replies and %d of %d connection streams "
           "(%zu scenarios) identical\n",
           r.agreed, r.cases, agreed, streams, n);
    rd_stop(&r);
    redisFree(ctx);
    assert_int_equal(zserver_stop(&srv), 0);
    assert_false(failed);
}

int
main(void)
{
    harness_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracking_differential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
