/* watch — WATCH's bookkeeping: per database, a table of the watched keys and who watches each,
 * and per client a `struct watcher` listing its watched keys. The keyspace (db.c) calls
 * watch_touch_key()/watch_touch_db() whenever a key changes, which flags the watchers dirty;
 * the core only reads watcher.dirty at EXEC. Lives in the keyspace room so that db.c can call
 * it without knowing anything of clients. */
#ifndef ZMEM_SERVER_WATCH_H
#define ZMEM_SERVER_WATCH_H

#include <stddef.h>

struct db;
struct watch_ref;

/* One client's watched keys. Zero-initialized means "nothing watched". */
struct watcher {
    int dirty;              /* a watched key changed since WATCH: EXEC must fail */
    struct watch_ref *refs; /* zmalloc'd, n used of cap */
    size_t n, cap;
};

/* Watch key in db (no effect if w already watches it). A key that is present but already past
 * its TTL is remembered as stale: its deletion by expiry is then not a change (Redis 7.0). */
void watch_add(struct watcher *w, struct db *db, const char *key, size_t klen);
/* Forget every key w watches and clear its dirty flag (UNWATCH, EXEC, DISCARD, disconnect). */
void watch_clear(struct watcher *w);
/* Key in db was modified (or deleted): flag its watchers dirty. Call after the change. Cheap
 * when nothing in db is watched. */
void watch_touch_key(struct db *db, const char *key, size_t klen);
/* Like watch_touch_key() but skips keys already touched by the keyspace during the current
 * command (see watch_command_begin()) and keys absent afterwards: for the dispatcher's
 * after-the-fact signal of the keys of a write command (in-place changes), which would
 * otherwise break the stale-key rule above or fire on a write to a missing key. */
void watch_touch_key_once(struct db *db, const char *key, size_t klen);
/* Start a new command for watch_touch_key_once()'s bookkeeping. */
void watch_command_begin(void);
/* db is about to be emptied (FLUSHDB/FLUSHALL): flag the watchers of the keys it holds. */
void watch_touch_db(struct db *db);
/* SWAPDB is about to give `emptied` the contents of `replaced_with`: flag the watchers of
 * emptied's watched keys that this changes (Redis 7.0's rules for stale keys included). */
void watch_touch_swap(struct db *emptied, struct db *replaced_with);
/* At EXEC: a watched key that expired since WATCH (and is not yet deleted) makes w dirty. */
void watch_check_expired(struct watcher *w);
/* Bytes w itself holds (its reference array), for the client's memory figure. */
size_t watch_memory(const struct watcher *w);

#endif
