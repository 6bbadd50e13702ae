/* cmd_list.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

struct command cmd_list_table[] = {
    {.name = NULL},
};
