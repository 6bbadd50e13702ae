/* objhash.h — hash values (objhash.c). h is the entry; functions may change its encoding and
 * pointer in place (both encodings keep a pointer in the same slot, so the entry never moves). */
#ifndef ZMEM_SERVER_OBJHASH_H
#define ZMEM_SERVER_OBJHASH_H

#include <stddef.h>
#include <stdint.h>

#include "object.h"
#include "dict.h"

struct hfield {
    struct dict_node node;
    uint32_t flen, vlen;
    char data[]; /* field, then value */
};

/* A new empty hash value (packed). */
void hash_new_val(struct val *v);
/* Number of fields. */
size_t hash_len(const struct kv *h);
/* Look a field up: 1 and its value, or 0. The bytes stay valid until the hash changes. */
int hash_get(const struct kv *h, const char *f, size_t fl, const char **v, size_t *vl);
/* Set a field: 1 if it was added, 0 if updated, -1 on allocation failure (hash unchanged). */
int hash_set(struct kv *h, const char *f, size_t fl, const char *v, size_t vl);
/* 1 if the field was deleted. */
int hash_del(struct kv *h, const char *f, size_t fl);
/* Visit every field and value. fn must not change the hash. */
void hash_foreach(const struct kv *h,
                  void (*fn)(void *ctx, const char *f, size_t fl, const char *v, size_t vl),
                  void *ctx);
/* One HSCAN step, as set_scan() (objset.h): a table visits the bucket(s) at cursor and returns
 * the next cursor, a pack visits every field and returns 0. fn must not change the hash. */
typedef void hash_visit_fn(void *ctx, const char *f, size_t fl, const char *v, size_t vl);
unsigned long long hash_scan(const struct kv *h, unsigned long long cursor, hash_visit_fn *fn,
                             void *ctx);
/* A deep copy of a hash value of encoding enc (COPY), same encoding; NULL on allocation
 * failure (nothing left allocated). */
void *hash_copy(int enc, const void *ptr);

/* A uniformly random field and its value (a table's chains make it slightly uneven, as in
 * Redis); the hash must not be empty. The bytes stay valid until the hash changes. */
void hash_random(const struct kv *h, const char **f, size_t *fl, const char **v, size_t *vl);
/* Free a hash value; the allocations freeing it costs (lazy free's measure); its allocator
 * bytes, a table's fields estimated from `samples` of them (0: all). */
void hash_free(int enc, void *ptr);
size_t hash_free_effort(int enc, const void *ptr);
size_t hash_memory(int enc, const void *ptr, long long samples);

#endif
