/* multi — a client's MULTI queue: queued copies of commands and their arguments, running them
 * at EXEC, discarding them, and the memory they hold (CLIENT LIST multi-mem). */
#ifndef ZMEM_SERVER_MULTI_H
#define ZMEM_SERVER_MULTI_H

#include <stddef.h>

struct client;
struct command;

/* Append c's current command (cmd with c->argc/c->argv, copied) to its queue. The copy is
 * NUL-terminated per argument as the parser's arguments are. */
void multi_queue(struct client *c, const struct command *cmd);
/* Leave MULTI: free the queue, clear CLIENT_MULTI and CLIENT_DIRTY_EXEC, forget the watched
 * keys (DISCARD, EXEC, disconnect). */
void multi_discard(struct client *c);
/* EXEC for a client in MULTI: answers EXECABORT, a null array (a watched key changed) or the
 * array of the queued commands' replies, each run with its own statistics and slow log entry;
 * the client leaves MULTI either way. */
void multi_exec(struct client *c);
/* Bytes the queue and the watched-key references hold (CLIENT LIST multi-mem=). */
size_t multi_memory(const struct client *c);

#endif
