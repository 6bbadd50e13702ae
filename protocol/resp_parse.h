/* resp_parse — an incremental RESP request parser (multibulk and inline), pure library:
 * bytes in, argument slices out. No sockets, no event loop; allocates only through zmalloc.
 *
 * Usage: keep the unconsumed input in one contiguous buffer; call resp_parse() on it; drop the
 * *consumed bytes it reports; append more input on RESP_INCOMPLETE and call again with the whole
 * unconsumed rest (it may have moved). The parser remembers how far it got, so a command split
 * over many reads is scanned once, not once per read. */
#ifndef ZMEM_PROTOCOL_RESP_PARSE_H
#define ZMEM_PROTOCOL_RESP_PARSE_H

#include <stddef.h>

#include "resp.h"

/* One argument. For multibulk it points into the caller's buffer (zero copy); for inline
 * requests it points into the parser's scratch. Valid until the next resp_parse() call or
 * until the caller changes the buffer. */
struct resp_arg {
    const char *ptr;
    size_t len;
};

struct resp_parser {
    /* Limits: set after resp_parser_init(), before parsing. */
    long long max_bulk_len;  /* proto-max-bulk-len */
    long long max_multibulk; /* largest accepted '*' count (at most INT_MAX) */
    size_t max_inline;       /* longest line: bytes before an inline line's '\n' (a CR there
                              * counts, as in Redis) or before a '*'/'$' line's '\r' */
    int authenticated;       /* 0: the unauthenticated caps apply (10 args, 16 KiB bulks); the
                              * owner may set it between commands, e.g. after AUTH */

    /* Result of the last RESP_OK. */
    struct resp_arg *argv;
    int argc;
    int inline_cmd; /* 1 when the command came as an inline line */

    /* Result of RESP_ERR: Redis's exact text, without the leading '-' and CRLF. */
    char errstr[128];

    /* Private parse state. Offsets count from the start of the current command, which is the
     * start of the unconsumed input the caller passes in. */
    int state;
    int failed;         /* 0, or the sticky RESP_ERR / RESP_ENOMEM */
    long long mb_left;  /* bulks still expected in the current multibulk */
    long long bulk_len; /* length of the bulk being read, -1 when reading a header */
    size_t off;         /* start of the line or bulk payload being read */
    size_t scan;        /* where the search for the line terminator resumes */
    size_t want;        /* bytes the current command needs at least (a hint) */
    int nargs;          /* arguments of the current command recorded so far */
    int argv_cap;       /* entries in argv and argofs */
    size_t *argofs;     /* offsets of multibulk arguments until the command is complete */
    char *scratch;      /* inline arguments after unquoting */
    size_t scratch_cap;
};

/* Set defaults (Redis 7.0 limits, authenticated) and empty state. Never allocates. */
void resp_parser_init(struct resp_parser *p);
/* Free what the parser allocated; it may be re-initialised afterwards. */
void resp_parser_deinit(struct resp_parser *p);
/* Forget any partial command and error (for reuse on a new connection); keeps the limits. */
void resp_parser_reset(struct resp_parser *p);

/* Parse the next command from buf[0..len), which must be the whole unconsumed input.
 * - RESP_OK: p->argv[0..argc) is one command (argc >= 1). *consumed is the number of bytes it
 *   took, plus any ignorable bytes before it (empty inline lines, "*0", "*-1").
 * - RESP_INCOMPLETE: need more bytes. *consumed counts ignorable bytes that may be dropped now;
 *   the partial command after them must be passed again (resp_parse_want() may say how much).
 * - RESP_ERR: protocol error, text in p->errstr; *consumed is 0. The parser stays in error:
 *   every later call returns RESP_ERR. The caller replies "-<errstr>\r\n" and closes the
 *   connection (commands returned before the error are still executed, as in Redis).
 * - RESP_ENOMEM: an allocation failed (ztry*); sticky like RESP_ERR, errstr is empty; the
 *   connection should be dropped.
 * Sizes sent by the client are checked against the limits before anything is allocated; argv
 * grows as arguments arrive, never from the announced count.
 * Framing follows Redis 7.0: '*' first means multibulk, anything else an inline line ending in
 * "\n" or "\r\n"; the byte after a header's '\r' and the two bytes after a bulk payload are
 * skipped unchecked. Deliberate differences: lines are searched with memchr, so a NUL is an
 * ordinary byte (Redis's strchr stops at it and waits for 64 KiB); in "expected '$', got 'c'"
 * a CR, LF or NUL byte is shown as a space; a line longer than max_inline is refused however
 * it arrives (Redis checks only while the terminator is missing, so its verdict on a longer
 * line depends on its read sizes - ours is what Redis says when fed a byte at a time). */
int resp_parse(struct resp_parser *p, const char *buf, size_t len, size_t *consumed);

/* After RESP_INCOMPLETE: how many bytes, counted from the start of the unconsumed input (after
 * dropping *consumed), the current command needs at the least: known once a bulk header is
 * read, it covers the whole announced bulk and its CRLF. 0 when unknown. With it a server sizes
 * its query buffer once (buf_compact, then buf_reserve_exact(q, want - unconsumed)) instead of
 * growing it step by step, so a large bulk is copied only by the read into its place. The
 * figure is the client's announcement, checked against max_bulk_len but not yet backed by
 * bytes: a server may cap what it reserves ahead, or a slow client announcing 512 MiB holds
 * 512 MiB. */
size_t resp_parse_want(const struct resp_parser *p);

/* Bytes the parser holds from the allocator (argv, offsets, inline scratch), for per-client
 * memory figures. Large leftovers of a big command are freed when the next one starts. */
size_t resp_parser_memory(const struct resp_parser *p);

#endif
