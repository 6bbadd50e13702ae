/* test_buf — the growable buffer: growth uses the allocator's slack, consumer offset and
 * compaction, trimming, the sticky oom flag, and memory back to its baseline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "zmalloc.h"

/* Under ASan a failed huge allocation must come back as NULL, as it does in production. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

static size_t baseline;

static int
setup(void **state)
{
    baseline = zmalloc_used_memory();
    return 0;
}

static int
teardown(void **state)
{
    assert_int_equal(zmalloc_used_memory(), baseline);
    return 0;
}

static void
test_empty(void **state)
{
    struct buf b = BUF_INIT;

    assert_null(b.data);
    assert_int_equal(buf_alloc_size(&b), 0);
    buf_append(&b, "", 0);
    assert_int_equal(b.len, 0);
    buf_compact(&b);
    buf_trim(&b, 0);
    buf_free(&b);
    buf_free(&b);
    assert_null(b.data);
}

static void
test_append_and_growth(void **state)
{
    struct buf b = BUF_INIT;
    char chunk[100];
    size_t i, reallocs = 0, lastcap = 0;

    for (i = 0; i < sizeof(chunk); i++)
        chunk[i] = (char)i;
    for (i = 0; i < 10000; i++) {
        buf_append(&b, chunk, sizeof(chunk));
        if (b.cap != lastcap) {
            reallocs++;
            lastcap = b.cap;
            /* The capacity is the whole usable block, not just what was asked for. */
            assert_int_equal(b.cap, zmalloc_usable_size(b.data));
            assert_int_equal(buf_alloc_size(&b), zmalloc_size(b.data));
        }
    }
    assert_false(b.oom);
    assert_int_equal(b.len, 10000 * sizeof(chunk));
    for (i = 0; i < 10000; i++)
        assert_memory_equal(b.data + i * sizeof(chunk), chunk, sizeof(chunk));
    /* Geometric growth: 1 MB in about log2(1 MB / 64) steps, not 10000. */
    assert_true(reallocs < 30);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len + b.cap + b.pos, 0);
}

static void
test_append_str_and_printf(void **state)
{
    struct buf b = BUF_INIT;
    char big[3000];

    buf_append_str(&b, "abc");
    buf_printf(&b, "%d-%s", 42, "x");
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "abc42-x", 7);
    /* Longer than the spare room: formatted again after growing. */
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, 7 + 2 + sizeof(big) - 1);
    assert_int_equal(b.data[7], '[');
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len - 2], 'q');
    buf_free(&b);
}

static void
test_pos_compact_clear(void **state)
{
    struct buf b = BUF_INIT;
    char *data;
    size_t cap;

    buf_append_str(&b, "hello world");
    b.pos = 6;
    buf_compact(&b);
    assert_int_equal(b.pos, 0);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "world", 5);
    /* Everything consumed. */
    b.pos = 5;
    buf_compact(&b);
    assert_int_equal(b.len, 0);
    buf_append_str(&b, "xy");
    data = b.data;
    cap = b.cap;
    buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    buf_free(&b);
}

static void
test_reserve(void **state)
{
    struct buf b = BUF_INIT;

    assert_int_equal(buf_reserve(&b, 10), 0);
    assert_true(b.cap >= 10);
    assert_int_equal(b.len, 0);
    /* Exact: one announced bulk gets its size (plus size-class slack), not double. */
    assert_int_equal(buf_reserve_exact(&b, 1000000), 0);
    assert_true(b.cap >= 1000000);
    assert_true(b.cap < 1100000);
    assert_int_equal(b.cap, zmalloc_usable_size(b.data));
    /* Already room: nothing moves. */
    {
        char *d = b.data;

        assert_int_equal(buf_reserve(&b, 500000), 0);
        assert_ptr_equal(b.data, d);
    }
    buf_free(&b);
}

static void
test_trim(void **state)
{
    struct buf b = BUF_INIT;
    size_t i;

    for (i = 0; i < 1000; i++)
        buf_append_str(&b, "0123456789");
    assert_true(b.cap >= 10000);
    b.pos = 9990;
    buf_trim(&b, 0);
    assert_int_equal(b.len, 10);
    assert_int_equal(b.pos, 0);
    assert_memory_equal(b.data, "0123456789", 10);
    assert_true(b.cap < 1000);
    assert_int_equal(b.cap, zmalloc_usable_size(b.data));
    /* keep: shrink no further than that. */
    buf_reserve(&b, 100000);
    buf_trim(&b, 4096);
    assert_true(b.cap >= 4096 && b.cap < 8192);
    assert_memory_equal(b.data, "0123456789", 10);
    /* Empty and keep 0: freed. */
    b.pos = b.len;
    buf_trim(&b, 0);
    assert_null(b.data);
    assert_int_equal(b.cap, 0);
    buf_free(&b);
}

static void
test_oom_sticky(void **state)
{
    struct buf b = BUF_INIT;

    buf_append_str(&b, "ok");
    /* No allocator can give this: the request fails, the content stays. */
    assert_int_equal(buf_reserve(&b, SIZE_MAX / 4), -1);
    assert_true(b.oom);
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "ok", 2);
    /* Sticky: later writes are dropped even when they would fit, so the content stays a
     * prefix of what was written. */
    buf_append_str(&b, "x");
    buf_printf(&b, "%d", 5);
    assert_int_equal(b.len, 2);
    /* An overflowing size is refused before it reaches the allocator. */
    assert_int_equal(buf_reserve_exact(&b, SIZE_MAX - 1), -1);
    /* clear forgets the content and the flag with it. */
    buf_clear(&b);
    assert_false(b.oom);
    buf_append_str(&b, "again");
    assert_int_equal(b.len, 5);
    buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_and_growth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_str_and_printf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pos_compact_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom_sticky, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
