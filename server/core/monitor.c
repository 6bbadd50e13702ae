/* monitor.c — the monitor list and the command lines sent to it (see monitor.h). A line is
 * built once per command and appended to every monitor's reply buffer, where it counts as that
 * client's output: its memory, CLIENT LIST omem and client-output-buffer-limit, as in Redis. */
#include "monitor.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "client.h"
#include "command.h"
#include "net.h"
#include "util.h"
#include "zmalloc.h"
#include "memcat.h"

static struct client **monitors;
static size_t nmonitors, capmonitors;

void
monitor_add(struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER); /* client-side state, whichever command runs */
    if (c->flags & CLIENT_MONITOR)
        return;
    if (nmonitors == capmonitors) {
        capmonitors = capmonitors ? capmonitors * 2 : 4;
        monitors = zrealloc(monitors, capmonitors * sizeof(*monitors));
    }
    monitors[nmonitors++] = c;
    c->flags |= CLIENT_MONITOR;
}

void
monitor_remove(struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    if (!(c->flags & CLIENT_MONITOR))
        return;
    c->flags &= ~CLIENT_MONITOR;
    for (size_t i = 0; i < nmonitors; i++) {
        if (monitors[i] == c) {
            memmove(&monitors[i], &monitors[i + 1], (nmonitors - i - 1) * sizeof(*monitors));
            nmonitors--;
            break;
        }
    }
    if (nmonitors == 0) {
        zfree(monitors); /* back to nothing held while nobody monitors */
        monitors = NULL;
        capmonitors = 0;
    }
}

size_t
monitors_count(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    return nmonitors;
}

void
monitor_teardown(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    zfree(monitors);
    monitors = NULL;
    nmonitors = capmonitors = 0;
}

/* One argument in double quotes with Redis's escapes: \\ \" \n \r \t \a \b, other bytes that
 * are not printable as \xhh. */
static void
append_repr(struct buf *b, const char *s, size_t len)
{
    buf_append(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '\\':
        case '"':
            buf_printf(b, "\\%c", ch);
            break;
        case '\n':
            buf_append(b, "\\n", 2);
            break;
        case '\r':
            buf_append(b, "\\r", 2);
            break;
        case '\t':
            buf_append(b, "\\t", 2);
            break;
        case '\a':
            buf_append(b, "\\a", 2);
            break;
        case '\b':
            buf_append(b, "\\b", 2);
            break;
        default:
            if (isprint(ch))
                buf_append(b, &s[i], 1);
            else
                buf_printf(b, "\\x%02x", ch);
        }
    }
    buf_append(b, "\"", 1);
}

static int
argv_is(const struct client *c, int i, const char *word)
{
    return c->argv[i].len == strlen(word) && strncasecmp(c->argv[i].ptr, word, c->argv[i].len) == 0;
}

/* Which arguments a monitor sees as "(redacted)": the passwords of AUTH and HELLO ... AUTH,
 * marked as far as the command got in parsing them before it failed, as Redis marks them. */
static void
mark_redacted(const struct client *c, const struct command *cmd, unsigned char *red)
{
    if (strcmp(cmd->name, "auth") == 0) {
        if (c->argc <= 3)
            for (int i = 1; i < c->argc; i++)
                red[i] = 1;
    } else if (strcmp(cmd->name, "hello") == 0 && c->argc >= 2) {
        long long ver;
        if (str_to_ll(c->argv[1].ptr, c->argv[1].len, &ver) < 0 || ver < 2 || ver > 3)
            return;
        for (int j = 2; j < c->argc; j++) {
            int more = c->argc - 1 - j;
            if (argv_is(c, j, "auth") && more >= 2) {
                red[j + 1] = red[j + 2] = 1;
                j += 2;
            } else if (argv_is(c, j, "setname") && more) {
                j++;
            } else {
                return;
            }
        }
    }
}

void
monitor_feed(struct client *c, const struct command *cmd)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    if (nmonitors == 0 || (cmd->flags & CMD_ADMIN))
        return;
    struct buf line = BUF_INIT;
    int64_t us = wall_us();
    unsigned char redacted_small[16], *red = redacted_small;

    if ((size_t)c->argc > sizeof(redacted_small))
        red = zmalloc((size_t)c->argc);
    memset(red, 0, (size_t)c->argc);
    mark_redacted(c, cmd, red);
    buf_printf(&line, "+%lld.%06lld [%d %s] ", (long long)(us / 1000000), (long long)(us % 1000000),
               c->db_id, c->addr);
    for (int i = 0; i < c->argc; i++) {
        if (red[i])
            buf_append_str(&line, "\"(redacted)\"");
        else
            append_repr(&line, c->argv[i].ptr, c->argv[i].len);
        if (i != c->argc - 1)
            buf_append(&line, " ", 1);
    }
    buf_append(&line, "\r\n", 2);
    if (red != redacted_small)
        zfree(red);
    for (size_t i = 0; i < nmonitors; i++) {
        struct client *m = monitors[i];
        if (m->flags & CLIENT_CLOSE_ASAP)
            continue;
        buf_append(&m->reply, line.data, line.len);
        if (line.oom)
            m->reply.oom = 1;
        client_output_added(m);
    }
    buf_free(&line);
}
