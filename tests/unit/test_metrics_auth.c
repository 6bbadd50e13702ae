/* test_metrics_auth.c — server/metrics/metrics_auth.c: which Authorization values open the
 * metrics listener (Basic as user default, Bearer), and that near misses, other users, other
 * schemes and malformed base64 do not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "metrics_auth.h"
#include "zmalloc.h"

static void
test_accepted(void **state)
{
    /* base64("default:s3cret") */
    assert_true(metrics_auth_check("Basic ZGVmYXVsdDpzM2NyZXQ=", "s3cret"));
    assert_true(metrics_auth_check("basic ZGVmYXVsdDpzM2NyZXQ=", "s3cret"));
    assert_true(metrics_auth_check("  BASIC   ZGVmYXVsdDpzM2NyZXQ=  ", "s3cret"));
    assert_true(metrics_auth_check("Bearer s3cret", "s3cret"));
    assert_true(metrics_auth_check("bearer s3cret", "s3cret"));
    /* A password with ':' and a space in it: everything after the first ':' is the password. */
    assert_true(metrics_auth_check("Basic ZGVmYXVsdDphIGI6Yw==", "a b:c"));
    assert_true(metrics_auth_check("Bearer a b:c", "a b:c"));
}

static void
test_refused(void **state)
{
    const char *bad[] = {
        "",
        "Basic",
        "Basic ",
        "Bearer",
        "Bearer ",
        "Bearer s3cre",
        "Bearer s3cret1",
        "Bearer S3CRET",
        "Basic ZGVmYXVsdDpzM2NyZQ==",     /* default:s3cre */
        "Basic YWRtaW46czNjcmV0",         /* admin:s3cret */
        "Basic ZGVmYXVsdDo=",             /* default: */
        "Basic ZGVmYXVsdHMzY3JldA==",     /* defaults3cret (no colon) */
        "Basic ZGVmYXVsdDpzM2NyZXQ6eA==", /* default:s3cret:x */
        "Basic ZGVmYXVsdDpzM2NyZXQ",      /* unpadded */
        "Basic ZGVmYXVsdDpzM2NyZXQ==",    /* padding past the end */
        "Basic ZGVm=XVsdDpzM2NyZXQ=",     /* padding inside */
        "Basic ZGVmYXVsdDpzM2Ny!XQ=",     /* not base64 */
        "Basic czNjcmV0",                 /* s3cret, no user */
        "Digest ZGVmYXVsdDpzM2NyZXQ=",
        "s3cret",
        "Token s3cret",
        "Bearers3cret",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (metrics_auth_check(bad[i], "s3cret"))
            fail_msg("accepted: '%s'", bad[i]);
    }
    assert_false(metrics_auth_check(NULL, "s3cret"));
    /* No password in force: nothing authenticates (the listener does not ask then). */
    assert_false(metrics_auth_check("Bearer ", ""));
    assert_false(metrics_auth_check("Basic ZGVmYXVsdDo=", ""));
}

static void
test_no_leak(void **state)
{
    size_t before = zmalloc_used_memory();
    for (int i = 0; i < 100; i++) {
        metrics_auth_check("Basic ZGVmYXVsdDpzM2NyZXQ=", "s3cret");
        metrics_auth_check("Basic ZGVm=XVsdDpzM2NyZXQ=", "s3cret");
    }
    assert_int_equal(zmalloc_used_memory(), before);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_no_leak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
