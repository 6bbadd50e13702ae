/* cmd_script.c — EVAL, EVALSHA, SCRIPT, FUNCTION and FCALL for a server with no scripting
 * engine: what loads or runs code says scripting is not supported; what only asks about the
 * (always empty) set of scripts and libraries answers truthfully, with Redis's replies for
 * an empty engine (FUNCTION LIST: empty, FLUSH: OK, EVALSHA: NOSCRIPT, FCALL: not found). */
#include <stdio.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"

#define NO_SCRIPTING                                                                               \
    "ERR scripting is not supported: zmem has no Lua engine, so EVAL, SCRIPT LOAD, FUNCTION "      \
    "LOAD and FUNCTION RESTORE cannot load code"

static void
cmd_not_supported(struct client *c)
{
    reply_error(c, NO_SCRIPTING);
}

static void
cmd_evalsha(struct client *c)
{
    reply_error(c, "NOSCRIPT No matching script. Please use EVAL.");
}

static void
cmd_fcall(struct client *c)
{
    reply_error(c, "ERR Function not found");
}

static void
cmd_not_busy(struct client *c)
{
    reply_error(c, "NOTBUSY No scripts in execution right now.");
}

/* SCRIPT EXISTS sha...: none is loaded. */
static void
cmd_script_exists(struct client *c)
{
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++)
        reply_int(c, 0);
}

static void
cmd_script_flush(struct client *c)
{
    if (c->argc > 3 || (c->argc == 3 && !arg_is(c, 2, "sync") && !arg_is(c, 2, "async"))) {
        reply_error(c, "ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    reply_ok(c);
}

static void
cmd_function_flush(struct client *c)
{
    if (c->argc > 3 || (c->argc == 3 && !arg_is(c, 2, "sync") && !arg_is(c, 2, "async"))) {
        reply_error(c, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        return;
    }
    reply_ok(c);
}

/* FUNCTION LIST [WITHCODE] [LIBRARYNAME pattern]: no library matches. */
static void
cmd_function_list(struct client *c)
{
    for (int i = 2; i < c->argc; i++) {
        if (arg_is(c, i, "withcode"))
            continue;
        if (arg_is(c, i, "libraryname")) {
            if (++i == c->argc) {
                reply_error(c, "ERR library name argument was not given");
                return;
            }
            continue;
        }
        reply_errorf(c, "ERR Unknown argument %.*s", (int)(ARGL(c, i) > 128 ? 128 : ARGL(c, i)),
                     ARGP(c, i));
        return;
    }
    reply_array(c, 0);
}

static void
cmd_function_delete(struct client *c)
{
    reply_error(c, "ERR Library not found");
}

/* FUNCTION STATS: nothing running, and no engine to report on. */
static void
cmd_function_stats(struct client *c)
{
    reply_map(c, 2);
    reply_bulk_cstr(c, "running_script");
    reply_null(c);
    reply_bulk_cstr(c, "engines");
    reply_map(c, 0);
}

static void
cmd_script_help(struct client *c)
{
    static const char *const lines[] = {
        "EXISTS <sha1> [<sha1> ...]",
        "    Always 0: no script is ever loaded (zmem has no scripting engine).",
        "FLUSH [ASYNC|SYNC]",
        "    Nothing to flush; answers OK.",
        "KILL",
        "    No script ever runs; answers NOTBUSY.",
        "LOAD <script>",
        "    Refused: scripting is not supported.",
        NULL,
    };
    reply_help(c, "script", lines);
}

static void
cmd_function_help(struct client *c)
{
    static const char *const lines[] = {
        "LIST [WITHCODE] [LIBRARYNAME <pattern>]",
        "    Always empty: zmem has no scripting engine.",
        "FLUSH [ASYNC|SYNC]",
        "    Nothing to flush; answers OK.",
        "STATS",
        "    No running script and no engines.",
        "DELETE <library-name>",
        "    No library exists.",
        "KILL",
        "    No function ever runs; answers NOTBUSY.",
        "LOAD, DUMP, RESTORE",
        "    Refused: scripting is not supported.",
        NULL,
    };
    reply_help(c, "function", lines);
}

#define SCRIPT_FLAGS (CMD_LOADING | CMD_STALE)
static const struct command script_subcommands[] = {
    COMMAND("exists", cmd_script_exists, -3, SCRIPT_FLAGS,
            .summary = "Say which scripts are cached: zmem caches none, so every answer is 0",
            .group = "scripting"),
    COMMAND("flush", cmd_script_flush, -2, SCRIPT_FLAGS,
            .summary = "Empty the script cache: always empty in zmem, so just OK",
            .group = "scripting"),
    COMMAND("kill", cmd_not_busy, 2, SCRIPT_FLAGS,
            .summary = "Stop the running script: none ever runs in zmem, so NOTBUSY",
            .group = "scripting"),
    COMMAND("load", cmd_not_supported, 3, SCRIPT_FLAGS,
            .summary = "Not supported: zmem has no Lua engine and answers an error",
            .group = "scripting"),
    COMMAND("help", cmd_script_help, 2, SCRIPT_FLAGS,
            .summary = "List the SCRIPT subcommands and their arguments", .group = "scripting"),
    COMMAND_END,
};

static const struct command function_subcommands[] = {
    COMMAND("list", cmd_function_list, -2, SCRIPT_FLAGS,
            .summary = "List the loaded libraries: zmem loads none, so always empty",
            .group = "scripting"),
    COMMAND("flush", cmd_function_flush, -2, CMD_WRITE,
            .summary = "Remove every library: zmem has none, so just OK", .group = "scripting"),
    COMMAND("stats", cmd_function_stats, 2, SCRIPT_FLAGS,
            .summary = "Report the running function and the engines: none in zmem",
            .group = "scripting"),
    COMMAND("delete", cmd_function_delete, 3, CMD_WRITE,
            .summary = "Delete a library: zmem has none, so it is never found",
            .group = "scripting"),
    COMMAND("kill", cmd_not_busy, 2, SCRIPT_FLAGS,
            .summary = "Stop the running function: none ever runs in zmem, so NOTBUSY",
            .group = "scripting"),
    COMMAND("load", cmd_not_supported, -3, CMD_WRITE | CMD_DENYOOM,
            .summary = "Not supported: zmem has no function engine and answers an error",
            .group = "scripting"),
    COMMAND("dump", cmd_not_supported, 2, 0,
            .summary = "Not supported: zmem has no libraries to serialize and answers an error",
            .group = "scripting"),
    COMMAND("restore", cmd_not_supported, -3, CMD_WRITE | CMD_DENYOOM,
            .summary = "Not supported: zmem cannot load libraries and answers an error",
            .group = "scripting"),
    COMMAND("help", cmd_function_help, 2, SCRIPT_FLAGS,
            .summary = "List the FUNCTION subcommands and their arguments", .group = "scripting"),
    COMMAND_END,
};

const struct command cmd_script_table[] = {
    COMMAND("eval", cmd_not_supported, -3, CMD_MAY_REPLICATE,
            .summary = "Not supported: zmem has no Lua engine and answers an error",
            .group = "scripting"),
    COMMAND("eval_ro", cmd_not_supported, -3, CMD_READONLY,
            .summary = "Not supported (read-only EVAL): zmem has no Lua engine, answers an error",
            .group = "scripting"),
    COMMAND("evalsha", cmd_evalsha, -3, CMD_MAY_REPLICATE,
            .summary = "Run a cached script by SHA1: zmem caches none, so always NOSCRIPT",
            .group = "scripting"),
    COMMAND("evalsha_ro", cmd_evalsha, -3, CMD_READONLY,
            .summary = "Read-only EVALSHA: zmem caches no scripts, so always NOSCRIPT",
            .group = "scripting"),
    COMMAND("fcall", cmd_fcall, -3, CMD_MAY_REPLICATE,
            .summary = "Call a library function: zmem loads none, so it is never found",
            .group = "scripting"),
    COMMAND("fcall_ro", cmd_fcall, -3, CMD_READONLY,
            .summary = "Read-only FCALL: zmem loads no functions, so it is never found",
            .group = "scripting"),
    COMMAND("script", NULL, -2, 0, .subcommands = script_subcommands,
            .summary = "Script cache commands; zmem has no Lua engine, so the cache stays empty",
            .group = "scripting"),
    COMMAND("function", NULL, -2, 0, .subcommands = function_subcommands,
            .summary = "Function library commands; zmem has no engine, so no library exists",
            .group = "scripting"),
    COMMAND_END,
};
