/* metrics_auth — who may read the metrics listener: the value of an HTTP Authorization header
 * checked against the password in force. A pure function: no socket, no libevent. */
#ifndef ZMEM_SERVER_METRICS_AUTH_H
#define ZMEM_SERVER_METRICS_AUTH_H

/* The user name Basic auth must carry: Redis's default user, whose password requirepass is. */
#define METRICS_AUTH_USER "default"

/* 1 when authorization (an Authorization header's value, NULL when there is none) grants access
 * with password (not empty), else 0. Accepted: "Basic <base64 of default:password>" and
 * "Bearer <password>", scheme names in any case. Anything else, including malformed base64, is
 * refused. The password is compared in constant time (secret_eq). */
int metrics_auth_check(const char *authorization, const char *password);

#endif
