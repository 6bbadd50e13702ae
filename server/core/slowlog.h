/* slowlog — the slow log: commands that took at least slowlog-log-slower-than microseconds,
 * newest first, at most slowlog-max-len entries, with arguments cut the way Redis cuts them.
 * The SLOWLOG command (cmd_slowlog_table) lives in slowlog.c too. */
#ifndef ZMEM_SERVER_SLOWLOG_H
#define ZMEM_SERVER_SLOWLOG_H

#include <stddef.h>
#include <stdint.h>

struct client;

/* Log c's current command if duration_us reaches the configured threshold. */
void slowlog_consider(struct client *c, int64_t duration_us);
/* Drop every entry (SLOWLOG RESET, shutdown). */
void slowlog_reset(void);

#endif
