/* slowlog.c — the slow log. Each entry is one allocation holding its
 * header, argument slices and argument bytes, so adding and dropping entries is cheap and
 * their memory is easy to account. */
#include "slowlog.h"

#include <stdio.h>
#include <string.h>

#include "memcat.h"
#include "client.h"
#include "config.h"
#include "util.h"
#include "zmalloc.h"

#define SLOWLOG_MAX_ARGC   32
#define SLOWLOG_MAX_STRING 128

static struct slowlog_entry *newest, *oldest;
static size_t count;
static long long next_id;

static void
trim_to(size_t max)
{
    while (count > max) {
        struct slowlog_entry *e = oldest;
        oldest = e->prev;
        if (oldest)
            oldest->next = NULL;
        else
            newest = NULL;
        zfree(e);
        count--;
    }
}

void
slowlog_consider(struct client *c, int64_t duration_us)
{
    MEMCAT_SCOPE(MC_METRICS);
    const struct config *cfg = config_get();
    char more[SLOWLOG_MAX_ARGC][48];
    size_t lens[SLOWLOG_MAX_ARGC];

    if (cfg->slowlog_log_slower_than < 0 || duration_us < cfg->slowlog_log_slower_than ||
        cfg->slowlog_max_len == 0)
        return;
    /* At most 32 arguments, the last one saying how many were left out; each argument at
     * most 128 bytes followed by how many bytes were left out. */
    int argc = c->argc > SLOWLOG_MAX_ARGC ? SLOWLOG_MAX_ARGC : c->argc;
    size_t bytes = 0;
    for (int j = 0; j < argc; j++) {
        more[j][0] = '\0';
        if (argc != c->argc && j == argc - 1) {
            snprintf(more[j], sizeof(more[j]), "... (%d more arguments)", c->argc - argc + 1);
            lens[j] = 0;
        } else if (c->argv[j].len > SLOWLOG_MAX_STRING) {
            snprintf(more[j], sizeof(more[j]), "... (%zu more bytes)",
                     c->argv[j].len - SLOWLOG_MAX_STRING);
            lens[j] = SLOWLOG_MAX_STRING;
        } else {
            lens[j] = c->argv[j].len;
        }
        bytes += lens[j] + strlen(more[j]);
    }
    size_t addrlen = strlen(c->addr) + 1;
    size_t namelen = c->name ? strlen(c->name) + 1 : 1;
    struct slowlog_entry *e =
        zmalloc(sizeof(*e) + (size_t)argc * sizeof(struct slowlog_arg) + bytes + addrlen + namelen);
    e->argv = (struct slowlog_arg *)(e + 1);
    char *p = (char *)(e->argv + argc);
    for (int j = 0; j < argc; j++) {
        size_t ml = strlen(more[j]);
        e->argv[j].ptr = p;
        e->argv[j].len = lens[j] + ml;
        memcpy(p, c->argv[j].ptr, lens[j]);
        memcpy(p + lens[j], more[j], ml);
        p += lens[j] + ml;
    }
    e->addr = p;
    memcpy(p, c->addr, addrlen);
    p += addrlen;
    e->name = p;
    memcpy(p, c->name ? c->name : "", namelen);
    e->argc = argc;
    e->id = next_id++;
    e->time = wall_ms() / 1000;
    e->duration = duration_us;
    e->prev = NULL;
    e->next = newest;
    if (newest)
        newest->prev = e;
    newest = e;
    if (oldest == NULL)
        oldest = e;
    count++;
    trim_to((size_t)cfg->slowlog_max_len);
}

void
slowlog_reset(void)
{
    MEMCAT_SCOPE(MC_METRICS);
    trim_to(0);
}

size_t
slowlog_len(void)
{
    /* A lowered slowlog-max-len takes effect at the next read, as in Redis. */
    trim_to((size_t)config_get()->slowlog_max_len);
    return count;
}

const struct slowlog_entry *
slowlog_newest(void)
{
    return newest;
}
