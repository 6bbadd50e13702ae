/* cmd_list.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

const struct command cmd_list_table[] = {
    {.name = NULL},
};
