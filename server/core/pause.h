/* pause — CLIENT PAUSE and CLIENT UNPAUSE: while a pause lasts, the commands it covers (every
 * command, or with WRITE only writes and commands Redis would propagate) wait, postponed, and
 * run in arrival order when it ends; expiry and eviction stop so the dataset stays still. */
#ifndef ZMEM_SERVER_PAUSE_H
#define ZMEM_SERVER_PAUSE_H

#include <stdint.h>

struct client;
struct command;
struct event_base;

enum pause_mode { PAUSE_OFF = 0, PAUSE_WRITE = 1, PAUSE_ALL = 2 };

/* Start/stop (net_setup / net_teardown): the loop the end-of-pause timer runs on. */
void pause_setup(struct event_base *base);
void pause_teardown(void);
/* Pause until end_ms (unix ms). Pauses combine as in Redis: the stricter mode and the later
 * end win. An end already past ends the pause at once. */
void pause_start(int64_t end_ms, enum pause_mode mode);
/* End the pause (CLIENT UNPAUSE, or its time ran out): the postponed commands run right after
 * the current callback. */
void pause_end(void);
/* The mode in force (PAUSE_OFF when none). */
enum pause_mode pause_mode(void);
/* Must cmd, about to run on c (or be queued by it in MULTI), wait? EXEC waits when its queue
 * holds a write. */
int pause_holds(const struct client *c, const struct command *cmd);

#endif
