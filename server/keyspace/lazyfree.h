/* lazyfree — the background free thread: values that are expensive to free (UNLINK,
 * FLUSH* ASYNC, lazyfree-lazy-user-del) are handed to it so the event loop never waits. */
#ifndef ZMEM_SERVER_LAZYFREE_H
#define ZMEM_SERVER_LAZYFREE_H

#include <stddef.h>
#include <stdint.h>

struct dict;
struct kv;

/* Free an entry and its value, in the background if async and its free effort is above 64. */
void lazyfree_kv(struct kv *e, int async);
/* Free a whole keyspace dict and expires array in the background (FLUSH* ASYNC). The dict
 * struct is the lazy free thread's from then on. */
void lazyfree_dict(struct dict *d, struct kv **vol, size_t keys);
/* Ask the lazy free thread to return free memory to the OS once the queue before it drains. */
void lazyfree_purge(void);

/* Objects waiting for the background thread, and freed by it. */
size_t lazyfree_pending_objects(void);
uint64_t lazyfreed_objects(void);
void lazyfree_reset_stats(void);
/* Start / stop the background free thread. stop waits for the queue to drain. */
int lazyfree_setup(void);
void lazyfree_teardown(void);

#endif
