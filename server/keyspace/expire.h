/* expire — active expiry: the cycle that samples keys with a TTL and deletes the expired ones
 * within a time budget (lazy expiry on access is db.c's). */
#ifndef ZMEM_SERVER_EXPIRE_H
#define ZMEM_SERVER_EXPIRE_H

#include <stddef.h>
#include <stdint.h>

/* One active expire cycle over the databases, bounded by a time budget. Returns how long it
 * took in microseconds (the latency monitor's expire-cycle event), 0 when it did not run
 * (turned off, or a CLIENT PAUSE in force). */
int64_t expire_cycle(void);
/* Turn the active expire cycle on (1, the default) or off (0): DEBUG SET-ACTIVE-EXPIRE. Keys
 * still expire when looked up. */
void expire_set_active(int on);

#endif
