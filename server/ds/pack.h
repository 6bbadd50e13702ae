/* pack — a packed buffer of byte-string elements in one allocation (our listpack): each
 * element is its length as a varint, the bytes, and the length again as a reversed varint so
 * the buffer can be walked from either end. Small hashes and lists live in one of these. */
#ifndef ZMEM_SERVER_PACK_H
#define ZMEM_SERVER_PACK_H

#include <stddef.h>
#include <stdint.h>

struct pack {
    uint32_t bytes; /* bytes of data in use */
    uint32_t count; /* elements */
    unsigned char data[];
};

/* Offsets are byte positions in data; p->bytes is the end position (no element there). */

/* An empty pack (aborts on failure: 8 bytes). */
struct pack *pack_new(void);
/* Bytes one element of len bytes takes encoded. */
size_t pack_elem_size(size_t len);
/* Position of the element after / before the one at off (p->bytes / -1 at the ends). */
size_t pack_next(const struct pack *p, size_t off);
long pack_prev(const struct pack *p, size_t off);
/* Position of the last element, or -1 when empty. */
long pack_last(const struct pack *p);
/* Position of element idx (negative: from the tail, -1 is the last); -1 if out of range. */
long pack_seek(const struct pack *p, long long idx);
/* Position of the first element equal to s among elements 0, stride, 2*stride, ... (stride 1:
 * every element; 2: the keys of key/value pairs); -1 if absent. */
long pack_find(const struct pack *p, size_t stride, const char *s, size_t len);
/* The bytes of the element at off. */
const char *pack_get(const struct pack *p, size_t off, size_t *len);
/* Insert an element before position off (p->bytes appends). Returns the (possibly moved)
 * pack, or NULL when the allocation failed or the pack would pass 4 GiB; p is then intact. */
struct pack *pack_insert(struct pack *p, size_t off, const char *s, size_t len);
/* Replace the element at off. NULL on failure (p intact). */
struct pack *pack_replace(struct pack *p, size_t off, const char *s, size_t len);
/* Remove n elements starting at off. Returns the (possibly moved) pack. */
struct pack *pack_remove(struct pack *p, size_t off, size_t n);
/* A copy of p in a block of its own exact size (COPY). NULL on allocation failure. */
struct pack *pack_dup(const struct pack *p);

/* Move the elements from position off on into a new pack, returned; *p keeps those before
 * off (and may move). NULL when the allocation failed: *p is then intact. */
struct pack *pack_split(struct pack **p, size_t off);
/* Append b's elements to a (b is left as it was). The (possibly moved) a, or NULL on failure
 * (a intact). */
struct pack *pack_concat(struct pack *a, const struct pack *b);

#endif
