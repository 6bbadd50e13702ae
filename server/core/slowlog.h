/* slowlog — the slow log: commands that took at least slowlog-log-slower-than microseconds,
 * newest first, at most slowlog-max-len entries, with arguments cut the way Redis cuts them.
 * The SLOWLOG command reads it through the getters below (commands/cmd_slowlog.c). */
#ifndef ZMEM_SERVER_SLOWLOG_H
#define ZMEM_SERVER_SLOWLOG_H

#include <stddef.h>
#include <stdint.h>

struct client;

struct slowlog_arg {
    const char *ptr;
    size_t len;
};

/* One logged command. Read-only outside slowlog.c; valid until the next command runs. */
struct slowlog_entry {
    struct slowlog_entry *next, *prev; /* next: older */
    long long id;
    long long time;     /* unix seconds */
    long long duration; /* microseconds */
    int argc;           /* at most 32, the last one then saying how many were left out */
    struct slowlog_arg *argv;
    char *addr, *name;
    /* argv array, then argument bytes, addr and name follow in the same block */
};

/* Log c's current command if duration_us reaches the configured threshold. */
void slowlog_consider(struct client *c, int64_t duration_us);
/* Drop every entry (SLOWLOG RESET, shutdown). */
void slowlog_reset(void);
/* Number of entries, after dropping the oldest beyond a lowered slowlog-max-len (Redis
 * applies a new maximum at the next read, so every read goes through here). */
size_t slowlog_len(void);
/* The newest entry, NULL when the log is empty; follow ->next towards older ones. */
const struct slowlog_entry *slowlog_newest(void);

#endif
