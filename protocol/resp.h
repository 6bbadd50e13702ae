/* resp — what the RESP parser and writer share: type bytes, results, limits. */
#ifndef ZMEM_PROTOCOL_RESP_H
#define ZMEM_PROTOCOL_RESP_H

/* Type bytes on the wire (RESP2 and RESP3). */
#define RESP_SIMPLE   '+'
#define RESP_ERROR    '-'
#define RESP_INTEGER  ':'
#define RESP_BULK     '$'
#define RESP_ARRAY    '*'
#define RESP_NULL     '_'
#define RESP_DOUBLE   ','
#define RESP_BOOL     '#'
#define RESP_VERBATIM '='
#define RESP_MAP      '%'
#define RESP_SET      '~'

/* Parser results. INCOMPLETE is a status, not an error: feed more bytes. */
enum resp_status {
    RESP_OK = 0,
    RESP_INCOMPLETE = 1,
    RESP_ERR = -1,    /* protocol error: reply errstr, then close the connection */
    RESP_ENOMEM = -2, /* allocation failed; the parser can not go on */
};

/* Redis 7.0 defaults for the limits (all configurable per parser). */
#define RESP_MAX_BULK_LEN_DEFAULT  (512LL * 1024 * 1024) /* proto-max-bulk-len */
#define RESP_MAX_MULTIBULK_DEFAULT 2147483647LL          /* INT_MAX elements */
#define RESP_MAX_INLINE            65536 /* inline line / header line without its terminator */
#define RESP_UNAUTH_MAX_MULTIBULK  10    /* unauthenticated clients: argument count */
#define RESP_UNAUTH_MAX_BULK       16384 /* unauthenticated clients: bytes per bulk */

/* Protocol versions. */
#define RESP2 2
#define RESP3 3

#endif
