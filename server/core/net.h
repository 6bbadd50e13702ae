/* net — listeners, accept, and each client's read → parse → dispatch → write cycle on plain
 * libevent events; also the clients cron (idle timeout, buffer trimming). Internal to the
 * server core: command handlers use client.h. */
#ifndef ZMEM_SERVER_NET_H
#define ZMEM_SERVER_NET_H

#include <stddef.h>
#include <stdint.h>

struct client;
struct event_base;

/* Open the listeners from config "bind" and "port" on base. Returns 0, or -1 after logging
 * why (a required address could not be bound). */
int net_setup(struct event_base *base);
/* Close the listeners (no new clients). Safe to call twice. */
void net_close_listeners(void);
/* Close listeners and free every client. */
void net_teardown(void);
/* Clients cron, from the server cron: idle timeouts, trimming idle clients' buffers. */
void net_cron(void);
/* Ask the main loop to stop after the current callback (SHUTDOWN, SIGTERM). */
void net_request_shutdown(void);
/* The event base given to net_setup(), NULL before it (INFO's multiplexing_api). */
struct event_base *net_event_base(void);

/* ---- Shared between client.c and net.c ---- */
void clients_link(struct client *c);
void clients_unlink(struct client *c);
/* Recompute c's share of clients_memory_total() after its buffers changed. */
void client_account(struct client *c);
/* Record buffer sizes seen, for clients_recent_max_input/_output. */
void clients_note_peaks(size_t in, size_t out, int64_t now_ms);
/* Once a second: forget the oldest peaks. */
void clients_peaks_cron(void);

#endif
