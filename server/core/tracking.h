/* tracking — client-side caching (CLIENT TRACKING, Redis 7.0 semantics): the table of keys
 * clients have read and who read each, the table of BCAST prefixes and who follows each, and
 * the invalidation messages (RESP3 pushes, or RESP2 messages on __redis__:invalidate of a
 * redirect client). It hears of changes through the keyspace's modified and flush hooks, which
 * it installs only while somebody could be told. */
#ifndef ZMEM_SERVER_TRACKING_H
#define ZMEM_SERVER_TRACKING_H

#include <stddef.h>
#include <stdint.h>

struct client;
struct command;
struct event_base;
struct resp_arg;

/* CLIENT TRACKING options (tracking_enable). */
#define TRACKING_BCAST  (1u << 0)
#define TRACKING_OPTIN  (1u << 1)
#define TRACKING_OPTOUT (1u << 2)
#define TRACKING_NOLOOP (1u << 3)

/* Create the event that sends BCAST invalidations and trims the table after each loop turn's
 * commands (Redis's beforeSleep). 0, or -1 on failure. */
int tracking_setup(struct event_base *base);
/* One bounded step of active defragmentation over the key table (defrag_add_other()): each
 * tracked key's entry and holder array, then the bucket tables, are offered to move (a block's
 * new address, or NULL when it stays); each holder's reference to a moved entry is fixed, in
 * the memory category the blocks were counted in. restart begins a new walk. 0 when done. */
int tracking_defrag_step(int restart, void *(*move)(void *p));
/* Free the tables and the event (after every client is gone). */
void tracking_teardown(void);

/* CLIENT TRACKING ON with options (TRACKING_*), redirect (client id, 0: none) and BCAST
 * prefixes: checks them with Redis's rules and texts against c's current mode, replying with
 * the error and returning -1 when they fail; else turns tracking on (adding the prefixes to
 * those c has) and returns 0 without replying. */
int tracking_enable(struct client *c, unsigned options, long long redirect,
                    const struct resp_arg *prefixes, size_t nprefixes);
/* Tracking off for c: its prefixes and the keys it was told about are forgotten (Redis keeps the
 * latter until they change; zmem frees them at once). CLIENT TRACKING OFF, RESET, close. */
void tracking_disable(struct client *c);
/* CLIENT CACHING YES (yes = 1) or NO: 0, or -1 after replying with Redis's error. */
int tracking_caching(struct client *c, int yes);
/* CLIENT GETREDIR's value: the redirect id, 0 without one, -1 when tracking is off. */
long long tracking_redirect(const struct client *c);
/* CLIENT TRACKINGINFO reply for c. */
void tracking_reply_info(struct client *c);
/* CLIENT LIST's tracking letters for c (t, R, B in Redis's order) written to dst (room for 4);
 * returns how many. */
int tracking_flag_letters(const struct client *c, char *dst);
/* Bytes c's tracking state holds (its part of client_memory()). */
size_t tracking_client_memory(const struct client *c);
/* c is being freed: turn its tracking off and break the redirects that point to it. */
void tracking_client_gone(struct client *c);

/* Around every command_call() (EXEC's queued commands too): a key the running client itself
 * tracks and changes is told to it only after its reply. */
void tracking_call_enter(void);
void tracking_call_leave(void);
/* After a read-only command: remember its keys for c, if c tracks keys in the default mode and
 * OPTIN/OPTOUT with CLIENT CACHING allow it. */
void tracking_remember_keys(struct client *c, const struct command *cmd);
/* Around one dispatched command of c. The end sends the invalidations owed to c and, unless c is
 * in MULTI or the command was a CLIENT subcommand (keep_caching), forgets CLIENT CACHING. */
void tracking_dispatch_begin(struct client *c);
void tracking_dispatch_end(struct client *c, int keep_caching);

/* Server cron: keep the table within tracking-table-max-keys when the last pass could not. */
void tracking_cron(void);

/* INFO: clients with tracking on, keys in the table, key-client pairs, BCAST prefixes. */
size_t tracking_clients(void);
size_t tracking_total_keys(void);
size_t tracking_total_items(void);
size_t tracking_total_prefixes(void);

#endif
