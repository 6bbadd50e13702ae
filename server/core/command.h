/* command — the command table row (COMMAND macro, CMD_* flags, per-command statistics),
 * lookup, arity checks and dispatch. The tables themselves live in server/commands and are
 * handed to command_setup() by main. */
#ifndef ZMEM_SERVER_COMMAND_H
#define ZMEM_SERVER_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "latency.h"

struct client;

typedef void cmd_proc(struct client *c);

/* Flags, as Redis's command table has them where they change behaviour. */
#define CMD_WRITE        (1 << 0) /* may modify the keyspace */
#define CMD_READONLY     (1 << 1) /* reads the keyspace */
#define CMD_DENYOOM      (1 << 2) /* -OOM when over maxmemory and nothing can be evicted */
#define CMD_ADMIN        (1 << 3)
#define CMD_NOAUTH       (1 << 4) /* allowed before AUTH (AUTH, HELLO, QUIT) */
#define CMD_FAST         (1 << 5)
#define CMD_LOADING      (1 << 6)
#define CMD_STALE        (1 << 7)
#define CMD_SKIP_SLOWLOG (1 << 8) /* never in the slow log (AUTH, HELLO: they carry passwords) */
#define CMD_NO_QUEUE     (1 << 9) /* runs at once inside MULTI: EXEC, DISCARD, MULTI, WATCH, QUIT */
/* A write command that changes keys only through db.c's functions, which signal WATCH
 * themselves: the dispatcher need not signal its keys after it (so SETNX on an existing key
 * or COPY's source leaves a WATCH alone, as in Redis). */
#define CMD_DB_SIGNALS (1 << 10)
/* Not a write, but Redis would propagate it (PUBLISH, SPUBLISH, EVAL...): CLIENT PAUSE WRITE
 * holds it like a write. */
#define CMD_MAY_REPLICATE (1 << 11)

/* Per-command statistics (INFO commandstats, SLOWLOG). The only mutable part of a command:
 * each row points to its own record, which COMMAND() creates with static storage. */
struct command_stats {
    uint64_t calls;
    uint64_t usec;
    uint64_t rejected_calls;  /* refused before running: arity, OOM, NOAUTH */
    uint64_t failed_calls;    /* ran and answered with an error */
    struct latency_hist hist; /* durations while latency-tracking is yes */
};

/* Key positions as COMMAND reports them (and redis-cli uses for hints); all 0 for none. */
struct command_keys {
    int first, last, step; /* last -1: every argument from first on */
};

/* One row of a command table. Rows and tables are const; only *stats changes at run time. */
struct command {
    const char *name; /* lower case: "get", or the subcommand name "usage" */
    cmd_proc *proc;   /* NULL for a container whose subcommands do the work */
    int arity;        /* Redis convention: N exact, -N at least N (name included) */
    unsigned flags;   /* CMD_* */
    struct command_keys keys;
    const struct command *subcommands; /* NULL-name-terminated, or NULL */
    const char *summary;               /* one line, for COMMAND DOCS */
    const char *group;           /* "string", "hash", "list", "set", "sorted-set", "generic", ... */
    struct command_stats *stats; /* this row's own record (see COMMAND) */
};

/* A table row: name, handler, arity and flags, then any other designated fields
 * (.keys, .subcommands, .summary, .group). The compound literal gives each row its own
 * zeroed, writable statistics record, so the row itself can be const. Use it only in
 * file-scope tables: there the literal has static storage (in a function it would not):
 *
 *     COMMAND("get", cmd_get, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
 *             .summary = "Return the string stored at a key, or nil", .group = "string"),
 */
#define COMMAND(name_, proc_, arity_, flags_, ...)                                                 \
    {                                                                                              \
        .name = (name_), .proc = (proc_), .arity = (arity_), .flags = (flags_),                    \
        .stats = &(struct command_stats){0}, __VA_ARGS__                                           \
    }
/* Ends every table and subcommand table. */
#define COMMAND_END                                                                                \
    {                                                                                              \
        .name = NULL                                                                               \
    }

/* Index the tables (call once at start, before serving). `tables` is a NULL-terminated list
 * of tables, each ending with COMMAND_END, and must stay valid until command_teardown();
 * COMMAND and INFO commandstats list the commands in its order. Zeroes every command's
 * statistics. Returns 0, or -1 on a duplicate name. */
int command_setup(const struct command *const *tables);
/* Forget the tables given to command_setup(). */
void command_teardown(void);
/* Find a top-level command by name (case-insensitive), NULL if unknown. */
const struct command *command_lookup(const char *name, size_t len);
/* Find a subcommand of parent by name (case-insensitive), NULL if unknown. */
const struct command *command_lookup_sub(const struct command *parent, const char *name,
                                         size_t len);
/* Number of top-level commands (COMMAND COUNT). */
size_t command_count(void);
/* The container a subcommand belongs to ("memory" for "usage"), NULL for a top-level command. */
const struct command *command_parent(const struct command *cmd);
/* Full name as Redis prints it in errors and commandstats: "get", "memory|usage". */
void command_fullname(const struct command *cmd, char *dst, size_t size);
/* Visit every command and subcommand (for INFO commandstats, COMMAND, CONFIG RESETSTAT). */
void command_foreach(void (*fn)(const struct command *cmd, void *ctx), void *ctx);
/* Zero every command's statistics (CONFIG RESETSTAT). */
void command_reset_stats(void);

/* Run the parsed command in c->argc/c->argv: lookup, auth, arity, subcommand dispatch, OOM
 * check, then either queue it (client in MULTI) or call it. */
void command_dispatch(struct client *c);
/* Call cmd, already checked, on c->argc/c->argv: the handler, its statistics, slow log entry
 * and, for a write command that answered without an error, a WATCH signal on its keys (the
 * changes values get in place do not pass through the keyspace layer). EXEC calls it for
 * each queued command. */
void command_call(struct client *c, const struct command *cmd);

#endif
