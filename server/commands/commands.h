/* commands — what the commands room offers the rest of the server: one table per cmd_*.c
 * file, and the list of all of them that main hands to command_setup(). */
#ifndef ZMEM_SERVER_COMMANDS_H
#define ZMEM_SERVER_COMMANDS_H

#include "command.h"

/* The tables, each ending with COMMAND_END. */
extern const struct command cmd_server_table[];  /* cmd_server.c: PING, AUTH, SELECT, ... */
extern const struct command cmd_client_table[];  /* cmd_client.c: CLIENT */
extern const struct command cmd_config_table[];  /* cmd_config.c: CONFIG */
extern const struct command cmd_command_table[]; /* cmd_command.c: COMMAND */
extern const struct command cmd_slowlog_table[]; /* cmd_slowlog.c: SLOWLOG */
extern const struct command cmd_latency_table[]; /* cmd_latency.c: LATENCY */
extern const struct command cmd_debug_table[];   /* cmd_debug.c: DEBUG */
extern const struct command cmd_script_table[];  /* cmd_script.c: EVAL, SCRIPT, FUNCTION... */
extern const struct command cmd_keys_table[];    /* cmd_keys.c: generic keyspace commands */
extern const struct command cmd_scan_table[];    /* cmd_scan.c: SCAN, SSCAN, HSCAN, ZSCAN */
extern const struct command cmd_sort_table[];    /* cmd_sort.c: SORT, SORT_RO */
extern const struct command cmd_string_table[];  /* cmd_string.c */
extern const struct command cmd_bitmap_table[];  /* cmd_bitmap.c: SETBIT, BITCOUNT, BITFIELD, ... */
extern const struct command cmd_lcs_table[];     /* cmd_lcs.c: LCS */
extern const struct command cmd_hash_table[];    /* cmd_hash.c */
extern const struct command cmd_list_table[];    /* cmd_list.c */
extern const struct command cmd_set_table[];     /* cmd_set.c */
extern const struct command cmd_zset_table[];    /* cmd_zset.c */
extern const struct command cmd_zset_ops_table[]; /* cmd_zset_ops.c: ZUNION, ZRANDMEMBER, ... */
extern const struct command cmd_geo_table[];      /* cmd_geo.c: GEOADD, GEOSEARCH, ... */
extern const struct command cmd_info_table[];     /* cmd_info.c: INFO */
extern const struct command cmd_pubsub_table[];   /* cmd_pubsub.c: SUBSCRIBE, PUBLISH, PUBSUB */
extern const struct command cmd_memory_table[];   /* cmd_memory.c: MEMORY */
extern const struct command cmd_multi_table[];    /* cmd_multi.c: MULTI, EXEC, WATCH, ... */
extern const struct command cmd_admin_table[];    /* cmd_admin.c: MONITOR, SWAPDB, WAIT */

/* Every table above, NULL-terminated, in the order COMMAND and INFO commandstats list them
 * (commands.c): the argument of command_setup(). */
extern const struct command *const commands_all[];

#endif
