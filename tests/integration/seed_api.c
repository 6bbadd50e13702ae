/* seed_api.c — a program written only against the seed API of zmalloc, the functions and
 * signatures that the write-ups in shared/seeds give for Redis's zmalloc.h, built against the
 * installed header and library (pkg-config zmalloc) by test_libzmalloc.sh. Plain C99.
 *
 * Seed signatures called here, each exactly as a seed declares it:
 *   void *zmalloc(size_t size);            void *zcalloc(size_t size);
 *   void *zrealloc(void *ptr, size_t size); void zfree(void *ptr);
 *   char *zstrdup(const char *s);          size_t zmalloc_size(void *ptr);
 *   size_t zmalloc_used_memory(void);      void zmalloc_enable_thread_safeness(void);
 *   void zmalloc_set_oom_handler(void (*oom_handler)(size_t));
 *   size_t zmalloc_get_rss(void);          size_t zmalloc_get_private_dirty(void);
 *   float zmalloc_get_fragmentation_ratio(size_t rss);   (seeds 000, 003)
 *   float zmalloc_get_fragmentation_ratio(void);         (seed 004)
 *   void zlibc_free(void *ptr);
 *
 * Prints one "ok NAME" or "FAIL NAME (detail)" line per check; exits 1 if any failed. */
#include <zmalloc.h>

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed;

/* One check: "ok NAME", or "FAIL NAME (a b)" with the two numbers it compared. */
static void
expect(int cond, const char *name, size_t a, size_t b)
{
    if (cond) {
        printf("ok   %s\n", name);
        return;
    }
    printf("FAIL %s (%zu %zu)\n", name, a, b);
    failed = 1;
}

static jmp_buf oom_jump;
static size_t oom_size;

static void
on_oom(size_t size)
{
    oom_size = size;
    longjmp(oom_jump, 1);
}

#define BLOCKS      1000
#define DIRTY_BYTES ((size_t)16 << 20)

int
main(void)
{
    /* The seed types, as function pointers: a signature that differs fails under -Werror. */
    void *(*p_zmalloc)(size_t) = zmalloc;
    void *(*p_zcalloc)(size_t) = zcalloc;
    void *(*p_zrealloc)(void *, size_t) = zrealloc;
    void (*p_zfree)(void *) = zfree;
    char *(*p_zstrdup)(const char *) = zstrdup;
    size_t (*p_used)(void) = zmalloc_used_memory;
    size_t (*p_rss)(void) = zmalloc_get_rss;
    void (*p_oom)(void (*)(size_t)) = zmalloc_set_oom_handler;
    float (*p_frag)(size_t) = zmalloc_get_fragmentation_ratio;
    void *blocks[BLOCKS];
    size_t base, used, expect_used, rss, dirty0, dirty1, i;
    volatile size_t huge = (size_t)1 << 62;
    char *p, *c, *s, *big;
    float ratio, ratio_now;
    int zero = 1;

    zmalloc_enable_thread_safeness();
    base = zmalloc_used_memory();
    expect(p_used() == base, "zmalloc_used_memory: stable with nothing allocated", p_used(), base);

    p = zmalloc(100);
    expect(p != NULL && zmalloc_size(p) >= 100, "zmalloc(100): a block of at least 100 bytes",
           p ? zmalloc_size(p) : 0, 100);
    memset(p, 'x', 100);
    expect(zmalloc_used_memory() == base + zmalloc_size(p),
           "zmalloc: used memory grows by its size", zmalloc_used_memory(), base + zmalloc_size(p));

    c = zcalloc(4096);
    for (i = 0; i < 4096; i++)
        zero &= c[i] == 0;
    expect(zero, "zcalloc(4096): zeroed", 0, 0);
    expect_used = base + zmalloc_size(p) + zmalloc_size(c);
    expect(zmalloc_used_memory() == expect_used, "zcalloc: counted", zmalloc_used_memory(),
           expect_used);

    p = zrealloc(p, 100000);
    expect(p[0] == 'x' && p[99] == 'x', "zrealloc: keeps the contents", 0, 0);
    expect(zmalloc_size(p) >= 100000, "zrealloc(p, 100000): the new size", zmalloc_size(p), 100000);
    expect_used = base + zmalloc_size(p) + zmalloc_size(c);
    expect(zmalloc_used_memory() == expect_used, "zrealloc: counts the new size, not the old",
           zmalloc_used_memory(), expect_used);

    s = zstrdup("seeds");
    expect(strcmp(s, "seeds") == 0, "zstrdup: copies", 0, 0);
    expect_used += zmalloc_size(s);
    expect(zmalloc_used_memory() == expect_used, "zstrdup: counted", zmalloc_used_memory(),
           expect_used);

    for (i = 0; i < BLOCKS; i++)
        blocks[i] = p_zmalloc(1024);
    used = zmalloc_used_memory();
    expect(used >= expect_used + BLOCKS * 1024, "1000 x zmalloc(1024): at least 1000 KiB more",
           used - expect_used, (size_t)BLOCKS * 1024);
    for (i = 0; i < BLOCKS; i++)
        p_zfree(blocks[i]);
    expect(zmalloc_used_memory() == expect_used, "zfree x 1000: back to where it was",
           zmalloc_used_memory(), expect_used);

    /* Private dirty of this process: dirtying 16 MiB raises it by about that much. */
    dirty0 = zmalloc_get_private_dirty();
    big = p_zmalloc(DIRTY_BYTES);
    memset(big, 1, DIRTY_BYTES);
    dirty1 = zmalloc_get_private_dirty();
    expect(dirty0 > 0, "zmalloc_get_private_dirty(): this process, > 0", dirty0, 0);
    expect(dirty1 >= dirty0 + DIRTY_BYTES / 2,
           "zmalloc_get_private_dirty(): rises with 16 MiB written", dirty0, dirty1);

    rss = p_rss();
    expect(rss >= DIRTY_BYTES, "zmalloc_get_rss(): holds the 16 MiB written", rss, DIRTY_BYTES);
    expect(dirty1 <= rss + (1 << 20), "private dirty <= RSS (+1 MiB between the reads)", dirty1,
           rss);
    ratio = p_frag(rss);
    used = zmalloc_used_memory();
    expect(ratio > 0.99f * (float)rss / (float)used && ratio < 1.01f * (float)rss / (float)used,
           "zmalloc_get_fragmentation_ratio(rss) = rss / used", rss, used);
    ratio = zmalloc_get_fragmentation_ratio(rss);
    expect(ratio > 0.5f && ratio < 4.0f, "zmalloc_get_fragmentation_ratio(rss): near 1 here", rss,
           used);
    ratio_now = zmalloc_get_fragmentation_ratio();
    expect(ratio_now > 0.5f && ratio_now < 4.0f,
           "zmalloc_get_fragmentation_ratio(): the seed's no-argument form", zmalloc_get_rss(),
           zmalloc_used_memory());
    zfree(big);

    /* zcalloc and zrealloc through their seed-typed pointers, then everything freed. */
    zfree(p_zrealloc(p_zcalloc(10), 20));
    zfree(p_zstrdup("x"));
    zfree(s);
    zfree(c);
    zfree(p);
    expect(zmalloc_used_memory() == base, "all freed: used memory back to baseline",
           zmalloc_used_memory(), base);

    /* The OOM handler gets the size that could not be allocated. */
    p_oom(on_oom);
    if (setjmp(oom_jump) == 0) {
        p = zmalloc(huge);
        expect(0, "zmalloc_set_oom_handler: an impossible zmalloc calls the handler", p != NULL, 0);
    } else {
        expect(oom_size == huge, "zmalloc_set_oom_handler: called with the size asked for",
               oom_size, huge);
    }
    expect(zmalloc_used_memory() == base, "failed zmalloc: nothing counted", zmalloc_used_memory(),
           base);

    /* zlibc_free frees what libc itself allocated. */
    zlibc_free(malloc(32));

    return failed;
}
