/* cmd_bitmap.c — strings as bit arrays: SETBIT, GETBIT, BITCOUNT and BITPOS (BYTE|BIT ranges),
 * BITOP (AND, OR, XOR, NOT), BITFIELD and BITFIELD_RO. Bit 0 is the most significant bit of
 * the first byte, as in Redis. Reads see an int or embstr value as its bytes; a bit write
 * turns the value into a raw buffer grown in place with zero bytes (kv_raw_reserve), so a
 * run of SETBITs does not copy the string each time. Argument checks, their order and error
 * texts are Redis 7.0.15's. */
#include <limits.h>
#include <stdint.h>
#include <strings.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "util.h"
#include "zmalloc.h"

#define ERR_BIT_OFFSET "ERR bit offset is not an integer or out of range"
#define ERR_BITFIELD_TYPE                                                                          \
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "    \
    "i64 is."

/* ---- Helpers ---- */

/* Parse the bit offset argv[i]. With `bits` > 0 (BITFIELD) a "#n" offset means n * bits.
 * Offsets whose byte lies beyond proto-max-bulk-len are refused, as Redis does. 0, or -1
 * after the error reply. */
static int
arg_bit_offset(struct client *c, int i, int bits, uint64_t *out)
{
    const char *p = ARGP(c, i);
    size_t len = ARGL(c, i);
    int hash = bits > 0 && len > 0 && p[0] == '#';
    long long off;
    if (str_to_ll(p + hash, len - (size_t)hash, &off) < 0)
        goto err;
    if (hash) {
        if (off > LLONG_MAX / bits || off < LLONG_MIN / bits)
            goto err;
        off *= bits;
    }
    if (off < 0 || (off >> 3) >= config_get()->proto_max_bulk_len)
        goto err;
    *out = (uint64_t)off;
    return 0;
err:
    reply_error(c, ERR_BIT_OFFSET);
    return -1;
}

/* The string at argv[1] made writable up to bit `maxbit`: created (zero bytes) when missing,
 * else turned raw and zero-extended to cover that bit. NULL after the WRONGTYPE or OOM
 * reply. */
static struct str *
bits_for_write(struct client *c, uint64_t maxbit)
{
    struct db *db = CDB(c);
    size_t need = (size_t)(maxbit >> 3) + 1;
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_STRING, 1, &wt);
    struct str *s;
    if (wt)
        return NULL;
    if (e == NULL) {
        s = str_new(NULL, 0, need);
        struct val v = {.enc = ENC_RAW, .ptr = s};
        if (s == NULL || db_add(db, ARGP(c, 1), ARGL(c, 1), &v, -1) == NULL) {
            zfree(s);
            reply_error(c, ERR_ALLOC);
            return NULL;
        }
    } else {
        char ibuf[24];
        size_t len;
        kv_str(e, &len, ibuf);
        if ((s = kv_raw_reserve(db, &e, need > len ? need : len)) == NULL) {
            reply_error(c, ERR_ALLOC);
            return NULL;
        }
    }
    if (s->len < need) {
        memset(s->buf + s->len, 0, need - s->len);
        s->len = need;
    }
    return s;
}

/* The bytes of the string at argv[i] for reading (an int printed into ibuf), or NULL when the
 * key is missing; NULL with *wrongtype after the WRONGTYPE reply. */
static const unsigned char *
bits_for_read(struct client *c, int i, char *ibuf, size_t *len, int *wrongtype)
{
    struct kv *e = arg_lookup_type(c, i, OBJ_STRING, 0, wrongtype);
    if (e == NULL)
        return NULL;
    return (const unsigned char *)kv_str(e, len, ibuf);
}

static inline int
bit_at(const unsigned char *p, uint64_t off)
{
    return (p[off >> 3] >> (7 - (off & 7))) & 1;
}

/* Set bits in [from, to] (inclusive bit offsets) of p. */
static long long
count_bits(const unsigned char *p, uint64_t from, uint64_t to)
{
    long long n = 0;
    while (from <= to && (from & 7))
        n += bit_at(p, from++);
    while (from + 64 <= to + 1) {
        uint64_t w;
        memcpy(&w, p + (from >> 3), 8);
        n += __builtin_popcountll(w);
        from += 64;
    }
    while (from + 8 <= to + 1) {
        n += __builtin_popcount(p[from >> 3]);
        from += 8;
    }
    while (from <= to)
        n += bit_at(p, from++);
    return n;
}

/* First bit equal to `bit` in [from, to] of p, or -1. */
static long long
find_bit(const unsigned char *p, uint64_t from, uint64_t to, int bit)
{
    unsigned char skip = bit ? 0x00 : 0xff;
    while (from <= to && (from & 7)) {
        if (bit_at(p, from) == bit)
            return (long long)from;
        from++;
    }
    while (from + 8 <= to + 1 && p[from >> 3] == skip)
        from += 8;
    for (; from <= to; from++)
        if (bit_at(p, from) == bit)
            return (long long)from;
    return -1;
}

/* BITCOUNT and BITPOS ranges: start and end (argv[si], argv[ei]; ei 0 for "to the end") in
 * bytes, or bits when argv[ui] (ui 0: none) says BIT, negative counted from the end, clamped
 * to a string of len bytes, as the inclusive bit range [*from, *to]. `count` keeps BITCOUNT's
 * order (start, end, a range of two negative ends the wrong way round is empty before the
 * unit is read) over BITPOS's (start, unit, end). 1 with the range, 0 when it is empty, -1
 * after an error reply. */
static int
bit_range(struct client *c, size_t len, int si, int ei, int ui, int count, uint64_t *from,
          uint64_t *to)
{
    long long start, end = 0, total = (long long)len;
    int isbit = 0;
    if (arg_ll(c, si, &start) < 0 || (count && arg_ll(c, ei, &end) < 0)) {
        reply_error_notint(c);
        return -1;
    }
    if (count && start < 0 && end < 0 && start > end)
        return 0;
    if (ui && arg_is(c, ui, "bit")) {
        isbit = 1;
    } else if (ui && !arg_is(c, ui, "byte")) {
        reply_error_syntax(c);
        return -1;
    }
    if (!count && ei && arg_ll(c, ei, &end) < 0) {
        reply_error_notint(c);
        return -1;
    }
    if (isbit)
        total *= 8;
    if (!ei)
        end = total - 1;
    if (start < 0)
        start += total;
    if (end < 0)
        end += total;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= total)
        end = total - 1;
    if (start > end)
        return 0;
    *from = isbit ? (uint64_t)start : (uint64_t)start * 8;
    *to = isbit ? (uint64_t)end : (uint64_t)end * 8 + 7;
    return 1;
}

/* ---- SETBIT / GETBIT / BITCOUNT / BITPOS ---- */

static void
cmd_setbit(struct client *c)
{
    uint64_t off;
    long long on;
    if (arg_bit_offset(c, 2, 0, &off) < 0)
        return;
    if (arg_ll(c, 3, &on) < 0 || (on & ~1LL)) {
        reply_error(c, "ERR bit is not an integer or out of range");
        return;
    }
    struct str *s = bits_for_write(c, off);
    if (s == NULL)
        return;
    unsigned char *p = (unsigned char *)s->buf;
    int old = bit_at(p, off);
    unsigned char mask = (unsigned char)(1 << (7 - (off & 7)));
    if (on)
        p[off >> 3] |= mask;
    else
        p[off >> 3] &= (unsigned char)~mask;
    arg_notify(c, NOTIFY_STRING, "setbit", 1);
    reply_int(c, old);
}

static void
cmd_getbit(struct client *c)
{
    uint64_t off;
    if (arg_bit_offset(c, 2, 0, &off) < 0)
        return;
    char ibuf[24];
    size_t len = 0;
    int wt;
    const unsigned char *p = bits_for_read(c, 1, ibuf, &len, &wt);
    if (wt)
        return;
    reply_int(c, p && (off >> 3) < len ? bit_at(p, off) : 0);
}

static void
cmd_bitcount(struct client *c)
{
    char ibuf[24];
    size_t len = 0;
    int wt;
    /* Redis 7.0 looks the key up first: a missing key answers 0 whatever the arguments. */
    const unsigned char *p = bits_for_read(c, 1, ibuf, &len, &wt);
    uint64_t from = 0, to = 0;
    int r = 0;
    if (wt)
        return;
    if (p == NULL) {
        reply_int(c, 0);
        return;
    }
    if (c->argc == 4 || c->argc == 5) {
        r = bit_range(c, len, 2, 3, c->argc == 5 ? 4 : 0, 1, &from, &to);
        if (r < 0)
            return;
    } else if (c->argc == 2) {
        r = len > 0;
        from = 0;
        to = len * 8 - 1;
    } else {
        reply_error_syntax(c);
        return;
    }
    reply_int(c, r ? count_bits(p, from, to) : 0);
}

static void
cmd_bitpos(struct client *c)
{
    long long bit;
    if (arg_ll(c, 2, &bit) < 0) {
        reply_error_notint(c);
        return;
    }
    if (bit != 0 && bit != 1) {
        reply_error(c, "ERR The bit argument must be 1 or 0.");
        return;
    }
    char ibuf[24];
    size_t len = 0;
    int wt;
    const unsigned char *p = bits_for_read(c, 1, ibuf, &len, &wt);
    if (wt)
        return;
    if (p == NULL) { /* an endless run of zero bits */
        reply_int(c, bit ? -1 : 0);
        return;
    }
    uint64_t from = 0, to = 0;
    int r, end_given = c->argc >= 5;
    if (c->argc >= 4 && c->argc <= 6) {
        r = bit_range(c, len, 3, end_given ? 4 : 0, c->argc == 6 ? 5 : 0, 0, &from, &to);
        if (r < 0)
            return;
    } else if (c->argc == 3) {
        r = len > 0;
        from = 0;
        to = len * 8 - 1;
    } else {
        reply_error_syntax(c);
        return;
    }
    if (!r) {
        reply_int(c, -1);
        return;
    }
    long long pos = find_bit(p, from, to, (int)bit);
    /* No clear bit in the string: without an explicit end the string counts as followed by
     * zeros, so the answer is the first bit past the range. */
    if (pos < 0 && bit == 0 && !end_given)
        pos = (long long)to + 1;
    reply_int(c, pos);
}

/* ---- BITOP ---- */

enum { BITOP_AND, BITOP_OR, BITOP_XOR, BITOP_NOT };

static void
cmd_bitop(struct client *c)
{
    int op;
    if (arg_is(c, 1, "and"))
        op = BITOP_AND;
    else if (arg_is(c, 1, "or"))
        op = BITOP_OR;
    else if (arg_is(c, 1, "xor"))
        op = BITOP_XOR;
    else if (arg_is(c, 1, "not"))
        op = BITOP_NOT;
    else {
        reply_error_syntax(c);
        return;
    }
    if (op == BITOP_NOT && c->argc != 4) {
        reply_error(c, "ERR BITOP NOT must be called with a single source key.");
        return;
    }
    int nsrc = c->argc - 3;
    struct db *db = CDB(c);
    /* Sources are copied before the destination is written: it may be one of them. */
    struct str **src = ztrymalloc((size_t)nsrc * sizeof(*src));
    struct str *res = NULL;
    size_t maxlen = 0;
    if (src == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    memset(src, 0, (size_t)nsrc * sizeof(*src));
    for (int j = 0; j < nsrc; j++) {
        struct kv *e = db_lookup_read(db, ARGP(c, j + 3), ARGL(c, j + 3));
        if (e == NULL)
            continue;
        if (kv_type(e) != OBJ_STRING) {
            reply_error_wrongtype(c);
            goto done;
        }
        char ibuf[24];
        size_t len;
        const char *s = kv_str(e, &len, ibuf);
        if ((src[j] = str_new(s, len, len)) == NULL) {
            reply_error(c, ERR_ALLOC);
            goto done;
        }
        if (len > maxlen)
            maxlen = len;
    }
    if (maxlen == 0) { /* every source empty or missing: the result is no key at all */
        if (db_delete(db, ARGP(c, 2), ARGL(c, 2), FREE_SYNC))
            arg_notify(c, NOTIFY_GENERIC, "del", 2);
        reply_int(c, 0);
        goto done;
    }
    if ((res = str_new(NULL, 0, maxlen)) == NULL) {
        reply_error(c, ERR_ALLOC);
        goto done;
    }
    res->len = maxlen;
    for (size_t i = 0; i < maxlen; i++) {
        unsigned char out = src[0] && i < src[0]->len ? (unsigned char)src[0]->buf[i] : 0;
        if (op == BITOP_NOT)
            out = (unsigned char)~out;
        for (int j = 1; j < nsrc; j++) {
            unsigned char b = src[j] && i < src[j]->len ? (unsigned char)src[j]->buf[i] : 0;
            out = op == BITOP_AND ? (out & b) : op == BITOP_OR ? (out | b) : (out ^ b);
        }
        res->buf[i] = (char)out;
    }
    /* A raw string, as Redis stores BITOP's result whatever its length. */
    struct val v = {.enc = ENC_RAW, .ptr = res};
    if (db_set(db, ARGP(c, 2), ARGL(c, 2), &v, -1, 0) < 0) {
        zfree(res);
        reply_error(c, ERR_ALLOC);
        goto done;
    }
    arg_notify(c, NOTIFY_STRING, "set", 2);
    reply_int(c, (long long)maxlen);
done:
    for (int j = 0; j < nsrc; j++)
        zfree(src[j]);
    zfree(src);
}

/* ---- BITFIELD / BITFIELD_RO ---- */

enum { BF_GET, BF_SET, BF_INCRBY };
enum { BF_WRAP, BF_SAT, BF_FAIL };

struct bf_op {
    uint64_t off;
    long long arg; /* SET value or INCRBY increment */
    int op, sign, bits, overflow;
};

/* Read `bits` (1..64) bits at bit offset off of p as an unsigned number. */
static uint64_t
bf_read(const unsigned char *p, uint64_t off, int bits)
{
    uint64_t v = 0;
    for (int i = 0; i < bits; i++, off++)
        v = (v << 1) | (uint64_t)bit_at(p, off);
    return v;
}

static void
bf_write(unsigned char *p, uint64_t off, int bits, uint64_t v)
{
    for (int i = bits - 1; i >= 0; i--, off++) {
        unsigned char mask = (unsigned char)(1 << (7 - (off & 7)));
        if ((v >> i) & 1)
            p[off >> 3] |= mask;
        else
            p[off >> 3] &= (unsigned char)~mask;
    }
}

/* The signed value of the low `bits` bits of v. */
static int64_t
bf_sign_extend(uint64_t v, int bits)
{
    if (bits < 64 && (v & ((uint64_t)1 << (bits - 1))))
        v |= UINT64_MAX << bits;
    return (int64_t)v;
}

/* value + incr stored in a field of op's type: 0 when it fits (*res the sum), 1 when it
 * overflows, with *res what WRAP or SAT make of it (FAIL: the caller writes nothing). The
 * sum is exact (128-bit), so overflow is judged on the true result, as Redis does. An
 * unsigned SET value is taken as Redis takes it: the 64-bit pattern of the argument. */
static int
bf_apply(const struct bf_op *op, __int128 value, long long incr, int64_t *res)
{
    __int128 sum = value + incr, min, max;
    if (op->sign) {
        max = ((__int128)1 << (op->bits - 1)) - 1;
        min = -max - 1;
    } else {
        max = ((__int128)1 << op->bits) - 1;
        min = 0;
    }
    if (sum >= min && sum <= max) {
        *res = (int64_t)sum;
        return 0;
    }
    if (op->overflow == BF_SAT) {
        *res = (int64_t)(sum > max ? max : min);
    } else {
        uint64_t low = (uint64_t)sum;
        if (op->bits < 64)
            low &= ~(UINT64_MAX << op->bits);
        *res = op->sign ? bf_sign_extend(low, op->bits) : (int64_t)low;
    }
    return 1;
}

/* Parse a field type: "i1".."i64" or "u1".."u63". 0, or -1 after the error reply. */
static int
arg_bf_type(struct client *c, int i, int *sign, int *bits)
{
    const char *p = ARGP(c, i);
    size_t len = ARGL(c, i);
    long long n;
    if (len < 2 || (p[0] != 'i' && p[0] != 'u') || str_to_ll(p + 1, len - 1, &n) < 0 || n < 1 ||
        n > (p[0] == 'i' ? 64 : 63)) {
        reply_error(c, ERR_BITFIELD_TYPE);
        return -1;
    }
    *sign = p[0] == 'i';
    *bits = (int)n;
    return 0;
}

/* One BITFIELD operation on p (NULL: a missing key, only for GET) of len bytes. */
static int
bf_run(struct client *c, const struct bf_op *op, unsigned char *p, size_t len)
{
    if (op->op == BF_GET) {
        /* Bits past the end of the string read as zeros. */
        unsigned char buf[9] = {0};
        uint64_t byte = op->off >> 3;
        for (uint64_t i = 0; i < 9 && p && byte + i < len; i++)
            buf[i] = p[byte + i];
        uint64_t v = bf_read(buf, op->off & 7, op->bits);
        reply_int(c, op->sign ? bf_sign_extend(v, op->bits) : (long long)v);
        return 0;
    }
    uint64_t raw = bf_read(p, op->off, op->bits);
    __int128 old = op->sign ? (__int128)bf_sign_extend(raw, op->bits) : (__int128)raw;
    int64_t nv;
    int over;
    if (op->op == BF_INCRBY) {
        over = bf_apply(op, old, op->arg, &nv);
    } else {
        __int128 v = op->sign ? (__int128)op->arg : (__int128)(uint64_t)op->arg;
        over = bf_apply(op, v, 0, &nv);
    }
    if (over && op->overflow == BF_FAIL) {
        reply_null(c);
        return 0;
    }
    bf_write(p, op->off, op->bits, (uint64_t)nv);
    if (op->op == BF_INCRBY)
        reply_int(c, nv);
    else
        reply_int(c, op->sign ? (long long)(int64_t)old : (long long)(uint64_t)old);
    return 1;
}

/* BITFIELD and BITFIELD_RO (`ro`: only GET allowed). Every operation is parsed before the key
 * is touched; a write makes the string long enough for the furthest field first. */
static void
bitfield_run(struct client *c, int ro)
{
    struct bf_op *ops = ztrymalloc((size_t)c->argc * sizeof(*ops));
    int nops = 0, overflow = BF_WRAP, writes = 0;
    uint64_t maxbit = 0;
    if (ops == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    for (int j = 2; j < c->argc; j++) {
        int left = c->argc - j - 1;
        struct bf_op *op = &ops[nops];
        if (arg_is(c, j, "get") && left >= 2) {
            op->op = BF_GET;
        } else if (arg_is(c, j, "set") && left >= 3) {
            op->op = BF_SET;
        } else if (arg_is(c, j, "incrby") && left >= 3) {
            op->op = BF_INCRBY;
        } else if (arg_is(c, j, "overflow") && left >= 1) {
            j++;
            if (arg_is(c, j, "wrap")) {
                overflow = BF_WRAP;
            } else if (arg_is(c, j, "sat")) {
                overflow = BF_SAT;
            } else if (arg_is(c, j, "fail")) {
                overflow = BF_FAIL;
            } else {
                reply_error(c, "ERR Invalid OVERFLOW type specified");
                goto done;
            }
            continue;
        } else {
            reply_error_syntax(c);
            goto done;
        }
        if (arg_bf_type(c, j + 1, &op->sign, &op->bits) < 0 ||
            arg_bit_offset(c, j + 2, op->bits, &op->off) < 0)
            goto done;
        op->overflow = overflow;
        if (op->op != BF_GET) {
            if (arg_ll(c, j + 3, &op->arg) < 0) {
                reply_error_notint(c);
                goto done;
            }
            writes = 1;
            if (op->off + (uint64_t)op->bits - 1 > maxbit)
                maxbit = op->off + (uint64_t)op->bits - 1;
        }
        nops++;
        j += op->op == BF_GET ? 2 : 3;
    }
    unsigned char *p = NULL;
    size_t len = 0;
    char ibuf[24];
    if (!writes) {
        int wt;
        p = (unsigned char *)bits_for_read(c, 1, ibuf, &len, &wt);
        if (wt)
            goto done;
    } else if (ro) {
        reply_error(c, "ERR BITFIELD_RO only supports the GET subcommand");
        goto done;
    } else {
        struct str *s = bits_for_write(c, maxbit);
        if (s == NULL)
            goto done;
        p = (unsigned char *)s->buf;
        len = s->len;
    }
    reply_array(c, nops);
    int changes = 0;
    for (int i = 0; i < nops; i++)
        changes += bf_run(c, &ops[i], p, len);
    if (changes)
        arg_notify(c, NOTIFY_STRING, "setbit", 1);
done:
    zfree(ops);
}

static void
cmd_bitfield(struct client *c)
{
    bitfield_run(c, 0);
}

static void
cmd_bitfield_ro(struct client *c)
{
    bitfield_run(c, 1);
}

const struct command cmd_bitmap_table[] = {
    COMMAND("setbit", cmd_setbit, 4, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Set or clear one bit of a string", .group = "bitmap"),
    COMMAND("getbit", cmd_getbit, 3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "One bit of a string", .group = "bitmap"),
    COMMAND("bitcount", cmd_bitcount, -2, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Count the set bits of a string", .group = "bitmap"),
    COMMAND("bitpos", cmd_bitpos, -3, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "First set or clear bit of a string", .group = "bitmap"),
    COMMAND("bitop", cmd_bitop, -4, CMD_WRITE | CMD_DENYOOM, .keys = {2, -1, 1},
            .summary = "Bitwise AND, OR, XOR or NOT of strings", .group = "bitmap"),
    COMMAND("bitfield", cmd_bitfield, -2, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Get, set and increment integer fields of a string", .group = "bitmap"),
    COMMAND("bitfield_ro", cmd_bitfield_ro, -2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Get integer fields of a string", .group = "bitmap"),
    COMMAND_END,
};
