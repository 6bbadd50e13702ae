/* cmd_info.c — INFO [section ...]: the sections asked for, rendered by metrics (info.c), sent as
 * a bulk string (RESP2) or a verbatim "txt" string (RESP3). */
#include <stddef.h>

#include "buf.h"
#include "client.h"
#include "command.h"
#include "commands.h"
#include "info.h"
#include "zmalloc.h"

#define INFO_MAX_SECTIONS 16

static void
cmd_info(struct client *c)
{
    const char *names[INFO_MAX_SECTIONS];
    size_t lens[INFO_MAX_SECTIONS];
    const char **pn = names;
    size_t *pl = lens;
    struct buf out = BUF_INIT;
    int n = c->argc - 1;

    /* Any number of names is allowed; only a long list needs the heap. */
    if (n > INFO_MAX_SECTIONS) {
        pn = zmalloc(sizeof(*pn) * (size_t)n);
        pl = zmalloc(sizeof(*pl) * (size_t)n);
    }
    for (int i = 0; i < n; i++) {
        pn[i] = c->argv[i + 1].ptr;
        pl[i] = c->argv[i + 1].len;
    }
    metrics_render_info(&out, n, pn, pl);
    reply_verbatim(c, out.data ? out.data : "", out.len);
    buf_free(&out);
    if (pn != names) {
        zfree(pn);
        zfree(pl);
    }
}

const struct command cmd_info_table[] = {
    COMMAND("info", cmd_info, -1, CMD_LOADING | CMD_STALE,
            .summary = "Report server state and statistics, by section", .group = "server"),
    COMMAND_END,
};
