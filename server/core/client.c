/* client.c — the client list, per-client memory accounting, argument helpers, the CLIENT
 * LIST line, and the reply_* helpers every handler answers with. Socket I/O, accept and the
 * read/dispatch/write cycle live in net.c. */
#include "client.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "multi.h"
#include "net.h"
#include "pubsub.h"
#include "resp_write.h"
#include "stats.h"
#include "tracking.h"
#include "util.h"
#include "zmalloc.h"

/* ---- Replies ---- */

void
reply_simple(struct client *c, const char *s)
{
    resp_write_simple(&c->reply, s, strlen(s));
}

void
reply_ok(struct client *c)
{
    buf_append(&c->reply, "+OK\r\n", 5);
}

/* The error code is the first word of the text: errorstats counts by it. */
static void
count_error(const char *text, size_t len)
{
    size_t n = 0;
    while (n < len && text[n] != ' ')
        n++;
    errorstats_incr(text, n);
}

void
reply_error(struct client *c, const char *text)
{
    size_t len = strlen(text);
    resp_write_error(&c->reply, text, len);
    count_error(text, len);
}

void
reply_errorf(struct client *c, const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(text))
        n = (int)sizeof(text) - 1;
    resp_write_error(&c->reply, text, (size_t)n);
    count_error(text, (size_t)n);
}

void
reply_int(struct client *c, long long v)
{
    resp_write_int(&c->reply, v);
}

void
reply_bulk(struct client *c, const char *s, size_t len)
{
    reply_make_room(c, len);
    resp_write_bulk(&c->reply, s, len);
}

void
reply_bulk_cstr(struct client *c, const char *s)
{
    if (s == NULL)
        resp_write_null(&c->reply, c->proto);
    else
        resp_write_bulk(&c->reply, s, strlen(s));
}

void
reply_bulk_int(struct client *c, long long v)
{
    resp_write_bulk_int(&c->reply, v);
}

void
reply_null(struct client *c)
{
    resp_write_null(&c->reply, c->proto);
}

void
reply_null_array(struct client *c)
{
    resp_write_null_array(&c->reply, c->proto);
}

void
reply_array(struct client *c, long long n)
{
    resp_write_array(&c->reply, n);
}

void
reply_map(struct client *c, long long n)
{
    resp_write_map(&c->reply, n, c->proto);
}

void
reply_set(struct client *c, long long n)
{
    resp_write_set(&c->reply, n, c->proto);
}

void
reply_double(struct client *c, double d)
{
    resp_write_double(&c->reply, d, c->proto);
}

void
reply_human_double(struct client *c, long double d)
{
    char s[LDBL_STR_MAX];
    size_t n = ldouble_to_str(s, sizeof(s), d);
    if (c->proto != RESP3) {
        resp_write_bulk(&c->reply, s, n);
        return;
    }
    buf_append(&c->reply, ",", 1);
    buf_append(&c->reply, s, n);
    buf_append(&c->reply, "\r\n", 2);
}

void
reply_verbatim(struct client *c, const char *s, size_t len)
{
    reply_make_room(c, len);
    resp_write_verbatim(&c->reply, "txt", s, len, c->proto);
}

size_t
reply_deferred(struct client *c)
{
    reply_deferred_opened(c);
    return resp_write_deferred(&c->reply);
}

void
reply_set_deferred(struct client *c, size_t at, char type, long long n)
{
    resp_write_set_deferred(&c->reply, at, type, n, c->proto);
    reply_deferred_closed(c);
}

/* Copy src upper-cased (command names in help and subcommand errors, as Redis prints them). */
static void
upper_copy(char *dst, size_t size, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < size; i++)
        dst[i] = (char)toupper((unsigned char)src[i]);
    dst[i] = '\0';
}

void
reply_help(struct client *c, const char *cmdname, const char *const *lines)
{
    static const char *const footer[] = {"HELP", "    Prints this help."};
    char upper[64], head[160];
    long long n = 0;

    while (lines[n])
        n++;
    upper_copy(upper, sizeof(upper), cmdname);
    snprintf(head, sizeof(head),
             "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", upper);
    reply_array(c, n + 3);
    reply_simple(c, head);
    for (long long k = 0; k < n; k++)
        reply_simple(c, lines[k]);
    reply_simple(c, footer[0]);
    reply_simple(c, footer[1]);
}

void
reply_error_arity(struct client *c)
{
    char full[128];

    if (c->cmd)
        command_fullname(c->cmd, full, sizeof(full));
    else
        snprintf(full, sizeof(full), "%.*s", c->argc ? (int)c->argv[0].len : 0,
                 c->argc ? c->argv[0].ptr : "");
    reply_errorf(c, "ERR wrong number of arguments for '%s' command", full);
}

void
reply_error_syntax(struct client *c)
{
    reply_error(c, "ERR syntax error");
}

void
reply_error_notint(struct client *c)
{
    reply_error(c, "ERR value is not an integer or out of range");
}

void
reply_error_wrongtype(struct client *c)
{
    reply_error(c, "WRONGTYPE Operation against a key holding the wrong kind of value");
}

void
reply_error_subcommand(struct client *c)
{
    char upper[64];

    const struct command *parent = c->cmd ? command_parent(c->cmd) : NULL;
    const struct command *top = parent ? parent : c->cmd;
    upper_copy(upper, sizeof(upper), top ? top->name : "");
    if (c->argc < 2) {
        reply_error_arity(c);
        return;
    }
    int sublen = c->argv[1].len > 128 ? 128 : (int)c->argv[1].len;
    reply_errorf(c, "ERR unknown subcommand '%.*s'. Try %s HELP.", sublen, c->argv[1].ptr, upper);
}

/* ---- Arguments ---- */

int
arg_is(const struct client *c, int i, const char *word)
{
    size_t n = strlen(word);
    return i < c->argc && c->argv[i].len == n && strncasecmp(c->argv[i].ptr, word, n) == 0;
}

int
arg_ll(const struct client *c, int i, long long *out)
{
    if (i >= c->argc)
        return -1;
    return str_to_ll(c->argv[i].ptr, c->argv[i].len, out);
}

/* ---- The client list and memory accounting ---- */

static struct client *clients_head;
static size_t nclients;
static size_t mem_clients_total;

/* Recent peaks of buffer use: one slot per second over the last CLIENT_PEAK_SLOTS seconds,
 * so that INFO shows what happened lately, not only what is allocated right now. */
#define CLIENT_PEAK_SLOTS 8
static size_t peak_in[CLIENT_PEAK_SLOTS], peak_out[CLIENT_PEAK_SLOTS];

void
clients_link(struct client *c)
{
    c->prev = NULL;
    c->next = clients_head;
    if (clients_head)
        clients_head->prev = c;
    clients_head = c;
    nclients++;
}

void
clients_unlink(struct client *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        clients_head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    nclients--;
    mem_clients_total -= c->mem_counted;
    c->mem_counted = 0;
}

size_t
clients_count(void)
{
    return nclients;
}

struct client *
clients_first(void)
{
    return clients_head;
}

static size_t
alloc_size(const void *p)
{
    return p ? zmalloc_size(p) : 0;
}

size_t
client_memory(const struct client *c)
{
    return zmalloc_size(c) + buf_alloc_size(&c->query) + reply_memory(c) +
           resp_parser_memory(&c->parser) + alloc_size(c->name) + multi_memory(c) +
           pubsub_client_memory(c) + tracking_client_memory(c);
}

void
client_account(struct client *c)
{
    size_t now = client_memory(c);
    mem_clients_total = mem_clients_total - c->mem_counted + now;
    c->mem_counted = now;
}

size_t
clients_memory_total(void)
{
    return mem_clients_total;
}

void
clients_note_peaks(size_t in, size_t out, int64_t now_ms)
{
    size_t slot = (size_t)(now_ms / 1000) % CLIENT_PEAK_SLOTS;
    if (in > peak_in[slot])
        peak_in[slot] = in;
    if (out > peak_out[slot])
        peak_out[slot] = out;
}

/* Called once a second or so: clear the slot the next second will use. */
void
clients_peaks_cron(void)
{
    size_t next = (size_t)(mono_ms() / 1000 + 1) % CLIENT_PEAK_SLOTS;
    peak_in[next] = 0;
    peak_out[next] = 0;
}

static size_t
peak_max(const size_t *slots)
{
    size_t m = 0;
    for (int i = 0; i < CLIENT_PEAK_SLOTS; i++)
        if (slots[i] > m)
            m = slots[i];
    return m;
}

size_t
clients_recent_max_input(void)
{
    return peak_max(peak_in);
}

size_t
clients_recent_max_output(void)
{
    return peak_max(peak_out);
}

/* ---- Name ---- */

int
client_set_name(struct client *c, const char *name, size_t len)
{
    /* Printable ASCII without spaces, so a name never breaks a CLIENT LIST line. */
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '!' || name[i] > '~') {
            reply_error(c, "ERR Client names cannot contain spaces, newlines or special "
                           "characters.");
            return -1;
        }
    }
    zfree(c->name);
    c->name = len ? zstrndup(name, len) : NULL;
    client_account(c);
    return 0;
}

/* ---- CLIENT LIST line ---- */

void
client_info_line(const struct client *c, struct buf *b)
{
    char full[128] = "NULL";
    int64_t now = mono_ms();
    size_t qbuf = c->query.len - c->query.pos;
    size_t qfree = c->query.cap - c->query.len;
    /* Pending output in Redis's terms: obl is the fixed 16 KiB reply buffer's share (here the
     * open buffer's first 16 KiB), oll the reply list's nodes (here the chain's, plus the open
     * buffer's spill), omem the list's bytes. A string sent by reference counts in full, as
     * its copy would in Redis: omem is what the client owes, not what it allocated. */
    size_t open = c->reply.len - c->reply.pos, pending = reply_pending(c);
    size_t obl = open < 16384 ? open : 16384;
    size_t omem = pending - obl, oll = c->chain.nodes + (open > obl);
    /* The events the loop waits for: reading stops under output backpressure. */
    const char *events =
        (c->flags & CLIENT_READ_OFF) ? (pending ? "w" : "") : (pending ? "rw" : "r");

    /* Redis's letters, in its order, for the states zmem has: O monitor, P subscribed, x in
     * MULTI, b blocked, t tracking (R its redirect broken, B in BCAST mode), d a watched key
     * changed. */
    char flags[12], *f = flags;
    if (c->flags & CLIENT_MONITOR)
        *f++ = 'O';
    if (c->pubsub)
        *f++ = 'P';
    if (c->flags & CLIENT_MULTI)
        *f++ = 'x';
    if (c->flags & CLIENT_BLOCKED)
        *f++ = 'b';
    f += tracking_flag_letters(c, f);
    if (c->watch.dirty)
        *f++ = 'd';
    if (f == flags)
        *f++ = 'N';
    *f = '\0';

    if (c->last_cmd)
        command_fullname(c->last_cmd, full, sizeof(full));
    size_t sub = pubsub_client_channels(c), psub = pubsub_client_patterns(c);
    /* Same keys and order as Redis 7.0 so that tools parsing k=v tokens find what they
     * expect; fields for features zmem lacks (ssub, argv-mem) carry their idle values. */
    buf_printf(b,
               "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d "
               "sub=%zu psub=%zu ssub=%zu multi=%d qbuf=%zu qbuf-free=%zu argv-mem=0 multi-mem=%zu "
               "rbs=%zu rbp=%zu obl=%zu oll=%zu omem=%zu tot-mem=%zu events=%s cmd=%s user=default "
               "redir=%lld resp=%d",
               (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
               (long long)((now - c->ctime_ms) / 1000), (long long)((now - c->last_io_ms) / 1000),
               flags, c->db_id, sub, psub, pubsub_client_shard_channels(c),
               (c->flags & CLIENT_MULTI) ? c->mstate.count : -1, qbuf, qfree, multi_memory(c),
               buf_alloc_size(&c->reply), c->reply.cap, obl, oll, omem, client_memory(c), events,
               full, tracking_redirect(c), c->proto);
}
