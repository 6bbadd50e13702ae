/* buf — a growable byte buffer on zmalloc, used for query input and reply output.
 *
 * Allocation failure does not abort: growth uses ztryrealloc and, on failure, sets a sticky
 * error flag and drops the write, so a reply writer never checks each call; the owner checks
 * buf->oom once per command (and drops the client or answers with an error). */
#ifndef ZMEM_PROTOCOL_BUF_H
#define ZMEM_PROTOCOL_BUF_H

#include <stddef.h>

struct buf {
    char *data; /* zmalloc'd, NULL while empty and never grown */
    size_t len; /* bytes in use, from data[0] */
    size_t cap; /* usable bytes of data (the allocator's usable size) */
    size_t pos; /* consumer offset: bytes before pos are done with (sent or parsed) */
    int oom;    /* sticky: a growth failed and a write was dropped */
    int cat;    /* zmalloc category the block is counted in (kept by buf_free); 0: the caller's */
};

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0, 0, 0, 0                                                                        \
    }

/* Make room for at least n more bytes after len, growing geometrically. Returns 0, or -1
 * (and sets oom). */
int buf_reserve(struct buf *b, size_t n);
/* Make room for n more bytes after len with no geometric slack (only the allocator's size
 * class): for one large announced bulk (see resp_parse_want()). Returns 0, or -1 (sets oom). */
int buf_reserve_exact(struct buf *b, size_t n);
/* Append len bytes. Once oom is set every append is dropped, so the content never has a
 * hole in the middle: it is a prefix of what was written. */
void buf_append(struct buf *b, const void *p, size_t len);
/* Append a NUL-terminated string (the NUL is not stored). */
void buf_append_str(struct buf *b, const char *s);
/* Append printf-style text: not for hot paths. */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop the bytes before pos, moving the rest to the front (pos becomes 0). */
void buf_compact(struct buf *b);
/* Forget all content but keep the allocation; clears oom (the dropped write went with it). */
void buf_clear(struct buf *b);
/* Free the allocation and reset to BUF_INIT. */
void buf_free(struct buf *b);
/* Shrink the allocation to at most max(len - pos, keep) bytes (after compacting); frees it when
 * empty and keep is 0. Used to trim idle clients' buffers. */
void buf_trim(struct buf *b, size_t keep);
/* Bytes this buffer holds from the allocator (its zmalloc_size, 0 when unallocated). */
size_t buf_alloc_size(const struct buf *b);

#endif
