/* test_cmd_docs.c — the docs rows and key specs behind COMMAND INFO / DOCS / GETKEYS: every row
 * parses, every command and subcommand of zmem's tables has a row (the ones lacking one are
 * listed), the key-spec grammar refuses malformed text, and the key walk follows index, keyword
 * (forwards and backwards), range (with step and limit) and key-count specs as Redis does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmd_docs.h"
#include "cmd_keyspec.h"
#include "command.h"
#include "commands.h"
#include "resp_parse.h"

static int
group_setup(void **state)
{
    (void)state;
    char err[160];
    if (command_setup(commands_all) < 0)
        return -1;
    if (cmd_docs_setup(err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    command_teardown();
    return 0;
}

struct missing {
    char names[4096];
    int n, total;
};

static void
check_row(const struct command *cmd, void *arg)
{
    struct missing *m = arg;
    char full[128];
    command_fullname(cmd, full, sizeof(full));
    m->total++;
    if (cmd_docs_find(full) == NULL) {
        m->n++;
        size_t len = strlen(m->names);
        snprintf(m->names + len, sizeof(m->names) - len, " %s", full);
    }
}

static void
test_every_command_has_a_row(void **state)
{
    (void)state;
    struct missing m = {"", 0, 0};
    command_foreach(check_row, &m);
    if (m.n)
        fprintf(stderr, "commands without a docs row (%d of %d):%s\n", m.n, m.total, m.names);
    assert_int_equal(m.n, 0);
    assert_true(m.total > 200);
    assert_non_null(cmd_docs_find("config|get"));
    assert_null(cmd_docs_find("nosuch"));
    const struct cmd_doc *d = cmd_docs_find("zunionstore");
    assert_non_null(d);
    assert_int_equal(d->nspecs, 2);
    assert_true(d->args >= 0);
    d = cmd_docs_find("multi");
    assert_int_equal(d->args, -1); /* takes no arguments */
}

static void
test_keyspec_grammar(void **state)
{
    (void)state;
    struct keyspec ks[4];
    assert_int_equal(keyspec_parse("RO|access i1 r0,1,0", ks, 4), 1);
    assert_int_equal(ks[0].flags, KS_RO | KS_ACCESS);
    assert_int_equal(ks[0].bs, 'i');
    assert_int_equal(ks[0].index, 1);
    assert_int_equal(ks[0].fk, 'r');
    assert_int_equal(ks[0].keystep, 1);
    assert_int_equal(keyspec_parse("OW|update kSTORE,6 r0,1,0;RO|access i2 n0,1,1;- u u", ks, 4),
                     3);
    assert_int_equal(ks[0].bs, 'k');
    assert_int_equal(ks[0].kwlen, 5);
    assert_int_equal(ks[0].startfrom, 6);
    assert_int_equal(ks[1].fk, 'n');
    assert_int_equal(ks[1].firstkey, 1);
    assert_int_equal(ks[2].flags, 0);
    assert_int_equal(ks[2].bs, 'u');
    assert_int_equal(keyspec_parse("", ks, 4), 0);
    static const char *const bad[] = {
        "RO i1",
        "XX i1 r0,1,0",
        "RO|access q1 r0,1,0",
        "RO i1 r0,1",
        "RO k,1 r0,1,0",
        "RO i1 r0,1,0;",
        "RO i1 r0,1,0 ",
        "RO i1 z0,1,0",
        "RO|access  i1 u",
        "RO i1 r0,1,0;RO i1 r0,1,0;RO i1 r0,1,0;RO i1 r0,1,0;RO i1 u u",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (keyspec_parse(bad[i], ks, 4) >= 0)
            fail_msg("accepted a malformed key spec: \"%s\"", bad[i]);
}

/* The keys keyspec_find reports for the command line `line` and the given specs, as
 * "pos:flags pos:flags". */
static void
keys_of(const char *name, const char *specs, const char *line, char *out, size_t size)
{
    static char words[512];
    struct resp_arg argv[32];
    struct keyspec ks[4];
    struct keyref refs[32];
    int argc = 0;
    snprintf(words, sizeof(words), "%s", line);
    for (char *w = strtok(words, " "); w && argc < 32; w = strtok(NULL, " ")) {
        argv[argc].ptr = w;
        argv[argc].len = strlen(w);
        argc++;
    }
    int nspecs = keyspec_parse(specs, ks, 4);
    assert_true(nspecs >= 0);
    int n = keyspec_find(name, ks, nspecs, argv, argc, refs, 32);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%d:%x", i ? " " : "", refs[i].pos, refs[i].flags);
    }
}

#define EXPECT_KEYS(want, name, specs, line)                                                       \
    do {                                                                                           \
        char got_[256];                                                                            \
        keys_of(name, specs, line, got_, sizeof(got_));                                            \
        assert_string_equal(got_, want);                                                           \
    } while (0)

static void
test_keyspec_walk(void **state)
{
    (void)state;
    /* Range to the end with a step (MSET), and with a limit (only the first half of the
     * remaining arguments are keys). */
    EXPECT_KEYS("1:24 3:24 5:24", "mset", "OW|update i1 r-1,2,0", "mset a 1 b 2 c 3");
    EXPECT_KEYS("1:11 2:11", "x", "RO|access i1 r-1,1,2", "x a b 1 2");
    /* Key counts: bad or too large counts find nothing. */
    EXPECT_KEYS("1:24 3:11 4:11", "zunionstore", "OW|update i1 r0,1,0;RO|access i2 n0,1,1",
                "zunionstore d 2 a b");
    EXPECT_KEYS("", "zunionstore", "OW|update i1 r0,1,0;RO|access i2 n0,1,1",
                "zunionstore d x a b");
    EXPECT_KEYS("", "zunionstore", "OW|update i1 r0,1,0;RO|access i2 n0,1,1",
                "zunionstore d 3 a b");
    /* A keyword searched forwards (absent: that spec finds nothing), and backwards from the
     * end (MIGRATE's KEYS). */
    EXPECT_KEYS("1:11 7:24", "georadius", "RO|access i1 r0,1,0;OW|update kSTORE,6 r0,1,0",
                "georadius k 1 2 3 m STORE s");
    EXPECT_KEYS("1:11", "georadius", "RO|access i1 r0,1,0;OW|update kSTORE,6 r0,1,0",
                "georadius k 1 2 3 m");
    EXPECT_KEYS("7:292 8:292", "m", "RW|access|delete|incomplete kKEYS,-2 r-1,1,0",
                "m h 1 x 0 10 keys a b");
    /* NOT_KEY specs are not keys; an unknown spec makes the answer empty. */
    EXPECT_KEYS("2:11", "x", "not_key i1 r0,1,0;RO|access i2 r0,1,0", "x a b");
    EXPECT_KEYS("", "x", "RO|access i1 r0,1,0;RO u u", "x a b");
    /* The commands Redis walks by hand. */
    EXPECT_KEYS("1:11 5:24", "sort", "RO|access i1 r0,1,0;RO|access u u;OW|update u u",
                "sort k by store store d");
    EXPECT_KEYS("1:24", "set", "RW|access|update|variable_flags i1 r0,1,0", "set k v");
    EXPECT_KEYS("1:32", "set", "RW|access|update|variable_flags i1 r0,1,0", "set k v GET");
    EXPECT_KEYS("1:11", "bitfield", "RW|access|update|variable_flags i1 r0,1,0",
                "bitfield k get u8 0");
    EXPECT_KEYS("1:32", "bitfield", "RW|access|update|variable_flags i1 r0,1,0",
                "bitfield k incrby u8 0 1");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command_has_a_row),
        cmocka_unit_test(test_keyspec_grammar),
        cmocka_unit_test(test_keyspec_walk),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
