/* bench/parse — request parsing throughput: resp_parse against hiredis's redisReader on the same
 * bytes, in the same run. The stream is a pipeline of alternating SET key value / GET key,
 * with 16-byte and 1024-byte values, fed in 16 KiB reads (Redis's PROTO_IOBUF_LEN) the way a
 * server loop would: append to a query buffer, take every complete command, drop what was
 * consumed. Both sides touch every argument (a checksum of lengths and first bytes) so neither
 * can skip work. Runs alternate between the two parsers; the median of each is reported.
 * No arguments; about 10 s. Numbers, never pass/fail. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "buf.h"
#include "resp_parse.h"
#include "resp_write.h"
#include "zmalloc.h"

#define READ_SIZE (16 * 1024)
#define ROUNDS    7
/* Bytes of pipeline per run: large enough to be measured, small enough to stay in seconds. */
#define STREAM_BYTES (48 * 1024 * 1024)

struct result {
    uint64_t commands;
    uint64_t checksum;
};

static double
now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SET key:<n> <value> and GET key:<n>, alternating, as clients send them (arrays of bulks). */
static void
build_stream(struct buf *s, size_t vlen)
{
    char key[32], *value = zmalloc(vlen);
    size_t i;

    memset(value, 'v', vlen);
    for (i = 0; s->len < STREAM_BYTES; i++) {
        size_t klen = (size_t)snprintf(key, sizeof(key), "key:%08zu", i / 2);

        if (i % 2 == 0) {
            resp_write_array(s, 3);
            resp_write_bulk(s, "SET", 3);
            resp_write_bulk(s, key, klen);
            resp_write_bulk(s, value, vlen);
        } else {
            resp_write_array(s, 2);
            resp_write_bulk(s, "GET", 3);
            resp_write_bulk(s, key, klen);
        }
    }
    zfree(value);
    if (s->oom) {
        fprintf(stderr, "parse: out of memory building the stream\n");
        exit(1);
    }
}

static struct result
run_resp_parse(const struct buf *s)
{
    struct result r = {0, 0};
    struct resp_parser p;
    struct buf q = BUF_INIT;
    size_t fed = 0;

    resp_parser_init(&p);
    while (fed < s->len) {
        size_t n = s->len - fed < READ_SIZE ? s->len - fed : READ_SIZE;
        size_t consumed;

        buf_compact(&q);
        buf_append(&q, s->data + fed, n);
        fed += n;
        while (resp_parse(&p, q.data + q.pos, q.len - q.pos, &consumed) == RESP_OK) {
            int i;

            q.pos += consumed;
            r.commands++;
            for (i = 0; i < p.argc; i++)
                r.checksum += p.argv[i].len + (unsigned char)p.argv[i].ptr[0];
        }
        q.pos += consumed;
    }
    resp_parser_deinit(&p);
    buf_free(&q);
    return r;
}

static struct result
run_hiredis(const struct buf *s)
{
    struct result r = {0, 0};
    redisReader *reader = redisReaderCreate();
    size_t fed = 0;

    while (fed < s->len) {
        size_t n = s->len - fed < READ_SIZE ? s->len - fed : READ_SIZE;
        void *reply;

        redisReaderFeed(reader, s->data + fed, n);
        fed += n;
        while (redisReaderGetReply(reader, &reply) == REDIS_OK && reply != NULL) {
            redisReply *rep = reply;
            size_t i;

            r.commands++;
            for (i = 0; i < rep->elements; i++)
                r.checksum += rep->element[i]->len + (unsigned char)rep->element[i]->str[0];
            freeReplyObject(rep);
        }
    }
    redisReaderFree(reader);
    return r;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void
bench_size(size_t vlen)
{
    struct buf s = BUF_INIT;
    double ours[ROUNDS], theirs[ROUNDS], mine, hi;
    struct result a = {0, 0}, b = {0, 0};
    int i;

    build_stream(&s, vlen);
    for (i = 0; i < ROUNDS; i++) {
        double t0 = now_sec();

        a = run_resp_parse(&s);
        ours[i] = now_sec() - t0;
        t0 = now_sec();
        b = run_hiredis(&s);
        theirs[i] = now_sec() - t0;
    }
    if (a.commands != b.commands || a.checksum != b.checksum) {
        fprintf(stderr, "parse: parsers disagree (%llu/%llu commands)\n",
                (unsigned long long)a.commands, (unsigned long long)b.commands);
        exit(1);
    }
    qsort(ours, ROUNDS, sizeof(double), cmp_double);
    qsort(theirs, ROUNDS, sizeof(double), cmp_double);
    mine = ours[ROUNDS / 2];
    hi = theirs[ROUNDS / 2];
    printf("%5zu B  %-12s %8.2f M cmd/s %8.1f MB/s\n", vlen, "resp_parse", a.commands / mine / 1e6,
           s.len / mine / 1e6);
    printf("%5zu B  %-12s %8.2f M cmd/s %8.1f MB/s\n", vlen, "hiredis", b.commands / hi / 1e6,
           s.len / hi / 1e6);
    printf("%5zu B  ratio        %8.2fx   (%llu commands, %.1f MB, median of %d)\n", vlen,
           hi / mine, (unsigned long long)a.commands, s.len / 1e6, ROUNDS);
    buf_free(&s);
}

int
main(void)
{
    printf("parse: pipelined SET/GET arrays of bulks, %d KiB reads, resp_parse vs hiredis "
           "redisReader\n",
           READ_SIZE / 1024);
    bench_size(16);
    bench_size(1024);
    return 0;
}
