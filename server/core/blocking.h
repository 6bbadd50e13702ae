/* blocking — clients waiting in BLPOP, BZPOPMIN and the other blocking commands: which keys
 * each waits on (a FIFO per key), the keys that became ready during a command, serving the
 * waiters after that command as Redis does, timeouts, CLIENT UNBLOCK, and the figures INFO
 * shows (blocked_clients, clients_in_timeout_table). */
#ifndef ZMEM_SERVER_BLOCKING_H
#define ZMEM_SERVER_BLOCKING_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"

struct event_base;
struct db;

/* Serves a blocked client once the key at argv[key] holds a value of the awaited type: the
 * client's saved argv is in c->argv again; the function replies as the command would have. */
typedef void block_serve_fn(struct client *c, int key);

/* Keys made ready by the running command: blocking_serve_ready() has work when non-zero. */
extern size_t blocking_ready_count;

/* May c wait? Not inside a transaction (EXEC sets CLIENT_DENY_BLOCKING while it runs the
 * queued commands): a blocking command there answers as when its timeout expires. */
static inline int
client_may_block(const struct client *c)
{
    return !(c->flags & (CLIENT_DENY_BLOCKING | CLIENT_IN_EXEC)); /* EXEC runs its queue at once */
}

/* Start/stop (net_setup / net_teardown): the loop the timeout timers run on. */
void blocking_setup(struct event_base *base);
void blocking_teardown(void);

/* Parse argv[i] as a timeout in seconds (a double) with Redis 7.0's rules and errors: 0 with
 * *deadline_ms (monotonic ms, 0 for none), or -1 after the error reply. */
int block_timeout_arg(struct client *c, int i, int64_t *deadline_ms);
/* Block c on the keys argv[first..last] until one holds a value of `type` (OBJ_*), or until
 * deadline_ms (0: forever). The command's arguments are copied; c runs nothing more until it
 * is served, times out, is unblocked or closes. */
void block_for_keys(struct client *c, int first, int last, int type, int64_t deadline_ms,
                    block_serve_fn *serve);
/* Serve the clients waiting on the keys made ready, FIFO per key, in the order the keys became
 * ready (also those readied by the serving itself). Called after each command. */
void blocking_serve_ready(void);
/* CLIENT UNBLOCK: end c's wait with the timeout reply, or with the UNBLOCKED error when
 * `error`. 0, or -1 when c is not blocked. */
int blocking_unblock(struct client *c, int error);
/* c is closing: forget its wait. */
void blocking_client_gone(struct client *c);
/* Block c with no key until deadline_ms (0: forever): WAIT. At the deadline, or on CLIENT
 * UNBLOCK without error, timed_out(c, -1) replies in the command's context. */
void block_wait(struct client *c, int64_t deadline_ms, block_serve_fn *timed_out);
/* CLIENT PAUSE holds c's command: its arguments are kept and it runs again, through
 * command_dispatch(), at blocking_resume_postponed(). c counts as blocked meanwhile (INFO
 * blocked_clients, CLIENT LIST flag b), as in Redis; CLIENT UNBLOCK does not release it. */
void block_postpone(struct client *c);
/* 1 when c waits in block_postpone(). */
int blocking_is_postponed(const struct client *c);
/* The pause ended: re-run the postponed commands in the order they arrived. */
void blocking_resume_postponed(void);
/* db's keys changed wholesale (SWAPDB): the keys waited on in it that now exist become ready,
 * served after the running command. */
void blocking_scan_db(struct db *db);
/* INFO: blocked clients, and those of them with a timeout. */
size_t blocking_clients(void);
size_t blocking_clients_with_timeout(void);

#endif
