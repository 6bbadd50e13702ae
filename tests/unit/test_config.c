/* test_config.c — server/base/config.c: defaults, "--name value" arguments, the config file
 * (quotes, escapes, comments), error messages naming the option, CONFIG SET checks with
 * Redis's texts, and CONFIG GET's glob over the option table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char err[512];

static int
load(const char *const *args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"zmem-server";
    for (int i = 0; args[i]; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    err[0] = '\0';
    return config_load(argc, argv, err, sizeof(err));
}

static int
teardown(void **state)
{
    config_teardown();
    return 0;
}

static void
test_defaults(void **state)
{
    assert_int_equal(load((const char *const[]){NULL}), 0);
    const struct config *c = config_get();
    assert_int_equal(c->port, 6379);
    assert_string_equal(c->bind, "127.0.0.1 -::1");
    assert_int_equal(c->maxmemory, 0);
    assert_int_equal(c->maxmemory_policy, MAXMEMORY_NOEVICTION);
    assert_int_equal(c->maxmemory_samples, 5);
    assert_string_equal(c->requirepass, "");
    assert_int_equal(c->metrics_port, 0);
    assert_string_equal(c->metrics_bind, "127.0.0.1");
    assert_string_equal(c->logfile, "");
    assert_int_equal(c->loglevel, LL_NOTICE);
    assert_int_equal(c->daemonize, 0);
    assert_int_equal(c->hz, 10);
    assert_int_equal(c->databases, 16);
    assert_int_equal(c->maxclients, 10000);
    assert_int_equal(c->timeout, 0);
    assert_int_equal(c->lazyfree_lazy_user_del, 0);
    assert_int_equal(c->proto_max_bulk_len, 536870912);
    assert_int_equal(c->slowlog_log_slower_than, 10000);
    assert_int_equal(c->slowlog_max_len, 128);
    assert_string_equal(c->config_file, "");
}

static void
test_arguments(void **state)
{
    assert_int_equal(
        load((const char *const[]){"--port", "7000", "--maxmemory", "1gb", "--bind", "127.0.0.1",
                                   "-::1", "--hz", "1000", "--maxmemory-policy", "allkeys-lfu",
                                   "--slowlog-log-slower-than", "-1", "--requirepass", "",
                                   "--daemonize", "no", NULL}),
        0);
    const struct config *c = config_get();
    assert_int_equal(c->port, 7000);
    assert_int_equal(c->maxmemory, 1073741824);
    assert_string_equal(c->bind, "127.0.0.1 -::1");
    assert_int_equal(c->hz, 500); /* clamped */
    assert_int_equal(c->maxmemory_policy, MAXMEMORY_ALLKEYS_LFU);
    assert_int_equal(c->slowlog_log_slower_than, -1);
    assert_string_equal(c->requirepass, "");
    assert_string_equal(config_policy_name(c->maxmemory_policy), "allkeys-lfu");
}

static void
expect_load_error(const char *const *args, const char *needle)
{
    int rc = load(args);
    if (rc != -1 || strstr(err, needle) == NULL)
        fail_msg("wanted -1 with '%s', got %d '%s'", needle, rc, err);
}

static void
test_argument_errors(void **state)
{
    expect_load_error((const char *const[]){"--nosuch", "1", NULL}, "unknown option 'nosuch'");
    expect_load_error((const char *const[]){"--port", NULL}, "option 'port' takes a value");
    expect_load_error((const char *const[]){"--port", "1", "2", NULL}, "exactly one value");
    expect_load_error((const char *const[]){"--port", "x", NULL},
                      "invalid value 'x' for option 'port': argument couldn't be parsed into an "
                      "integer");
    expect_load_error((const char *const[]){"--port", "65536", NULL},
                      "argument must be between 0 and 65535 inclusive");
    expect_load_error((const char *const[]){"--maxmemory", "1.5gb", NULL},
                      "argument must be a memory value");
    expect_load_error((const char *const[]){"--loglevel", "loud", NULL},
                      "debug, verbose, notice, warning");
    expect_load_error((const char *const[]){"port", "1", NULL}, "can't open config file 'port'");
    expect_load_error((const char *const[]){"--port", "1", "stray", NULL}, "exactly one value");
    /* --help and --version print and report 1. */
    assert_int_equal(load((const char *const[]){"--version", NULL}), 1);
}

static void
test_config_file(void **state)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/zmem-test-config-%d.conf", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("# comment line\n"
          "   \n"
          "port 7777\n"
          "MAXMEMORY 100mb   # trailing comment\n"
          "requirepass \"a b\\\"c\\x41\"\n"
          "logfile 'it''s'\n"
          "bind 127.0.0.1 -::1\n",
          f);
    fclose(f);
    /* A bad quote pairing ('it''s') is an error; fix it and load again. */
    expect_load_error((const char *const[]){path, NULL}, "line 6: unbalanced quotes");
    f = fopen(path, "w");
    fputs("port 7777\nMAXMEMORY 100mb # c\nrequirepass \"a b\\\"c\\x41\"\n"
          "logfile 'it\\'s'\nbind 127.0.0.1 -::1\n",
          f);
    fclose(f);
    /* Arguments after the file override it. */
    assert_int_equal(load((const char *const[]){path, "--port", "7778", NULL}), 0);
    const struct config *c = config_get();
    assert_int_equal(c->port, 7778);
    assert_int_equal(c->maxmemory, 104857600);
    assert_string_equal(c->requirepass, "a b\"cA");
    assert_string_equal(c->logfile, "it's");
    assert_string_equal(c->bind, "127.0.0.1 -::1");
    assert_non_null(strstr(c->config_file, "zmem-test-config-"));
    assert_int_equal(c->config_file[0], '/');
    f = fopen(path, "w");
    fputs("port 1\nhz fast\n", f);
    fclose(f);
    expect_load_error((const char *const[]){path, NULL},
                      "line 2: invalid value 'fast' for option 'hz'");
    unlink(path);
}

static void
test_config_set(void **state)
{
    assert_int_equal(load((const char *const[]){NULL}), 0);
    assert_int_equal(config_set("maxmemory", "2mb", err, sizeof(err)), 0);
    assert_int_equal(config_get()->maxmemory, 2097152);
    assert_int_equal(config_set("Maxmemory-Policy", "volatile-ttl", err, sizeof(err)), 0);
    assert_int_equal(config_get()->maxmemory_policy, MAXMEMORY_VOLATILE_TTL);
    assert_int_equal(config_set("requirepass", "x", err, sizeof(err)), 0);
    assert_string_equal(config_get()->requirepass, "x");
    assert_int_equal(config_set("hz", "0", err, sizeof(err)), 0);
    assert_int_equal(config_get()->hz, 1);

    assert_int_equal(config_set("nosuch", "1", err, sizeof(err)), -1);
    assert_string_equal(err, "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
    assert_int_equal(config_set("databases", "1", err, sizeof(err)), -1);
    assert_string_equal(err, "ERR CONFIG SET failed (possibly related to argument 'databases') - "
                             "can't set immutable config");
    assert_int_equal(config_check("timeout", "-1", err, sizeof(err)), -1);
    assert_string_equal(err, "ERR CONFIG SET failed (possibly related to argument 'timeout') - "
                             "argument must be between 0 and 2147483647 inclusive");
    assert_int_equal(config_check("slowlog-log-slower-than", "-2", err, sizeof(err)), -1);
    assert_int_equal(config_check("save", "", err, sizeof(err)), 0);
    assert_int_equal(config_check("appendonly", "yes", err, sizeof(err)), -1);
    /* config_check never changes anything. */
    assert_int_equal(config_check("maxmemory", "5mb", err, sizeof(err)), 0);
    assert_int_equal(config_get()->maxmemory, 2097152);
}

struct seen {
    int n;
    char names[128][40];
    char values[128][80];
};

static void
collect(const char *name, const char *value, void *ctx)
{
    struct seen *s = ctx;
    snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
    snprintf(s->values[s->n], sizeof(s->values[0]), "%s", value);
    s->n++;
}

/* The metrics listener's password: metrics-password, else requirepass; and CONFIG SET may not
 * take the last one away from a listener bound beyond loopback, alone or in a pair. */
static void
test_metrics_password(void **state)
{
    assert_int_equal(load((const char *const[]){NULL}), 0);
    assert_string_equal(config_metrics_password(), "");
    assert_int_equal(config_set("requirepass", "rp", err, sizeof(err)), 0);
    assert_string_equal(config_metrics_password(), "rp");
    assert_int_equal(config_set("metrics-password", "mp", err, sizeof(err)), 0);
    assert_string_equal(config_metrics_password(), "mp");
    assert_int_equal(config_set("metrics-password", "", err, sizeof(err)), 0);
    assert_string_equal(config_metrics_password(), "rp");
    assert_int_equal(config_set("requirepass", "", err, sizeof(err)), 0); /* metrics off */
    config_teardown();

    assert_int_equal(
        load((const char *const[]){"--metrics-port", "9121", "--metrics-password", "mp", NULL}), 0);
    assert_int_equal(config_set("metrics-password", "", err, sizeof(err)), 0); /* loopback */
    config_teardown();

    assert_int_equal(
        load((const char *const[]){"--metrics-port", "9121", "--metrics-bind", "0.0.0.0",
                                   "--metrics-password", "mp", "--requirepass", "rp", NULL}),
        0);
    assert_int_equal(config_check_metrics_password(NULL, "", err, sizeof(err)), 0); /* rp left */
    assert_int_equal(config_check_metrics_password("", NULL, err, sizeof(err)), 0); /* mp left */
    assert_int_equal(config_check_metrics_password("", "x", err, sizeof(err)), 0);
    assert_int_equal(config_check_metrics_password("", "", err, sizeof(err)), -1);
    assert_int_equal(config_set("requirepass", "", err, sizeof(err)), 0);
    assert_int_equal(config_check_metrics_password(NULL, "", err, sizeof(err)), -1);
    assert_string_equal(err, "ERR CONFIG SET failed (possibly related to argument "
                             "'metrics-password') - the metrics listener is bound to 0.0.0.0, "
                             "not loopback, and would be left without a password");
    assert_int_equal(config_check_metrics_password("", NULL, err, sizeof(err)), 0); /* mp left */
    assert_int_equal(config_check_metrics_password(NULL, "other", err, sizeof(err)), 0);
}

static void
test_foreach_match(void **state)
{
    struct seen s = {0};
    assert_int_equal(load((const char *const[]){"--maxmemory", "1kb", NULL}), 0);
    config_foreach_match("MAXMEMORY*", collect, &s);
    assert_int_equal(s.n, 5); /* maxmemory, -clients, -eviction-tenacity, -policy, -samples */
    assert_string_equal(s.names[0], "maxmemory");
    assert_string_equal(s.values[0], "1024");
    assert_string_equal(s.names[1], "maxmemory-clients");
    assert_string_equal(s.values[1], "0");
    assert_string_equal(s.values[2], "noeviction");
    memset(&s, 0, sizeof(s));
    config_foreach_match("*", collect, &s);
    assert_true(s.n >= 22);
    int saw_save = 0, saw_databases = 0;
    for (int i = 0; i < s.n; i++) {
        saw_save |= strcmp(s.names[i], "save") == 0 && s.values[i][0] == '\0';
        saw_databases |= strcmp(s.names[i], "databases") == 0 && strcmp(s.values[i], "16") == 0;
    }
    assert_true(saw_save);
    assert_true(saw_databases);
    memset(&s, 0, sizeof(s));
    config_foreach_match("nothing-like-this", collect, &s);
    assert_int_equal(s.n, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_defaults, teardown),
        cmocka_unit_test_teardown(test_arguments, teardown),
        cmocka_unit_test_teardown(test_argument_errors, teardown),
        cmocka_unit_test_teardown(test_config_file, teardown),
        cmocka_unit_test_teardown(test_config_set, teardown),
        cmocka_unit_test_teardown(test_metrics_password, teardown),
        cmocka_unit_test_teardown(test_foreach_match, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
