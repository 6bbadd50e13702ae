/* objzset.c — sorted set values. Small ones (<= 128 elements, members <= 64 bytes) are one
 * pack of alternating member and score, in order. A packed score that is an integer of at most
 * 2^53 takes 0-7 bytes (0 takes none), any other the 8 bytes of the double. Bigger sets are a
 * skiplist (Redis's: levels with spans, so ranks are O(log n)) whose nodes are also the nodes
 * of a dict keyed by member: one block per element serves the ordered walk and the lookup.
 * Like Redis 7.0 a sorted set never converts back to the packed form. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "object.h"
#include "pack.h"
#include "zmalloc.h"

/* ---- Ordering and parsing ---- */

static int
mem_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

static int
elem_cmp(double as, const char *am, size_t al, double bs, const char *bm, size_t bl)
{
    if (as < bs)
        return -1;
    if (as > bs)
        return 1;
    return mem_cmp(am, al, bm, bl);
}

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

/* Offset of member m, -1 if absent. */
static long
pk_find(const struct pack *p, const char *m, size_t ml, double *score)
{
    size_t off = 0;
    while (off < p->bytes) {
        size_t len, next;
        const char *s = pack_get(p, off, &len);
        double sc = pk_score(p, off, &next);
        if (len == ml && memcmp(s, m, ml) == 0) {
            if (score)
                *score = sc;
            return (long)off;
        }
        off = next;
    }
    return -1;
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
        if (elem_cmp(sc, s, len, score, m, ml) > 0)
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

/* ---- Skiplist ---- */

#define ZSL_MAX_LEVEL 32

struct zsnode {
    struct dict_node node; /* the dict's link: the member is the key */
    double score;
    struct zsnode *back; /* previous element, NULL for the first */
    uint32_t len;        /* member bytes */
    uint32_t level;
    /* then `level` forward pointers, `level` spans (uint32_t), the member */
};

struct zset {
    struct dict dict;
    struct zsnode *head; /* ZSL_MAX_LEVEL levels, no member */
    struct zsnode *tail;
    uint32_t length;
    uint32_t level;
};

static inline struct zsnode **
zs_fwd(const struct zsnode *n)
{
    return (struct zsnode **)(void *)((char *)(uintptr_t)n + sizeof(*n));
}

/* Steps at level 0 from n to its forward node at each level (Redis's span). */
static inline uint32_t *
zs_span(const struct zsnode *n)
{
    return (uint32_t *)(void *)(zs_fwd(n) + n->level);
}

static inline const char *
zs_mem(const struct zsnode *n)
{
    return (const char *)(zs_span(n) + n->level);
}

static const char *
zsnode_key(const struct dict_node *n, size_t *len)
{
    const struct zsnode *z = (const struct zsnode *)n;
    *len = z->len;
    return zs_mem(z);
}

static struct zsnode *
zsnode_new(uint32_t level, double score, const char *m, size_t ml)
{
    size_t size = sizeof(struct zsnode) + level * (sizeof(struct zsnode *) + 4) + ml;
    struct zsnode *n = ztrymalloc(size);
    if (n == NULL)
        return NULL;
    memset(n, 0, size - ml);
    n->score = score;
    n->len = (uint32_t)ml;
    n->level = level;
    if (ml)
        memcpy((char *)zs_mem(n), m, ml);
    return n;
}

/* Level of a new node: each further level with probability 1/4 (two random bits). */
static uint32_t
random_level(void)
{
    uint64_t r = dict_rand64();
    uint32_t level = 1;
    while (level < ZSL_MAX_LEVEL && (r & 3) == 0) {
        level++;
        r >>= 2;
    }
    return level;
}

static struct zset *
zsl_create(void)
{
    struct zset *z = zmalloc(sizeof(*z));
    size_t hsize = sizeof(struct zsnode) + ZSL_MAX_LEVEL * (sizeof(struct zsnode *) + 4);
    z->head = zcalloc(hsize);
    z->head->level = ZSL_MAX_LEVEL;
    dict_init(&z->dict, zsnode_key);
    z->tail = NULL;
    z->length = 0;
    z->level = 1;
    return z;
}

static int
node_cmp(const struct zsnode *n, double score, const char *m, size_t ml)
{
    return elem_cmp(n->score, zs_mem(n), n->len, score, m, ml);
}

/* Put node n (not in the list) in its place. */
static void
zsl_link(struct zset *z, struct zsnode *n)
{
    struct zsnode *update[ZSL_MAX_LEVEL];
    uint32_t rank[ZSL_MAX_LEVEL];
    struct zsnode *x = z->head, *f;
    const char *m = zs_mem(n);
    for (int i = (int)z->level - 1; i >= 0; i--) {
        rank[i] = i == (int)z->level - 1 ? 0 : rank[i + 1];
        while ((f = zs_fwd(x)[i]) && node_cmp(f, n->score, m, n->len) < 0) {
            rank[i] += zs_span(x)[i];
            x = f;
        }
        update[i] = x;
    }
    if (n->level > z->level) {
        for (uint32_t i = z->level; i < n->level; i++) {
            rank[i] = 0;
            update[i] = z->head;
            zs_span(z->head)[i] = z->length;
        }
        z->level = n->level;
    }
    for (uint32_t i = 0; i < n->level; i++) {
        zs_fwd(n)[i] = zs_fwd(update[i])[i];
        zs_fwd(update[i])[i] = n;
        zs_span(n)[i] = zs_span(update[i])[i] - (rank[0] - rank[i]);
        zs_span(update[i])[i] = rank[0] - rank[i] + 1;
    }
    for (uint32_t i = n->level; i < z->level; i++)
        zs_span(update[i])[i]++;
    n->back = update[0] == z->head ? NULL : update[0];
    if (zs_fwd(n)[0])
        zs_fwd(n)[0]->back = n;
    else
        z->tail = n;
    z->length++;
}

/* Take node n out of the list (not out of the dict, not freed). */
static void
zsl_unlink(struct zset *z, struct zsnode *n)
{
    struct zsnode *update[ZSL_MAX_LEVEL];
    struct zsnode *x = z->head, *f;
    const char *m = zs_mem(n);
    for (int i = (int)z->level - 1; i >= 0; i--) {
        while ((f = zs_fwd(x)[i]) && node_cmp(f, n->score, m, n->len) < 0)
            x = f;
        update[i] = x;
    }
    for (uint32_t i = 0; i < z->level; i++) {
        if (zs_fwd(update[i])[i] == n) {
            zs_span(update[i])[i] += zs_span(n)[i] - 1;
            zs_fwd(update[i])[i] = zs_fwd(n)[i];
        } else {
            zs_span(update[i])[i]--;
        }
    }
    if (zs_fwd(n)[0])
        zs_fwd(n)[0]->back = n->back;
    else
        z->tail = n->back;
    while (z->level > 1 && zs_fwd(z->head)[z->level - 1] == NULL)
        z->level--;
    z->length--;
}

/* 0-based rank of node n. */
static size_t
zsl_rank(const struct zset *z, const struct zsnode *n)
{
    size_t rank = 0;
    const struct zsnode *x = z->head;
    struct zsnode *f;
    const char *m = zs_mem(n);
    for (int i = (int)z->level - 1; i >= 0; i--) {
        while ((f = zs_fwd(x)[i]) && node_cmp(f, n->score, m, n->len) <= 0) {
            rank += zs_span(x)[i];
            x = f;
        }
        if (x == n)
            break;
    }
    return rank - 1;
}

/* The node at 0-based rank, NULL past the end. */
static struct zsnode *
zsl_at(const struct zset *z, size_t rank)
{
    size_t traversed = 0, want = rank + 1;
    struct zsnode *x = z->head, *f;
    for (int i = (int)z->level - 1; i >= 0; i--) {
        while ((f = zs_fwd(x)[i]) && traversed + zs_span(x)[i] <= want) {
            traversed += zs_span(x)[i];
            x = f;
        }
        if (traversed == want)
            return x;
    }
    return NULL;
}

/* Elements before the first one for which `below` fails, walking in order. */
static size_t
zsl_count_score(const struct zset *z, double s, int inclusive)
{
    size_t rank = 0;
    const struct zsnode *x = z->head;
    struct zsnode *f;
    for (int i = (int)z->level - 1; i >= 0; i--) {
        while ((f = zs_fwd(x)[i]) && (f->score < s || (inclusive && f->score == s))) {
            rank += zs_span(x)[i];
            x = f;
        }
    }
    return rank;
}

static size_t
zsl_count_lex(const struct zset *z, const char *m, size_t ml, int inclusive)
{
    size_t rank = 0;
    const struct zsnode *x = z->head;
    struct zsnode *f;
    for (int i = (int)z->level - 1; i >= 0; i--) {
        int c;
        while ((f = zs_fwd(x)[i]) &&
               ((c = mem_cmp(zs_mem(f), f->len, m, ml)) < 0 || (inclusive && c == 0))) {
            rank += zs_span(x)[i];
            x = f;
        }
    }
    return rank;
}

static void
zsl_free(struct zset *z)
{
    struct zsnode *n = zs_fwd(z->head)[0];
    while (n) {
        struct zsnode *next = zs_fwd(n)[0];
        zfree(n);
        n = next;
    }
    dict_clear(&z->dict, NULL, NULL); /* the nodes were its entries: only the tables left */
    zfree(z->head);
    zfree(z);
}

static int
zsl_insert(struct zset *z, double score, const char *m, size_t ml)
{
    if (z->length == UINT32_MAX - 1) /* spans are 32-bit */
        return -1;
    struct zsnode *n = zsnode_new(random_level(), score, m, ml);
    if (n == NULL)
        return -1;
    zsl_link(z, n);
    dict_insert(&z->dict, &n->node, dict_hash(m, ml));
    return 0;
}

/* A new score for node n: in place when the neighbours allow, else unlink and relink. */
static void
zsl_update(struct zset *z, struct zsnode *n, double score)
{
    struct zsnode *next = zs_fwd(n)[0];
    const char *m = zs_mem(n);
    if ((n->back == NULL || node_cmp(n->back, score, m, n->len) < 0) &&
        (next == NULL || node_cmp(next, score, m, n->len) > 0)) {
        n->score = score;
        return;
    }
    zsl_unlink(z, n);
    n->score = score;
    zsl_link(z, n);
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

static struct zsnode *
zsl_find(const struct kv *kz, const char *m, size_t ml)
{
    struct zset *z = kv_ptr(kz);
    return (struct zsnode *)dict_find(&z->dict, m, ml, dict_hash(m, ml));
}

int
zset_score(const struct kv *z, const char *m, size_t ml, double *score)
{
    if (z->enc == ENC_ZSET_PACK)
        return pk_find(kv_ptr(z), m, ml, score) >= 0;
    struct zsnode *n = zsl_find(z, m, ml);
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
    else if ((node = zsl_find(z, m, ml)) != NULL)
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
        if (p->count / 2 < ZSET_PACK_ENTRIES && ml <= ZSET_PACK_VALUE) {
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
    struct zset *zs = kv_ptr(z);
    struct zsnode *n = (struct zsnode *)dict_remove(&zs->dict, m, ml, dict_hash(m, ml));
    if (n == NULL)
        return 0;
    zsl_unlink(zs, n);
    zfree(n);
    return 1;
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
        struct zsnode *n = zsl_find(z, m, ml);
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
        int c = mem_cmp(s, len, m, ml);
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
    const struct zset *z = ptr;
    size_t n = z->length, limit = samples > 0 && (size_t)samples < n ? (size_t)samples : n;
    size_t seen = 0, bytes = 0;
    for (const struct zsnode *x = zs_fwd(z->head)[0]; x && seen < limit; x = zs_fwd(x)[0]) {
        bytes += zmalloc_size(x);
        seen++;
    }
    size_t nodes = seen ? (size_t)((double)bytes / seen * n) : 0;
    return zmalloc_size(z) + zmalloc_size(z->head) + dict_table_memory(&z->dict) + nodes;
}
