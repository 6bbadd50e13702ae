/* zskiplist.c — the skiplist of zskiplist.h: Redis's structure (levels with probability 1/4,
 * spans for ranks, a back pointer for reverse walks), with the dict link and the member in
 * the node itself so an element is one allocation. */
#include "zskiplist.h"

#include "zmalloc.h"

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

struct zset *
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
    return zs_elem_cmp(n->score, zs_mem(n), n->len, score, m, ml);
}

/* Put node n (not in the list) in its place. On the way down, update[i] is the last node
 * before n at level i and rank[i] its rank; the spans around n follow from those. */
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

size_t
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

struct zsnode *
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

size_t
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

size_t
zsl_count_lex(const struct zset *z, const char *m, size_t ml, int inclusive)
{
    size_t rank = 0;
    const struct zsnode *x = z->head;
    struct zsnode *f;
    for (int i = (int)z->level - 1; i >= 0; i--) {
        int c;
        while ((f = zs_fwd(x)[i]) &&
               ((c = zs_mem_cmp(zs_mem(f), f->len, m, ml)) < 0 || (inclusive && c == 0))) {
            rank += zs_span(x)[i];
            x = f;
        }
    }
    return rank;
}

void
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

int
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
void
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

struct zsnode *
zsl_find(struct zset *z, const char *m, size_t ml)
{
    return (struct zsnode *)dict_find(&z->dict, m, ml, dict_hash(m, ml));
}

void
zsl_delete(struct zset *z, struct zsnode *n)
{
    dict_remove(&z->dict, zs_mem(n), n->len, dict_hash(zs_mem(n), n->len));
    zsl_unlink(z, n);
    zfree(n);
}

size_t
zsl_memory(const struct zset *z, long long samples)
{
    size_t n = z->length, limit = samples > 0 && (size_t)samples < n ? (size_t)samples : n;
    size_t seen = 0, bytes = 0;
    for (const struct zsnode *x = zs_fwd(z->head)[0]; x && seen < limit; x = zs_fwd(x)[0]) {
        bytes += zmalloc_size(x);
        seen++;
    }
    /* Every node seen: the exact sum (the float scaling can round it down by a byte). */
    size_t nodes = seen == n ? bytes : seen ? (size_t)((double)bytes / seen * n) : 0;
    return zmalloc_size(z) + zmalloc_size(z->head) + dict_table_memory(&z->dict) + nodes;
}

/* ---- Active defragmentation ---- */

void
zsl_node_moved(struct zset *z, const struct zsnode *old, struct zsnode *n)
{
    struct zsnode *x = z->head;

    /* The same descent as a search for n's element; old is only compared by address (its block
     * is already freed), n holds the same score and member. */
    for (int i = (int)z->level - 1; i >= 0; i--) {
        struct zsnode *f;
        while ((f = zs_fwd(x)[i]) != NULL && f != old &&
               node_cmp(f, n->score, zs_mem(n), n->len) < 0)
            x = f;
        if (zs_fwd(x)[i] == old)
            zs_fwd(x)[i] = n;
    }
    if (zs_fwd(n)[0] != NULL)
        zs_fwd(n)[0]->back = n;
    else
        z->tail = n;
}

void
zsl_head_moved(struct zset *z, struct zsnode *head)
{
    /* No back pointer names the head (the first element's is NULL): only z does. */
    z->head = head;
}
