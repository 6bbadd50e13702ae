/* objlist.h — list values (objlist.c), with the conventions of objhash.h. */
#ifndef ZMEM_SERVER_OBJLIST_H
#define ZMEM_SERVER_OBJLIST_H

#include <stddef.h>
#include <stdint.h>

#include "object.h"

#define LIST_HEAD 0
#define LIST_TAIL 1

struct qlnode {
    struct qlnode *prev, *next;
    struct pack *p;
};

struct qlist {
    struct qlnode *head, *tail;
    size_t count;
    size_t nodes;
};

/* A new empty list value (packed), and the number of elements of a list. */
void list_new_val(struct val *v);
size_t list_len(const struct kv *l);
/* Push one element at the head or tail. 0, or -1 on allocation failure (list unchanged). */
int list_push(struct kv *l, int where, const char *s, size_t len);
/* Pop one element: fn sees its bytes before they are removed. 0, or -1 when empty. */
int list_pop(struct kv *l, int where, void (*fn)(void *ctx, const char *s, size_t len), void *ctx);
/* Element idx (>= 0 from the head, < 0 from the tail): 1 and its bytes, or 0. */
int list_index(const struct kv *l, long long idx, const char **s, size_t *len);
/* Visit n elements from index start (0 <= start, start + n <= len). */
void list_range(const struct kv *l, size_t start, size_t n,
                void (*fn)(void *ctx, const char *s, size_t len), void *ctx);
/* A deep copy of a list value of encoding enc (COPY), same encoding and node layout; NULL
 * on allocation failure (nothing left allocated). */
void *list_copy(int enc, const void *ptr);

/* A read position walking from the head (LIST_HEAD) or the tail; valid while the list does
 * not change. */
struct list_iter {
    int where;
    const struct qlnode *node; /* quicklist: the node walked, NULL for a pack */
    const struct pack *p;
    long off; /* the next element's position in p, -1 when p is done */
};
void list_iter_init(struct list_iter *it, const struct kv *l, int where);
/* The next element: 1 and its bytes, or 0 at the end. */
int list_iter_next(struct list_iter *it, const char **s, size_t *len);
/* LSET: replace element idx (negative: from the tail). 1, 0 when out of range, -1 on allocation
 * failure (list unchanged). */
int list_set(struct kv *l, long long idx, const char *s, size_t len);
/* LINSERT: insert s before (after 0) or after the first element equal to pivot. 1, 0 when there
 * is no such element, -1 on allocation failure (list unchanged). */
int list_insert(struct kv *l, const char *pivot, size_t pl, int after, const char *s, size_t len);
/* LREM: remove elements equal to s, the first count from the head (count > 0), the last -count
 * from the tail (count < 0) or all (0). Returns how many went; the list may end up empty. */
size_t list_remove_equal(struct kv *l, long long count, const char *s, size_t len);
/* LTRIM: keep only the n >= 1 elements from index start (start + n <= list_len). */
void list_trim(struct kv *l, size_t start, size_t n);
/* Free a list value; the allocations freeing it costs (lazy free's measure); its allocator
 * bytes, a node list's nodes estimated from `samples` of them (0: all). */
void list_free(int enc, void *ptr);
size_t list_free_effort(int enc, const void *ptr);
size_t list_memory(int enc, const void *ptr, long long samples);

#endif
