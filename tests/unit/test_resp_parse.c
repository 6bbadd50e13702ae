/* test_resp_parse — the request parser against docs/limits.md (limits, protocol error replies,
 * framing rules, bad inputs): every protocol error with its exact text, Redis's framing quirks,
 * limits at their edges, split invariance (every split of a pipelined stream yields the same
 * commands) and memory back to its baseline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "resp_parse.h"
#include "zmalloc.h"

/* ---- A server-shaped driver: feed chunks into a query buf, parse, drop consumed ---- */

#define LOG_MAX (1 << 20)

/* What a whole stream produced: the commands, serialised, and how it ended. */
struct run {
    char log[LOG_MAX];
    size_t loglen;
    int ncmds;
    int status; /* RESP_INCOMPLETE at the end of input, or RESP_ERR / RESP_ENOMEM */
    char errstr[128];
    size_t left; /* unconsumed bytes at the end */
};

static struct run run_a, run_b;

/* Next chunk size, given bytes fed so far. */
typedef size_t (*chunker)(size_t fed, size_t total, void *ctx);

static void
log_bytes(struct run *r, const void *p, size_t len)
{
    assert_true(r->loglen + len <= LOG_MAX);
    memcpy(r->log + r->loglen, p, len);
    r->loglen += len;
}

static void
log_cmd(struct run *r, const struct resp_parser *p)
{
    char num[32];
    int i;

    log_bytes(r, num,
              (size_t)snprintf(num, sizeof(num), "%d%c:", p->argc, p->inline_cmd ? 'i' : 'm'));
    for (i = 0; i < p->argc; i++) {
        log_bytes(r, num, (size_t)snprintf(num, sizeof(num), "%zu=", p->argv[i].len));
        log_bytes(r, p->argv[i].ptr, p->argv[i].len);
        log_bytes(r, ",", 1);
    }
    log_bytes(r, "\n", 1);
    r->ncmds++;
}

/* Every argument must lie inside the bytes the command consumed (multibulk: zero copy) or
 * inside the parser's scratch (inline). */
static void
check_slices(const struct resp_parser *p, const char *in, size_t consumed)
{
    int i;

    assert_true(p->argc >= 1);
    for (i = 0; i < p->argc; i++) {
        const char *a = p->argv[i].ptr;
        size_t n = p->argv[i].len;

        if (p->inline_cmd) {
            assert_true(a >= p->scratch && a + n <= p->scratch + p->scratch_cap);
        } else {
            assert_true(a >= in && a + n <= in + consumed);
        }
    }
}

static void
drive(struct resp_parser *p, const char *in, size_t len, chunker next, void *ctx, struct run *r)
{
    struct buf q = BUF_INIT;
    size_t fed = 0;

    r->loglen = 0;
    r->ncmds = 0;
    r->status = RESP_INCOMPLETE;
    r->errstr[0] = '\0';
    for (;;) {
        for (;;) {
            const char *at = q.data ? q.data + q.pos : "";
            size_t consumed = 12345;
            int rc = resp_parse(p, at, q.len - q.pos, &consumed);

            assert_true(consumed <= q.len - q.pos);
            if (rc == RESP_OK) {
                assert_true(consumed > 0);
                check_slices(p, at, consumed);
                log_cmd(r, p);
                q.pos += consumed;
                continue;
            }
            if (rc == RESP_INCOMPLETE) {
                q.pos += consumed;
                break;
            }
            assert_int_equal(consumed, 0);
            r->status = rc;
            memcpy(r->errstr, p->errstr, sizeof(r->errstr));
            goto done;
        }
        if (fed == len)
            break;
        {
            size_t n = next(fed, len, ctx);

            if (n == 0)
                n = 1;
            if (n > len - fed)
                n = len - fed;
            /* Compacting moves the partial command: the parser must keep offsets only. */
            buf_compact(&q);
            buf_append(&q, in + fed, n);
            assert_false(q.oom);
            fed += n;
        }
    }
done:
    r->left = q.len - q.pos;
    buf_free(&q);
}

static size_t
chunk_byte(size_t fed, size_t total, void *ctx)
{
    return 1;
}

/* First chunk *ctx bytes, then the rest (chunk_at with &all: everything at once). */
static size_t all = SIZE_MAX;

static size_t
chunk_at(size_t fed, size_t total, void *ctx)
{
    size_t k = *(size_t *)ctx;

    return fed < k ? k - fed : total;
}

/* Random sizes 1..64 from a xorshift state in *ctx. */
static size_t
chunk_rand(size_t fed, size_t total, void *ctx)
{
    uint64_t *x = ctx;

    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return 1 + (size_t)(*x % 64);
}

/* drive() with a fresh parser of the given limits. */
static void
drive_with(int authenticated, long long max_bulk, const char *in, size_t len, chunker next,
           void *ctx, struct run *r)
{
    struct resp_parser p;

    resp_parser_init(&p);
    p.authenticated = authenticated;
    p.max_bulk_len = max_bulk;
    drive(&p, in, len, next, ctx, r);
    resp_parser_deinit(&p);
}

/* Parse a whole stream in one chunk with default limits. */
static struct run *
parse_str(const char *in, size_t len, int authenticated)
{
    drive_with(authenticated, RESP_MAX_BULK_LEN_DEFAULT, in, len, chunk_at, &all, &run_a);
    return &run_a;
}

#define PARSE(lit) parse_str(lit, sizeof(lit) - 1, 1)

static void
assert_error(const char *in, size_t len, int authenticated, const char *text)
{
    struct run *r = parse_str(in, len, authenticated);

    assert_int_equal(r->status, RESP_ERR);
    assert_string_equal(r->errstr, text);
}

#define ASSERT_ERROR(lit, text) assert_error(lit, sizeof(lit) - 1, 1, text)

static void
assert_log(const struct run *r, const char *expect, size_t len)
{
    if (r->loglen != len || memcmp(r->log, expect, len) != 0)
        fail_msg("commands differ:\n got: %.*s\nwant: %.*s", (int)r->loglen, r->log, (int)len,
                 expect);
}

/* Expected commands as a literal (it may hold NULs). */
#define ASSERT_LOG(r, lit) assert_log(r, lit, sizeof(lit) - 1)

/* ---- Tests ---- */

static size_t baseline;

static int
setup(void **state)
{
    baseline = zmalloc_used_memory();
    return 0;
}

static int
teardown(void **state)
{
    /* Every test frees what it made: the parser and the driver's buffer. */
    assert_int_equal(zmalloc_used_memory(), baseline);
    return 0;
}

static void
test_multibulk_basic(void **state)
{
    const char in[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
    struct resp_parser p;
    size_t consumed;

    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, in, sizeof(in) - 1, &consumed), RESP_OK);
    assert_int_equal(consumed, sizeof(in) - 1);
    assert_int_equal(p.argc, 3);
    assert_int_equal(p.inline_cmd, 0);
    /* Zero copy: the slices are the caller's bytes. */
    assert_ptr_equal(p.argv[0].ptr, in + 8);
    assert_ptr_equal(p.argv[2].ptr, in + 24);
    assert_memory_equal(p.argv[2].ptr, "hello", 5);
    assert_int_equal(p.argv[2].len, 5);
    assert_int_equal(resp_parse(&p, in + consumed, 0, &consumed), RESP_INCOMPLETE);
    resp_parser_deinit(&p);

    ASSERT_LOG(PARSE("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"),
               "1m:4=PING,\n2m:4=ECHO,0=,\n");
}

static void
test_inline_basic(void **state)
{
    /* I1-I4: empty lines ignored, bare LF, blanks around. */
    ASSERT_LOG(PARSE("\r\n\nPING\n  PING \t \r\n \t\r\n"), "1i:4=PING,\n1i:4=PING,\n");
    ASSERT_LOG(PARSE("SET a b\r\nGET a\n"), "3i:3=SET,1=a,1=b,\n2i:3=GET,1=a,\n");
    /* Only the CR right before the LF belongs to the terminator; others split tokens. */
    ASSERT_LOG(PARSE("PING\rPING\r\n"), "2i:4=PING,4=PING,\n");
    ASSERT_LOG(PARSE("ECHO x\r\r\n"), "2i:4=ECHO,1=x,\n");
    /* \v and \f are skipped between tokens but kept inside one (sdssplitargs). */
    ASSERT_LOG(PARSE("\vECHO a\vb\r\n"), "2i:4=ECHO,3=a\vb,\n");
    /* I21: RESP3 type bytes are not request syntax: inline. */
    ASSERT_LOG(PARSE("%1\r\n"), "1i:2=%1,\n");
    /* A '$' first byte is inline too (I14). */
    ASSERT_LOG(PARSE("$4\r\n"), "1i:2=$4,\n");
    /* Unterminated: nothing yet. */
    struct run *r = PARSE("PING");
    assert_int_equal(r->ncmds, 0);
    assert_int_equal(r->status, RESP_INCOMPLETE);
    assert_int_equal(r->left, 4);
}

static void
test_inline_quotes(void **state)
{
    /* I8: \xHH and \n inside double quotes. */
    ASSERT_LOG(PARSE("ECHO \"a\\x41\\n\"\r\n"), "2i:4=ECHO,3=aA\n,\n");
    ASSERT_LOG(PARSE("ECHO \"\\r\\t\\b\\a\\\\\\\"\"\n"), "2i:4=ECHO,6=\r\t\b\a\\\",\n");
    /* Unknown escapes are the escaped byte; \x needs two hex digits. */
    ASSERT_LOG(PARSE("ECHO \"\\q\" \"\\x4\" \"\\xZZ\" \"\\xfF\"\n"),
               "5i:4=ECHO,1=q,2=x4,3=xZZ,1=\xff,\n");
    /* Single quotes: only \' is an escape. */
    ASSERT_LOG(PARSE("ECHO 'a\\'b' 'a\\nb' '\"'\n"), "4i:4=ECHO,3=a'b,4=a\\nb,1=\",\n");
    /* Quotes may open mid-token; empty quotes are an empty argument. */
    ASSERT_LOG(PARSE("ECHO a\"b c\"\n"), "2i:4=ECHO,4=ab c,\n");
    ASSERT_LOG(PARSE("SET \"\" ''\n"), "3i:3=SET,0=,0=,\n");
    /* A closing quote followed by any blank (\v too) is fine. */
    ASSERT_LOG(PARSE("ECHO \"a\"\vb\n"), "3i:4=ECHO,1=a,1=b,\n");
    /* A line of only quotes is a command named "". */
    ASSERT_LOG(PARSE("\"\"\n"), "1i:0=,\n");
}

static void
test_inline_unbalanced(void **state)
{
    const char *text = "ERR Protocol error: unbalanced quotes in request";

    /* I5: and the pipelined ping after it never comes out. */
    struct run *r = PARSE("set \"\"\"test-key\"\"\" test-value\r\nping\r\n");
    assert_int_equal(r->ncmds, 0);
    assert_string_equal(r->errstr, text);
    ASSERT_ERROR("ECHO \"abc\r\n", text);  /* I6 */
    ASSERT_ERROR("ECHO \"a\"b\r\n", text); /* I7 */
    ASSERT_ERROR("ECHO 'a'b\r\n", text);
    ASSERT_ERROR("ECHO 'abc\n", text);
    ASSERT_ERROR("ECHO \"a\\\r\n", text); /* a backslash at the end escapes nothing */
    ASSERT_ERROR("ECHO \"a\\x4\n", text);
}

static void
test_ignored_requests(void **state)
{
    /* M1, M2, and "*-1" with anything after it. */
    ASSERT_LOG(PARSE("*0\r\n*-10\r\n*-1\r\nPING\r\n"), "1i:4=PING,\n");

    /* Ignorable bytes before a partial command are reported as consumed. */
    struct resp_parser p;
    const char in[] = "\r\n*0\r\n*1\r\n$4\r\nPI";
    size_t consumed;

    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, in, sizeof(in) - 1, &consumed), RESP_INCOMPLETE);
    assert_int_equal(consumed, 6);
    /* The partial command is passed again from its start, now at offset 0. */
    assert_int_equal(resp_parse(&p, "*1\r\n$4\r\nPING\r\n", 14, &consumed), RESP_OK);
    assert_int_equal(consumed, 14);
    assert_int_equal(p.argc, 1);
    resp_parser_deinit(&p);
}

static void
test_err_multibulk_length(void **state)
{
    const char *text = "ERR Protocol error: invalid multibulk length";

    ASSERT_ERROR("*3000000000\r\n", text);       /* M3 */
    ASSERT_ERROR("*2147483648\r\n", text);       /* M4 */
    ASSERT_ERROR("*abc\r\n", text);              /* M6 */
    ASSERT_ERROR("*\r\n", text);                 /* M7 */
    ASSERT_ERROR("*01\r\n$4\r\nPING\r\n", text); /* M8 */
    ASSERT_ERROR("*+1\r\n$4\r\nPING\r\n", text); /* M9 */
    ASSERT_ERROR("* 1\r\n$4\r\nPING\r\n", text); /* M10 */
    ASSERT_ERROR("*-0\r\n", text);
    ASSERT_ERROR("*-\r\n", text);
    ASSERT_ERROR("*1 \r\n", text);
    ASSERT_ERROR("*99999999999999999999\r\n", text);
    /* M23: framing needs '\r'; a later CRLF makes the count line "1\n$4..." invalid. */
    struct run *r = PARSE("*1\n$4\nPING\n");
    assert_int_equal(r->status, RESP_INCOMPLETE);
    ASSERT_ERROR("*1\n$4\nPING\nPING\r\n", text);
    /* M28: the command before the error comes out, the one after does not. */
    r = PARSE("*1\r\n$4\r\nPING\r\n*x\r\n*1\r\n$4\r\nPING\r\n");
    ASSERT_LOG(r, "1m:4=PING,\n");
    assert_string_equal(r->errstr, text);
}

static void
test_err_bulk_length(void **state)
{
    const char *text = "ERR Protocol error: invalid bulk length";

    ASSERT_ERROR("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n", text);        /* M13 */
    ASSERT_ERROR("*1\r\n$-1\r\n", text);                                 /* M14 */
    ASSERT_ERROR("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n", text); /* M15 */
    ASSERT_ERROR("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n", text);     /* M16 */
    ASSERT_ERROR("*1\r\n$04\r\nPING\r\n", text);                         /* M17 */
    ASSERT_ERROR("*1\r\n$536870913\r\n", text);                          /* M18 */
    ASSERT_ERROR("*1\r\n$99999999999999999999\r\n", text);               /* M32 */
    ASSERT_ERROR("*1\r\n$-0\r\n", text);
    ASSERT_ERROR("*1\r\n$\r\n", text);
    ASSERT_ERROR("*1\r\n$9223372036854775808\r\n", text);
}

static void
test_err_expected_dollar(void **state)
{
    ASSERT_ERROR("*1\r\nfoo\r\n", "ERR Protocol error: expected '$', got 'f'"); /* M11 */
    ASSERT_ERROR("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n",
                 "ERR Protocol error: expected '$', got 'f'");                 /* M12 */
    ASSERT_ERROR("*1\r\n:4\r\n", "ERR Protocol error: expected '$', got ':'"); /* M22 */
    ASSERT_ERROR("*1\r\n*1\r\n$4\r\nPING\r\n",
                 "ERR Protocol error: expected '$', got '*'"); /* M33 */
    /* Redis maps CR and LF in error text to spaces (observed on 7.0.15). */
    ASSERT_ERROR("*1\r\n\r\r\n", "ERR Protocol error: expected '$', got ' '");
    ASSERT_ERROR("*1\r\n\n\r\n", "ERR Protocol error: expected '$', got ' '");
    ASSERT_ERROR("*1\r\n\xff\r\n", "ERR Protocol error: expected '$', got '\xff'");
    /* Our deliberate difference: a NUL is an ordinary byte, shown as a space. */
    assert_error("*1\r\n\0\r\n", 7, 1, "ERR Protocol error: expected '$', got ' '");
    /* M5 then PING: the count is accepted, PING is read as the first element. */
    ASSERT_ERROR("*2147483647\r\nPING\r\n", "ERR Protocol error: expected '$', got 'P'");
    /* The '$' check waits for the whole line, like Redis. */
    struct run *r = PARSE("*1\r\nfoo");
    assert_int_equal(r->status, RESP_INCOMPLETE);
}

/* n copies of c between a prefix (which may hold NULs) and a suffix, in a zmalloc'd block. */
static char *
filled(const char *prefix, size_t plen, char c, size_t n, const char *suffix, size_t *len)
{
    size_t b = strlen(suffix);
    char *s = zmalloc(plen + n + b);

    memcpy(s, prefix, plen);
    memset(s + plen, c, n);
    memcpy(s + plen + n, suffix, b);
    *len = plen + n + b;
    return s;
}

/* Parse such a stream in one piece (default limits, authenticated). */
static struct run *
parse_filled(const char *prefix, size_t plen, char c, size_t n, const char *suffix)
{
    size_t len;
    char *s = filled(prefix, plen, c, n, suffix, &len);

    parse_str(s, len, 1);
    zfree(s);
    return &run_a;
}

#define FILLED(prefix, c, n, suffix) parse_filled(prefix, sizeof(prefix) - 1, c, n, suffix)

static void
assert_run_error(const struct run *r, const char *text)
{
    assert_int_equal(r->status, RESP_ERR);
    assert_string_equal(r->errstr, text);
}

static void
test_err_too_big(void **state)
{
    const char *inl = "ERR Protocol error: too big inline request";
    const char *mbulk = "ERR Protocol error: too big mbulk count string";
    const char *bulk = "ERR Protocol error: too big bulk count string";

    assert_run_error(FILLED("", 'A', 70000, ""), inl); /* I11: no LF past 64 KiB */
    /* I12: a NUL first (Redis's strchr) - we reach the same verdict on the line length. */
    assert_run_error(FILLED("\0", 'A', 70000, "\n"), inl);
    assert_run_error(FILLED("*\0", 'A', 70000, ""), mbulk);    /* I13 */
    assert_run_error(FILLED("*", '1', 70000, ""), mbulk);      /* M31 */
    assert_run_error(FILLED("$", 'A', 70000, ""), inl);        /* I14: '$' first is inline */
    assert_run_error(FILLED("*1\r\n$", '1', 70000, ""), bulk); /* M30 */
    /* The "too big" test comes before the '$' test, as in Redis. */
    assert_run_error(FILLED("*1\r\nx", '1', 70000, ""), bulk);
}

static void
test_err_unauthenticated(void **state)
{
    const char *mb = "ERR Protocol error: unauthenticated multibulk length";
    const char *bulk = "ERR Protocol error: unauthenticated bulk length";
    struct run *r;

    assert_error("*11\r\n", 5, 0, mb); /* A1 */
    r = parse_str("*10\r\n", 5, 0);    /* A2 */
    assert_int_equal(r->status, RESP_INCOMPLETE);
    assert_error("*1\r\n$16385\r\n", 12, 0, bulk); /* A3 */
    r = parse_str("*1\r\n$16384\r\n", 12, 0);      /* A4 */
    assert_int_equal(r->status, RESP_INCOMPLETE);
    /* The same requests are fine once authenticated. */
    r = parse_str("*11\r\n$16385\r\n", 13, 1);
    assert_int_equal(r->status, RESP_INCOMPLETE);
    /* A bad count is reported as invalid before it is reported as unauthenticated. */
    assert_error("*2147483648\r\n", 13, 0, "ERR Protocol error: invalid multibulk length");
    assert_error("*1\r\n$-5\r\n", 9, 0, "ERR Protocol error: invalid bulk length");
    /* Inline requests have no unauthenticated cap in Redis. */
    r = parse_str("a b c d e f g h i j k l\r\n", 25, 0);
    assert_int_equal(r->ncmds, 1);

    /* The owner flips the flag between commands (after AUTH). */
    struct resp_parser p;
    size_t consumed;
    const char auth[] = "*2\r\n$4\r\nAUTH\r\n$1\r\np\r\n";
    const char big[] = "*11\r\n";

    resp_parser_init(&p);
    p.authenticated = 0;
    assert_int_equal(resp_parse(&p, auth, sizeof(auth) - 1, &consumed), RESP_OK);
    p.authenticated = 1;
    assert_int_equal(resp_parse(&p, big, sizeof(big) - 1, &consumed), RESP_INCOMPLETE);
    resp_parser_deinit(&p);
}

static void
test_error_is_sticky(void **state)
{
    struct resp_parser p;
    size_t consumed;
    const char bad[] = "*x\r\n";
    const char good[] = "PING\r\n";

    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, bad, 4, &consumed), RESP_ERR);
    assert_int_equal(consumed, 0);
    assert_int_equal(resp_parse(&p, good, 6, &consumed), RESP_ERR);
    assert_int_equal(resp_parse(&p, good, 0, &consumed), RESP_ERR);
    assert_string_equal(p.errstr, "ERR Protocol error: invalid multibulk length");
    /* reset makes it usable again (a new connection). */
    resp_parser_reset(&p);
    assert_int_equal(resp_parse(&p, good, 6, &consumed), RESP_OK);
    assert_int_equal(p.argc, 1);
    resp_parser_deinit(&p);
}

static void
test_redis_leniency(void **state)
{
    /* M19: the two bytes after a payload are not checked. */
    ASSERT_LOG(PARSE("*1\r\n$4\r\nPINGxx"), "1m:4=PING,\n");
    /* M20: the desynchronised rest runs as inline commands. */
    ASSERT_LOG(PARSE("*1\r\n$4\r\nPING\n*1\r\n$4\r\nPING\r\n"),
               "1m:4=PING,\n1i:1=1,\n1i:2=$4,\n1i:4=PING,\n");
    /* The byte after a header's '\r' is not checked either. */
    ASSERT_LOG(PARSE("*1\rX$4\r\nPING\r\n"), "1m:4=PING,\n");
    ASSERT_LOG(PARSE("*1\r\n$4\rXPING\r\n"), "1m:4=PING,\n");
    /* But it must be there before the line counts. */
    struct run *r = PARSE("*1\r\n$4\r");
    assert_int_equal(r->status, RESP_INCOMPLETE);
    r = PARSE("*1\r\n$4\r\nPING\r");
    assert_int_equal(r->ncmds, 0);
    /* M21, M29: binary-safe payloads; mixed request types in one buffer. */
    ASSERT_LOG(PARSE("*2\r\n$4\r\nECHO\r\n$5\r\na\0\r\nb\r\nPING\r\n"),
               "2m:4=ECHO,5=a\0\r\nb,\n1i:4=PING,\n");
    /* Deliberate difference: NUL inside an inline line is data (memchr, not strchr). */
    r = parse_str("ECHO a\0b\r\n", 10, 1);
    ASSERT_LOG(r, "2i:4=ECHO,3=a\0b,\n");
}

/* A mixed pipelined stream: multibulk, inline with quotes, ignorable requests, binary data. */
static const char mixed[] = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"
                            "PING\r\n"
                            "\r\n"
                            "*0\r\n"
                            "SET k \"a b\\x41\" 'c\\'d'\n"
                            "*-1\r\n"
                            "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"
                            "  \t \n"
                            "*1\r\n$4\r\nPING\r\n"
                            "ECHO \"\"\r\n"
                            "*2\r\n$3\r\nGET\r\n$12\r\n0123456789ab\r\n";

static const char mixed_log[] = "3m:3=SET,3=key,5=va\r\nl,\n"
                                "1i:4=PING,\n"
                                "4i:3=SET,1=k,4=a bA,3=c'd,\n"
                                "2m:4=ECHO,0=,\n"
                                "1m:4=PING,\n"
                                "2i:4=ECHO,0=,\n"
                                "2m:3=GET,12=0123456789ab,\n";

static void
assert_same_run(const struct run *a, const struct run *b)
{
    assert_int_equal(a->ncmds, b->ncmds);
    assert_int_equal(a->loglen, b->loglen);
    assert_memory_equal(a->log, b->log, a->loglen);
    assert_int_equal(a->status, b->status);
    assert_string_equal(a->errstr, b->errstr);
    /* After an error the rest of the input is never looked at, however much was fed. */
    if (a->status == RESP_INCOMPLETE)
        assert_int_equal(a->left, b->left);
}

/* Every two-chunk split, byte at a time and random chunks all give the one-shot result. */
static void
check_split_invariance(const char *in, size_t len, int authenticated, long long max_bulk)
{
    uint64_t x = 88172645463325252ULL;
    size_t k;
    int i;

    drive_with(authenticated, max_bulk, in, len, chunk_at, &all, &run_a);
    for (k = 0; k <= len; k++) {
        drive_with(authenticated, max_bulk, in, len, chunk_at, &k, &run_b);
        assert_same_run(&run_a, &run_b);
    }
    drive_with(authenticated, max_bulk, in, len, chunk_byte, NULL, &run_b);
    assert_same_run(&run_a, &run_b);
    for (i = 0; i < 50; i++) {
        drive_with(authenticated, max_bulk, in, len, chunk_rand, &x, &run_b);
        assert_same_run(&run_a, &run_b);
    }
}

static void
test_split_every_byte(void **state)
{
    const long long def = RESP_MAX_BULK_LEN_DEFAULT;
    static const char *const tails[] = {
        "*x\r\n",         "*1\r\n$-1\r\n", "*1\r\nfoo\r\n",    "ECHO \"a\r\n", "*1\r\n$4\r\nPI",
        "*1\r\n$100\r\n", "*11\r\n",       "*1\r\n$16385\r\n", "GET\r\n",
    };
    char stream[sizeof(mixed) + 64];
    size_t i;

    check_split_invariance(mixed, sizeof(mixed) - 1, 1, def);
    ASSERT_LOG(&run_a, mixed_log);
    /* The same stream ending in each error (or partial command), authenticated or not, and
     * with a bulk limit that the 12-byte payload exceeds. */
    for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        size_t len = sizeof(mixed) - 1 + strlen(tails[i]);

        memcpy(stream, mixed, sizeof(mixed) - 1);
        memcpy(stream + sizeof(mixed) - 1, tails[i], strlen(tails[i]));
        check_split_invariance(stream, len, 1, def);
        check_split_invariance(stream, len, 0, def);
        check_split_invariance(stream, len, 1, 11);
    }
}

static void
test_limit_bulk_len(void **state)
{
    struct resp_parser p;
    size_t consumed;
    struct run *r;

    /* Default proto-max-bulk-len: exactly at it is accepted (and waits for the payload). */
    r = PARSE("*1\r\n$536870912\r\n");
    assert_int_equal(r->status, RESP_INCOMPLETE);
    ASSERT_ERROR("*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length");
    /* A configured limit, both edges. */
    resp_parser_init(&p);
    p.max_bulk_len = 4;
    assert_int_equal(resp_parse(&p, "*1\r\n$4\r\nPING\r\n", 14, &consumed), RESP_OK);
    assert_int_equal(resp_parse(&p, "*1\r\n$5\r\nPINGS\r\n", 15, &consumed), RESP_ERR);
    assert_string_equal(p.errstr, "ERR Protocol error: invalid bulk length");
    resp_parser_deinit(&p);
    /* 16 KiB unauthenticated: at and one over are in test_err_unauthenticated. */
}

static void
test_limit_multibulk(void **state)
{
    struct resp_parser p;
    size_t consumed;
    size_t before = zmalloc_used_memory();
    const char big[] = "*2147483647\r\n$1\r\na\r\n$1\r\nb\r\n";

    /* INT_MAX is accepted, and costs nothing until arguments arrive. */
    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, big, sizeof(big) - 1, &consumed), RESP_INCOMPLETE);
    assert_int_equal(consumed, 0);
    assert_true(zmalloc_used_memory() - before < 1024);
    assert_true(p.argv_cap <= 8);
    resp_parser_deinit(&p);
    ASSERT_ERROR("*2147483648\r\n", "ERR Protocol error: invalid multibulk length");
    /* A configured limit, both edges. */
    resp_parser_init(&p);
    p.max_multibulk = 2;
    assert_int_equal(resp_parse(&p, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", 18, &consumed), RESP_OK);
    assert_int_equal(resp_parse(&p, "*3\r\n", 4, &consumed), RESP_ERR);
    assert_string_equal(p.errstr, "ERR Protocol error: invalid multibulk length");
    resp_parser_deinit(&p);
}

static void
test_limit_inline(void **state)
{
    const char *inl = "ERR Protocol error: too big inline request";
    struct resp_parser p;
    size_t consumed;

    /* 65536 bytes before the LF: accepted; 65537: too big. Same with CRLF, whose CR counts. */
    assert_int_equal(FILLED("", 'A', 65536, "\n")->ncmds, 1);
    assert_int_equal(run_a.status, RESP_INCOMPLETE);
    assert_run_error(FILLED("", 'A', 65537, "\n"), inl);
    assert_int_equal(FILLED("", 'A', 65535, "\r\n")->ncmds, 1);
    assert_run_error(FILLED("", 'A', 65536, "\r\n"), inl);
    /* Without any LF: 65536 buffered bytes wait (65537 fail, as above). */
    assert_int_equal(FILLED("", 'A', 65536, "")->status, RESP_INCOMPLETE);
    /* Header lines: 65536 bytes before the CR is no longer "too big" (just not a number). */
    assert_run_error(FILLED("*", '1', 65535, "\r\n"),
                     "ERR Protocol error: invalid multibulk length");
    assert_run_error(FILLED("*", '1', 65536, "\r\n"),
                     "ERR Protocol error: too big mbulk count string");
    assert_run_error(FILLED("*1\r\n$", '1', 65535, "\r\n"),
                     "ERR Protocol error: invalid bulk length");
    assert_run_error(FILLED("*1\r\n$", '1', 65536, "\r\n"),
                     "ERR Protocol error: too big bulk count string");
    /* The limit is configurable. */
    resp_parser_init(&p);
    p.max_inline = 4;
    assert_int_equal(resp_parse(&p, "PING\n", 5, &consumed), RESP_OK);
    assert_int_equal(resp_parse(&p, "PINGS", 5, &consumed), RESP_ERR);
    assert_string_equal(p.errstr, inl);
    resp_parser_deinit(&p);
}

static void
test_want(void **state)
{
    struct resp_parser p;
    size_t consumed;
    const char in[] = "\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\nabc";

    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, in, sizeof(in) - 1, &consumed), RESP_INCOMPLETE);
    assert_int_equal(consumed, 2);
    /* Counted from the start of the command (after the dropped "\r\n"): header, payload, CRLF. */
    assert_int_equal(resp_parse_want(&p), 29 + 100000 + 2);
    /* A caller that passes fewer bytes than were parsed gets nothing read past its end. */
    assert_int_equal(resp_parse(&p, in + 2, 10, &consumed), RESP_INCOMPLETE);
    assert_int_equal(consumed, 0);
    /* Still waiting for a header: unknown. */
    resp_parser_reset(&p);
    assert_int_equal(resp_parse(&p, "*3\r\n$3", 6, &consumed), RESP_INCOMPLETE);
    assert_int_equal(resp_parse_want(&p), 0);
    resp_parser_deinit(&p);
}

/* The server's use of want: reserve the announced bulk once, then the payload is read into
 * place - the query buffer never moves, so the bulk is never copied again. */
static void
test_want_single_copy(void **state)
{
    enum { LEN = 1 << 20 };
    static const char hdr[] = "*2\r\n$4\r\nECHO\r\n$1048576\r\n";
    static char payload[LEN + 2];
    struct buf q = BUF_INIT;
    struct resp_parser p;
    size_t consumed, fed = 0;
    const char *data;

    memset(payload, 'p', LEN);
    memcpy(payload + LEN, "\r\n", 2);
    resp_parser_init(&p);
    buf_append(&q, hdr, sizeof(hdr) - 1);
    assert_int_equal(resp_parse(&p, q.data, q.len, &consumed), RESP_INCOMPLETE);
    assert_int_equal(resp_parse_want(&p), sizeof(hdr) - 1 + LEN + 2);
    assert_int_equal(buf_reserve_exact(&q, resp_parse_want(&p) - q.len), 0);
    data = q.data;
    while (fed < sizeof(payload)) {
        size_t n = sizeof(payload) - fed < 16384 ? sizeof(payload) - fed : 16384;

        buf_append(&q, payload + fed, n);
        fed += n;
        assert_ptr_equal(q.data, data);
        if (fed < sizeof(payload))
            assert_int_equal(resp_parse(&p, q.data, q.len, &consumed), RESP_INCOMPLETE);
    }
    assert_int_equal(resp_parse(&p, q.data, q.len, &consumed), RESP_OK);
    assert_ptr_equal(p.argv[1].ptr, data + sizeof(hdr) - 1);
    assert_int_equal(p.argv[1].len, LEN);
    resp_parser_deinit(&p);
    buf_free(&q);
}

static void
test_many_args_and_memory(void **state)
{
    enum { N = 5000 };
    struct buf in = BUF_INIT;
    struct resp_parser p;
    size_t consumed, before;
    int i;

    buf_printf(&in, "*%d\r\n", N);
    for (i = 0; i < N; i++)
        buf_printf(&in, "$%d\r\n%d\r\n", i < 10 ? 1 : i < 100 ? 2 : i < 1000 ? 3 : 4, i);
    buf_append(&in, "PING\r\n", 6);
    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, in.data, in.len, &consumed), RESP_OK);
    assert_int_equal(p.argc, N);
    for (i = 0; i < N; i += 997) {
        char num[16];
        size_t n = (size_t)snprintf(num, sizeof(num), "%d", i);

        assert_int_equal(p.argv[i].len, n);
        assert_memory_equal(p.argv[i].ptr, num, n);
    }
    /* The next command drops the outsized argv. */
    before = resp_parser_memory(&p);
    assert_true(before >= N * sizeof(struct resp_arg));
    assert_int_equal(resp_parse(&p, in.data + consumed, in.len - consumed, &consumed), RESP_OK);
    assert_true(resp_parser_memory(&p) < 4096);
    resp_parser_deinit(&p);
    assert_int_equal(resp_parser_memory(&p), 0);
    buf_free(&in);
}

static void
test_inline_scratch_released(void **state)
{
    size_t len, consumed;
    char *s = filled("ECHO ", 5, 'x', 60000, "\n", &len);
    struct resp_parser p;

    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, s, len, &consumed), RESP_OK);
    assert_int_equal(p.argv[1].len, 60000);
    assert_true(resp_parser_memory(&p) >= 60000);
    assert_int_equal(resp_parse(&p, "PING\n", 5, &consumed), RESP_OK);
    assert_true(resp_parser_memory(&p) < 8192);
    resp_parser_deinit(&p);
    zfree(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_multibulk_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_quotes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_unbalanced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignored_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_multibulk_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_bulk_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_expected_dollar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_too_big, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_unauthenticated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_is_sticky, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redis_leniency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_every_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_bulk_len, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_multibulk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_inline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_want, setup, teardown),
        cmocka_unit_test_setup_teardown(test_want_single_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_args_and_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_scratch_released, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
