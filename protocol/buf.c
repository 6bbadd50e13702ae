/* buf — a growable byte buffer on zmalloc, for query input and reply output.
 *
 * Growth never aborts: it goes through ztryrealloc and, when that fails, sets the sticky oom
 * flag and drops the write. The capacity is always the allocator's usable size of the block,
 * so the slack of a size class is used instead of wasted. */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "zmalloc.h"

/* Smallest block we ask for: avoids a realloc per byte for tiny replies. */
#define BUF_MIN_ALLOC 64
/* Below this size a buffer doubles when it grows; above it, it grows by half. Doubling a
 * 100 MB reply buffer would waste up to 100 MB; 1.5x keeps growth geometric (amortised
 * O(1) per byte) with less slack. */
#define BUF_DOUBLE_LIMIT (1024 * 1024)

/* Resize the block to hold at least newcap bytes, or, when that fails and fallback is
 * smaller, at least fallback bytes: the geometric step may be what did not fit. */
/* Allocate and free a buffer's block in its own category, whoever calls. */
static int
cat_enter(const struct buf *b)
{
    return b->cat ? zmalloc_category_set(b->cat) : -1;
}

static void
cat_leave(int prev)
{
    if (prev >= 0)
        zmalloc_category_set(prev);
}

static int
buf_realloc(struct buf *b, size_t newcap, size_t fallback)
{
    size_t usable;
    int prev = cat_enter(b);
    char *p = ztryrealloc_usable(b->data, newcap, &usable);

    if (p == NULL && fallback < newcap)
        p = ztryrealloc_usable(b->data, fallback, &usable);
    cat_leave(prev);
    if (p == NULL) {
        b->oom = 1;
        return -1;
    }
    b->data = p;
    b->cap = usable;
    return 0;
}

/* Make room for n more bytes: geometric growth, or just n (plus size-class slack) when exact. */
static int
buf_grow(struct buf *b, size_t n, int exact)
{
    size_t need, grow;

    if (b->cap - b->len >= n)
        return 0;
    if (n > SIZE_MAX / 2 - b->len) {
        b->oom = 1;
        return -1;
    }
    need = b->len + n;
    grow = need;
    if (!exact) {
        grow = b->cap < BUF_DOUBLE_LIMIT ? b->cap * 2 : b->cap + b->cap / 2;
        if (grow < need)
            grow = need;
        if (grow < BUF_MIN_ALLOC)
            grow = BUF_MIN_ALLOC;
    }
    return buf_realloc(b, grow, need);
}

int
buf_reserve(struct buf *b, size_t n)
{
    return buf_grow(b, n, 0);
}

int
buf_reserve_exact(struct buf *b, size_t n)
{
    return buf_grow(b, n, 1);
}

void
buf_append(struct buf *b, const void *p, size_t len)
{
    /* Once a write was dropped the content is no longer a valid stream: drop the rest too,
     * rather than emit a reply with a hole in it. */
    if (b->oom || buf_reserve(b, len) != 0)
        return;
    if (len)
        memcpy(b->data + b->len, p, len);
    b->len += len;
}

void
buf_append_str(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->oom)
        return;
    va_start(ap, fmt);
    n = vsnprintf(b->data ? b->data + b->len : NULL, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) {
        /* Did not fit: make room for the text and its NUL, then format again. */
        if (buf_reserve(b, (size_t)n + 1) != 0)
            return;
        va_start(ap, fmt);
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
    }
    b->len += (size_t)n;
}

void
buf_compact(struct buf *b)
{
    if (b->pos == 0)
        return;
    if (b->pos < b->len)
        memmove(b->data, b->data + b->pos, b->len - b->pos);
    b->len -= b->pos;
    b->pos = 0;
}

void
buf_clear(struct buf *b)
{
    b->len = 0;
    b->pos = 0;
    b->oom = 0;
}

void
buf_free(struct buf *b)
{
    int prev = cat_enter(b);

    zfree(b->data);
    cat_leave(prev);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->pos = 0;
    b->oom = 0;
}

void
buf_trim(struct buf *b, size_t keep)
{
    size_t target, usable;
    char *p;

    buf_compact(b);
    target = b->len > keep ? b->len : keep;
    if (target == 0) {
        int oom = b->oom;

        buf_free(b);
        b->oom = oom;
        return;
    }
    if (b->data == NULL || b->cap <= target)
        return;
    /* Shrinking may fail or return the same block; either way the content is intact. */
    int prev = cat_enter(b);
    p = ztryrealloc_usable(b->data, target, &usable);
    cat_leave(prev);
    if (p != NULL) {
        b->data = p;
        b->cap = usable;
    }
}

size_t
buf_alloc_size(const struct buf *b)
{
    return b->data ? zmalloc_size(b->data) : 0;
}
