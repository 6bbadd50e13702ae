/* objset.h — set values (objset.c), with the conventions of objhash.h: functions may change the
 * encoding and pointer of the entry in place. Members are handed out as bytes; an intset member
 * is printed into the caller's ibuf (>= 24 bytes) first. */
#ifndef ZMEM_SERVER_OBJSET_H
#define ZMEM_SERVER_OBJSET_H

#include <stddef.h>
#include <stdint.h>

#include "object.h"
#include "dict.h"

struct smember {
    struct dict_node node;
    uint32_t len;
    char data[];
};

/* A new empty set value for a first member s and about `hint` members to come: an intset
 * when s is an integer, a pack when the members may fit one, else a table. */
void set_new_val(struct val *v, const char *s, size_t len, size_t hint);
/* Number of members. */
size_t set_len(const struct kv *s);
/* Add a member: 1 if added, 0 if present, -1 on allocation failure (set unchanged). */
int set_add(struct kv *s, const char *m, size_t ml);
/* 1 if the member was removed. */
int set_del(struct kv *s, const char *m, size_t ml);
/* 1 if m is a member. */
int set_has(const struct kv *s, const char *m, size_t ml);
/* A uniformly random member (a table's chains make it slightly uneven, as in Redis); the set
 * must not be empty. The bytes stay valid until the set changes. */
const char *set_random(const struct kv *s, size_t *len, char *ibuf);
/* Remove a random member; fn sees its bytes first. 0, or -1 when empty. */
int set_pop(struct kv *s, void (*fn)(void *ctx, const char *m, size_t ml), void *ctx);
/* n distinct random members (at most set_len), each visited once. 0, or -1 before any visit
 * when the scratch array could not be allocated. */
int set_random_distinct(const struct kv *s, size_t n,
                        void (*fn)(void *ctx, const char *m, size_t ml), void *ctx);
/* Visit every member. fn must not change the set. */
void set_foreach(const struct kv *s, void (*fn)(void *ctx, const char *m, size_t ml), void *ctx);
/* One SSCAN step: a table visits the members of the bucket(s) at cursor and returns the next
 * cursor (dict_scan's guarantees); the packed encodings visit every member and return 0,
 * whatever the cursor. fn must not change the set; an intset member's bytes are valid only
 * during its call. */
unsigned long long set_scan(const struct kv *s, unsigned long long cursor,
                            void (*fn)(void *ctx, const char *m, size_t ml), void *ctx);
/* A deep copy of a set value of encoding enc (COPY), same encoding; NULL on allocation
 * failure (nothing left allocated). */
void *set_copy(int enc, const void *ptr);
/* Free a set value; the allocations freeing it costs (lazy free's measure); its allocator
 * bytes, a table's estimated from `samples` members (0: all). */
void set_free(int enc, void *ptr);
size_t set_free_effort(int enc, const void *ptr);
size_t set_memory(int enc, const void *ptr, long long samples);

#endif
