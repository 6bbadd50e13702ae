/* test_command.c — core/command.c's name lookup: case-insensitive, exact length, and a name
 * from the client holding a NUL byte matches nothing (found by fuzz_server: the comparison
 * stopped at the NUL and then read past the table's name). The table names below keep zero
 * bytes after their end, so the old comparison matched a subcommand even without ASan (a
 * top-level name is found by its hash first, so there it was only an out-of-bounds read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "command.h"

static void
cmd_stub(struct client *c)
{
}

static const char get_name[16] = "get";
static const char encoding_name[16] = "encoding";

static const struct command object_subcommands[] = {
    COMMAND(encoding_name, cmd_stub, 3, CMD_READONLY),
    COMMAND_END,
};

static const struct command test_table[] = {
    COMMAND(get_name, cmd_stub, 2, CMD_READONLY | CMD_FAST),
    COMMAND("object", NULL, -2, 0, .subcommands = object_subcommands),
    COMMAND_END,
};

static const struct command *const test_tables[] = {test_table, NULL};

static int
group_setup(void **state)
{
    return command_setup(test_tables);
}

static int
group_teardown(void **state)
{
    command_teardown();
    return 0;
}

static void
test_lookup_exact(void **state)
{
    const struct command *get = command_lookup("GeT", 3);
    assert_non_null(get);
    assert_string_equal(get->name, "get");
    assert_null(command_lookup("ge", 2));
    assert_null(command_lookup("gets", 4));
    assert_null(command_lookup("nosuch", 6));
}

static void
test_lookup_embedded_nul(void **state)
{
    assert_null(command_lookup("get\0", 4));
    assert_null(command_lookup("get\0xyz", 7));
    assert_null(command_lookup("\0", 1));
}

static void
test_lookup_sub(void **state)
{
    const struct command *object = command_lookup("object", 6);
    assert_non_null(object);
    assert_non_null(command_lookup_sub(object, "ENCODING", 8));
    assert_null(command_lookup_sub(object, "encoding\0", 9));
    assert_null(command_lookup_sub(object, "encoding\0freq", 13));
    assert_null(command_lookup_sub(object, "enc", 3));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_exact),
        cmocka_unit_test(test_lookup_embedded_nul),
        cmocka_unit_test(test_lookup_sub),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
