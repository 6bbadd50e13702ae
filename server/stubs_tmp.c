/* stubs_tmp.c — TEMPORARY weak stand-ins for the metrics (metrics.h) entry points the server
 * core calls, so the server links before that module lands.
 * Deleted as soon as the real ones are in. */
#include <stddef.h>

#include "metrics.h"

#define WEAK __attribute__((weak))

WEAK int metrics_setup(void) { return 0; }
WEAK void metrics_teardown(void) {}
WEAK void metrics_cron(void) {}
WEAK void metrics_update_peak(void) {}
