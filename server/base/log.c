/* log.c — Redis-style log lines ("pid:M 02 Jan 2024 10:00:00.123 * message") to stdout or
 * the configured logfile. Formats into a stack buffer and writes with one write(2), so logging
 * never allocates and lines from different places never interleave. */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int log_fd = 1;

int
log_setup(void)
{
    const char *path = config_get()->logfile;

    if (path == NULL || path[0] == '\0') {
        log_fd = 1;
        return 0;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    log_fd = fd;
    return 0;
}

void
log_teardown(void)
{
    if (log_fd > 2)
        close(log_fd);
    log_fd = 1;
}

void
log_msg(int level, const char *fmt, ...)
{
    static const char marks[] = ".-*#"; /* debug, verbose, notice, warning */
    char line[1024];
    struct timeval tv;
    struct tm tm;
    va_list ap;

    if (level < config_get()->loglevel)
        return;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%d:M ", (int)getpid());
    n += (int)strftime(line + n, sizeof(line) - (size_t)n, "%d %b %Y %H:%M:%S", &tm);
    n += snprintf(line + n, sizeof(line) - (size_t)n, ".%03d %c ", (int)(tv.tv_usec / 1000),
                  marks[level < 0 || level > 3 ? 2 : level]);
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    n += m;
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2; /* truncated: still end the line */
    line[n++] = '\n';
    ssize_t w = write(log_fd, line, (size_t)n);
    (void)w;
}
