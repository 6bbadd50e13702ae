/* cmd_string.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

struct command cmd_string_table[] = {
    {.name = NULL},
};
