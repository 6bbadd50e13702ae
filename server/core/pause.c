/* pause.c — the pause state (mode and end time), its timer, and the rule deciding which
 * commands wait (see pause.h). The waiting itself is blocking.c's block_postpone(). */
#include "pause.h"

#include <event2/event.h>
#include <string.h>

#include "blocking.h"
#include "client.h"
#include "command.h"
#include "db.h"
#include "util.h"

static enum pause_mode mode;
static int64_t end_ms;
static struct event *timer;
static struct event *resume_ev; /* runs the postponed commands after the current callback */

static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
    if (mode == PAUSE_OFF)
        blocking_resume_postponed();
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
    /* The wall clock may have been set back since the timer was armed: wait on. */
    int64_t left = end_ms - wall_ms();
    if (mode != PAUSE_OFF && left > 0) {
        struct timeval tv = {(time_t)(left / 1000), (suseconds_t)(left % 1000) * 1000};
        evtimer_add(timer, &tv);
        return;
    }
    pause_end();
}

void
pause_setup(struct event_base *base)
{
    timer = evtimer_new(base, on_timer, NULL);
    resume_ev = evtimer_new(base, on_resume, NULL);
}

void
pause_teardown(void)
{
    if (timer)
        event_free(timer);
    if (resume_ev)
        event_free(resume_ev);
    timer = resume_ev = NULL;
    mode = PAUSE_OFF;
    end_ms = 0;
    db_set_frozen(0);
}

void
pause_start(int64_t end, enum pause_mode m)
{
    if (m > mode)
        mode = m;
    if (end > end_ms)
        end_ms = end;
    db_set_frozen(1);
    if (timer) {
        int64_t left = end_ms - wall_ms();
        if (left < 0)
            left = 0;
        if (left > (int64_t)1000 * 1000 * 1000 * 1000) /* libevent's timeval: thousands of years */
            left = (int64_t)1000 * 1000 * 1000 * 1000;
        struct timeval tv = {(time_t)(left / 1000), (suseconds_t)(left % 1000) * 1000};
        evtimer_add(timer, &tv);
    }
}

void
pause_end(void)
{
    mode = PAUSE_OFF;
    end_ms = 0;
    if (timer)
        evtimer_del(timer);
    db_set_frozen(0);
    /* Not from here: CLIENT UNPAUSE answers first, as in Redis, where the released clients
     * run before the loop sleeps again. */
    if (resume_ev)
        event_active(resume_ev, EV_TIMEOUT, 1);
}

enum pause_mode
pause_mode(void)
{
    return mode;
}

int
pause_holds(const struct client *c, const struct command *cmd)
{
    if (mode == PAUSE_OFF)
        return 0;
    /* Past its end the pause holds nothing, even if the timer has not had its turn yet. */
    if (end_ms <= wall_ms()) {
        event_active(timer, EV_TIMEOUT, 1); /* ends it (not here, in the middle of a command) */
        return 0;
    }
    if (mode == PAUSE_ALL)
        return 1;
    unsigned flags = cmd->flags;
    if (strcmp(cmd->name, "exec") == 0 && !command_parent(cmd))
        flags |= c->mstate.cmd_flags;
    return (flags & (CMD_WRITE | CMD_MAY_REPLICATE)) != 0;
}
