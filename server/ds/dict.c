/* dict.c — the intrusive chained hash table of dict.h: SipHash-1-2 keyed hashing, incremental
 * rehashing between two power-of-two tables, reverse-binary SCAN cursors and sampling. */
#include "dict.h"

#include <string.h>
#include <time.h>

#include "zmalloc.h"

#define DICT_MIN_EXP 2 /* 4 buckets */

/* ---- Hashing: SipHash-1-2 (one compression round per word, two at the end) ---- */

static uint64_t seed_k0 = 0x0706050403020100ULL, seed_k1 = 0x0f0e0d0c0b0a0908ULL;

void
dict_seed(const uint8_t seed[16])
{
    memcpy(&seed_k0, seed, 8);
    memcpy(&seed_k1, seed + 8, 8);
}

static inline uint64_t
rotl64(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

#define SIP_ROUND(v0, v1, v2, v3)                                                                  \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = rotl64(v1, 13);                                                                       \
        v1 ^= v0;                                                                                  \
        v0 = rotl64(v0, 32);                                                                       \
        v2 += v3;                                                                                  \
        v3 = rotl64(v3, 16);                                                                       \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = rotl64(v3, 21);                                                                       \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = rotl64(v1, 17);                                                                       \
        v1 ^= v2;                                                                                  \
        v2 = rotl64(v2, 32);                                                                       \
    } while (0)

uint64_t
dict_hash(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t v0 = seed_k0 ^ 0x736f6d6570736575ULL;
    uint64_t v1 = seed_k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = seed_k0 ^ 0x6c7967656e657261ULL;
    uint64_t v3 = seed_k1 ^ 0x7465646279746573ULL;
    size_t whole = len & ~(size_t)7;

    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m;
        memcpy(&m, p + i, 8); /* the project only targets little-endian machines */
        v3 ^= m;
        SIP_ROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    /* Last word: the remaining bytes, with the length in the top byte. */
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = 0; i < (len & 7); i++)
        b |= (uint64_t)p[whole + i] << (8 * i);
    v3 ^= b;
    SIP_ROUND(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    SIP_ROUND(v0, v1, v2, v3);
    SIP_ROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- A small PRNG for sampling (xorshift64*, main thread only) ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

uint64_t
dict_rand64(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

void
dict_rand_seed(uint64_t s)
{
    rng_state = s ? s : 0x9e3779b97f4a7c15ULL;
}

/* ---- Tables ---- */

static inline size_t
tsize(const struct dict *d, int t)
{
    return d->table[t] ? (size_t)1 << d->exp[t] : 0;
}

static inline size_t
tmask(const struct dict *d, int t)
{
    return d->table[t] ? ((size_t)1 << d->exp[t]) - 1 : 0;
}

static inline uint64_t
node_hash(const struct dict *d, const struct dict_node *n)
{
    size_t len;
    const char *k = d->key(n, &len);
    return dict_hash(k, len);
}

void
dict_init(struct dict *d, dict_key_fn *key)
{
    memset(d, 0, sizeof(*d));
    d->key = key;
    d->rehash_idx = -1;
}

struct dict *
dict_create(dict_key_fn *key)
{
    struct dict *d = zmalloc(sizeof(*d));
    dict_init(d, key);
    return d;
}

static void
release_tables(struct dict *d)
{
    zfree(d->table[0]);
    zfree(d->table[1]);
    dict_key_fn *key = d->key;
    dict_init(d, key);
}

void
dict_destroy(struct dict *d)
{
    if (d == NULL)
        return;
    release_tables(d);
    zfree(d);
}

void
dict_clear(struct dict *d, void (*free_fn)(struct dict_node *n, void *ctx), void *ctx)
{
    for (int t = 0; t < 2; t++) {
        size_t size = tsize(d, t);
        for (size_t i = 0; i < size && free_fn; i++) {
            struct dict_node *n = d->table[t][i];
            while (n) {
                struct dict_node *next = n->next;
                free_fn(n, ctx);
                n = next;
            }
        }
    }
    release_tables(d);
}

size_t
dict_buckets(const struct dict *d)
{
    return tsize(d, 0) + tsize(d, 1);
}

size_t
dict_table_memory(const struct dict *d)
{
    size_t m = 0;
    for (int t = 0; t < 2; t++)
        if (d->table[t])
            m += zmalloc_size(d->table[t]);
    return m;
}

struct node_mem {
    size_t seen, limit, bytes;
};

static void
node_mem_add(struct dict_node *n, void *arg)
{
    struct node_mem *m = arg;
    if (m->seen < m->limit) {
        m->bytes += zmalloc_size(n);
        m->seen++;
    }
}

size_t
dict_node_memory(struct dict *d, long long samples)
{
    size_t n = dict_size(d);
    struct node_mem m = {0, samples > 0 && (size_t)samples < n ? (size_t)samples : n, 0};
    dict_foreach(d, node_mem_add, &m);
    /* Every node seen: the exact sum (the float scaling can round it down by a byte). */
    if (m.seen == n)
        return m.bytes;
    return m.seen ? (size_t)((double)m.bytes / m.seen * n) : 0;
}

/* Start a resize to the smallest power of two >= want. If the dict has no table yet, the new
 * one is installed at once. A failed allocation leaves the dict as it was: it only gets
 * fuller, which is slower but correct. */
static void
resize(struct dict *d, size_t want)
{
    uint8_t e = DICT_MIN_EXP;
    while (((size_t)1 << e) < want && e < 63)
        e++;
    if (d->table[0] && e == d->exp[0])
        return;
    struct dict_node **tab = ztrycalloc(((size_t)1 << e) * sizeof(*tab));
    if (tab == NULL)
        return;
    if (d->table[0] == NULL) {
        d->table[0] = tab;
        d->exp[0] = e;
        return;
    }
    d->table[1] = tab;
    d->exp[1] = e;
    d->rehash_idx = 0;
}

int
dict_rehash(struct dict *d, int n)
{
    int empty_visits = n * 10; /* bound the work on a sparse table */
    if (!dict_is_rehashing(d))
        return 0;
    size_t size0 = tsize(d, 0), mask1 = tmask(d, 1);
    while (n-- > 0 && d->used[0] != 0) {
        while ((size_t)d->rehash_idx < size0 && d->table[0][d->rehash_idx] == NULL) {
            d->rehash_idx++;
            if (--empty_visits == 0)
                return 1;
        }
        if ((size_t)d->rehash_idx >= size0)
            break;
        struct dict_node *node = d->table[0][d->rehash_idx];
        while (node) {
            struct dict_node *next = node->next;
            size_t idx = node_hash(d, node) & mask1;
            node->next = d->table[1][idx];
            d->table[1][idx] = node;
            d->used[0]--;
            d->used[1]++;
            node = next;
        }
        d->table[0][d->rehash_idx] = NULL;
        d->rehash_idx++;
    }
    if (d->used[0] == 0) {
        zfree(d->table[0]);
        d->table[0] = d->table[1];
        d->exp[0] = d->exp[1];
        d->used[0] = d->used[1];
        d->table[1] = NULL;
        d->exp[1] = 0;
        d->used[1] = 0;
        d->rehash_idx = -1;
        return 0;
    }
    return 1;
}

int
dict_rehash_us(struct dict *d, int64_t us)
{
    int steps = 0;
    uint64_t start = 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    start = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
    while (dict_rehash(d, 100)) {
        steps++;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
        if ((int64_t)(now - start) >= us)
            break;
    }
    return steps;
}

int
dict_shrink_if_needed(struct dict *d)
{
    if (dict_is_rehashing(d) || d->table[0] == NULL)
        return 0;
    size_t size = tsize(d, 0);
    if (size > ((size_t)1 << DICT_MIN_EXP) && d->used[0] * 8 < size) {
        resize(d, d->used[0]);
        return dict_is_rehashing(d);
    }
    return 0;
}

/* ---- Lookup and change ---- */

int
dict_lookup(struct dict *d, const char *key, size_t len, uint64_t h, struct dict_pos *pos)
{
    if (dict_size(d) == 0)
        return 0;
    if (dict_is_rehashing(d))
        dict_rehash(d, 1);
    for (int t = 0; t < 2; t++) {
        if (d->table[t] == NULL)
            break;
        struct dict_node **link = &d->table[t][h & tmask(d, t)];
        while (*link) {
            size_t kl;
            const char *k = d->key(*link, &kl);
            if (kl == len && memcmp(k, key, len) == 0) {
                pos->link = link;
                pos->t = t;
                return 1;
            }
            link = &(*link)->next;
        }
        if (!dict_is_rehashing(d))
            break;
    }
    return 0;
}

struct dict_node *
dict_find(struct dict *d, const char *key, size_t len, uint64_t h)
{
    struct dict_pos pos;
    return dict_lookup(d, key, len, h, &pos) ? *pos.link : NULL;
}

void
dict_insert(struct dict *d, struct dict_node *n, uint64_t h)
{
    if (dict_is_rehashing(d)) {
        dict_rehash(d, 1);
    } else if (d->table[0] == NULL) {
        resize(d, 4);
    } else if (d->used[0] >= tsize(d, 0)) {
        resize(d, d->used[0] + 1);
    }
    if (d->table[0] == NULL) {
        /* Could not allocate even the first table: keep going without one is impossible,
         * so take the aborting path for these 32 bytes. */
        d->table[0] = zcalloc(((size_t)1 << DICT_MIN_EXP) * sizeof(struct dict_node *));
        d->exp[0] = DICT_MIN_EXP;
    }
    int t = dict_is_rehashing(d) ? 1 : 0;
    size_t idx = h & tmask(d, t);
    n->next = d->table[t][idx];
    d->table[t][idx] = n;
    d->used[t]++;
}

void
dict_pos_replace(struct dict_pos *pos, struct dict_node *n)
{
    struct dict_node *old = *pos->link;
    if (old == n)
        return;
    n->next = old->next;
    *pos->link = n;
}

struct dict_node *
dict_pos_remove(struct dict *d, struct dict_pos *pos)
{
    struct dict_node *n = *pos->link;
    *pos->link = n->next;
    n->next = NULL;
    d->used[pos->t]--;
    if (dict_size(d) == 0)
        release_tables(d); /* an empty dict holds no memory: used_memory returns to baseline */
    else
        dict_shrink_if_needed(d);
    return n;
}

struct dict_node *
dict_remove(struct dict *d, const char *key, size_t len, uint64_t h)
{
    struct dict_pos pos;
    if (!dict_lookup(d, key, len, h, &pos))
        return NULL;
    return dict_pos_remove(d, &pos);
}

void
dict_foreach(struct dict *d, void (*fn)(struct dict_node *n, void *ctx), void *ctx)
{
    for (int t = 0; t < 2; t++) {
        size_t size = tsize(d, t);
        for (size_t i = 0; i < size; i++) {
            struct dict_node *n = d->table[t][i];
            while (n) {
                struct dict_node *next = n->next;
                fn(n, ctx);
                n = next;
            }
        }
    }
}

/* ---- SCAN ---- */

static inline unsigned long long
rev64(unsigned long long v)
{
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    return __builtin_bswap64(v);
}

static void
visit_bucket(struct dict_node *n, void (*fn)(struct dict_node *n, void *ctx), void *ctx)
{
    while (n) {
        struct dict_node *next = n->next;
        fn(n, ctx);
        n = next;
    }
}

/* What a scan step does with each bucket it visits: the pointer that holds its first node. */
typedef void bucket_fn(struct dict_node **head, void *arg);

/* The cursor counts with its bits reversed, so it walks from the high bits of the bucket
 * index down: a bucket of a 2^k table and its expansions in a 2^(k+j) table then come at
 * consecutive cursor values, which is why a resize between calls neither repeats a whole
 * table nor skips a bucket. */
static unsigned long long
scan_step(struct dict *d, unsigned long long v, bucket_fn *fn, void *arg)
{
    if (dict_size(d) == 0)
        return 0;
    if (!dict_is_rehashing(d)) {
        unsigned long long m0 = tmask(d, 0);
        fn(&d->table[0][v & m0], arg);
        v |= ~m0;
        v = rev64(v);
        v++;
        v = rev64(v);
        return v;
    }
    int small = d->exp[0] <= d->exp[1] ? 0 : 1, large = 1 - small;
    unsigned long long m0 = tmask(d, small), m1 = tmask(d, large);
    fn(&d->table[small][v & m0], arg);
    /* Then every bucket of the larger table that the small bucket expands to. */
    do {
        fn(&d->table[large][v & m1], arg);
        v |= ~m1;
        v = rev64(v);
        v++;
        v = rev64(v);
    } while (v & (m0 ^ m1));
    return v;
}

struct visit_arg {
    void (*fn)(struct dict_node *n, void *ctx);
    void *ctx;
};

static void
scan_bucket(struct dict_node **head, void *arg)
{
    struct visit_arg *va = arg;
    visit_bucket(*head, va->fn, va->ctx);
}

unsigned long long
dict_scan(struct dict *d, unsigned long long v, void (*fn)(struct dict_node *n, void *ctx),
          void *ctx)
{
    struct visit_arg va = {fn, ctx};
    return scan_step(d, v, scan_bucket, &va);
}

struct move_arg {
    dict_move_fn *fn;
    void *ctx;
};

/* Walk the chain by the links themselves, so a moved node is stored where its predecessor (or
 * the bucket) pointed, and the walk goes on from the copy's next pointer. */
static void
move_bucket(struct dict_node **link, void *arg)
{
    struct move_arg *ma = arg;

    while (*link) {
        struct dict_node *n = *link, *m = ma->fn(n, ma->ctx);
        if (m != NULL && m != n)
            *link = m;
        link = &(*link)->next;
    }
}

unsigned long long
dict_scan_defrag(struct dict *d, unsigned long long v, dict_move_fn *fn, void *ctx)
{
    struct move_arg ma = {fn, ctx};
    return scan_step(d, v, move_bucket, &ma);
}

size_t
dict_defrag_tables(struct dict *d, void *(*move)(void *block, void *ctx), void *ctx)
{
    size_t moved = 0;

    for (int t = 0; t < 2; t++) {
        void *np = d->table[t] ? move(d->table[t], ctx) : NULL;
        if (np != NULL && np != (void *)d->table[t]) {
            d->table[t] = np;
            moved++;
        }
    }
    return moved;
}

/* ---- Random sampling ---- */

struct dict_node *
dict_random(struct dict *d)
{
    if (dict_size(d) == 0)
        return NULL;
    if (dict_is_rehashing(d))
        dict_rehash(d, 1);
    struct dict_node *he;
    do {
        if (dict_is_rehashing(d)) {
            size_t s0 = tsize(d, 0), s1 = tsize(d, 1);
            /* Buckets of table 0 below rehash_idx are empty: draw from the rest. */
            size_t idx = (size_t)d->rehash_idx + dict_rand64() % (s0 + s1 - (size_t)d->rehash_idx);
            he = idx >= s0 ? d->table[1][idx - s0] : d->table[0][idx];
        } else {
            he = d->table[0][dict_rand64() & tmask(d, 0)];
        }
    } while (he == NULL);
    size_t len = 0;
    for (struct dict_node *n = he; n; n = n->next)
        len++;
    size_t pick = dict_rand64() % len;
    while (pick--)
        he = he->next;
    return he;
}

size_t
dict_sample(struct dict *d, struct dict_node **out, size_t n)
{
    size_t size = dict_size(d);
    if (n > size)
        n = size;
    if (n == 0)
        return 0;
    if (dict_is_rehashing(d))
        dict_rehash(d, (int)n);
    int tables = dict_is_rehashing(d) ? 2 : 1;
    size_t maxmask = tmask(d, 0);
    if (tables == 2 && tmask(d, 1) > maxmask)
        maxmask = tmask(d, 1);
    size_t i = dict_rand64() & maxmask, stored = 0, empty_run = 0;
    size_t steps = n * 10;
    while (stored < n && steps--) {
        for (int t = 0; t < tables && stored < n; t++) {
            if (t == 0 && tables == 2 && i < (size_t)d->rehash_idx)
                continue; /* already moved */
            if (i >= tsize(d, t))
                continue;
            struct dict_node *he = d->table[t][i];
            if (he == NULL) {
                /* A long empty run: jump elsewhere rather than crawl a sparse table. */
                if (++empty_run >= 5 && empty_run > n) {
                    i = dict_rand64() & maxmask;
                    empty_run = 0;
                }
                continue;
            }
            empty_run = 0;
            for (; he && stored < n; he = he->next)
                out[stored++] = he;
        }
        i = (i + 1) & maxmask;
    }
    return stored;
}
