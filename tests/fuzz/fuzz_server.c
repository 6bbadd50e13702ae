/* fuzz_server — libFuzzer harness past the parser: the whole server in process (parser,
 * dispatch, every command family, keyspace, INFO / MEMORY / CONFIG GET / CLIENT LIST).
 *
 * The server is set up once, as main.c does but without listeners. Each input becomes one
 * client on one end of a socketpair (net_adopt); the harness writes the input into the other end
 * in pieces whose lengths come from the input's first bytes, runs the event loop without
 * blocking until the client has read everything (or closed), draining the replies as it goes,
 * then hangs up. Afterwards every database is flushed synchronously, the lazy free queue drained,
 * the slow log emptied and the client layer torn down and set up again: zmalloc_used_memory() must
 * then be exactly the baseline taken after set-up, or the input leaked and the harness aborts
 * (with FUZZ_SERVER_LEAK_WARN set in the environment it only says so, for diagnosis).
 *
 * Input: byte 0 gives k = byte % 8 piece lengths in bytes 1..k (each byte + 1); the rest is the
 * stream, written in pieces of those lengths in turn (k = 0: in one piece).
 *
 * Commands that would stop or disturb the harness for later inputs are not run: an input naming
 * SHUTDOWN or MIGRATE (network) anywhere, in any case, or CONFIG followed by SET or RESETSTAT
 * (they would change the limits, the password, maxmemory for every later input), is skipped. */
#include <ctype.h>
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "command.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "lazyfree.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "slowlog.h"
#include "stats.h"
#include "zmalloc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's own loops are not what is being explored: keep them out of the coverage. */
#define HARNESS __attribute__((no_sanitize("coverage")))

/* Event loop passes allowed for one piece, and for the close: far above what any input needs
 * (a pass reads up to 16 KiB), so hitting the cap means the client stopped reading. */
#define MAX_PASSES 4096

static struct event_base *base;
static size_t baseline;

HARNESS static void
die(const char *msg)
{
    fprintf(stderr, "fuzz_server: %s\n", msg);
    abort();
}

HARNESS int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[512];
    /* Bounded values (eviction above 64 MB), no log (each reset says "not listening"), no TCP
     * listener. */
    const char *args[] = {
        "fuzz_server", "--port",         "0",  "--maxmemory", "64mb",    "--maxmemory-policy",
        "allkeys-lru", "--databases",    "16", "--loglevel",  "warning", "--logfile",
        "/dev/null",   "--metrics-port", "0",  NULL};

    event_set_mem_functions(zmalloc, zrealloc, zfree);
    if (config_load((int)(sizeof(args) / sizeof(args[0])) - 1, (char **)args, err, sizeof(err)) !=
        0) {
        fprintf(stderr, "fuzz_server: config: %s\n", err);
        abort();
    }
    if (log_setup() < 0)
        die("log_setup failed");
    signal(SIGPIPE, SIG_IGN);
    stats_setup();
    base = event_base_new();
    if (base == NULL || command_setup(commands_all) < 0 || db_setup(config_get()->databases) < 0 ||
        lazyfree_setup() < 0 || metrics_setup(event_base_get_method(base)) < 0 ||
        net_setup(base) < 0)
        die("server set-up failed");
    stats_mark_startup_memory();
    return 0;
}

/* Whether s[i..] starts with word, case-insensitively. */
HARNESS static int
word_at(const uint8_t *s, size_t n, size_t i, const char *word)
{
    size_t w = strlen(word);
    if (i + w > n)
        return 0;
    for (size_t j = 0; j < w; j++)
        if (tolower(s[i + j]) != word[j])
            return 0;
    return 1;
}

/* CONFIG then, past the framing between two arguments (CR LF, $len, spaces, quotes), SET or
 * RESETSTAT; or CONFIG and an inline \x escape anywhere, which could spell either. */
HARNESS static int
config_change(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!word_at(s, n, i, "config"))
            continue;
        for (size_t j = 0; j < n; j++)
            if (s[j] == '\\' && j + 1 < n && tolower(s[j + 1]) == 'x')
                return 1;
        size_t j = i + 6;
        while (j < n && j < i + 6 + 16 && !isalpha(s[j]))
            j++;
        if (word_at(s, n, j, "set") || word_at(s, n, j, "resetstat"))
            return 1;
    }
    return 0;
}

HARNESS static int
denied(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (word_at(s, n, i, "shutdown") || word_at(s, n, i, "migrate"))
            return 1;
    return config_change(s, n);
}

/* Read and drop whatever the server has replied so far. */
HARNESS static void
drain(int fd)
{
    char sink[16384];
    while (read(fd, sink, sizeof(sink)) > 0)
        ;
}

/* Bytes still waiting in the server's end, or 0 once the client is gone. */
HARNESS static int
unread(int fd)
{
    int n = 0;
    if (clients_count() == 0 || ioctl(fd, FIONREAD, &n) < 0)
        return 0;
    return n;
}

/* Run the loop until the server has read all that was written (or closed the client). */
HARNESS static void
pump(int srv, int peer)
{
    for (int i = 0; i < MAX_PASSES; i++) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        drain(peer);
        if (unread(srv) == 0) {
            /* One more pass: the last read may have left commands in the query buffer. */
            event_base_loop(base, EVLOOP_NONBLOCK);
            drain(peer);
            return;
        }
    }
}

static void run_input(const uint8_t *data, size_t size);

HARNESS static void
write_all(int srv, int peer, const uint8_t *p, size_t n)
{
    while (n > 0 && clients_count() > 0) {
        ssize_t w = write(peer, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            return; /* the client closed */
        }
        pump(srv, peer);
    }
}

/* libevent keeps a small per-descriptor record (evmap) from the first event on a descriptor
 * number until the base is freed; a client usually gets the lowest free number, but a thread
 * (the metrics sampler reading /proc, libFuzzer itself) holding a descriptor for a moment pushes
 * it higher. So: a few dozen clients at once, then one through a whole input, then the
 * baseline. */
#define WARM_FDS 32

HARNESS static void
warm_up(void)
{
    static const uint8_t ping[] = "\0PING\r\n";
    baseline = SIZE_MAX;
    for (int i = 0; i < WARM_FDS; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
            die("socketpair failed");
        net_adopt(sv[0]);
        close(sv[1]);
    }
    run_input(ping, sizeof(ping) - 1); /* its reset frees the clients above too */
    baseline = zmalloc_used_memory();
}

HARNESS int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (baseline == 0)
        warm_up();
    if (size == 0)
        return 0;
    size_t k = data[0] % 8;
    if (size < 1 + k)
        return 0;
    if (denied(data + 1 + k, size - 1 - k))
        return -1; /* not added to the corpus */
    run_input(data, size);
    return 0;
}

/* Serve one input (its piece lengths, then the stream) on a new client, then reset the server
 * and check that used memory is back to the baseline. */
HARNESS static void
run_input(const uint8_t *data, size_t size)
{
    size_t k = data[0] % 8;
    const uint8_t *lens = data + 1;
    const uint8_t *p = data + 1 + k;
    size_t n = size - 1 - k;

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
        die("socketpair failed");
    net_adopt(sv[0]);
    for (size_t i = 0; n > 0 && clients_count() > 0; i++) {
        size_t piece = k ? (size_t)lens[i % k] + 1 : n;
        if (piece > n)
            piece = n;
        write_all(sv[0], sv[1], p, piece);
        p += piece;
        n -= piece;
    }
    pump(sv[0], sv[1]);
    close(sv[1]);
    for (int i = 0; i < MAX_PASSES && clients_count() > 0; i++)
        event_base_loop(base, EVLOOP_NONBLOCK);

    /* Back to the state after set-up; what is left is a leak. */
    net_teardown();
    for (int i = 0; i < db_count(); i++)
        db_flush(db_get(i), 0);
    while (lazyfree_pending_objects() > 0)
        usleep(100);
    slowlog_reset();
    if (net_setup(base) < 0)
        die("net_setup failed");
    size_t used = zmalloc_used_memory();
    if (baseline != SIZE_MAX && used != baseline) {
        fprintf(stderr, "fuzz_server: used_memory %zu after the input, baseline %zu: leak of %zd\n",
                used, baseline, (ssize_t)(used - baseline));
        if (getenv("FUZZ_SERVER_LEAK_WARN") == NULL)
            abort();
        baseline = used; /* diagnosing: report each input's leak and go on */
    }
}
