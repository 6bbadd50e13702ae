/* fuzz_resp_parse — libFuzzer harness for the request parser.
 *
 * Input: one configuration byte, then the byte stream. The configuration picks the limits
 * (unauthenticated caps, tiny proto-max-bulk-len, tiny line limit, tiny multibulk count), so
 * every error path is reachable with short inputs. The stream is parsed three ways: in one
 * piece, in pseudo-random chunks derived from the input's hash, and a byte at a time; all three
 * must yield the same commands and the same final status. Along the way: consumed <= len,
 * argv slices inside the consumed bytes (or the inline scratch), limits honoured, want() larger
 * than what is buffered, the error state sticky. The commands are then written back with
 * resp_write as arrays of bulks and must parse to the same argv. After every input,
 * zmalloc_used_memory() is back where it started. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "resp_parse.h"
#include "resp_write.h"
#include "zmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not assert(): it must fire in every build, and libFuzzer reports a trap as a crash. */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

/* The harness's own loops and checks are not what is being explored: keep them out of the
 * coverage feedback (and out of the comparison tracing, which dominated the run time). */
#define HARNESS __attribute__((no_sanitize("coverage")))

#define CFG_UNAUTH      0x01
#define CFG_SMALL_BULK  0x02
#define CFG_SMALL_LINE  0x04
#define CFG_SMALL_COUNT 0x08

struct limits {
    long long max_bulk_len;
    long long max_multibulk;
    size_t max_inline;
    int authenticated;
};

struct result {
    struct buf log; /* commands, serialised */
    int status;     /* RESP_INCOMPLETE at the end of input, or the error */
    char errstr[128];
    size_t left; /* unconsumed bytes at the end (only meaningful without error) */
};

HARNESS static void
log_u64(struct buf *b, uint64_t v)
{
    buf_append(b, &v, sizeof(v));
}

/* Serialise one command; with_kind adds whether it was inline. */
HARNESS static void
log_cmd(struct buf *b, const struct resp_parser *p, int with_kind)
{
    int i;

    log_u64(b, (uint64_t)p->argc);
    if (with_kind)
        log_u64(b, (uint64_t)p->inline_cmd);
    for (i = 0; i < p->argc; i++) {
        log_u64(b, p->argv[i].len);
        buf_append(b, p->argv[i].ptr, p->argv[i].len);
    }
}

HARNESS static void
check_command(const struct resp_parser *p, const struct limits *lim, const char *at,
              size_t consumed)
{
    int i;

    CHECK(consumed > 0);
    CHECK(p->argc >= 1 && p->argv != NULL);
    for (i = 0; i < p->argc; i++) {
        const char *a = p->argv[i].ptr;
        size_t n = p->argv[i].len;

        if (p->inline_cmd) {
            /* Unquoting never lengthens: every argument fits in its line. */
            CHECK(n < consumed && n <= lim->max_inline);
            CHECK(a >= p->scratch && a + n <= p->scratch + p->scratch_cap);
        } else {
            CHECK(a >= at && a + n <= at + consumed);
            CHECK((long long)n <= lim->max_bulk_len);
            CHECK(lim->authenticated || n <= RESP_UNAUTH_MAX_BULK);
        }
    }
    if (!p->inline_cmd) {
        CHECK(p->argc <= lim->max_multibulk);
        CHECK(lim->authenticated || p->argc <= RESP_UNAUTH_MAX_MULTIBULK);
    }
}

/* A server loop: append each chunk to a query buffer, parse all it can, drop what was consumed.
 * chunk == 0 feeds everything at once; otherwise sizes come from the xorshift state *rng. */
HARNESS static void
drive(const struct limits *lim, const char *in, size_t len, size_t chunk, uint64_t rng,
      struct result *r)
{
    struct resp_parser p;
    struct buf q = BUF_INIT;
    size_t fed = 0;

    resp_parser_init(&p);
    p.max_bulk_len = lim->max_bulk_len;
    p.max_multibulk = lim->max_multibulk;
    p.max_inline = lim->max_inline;
    p.authenticated = lim->authenticated;
    r->status = RESP_INCOMPLETE;
    r->errstr[0] = '\0';
    for (;;) {
        for (;;) {
            const char *at = q.data ? q.data + q.pos : "";
            size_t avail = q.len - q.pos, consumed = (size_t)-1;
            int rc = resp_parse(&p, at, avail, &consumed);

            CHECK(consumed <= avail);
            if (rc == RESP_OK) {
                check_command(&p, lim, at, consumed);
                log_cmd(&r->log, &p, 1);
                q.pos += consumed;
                continue;
            }
            if (rc == RESP_INCOMPLETE) {
                size_t want = resp_parse_want(&p);

                /* A hint is only ever about bytes not here yet. */
                CHECK(want == 0 || want > avail - consumed);
                q.pos += consumed;
                break;
            }
            CHECK(rc == RESP_ERR && consumed == 0);
            CHECK(strncmp(p.errstr, "ERR Protocol error: ", 20) == 0);
            memcpy(r->errstr, p.errstr, sizeof(r->errstr));
            r->status = rc;
            /* Sticky: whatever comes next, the same error. */
            CHECK(resp_parse(&p, "PING\r\n", 6, &consumed) == RESP_ERR);
            CHECK(consumed == 0 && strcmp(p.errstr, r->errstr) == 0);
            goto done;
        }
        if (fed == len)
            break;
        {
            size_t n = len - fed;

            if (chunk) {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                n = 1 + (size_t)(rng % chunk);
                if (n > len - fed)
                    n = len - fed;
            }
            /* Compacting moves the partial command, as a server's buffer would. */
            buf_compact(&q);
            buf_append(&q, in + fed, n);
            CHECK(!q.oom);
            fed += n;
        }
    }
done:
    r->left = q.len - q.pos;
    resp_parser_deinit(&p);
    buf_free(&q);
}

HARNESS static void
check_same(const struct result *a, const struct result *b)
{
    CHECK(a->log.len == b->log.len);
    CHECK(a->log.len == 0 || memcmp(a->log.data, b->log.data, a->log.len) == 0);
    CHECK(a->status == b->status);
    CHECK(strcmp(a->errstr, b->errstr) == 0);
    CHECK(a->status != RESP_INCOMPLETE || a->left == b->left);
}

/* Every command written back as an array of bulks parses to the same arguments. */
HARNESS static void
check_rewrite(const char *in, size_t len, const struct limits *lim, const struct result *ref)
{
    struct resp_parser p;
    struct buf wire = BUF_INIT, log1 = BUF_INIT, log2 = BUF_INIT;
    size_t off = 0, consumed;
    int rc;

    resp_parser_init(&p);
    p.max_bulk_len = lim->max_bulk_len;
    p.max_multibulk = lim->max_multibulk;
    p.max_inline = lim->max_inline;
    p.authenticated = lim->authenticated;
    while ((rc = resp_parse(&p, in + off, len - off, &consumed)) == RESP_OK) {
        int i;

        off += consumed;
        log_cmd(&log1, &p, 0);
        resp_write_array(&wire, p.argc);
        for (i = 0; i < p.argc; i++)
            resp_write_bulk(&wire, p.argv[i].ptr, p.argv[i].len);
    }
    CHECK(rc == ref->status);
    resp_parser_deinit(&p);

    /* Default limits: every argument accepted above fits them. */
    resp_parser_init(&p);
    off = 0;
    while (off < wire.len) {
        rc = resp_parse(&p, wire.data + off, wire.len - off, &consumed);
        CHECK(rc == RESP_OK && !p.inline_cmd);
        off += consumed;
        log_cmd(&log2, &p, 0);
    }
    CHECK(log1.len == log2.len);
    CHECK(log1.len == 0 || memcmp(log1.data, log2.data, log1.len) == 0);
    resp_parser_deinit(&p);
    buf_free(&wire);
    buf_free(&log1);
    buf_free(&log2);
}

HARNESS int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct result one, split, bytes;
    struct limits lim = {RESP_MAX_BULK_LEN_DEFAULT, RESP_MAX_MULTIBULK_DEFAULT, RESP_MAX_INLINE, 1};
    size_t baseline = zmalloc_used_memory();
    uint64_t h = 1469598103934665603ULL;
    const char *in;
    size_t len, i;
    uint8_t cfg, arg;

    if (size < 1)
        return 0;
    cfg = data[0];
    arg = cfg >> 4;
    in = (const char *)data + 1;
    len = size - 1;
    if (cfg & CFG_UNAUTH)
        lim.authenticated = 0;
    if (cfg & CFG_SMALL_BULK)
        lim.max_bulk_len = arg;
    if (cfg & CFG_SMALL_LINE)
        lim.max_inline = 4 + (size_t)arg * 4;
    if (cfg & CFG_SMALL_COUNT)
        lim.max_multibulk = 1 + arg;
    /* Chunk sizes come from the input itself, so a crash reproduces from its file. */
    for (i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ULL;

    drive(&lim, in, len, 0, 0, &one);
    drive(&lim, in, len, (h & 1) ? 7 : 300, h | 1, &split);
    check_same(&one, &split);
    if (len <= 256) {
        drive(&lim, in, len, 1, 1, &bytes);
        check_same(&one, &bytes);
    }
    check_rewrite(in, len, &lim, &one);
    buf_free(&one.log);
    buf_free(&split.log);
    buf_free(&bytes.log);
    /* Nothing the parser, the writer or the buffers allocated outlives the input. */
    CHECK(zmalloc_used_memory() == baseline);
    return 0;
}
