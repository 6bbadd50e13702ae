/* client — one connection: socket, query buffer and parser, reply buffer, identity, and the
 * reply_* helpers every command handler writes its answer with. */
#ifndef ZMEM_SERVER_CLIENT_H
#define ZMEM_SERVER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "reply.h"
#include "resp_parse.h"
#include "watch.h"

struct event;
struct client_pubsub;
struct client_tracking;
struct block_state;

/* Client flags. */
#define CLIENT_CLOSE_AFTER_REPLY (1 << 0) /* QUIT, protocol error: flush the reply, then close */
#define CLIENT_CLOSE_ASAP        (1 << 1) /* CLIENT KILL, write error: close without flushing */
#define CLIENT_IN_CALLBACK       (1 << 2) /* being served: a close is deferred until it returns */
#define CLIENT_READ_OFF          (1 << 3) /* not reading: output backpressure, or EOF while flushing */
#define CLIENT_SERVED            (1 << 4) /* has completed at least one command */
#define CLIENT_OUTPUT_PAUSED     (1 << 5) /* owes too much output: its commands wait */
#define CLIENT_RESUME_INPUT      (1 << 6) /* woken to run commands waiting in its query buffer */
#define CLIENT_MULTI             (1 << 7) /* between MULTI and EXEC/DISCARD: commands are queued */
#define CLIENT_DIRTY_EXEC        (1 << 8) /* a command was refused while queueing: EXECABORT */
#define CLIENT_IN_EXEC           (1 << 9) /* running EXEC's queue: a blocking command must not block */
#define CLIENT_NO_EVICT          (1 << 10) /* CLIENT NO-EVICT on: exempt from maxmemory-clients */
#define CLIENT_REPLY_OFF         (1 << 11) /* CLIENT REPLY OFF: replies are dropped */
#define CLIENT_REPLY_SKIP_NEXT   (1 << 12) /* CLIENT REPLY SKIP: drop the next command's reply */
#define CLIENT_REPLY_SKIP        (1 << 13) /* dropping this command's reply */
#define CLIENT_BLOCKED           (1 << 14) /* waiting in a blocking command (blocking.c) */
#define CLIENT_DENY_BLOCKING     (1 << 15) /* may not block now (EXEC): see client_may_block() */
#define CLIENT_MONITOR           (1 << 16) /* MONITOR: every command run is copied to it (monitor.c) */

/* A MULTI queue (multi.c). */
struct multi_cmd;
struct multi_state {
    struct multi_cmd *cmds; /* zmalloc'd, count used of cap */
    int count, cap;
    unsigned cmd_flags; /* union of the queued commands' CMD_* flags (EXEC's OOM check) */
};

struct client {
    uint64_t id;
    int fd;
    int flags;
    int proto;         /* RESP2 or RESP3 (HELLO 3) */
    int authenticated; /* 1 when no password is set or AUTH succeeded */
    int db_id;         /* SELECTed database */
    char *name;        /* CLIENT SETNAME, zmalloc'd, NULL when unset */
    char addr[64];     /* "ip:port" of the peer */
    char laddr[64];    /* "ip:port" of our side */

    struct buf query; /* unparsed input (pos: parsed up to here) */
    struct resp_parser parser;
    int argc; /* the command being executed: argv slices into query/parser */
    struct resp_arg *argv;
    const struct command *cmd;      /* the command being executed (NULL between commands) */
    const struct command *last_cmd; /* last executed (CLIENT LIST cmd=) */

    struct buf reply;         /* open output buffer, newest replies (pos: sent up to here) */
    struct reply_chain chain; /* older pending output: chunks and pinned strings (reply.h) */
    int deferred_open;        /* deferred lengths reserved in reply and not yet filled in */

    struct multi_state mstate; /* queued commands while CLIENT_MULTI */
    struct watcher watch;      /* WATCHed keys; watch.dirty is Redis's CLIENT_DIRTY_CAS */

    struct event *read_ev;
    struct event *write_ev;

    int64_t ctime_ms;           /* connect time */
    int64_t last_io_ms;         /* last interaction, for timeout and idle trimming */
    size_t mem_counted;         /* this client's last figure included in clients_memory_total() */
    size_t query_peak;          /* largest query buffer use since the last trim */
    int64_t unserved_since_ms;  /* first input of a client with no command completed yet, or 0 */
    int64_t obuf_soft_since_ms; /* since when its output is over the soft limit, or 0 */
    struct block_state *block;  /* its wait while CLIENT_BLOCKED (blocking.c), else NULL */

    struct client_pubsub *pubsub;     /* channel and pattern subscriptions (pubsub.c), or NULL */
    struct client_tracking *tracking; /* CLIENT TRACKING state (tracking.c), or NULL */

    struct client *prev, *next; /* all clients list */
};

/* ---- Replies. All append to c->reply in c->proto; none can fail (an allocation failure marks
 * the buffer and the client is dropped after the command). ---- */
void reply_simple(struct client *c, const char *s);
void reply_ok(struct client *c);
/* An error reply; text carries its code ("ERR ...", "WRONGTYPE ..."). Counted in errorstats. */
void reply_error(struct client *c, const char *text);
void reply_errorf(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_int(struct client *c, long long v);
void reply_bulk(struct client *c, const char *s, size_t len);
void reply_bulk_cstr(struct client *c, const char *s);
void reply_bulk_int(struct client *c, long long v);
void reply_null(struct client *c);
void reply_null_array(struct client *c);
void reply_array(struct client *c, long long n);
void reply_map(struct client *c, long long n);
void reply_set(struct client *c, long long n);
void reply_double(struct client *c, double d);
/* d in Redis's "human" long double form ("%.17Lf" without trailing zeros: GEOPOS and
 * WITHCOORD coordinates): a RESP2 bulk, a RESP3 double. */
void reply_human_double(struct client *c, long double d);
/* Text as RESP3 verbatim "txt" / RESP2 bulk (INFO, MEMORY DOCTOR, CLIENT LIST). */
void reply_verbatim(struct client *c, const char *s, size_t len);
/* Deferred aggregate length: see resp_write_deferred(). */
size_t reply_deferred(struct client *c);
void reply_set_deferred(struct client *c, size_t at, char type, long long n);
/* Help reply of a container command: header line, the given lines, HELP footer. */
void reply_help(struct client *c, const char *cmdname, const char *const *lines);

/* Common errors with Redis's exact texts. */
void reply_error_arity(struct client *c);  /* wrong number of arguments for '<fullname>' */
void reply_error_syntax(struct client *c); /* ERR syntax error */
void reply_error_notint(struct client *c); /* ERR value is not an integer or out of range */
void reply_error_wrongtype(struct client *c);
void reply_error_subcommand(struct client *c); /* unknown subcommand '<sub>'. Try <CMD> HELP. */

/* ---- Arguments. ---- */
/* argv[i] compared case-insensitively with a NUL-terminated word. */
int arg_is(const struct client *c, int i, const char *word);
/* Parse argv[i] as a whole long long (Redis's string2ll rules). 0 on success, -1 if not. */
int arg_ll(const struct client *c, int i, long long *out);

/* ---- The client list and its memory figures (net.c creates and frees clients). ---- */
/* Number of connected clients. */
size_t clients_count(void);
/* First client of the list (iterate with c->next). */
struct client *clients_first(void);
/* Bytes c holds: struct, query and reply buffers, parser, name (allocator sizes). */
size_t client_memory(const struct client *c);
/* Sum of client_memory() over all clients, maintained incrementally (mem_clients_normal). */
size_t clients_memory_total(void);
/* Largest query / reply buffer among clients since the last clients cron
 * (client_recent_max_input_buffer / _output_buffer). */
size_t clients_recent_max_input(void);
size_t clients_recent_max_output(void);
/* Set or clear (empty name) c's name with CLIENT SETNAME's rules; replies the error itself and
 * returns -1 when the name has spaces or special characters. */
int client_set_name(struct client *c, const char *name, size_t len);
/* The CLIENT LIST line of c (no trailing newline) appended to b. */
void client_info_line(const struct client *c, struct buf *b);

/* ---- For net.c, which creates and frees clients. ---- */
void clients_link(struct client *c);
void clients_unlink(struct client *c);
/* Recompute c's share of clients_memory_total() after its buffers changed. */
void client_account(struct client *c);
/* Record buffer sizes seen, for clients_recent_max_input/_output. */
void clients_note_peaks(size_t in, size_t out, int64_t now_ms);
/* Once a second: forget the oldest peaks. */
void clients_peaks_cron(void);

#endif
