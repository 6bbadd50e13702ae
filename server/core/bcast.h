/* bcast — the BCAST side of client tracking: the table of prefixes clients follow, the keys
 * changed under each during the current loop turn, and the one sorted invalidation message per
 * prefix and client that tracking.c sends at the turn's end. */
#ifndef ZMEM_SERVER_BCAST_H
#define ZMEM_SERVER_BCAST_H

#include <stddef.h>
#include <stdint.h>

struct client;
struct resp_arg;
struct tprefix;

/* One client's prefixes (zero-initialized: none). */
struct bcast_list {
    struct tprefix **p; /* n used of cap */
    size_t n, cap;
};

/* Redis's overlap rule for new prefixes pr[0..n) of c, whose current ones are in l: 0, or -1
 * after replying with Redis's error text. */
int bcast_check(struct client *c, const struct bcast_list *l, const struct resp_arg *pr, size_t n);
/* c follows prefix s (len bytes; "" is every key), recorded in its list l. No effect when it
 * already does. */
void bcast_add(struct bcast_list *l, struct client *c, const char *s, size_t len);
/* c stops following every prefix of l; a prefix nobody follows any more is freed. */
void bcast_clear(struct bcast_list *l, struct client *c);
/* Key changed (by client id `by`, 0 for the server): note it under every prefix it starts
 * with. Returns 1 when it matched one (a message is then owed at the turn's end). */
int bcast_note(const char *key, size_t klen, uint64_t by);
/* At the turn's end: for each prefix with changed keys, send(c, resp, len) the sorted array of
 * those keys to each follower, leaving out for a client with noloop(c) the keys it changed
 * itself (nothing when that leaves none), then forget the keys. */
void bcast_send(void (*send)(struct client *c, const char *resp, size_t len),
                int (*noloop)(const struct client *c));
/* l's prefixes as a sorted array reply (CLIENT TRACKINGINFO). */
void bcast_reply_prefixes(struct client *c, const struct bcast_list *l);
/* Prefixes followed by somebody (tracking_total_prefixes). */
size_t bcast_prefixes(void);
/* Bytes the list l itself holds. */
size_t bcast_list_memory(const struct bcast_list *l);

#endif
