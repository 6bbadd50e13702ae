/* pack.c — the packed element buffer of pack.h. Lengths are LEB128 varints (one byte below
 * 128), mirrored after the element so that walking backwards costs the same as forwards. */
#include "pack.h"

#include <string.h>

#include "zmalloc.h"

static size_t
varint_len(size_t v)
{
    size_t n = 1;
    while (v >= 128) {
        v >>= 7;
        n++;
    }
    return n;
}

/* The varint whose first (lowest) byte is at p and whose further bytes follow in direction
 * step: +1 for the forward copy, -1 for the mirrored one read backwards. Returns its value,
 * its size in *n. */
static size_t
varint_read_dir(const unsigned char *p, ptrdiff_t step, size_t *n)
{
    size_t v = 0;
    int shift = 0;
    size_t i = 0;
    for (;;) {
        unsigned char b = p[(ptrdiff_t)i * step];
        i++;
        v |= (size_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
    }
    *n = i;
    return v;
}

/* Forward varint at p; returns its value, its size in *n. */
static size_t
varint_read(const unsigned char *p, size_t *n)
{
    return varint_read_dir(p, 1, n);
}

/* The reversed varint that ends just before end. */
static size_t
varint_read_back(const unsigned char *end, size_t *n)
{
    return varint_read_dir(end - 1, -1, n);
}

static void
elem_write(unsigned char *dst, const char *s, size_t len)
{
    size_t vl = varint_len(len), v = len;
    for (size_t i = 0; i < vl; i++) {
        unsigned char b = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (i + 1 < vl)
            b |= 0x80;
        dst[i] = b;                     /* forward */
        dst[vl + len + vl - 1 - i] = b; /* mirrored */
    }
    if (len)
        memcpy(dst + vl, s, len);
}

struct pack *
pack_new(void)
{
    struct pack *p = zmalloc(sizeof(*p));
    p->bytes = 0;
    p->count = 0;
    return p;
}

size_t
pack_elem_size(size_t len)
{
    return 2 * varint_len(len) + len;
}

size_t
pack_next(const struct pack *p, size_t off)
{
    size_t n, len = varint_read(p->data + off, &n);
    return off + 2 * n + len;
}

long
pack_prev(const struct pack *p, size_t off)
{
    if (off == 0)
        return -1;
    size_t n, len = varint_read_back(p->data + off, &n);
    return (long)(off - 2 * n - len);
}

long
pack_last(const struct pack *p)
{
    return p->count ? pack_prev(p, p->bytes) : -1;
}

long
pack_seek(const struct pack *p, long long idx)
{
    if (idx >= 0) {
        if ((unsigned long long)idx >= p->count)
            return -1;
        size_t off = 0;
        while (idx--)
            off = pack_next(p, off);
        return (long)off;
    }
    if ((unsigned long long)(-(idx + 1)) >= p->count)
        return -1;
    long off = (long)p->bytes;
    while (idx++ < 0)
        off = pack_prev(p, (size_t)off);
    return off;
}

const char *
pack_get(const struct pack *p, size_t off, size_t *len)
{
    size_t n;
    *len = varint_read(p->data + off, &n);
    return (const char *)p->data + off + n;
}

long
pack_find(const struct pack *p, size_t stride, const char *s, size_t len)
{
    size_t off = 0;
    while (off < p->bytes) {
        size_t el;
        const char *e = pack_get(p, off, &el);
        if (el == len && memcmp(e, s, len) == 0)
            return (long)off;
        for (size_t i = 0; i < stride; i++)
            off = pack_next(p, off);
    }
    return -1;
}

struct pack *
pack_insert(struct pack *p, size_t off, const char *s, size_t len)
{
    size_t es = pack_elem_size(len);
    if (es > UINT32_MAX - sizeof(*p) - p->bytes)
        return NULL;
    struct pack *np = ztryrealloc(p, sizeof(*p) + p->bytes + es);
    if (np == NULL)
        return NULL;
    memmove(np->data + off + es, np->data + off, np->bytes - off);
    elem_write(np->data + off, s, len);
    np->bytes += (uint32_t)es;
    np->count++;
    return np;
}

struct pack *
pack_replace(struct pack *p, size_t off, const char *s, size_t len)
{
    size_t old = pack_next(p, off) - off, es = pack_elem_size(len);
    if (es > old && es - old > UINT32_MAX - sizeof(*p) - p->bytes)
        return NULL;
    size_t total = p->bytes - old + es;
    if (es > old) {
        struct pack *np = ztryrealloc(p, sizeof(*p) + total);
        if (np == NULL)
            return NULL;
        p = np;
    }
    memmove(p->data + off + es, p->data + off + old, p->bytes - off - old);
    elem_write(p->data + off, s, len);
    p->bytes = (uint32_t)total;
    if (es < old)
        p = zrealloc(p, sizeof(*p) + total); /* shrinking: gives the tail back */
    return p;
}

struct pack *
pack_remove(struct pack *p, size_t off, size_t n)
{
    size_t end = off;
    size_t removed = 0;
    while (removed < n && end < p->bytes) {
        end = pack_next(p, end);
        removed++;
    }
    memmove(p->data + off, p->data + end, p->bytes - end);
    p->bytes -= (uint32_t)(end - off);
    p->count -= (uint32_t)removed;
    return zrealloc(p, sizeof(*p) + p->bytes);
}

struct pack *
pack_dup(const struct pack *p)
{
    struct pack *np = ztrymalloc(sizeof(*p) + p->bytes);
    if (np != NULL)
        memcpy(np, p, sizeof(*p) + p->bytes);
    return np;
}

struct pack *
pack_split(struct pack **p, size_t off)
{
    struct pack *a = *p;
    size_t moved = 0;
    for (size_t o = off; o < a->bytes; o = pack_next(a, o))
        moved++;
    struct pack *b = ztrymalloc(sizeof(*b) + a->bytes - off);
    if (b == NULL)
        return NULL;
    memcpy(b->data, a->data + off, a->bytes - off);
    b->bytes = (uint32_t)(a->bytes - off);
    b->count = (uint32_t)moved;
    a->bytes = (uint32_t)off;
    a->count -= (uint32_t)moved;
    *p = zrealloc(a, sizeof(*a) + off); /* shrinking: gives the tail back */
    return b;
}

struct pack *
pack_concat(struct pack *a, const struct pack *b)
{
    if (b->bytes > UINT32_MAX - sizeof(*a) - a->bytes)
        return NULL;
    struct pack *np = ztryrealloc(a, sizeof(*a) + a->bytes + b->bytes);
    if (np == NULL)
        return NULL;
    memcpy(np->data + np->bytes, b->data, b->bytes);
    np->bytes += b->bytes;
    np->count += b->count;
    return np;
}
