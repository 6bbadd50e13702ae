/* test_memory.c — MEMORY against a running zmem-server: STATS shape, order and types in RESP2
 * and RESP3, USAGE option errors and nil, DOCTOR on a small instance, MALLOC-STATS, PURGE, HELP,
 * and the dispatcher's exact arity and unknown-subcommand errors. */
#include "integration/harness.h"
#include "metrics_ref.h"

static struct zserver server;
static redisContext *ctx;

/* cmd, split on spaces, must get the error text. */
static void
expect_arg_error(redisContext *c, const char *cmd, const char *text)
{
    const char *argv[8];
    char words[256];
    int argc = 0;

    snprintf(words, sizeof(words), "%s", cmd);
    for (char *w = strtok(words, " "); w && argc < 8; w = strtok(NULL, " "))
        argv[argc++] = w;
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    assert_that(r && r->type == REDIS_REPLY_ERROR && strcmp(r->str, text) == 0,
                "%s -> %s (want %s)", cmd, r ? r->str : "(null)", text);
    if (r)
        freeReplyObject(r);
}

/* RESP2: a flat array of 27 + D pairs, keys in Redis's order with db.<N> after
 * functions.caches, doubles as bulk strings and the rest as integers. */
static void
check_stats_shape(redisContext *c, int ndb)
{
    redisReply *r = cu_run(c, "MEMORY STATS");
    assert_that(r && r->type == REDIS_REPLY_ARRAY && r->elements == (size_t)(2 * (27 + ndb)),
                "MEMORY STATS has %d pairs (got %zu elements)", 27 + ndb, r ? r->elements : 0);
    size_t k = 0;
    for (int i = 0; i < 27; i++, k += 2) {
        if (i == 10) {
            for (int d = 0; d < ndb; d++, k += 2) {
                redisReply *m = r->element[k + 1];
                assert_that(strncmp(r->element[k]->str, "db.", 3) == 0, "db key %s",
                            r->element[k]->str);
                assert_that(m->type == REDIS_REPLY_ARRAY && m->elements == 6 &&
                                strcmp(m->element[0]->str, "overhead.hashtable.main") == 0 &&
                                m->element[1]->type == REDIS_REPLY_INTEGER &&
                                strcmp(m->element[2]->str, "overhead.hashtable.expires") == 0 &&
                                strcmp(m->element[4]->str, "overhead.hashtable.slot-to-keys") ==
                                    0 &&
                                m->element[5]->integer == 0,
                            "db map");
            }
        }
        redisReply *key = r->element[k], *val = r->element[k + 1];
        assert_that(key->type == REDIS_REPLY_STRING && strcmp(key->str, redis_stats_keys[i]) == 0,
                    "key %d: %s, want %s", i, key->str, redis_stats_keys[i]);
        if (redis_stats_is_double(redis_stats_keys[i]))
            assert_that(val->type == REDIS_REPLY_STRING && strtod(val->str, NULL) >= 0,
                        "%s is a double bulk", key->str);
        else
            assert_that(val->type == REDIS_REPLY_INTEGER, "%s is an integer", key->str);
    }
    freeReplyObject(r);
}

static long long
stats_int(redisContext *c, const char *key)
{
    long long v = -1;
    redisReply *r = cu_run(c, "MEMORY STATS");
    for (size_t k = 0; r && k + 1 < r->elements; k += 2)
        if (strcmp(r->element[k]->str, key) == 0 && r->element[k + 1]->type == REDIS_REPLY_INTEGER)
            v = r->element[k + 1]->integer;
    if (r)
        freeReplyObject(r);
    return v;
}

static void
test_stats(void **state)
{
    redisContext *c = ctx;
    const struct zserver *srv = &server;
    check_stats_shape(c, 0);
    freeReplyObject(cu_run(c, "SET mem:a hello"));
    freeReplyObject(cu_run(c, "SELECT 2"));
    freeReplyObject(cu_run(c, "SET mem:b hello"));
    freeReplyObject(cu_run(c, "SELECT 0"));
    check_stats_shape(c, 2);
    assert_that(stats_int(c, "keys.count") == 2, "keys.count");
    /* The same breakdown as INFO memory: startup never moves. */
    char *s = info_text(c, "memory");
    assert_that(stats_int(c, "startup.allocated") == info_ll(s, "used_memory_startup"), "startup");
    assert_that(stats_int(c, "peak.allocated") >= info_ll(s, "used_memory"), "peak");
    free(s);

    /* RESP3: a real map with ',' doubles. */
    static const char req[] =
        "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n*2\r\n$6\r\nMEMORY\r\n$5\r\nSTATS\r\n";
    size_t n;
    char *raw = raw_exchange(srv->port, req, sizeof(req) - 1, 1 << 20, &n);
    assert_that(strstr(raw, "\r\n%29\r\n$14\r\npeak.allocated\r\n:") != NULL, "RESP3 map of 29");
    assert_that(strstr(raw, "$18\r\ndataset.percentage\r\n,") != NULL, "RESP3 double");
    assert_that(strstr(raw, "$4\r\ndb.0\r\n%3\r\n") != NULL, "RESP3 nested db map");
    free(raw);
    freeReplyObject(cu_run(c, "FLUSHALL"));
}

static void
test_usage(void **state)
{
    redisContext *c = ctx;
    freeReplyObject(cu_run(c, "SET mem:s hello"));
    redisReply *r = cu_run(c, "MEMORY USAGE mem:s");
    assert_that(r && r->type == REDIS_REPLY_INTEGER && r->integer > 5 && r->integer < 200,
                "MEMORY USAGE of a short string: %lld", r ? r->integer : -1);
    freeReplyObject(r);
    r = cu_run(c, "MEMORY usage mem:s SAMPLES 0");
    assert_that(r && r->type == REDIS_REPLY_INTEGER, "SAMPLES 0");
    freeReplyObject(r);
    r = cu_run(c, "MEMORY USAGE mem:none");
    assert_that(r && r->type == REDIS_REPLY_NIL, "missing key is nil");
    freeReplyObject(r);
    /* Options are checked before the key: the same errors for a missing key. */
    expect_arg_error(c, "MEMORY USAGE mem:none SAMPLES", "ERR syntax error");
    expect_arg_error(c, "MEMORY USAGE mem:s SAMPLES -1", "ERR syntax error");
    expect_arg_error(c, "MEMORY USAGE mem:s SAMPLES x",
                     "ERR value is not an integer or out of range");
    expect_arg_error(c, "MEMORY USAGE mem:s BOGUS 1", "ERR syntax error");
    expect_arg_error(c, "MEMORY USAGE", "ERR wrong number of arguments for 'memory|usage' command");
    freeReplyObject(cu_run(c, "DEL mem:s"));
}

static void
test_doctor_purge_help(void **state)
{
    redisContext *c = ctx;
    redisReply *r = cu_run(c, "MEMORY DOCTOR");
    assert_that(r && r->type == REDIS_REPLY_STRING &&
                    strcmp(r->str,
                           "Hi Sam, this instance holds too little data (under 5 MB of used "
                           "memory) for my checks to mean anything. Fill it with some real "
                           "data and ask me again.\n") == 0,
                "DOCTOR on a small instance: %s", r ? r->str : "(null)");
    freeReplyObject(r);

    r = cu_run(c, "MEMORY PURGE");
    assert_that(r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0, "PURGE +OK");
    freeReplyObject(r);

    char *s = info_text(c, "memory"), alloc[64] = "";
    info_text_field(s, "mem_allocator", alloc, sizeof(alloc));
    free(s);
    r = cu_run(c, "MEMORY MALLOC-STATS");
    assert_that(r && r->type == REDIS_REPLY_STRING && r->len > 0, "MALLOC-STATS text");
    assert_allocator(alloc);
    /* Each allocator's own report: jemalloc's stats, tcmalloc's MallocExtension text, glibc's
     * malloc_info XML. */
    if (strcmp(harness_malloc(), "jemalloc") == 0)
        assert_that(strncmp(r->str, "___ Begin jemalloc statistics ___", 33) == 0 &&
                        strstr(r->str, "--- End jemalloc statistics ---") != NULL,
                    "jemalloc statistics");
    else if (strcmp(harness_malloc(), "tcmalloc") == 0)
        assert_that(strstr(r->str, "MALLOC:") != NULL, "tcmalloc statistics: %.80s", r->str);
    else
        assert_that(strncmp(r->str, "<malloc version=", 16) == 0, "glibc malloc_info: %.80s",
                    r->str);
    freeReplyObject(r);

    r = cu_run(c, "MEMORY HELP");
    /* Redis's 14 lines, zmem's HISTORY (two lines) after DOCTOR's, BREAKDOWN (two) last. */
    assert_that(r && r->type == REDIS_REPLY_ARRAY && r->elements == 18, "HELP has 18 lines");
    for (size_t i = 0; i < 18; i++)
        assert_that(r->element[i]->type == REDIS_REPLY_STATUS, "HELP line %zu is a status", i);
    assert_that(strcmp(r->element[0]->str,
                       "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:") == 0,
                "HELP header");
    assert_that(strcmp(r->element[3]->str, "HISTORY [COUNT <count>]") == 0, "HELP history");
    assert_that(strcmp(r->element[11]->str, "USAGE <key> [SAMPLES <count>]") == 0, "HELP usage");
    assert_that(strcmp(r->element[14]->str, "BREAKDOWN") == 0, "HELP breakdown");
    assert_that(strcmp(r->element[17]->str, "    Prints this help.") == 0, "HELP footer");
    freeReplyObject(r);
}

/* Past 5 MB the checks run. A peak three times today's usage must be the first bullet, in the
 * report's fixed frame. */
static void
test_doctor_report(void **state)
{
    redisContext *c = ctx;
    static const char head[] = "Sam, I detected a few issues in this Redis instance memory "
                               "implants:\n\n * Peak memory: ";
    static const char tail[] = "\n\nI'm here to keep you safe, Sam. I want to help you.\n";

    fill_strings(c, "doc:", 20000, 300); /* ~7 MB that stay */
    freeReplyObject(cu_run(c, "SELECT 1"));
    fill_strings(c, "doc:", 60000, 300); /* ~20 MB that go */
    freeReplyObject(cu_run(c, "FLUSHDB"));
    freeReplyObject(cu_run(c, "SELECT 0"));
    usleep(300000); /* a sampler period or two */
    redisReply *r = cu_run(c, "MEMORY DOCTOR");
    assert_that(r && r->type == REDIS_REPLY_STRING && strncmp(r->str, head, sizeof(head) - 1) == 0,
                "DOCTOR after a peak: %s", r ? r->str : "(null)");
    assert_that(r && r->len > sizeof(tail) &&
                    strcmp(r->str + r->len - (sizeof(tail) - 1), tail) == 0,
                "DOCTOR report closing line");
    if (r)
        freeReplyObject(r);
    freeReplyObject(cu_run(c, "FLUSHALL"));
}

static void
test_dispatch_errors(void **state)
{
    redisContext *c = ctx;
    expect_arg_error(c, "MEMORY", "ERR wrong number of arguments for 'memory' command");
    expect_arg_error(c, "MEMORY STATS x",
                     "ERR wrong number of arguments for 'memory|stats' command");
    expect_arg_error(c, "MEMORY doctor x",
                     "ERR wrong number of arguments for 'memory|doctor' command");
    expect_arg_error(c, "MEMORY HELP x", "ERR wrong number of arguments for 'memory|help' command");
    expect_arg_error(c, "MEMORY PURGE x",
                     "ERR wrong number of arguments for 'memory|purge' command");
    expect_arg_error(c, "MEMORY MALLOC-STATS x",
                     "ERR wrong number of arguments for 'memory|malloc-stats' command");
    expect_arg_error(c, "MEMORY bogus", "ERR unknown subcommand 'bogus'. Try MEMORY HELP.");
    expect_arg_error(c, "memory BoGuS 1", "ERR unknown subcommand 'BoGuS'. Try MEMORY HELP.");
}

static int
group_setup(void **state)
{
    ctx = zserver_start_connect(&server, NULL);
    return 0;
}

static int
group_teardown(void **state)
{
    redisFree(ctx);
    return zserver_stop(&server) == 0 ? 0 : -1;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doctor_purge_help),
        cmocka_unit_test(test_dispatch_errors),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_doctor_report),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
