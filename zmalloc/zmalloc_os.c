/* zmalloc_os.c — the slow probes: allocator identity, statistics and purge, and process memory
 * read from /proc and cgroup files. Each costs microseconds to milliseconds (measured figures
 * at each function), so callers sample them on a timer (Redis: 10 Hz) and serve cached values;
 * nothing here belongs on a per-command or per-allocation path. The /proc readers use open and
 * read on a stack buffer, not stdio, so they allocate nothing. */
#define _GNU_SOURCE
#include "zmalloc.h"
/* The functions themselves, not zmalloc.h's argument-count macros of the same names. */
#undef zmalloc_get_private_dirty
#undef zmalloc_get_fragmentation_ratio

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(ZMALLOC_JEMALLOC)
#include <jemalloc/jemalloc.h>
#elif defined(ZMALLOC_TCMALLOC)
#include <gperftools/malloc_extension_c.h>
#include <gperftools/tcmalloc.h>
#elif defined(ZMALLOC_LIBC)
#include <malloc.h>
#endif

/* ======================== Small file helpers ======================== */

/* Read up to cap-1 bytes of a small file and NUL-terminate them. Returns the length, or -1. */
static ssize_t
read_small_file(const char *path, char *buf, size_t cap)
{
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    while (len < cap - 1) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

static size_t
page_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (size_t)page : 4096;
}

/* ======================== Allocator identity ======================== */

static char allocator_name[64] = "libc";
static pthread_once_t allocator_name_once = PTHREAD_ONCE_INIT;

static void
allocator_name_init(void)
{
#if defined(ZMALLOC_JEMALLOC)
    const char *version = NULL;
    size_t len = sizeof(version);

    /* "5.3.0-0-g54eaed1d..." becomes "jemalloc-5.3.0", as Redis's mem_allocator shows it. */
    if (mallctl("version", &version, &len, NULL, 0) == 0 && version)
        snprintf(allocator_name, sizeof(allocator_name), "jemalloc-%.*s",
                 (int)strcspn(version, "-"), version);
    else
        snprintf(allocator_name, sizeof(allocator_name), "jemalloc");
#elif defined(ZMALLOC_TCMALLOC)
    int major = 0, minor = 0;
    const char *patch = NULL;

    tc_version(&major, &minor, &patch);
    snprintf(allocator_name, sizeof(allocator_name), "tcmalloc-%d.%d%s", major, minor,
             patch ? patch : "");
#endif
}

const char *
zmalloc_allocator_name(void)
{
    pthread_once(&allocator_name_once, allocator_name_init);
    return allocator_name;
}

/* ======================== Allocator statistics ======================== */

#if defined(ZMALLOC_JEMALLOC)
static int
je_size(const char *name, size_t *out)
{
    size_t len = sizeof(*out);
    return mallctl(name, out, &len, NULL, 0) == 0 ? 0 : -1;
}
#endif

/* Cost (measured here): jemalloc ~12 us on a small heap, 20-25 us at 600 MB (the epoch
 * refresh dominates); tcmalloc ~12 us (five properties; current_allocated_bytes walks the
 * thread caches); libc ~6 us (one RSS read). The definitions are in zmalloc.h. */
int
zmalloc_get_allocator_info(struct zmalloc_allocator_info *info)
{
    memset(info, 0, sizeof(*info));
#if defined(ZMALLOC_JEMALLOC)
    {
        uint64_t epoch = 1;
        size_t len = sizeof(epoch), pmuzzy = 0, page = 0, allocated = 0;
        char muzzy[64], tcache[64], internal[64];

        /* stats.* are snapshots taken at the last epoch write: refresh them first. */
        mallctl("epoch", &epoch, &len, &epoch, len);
        snprintf(muzzy, sizeof(muzzy), "stats.arenas.%d.pmuzzy", MALLCTL_ARENAS_ALL);
        snprintf(tcache, sizeof(tcache), "stats.arenas.%d.tcache_bytes", MALLCTL_ARENAS_ALL);
        snprintf(internal, sizeof(internal), "stats.arenas.%d.internal", MALLCTL_ARENAS_ALL);
        if (je_size("stats.allocated", &allocated) == 0 &&
            je_size("stats.active", &info->active) == 0 &&
            je_size("stats.resident", &info->resident) == 0 &&
            je_size("stats.retained", &info->retained) == 0) {
            /* Regions that are not the program's: blocks parked in thread caches (a cache
             * fill takes a batch of regions from a bin at once, a free parks the block) and
             * jemalloc's own allocations (every thread's cache stack). stats.allocated counts
             * them because they are taken from its bins; the program holds none of them. */
            (void)je_size(tcache, &info->tcache);
            (void)je_size(internal, &info->internal);
            info->allocated = allocated > info->tcache + info->internal
                                  ? allocated - info->tcache - info->internal
                                  : 0;
            if (je_size(muzzy, &pmuzzy) == 0 && je_size("arenas.page", &page) == 0)
                info->muzzy = pmuzzy * page;
            return 0;
        }
        memset(info, 0, sizeof(*info)); /* jemalloc built without stats: fall through */
    }
#elif defined(ZMALLOC_TCMALLOC)
    {
        size_t allocated = 0, heap = 0, unmapped = 0, pageheap_free = 0, thread_cache = 0;

        /* tcmalloc has no resident/active split of its own; the mapping below is ours:
         * resident = heap minus what was given back, active = resident minus free pages.
         * current_allocated_bytes already leaves out the blocks in thread caches. */
        if (MallocExtension_GetNumericProperty("generic.current_allocated_bytes", &allocated) &&
            MallocExtension_GetNumericProperty("generic.heap_size", &heap) &&
            MallocExtension_GetNumericProperty("tcmalloc.pageheap_unmapped_bytes", &unmapped) &&
            MallocExtension_GetNumericProperty("tcmalloc.pageheap_free_bytes", &pageheap_free)) {
            if (MallocExtension_GetNumericProperty("tcmalloc.current_total_thread_cache_bytes",
                                                   &thread_cache))
                info->tcache = thread_cache;
            info->allocated = allocated;
            info->resident = heap > unmapped ? heap - unmapped : 0;
            info->active = info->resident > pageheap_free ? info->resident - pageheap_free : 0;
            info->retained = unmapped;
            return 0;
        }
    }
#endif
    /* No allocator statistics (libc): Redis's fallback, so the ratios read ~1. */
    info->allocated = zmalloc_used_memory();
    info->resident = zmalloc_get_rss();
    info->active = info->resident;
    return -1;
}

/* Cost: proportional to the memory given back (madvise calls); milliseconds after a big free. */
int
zmalloc_purge(void)
{
#if defined(ZMALLOC_JEMALLOC)
    char name[64];

    /* This thread's cached blocks first, or they stay in use from the arenas' point of view.
     * Fails harmlessly when the tcache is disabled. */
    mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
    snprintf(name, sizeof(name), "arena.%d.purge", MALLCTL_ARENAS_ALL);
    return mallctl(name, NULL, NULL, NULL, 0) == 0 ? 0 : -1;
#elif defined(ZMALLOC_TCMALLOC)
    MallocExtension_ReleaseFreeMemory();
    return 0;
#else
    /* malloc_trim returns 1 if it released something, 0 if there was nothing to release. */
    malloc_trim(0);
    return 0;
#endif
}

/* Cost: ~1 us to switch off (the cache is flushed and freed), less to switch on. */
int
zmalloc_thread_cache(int enable)
{
#if defined(ZMALLOC_JEMALLOC)
    bool on = enable != 0;

    return mallctl("thread.tcache.enabled", NULL, NULL, &on, sizeof(on)) == 0 ? 0 : -1;
#else
    (void)enable;
    return -1;
#endif
}

/* Cost: enabling creates a thread (~100 us); disabling joins it. */
int
zmalloc_background_purge(int enable)
{
#if defined(ZMALLOC_JEMALLOC)
    bool on = enable != 0;

    return mallctl("background_thread", NULL, NULL, &on, sizeof(on)) == 0 ? 0 : -1;
#else
    (void)enable;
    return -1;
#endif
}

/* Cost: tens of microseconds to milliseconds, and several KB of text. Any buffer used here is
 * taken from the allocator directly, so it never shows in zmalloc_used_memory(). */
int
zmalloc_stats_print(void (*cb)(void *ctx, const char *text), void *ctx)
{
#if defined(ZMALLOC_JEMALLOC)
    malloc_stats_print(cb, ctx, NULL);
    return 0;
#elif defined(ZMALLOC_TCMALLOC)
    enum { STATS_BUF = 64 * 1024 };
    char *buf = tc_malloc(STATS_BUF);

    if (buf == NULL)
        return -1;
    buf[0] = '\0';
    MallocExtension_GetStats(buf, STATS_BUF);
    cb(ctx, buf);
    tc_free(buf);
    return 0;
#else
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = -1;

    if (f == NULL)
        return -1;
    if (malloc_info(0, f) == 0 && fflush(f) == 0 && len > 0)
        rc = 0;
    fclose(f);
    if (rc == 0)
        cb(ctx, buf);
    free(buf); /* open_memstream's buffer comes from libc malloc */
    return rc;
#endif
}

/* ======================== Process memory ======================== */

/* Field 24 (rss, in pages) of /proc/self/stat. The command name (field 2) is in parentheses
 * and may hold spaces or ')', so fields are counted from the last ')'.
 * Cost: ~6 us per call (open+read+close); returns 0 if /proc is unreadable. */
size_t
zmalloc_get_rss(void)
{
    char buf[2048];
    char *p;
    int field;

    if (read_small_file("/proc/self/stat", buf, sizeof(buf)) <= 0)
        return 0;
    p = strrchr(buf, ')');
    if (p == NULL)
        return 0;
    p++; /* now at the space before field 3 */
    for (field = 3; field <= 24; field++) {
        p = strchr(p, ' ');
        if (p == NULL)
            return 0;
        p++;
    }
    return (size_t)strtoull(p, NULL, 10) * page_size();
}

float
zmalloc_get_fragmentation_ratio(size_t rss)
{
    size_t used = zmalloc_used_memory();
    return used ? (float)rss / (float)used : 0.0f;
}

/* Sum the "<field> <n> kB" lines of an smaps-style file, read through a fixed buffer. Lines
 * longer than the buffer (mapping lines with long paths) are skipped, never split. */
static size_t
smaps_sum_field(int fd, const char *field)
{
    char buf[4096];
    size_t flen = strlen(field), have = 0, total = 0;
    bool skipping = false;

    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof(buf) - have);
        char *line, *end, *nl;

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
        line = buf;
        end = buf + have;
        while ((nl = memchr(line, '\n', (size_t)(end - line))) != NULL) {
            /* strtoull stops at the space before "kB", well inside the line. */
            if (!skipping && (size_t)(nl - line) > flen && memcmp(line, field, flen) == 0)
                total += (size_t)strtoull(line + flen, NULL, 10) * 1024;
            skipping = false;
            line = nl + 1;
        }
        have = (size_t)(end - line);
        if (have == sizeof(buf)) {
            skipping = true;
            have = 0;
        } else {
            memmove(buf, line, have);
        }
    }
    return total;
}

/* Cost: smaps_rollup 25-75 us on a small process, 1-4 ms from a few tens to hundreds of MB
 * (the kernel walks every page table); plain smaps 5x more on small processes. Call on
 * demand or with a duty cycle. */
size_t
zmalloc_get_smap_bytes_by_field(const char *field, long pid)
{
    static const char *const files[] = {"smaps_rollup", "smaps"};
    char path[64];
    size_t total = 0;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        int fd;

        if (pid == -1)
            snprintf(path, sizeof(path), "/proc/self/%s", files[i]);
        else
            snprintf(path, sizeof(path), "/proc/%ld/%s", pid, files[i]);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue; /* smaps_rollup needs Linux 4.14 */
        total = smaps_sum_field(fd, field);
        close(fd);
        break;
    }
    return total;
}

size_t
zmalloc_get_private_dirty(long pid)
{
    return zmalloc_get_smap_bytes_by_field("Private_Dirty:", pid);
}

/* Read one limit file: a byte count, or "max" (cgroup v2, no limit). 0 means no limit. */
static size_t
cgroup_read_limit(const char *path)
{
    char buf[64];
    char *end;
    unsigned long long v;

    if (read_small_file(path, buf, sizeof(buf)) <= 0 || strncmp(buf, "max", 3) == 0)
        return 0;
    v = strtoull(buf, &end, 10);
    return end != buf ? (size_t)v : 0;
}

/* The lowest memory limit on the path from this process's cgroup up to the root of the
 * mounted hierarchy (a parent's limit binds its children too). 0 when there is none.
 * Handles cgroup v2 (0::/path, memory.max) and v1 (N:...memory...:/path, limit_in_bytes);
 * v1's "unlimited" is a huge number that simply loses the comparison with RAM. */
static size_t
cgroup_memory_limit(void)
{
    char cgroups[4096], file[1536];
    char *line, *save = NULL;
    size_t best = 0;

    if (read_small_file("/proc/self/cgroup", cgroups, sizeof(cgroups)) <= 0)
        return 0;
    for (line = strtok_r(cgroups, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *ctrl = strchr(line, ':'), *path, *slash;
        const char *mount, *limit_file;
        char dir[1024];

        if (ctrl == NULL || (path = strchr(ctrl + 1, ':')) == NULL)
            continue;
        *path++ = '\0';
        ctrl++;
        if (strcmp(line, "0") == 0 && *ctrl == '\0') {
            /* v2: mounted at /sys/fs/cgroup, or under it as "unified" on hybrid systems. */
            mount = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0
                        ? "/sys/fs/cgroup"
                        : "/sys/fs/cgroup/unified";
            limit_file = "memory.max";
        } else {
            char list[256], *tok, *save2 = NULL;
            bool memory = false;

            snprintf(list, sizeof(list), "%s", ctrl);
            for (tok = strtok_r(list, ",", &save2); tok; tok = strtok_r(NULL, ",", &save2))
                memory |= strcmp(tok, "memory") == 0;
            if (!memory)
                continue;
            mount = "/sys/fs/cgroup/memory";
            limit_file = "memory.limit_in_bytes";
        }
        /* Walk up: /a/b, /a, and the mount root (inside a cgroup namespace the path is "/"
         * and the root is the container's own cgroup). */
        snprintf(dir, sizeof(dir), "%s", path);
        for (;;) {
            size_t v;

            slash = strrchr(dir, '/');
            if (slash != NULL && slash[1] == '\0')
                *slash = '\0'; /* "/" and trailing slashes */
            snprintf(file, sizeof(file), "%s%s/%s", mount, dir, limit_file);
            v = cgroup_read_limit(file);
            if (v > 0 && (best == 0 || v < best))
                best = v;
            slash = strrchr(dir, '/');
            if (slash == NULL || dir[0] == '\0')
                break;
            *slash = '\0';
        }
    }
    return best;
}

/* Cost: a few small file reads, ~30 us; RAM and limits change rarely, callers cache. */
size_t
zmalloc_get_memory_size(void)
{
    long pages = sysconf(_SC_PHYS_PAGES);
    size_t ram = pages > 0 ? (size_t)pages * page_size() : 0;
    size_t limit = cgroup_memory_limit();

    return limit > 0 && (ram == 0 || limit < ram) ? limit : ram;
}
