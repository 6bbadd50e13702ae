/* dict — a chained hash table of intrusive nodes: the caller's entry starts with a struct
 * dict_node, so a key costs one bucket pointer and no separate table entry. Power-of-two
 * tables, incremental rehashing (two tables while it runs), a reverse-binary SCAN cursor
 * that never misses an element present for the whole scan, and random sampling. */
#ifndef ZMEM_SERVER_DICT_H
#define ZMEM_SERVER_DICT_H

#include <stddef.h>
#include <stdint.h>

/* First member of every entry kept in a dict. The dict owns `next`; nothing else may touch it. */
struct dict_node {
    struct dict_node *next;
};

/* Returns the key bytes of an entry (its length in *len). */
typedef const char *dict_key_fn(const struct dict_node *n, size_t *len);

struct dict {
    dict_key_fn *key;
    struct dict_node **table[2]; /* table[1] is only used while rehashing */
    size_t used[2];
    long long rehash_idx; /* next bucket of table[0] to move; -1 when not rehashing */
    uint8_t exp[2];       /* log2 of each table's bucket count (table NULL: no buckets) */
};

/* Where dict_lookup() found a key: valid only until the next call on the same dict. */
struct dict_pos {
    struct dict_node **link; /* the pointer that references the node */
    int t;                   /* table it is in */
};

/* Seed the hash function (16 random bytes). Called once at start; until then a fixed seed. */
void dict_seed(const uint8_t seed[16]);
/* SipHash-1-2 of the bytes under the current seed. */
uint64_t dict_hash(const void *key, size_t len);
/* Fast pseudo-random numbers for sampling (not for secrets); main thread only. */
uint64_t dict_rand64(void);
void dict_rand_seed(uint64_t s);

/* An empty dict (no table allocated until the first insert). */
void dict_init(struct dict *d, dict_key_fn *key);
/* A zmalloc'd empty dict; free it with dict_destroy() after emptying it. */
struct dict *dict_create(dict_key_fn *key);
/* Free the tables and the struct of a dict_create()d dict. Nodes are the caller's: call
 * dict_clear() first if it still holds any. */
void dict_destroy(struct dict *d);
/* Call free_fn on every node (it may free the node), then release the tables. */
void dict_clear(struct dict *d, void (*free_fn)(struct dict_node *n, void *ctx), void *ctx);

static inline size_t
dict_size(const struct dict *d)
{
    return d->used[0] + d->used[1];
}

static inline int
dict_is_rehashing(const struct dict *d)
{
    return d->rehash_idx != -1;
}

/* Bucket count of both tables (for overhead figures). */
size_t dict_buckets(const struct dict *d);
/* Allocator bytes of the bucket tables (not the struct, not the nodes). */
size_t dict_table_memory(const struct dict *d);
/* Estimated allocator bytes of all nodes: the mean zmalloc_size() of the first `samples`
 * nodes visited (all of them when samples <= 0 or >= the size) times the size. 0 when empty. */
size_t dict_node_memory(struct dict *d, long long samples);

/* Find a key whose hash is h. Returns 1 and fills *pos, or 0. May move a rehash step first. */
int dict_lookup(struct dict *d, const char *key, size_t len, uint64_t h, struct dict_pos *pos);
/* The node a lookup found. */
static inline struct dict_node *
dict_pos_node(const struct dict_pos *pos)
{
    return *pos->link;
}
/* Find a key, NULL if absent. */
struct dict_node *dict_find(struct dict *d, const char *key, size_t len, uint64_t h);
/* Put node n, whose key has hash h and is not in the dict, in it (may grow the table). */
void dict_insert(struct dict *d, struct dict_node *n, uint64_t h);
/* Put n in place of the node at pos (same key; n may be a reallocated copy of it). */
void dict_pos_replace(struct dict_pos *pos, struct dict_node *n);
/* Take the node at pos out of the dict and return it (not freed). May shrink the table. */
struct dict_node *dict_pos_remove(struct dict *d, struct dict_pos *pos);
/* Find and remove; returns the node or NULL. */
struct dict_node *dict_remove(struct dict *d, const char *key, size_t len, uint64_t h);

/* Visit every node (fn must not change the dict). */
void dict_foreach(struct dict *d, void (*fn)(struct dict_node *n, void *ctx), void *ctx);

/* One SCAN step: call fn on every node of the bucket(s) at cursor, return the next cursor
 * (0 when done). fn must not change the dict. Every node present from the first to the last
 * call is visited at least once, whatever resizing happens in between. */
unsigned long long dict_scan(struct dict *d, unsigned long long cursor,
                             void (*fn)(struct dict_node *n, void *ctx), void *ctx);

/* Active defragmentation. A move function gets a node and returns its new address (a moved
 * copy, the old block freed), or NULL / n itself when it left the node where it was. */
typedef struct dict_node *dict_move_fn(struct dict_node *n, void *ctx);
/* A SCAN step (same cursor and guarantees as dict_scan) that offers every node of the visited
 * bucket(s) to fn and stores a moved node's new address in the link that referenced it. fn may
 * move the node (and fix pointers to it held outside the dict) but must not otherwise change
 * the dict. */
unsigned long long dict_scan_defrag(struct dict *d, unsigned long long cursor, dict_move_fn *fn,
                                    void *ctx);
/* Offer the bucket table(s) to move (same contract: new address, or NULL when not moved).
 * Returns how many moved. Only the dict holds pointers to its tables. */
size_t dict_defrag_tables(struct dict *d, void *(*move)(void *block, void *ctx), void *ctx);

/* A random node (NULL when empty). Chains make it slightly uneven, as in Redis. */
struct dict_node *dict_random(struct dict *d);
/* Up to n nodes from consecutive buckets at a random position (eviction sampling). Fewer when
 * the dict is small or sparse. Returns how many were written to out. */
size_t dict_sample(struct dict *d, struct dict_node **out, size_t n);

/* Move up to n buckets of an ongoing rehash. Returns 1 if rehashing continues. */
int dict_rehash(struct dict *d, int n);
/* Rehash for about us microseconds. Returns buckets moved / 100 steps done. */
int dict_rehash_us(struct dict *d, int64_t us);
/* Start shrinking when the table is under 1/8 full (cron). Returns 1 if a resize started. */
int dict_shrink_if_needed(struct dict *d);

#endif
