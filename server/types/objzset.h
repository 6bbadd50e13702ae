/* objzset.h — sorted-set values (objzset.c). Elements are ordered by score, then by member
 * bytes. A score of -0 is stored as 0 (what Redis 7.0 answers for it). */
#ifndef ZMEM_SERVER_OBJZSET_H
#define ZMEM_SERVER_OBJZSET_H

#include <stddef.h>
#include <stdint.h>

#include "object.h"

/* zset_add flags in and results out (Redis's ZADD_IN_* / ZADD_OUT_*). */
#define ZADD_INCR 1
#define ZADD_NX   2
#define ZADD_XX   4
#define ZADD_GT   8
#define ZADD_LT   16

#define ZADD_OUT_NOP     1 /* nothing done (NX, XX, GT, LT said no) */
#define ZADD_OUT_NAN     2 /* the increment made NaN: nothing done */
#define ZADD_OUT_ADDED   4 /* a new member */
#define ZADD_OUT_UPDATED 8 /* an existing member got a new score */

/* A score interval: ZCOUNT, ZRANGE BYSCORE. */
struct zscore_range {
    double min, max;
    int minex, maxex; /* exclusive ends: "(1" */
};

/* A member interval: ZLEXCOUNT, ZRANGE BYLEX. An end of kind -1 is "-", 1 is "+". */
struct zlex_bound {
    int kind; /* -1, 0 (a member), 1 */
    int ex;   /* "(" */
    const char *s;
    size_t len;
};

/* An element read from a sorted set: the member bytes stay valid until it changes. */
struct zelem {
    const char *m;
    size_t ml;
    double score;
};

/* A read position in a sorted set, walking up (rev 0) or down by rank. */
struct zset_iter {
    const struct kv *z;
    int rev;
    long off;   /* packed: offset of the member, -1 at the end */
    void *node; /* skiplist: the node, NULL at the end */
};

/* A new empty sorted set value (packed), and the number of its elements. */
void zset_new_val(struct val *v);
size_t zset_len(const struct kv *z);
/* Parse a score as ZADD does (strtod rules, inf allowed, NaN and out-of-range refused). 0/-1. */
int zset_parse_score(const char *s, size_t len, double *out);
/* Parse ZCOUNT/BYSCORE ends ("(1.5", "-inf"); 0, or -1 when not a float. */
int zset_parse_range(const char *min, size_t minl, const char *max, size_t maxl,
                     struct zscore_range *r);
/* Parse a BYLEX end ("-", "+", "[a", "(a"); 0, or -1. */
int zset_parse_lex(const char *s, size_t len, struct zlex_bound *b);
/* Look a member up: 1 and its score, or 0. */
int zset_score(const struct kv *z, const char *m, size_t ml, double *score);
/* ZADD one element with the ZADD_* flags; *out gets the ZADD_OUT_* result and *newscore the
 * score the member has afterwards (when added or updated). 0, or -1 on allocation failure
 * (the set unchanged). */
int zset_add(struct kv *z, double score, const char *m, size_t ml, int flags, int *out,
             double *newscore);
/* 1 if the member was removed. */
int zset_del(struct kv *z, const char *m, size_t ml);
/* Remove n elements from 0-based rank `rank` upwards (rank + n <= zset_len). */
void zset_del_range(struct kv *z, size_t rank, size_t n);
/* 0-based rank from the lowest (rev: from the highest), -1 if absent. */
long long zset_rank(const struct kv *z, const char *m, size_t ml, int rev);
/* Elements with a score below r's lower end / up to its upper end: the ranks [lo, hi) are the
 * elements in the range. */
void zset_score_span(const struct kv *z, const struct zscore_range *r, size_t *lo, size_t *hi);
/* The same for a member interval (meaningful when all scores are equal, as in Redis). */
void zset_lex_span(const struct kv *z, const struct zlex_bound *min, const struct zlex_bound *max,
                   size_t *lo, size_t *hi);
/* Start at rank `rank` (counted from the top when rev). */
void zset_iter_init(struct zset_iter *it, const struct kv *z, size_t rank, int rev);
/* The next element: 1, or 0 at the end. */
int zset_iter_next(struct zset_iter *it, struct zelem *e);
/* One ZSCAN step, as set_scan() (objset.h): a skiplist visits the bucket(s) at cursor of its
 * member dict and returns the next cursor, a pack visits every element in order and returns
 * 0. fn must not change the set. */
unsigned long long zset_scan(const struct kv *z, unsigned long long cursor,
                             void (*fn)(void *ctx, const char *m, size_t ml, double score),
                             void *ctx);
/* A deep copy of a sorted set value of encoding enc (COPY), same encoding; NULL on
 * allocation failure (nothing left allocated). */
void *zset_copy(int enc, const void *ptr);
/* As for sets: free, free effort, allocator bytes (a skiplist estimated from `samples`). */
void zset_free(int enc, void *ptr);
size_t zset_free_effort(int enc, const void *ptr);
size_t zset_memory(int enc, const void *ptr, long long samples);

#endif
