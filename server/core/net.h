/* net — listeners, accept, each client's life (create, read → parse → dispatch → write, close)
 * on plain libevent events, and the clients cron (idle timeout, buffer trimming). Command
 * handlers write replies through client.h; they come here only to close a client (CLIENT KILL)
 * or to stop the server (SHUTDOWN). */
#ifndef ZMEM_SERVER_NET_H
#define ZMEM_SERVER_NET_H

#include <stddef.h>
#include <stdint.h>

struct client;
struct event_base;

/* Close c now, or after its current callback returns if it is being served. */
void client_close(struct client *c);

/* Output was appended to c's reply outside its own command (a published message): arm its
 * write event, or close it (after the caller returns) when past client-output-buffer-limit. */
void client_output_added(struct client *c);

/* Open the listeners from config "bind" and "port" on base. Returns 0, or -1 after logging
 * why (a required address could not be bound). */
int net_setup(struct event_base *base);
/* After CONFIG SET port or bind: close the listeners and open them for the configuration in
 * force, keeping every client. 0, or -1 when that failed, the listeners then reopened for
 * old_bind and old_port (the caller puts those back in the configuration). */
int net_relisten(const char *old_bind, int old_port);
/* Close the listeners (no new clients). Safe to call twice. */
void net_close_listeners(void);
/* Close listeners and free every client. */
void net_teardown(void);
/* Serve fd (non-blocking, already connected) as a new client, as if just accepted; base is the
 * one given to net_setup. Returns the client, which closes itself on EOF or error as usual. */
struct client *net_adopt(int fd);
/* Clients cron, from the server cron: idle timeouts, trimming idle clients' buffers. */
void net_cron(void);
/* Ask the main loop to stop after the current callback (SHUTDOWN, SIGTERM). */
void net_request_shutdown(void);

/* A client's wait ended (blocking.c): send what was written to it and run the commands that
 * waited in its query buffer, on this loop turn. */
void net_client_resume(struct client *c);

#endif
