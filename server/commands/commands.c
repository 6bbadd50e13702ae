/* commands.c — the list of command tables main hands to command_setup(). Its order is the
 * order of COMMAND's and INFO commandstats' replies, so a new table goes where its commands
 * should be listed. */
#include "commands.h"

const struct command *const commands_all[] = {
    cmd_server_table,  cmd_client_table,
    cmd_config_table,  cmd_command_table,
    cmd_slowlog_table, cmd_keys_table,
    cmd_scan_table,    cmd_sort_table,
    cmd_string_table,  cmd_bitmap_table,
    cmd_lcs_table,     cmd_hash_table,
    cmd_list_table,    cmd_set_table,
    cmd_zset_table,    cmd_zset_ops_table,
    cmd_geo_table,     cmd_info_table,
    cmd_memory_table,  cmd_multi_table,
    cmd_pubsub_table,  cmd_latency_table,
    cmd_debug_table,   cmd_script_table,
    cmd_admin_table,   NULL,
};
