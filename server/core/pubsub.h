/* pubsub — channels and patterns with their subscribers, each client's own subscriptions,
 * message delivery (RESP2 arrays, RESP3 pushes), and keyspace notifications. */
#ifndef ZMEM_SERVER_PUBSUB_H
#define ZMEM_SERVER_PUBSUB_H

#include <stddef.h>

struct client;
struct db;

/* Subscribe c to a channel (or pattern) and reply with the (p)subscribe confirmation. */
void pubsub_subscribe(struct client *c, const char *ch, size_t len);
void pubsub_psubscribe(struct client *c, const char *pat, size_t len);
/* Subscribe c to a shard channel (SSUBSCRIBE); its count is that of c's shard channels. */
void pubsub_ssubscribe(struct client *c, const char *ch, size_t len);
/* Unsubscribe c from one channel (pattern) and reply with the confirmation, also when c was not
 * subscribed to it. */
void pubsub_unsubscribe(struct client *c, const char *ch, size_t len);
void pubsub_punsubscribe(struct client *c, const char *pat, size_t len);
void pubsub_sunsubscribe(struct client *c, const char *ch, size_t len);
/* Unsubscribe c from every channel (pattern). With notify, one confirmation per channel, or a
 * single one with a null channel when it had none; without (closing, RESET), no reply. */
void pubsub_unsubscribe_all(struct client *c, int notify);
void pubsub_punsubscribe_all(struct client *c, int notify);
void pubsub_sunsubscribe_all(struct client *c, int notify);
/* Send msg on a channel to its subscribers and to matching patterns' subscribers. Returns the
 * number of deliveries (PUBLISH's reply). */
long long pubsub_publish(const char *ch, size_t len, const char *msg, size_t mlen);
/* Send msg on a shard channel to its subscribers ("smessage"; no pattern sees it). Returns the
 * number of deliveries (SPUBLISH's reply). */
long long pubsub_spublish(const char *ch, size_t len, const char *msg, size_t mlen);

/* Channels and patterns with at least one subscriber (INFO pubsub_channels/_patterns,
 * PUBSUB NUMPAT). */
size_t pubsub_channels_count(void);
size_t pubsub_patterns_count(void);
/* Shard channels with at least one subscriber (INFO pubsubshard_channels). */
size_t pubsub_shard_channels_count(void);
/* Subscribers of one channel (PUBSUB NUMSUB), or with shard of one shard channel
 * (SHARDNUMSUB). */
size_t pubsub_numsub(int shard, const char *ch, size_t len);
/* Visit each channel (with shard: shard channel) with subscribers whose name matches pattern
 * (NULL: all): PUBSUB CHANNELS, SHARDCHANNELS. */
void pubsub_foreach_channel(int shard, const char *pat, size_t patlen,
                            void (*fn)(const char *ch, size_t len, void *ctx), void *ctx);

/* c's channel, pattern and shard channel subscription counts (CLIENT LIST sub=, psub=,
 * ssub=). */
size_t pubsub_client_channels(const struct client *c);
size_t pubsub_client_patterns(const struct client *c);
size_t pubsub_client_shard_channels(const struct client *c);
/* Bytes c's subscription records hold (part of client_memory()). */
size_t pubsub_client_memory(const struct client *c);

/* Keyspace notification: publish event for key in database dbid on __keyspace@<db>__:<key> and
 * __keyevent@<db>__:<event>, as notify-keyspace-events allows for the class `type` (NOTIFY_*). */
void notify_keyspace_event(int type, const char *event, int dbid, const char *key, size_t klen);
/* The same with a database (the keyspace room's keyspace_event_hook: expired, evicted, new). */
void notify_keyspace_hook(int type, const char *event, struct db *db, const char *key, size_t klen);

/* One bounded step of active defragmentation over the channel, pattern and shard channel
 * tables (defrag_add_other()): each entry (with its name), its subscriber array and, at the end
 * of each table, the bucket tables are offered to move, which returns a block's new address or
 * NULL when it stays; every pointer to a moved block is fixed, in the memory category the
 * blocks were counted in. restart begins a new walk. Returns 0 when the walk is done. */
int pubsub_defrag_step(int restart, void *(*move)(void *p));

/* Free every channel and pattern (at exit, after the clients are gone). */
void pubsub_teardown(void);

#endif
