/* objzset.c — sorted set values. Small ones (<= 128 elements, members <= 64 bytes) are one
 * pack of alternating member and score, in order. A packed score that is an integer of at most
 * 2^53 takes 0-7 bytes (0 takes none), any other the 8 bytes of the double. Bigger sets are a
 * skiplist whose nodes are also the entries of a dict keyed by member (zskiplist.c). Like
 * Redis 7.0 a sorted set never converts back to the packed form. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "objzset.h"
#include "pack.h"
#include "util.h"
#include "zskiplist.h"
#include "zmalloc.h"

/* ---- Parsing ---- */

int
zset_parse_score(const char *s, size_t len, double *out)
{
    char buf[LDBL_STR_MAX + 1];
    char *end;
    if (len == 0 || len >= sizeof(buf) || isspace((unsigned char)s[0]))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    double d = strtod(buf, &end);
    /* Overflow and underflow to zero are refused; a denormal result is kept (as Redis). */
    if (end != buf + len || isnan(d) ||
        (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL || d == 0)))
        return -1;
    *out = d;
    return 0;
}

/* One end of a score range. Redis's rule: "(" for exclusive, then whatever strtod accepts up
 * to the end of the string (leading spaces and an empty rest included), but not NaN. */
static int
parse_range_end(const char *s, size_t len, double *d, int *ex)
{
    char buf[LDBL_STR_MAX + 1];
    char *end;
    *ex = 0;
    if (len && s[0] == '(') {
        *ex = 1;
        s++;
        len--;
    }
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    *d = strtod(buf, &end);
    return *end != '\0' || isnan(*d) ? -1 : 0;
}

int
zset_parse_range(const char *min, size_t minl, const char *max, size_t maxl, struct zscore_range *r)
{
    if (parse_range_end(min, minl, &r->min, &r->minex) < 0 ||
        parse_range_end(max, maxl, &r->max, &r->maxex) < 0)
        return -1;
    return 0;
}

int
zset_parse_lex(const char *s, size_t len, struct zlex_bound *b)
{
    b->ex = 0;
    b->s = NULL;
    b->len = 0;
    if (len == 1 && (s[0] == '+' || s[0] == '-')) {
        b->kind = s[0] == '+' ? 1 : -1;
        return 0;
    }
    if (len == 0 || (s[0] != '(' && s[0] != '['))
        return -1;
    b->kind = 0;
    b->ex = s[0] == '(';
    b->s = s + 1;
    b->len = len - 1;
    return 0;
}

/* ---- Packed scores ---- */

#define SCORE_INT_MAX 9007199254740992.0 /* 2^53: every integer up to it is an exact double */

static size_t
score_encode(unsigned char *out, double d)
{
    if (d >= -SCORE_INT_MAX && d <= SCORE_INT_MAX && d == (double)(long long)d) {
        long long v = (long long)d;
        size_t n = 0;
        if (v != 0) {
            n = 1;
            while (v < -(1LL << (8 * n - 1)) || v >= (1LL << (8 * n - 1)))
                n++;
        }
        for (size_t i = 0; i < n; i++)
            out[i] = (unsigned char)((unsigned long long)v >> (8 * i));
        return n;
    }
    memcpy(out, &d, 8);
    return 8;
}

static double
score_decode(const char *s, size_t len)
{
    if (len == 8) {
        double d;
        memcpy(&d, s, 8);
        return d;
    }
    unsigned long long u = 0;
    for (size_t i = 0; i < len; i++)
        u |= (unsigned long long)(unsigned char)s[i] << (8 * i);
    if (len && ((unsigned char)s[len - 1] & 0x80))
        u |= ~0ULL << (8 * len); /* sign-extend */
    return (double)(long long)u;
}

/* ---- Packed form ---- */

/* The score of the element whose member is at off; *next gets the offset after it. */
static double
pk_score(const struct pack *p, size_t off, size_t *next)
{
    size_t soff = pack_next(p, off), len;
    const char *s = pack_get(p, soff, &len);
    if (next)
        *next = pack_next(p, soff);
    return score_decode(s, len);
}

/* Offset of member m, -1 if absent; its score in *score when found (score may be NULL). */
static long
pk_find(const struct pack *p, const char *m, size_t ml, double *score)
{
    long off = pack_find(p, 2, m, ml);
    if (off >= 0 && score)
        *score = pk_score(p, (size_t)off, NULL);
    return off;
}

/* Where (score, m) goes: the offset of the first element ordered after it. */
static size_t
pk_insert_pos(const struct pack *p, double score, const char *m, size_t ml)
{
    size_t off = 0;
    while (off < p->bytes) {
        size_t len, next;
        const char *s = pack_get(p, off, &len);
        double sc = pk_score(p, off, &next);
        if (zs_elem_cmp(sc, s, len, score, m, ml) > 0)
            break;
        off = next;
    }
    return off;
}

/* Insert member and score at off. -1 on failure, the set unchanged. */
static int
pk_insert_at(struct kv *z, size_t off, double score, const char *m, size_t ml)
{
    unsigned char sb[8];
    size_t sl = score_encode(sb, score);
    struct pack *np = pack_insert(kv_ptr(z), off, m, ml);
    if (np == NULL)
        return -1;
    struct pack *np2 = pack_insert(np, off + pack_elem_size(ml), (const char *)sb, sl);
    if (np2 == NULL) {
        kv_set_ptr(z, pack_remove(np, off, 1));
        return -1;
    }
    kv_set_ptr(z, np2);
    return 0;
}

/* Give the member at off a new score. Where the order allows, only the score element is
 * rewritten; otherwise the new pair goes in first and the old one leaves after, so a failed
 * allocation loses nothing. */
static int
pk_update(struct kv *z, size_t off, double score, const char *m, size_t ml)
{
    struct pack *p = kv_ptr(z);
    size_t soff = pack_next(p, off), after = pack_next(p, soff);
    size_t ins = pk_insert_pos(p, score, m, ml);
    if (ins == off || ins == after) {
        unsigned char sb[8];
        size_t sl = score_encode(sb, score);
        struct pack *np = pack_replace(p, soff, (const char *)sb, sl);
        if (np == NULL)
            return -1;
        kv_set_ptr(z, np);
        return 0;
    }
    size_t before = p->bytes;
    if (pk_insert_at(z, ins, score, m, ml) < 0)
        return -1;
    p = kv_ptr(z);
    if (ins < off)
        off += p->bytes - before;
    kv_set_ptr(z, pack_remove(p, off, 2));
    return 0;
}

/* Pack → skiplist. Every node is allocated before the pack goes, so a failure leaves the set
 * as it was. */
static int
convert_to_skiplist(struct kv *kz)
{
    const struct pack *p = kv_ptr(kz);
    struct zset *z = zsl_create();
    size_t off = 0;
    while (off < p->bytes) {
        size_t len, next;
        const char *m = pack_get(p, off, &len);
        if (zsl_insert(z, pk_score(p, off, &next), m, len) < 0) {
            zsl_free(z);
            return -1;
        }
        off = next;
    }
    zfree(kv_ptr(kz));
    kz->enc = ENC_ZSET_SKIP;
    kv_set_ptr(kz, z);
    return 0;
}

/* ---- The value ---- */

void
zset_new_val(struct val *v)
{
    memset(v, 0, sizeof(*v));
    v->enc = ENC_ZSET_PACK;
    v->ptr = pack_new();
}

size_t
zset_len(const struct kv *z)
{
    if (z->enc == ENC_ZSET_PACK)
        return ((const struct pack *)kv_ptr(z))->count / 2;
    return ((const struct zset *)kv_ptr(z))->length;
}

int
zset_score(const struct kv *z, const char *m, size_t ml, double *score)
{
    if (z->enc == ENC_ZSET_PACK)
        return pk_find(kv_ptr(z), m, ml, score) >= 0;
    struct zsnode *n = zsl_find(kv_ptr(z), m, ml);
    if (n == NULL)
        return 0;
    *score = n->score;
    return 1;
}

int
zset_add(struct kv *z, double score, const char *m, size_t ml, int flags, int *out,
         double *newscore)
{
    double cur = 0;
    long off = -1;
    struct zsnode *node = NULL;
    *out = 0;
    if (z->enc == ENC_ZSET_PACK)
        off = pk_find(kv_ptr(z), m, ml, &cur);
    else if ((node = zsl_find(kv_ptr(z), m, ml)) != NULL)
        cur = node->score;
    if (off >= 0 || node) {
        if (flags & ZADD_NX) {
            *out = ZADD_OUT_NOP;
            return 0;
        }
        if (flags & ZADD_INCR) {
            score += cur;
            if (isnan(score)) {
                *out = ZADD_OUT_NAN;
                return 0;
            }
        }
        if (((flags & ZADD_LT) && score >= cur) || ((flags & ZADD_GT) && score <= cur)) {
            *out = ZADD_OUT_NOP;
            return 0;
        }
        if (score == 0)
            score = 0; /* no -0 */
        *newscore = score;
        if (score == cur)
            return 0;
        if (node)
            zsl_update(kv_ptr(z), node, score);
        else if (pk_update(z, (size_t)off, score, m, ml) < 0)
            return -1;
        *out = ZADD_OUT_UPDATED;
        return 0;
    }
    if (flags & ZADD_XX) {
        *out = ZADD_OUT_NOP;
        return 0;
    }
    if (score == 0)
        score = 0;
    if (z->enc == ENC_ZSET_PACK) {
        const struct pack *p = kv_ptr(z);
        if (p->count / 2 < enc_limits.zset_entries && ml <= enc_limits.zset_value) {
            if (pk_insert_at(z, pk_insert_pos(p, score, m, ml), score, m, ml) < 0)
                return -1;
            goto added;
        }
        if (convert_to_skiplist(z) < 0)
            return -1;
    }
    if (zsl_insert(kv_ptr(z), score, m, ml) < 0)
        return -1;
added:
    *out = ZADD_OUT_ADDED;
    *newscore = score;
    return 0;
}

int
zset_del(struct kv *z, const char *m, size_t ml)
{
    if (z->enc == ENC_ZSET_PACK) {
        struct pack *p = kv_ptr(z);
        long off = pk_find(p, m, ml, NULL);
        if (off < 0)
            return 0;
        kv_set_ptr(z, pack_remove(p, (size_t)off, 2));
        return 1;
    }
    struct zsnode *n = zsl_find(kv_ptr(z), m, ml);
    if (n == NULL)
        return 0;
    zsl_delete(kv_ptr(z), n);
    return 1;
}

void
zset_del_range(struct kv *z, size_t rank, size_t n)
{
    if (n == 0)
        return;
    if (z->enc == ENC_ZSET_PACK) {
        struct pack *p = kv_ptr(z);
        kv_set_ptr(z, pack_remove(p, (size_t)pack_seek(p, 2 * (long long)rank), 2 * n));
        return;
    }
    struct zset *zs = kv_ptr(z);
    struct zsnode *x = zsl_at(zs, rank);
    while (n-- && x) {
        struct zsnode *next = zs_fwd(x)[0];
        zsl_delete(zs, x);
        x = next;
    }
}

long long
zset_rank(const struct kv *z, const char *m, size_t ml, int rev)
{
    size_t rank = 0;
    if (z->enc == ENC_ZSET_PACK) {
        const struct pack *p = kv_ptr(z);
        long off = pk_find(p, m, ml, NULL);
        if (off < 0)
            return -1;
        for (size_t o = 0; o < (size_t)off; o = pack_next(p, pack_next(p, o)))
            rank++;
    } else {
        struct zsnode *n = zsl_find(kv_ptr(z), m, ml);
        if (n == NULL)
            return -1;
        rank = zsl_rank(kv_ptr(z), n);
    }
    return (long long)(rev ? zset_len(z) - 1 - rank : rank);
}

/* Packed: elements from the start while their score is below s (or equal, inclusive). */
static size_t
pk_count_score(const struct pack *p, double s, int inclusive)
{
    size_t n = 0, off = 0;
    while (off < p->bytes) {
        double sc = pk_score(p, off, &off);
        if (!(sc < s || (inclusive && sc == s)))
            break;
        n++;
    }
    return n;
}

static size_t
pk_count_lex(const struct pack *p, const char *m, size_t ml, int inclusive)
{
    size_t n = 0, off = 0;
    while (off < p->bytes) {
        size_t len;
        const char *s = pack_get(p, off, &len);
        int c = zs_mem_cmp(s, len, m, ml);
        if (!(c < 0 || (inclusive && c == 0)))
            break;
        n++;
        off = pack_next(p, pack_next(p, off));
    }
    return n;
}

static size_t
count_score(const struct kv *z, double s, int inclusive)
{
    if (z->enc == ENC_ZSET_PACK)
        return pk_count_score(kv_ptr(z), s, inclusive);
    return zsl_count_score(kv_ptr(z), s, inclusive);
}

void
zset_score_span(const struct kv *z, const struct zscore_range *r, size_t *lo, size_t *hi)
{
    *lo = count_score(z, r->min, r->minex);
    *hi = count_score(z, r->max, !r->maxex);
    if (*hi < *lo)
        *hi = *lo;
}

static size_t
count_lex(const struct kv *z, const struct zlex_bound *b, int inclusive)
{
    if (b->kind != 0)
        return b->kind < 0 ? 0 : zset_len(z);
    if (z->enc == ENC_ZSET_PACK)
        return pk_count_lex(kv_ptr(z), b->s, b->len, inclusive);
    return zsl_count_lex(kv_ptr(z), b->s, b->len, inclusive);
}

void
zset_lex_span(const struct kv *z, const struct zlex_bound *min, const struct zlex_bound *max,
              size_t *lo, size_t *hi)
{
    *lo = count_lex(z, min, min->ex);
    *hi = count_lex(z, max, !max->ex);
    if (*hi < *lo)
        *hi = *lo;
}

void
zset_iter_init(struct zset_iter *it, const struct kv *z, size_t rank, int rev)
{
    size_t len = zset_len(z);
    it->z = z;
    it->rev = rev;
    it->off = -1;
    it->node = NULL;
    if (rank >= len)
        return;
    size_t fwd_rank = rev ? len - 1 - rank : rank;
    if (z->enc == ENC_ZSET_PACK)
        it->off = pack_seek(kv_ptr(z), 2 * (long long)fwd_rank);
    else
        it->node = zsl_at(kv_ptr(z), fwd_rank);
}

int
zset_iter_next(struct zset_iter *it, struct zelem *e)
{
    if (it->z->enc == ENC_ZSET_PACK) {
        const struct pack *p = kv_ptr(it->z);
        if (it->off < 0)
            return 0;
        size_t off = (size_t)it->off, next;
        e->m = pack_get(p, off, &e->ml);
        e->score = pk_score(p, off, &next);
        if (!it->rev)
            it->off = next < p->bytes ? (long)next : -1;
        else
            it->off = off == 0 ? -1 : pack_prev(p, (size_t)pack_prev(p, off));
        return 1;
    }
    const struct zsnode *n = it->node;
    if (n == NULL)
        return 0;
    e->m = zs_mem(n);
    e->ml = n->len;
    e->score = n->score;
    it->node = it->rev ? n->back : zs_fwd(n)[0];
    return 1;
}

struct scan_ctx {
    void (*fn)(void *ctx, const char *m, size_t ml, double score);
    void *ctx;
};

static void
scan_node(struct dict_node *dn, void *arg)
{
    struct scan_ctx *sc = arg;
    const struct zsnode *n = (const struct zsnode *)dn;
    sc->fn(sc->ctx, zs_mem(n), n->len, n->score);
}

unsigned long long
zset_scan(const struct kv *z, unsigned long long cursor,
          void (*fn)(void *ctx, const char *m, size_t ml, double score), void *ctx)
{
    if (z->enc == ENC_ZSET_PACK) {
        struct zset_iter it;
        struct zelem e;
        zset_iter_init(&it, z, 0, 0);
        while (zset_iter_next(&it, &e))
            fn(ctx, e.m, e.ml, e.score);
        return 0;
    }
    struct scan_ctx sc = {fn, ctx};
    return dict_scan(&((struct zset *)kv_ptr(z))->dict, cursor, scan_node, &sc);
}

void *
zset_copy(int enc, const void *ptr)
{
    if (enc == ENC_ZSET_PACK)
        return pack_dup(ptr);
    const struct zset *src = ptr;
    struct zset *z = zsl_create();
    /* In order, so every insert lands at the tail. */
    for (const struct zsnode *n = zs_fwd(src->head)[0]; n; n = zs_fwd(n)[0]) {
        if (zsl_insert(z, n->score, zs_mem(n), n->len) < 0) {
            zsl_free(z);
            return NULL;
        }
    }
    return z;
}

void
zset_free(int enc, void *ptr)
{
    if (enc == ENC_ZSET_PACK)
        zfree(ptr);
    else
        zsl_free(ptr);
}

size_t
zset_free_effort(int enc, const void *ptr)
{
    return enc == ENC_ZSET_PACK ? 1 : ((const struct zset *)ptr)->length;
}

size_t
zset_memory(int enc, const void *ptr, long long samples)
{
    if (enc == ENC_ZSET_PACK)
        return zmalloc_size(ptr);
    return zsl_memory(ptr, samples);
}
