/* multi.c — MULTI queues. Each queued command is one allocation: its argument array followed
 * by the argument bytes (each NUL-terminated), so a queue costs its array plus one block per
 * command, and discarding returns exactly that. EXEC swaps each queued argv into the client
 * and calls the command as the dispatcher would. */
#include "multi.h"

#include <string.h>

#include "memcat.h"
#include "client.h"
#include "command.h"
#include "zmalloc.h"

struct multi_cmd {
    const struct command *cmd;
    int argc;
    struct resp_arg *argv; /* one block: argv[argc], then the bytes */
};

void
multi_queue(struct client *c, const struct command *cmd)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct multi_state *ms = &c->mstate;
    size_t bytes = (size_t)c->argc * sizeof(struct resp_arg);
    for (int i = 0; i < c->argc; i++)
        bytes += c->argv[i].len + 1;
    struct resp_arg *argv = zmalloc(bytes);
    char *p = (char *)(argv + c->argc);
    for (int i = 0; i < c->argc; i++) {
        memcpy(p, c->argv[i].ptr, c->argv[i].len);
        p[c->argv[i].len] = '\0';
        argv[i].ptr = p;
        argv[i].len = c->argv[i].len;
        p += c->argv[i].len + 1;
    }
    if (ms->count == ms->cap) {
        ms->cap = ms->cap ? ms->cap * 2 : 4;
        ms->cmds = zrealloc(ms->cmds, (size_t)ms->cap * sizeof(*ms->cmds));
    }
    ms->cmds[ms->count++] = (struct multi_cmd){cmd, c->argc, argv};
    ms->cmd_flags |= cmd->flags;
}

/* Free the queued commands, leaving MULTI. */
static void
free_queue(struct client *c)
{
    struct multi_state *ms = &c->mstate;
    for (int i = 0; i < ms->count; i++)
        zfree(ms->cmds[i].argv);
    zfree(ms->cmds);
    memset(ms, 0, sizeof(*ms));
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC);
}

void
multi_discard(struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    free_queue(c);
    watch_clear(&c->watch);
}

void
multi_exec(struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    if (c->flags & CLIENT_DIRTY_EXEC) {
        multi_discard(c);
        reply_error(c, "EXECABORT Transaction discarded because of previous errors.");
        return;
    }
    /* A watched key that expired since WATCH is a change even if nobody deleted it yet. */
    watch_check_expired(&c->watch);
    if (c->watch.dirty) {
        multi_discard(c);
        reply_null_array(c);
        return;
    }
    /* Nothing is watched while the queue runs: its own writes must not matter. */
    watch_clear(&c->watch);

    /* Take the queue: its commands run with the client out of MULTI, as in Redis. */
    struct multi_state ms = c->mstate;
    memset(&c->mstate, 0, sizeof(c->mstate));
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC);

    int argc = c->argc;
    struct resp_arg *argv = c->argv;
    const struct command *exec_cmd = c->cmd;
    reply_array(c, ms.count);
    c->flags |= CLIENT_IN_EXEC;
    for (int i = 0; i < ms.count; i++) {
        c->argc = ms.cmds[i].argc;
        c->argv = ms.cmds[i].argv;
        command_call(c, ms.cmds[i].cmd);
    }
    c->flags &= ~CLIENT_IN_EXEC;
    c->argc = argc;
    c->argv = argv;
    c->cmd = exec_cmd;
    c->last_cmd = exec_cmd;
    for (int i = 0; i < ms.count; i++)
        zfree(ms.cmds[i].argv);
    zfree(ms.cmds);
}

size_t
multi_memory(const struct client *c)
{
    const struct multi_state *ms = &c->mstate;
    size_t n = ms->cmds ? zmalloc_size(ms->cmds) : 0;
    for (int i = 0; i < ms->count; i++)
        n += zmalloc_size(ms->cmds[i].argv);
    return n + watch_memory(&c->watch);
}
