/* monitor — MONITOR: the clients that asked to see every command, and the line each command
 * run is copied to them as ("+<sec>.<usec> [<db> <ip:port>] "arg" ..."), with Redis 7.0's
 * quoting, its choice of what is never shown (admin commands) and its redaction of passwords. */
#ifndef ZMEM_SERVER_MONITOR_H
#define ZMEM_SERVER_MONITOR_H

#include <stddef.h>

struct client;
struct command;

/* c becomes a monitor (flag CLIENT_MONITOR): from now on it receives the line of every command
 * any client runs. No effect if it already is one. */
void monitor_add(struct client *c);
/* c stops being a monitor (RESET, disconnect). No effect if it is not one. */
void monitor_remove(struct client *c);
/* Number of monitors. */
size_t monitors_count(void);
/* cmd has just run on c with c->argc/c->argv: send its line to every monitor (nothing when
 * there is none, or for an admin command, as in Redis). */
void monitor_feed(struct client *c, const struct command *cmd);
/* Free the monitor list (at exit, after the clients are gone). */
void monitor_teardown(void);

#endif
