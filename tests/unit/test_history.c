/* test_history.c — the memory history ring (history.c): field names and kinds, wrap-around,
 * resize keeping the newest samples, COUNT selection, the bytes it reports against zmalloc's own
 * count as it grows, a real sample's fields against INFO's, the JSON body; and the cost of one
 * history_sample() (printed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "history.h"
#include "metrics.h"
#include "util.h"
#include "zmalloc.h"

/* A record whose every integer field is v, so the order is visible. */
static struct history_rec
rec_of(uint64_t v)
{
    struct history_rec r;
    for (int f = 0; f < HF_COUNT; f++) {
        if (history_fields[f].kind == HK_F64)
            r.v[f].d = (double)v + 0.5;
        else
            r.v[f].u = v;
    }
    return r;
}

struct seen {
    uint64_t v[64];
    size_t n;
};

static void
collect_ts(const struct history_rec *rec, void *arg)
{
    struct seen *s = arg;
    if (s->n < 64)
        s->v[s->n++] = rec->v[HF_timestamp_ms].u;
}

/* The stored samples (newest count, 0: all) must be exactly from..to, oldest first. */
static void
expect_range(size_t count, uint64_t from, uint64_t to)
{
    struct seen s = {.n = 0};
    history_foreach(count, collect_ts, &s);
    assert_int_equal(s.n, to - from + 1);
    for (size_t i = 0; i < s.n; i++)
        assert_int_equal(s.v[i], from + i);
}

static void
test_names_and_kinds(void **state)
{
    static const char *const want[] = {"timestamp_ms",
                                       "used_memory",
                                       "used_memory_rss",
                                       "used_memory_peak",
                                       "used_memory_private_dirty",
                                       "used_memory_overhead",
                                       "used_memory_dataset",
                                       "allocator_allocated",
                                       "allocator_active",
                                       "allocator_resident",
                                       "mem_fragmentation_ratio",
                                       "allocator_frag_ratio",
                                       "connected_clients",
                                       "keys",
                                       "evicted_keys",
                                       "expired_keys",
                                       "instantaneous_ops_per_sec",
                                       "lazyfree_pending_objects"};
    (void)state;

    assert_int_equal(HF_COUNT, sizeof(want) / sizeof(want[0]));
    for (int f = 0; f < HF_COUNT; f++) {
        assert_string_equal(history_fields[f].name, want[f]);
        int is_ratio = strstr(want[f], "_ratio") != NULL;
        assert_int_equal(history_fields[f].kind, is_ratio ? HK_F64 : HK_U64);
    }
}

static void
test_wraparound(void **state)
{
    (void)state;

    assert_int_equal(history_resize(5), 0);
    assert_int_equal(history_capacity(), 5);
    assert_int_equal(history_len(), 0);
    expect_range(0, 1, 0); /* nothing */
    for (uint64_t i = 1; i <= 3; i++) {
        struct history_rec r = rec_of(i);
        history_push(&r);
    }
    expect_range(0, 1, 3);
    for (uint64_t i = 4; i <= 12; i++) {
        struct history_rec r = rec_of(i);
        history_push(&r);
    }
    assert_int_equal(history_len(), 5);
    expect_range(0, 8, 12); /* the oldest were overwritten, order kept across the wrap */
    expect_range(2, 11, 12);
    expect_range(5, 8, 12);
    expect_range(99, 8, 12);
    history_resize(0);
}

static void
test_resize_keeps_newest(void **state)
{
    (void)state;

    assert_int_equal(history_resize(4), 0);
    for (uint64_t i = 1; i <= 6; i++) { /* wrapped: holds 3..6 */
        struct history_rec r = rec_of(i);
        history_push(&r);
    }
    assert_int_equal(history_resize(2), 0); /* shrink: the newest two */
    expect_range(0, 5, 6);
    assert_int_equal(history_resize(6), 0); /* grow: nothing lost, room for more */
    expect_range(0, 5, 6);
    for (uint64_t i = 7; i <= 12; i++) {
        struct history_rec r = rec_of(i);
        history_push(&r);
    }
    expect_range(0, 7, 12);
    assert_int_equal(history_resize(0), 0); /* off: empty, nothing held */
    assert_int_equal(history_len(), 0);
    assert_int_equal(history_memory(), 0);
    struct history_rec r = rec_of(1);
    history_push(&r); /* ignored while off */
    assert_int_equal(history_len(), 0);
}

/* history_memory() is exactly what the ring adds to used_memory, at every size it takes: it
 * grows with the samples (doubling, up to the length), never beyond twice what they need. */
static void
test_memory_figure(void **state)
{
    static const size_t lens[] = {1, 5, 60, 3600, 10000};
    (void)state;

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        size_t before = zmalloc_used_memory();
        assert_int_equal(history_resize(lens[i]), 0);
        /* Allocated whole at once, and nothing more as samples arrive. */
        size_t full = history_memory();
        assert_int_equal(full, zmalloc_size_for(lens[i] * sizeof(struct history_rec)));
        assert_int_equal(zmalloc_used_memory() - before, full);
        for (size_t k = 1; k <= lens[i] + 10; k++) {
            struct history_rec r = rec_of(k);
            history_push(&r);
            assert_int_equal(zmalloc_used_memory() - before, full);
        }
        size_t n = lens[i] < 64 ? lens[i] : 64; /* expect_range looks at 64 at most */
        expect_range(n, lens[i] + 10 - n + 1, lens[i] + 10);
        assert_int_equal(history_resize(lens[i] / 2), 0); /* the newest half, in a smaller ring */
        assert_true(history_memory() <= full);
        assert_int_equal(zmalloc_used_memory() - before, history_memory());
        assert_int_equal(history_resize(0), 0);
        assert_int_equal(zmalloc_used_memory(), before);
    }
    printf("ring: %zu bytes per sample, %zu bytes when the default 3600 are held\n",
           sizeof(struct history_rec), zmalloc_size_for(3600 * sizeof(struct history_rec)));
}

static void
copy_rec(const struct history_rec *rec, void *arg)
{
    *(struct history_rec *)arg = *rec;
}

/* A real sample carries INFO's figures, read at the same moment; its overhead counts the ring. */
static void
test_sample_fields(void **state)
{
    struct metrics_snapshot before, after;
    struct history_rec got;
    (void)state;

    assert_int_equal(command_setup(commands_all), 0);
    assert_int_equal(db_setup(16), 0);
    assert_int_equal(history_resize(3), 0);
    struct history_rec first = rec_of(1);
    history_push(&first); /* the array exists: the sample below allocates nothing */
    int64_t t0 = wall_ms();
    metrics_collect(&before, MS_BIT(MS_MEMORY) | MS_BIT(MS_CLIENTS));
    history_sample();
    metrics_collect(&after, MS_BIT(MS_MEMORY) | MS_BIT(MS_CLIENTS));
    assert_int_equal(history_len(), 2);
    history_foreach(1, copy_rec, &got);
    assert_true((int64_t)got.v[HF_timestamp_ms].u >= t0 &&
                (int64_t)got.v[HF_timestamp_ms].u <= wall_ms());
    /* Nothing allocates between the three collects: the figures are the same. */
    assert_int_equal(got.v[HF_used_memory].u, before.v[M_USED_MEMORY].u);
    assert_int_equal(got.v[HF_used_memory].u, after.v[M_USED_MEMORY].u);
    assert_int_equal(got.v[HF_used_memory_overhead].u, after.v[M_USED_MEMORY_OVERHEAD].u);
    assert_true(got.v[HF_used_memory_overhead].u >= history_memory());
    assert_int_equal(got.v[HF_keys].u, 0);
    assert_int_equal(got.v[HF_connected_clients].u, 0);
    assert_true(got.v[HF_mem_fragmentation_ratio].d == after.v[M_MEM_FRAGMENTATION_RATIO].d);
    assert_true(got.v[HF_allocator_frag_ratio].d == after.v[M_ALLOCATOR_FRAG_RATIO].d);
    history_resize(0);
    db_teardown();
    command_teardown();
}

static void
test_json(void **state)
{
    struct buf out = BUF_INIT;
    (void)state;

    assert_int_equal(history_resize(3), 0);
    history_format_json(&out, 0);
    buf_append(&out, "", 1);
    assert_string_equal(out.data, "{\"interval_ms\":1000,\"samples\":[]}\n");
    buf_clear(&out);
    for (uint64_t i = 1; i <= 4; i++) {
        struct history_rec r = rec_of(i);
        history_push(&r);
    }
    history_format_json(&out, 2);
    buf_append(&out, "", 1);
    assert_non_null(strstr(out.data, "{\"interval_ms\":1000,\"samples\":[{\"timestamp_ms\":3,"
                                     "\"used_memory\":3,"));
    assert_non_null(strstr(out.data, "\"mem_fragmentation_ratio\":3.5,"));
    assert_non_null(strstr(out.data, "\"lazyfree_pending_objects\":3},{\"timestamp_ms\":4,"));
    assert_non_null(strstr(out.data, "\"lazyfree_pending_objects\":4}]}\n"));
    assert_null(strstr(out.data, "\"timestamp_ms\":2,"));
    buf_free(&out);
    history_resize(0);
}

/* ---- Cost of one sample ---- */

static void
test_sample_cost(void **state)
{
    const int n = 200000;
    (void)state;

    assert_int_equal(command_setup(commands_all), 0);
    assert_int_equal(db_setup(16), 0);
    assert_int_equal(history_resize(3600), 0);
    for (int i = 0; i < 1000; i++) /* warm up */
        history_sample();
    int64_t t0 = mono_us();
    for (int i = 0; i < n; i++)
        history_sample();
    int64_t t1 = mono_us();
    assert_int_equal(history_len(), 3600);
    printf("history_sample: %.0f ns per sample (%d samples, 16 databases, ring of 3600)\n",
           (double)(t1 - t0) * 1000 / n, n);
    /* What one GET /history of a full ring costs the event loop, and its size. */
    struct buf out = BUF_INIT;
    t0 = mono_us();
    for (int i = 0; i < 10; i++) {
        buf_clear(&out);
        history_format_json(&out, 0);
    }
    t1 = mono_us();
    assert_false(out.oom);
    printf("history_format_json: %.0f us and %zu bytes for 3600 samples\n", (double)(t1 - t0) / 10,
           out.len);
    buf_free(&out);
    history_resize(0);
    db_teardown();
    command_teardown();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_kinds),     cmocka_unit_test(test_wraparound),
        cmocka_unit_test(test_resize_keeps_newest), cmocka_unit_test(test_memory_figure),
        cmocka_unit_test(test_sample_fields),       cmocka_unit_test(test_json),
        cmocka_unit_test(test_sample_cost),
    };
    return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
