/* strpin — pins on raw string buffers. A reply that sends a stored string's bytes without
 * copying them (core/reply.c) pins the buffer for as long as the bytes are owed. While pinned,
 * a buffer is never freed nor written: val_free() of a pinned buffer only marks it orphaned
 * (the last unpin frees it), and writers that change a string in place copy it first
 * (strpin_is_pinned()). The pin records belong to their owners (embedded in reply nodes), so
 * pinning allocates nothing. */
#ifndef ZMEM_SERVER_STRPIN_H
#define ZMEM_SERVER_STRPIN_H

#include <stddef.h>

struct str;

/* One pin: owned and placed by the pinner, linked into the table while it is held. */
struct strpin {
    struct strpin *next;
    struct str *s;
    int orphaned; /* s left the keyspace while pinned: freed with its last pin */
};

/* Pin s with the record p (event-loop thread only). */
void strpin_add(struct strpin *p, struct str *s);
/* Drop the pin p; frees its buffer when that was its last pin and the buffer was orphaned
 * (event-loop thread only). */
void strpin_remove(struct strpin *p);
/* 1 when s has a pin (event-loop thread only): it must be copied before a write. */
int strpin_is_pinned(const struct str *s);
/* Hand s over to its pins if it has any: 1 and s is freed by its last unpin, else 0 and the
 * caller frees it. Any thread (the lazy free thread calls it through val_free()). */
int strpin_orphan(struct str *s);
/* Pins held now (tests, DEBUG). */
size_t strpin_count(void);

#endif
