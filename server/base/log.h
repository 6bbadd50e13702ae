/* log — Redis-style log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm <level char> message". */
#ifndef ZMEM_SERVER_LOG_H
#define ZMEM_SERVER_LOG_H

#include "config.h"

/* Log at level (enum log_level) if the configured loglevel lets it through. */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Open the configured logfile ("" = stdout). Returns 0 or -1. */
int log_setup(void);
void log_teardown(void);

#endif
