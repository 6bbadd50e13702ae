/* zskiplist — the "skiplist" encoding of big sorted sets (objzset.c's only user): a skiplist
 * with spans (ranks in O(log n)), whose nodes are also the entries of a dict keyed by member.
 * One block per element: dict link, score, back pointer, levels, then the member bytes. */
#ifndef ZMEM_SERVER_ZSKIPLIST_H
#define ZMEM_SERVER_ZSKIPLIST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dict.h"

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
    uint32_t length; /* spans are 32-bit: at most UINT32_MAX - 1 elements */
    uint32_t level;
};

static inline struct zsnode **
zs_fwd(const struct zsnode *n)
{
    return (struct zsnode **)(void *)((char *)(uintptr_t)n + sizeof(*n));
}

/* Steps at level 0 from n to its forward node at each level. */
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

/* Byte order of members (memcmp, then the shorter first), and the order of elements: by
 * score, then by member. Shared with the packed form. */
static inline int
zs_mem_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

static inline int
zs_elem_cmp(double as, const char *am, size_t al, double bs, const char *bm, size_t bl)
{
    if (as < bs)
        return -1;
    if (as > bs)
        return 1;
    return zs_mem_cmp(am, al, bm, bl);
}

/* An empty skiplist (aborts on failure: two small blocks). */
struct zset *zsl_create(void);
/* Free every node, the tables and z. */
void zsl_free(struct zset *z);
/* Add a member known to be absent. 0, or -1 on allocation failure (z unchanged). */
int zsl_insert(struct zset *z, double score, const char *m, size_t ml);
/* The node of member m, NULL if absent. */
struct zsnode *zsl_find(struct zset *z, const char *m, size_t ml);
/* Give node n a new score (moves it if the order needs it; never allocates). */
void zsl_update(struct zset *z, struct zsnode *n, double score);
/* Remove node n from the list and the dict, and free it. */
void zsl_delete(struct zset *z, struct zsnode *n);
/* 0-based rank of node n. */
size_t zsl_rank(const struct zset *z, const struct zsnode *n);
/* The node at 0-based rank, NULL past the end. */
struct zsnode *zsl_at(const struct zset *z, size_t rank);
/* Elements walking up while their score is below s (or equal, inclusive) / their member is
 * below m: the rank where such a range boundary falls. */
size_t zsl_count_score(const struct zset *z, double s, int inclusive);
size_t zsl_count_lex(const struct zset *z, const char *m, size_t ml, int inclusive);
/* Allocator bytes: struct, head, tables, and nodes estimated from `samples` (0: all). */
size_t zsl_memory(const struct zset *z, long long samples);

/* Active defragmentation: node old was moved to n (a byte copy; old is freed and only its
 * address is used). Repoints every forward link, the next node's back pointer or the tail.
 * The dict link is the caller's (dict_scan_defrag). O(log n). */
void zsl_node_moved(struct zset *z, const struct zsnode *old, struct zsnode *n);
/* The head block was moved to head. */
void zsl_head_moved(struct zset *z, struct zsnode *head);

#endif
