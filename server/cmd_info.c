/* cmd_info.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

struct command cmd_info_table[] = {
    {.name = NULL},
};
