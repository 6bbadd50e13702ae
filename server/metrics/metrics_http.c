/* metrics_http.c — Prometheus /metrics over HTTP, by docs/limits.md, "The /metrics endpoint":
 * libevent's evhttp on a listener of its own, answering a few read-only paths (/metrics,
 * /health, /history, and the dashboard: /, /info, /doctor), with capped headers, bodies and
 * connections, a per-request deadline against slowloris, and a Host check against DNS
 * rebinding. When a password is in force (metrics-password, else requirepass) every request
 * must carry it (metrics_auth.c), and only then may the listener be bound beyond loopback,
 * where the password takes over from the Host check. With metrics-tls-cert-file and -key-file
 * every connection is TLS, through libevent's OpenSSL bufferevents. Each scrape renders one
 * metrics snapshot on the event loop: O(#metrics), never O(#keys), so a scrape cannot stall
 * RESP clients for long. */
#include "metrics_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "dashboard_page.h"
#include "doctor.h"
#include "history.h"
#include "info.h"
#include "log.h"
#include "metrics.h"
#include "metrics_auth.h"

#include "util.h"
#include "zmalloc.h"

/* Request headers beyond this are refused by evhttp (400 or 413) and the connection closed
 * (docs/limits.md, "The /metrics endpoint"). */
#define HTTP_MAX_HEADERS (8 * 1024)
/* Nothing we serve takes a body; a small one is still read so that a POST is answered 405. */
#define HTTP_MAX_BODY 1024
/* evhttp's idle timeout, for reads and writes alike. */
#define HTTP_TIMEOUT_S 5
/* A request must have arrived in full this long after the connection opened or after the
 * previous request: evhttp's timeout restarts on every byte, so one byte every few seconds
 * would otherwise hold a connection (and one of the few slots) for hours. */
#define HTTP_REQUEST_DEADLINE_S 5
/* Kernel accept queue: where connections wait while all slots are taken. */
#define HTTP_BACKLOG 64

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define TEXT_CONTENT_TYPE "text/plain; charset=utf-8"
#define HTML_CONTENT_TYPE "text/html; charset=utf-8"
/* The dashboard may run its own inline script and style and fetch from this origin only: even
 * a page altered in transit or a script injected through a figure could reach nothing else. */
#define DASHBOARD_CSP                                                                              \
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "                  \
    "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'"

/* One accepted HTTP connection, from evhttp's bevcb until evhttp's close callback. */
struct http_conn {
    struct http_conn *next;
    struct bufferevent *bev;         /* referenced by us until adopted */
    struct evhttp_connection *evcon; /* NULL until adopted */
    struct event *timer;             /* adoption first, then the request deadline */
};

static struct {
    struct evhttp *http;
    struct evconnlistener *listener; /* evhttp's; NULL once teardown has begun */
    struct http_conn *conns;         /* every connection not yet closed */
    size_t nconns;
    int paused;   /* listener disabled because nconns reached the cap */
    int loopback; /* bound to a loopback address: Host must name this machine */
    SSL_CTX *tls; /* NULL: plain HTTP */
} mh;

/* ---- Connections: counting, the cap and the request deadline ----
 *
 * libevent 2.1 has no evhttp_set_max_connections and tells nobody about a new connection but
 * the bevcb, which runs before evhttp has made its connection object. So the bevcb makes the
 * socket bufferevent itself, counts the connection and activates its timer; the timer runs
 * once evhttp has finished setting up, finds the connection object as the bufferevent's
 * callback argument and registers a close callback on it, which is where the count goes down.
 * The reference held in between keeps the bufferevent readable even if evhttp freed the
 * connection first (its callbacks are then cleared, which says so). */

static void
conn_unlink(struct http_conn *c)
{
    for (struct http_conn **pp = &mh.conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    mh.nconns--;
    if (mh.paused && mh.listener && mh.nconns < METRICS_HTTP_MAX_CONNS) {
        evconnlistener_enable(mh.listener);
        mh.paused = 0;
    }
    event_free(c->timer);
    zfree(c);
}

/* evhttp's close callback: the connection is being freed. */
static void
conn_on_close(struct evhttp_connection *evcon, void *arg)
{
    conn_unlink(arg);
}

static void
conn_arm(struct http_conn *c, int seconds)
{
    struct timeval tv = {seconds, 0};
    evtimer_add(c->timer, &tv);
}

static void
conn_on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct http_conn *c = arg;

    if (c->evcon) {
        /* The deadline passed without a complete request: close (conn_on_close frees c). */
        evhttp_connection_free(c->evcon);
        return;
    }
    void (*eventcb)(struct bufferevent *, short, void *) = NULL;
    void *cbarg = NULL;
    struct bufferevent *bev = c->bev;
    bufferevent_getcb(bev, NULL, NULL, &eventcb, &cbarg);
    c->bev = NULL;
    if (eventcb == NULL) {
        conn_unlink(c); /* evhttp already freed the connection */
    } else {
        /* A /metrics body (~18 KB) leaves in two writes (bufferevents write 16 KB at a time);
         * with Nagle on, the second waits for the client's delayed ACK: +40 ms on every
         * keep-alive scrape. */
        int one = 1;
        evutil_socket_t sock = bufferevent_getfd(bev);
        if (sock >= 0)
            setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c->evcon = cbarg;
        evhttp_connection_set_closecb(c->evcon, conn_on_close, c);
        if (mh.nconns > METRICS_HTTP_MAX_CONNS)
            evhttp_connection_free(c->evcon); /* accepted in one batch past the cap */
        else
            conn_arm(c, HTTP_REQUEST_DEADLINE_S);
    }
    bufferevent_decref(bev);
}

/* The bufferevent of a new connection, before evhttp gives it the socket: a TLS server one
 * (whose handshake starts once it has the socket) when TLS is on. NULL when out of memory. */
static struct bufferevent *
conn_bufferevent(struct event_base *base)
{
    if (mh.tls == NULL)
        return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    SSL *ssl = SSL_new(mh.tls);
    if (ssl == NULL)
        return NULL;
    /* CLOSE_ON_FREE also frees the SSL with the bufferevent. */
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        SSL_free(ssl);
        return NULL;
    }
    /* A scraper that closes without a TLS close_notify has still had its answer: an EOF,
     * not an error. */
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}

/* evhttp's bevcb, called once for each accepted connection, before evhttp has set it up. The
 * request deadline armed at adoption also bounds the TLS handshake. */
static struct bufferevent *
conn_create(struct event_base *base, void *arg)
{
    struct bufferevent *bev = conn_bufferevent(base);
    if (bev == NULL)
        return NULL; /* evhttp gives up on the connection */
    struct http_conn *c = zcalloc(sizeof(*c));
    c->bev = bev;
    bufferevent_incref(bev);
    c->timer = evtimer_new(base, conn_on_timer, c);
    event_active(c->timer, EV_TIMEOUT, 1);
    c->next = mh.conns;
    mh.conns = c;
    if (++mh.nconns >= METRICS_HTTP_MAX_CONNS && mh.listener && !mh.paused) {
        evconnlistener_disable(mh.listener);
        mh.paused = 1;
    }
    return bev;
}

/* A request arrived in full: the next one has a fresh deadline. */
static void
conn_request_done(struct evhttp_request *req)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);

    for (struct http_conn *c = mh.conns; c; c = c->next) {
        if (c->evcon == evcon) {
            conn_arm(c, HTTP_REQUEST_DEADLINE_S);
            return;
        }
    }
}

/* ---- Requests ---- */

/* A Host value (or an absolute URI's host) naming this machine: localhost, 127.0.0.1 or [::1],
 * case-insensitive, with an optional numeric port. Any port number passes: a forwarded port
 * (ssh -L) changes the number but keeps the name, and in a DNS-rebinding attack it is the
 * name that is foreign. */
static int
host_is_local(const char *h)
{
    static const char *const names[] = {"localhost", "127.0.0.1", "[::1]"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t n = strlen(names[i]);
        if (strncasecmp(h, names[i], n) != 0)
            continue;
        const char *p = h + n;
        if (*p == '\0')
            return 1;
        if (*p != ':' || p[1] == '\0')
            return 0;
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
        return *p == '\0';
    }
    return 0;
}

/* 0 when the request may be answered, else the status to refuse it with: 400 without exactly
 * one Host header (RFC 9112 §3.2), 403 when it does not name this machine. Beyond loopback
 * (where a password is required) any name passes: scrapers use the host's own names, and the
 * password, which a rebinding page does not have, is what keeps the data in. */
static int
host_check(struct evhttp_request *req)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyval *kv;
    const char *host = NULL;
    int nhost = 0;

    for (kv = in->tqh_first; kv; kv = kv->next.tqe_next) {
        if (strcasecmp(kv->key, "Host") == 0) {
            host = kv->value;
            nhost++;
        }
    }
    if (nhost != 1)
        return 400;
    if (!mh.loopback)
        return 0;
    if (!host_is_local(host))
        return 403;
    /* "GET http://evil.example/metrics": the authority in the target must pass too. */
    const char *uhost = uri ? evhttp_uri_get_host(uri) : NULL;
    if (uhost && !host_is_local(uhost))
        return 403;
    return 0;
}

/* Send body (taken) with code. Error statuses close the connection: a client that got one has
 * nothing more to ask. A HEAD request gets the headers only, with the Content-Length the body
 * would have had: evhttp 2.1 would otherwise send the body after them. */
static void
reply(struct evhttp_request *req, int code, const char *reason, const char *ctype,
      struct evbuffer *body)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);

    evhttp_add_header(h, "Content-Type", ctype);
    if (code >= 400)
        evhttp_add_header(h, "Connection", "close");
    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
        char len[32];
        snprintf(len, sizeof(len), "%zu", evbuffer_get_length(body));
        evhttp_add_header(h, "Content-Length", len);
        evbuffer_drain(body, evbuffer_get_length(body));
    }
    evhttp_send_reply(req, code, reason, body);
    evbuffer_free(body);
}

/* A short text/plain answer; allow, when set, is the Allow header of a 405. */
static void
reply_text(struct evhttp_request *req, int code, const char *reason, const char *text,
           const char *allow)
{
    struct evbuffer *body = evbuffer_new();

    if (allow)
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
    evbuffer_add(body, text, strlen(text));
    reply(req, code, reason, TEXT_CONTENT_TYPE, body);
}

static void
rendered_free(const void *data, size_t len, void *arg)
{
    zfree((void *)data);
}

static void
serve_metrics(struct evhttp_request *req)
{
    struct buf out = BUF_INIT;

    metrics_render_prom(&out);
    if (out.oom || out.len == 0) {
        buf_free(&out);
        reply_text(req, 500, "Internal Server Error", "out of memory rendering metrics\n", NULL);
        return;
    }
    struct evbuffer *body = evbuffer_new();
    /* The rendered text goes out as is, no copy: the evbuffer frees it once it is written. */
    evbuffer_add_reference(body, out.data, out.len, rendered_free, NULL);
    reply(req, HTTP_OK, "OK", PROM_CONTENT_TYPE, body);
}

/* 1 when the request may be answered: no password is in force and the listener is loopback,
 * or the request carries the password in exactly one Authorization header. Read on every
 * request, so CONFIG SET of either password takes effect at the next one. */
static int
auth_ok(struct evhttp_request *req)
{
    const char *password = config_metrics_password();
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    const char *value = NULL;
    int n = 0;

    /* Beyond loopback there is always a password (start-up and CONFIG SET see to it); should
     * there ever be none, the listener stays shut rather than open. */
    if (password[0] == '\0')
        return mh.loopback;
    for (struct evkeyval *kv = in->tqh_first; kv; kv = kv->next.tqe_next) {
        if (strcasecmp(kv->key, "Authorization") == 0) {
            value = kv->value;
            n++;
        }
    }
    return n == 1 && metrics_auth_check(value, password);
}

/* GET /history: the memory history as JSON (history.c renders it); ?count=n gives the newest
 * n samples, and anything else in the query is ignored. */
static void
serve_history(struct evhttp_request *req)
{
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
    struct evkeyvalq params = {0}; /* evhttp_parse_query_str initialises it */
    struct buf out = BUF_INIT;
    long long count = 0;

    if (query && evhttp_parse_query_str(query, &params) == 0) {
        const char *v = evhttp_find_header(&params, "count");
        if (v && (str_to_ll(v, strlen(v), &count) != 0 || count <= 0)) {
            evhttp_clear_headers(&params);
            reply_text(req, 400, "Bad Request", "count must be a positive integer\n", NULL);
            return;
        }
    }
    evhttp_clear_headers(&params);
    history_format_json(&out, (size_t)count);
    if (out.oom || out.len == 0) {
        buf_free(&out);
        reply_text(req, 500, "Internal Server Error", "out of memory rendering history\n", NULL);
        return;
    }
    struct evbuffer *body = evbuffer_new();
    evbuffer_add_reference(body, out.data, out.len, rendered_free, NULL);
    reply(req, HTTP_OK, "OK", "application/json", body);
}

static void
serve_health(struct evhttp_request *req)
{
    reply_text(req, HTTP_OK, "OK", "ok\n", NULL);
}

/* Send rendered text (taken) as text/plain, or a 500 when rendering ran out of memory. */
static void
reply_rendered(struct evhttp_request *req, struct buf *out)
{
    if (out->oom || out->len == 0) {
        buf_free(out);
        reply_text(req, 500, "Internal Server Error", "out of memory rendering the page\n", NULL);
        return;
    }
    struct evbuffer *body = evbuffer_new();
    evbuffer_add_reference(body, out->data, out->len, rendered_free, NULL);
    reply(req, HTTP_OK, "OK", TEXT_CONTENT_TYPE, body);
}

/* GET /: the dashboard page, compiled in (dashboard_page.h); it polls /history, /info and
 * /doctor itself. */
static void
serve_dashboard(struct evhttp_request *req)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    struct evbuffer *body = evbuffer_new();

    evhttp_add_header(h, "Content-Security-Policy", DASHBOARD_CSP);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Cache-Control", "no-cache");
    evbuffer_add_reference(body, dashboard_page, dashboard_page_len, NULL, NULL);
    reply(req, HTTP_OK, "OK", HTML_CONTENT_TYPE, body);
}

/* GET /info: the text of INFO with no argument (its default sections), as INFO renders it:
 * the dashboard's figures, version and port. */
static void
serve_info(struct evhttp_request *req)
{
    struct buf out = BUF_INIT;

    metrics_render_info(&out, 0, NULL, NULL);
    reply_rendered(req, &out);
}

/* GET /doctor: the MEMORY DOCTOR text. */
static void
serve_doctor(struct evhttp_request *req)
{
    struct buf out = BUF_INIT;

    metrics_render_doctor(&out);
    reply_rendered(req, &out);
}

/* Every path served: GET and HEAD only, all read-only. */
static const struct route {
    const char *path;
    void (*serve)(struct evhttp_request *req);
} routes[] = {
    {"/metrics", serve_metrics}, {"/health", serve_health}, {"/history", serve_history},
    {"/", serve_dashboard},      {"/info", serve_info},     {"/doctor", serve_doctor},
};

/* Every request: Host first, then the password (401), the path (404) and the method (405).
 * Only /history reads the query string (count); the other paths have nothing to select. */
static void
on_request(struct evhttp_request *req, void *arg)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    enum evhttp_cmd_type method = evhttp_request_get_command(req);
    const struct route *route = NULL;

    conn_request_done(req);
    switch (host_check(req)) {
    case 400:
        reply_text(req, 400, "Bad Request", "exactly one Host header is required\n", NULL);
        return;
    case 403:
        reply_text(req, 403, "Forbidden", "Host must be localhost, 127.0.0.1 or [::1]\n", NULL);
        return;
    }
    if (!auth_ok(req)) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                          "Basic realm=\"zmem\"");
        reply_text(req, 401, "Unauthorized",
                   "authentication required: Basic (user default) or Bearer, with the password\n",
                   NULL);
        return;
    }
    for (size_t i = 0; path && i < sizeof(routes) / sizeof(routes[0]); i++)
        if (strcmp(path, routes[i].path) == 0)
            route = &routes[i];
    if (route == NULL) {
        reply_text(req, HTTP_NOTFOUND, "Not Found", "not found: try /metrics\n", NULL);
        return;
    }
    if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
        reply_text(req, HTTP_BADMETHOD, "Method Not Allowed", "method not allowed\n", "GET, HEAD");
        return;
    }
    route->serve(req);
}

/* ---- Listener ---- */

/* Parse a numeric address into ss with port. Returns 0, or -1 when addr is not numeric. */
static int
addr_parse(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *sl)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        *sl = sizeof(*s4);
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *sl = sizeof(*s6);
        return 0;
    }
    return -1;
}

/* Log OpenSSL's reason for the failure just seen (its last queued error), after what. A file
 * that cannot be opened is said so by errno: OpenSSL 3 only says "system lib". */
static void
tls_log_error(const char *what, const char *path)
{
    char reason[256] = "unknown error";
    unsigned long e, last = 0;
    int sys = 0;

    while ((e = ERR_get_error()) != 0) {
        sys |= ERR_SYSTEM_ERROR(e);
        last = e;
    }
    if (sys && access(path, R_OK) != 0)
        snprintf(reason, sizeof(reason), "%s", strerror(errno));
    else if (last)
        ERR_error_string_n(last, reason, sizeof(reason));
    log_msg(LL_WARNING, "%s '%s': %s", what, path, reason);
}

/* The TLS context from metrics-tls-cert-file and metrics-tls-key-file, into mh.tls; nothing to
 * do when both are empty. 0, or -1 after logging why (only one of them set, a file that does
 * not load, a key that does not match the certificate). */
static int
tls_setup(const struct config *cfg)
{
    const char *cert = cfg->metrics_tls_cert_file, *key = cfg->metrics_tls_key_file;

    if (cert[0] == '\0' && key[0] == '\0')
        return 0;
    if (cert[0] == '\0' || key[0] == '\0') {
        log_msg(LL_WARNING, "TLS on the metrics port needs both metrics-tls-cert-file and "
                            "metrics-tls-key-file");
        return -1;
    }
    mh.tls = SSL_CTX_new(TLS_server_method());
    if (mh.tls == NULL) {
        tls_log_error("Could not create a TLS context for metrics-tls-cert-file", cert);
        return -1;
    }
    /* TLS 1.2 is the oldest any supported Prometheus or curl needs. */
    SSL_CTX_set_min_proto_version(mh.tls, TLS1_2_VERSION);
    SSL_CTX_set_options(mh.tls, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* An idle connection (between scrapes) gives its ~34 KB of record buffers back. */
    SSL_CTX_set_mode(mh.tls, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file(mh.tls, cert) != 1) {
        tls_log_error("Could not load metrics-tls-cert-file", cert);
        goto err;
    }
    if (SSL_CTX_use_PrivateKey_file(mh.tls, key, SSL_FILETYPE_PEM) != 1) {
        tls_log_error("Could not load metrics-tls-key-file", key);
        goto err;
    }
    if (SSL_CTX_check_private_key(mh.tls) != 1) {
        tls_log_error("metrics-tls-key-file does not match the certificate", cert);
        goto err;
    }
    return 0;
err:
    SSL_CTX_free(mh.tls);
    mh.tls = NULL;
    return -1;
}

static int
listen_socket(const struct sockaddr_storage *ss, socklen_t sl)
{
    int one = 1;
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ss->ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *)ss, sl) < 0 || listen(fd, HTTP_BACKLOG) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

int
metrics_http_setup(struct event_base *base)
{
    const struct config *cfg = config_get();
    const char *addr = cfg->metrics_bind;
    struct sockaddr_storage ss;
    socklen_t sl;

    if (cfg->metrics_port == 0)
        return 0;
    if (addr_parse(addr, cfg->metrics_port, &ss, &sl) < 0) {
        log_msg(LL_WARNING, "Invalid metrics-bind address '%s' (numeric IPv4 or IPv6 expected)",
                addr);
        return -1;
    }
    /* Protected-mode style: without a password, /metrics is not offered beyond this host. */
    mh.loopback = addr_is_loopback(addr) == 1;
    if (!mh.loopback && config_metrics_password()[0] == '\0') {
        log_msg(LL_WARNING,
                "Refusing to serve /metrics on %s: not a loopback address, and no password is "
                "set. Set metrics-password (or requirepass) so that scrapers must authenticate, "
                "or keep metrics-bind 127.0.0.1 (or ::1).",
                addr);
        return -1;
    }
    if (tls_setup(cfg) < 0)
        return -1;
    int fd = listen_socket(&ss, sl);
    if (fd < 0) {
        log_msg(LL_WARNING, "Could not create the /metrics listening socket %s:%d: %s", addr,
                cfg->metrics_port, strerror(errno));
        return -1;
    }
    mh.http = evhttp_new(base);
    if (mh.http == NULL) {
        close(fd);
        log_msg(LL_WARNING, "Could not create the /metrics HTTP server");
        return -1;
    }
    evhttp_set_max_headers_size(mh.http, HTTP_MAX_HEADERS);
    evhttp_set_max_body_size(mh.http, HTTP_MAX_BODY);
    evhttp_set_timeout(mh.http, HTTP_TIMEOUT_S);
    /* Every method evhttp knows reaches on_request, which answers 405 itself (with Allow);
     * evhttp's own refusal would be a 501, which is what methods it does not know still get. */
    evhttp_set_allowed_methods(mh.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(mh.http, on_request, NULL);
    evhttp_set_bevcb(mh.http, conn_create, NULL);
    struct evhttp_bound_socket *bound = evhttp_accept_socket_with_handle(mh.http, fd);
    if (bound == NULL) {
        close(fd);
        metrics_http_teardown();
        log_msg(LL_WARNING, "Could not listen for /metrics on %s:%d", addr, cfg->metrics_port);
        return -1;
    }
    mh.listener = evhttp_bound_socket_get_listener(bound);
    log_msg(LL_NOTICE, "Serving Prometheus metrics on %s://%s%s%s:%d/metrics%s",
            mh.tls ? "https" : "http", ss.ss_family == AF_INET6 ? "[" : "", addr,
            ss.ss_family == AF_INET6 ? "]" : "", cfg->metrics_port,
            config_metrics_password()[0] ? " (password required)" : "");
    return 0;
}

void
metrics_http_teardown(void)
{
    /* evhttp_free closes the listener before the connections; conn_unlink must not re-enable
     * it in between. */
    mh.listener = NULL;
    mh.paused = 0;
    if (mh.http) {
        evhttp_free(mh.http); /* every adopted connection goes through conn_on_close */
        mh.http = NULL;
    }
    /* Connections accepted in the loop's last turn, never adopted. */
    while (mh.conns) {
        struct http_conn *c = mh.conns;
        if (c->bev)
            bufferevent_decref(c->bev);
        conn_unlink(c);
    }
    /* Connections libevent finalizes later hold their own reference to the context. */
    SSL_CTX_free(mh.tls);
    mh.tls = NULL;
}
