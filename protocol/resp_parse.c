/* resp_parse — incremental RESP request parser: multibulk and inline requests, Redis 7.0
 * framing, limits and error texts, as a pure library over (const char *, size_t).
 *
 * The parser keeps offsets, never pointers, into the caller's input, so the caller may move
 * or grow its buffer between calls; argv pointers are made only when a command is complete. */
#include "resp_parse.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "zmalloc.h"

/* Parse states: between commands, then one per element being read. */
enum {
    RESP_ST_START = 0, /* no byte of the next command seen yet */
    RESP_ST_INLINE,    /* an inline line: looking for '\n' */
    RESP_ST_MB_COUNT,  /* the "*<count>" line: looking for '\r' */
    RESP_ST_BULK_HDR,  /* a "$<len>" line: looking for '\r' */
    RESP_ST_BULK_DATA, /* a bulk payload and the two bytes after it */
};

/* A finished request that produced no command ("*0", "*-1", an empty or blank inline line). */
#define RESP_IGNORED 2

/* First argv allocation; it doubles as arguments arrive, never sized from the '*' count. */
#define RESP_ARGV_INIT 8
/* Between commands, argv and scratch above these sizes are freed, so that one huge request
 * does not pin memory in an idle client for its whole life. */
#define RESP_ARGV_KEEP    64
#define RESP_SCRATCH_KEEP 4096
/* string2ll refuses numbers of 21 characters or more (sign included). */
#define RESP_LL_MAXLEN 20

void
resp_parser_init(struct resp_parser *p)
{
    memset(p, 0, sizeof(*p));
    p->max_bulk_len = RESP_MAX_BULK_LEN_DEFAULT;
    p->max_multibulk = RESP_MAX_MULTIBULK_DEFAULT;
    p->max_inline = RESP_MAX_INLINE;
    p->authenticated = 1;
    p->bulk_len = -1;
}

static void
resp_free_argv(struct resp_parser *p)
{
    zfree(p->argv);
    zfree(p->argofs);
    p->argv = NULL;
    p->argofs = NULL;
    p->argv_cap = 0;
    p->argc = 0;
}

static void
resp_free_scratch(struct resp_parser *p)
{
    zfree(p->scratch);
    p->scratch = NULL;
    p->scratch_cap = 0;
}

void
resp_parser_deinit(struct resp_parser *p)
{
    resp_free_argv(p);
    resp_free_scratch(p);
    resp_parser_reset(p);
}

/* Back to "between commands", keeping the limits and the (small) allocations. */
static void
resp_clear_state(struct resp_parser *p)
{
    p->state = RESP_ST_START;
    p->mb_left = 0;
    p->bulk_len = -1;
    p->off = 0;
    p->scan = 0;
    p->want = 0;
    p->nargs = 0;
}

void
resp_parser_reset(struct resp_parser *p)
{
    resp_clear_state(p);
    p->failed = 0;
    p->argc = 0;
    p->inline_cmd = 0;
    p->errstr[0] = '\0';
    if (p->argv_cap > RESP_ARGV_KEEP)
        resp_free_argv(p);
    if (p->scratch_cap > RESP_SCRATCH_KEEP)
        resp_free_scratch(p);
}

size_t
resp_parse_want(const struct resp_parser *p)
{
    return p->want;
}

size_t
resp_parser_memory(const struct resp_parser *p)
{
    size_t n = 0;

    if (p->argv != NULL)
        n += zmalloc_size(p->argv);
    if (p->argofs != NULL)
        n += zmalloc_size(p->argofs);
    if (p->scratch != NULL)
        n += zmalloc_size(p->scratch);
    return n;
}

/* Enter the sticky error state with Redis's text. */
static int
resp_fail(struct resp_parser *p, const char *text)
{
    snprintf(p->errstr, sizeof(p->errstr), "ERR Protocol error: %s", text);
    p->failed = RESP_ERR;
    return RESP_ERR;
}

static int
resp_fail_nomem(struct resp_parser *p)
{
    p->errstr[0] = '\0';
    p->failed = RESP_ENOMEM;
    return RESP_ENOMEM;
}

/* Redis's string2ll rules: optional '-', no '+', no spaces, no leading zero (but "0"), at most
 * 20 characters, no overflow. Returns 1 and sets *v, or 0. */
static int
resp_str2ll(const char *s, size_t len, long long *v)
{
    unsigned long long u = 0;
    size_t i = 0;
    int neg = 0;

    if (len == 0 || len > RESP_LL_MAXLEN)
        return 0;
    if (len == 1 && s[0] == '0') {
        *v = 0;
        return 1;
    }
    if (s[0] == '-') {
        neg = 1;
        i = 1;
    }
    /* "-0", "-" and leading zeros all fail here. */
    if (i == len || s[i] < '1' || s[i] > '9')
        return 0;
    for (; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';

        if (d > 9 || u > (ULLONG_MAX - d) / 10)
            return 0;
        u = u * 10 + d;
    }
    if (neg) {
        if (u > (unsigned long long)LLONG_MAX + 1)
            return 0;
        *v = u == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)u;
    } else {
        if (u > (unsigned long long)LLONG_MAX)
            return 0;
        *v = (long long)u;
    }
    return 1;
}

/* Find the terminator c of the line that starts at p->off, resuming the search at p->scan so
 * that a line arriving a byte at a time is scanned once. Only max_inline + 1 bytes of the line
 * are ever searched. Returns RESP_OK with *at set, RESP_INCOMPLETE, or RESP_ERR with toobig. */
static int
resp_find_line_end(struct resp_parser *p, const char *s, size_t n, char c, size_t *at,
                   const char *toobig)
{
    size_t win = n;
    const char *hit = NULL;

    if (p->max_inline < n - p->off)
        win = p->off + p->max_inline + 1;
    if (p->scan < p->off)
        p->scan = p->off;
    if (p->scan < win)
        hit = memchr(s + p->scan, c, win - p->scan);
    if (hit == NULL) {
        p->scan = win;
        /* Like Redis: more than max_inline bytes buffered and no terminator among them. */
        if (n - p->off > p->max_inline)
            return resp_fail(p, toobig);
        return RESP_INCOMPLETE;
    }
    p->scan = (size_t)(hit - s);
    *at = p->scan;
    return RESP_OK;
}

/* Make room for one more argument. The announced count caps the growth but never sizes it:
 * "*2147483647" costs RESP_ARGV_INIT entries until arguments actually arrive. */
static int
resp_argv_grow(struct resp_parser *p, long long announced)
{
    long long cap = p->argv_cap ? (long long)p->argv_cap * 2 : RESP_ARGV_INIT;
    struct resp_arg *argv;
    size_t *argofs;

    if (announced > 0 && cap > announced)
        cap = announced;
    if (cap > INT_MAX)
        cap = INT_MAX;
    if (cap <= p->argv_cap)
        return resp_fail_nomem(p);
    argv = ztryrealloc(p->argv, (size_t)cap * sizeof(*argv));
    if (argv == NULL)
        return resp_fail_nomem(p);
    p->argv = argv;
    argofs = ztryrealloc(p->argofs, (size_t)cap * sizeof(*argofs));
    if (argofs == NULL)
        return resp_fail_nomem(p);
    p->argofs = argofs;
    p->argv_cap = (int)cap;
    return RESP_OK;
}

/* ---- Multibulk: *<count>\r\n then <count> times $<len>\r\n<payload>\r\n ---- */

/* Find the '\r' of a '*' or '$' line. Redis wants one byte after it and skips that byte
 * unchecked; so do we. */
static int
resp_header_line(struct resp_parser *p, const char *s, size_t n, size_t *cr, const char *toobig)
{
    int rc = resp_find_line_end(p, s, n, '\r', cr, toobig);

    if (rc == RESP_OK && *cr + 1 >= n)
        return RESP_INCOMPLETE;
    return rc;
}

/* Parse the "*<count>" line. */
static int
resp_mb_count(struct resp_parser *p, const char *s, size_t n, size_t *used)
{
    size_t cr;
    long long count;
    int rc;

    rc = resp_header_line(p, s, n, &cr, "too big mbulk count string");
    if (rc != RESP_OK)
        return rc;
    if (!resp_str2ll(s + 1, cr - 1, &count) || count > p->max_multibulk || count > INT_MAX)
        return resp_fail(p, "invalid multibulk length");
    if (count > RESP_UNAUTH_MAX_MULTIBULK && !p->authenticated)
        return resp_fail(p, "unauthenticated multibulk length");
    if (count <= 0) {
        *used = cr + 2;
        return RESP_IGNORED;
    }
    p->mb_left = count;
    p->off = cr + 2;
    p->scan = p->off;
    p->state = RESP_ST_BULK_HDR;
    return RESP_OK;
}

/* Parse a "$<len>" line starting at p->off. */
static int
resp_bulk_header(struct resp_parser *p, const char *s, size_t n)
{
    size_t cr;
    long long len;
    int rc;

    rc = resp_header_line(p, s, n, &cr, "too big bulk count string");
    if (rc != RESP_OK)
        return rc;
    if (s[p->off] != '$') {
        char got = s[p->off];
        char text[40];

        /* Redis maps CR and LF in error text to spaces; NUL would cut our C string short. */
        if (got == '\r' || got == '\n' || got == '\0')
            got = ' ';
        snprintf(text, sizeof(text), "expected '$', got '%c'", got);
        return resp_fail(p, text);
    }
    if (!resp_str2ll(s + p->off + 1, cr - p->off - 1, &len) || len < 0 || len > p->max_bulk_len)
        return resp_fail(p, "invalid bulk length");
    if (len > RESP_UNAUTH_MAX_BULK && !p->authenticated)
        return resp_fail(p, "unauthenticated bulk length");
    p->bulk_len = len;
    p->off = cr + 2;
    p->state = RESP_ST_BULK_DATA;
    return RESP_OK;
}

static int
resp_multibulk(struct resp_parser *p, const char *s, size_t n, size_t *used)
{
    int rc;

    if (p->state == RESP_ST_MB_COUNT) {
        rc = resp_mb_count(p, s, n, used);
        if (rc != RESP_OK)
            return rc;
    }
    while (p->mb_left > 0) {
        if (p->state == RESP_ST_BULK_HDR) {
            rc = resp_bulk_header(p, s, n);
            if (rc != RESP_OK)
                return rc;
        }
        /* The payload and the two bytes after it, which Redis skips without checking. */
        if (n - p->off < (size_t)p->bulk_len + 2) {
            p->want = p->off + (size_t)p->bulk_len + 2;
            return RESP_INCOMPLETE;
        }
        if (p->nargs == p->argv_cap && resp_argv_grow(p, p->nargs + p->mb_left) != RESP_OK)
            return RESP_ENOMEM;
        p->argofs[p->nargs] = p->off;
        p->argv[p->nargs].len = (size_t)p->bulk_len;
        p->nargs++;
        p->off += (size_t)p->bulk_len + 2;
        p->scan = p->off;
        p->bulk_len = -1;
        p->mb_left--;
        p->state = RESP_ST_BULK_HDR;
    }
    *used = p->off;
    return RESP_OK;
}

/* ---- Inline: one line, split like Redis's sdssplitargs ---- */

/* isspace() in the C locale. */
static int
resp_isspace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int
resp_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The byte a backslash escape stands for inside double quotes; unknown escapes are the
 * escaped byte itself. */
static char
resp_unescape(char c)
{
    switch (c) {
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'b':
        return '\b';
    case 'a':
        return '\a';
    default:
        return c;
    }
}

/* One quoted or unquoted token from *q into out. Returns the bytes written, or -1 for
 * unbalanced quotes. Quotes may open mid-token (a"b c" is one token, ab c); a closing quote
 * must be followed by a blank or the end of the line. */
static long
resp_token(const char **q, const char *end, char *out)
{
    const char *s = *q;
    char *o = out;
    int inq = 0, insq = 0;

    for (;;) {
        if (inq) {
            if (s == end)
                return -1;
            if (*s == '\\' && end - s >= 4 && s[1] == 'x' && resp_hexval(s[2]) >= 0 &&
                resp_hexval(s[3]) >= 0) {
                *o++ = (char)(resp_hexval(s[2]) * 16 + resp_hexval(s[3]));
                s += 4;
            } else if (*s == '\\' && end - s >= 2) {
                *o++ = resp_unescape(s[1]);
                s += 2;
            } else if (*s == '"') {
                if (s + 1 < end && !resp_isspace(s[1]))
                    return -1;
                s++;
                break;
            } else {
                *o++ = *s++;
            }
        } else if (insq) {
            if (s == end)
                return -1;
            if (*s == '\\' && end - s >= 2 && s[1] == '\'') {
                *o++ = '\'';
                s += 2;
            } else if (*s == '\'') {
                if (s + 1 < end && !resp_isspace(s[1]))
                    return -1;
                s++;
                break;
            } else {
                *o++ = *s++;
            }
        } else {
            /* Only these four end a bare token; \v and \f are skipped between tokens but
             * kept inside one, as sdssplitargs does. */
            if (s == end)
                break;
            if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
                s++;
                break;
            }
            if (*s == '"')
                inq = 1;
            else if (*s == '\'')
                insq = 1;
            else
                *o++ = *s;
            s++;
        }
    }
    *q = s;
    return o - out;
}

/* Split line[0..len) into argv over the scratch buffer. */
static int
resp_split_inline(struct resp_parser *p, const char *line, size_t len)
{
    const char *q = line, *end = line + len;
    char *out;

    /* Unquoting never lengthens the text, so one scratch of the line's size holds it all. */
    if (p->scratch_cap < len) {
        resp_free_scratch(p);
        p->scratch = ztrymalloc(len);
        if (p->scratch == NULL)
            return resp_fail_nomem(p);
        p->scratch_cap = zmalloc_usable_size(p->scratch);
    }
    out = p->scratch;
    for (;;) {
        long tlen;

        while (q < end && resp_isspace(*q))
            q++;
        if (q == end)
            return RESP_OK;
        tlen = resp_token(&q, end, out);
        if (tlen < 0)
            return resp_fail(p, "unbalanced quotes in request");
        if (p->nargs == p->argv_cap && resp_argv_grow(p, 0) != RESP_OK)
            return RESP_ENOMEM;
        p->argv[p->nargs].ptr = out;
        p->argv[p->nargs].len = (size_t)tlen;
        p->nargs++;
        out += tlen;
    }
}

static int
resp_inline(struct resp_parser *p, const char *s, size_t n, size_t *used)
{
    size_t nl, linelen;
    int rc;

    rc = resp_find_line_end(p, s, n, '\n', &nl, "too big inline request");
    if (rc != RESP_OK)
        return rc;
    linelen = nl;
    if (linelen > 0 && s[linelen - 1] == '\r')
        linelen--;
    rc = resp_split_inline(p, s, linelen);
    if (rc != RESP_OK)
        return rc;
    *used = nl + 1;
    return p->nargs == 0 ? RESP_IGNORED : RESP_OK;
}

/* ---- Entry point ---- */

int
resp_parse(struct resp_parser *p, const char *buf, size_t len, size_t *consumed)
{
    size_t base = 0, used = 0;
    int rc;

    *consumed = 0;
    if (p->failed)
        return p->failed;
    if (p->state == RESP_ST_START) {
        /* The previous command's argv is no longer valid: drop outsized leftovers now, so that
         * an idle client does not keep them. */
        if (p->argv_cap > RESP_ARGV_KEEP)
            resp_free_argv(p);
        if (p->scratch_cap > RESP_SCRATCH_KEEP)
            resp_free_scratch(p);
    }
    /* Nothing new to look at (and buf may be NULL): keep the state and the want hint. Fewer
     * bytes than already parsed breaks the contract (the partial command must be passed
     * again); refuse to look rather than read past the end. */
    if (len == 0 || len < p->off)
        return RESP_INCOMPLETE;
    p->want = 0;
    for (;;) {
        const char *s = buf + base;
        size_t n = len - base;

        if (p->state == RESP_ST_START) {
            if (n == 0) {
                rc = RESP_INCOMPLETE;
                break;
            }
            /* Redis's rule: '*' starts a multibulk request, any other byte an inline one. */
            p->inline_cmd = s[0] != RESP_ARRAY;
            p->state = p->inline_cmd ? RESP_ST_INLINE : RESP_ST_MB_COUNT;
        }
        rc = p->inline_cmd ? resp_inline(p, s, n, &used) : resp_multibulk(p, s, n, &used);
        if (rc != RESP_IGNORED)
            break;
        base += used;
        resp_clear_state(p);
    }
    if (rc == RESP_INCOMPLETE) {
        *consumed = base;
        return rc;
    }
    if (rc != RESP_OK)
        return rc;
    if (!p->inline_cmd) {
        const char *s = buf + base;
        int i;

        for (i = 0; i < p->nargs; i++)
            p->argv[i].ptr = s + p->argofs[i];
    }
    p->argc = p->nargs;
    *consumed = base + used;
    resp_clear_state(p);
    return RESP_OK;
}
