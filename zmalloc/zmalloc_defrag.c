/* zmalloc_defrag.c — what an active defragmenter needs from the allocator, on the stock
 * jemalloc 5.3 (no patched jemalloc as Redis bundles): a per-block hint, "would moving this
 * block help?", and a move that takes the copy from the arena directly, bypassing the thread
 * cache; plus raw mallctl access for DEBUG MALLCTL.
 *
 * The hint. jemalloc keeps small blocks in slabs, one size class per slab. Memory is
 * fragmented when many slabs of a class are partly empty: a freed region can only be reused
 * by the same class, and a slab goes back to the OS only when all its regions are free. The
 * experimental.utilization.query mallctl (in stock jemalloc since 5.2) tells, for a pointer,
 * how many regions its slab has and how many are free, the same for the whole bin (the class
 * in the pointer's arena), and where the bin's current slab is: the one new allocations are
 * served from. A block is worth moving when its slab is no fuller than the bin's average (plus
 * 1/8 slack) and is not the current slab: an allocation that bypasses the thread cache is then
 * served from the current slab, which jemalloc chooses among the oldest, fullest ones, so
 * moving the block tends to empty sparse slabs and fill dense ones.
 *
 * On tcmalloc and libc there is no such query: the hint always says no and
 * zmalloc_defrag_supported() is 0. The move itself works everywhere (a plain copy), which lets
 * tests exercise a defragmenter's pointer fix-ups under the sanitizers (libc builds). */
#define _GNU_SOURCE
#include "zmalloc.h"
#include "zmalloc_internal.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#if defined(ZMALLOC_JEMALLOC)
#include <jemalloc/jemalloc.h>
#elif defined(ZMALLOC_TCMALLOC)
#include <gperftools/tcmalloc.h>
#elif defined(ZMALLOC_LIBC)
#include <malloc.h>
#include <stdlib.h>
#endif

#if defined(ZMALLOC_JEMALLOC)
/* experimental.utilization.query's answer (jemalloc's inspect_extent_util_stats_verbose_t). */
struct util_verbose {
    void *slabcur_addr; /* first byte of the bin's current slab, NULL when it has none */
    size_t nfree;       /* free regions in the pointer's slab */
    size_t nregs;       /* regions per slab of this class (1: not a slab, a large block) */
    size_t size;        /* bytes of the pointer's slab (or large extent) */
    size_t bin_nfree;   /* free regions over all slabs of the bin */
    size_t bin_nregs;   /* regions over all slabs of the bin */
};

/* The mallctl's MIB, looked up once: by-name lookups cost a string walk per call. 0 entries:
 * not looked up yet; query_ok -1: jemalloc lacks it. Main-thread use only (the defragmenter
 * runs in the event loop); a race would only look it up twice. */
static size_t query_mib[4];
static size_t query_miblen;
static int query_ok;

static int
util_query(const void *ptr, struct util_verbose *out)
{
    size_t len = sizeof(*out);

    if (query_ok == 0) {
        query_miblen = sizeof(query_mib) / sizeof(query_mib[0]);
        query_ok = mallctlnametomib("experimental.utilization.query", query_mib, &query_miblen) == 0
                       ? 1
                       : -1;
    }
    if (query_ok < 0)
        return -1;
    if (mallctlbymib(query_mib, query_miblen, out, &len, (void *)&ptr, sizeof(ptr)) != 0 ||
        len != sizeof(*out))
        return -1;
    return 0;
}
#endif

int
zmalloc_defrag_supported(void)
{
#if defined(ZMALLOC_JEMALLOC)
    struct util_verbose u;
    void *probe = mallocx(16, MALLOCX_TCACHE_NONE);
    int ok;

    if (probe == NULL)
        return 0;
    /* bin_nregs is 0 when jemalloc was built without statistics: no averages, no hint. */
    ok = util_query(probe, &u) == 0 && u.nregs > 1 && u.bin_nregs > 0;
    dallocx(probe, MALLOCX_TCACHE_NONE);
    return ok;
#else
    return 0;
#endif
}

int
zmalloc_defrag_hint(const void *ptr)
{
#if defined(ZMALLOC_JEMALLOC)
    struct util_verbose u;
    const char *p = ptr, *cur;

    if (ptr == NULL || util_query(ptr, &u) < 0)
        return 0;
    /* Large blocks have pages of their own; a full slab has nothing to give back. */
    if (u.nregs <= 1 || u.nfree == 0 || u.bin_nregs == 0)
        return 0;
    cur = u.slabcur_addr;
    if (cur != NULL && p >= cur && p < cur + u.size)
        return 0; /* the slab being filled: a copy would land next to it */
    /* This slab's used regions against the bin's average per slab, without a division:
     * used * slabs <= bin_used * 9/8. */
    size_t used = u.nregs - u.nfree;
    size_t slabs = u.bin_nregs / u.nregs;
    size_t bin_used = u.bin_nregs - u.bin_nfree;

    return used * slabs <= bin_used + bin_used / 8;
#else
    (void)ptr;
    return 0;
#endif
}

void *
zmalloc_defrag_move(void *ptr)
{
    size_t old_usable, new_usable;
    void *np;

    if (ptr == NULL)
        return NULL;
#if defined(ZMALLOC_JEMALLOC)
    old_usable = sallocx(ptr, 0);
    /* No thread cache either way: the copy comes from the bin's current slab rather than from
     * a cached region (perhaps of the very slab we are emptying), and the old region goes
     * straight back to its slab, where it counts as free at once. */
    np = mallocx(old_usable, MALLOCX_TCACHE_NONE);
    if (np == NULL)
        return NULL;
    new_usable = sallocx(np, 0);
    memcpy(np, ptr, old_usable);
    zmalloc_check_replace_(ptr, np);
    dallocx(ptr, MALLOCX_TCACHE_NONE);
#elif defined(ZMALLOC_TCMALLOC)
    old_usable = tc_malloc_size(ptr);
    np = tc_malloc(old_usable);
    if (np == NULL)
        return NULL;
    new_usable = tc_malloc_size(np);
    memcpy(np, ptr, old_usable);
    zmalloc_check_replace_(ptr, np);
    tc_free(ptr);
#else
    old_usable = malloc_usable_size(ptr);
    np = malloc(old_usable);
    if (np == NULL)
        return NULL;
    new_usable = malloc_usable_size(np);
    memcpy(np, ptr, old_usable);
    zmalloc_check_replace_(ptr, np);
    free(ptr);
#endif
    zmalloc_count_replace_(old_usable, new_usable);
    return np;
}

int
zmalloc_mallctl_int(const char *name, int64_t *old, const int64_t *newval)
{
#if defined(ZMALLOC_JEMALLOC)
    /* Redis 7.0's way, kept for identical answers: start 8 bytes wide and halve on EINVAL (a
     * wrong width). The width travels through mallctl's length argument, which jemalloc
     * shrinks to the option's own width when refusing a read, so a read that fails at 8 goes
     * on at half the option's width and a 4- or 1-byte option cannot be read this way: EINVAL,
     * as Redis answers. Writes keep the width asked, so 4-byte write-only options are found. */
    int64_t o = 0, v = newval ? *newval : 0;
    size_t sz = sizeof(int64_t);

    while (sz > 0) {
        size_t newlen = newval ? sz : 0;
        int ret = mallctl(name, &o, &sz, newval ? &v : NULL, newlen);

        if (ret == 0) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            o >>= 64 - 8 * sz;
#endif
            *old = o;
            return 0;
        }
        if (ret == EPERM && newval) { /* write-only: just write it */
            ret = mallctl(name, NULL, NULL, &v, sz);
            if (ret == 0)
                return ZMALLOC_MALLCTL_WRITTEN;
        }
        if (ret != EINVAL)
            return ret;
        sz /= 2;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v <<= 8 * sz;
#endif
    }
    return EINVAL;
#else
    (void)name;
    (void)old;
    (void)newval;
    return ENOTSUP;
#endif
}

int
zmalloc_mallctl_str(const char *name, const char **old, int write, const char *newval)
{
#if defined(ZMALLOC_JEMALLOC)
    /* Read first, then write separately (as Redis 7.0 does): the old value is answered even
     * when the write is refused; a refused read is an error unless the option is write-only. */
    const char *o = NULL;
    size_t sz = sizeof(o);
    int rret = mallctl(name, &o, &sz, NULL, 0), wret = 0;

    if (rret != 0 && !(rret == EPERM && write))
        return rret;
    if (write)
        wret = newval ? mallctl(name, NULL, NULL, (void *)&newval, sz)
                      : mallctl(name, NULL, NULL, NULL, 0);
    if (rret == 0) {
        *old = o;
        return 0;
    }
    return wret ? wret : ZMALLOC_MALLCTL_WRITTEN;
#else
    (void)name;
    (void)old;
    (void)write;
    (void)newval;
    return ENOTSUP;
#endif
}
