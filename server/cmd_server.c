/* cmd_server.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

struct command cmd_server_table[] = {
    {.name = NULL},
};
