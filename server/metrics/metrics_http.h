/* metrics_http — the Prometheus endpoint: libevent's evhttp on --metrics-port, a listener of its
 * own (never the RESP port), serving GET|HEAD /metrics, /health, /history and the dashboard:
 * / (the page), /info (INFO text) and /doctor (MEMORY DOCTOR text); behind HTTP auth when a
 * password is in force, and only then beyond loopback; over TLS when given a certificate. */
#ifndef ZMEM_SERVER_METRICS_HTTP_H
#define ZMEM_SERVER_METRICS_HTTP_H

#include <stddef.h>

struct event_base;

/* At most this many HTTP connections are served at once; further ones wait in the kernel's
 * accept queue until one closes. */
#define METRICS_HTTP_MAX_CONNS 16

/* When config metrics-port is set, listen on metrics-bind:metrics-port on base (nothing to do
 * when it is 0), with TLS when metrics-tls-cert-file and -key-file are set. Returns 0, or -1
 * after logging why: metrics-bind is not a numeric address, or not a loopback one while no
 * password is in force; the TLS files are not both set or do not load; the port could not be
 * bound. */
int metrics_http_setup(struct event_base *base);
/* Close the listener and every HTTP connection and free the evhttp. Safe without a setup and
 * twice. Memory of connections libevent finalizes later returns at event_base_free(). */
void metrics_http_teardown(void);

#endif
