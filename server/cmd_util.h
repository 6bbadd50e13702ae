/* cmd_util — shorthands shared by the keyspace command files (cmd_keys, cmd_string, cmd_hash,
 * cmd_list): argument access, the client's database, the allocation-failure error. */
#ifndef ZMEM_SERVER_CMD_UTIL_H
#define ZMEM_SERVER_CMD_UTIL_H

#include "client.h"
#include "keyspace.h"

#define ARGP(c, i) ((c)->argv[i].ptr)
#define ARGL(c, i) ((c)->argv[i].len)
#define CDB(c) db_get((c)->db_id)

/* A command whose allocation failed answers this and leaves the keyspace as it was. */
#define ERR_ALLOC "OOM not enough memory to store the value"

#endif
