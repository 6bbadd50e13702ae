/* watch.c — the watched-keys tables of WATCH. Each database that has watched keys owns a dict
 * (db->watched) of `struct wkey` records: the key bytes and the watchers of that key. Each
 * watcher (one per client, embedded in it) has an array of references back to those records,
 * so UNWATCH and disconnect cost the number of keys the client watches. Touching a key flags
 * its watchers dirty; the record stays until its watchers let go (as Redis does after EXEC). */
#include "watch.h"

#include <string.h>

#include "memcat.h"
#include "db.h"
#include "dict.h"
#include "zmalloc.h"

struct wkey {
    struct dict_node node;
    struct watcher **w; /* watchers of this key, n used of cap */
    size_t n, cap;
    unsigned long long gen; /* command generation of the last touch (watch_touch_key_once) */
    size_t klen;
    char key[];
};

struct watch_ref {
    struct db *db;
    struct wkey *wk;
    int stale; /* the key was already past its TTL when watched */
};

/* Bumped per command; a wkey touched in the current generation is not touched again by
 * watch_touch_key_once(). Starts at 1 so a fresh record (gen 0) is never "already touched". */
static unsigned long long cmd_gen = 1;

static const char *
wkey_key(const struct dict_node *n, size_t *len)
{
    const struct wkey *wk = (const struct wkey *)n;
    *len = wk->klen;
    return wk->key;
}

static struct wkey *
wkey_find(struct db *db, const char *key, size_t klen)
{
    if (db->watched == NULL)
        return NULL;
    return (struct wkey *)dict_find(db->watched, key, klen, dict_hash(key, klen));
}

void
watch_add(struct watcher *w, struct db *db, const char *key, size_t klen)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct wkey *wk = wkey_find(db, key, klen);
    /* Already watching it? The key's watchers are usually few; the client's keys may be many. */
    for (size_t i = 0; wk && i < wk->n; i++)
        if (wk->w[i] == w)
            return;
    if (wk == NULL) {
        if (db->watched == NULL)
            db->watched = dict_create(wkey_key);
        wk = zcalloc(sizeof(*wk) + klen);
        wk->klen = klen;
        memcpy(wk->key, key, klen);
        dict_insert(db->watched, &wk->node, dict_hash(key, klen));
    }
    if (wk->n == wk->cap) {
        wk->cap = wk->cap ? wk->cap * 2 : 2;
        wk->w = zrealloc(wk->w, wk->cap * sizeof(*wk->w));
    }
    wk->w[wk->n++] = w;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        w->refs = zrealloc(w->refs, w->cap * sizeof(*w->refs));
    }
    w->refs[w->n++] = (struct watch_ref){db, wk, db_is_stale(db, key, klen)};
}

/* Drop watcher w from wk, freeing the record (and the db's table) when nobody is left. */
static void
wkey_drop(struct db *db, struct wkey *wk, const struct watcher *w)
{
    for (size_t i = 0; i < wk->n; i++) {
        if (wk->w[i] == w) {
            wk->w[i] = wk->w[--wk->n];
            break;
        }
    }
    if (wk->n > 0)
        return;
    dict_remove(db->watched, wk->key, wk->klen, dict_hash(wk->key, wk->klen));
    zfree(wk->w);
    zfree(wk);
    if (dict_size(db->watched) == 0) {
        dict_destroy(db->watched);
        db->watched = NULL;
    }
}

void
watch_clear(struct watcher *w)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    for (size_t i = 0; i < w->n; i++)
        wkey_drop(w->refs[i].db, w->refs[i].wk, w);
    zfree(w->refs);
    w->refs = NULL;
    w->n = w->cap = 0;
    w->dirty = 0;
}

static struct watch_ref *
ref_of(struct watcher *w, const struct wkey *wk)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->refs[i].wk == wk)
            return &w->refs[i];
    return NULL;
}

/* The change to wk's key has happened; `gone` says the key is no longer in the database. A
 * watcher that saw the key already stale is not disturbed by its deletion: for it the key was
 * logically absent all along (and from then on it watches an absent key). */
static void
wkey_touch(struct wkey *wk, int gone)
{
    wk->gen = cmd_gen;
    for (size_t i = 0; i < wk->n; i++) {
        struct watcher *w = wk->w[i];
        struct watch_ref *r = ref_of(w, wk);
        if (r && r->stale) {
            if (gone) {
                r->stale = 0;
                continue;
            }
        }
        w->dirty = 1;
    }
}

void
watch_touch_key(struct db *db, const char *key, size_t klen)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct wkey *wk = wkey_find(db, key, klen);
    if (wk)
        wkey_touch(wk, db_peek(db, key, klen) == NULL);
}

void
watch_touch_key_once(struct db *db, const char *key, size_t klen)
{
    struct wkey *wk = wkey_find(db, key, klen);
    /* A key absent after the command was either deleted (db.c signalled it) or never there
     * (DEL or EXPIRE of a missing key): nothing changed in place. */
    if (wk && wk->gen != cmd_gen && db_peek(db, key, klen) != NULL)
        wkey_touch(wk, 0);
}

void
watch_command_begin(void)
{
    cmd_gen++;
}

struct flush_ctx {
    struct db *db;
};

static void
touch_if_present(struct dict_node *n, void *ctx)
{
    struct wkey *wk = (struct wkey *)n;
    struct db *db = ((struct flush_ctx *)ctx)->db;
    /* Only keys the flush really removes count; a stale one removed is no logical change
     * for those who saw it stale (wkey_touch with gone = 1). */
    if (db_peek(db, wk->key, wk->klen))
        wkey_touch(wk, 1);
}

void
watch_touch_db(struct db *db)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    if (db->watched == NULL)
        return;
    struct flush_ctx ctx = {db};
    dict_foreach(db->watched, touch_if_present, &ctx);
}

struct swap_ctx {
    struct db *emptied, *replaced_with;
};

/* SWAPDB, for one watched key of the database whose contents go away: its watchers are
 * disturbed when the key was there or will be there, except where, for them, it stays
 * logically absent (a stale key replaced by nothing or by another stale key, nothing replaced
 * by a stale key), as Redis 7.0 decides. */
static void
touch_swapped(struct dict_node *n, void *arg)
{
    struct swap_ctx *s = arg;
    struct wkey *wk = (struct wkey *)n;
    int was = db_peek(s->emptied, wk->key, wk->klen) != NULL;
    int will = db_peek(s->replaced_with, wk->key, wk->klen) != NULL;
    if (!was && !will)
        return;
    int will_stale = will && db_is_stale(s->replaced_with, wk->key, wk->klen);
    for (size_t i = 0; i < wk->n; i++) {
        struct watcher *w = wk->w[i];
        struct watch_ref *r = ref_of(w, wk);
        if (r && r->stale) {
            if (!will) {
                r->stale = 0;
                continue;
            }
            if (will_stale)
                continue;
        } else if (r && !was && will_stale) {
            r->stale = 1;
            continue;
        }
        w->dirty = 1;
    }
}

void
watch_touch_swap(struct db *emptied, struct db *replaced_with)
{
    if (emptied->watched == NULL)
        return;
    struct swap_ctx s = {emptied, replaced_with};
    dict_foreach(emptied->watched, touch_swapped, &s);
}

void
watch_check_expired(struct watcher *w)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    for (size_t i = 0; i < w->n; i++) {
        struct watch_ref *r = &w->refs[i];
        if (!r->stale && db_is_stale(r->db, r->wk->key, r->wk->klen))
            w->dirty = 1;
    }
}

size_t
watch_memory(const struct watcher *w)
{
    return w->refs ? zmalloc_size(w->refs) : 0;
}
