/* test_zmalloc_defrag — libzmalloc's defragmentation support (zmalloc_defrag.c): a move keeps
 * the bytes and used_memory exact on every backend; on jemalloc the hint says yes for blocks
 * in sparse slabs and no for full slabs and large blocks, and moving the blocks it names leaves
 * fewer sparse slabs; elsewhere it always says no. DEBUG MALLCTL's helpers too. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmalloc.h"
#if defined(ZMALLOC_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 31 + i * 7);
}

static int
same(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed * 31 + i * 7))
            return 0;
    return 1;
}

static void
test_move_exact_and_intact(void **state)
{
    static const size_t sizes[] = {1, 8, 24, 100, 160, 300, 1000, 4096, 20000, 100000, 1 << 20};
    size_t base = zmalloc_used_memory();

    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        unsigned char *p = zmalloc(sizes[k]);
        fill(p, sizes[k], (unsigned)k);
        size_t used = zmalloc_used_memory(), usable = zmalloc_size(p);
        unsigned char *q = zmalloc_defrag_move(p);
        assert_non_null(q);
        /* used_memory follows the usable sizes exactly. On jemalloc a copy of a usable size
         * lands in the same size class; glibc may give a large (mmapped) block a page more. */
        assert_int_equal(zmalloc_used_memory(), used - usable + zmalloc_size(q));
#ifdef ZMALLOC_JEMALLOC
        assert_int_equal(zmalloc_size(q), usable);
#else
        assert_true(zmalloc_size(q) >= usable);
#endif
        assert_true(same(q, sizes[k], (unsigned)k));
        zfree(q);
    }
    assert_null(zmalloc_defrag_move(NULL));
    assert_int_equal(zmalloc_used_memory(), base);
}

#define NBLOCKS 40000

/* Blocks whose slab the hint calls sparse, among the live ones. */
static size_t
count_hints(unsigned char **blocks)
{
    size_t yes = 0;
    for (size_t i = 0; i < NBLOCKS; i++)
        if (blocks[i] != NULL && zmalloc_defrag_hint(blocks[i]))
            yes++;
    return yes;
}

static void
test_hint(void **state)
{
    unsigned char **blocks = calloc(NBLOCKS, sizeof(*blocks));
    size_t base = zmalloc_used_memory();

    assert_non_null(blocks);
    for (size_t i = 0; i < NBLOCKS; i++) {
        blocks[i] = zmalloc(150);
        fill(blocks[i], 150, (unsigned)i);
    }
    /* 3 of every 4 freed: every slab of the class is left about a quarter full. Each fourth
     * block of a run is freed in a different order so the survivors' slabs differ in fill. */
    for (size_t i = 0; i < NBLOCKS; i++)
        if (i % 4 != 0 && !(i % 3 == 0 && (i / 1000) % 2 == 0)) {
            zfree(blocks[i]);
            blocks[i] = NULL;
        }
    size_t before = count_hints(blocks);
    void *large = zmalloc(1 << 20);
    if (zmalloc_defrag_supported()) {
        assert_true(before > 0);
        assert_int_equal(zmalloc_defrag_hint(large), 0); /* a large block has no slab */
        size_t used = zmalloc_used_memory();
        for (int round = 0; round < 3; round++)
            for (size_t i = 0; i < NBLOCKS; i++)
                if (blocks[i] != NULL && zmalloc_defrag_hint(blocks[i]))
                    blocks[i] = zmalloc_defrag_move(blocks[i]);
        assert_int_equal(zmalloc_used_memory(), used);
        size_t after = count_hints(blocks);
        print_message("hint yes: %zu of the live blocks before moving, %zu after\n", before, after);
        assert_true(after < before);
    } else {
        assert_int_equal(before, 0);
        assert_int_equal(zmalloc_defrag_hint(large), 0);
    }
    for (size_t i = 0; i < NBLOCKS; i++)
        if (blocks[i] != NULL) {
            assert_true(same(blocks[i], 150, (unsigned)i));
            zfree(blocks[i]);
        }
    zfree(large);
    free(blocks);
    assert_int_equal(zmalloc_used_memory(), base);
}

static void
test_mallctl(void **state)
{
    int64_t old = -1;
    const char *s = NULL;
#if defined(ZMALLOC_JEMALLOC)
    /* An 8-byte option reads; a 4-byte one does not (Redis 7.0 answers EINVAL there too). */
    assert_int_equal(zmalloc_mallctl_int("arenas.page", &old, NULL), 0);
    assert_int_equal(old, 4096);
    assert_int_equal(zmalloc_mallctl_int("arenas.narenas", &old, NULL), EINVAL);
    assert_int_equal(zmalloc_mallctl_int("arenas.page", &old, &old), EPERM);
    assert_int_equal(zmalloc_mallctl_str("version", &s, 0, NULL), 0);
    assert_non_null(s);
    assert_true(strncmp(s, "5.", 2) == 0);
    assert_int_equal(zmalloc_mallctl_int("no.such.option", &old, NULL), ENOENT);
    assert_int_equal(zmalloc_mallctl_str("no.such.option", &s, 1, "x"), ENOENT);
    /* A write-only 4-byte option: refused at 8 bytes, written at 4, no old value. */
    unsigned ind;
    size_t len = sizeof(ind);
    assert_int_equal(mallctl("tcache.create", &ind, &len, NULL, 0), 0);
    int64_t v = ind;
    assert_int_equal(zmalloc_mallctl_int("tcache.flush", &old, &v), ZMALLOC_MALLCTL_WRITTEN);
    assert_int_equal(zmalloc_mallctl_int("tcache.destroy", &old, &v), ZMALLOC_MALLCTL_WRITTEN);
    /* A void option called through the string form (Redis's VOID), or refused a value. */
    assert_int_equal(zmalloc_mallctl_str("thread.tcache.flush", &s, 1, NULL),
                     ZMALLOC_MALLCTL_WRITTEN);
    assert_int_equal(zmalloc_mallctl_str("thread.tcache.flush", &s, 1, "x"), EPERM);
    assert_int_equal(zmalloc_defrag_supported(), 1);
#else
    assert_int_equal(zmalloc_mallctl_int("arenas.page", &old, NULL), ENOTSUP);
    assert_int_equal(zmalloc_mallctl_str("version", &s, 0, NULL), ENOTSUP);
    assert_int_equal(zmalloc_defrag_supported(), 0);
#endif
    (void)state;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_move_exact_and_intact),
        cmocka_unit_test(test_hint),
        cmocka_unit_test(test_mallctl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
