/* cmd_lcs.c — LCS: the longest common subsequence of two strings (LEN, IDX, MINMATCHLEN,
 * WITHMATCHLEN), by the classic dynamic-programming table. The table is transient memory of
 * (len(a) + 1) * (len(b) + 1) 4-byte cells; like Redis 7.0 it is refused above
 * proto-max-bulk-len. Replies, the order of the IDX ranges (from the end of the strings) and
 * error texts are Redis 7.0.15's. */
#include <stdint.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "zmalloc.h"

/* The string at argv[i] into *s and *len (an int printed into ibuf; a missing key is ""); -1 when
 * the key holds another type. */
static int
lcs_arg(struct client *c, int i, char *ibuf, const char **s, size_t *len)
{
    struct kv *e = db_lookup_read(CDB(c), ARGP(c, i), ARGL(c, i));
    *s = "";
    *len = 0;
    if (e == NULL)
        return 0;
    if (kv_type(e) != OBJ_STRING)
        return -1;
    *s = kv_str(e, len, ibuf);
    return 0;
}

/* One IDX match: the ranges in a and b and, with WITHMATCHLEN, its length. */
static void
reply_lcs_match(struct client *c, uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1, int withlen)
{
    reply_array(c, 2 + withlen);
    reply_array(c, 2);
    reply_int(c, a0);
    reply_int(c, a1);
    reply_array(c, 2);
    reply_int(c, b0);
    reply_int(c, b1);
    if (withlen)
        reply_int(c, (long long)(a1 - a0 + 1));
}

static void
cmd_lcs(struct client *c)
{
    char ibufa[24], ibufb[24];
    const char *a, *b;
    size_t alen, blen;
    if (lcs_arg(c, 1, ibufa, &a, &alen) < 0 || lcs_arg(c, 2, ibufb, &b, &blen) < 0) {
        reply_error(c, "ERR The specified keys must contain string values");
        return;
    }
    int getlen = 0, getidx = 0, withlen = 0;
    long long minlen = 0;
    for (int j = 3; j < c->argc; j++) {
        if (arg_is(c, j, "idx")) {
            getidx = 1;
        } else if (arg_is(c, j, "len")) {
            getlen = 1;
        } else if (arg_is(c, j, "withmatchlen")) {
            withlen = 1;
        } else if (arg_is(c, j, "minmatchlen") && j + 1 < c->argc) {
            if (arg_ll(c, ++j, &minlen) < 0) {
                reply_error_notint(c);
                return;
            }
            if (minlen < 0)
                minlen = 0;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    if (getidx && getlen) {
        reply_error(c, "ERR If you want both the length and indexes, please just use IDX.");
        return;
    }
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
        reply_error(c, "ERR String too long for LCS");
        return;
    }
    unsigned long long cells = (unsigned long long)(alen + 1) * (blen + 1);
    if (cells * sizeof(uint32_t) > (unsigned long long)config_get()->proto_max_bulk_len) {
        reply_error(c, "ERR Insufficient memory, transient memory for LCS exceeds "
                       "proto-max-bulk-len");
        return;
    }
    uint32_t *t = ztrymalloc((size_t)cells * sizeof(uint32_t));
    char *res = NULL;
    if (t == NULL) {
        reply_error(c, "ERR Insufficient memory, failed allocating transient memory for LCS");
        return;
    }
    size_t w = blen + 1;
    /* t[i * w + j]: LCS length of a[0..i) and b[0..j). */
    for (size_t i = 0; i <= alen; i++) {
        for (size_t j = 0; j <= blen; j++) {
            if (i == 0 || j == 0)
                t[i * w + j] = 0;
            else if (a[i - 1] == b[j - 1])
                t[i * w + j] = t[(i - 1) * w + j - 1] + 1;
            else if (t[(i - 1) * w + j] > t[i * w + j - 1])
                t[i * w + j] = t[(i - 1) * w + j];
            else
                t[i * w + j] = t[i * w + j - 1];
        }
    }
    uint32_t total = t[alen * w + blen];
    if (getlen) {
        reply_int(c, total);
        goto done;
    }
    if (!getidx && (res = ztrymalloc(total ? total : 1)) == NULL) {
        reply_error(c, ERR_ALLOC);
        goto done;
    }
    size_t at = 0;
    long long nmatches = 0;
    if (getidx) {
        reply_map(c, 2);
        reply_bulk_cstr(c, "matches");
        at = reply_deferred(c);
    }
    /* Walk back from the end: matched characters extend the current range backwards; the
     * range is emitted when the walk leaves it or reaches the start of either string. */
    size_t i = alen, j = blen, k = total;
    int inrange = 0;
    uint32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
    while (i > 0 && j > 0) {
        int emit = 0;
        if (a[i - 1] == b[j - 1]) {
            if (res)
                res[--k] = a[i - 1];
            if (!inrange) {
                inrange = 1;
                a0 = a1 = (uint32_t)(i - 1);
                b0 = b1 = (uint32_t)(j - 1);
            } else {
                a0--;
                b0--;
            }
            emit = a0 == 0 || b0 == 0;
            i--;
            j--;
        } else {
            if (t[(i - 1) * w + j] > t[i * w + j - 1])
                i--;
            else
                j--;
            emit = inrange;
        }
        if (emit) {
            if (getidx && (minlen == 0 || (long long)(a1 - a0 + 1) >= minlen)) {
                reply_lcs_match(c, a0, a1, b0, b1, withlen);
                nmatches++;
            }
            inrange = 0;
        }
    }
    if (getidx) {
        reply_bulk_cstr(c, "len");
        reply_int(c, total);
        reply_set_deferred(c, at, '*', nmatches);
    } else {
        reply_bulk(c, res, total);
    }
done:
    zfree(res);
    zfree(t);
}

const struct command cmd_lcs_table[] = {
    COMMAND("lcs", cmd_lcs, -3, CMD_READONLY, .keys = {1, 2, 1},
            .summary = "Longest common subsequence of two strings", .group = "string"),
    COMMAND_END,
};
