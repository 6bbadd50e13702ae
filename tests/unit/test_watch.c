/* test_watch.c — keyspace/watch.c through db.c's hooks: adding, replacing, deleting,
 * unlinking, expiry changes, lazy expiry and flushing a watched key flag its watchers dirty;
 * other keys and other databases do not; a key already expired when watched is not changed by
 * its deletion (Redis 7.0); watch_check_expired() sees a key that expired since WATCH;
 * clearing every watcher brings used memory back to the baseline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "db.h"
#include "lazyfree.h"
#include "object.h"
#include "watch.h"
#include "zmalloc.h"

static int
group_setup(void **state)
{
    char err[256];
    static char name[] = "test_watch";
    char *argv[] = {name, NULL};
    if (config_load(1, argv, err, sizeof(err)) != 0)
        return -1;
    return db_setup(4) < 0 || lazyfree_setup() < 0 ? -1 : 0;
}

static int
group_teardown(void **state)
{
    lazyfree_teardown();
    db_teardown();
    config_teardown();
    return 0;
}

static void
set_str(struct db *db, const char *key, const char *s, int64_t expire)
{
    struct val v;
    assert_int_equal(str_val(s, strlen(s), &v), 0);
    assert_int_equal(db_set(db, key, strlen(key), &v, expire, 0), 0);
}

#define WATCH(w, db, key) watch_add(w, db, key, strlen(key))

static void
test_changes_flag_watchers(void **state)
{
    struct db *db = db_get(0), *db1 = db_get(1);
    struct watcher a = {0}, b = {0};
    size_t base = zmalloc_used_memory();

    WATCH(&a, db, "k");
    WATCH(&a, db, "k"); /* twice: one reference */
    assert_int_equal(a.n, 1);
    WATCH(&b, db, "other");
    set_str(db, "k", "v", -1); /* created */
    assert_true(a.dirty);
    assert_false(b.dirty);
    watch_clear(&a);
    assert_false(a.dirty);

    WATCH(&a, db, "k");
    set_str(db1, "k", "v", -1); /* same name, another database */
    assert_false(a.dirty);
    struct kv *e = db_lookup_write(db, "k", 1);
    assert_int_equal(db_set_expire(db, &e, db_now_ms() + 100000), 0);
    assert_true(a.dirty);
    watch_clear(&a);

    WATCH(&a, db, "k");
    assert_int_equal(db_delete(db, "k", 1, FREE_SYNC), 1);
    assert_true(a.dirty);
    watch_clear(&a);

    set_str(db, "k", "v", -1);
    WATCH(&a, db, "k");
    struct kv *u = db_unlink(db, "k", 1);
    assert_non_null(u);
    assert_true(a.dirty);
    kv_free(u);
    watch_clear(&a);

    /* A watcher dropped: the key's record goes with the last one. */
    watch_clear(&b);
    db_flush(db1, 0);
    assert_null(db->watched);
    assert_int_equal(zmalloc_used_memory(), base);
}

static void
test_flush(void **state)
{
    struct db *db = db_get(2);
    struct watcher a = {0}, b = {0};
    set_str(db, "present", "1", -1);
    WATCH(&a, db, "present");
    WATCH(&b, db, "absent");
    db_flush(db, 0);
    assert_true(a.dirty);
    assert_false(b.dirty); /* nothing removed for it */
    watch_clear(&a);
    watch_clear(&b);
    assert_null(db->watched);
}

static void
test_expiry(void **state)
{
    struct db *db = db_get(3);
    struct watcher a = {0}, stale = {0};

    /* Expires after WATCH: seen at EXEC, and by the lazy deletion. */
    set_str(db, "e", "1", db_now_ms() + 30);
    WATCH(&a, db, "e");
    watch_check_expired(&a);
    assert_false(a.dirty);
    usleep(60 * 1000);
    watch_check_expired(&a);
    assert_true(a.dirty);
    watch_clear(&a);

    set_str(db, "e2", "1", db_now_ms() + 30);
    WATCH(&a, db, "e2");
    usleep(60 * 1000);
    /* Already stale when watched: deleting it is no change. */
    WATCH(&stale, db, "e2");
    assert_null(db_lookup_read(db, "e2", 2)); /* lazy expiry deletes it */
    assert_true(a.dirty);
    assert_false(stale.dirty);
    watch_check_expired(&stale);
    assert_false(stale.dirty);
    /* From then on it watches an absent key: creating it is a change. */
    set_str(db, "e2", "2", -1);
    assert_true(stale.dirty);
    watch_clear(&a);
    watch_clear(&stale);
    db_flush(db, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changes_flag_watchers),
        cmocka_unit_test(test_flush),
        cmocka_unit_test(test_expiry),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
