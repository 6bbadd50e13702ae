/* fixture_db.h — the keyspace fixture shared by test_object.c and test_objset.c: a cmocka
 * group setup that loads the default configuration and sets up 16 databases and the lazy free
 * thread, its teardown, and a wait for the lazy free thread to drain. */
#ifndef ZMEM_TESTS_FIXTURE_DB_H
#define ZMEM_TESTS_FIXTURE_DB_H

#include <unistd.h>

#include "config.h"
#include "db.h"
#include "lazyfree.h"

static int
db_group_setup(void **state)
{
    char err[256];
    static char name[] = "zmem-unit-test";
    char *argv[] = {name, NULL};
    if (config_load(1, argv, err, sizeof(err)) != 0)
        return -1;
    if (db_setup(16) < 0 || lazyfree_setup() < 0)
        return -1;
    return 0;
}

static int
db_group_teardown(void **state)
{
    lazyfree_teardown();
    db_teardown();
    config_teardown();
    return 0;
}

/* Up to 1 s for the lazy free thread to finish what it was given. */
static void
wait_lazyfree(void)
{
    for (int i = 0; i < 500 && lazyfree_pending_objects() > 0; i++)
        usleep(2000);
    assert_int_equal(lazyfree_pending_objects(), 0);
}

#endif
