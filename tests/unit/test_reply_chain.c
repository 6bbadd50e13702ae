/* test_reply_chain — the reply chain and string pins: small open buffers are copied into a
 * chunk and keep their allocation, large ones are moved without a copy; iovecs come out in
 * order; consuming across nodes keeps the owed and memory figures exact; a pinned string
 * orphaned (freed from the keyspace) lives until its last pin goes; memory back to baseline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <cmocka.h>

#include "buf.h"
#include "object.h"
#include "reply.h"
#include "strpin.h"
#include "zmalloc.h"

static size_t baseline;

static int
setup(void **state)
{
    baseline = zmalloc_used_memory();
    return 0;
}

static int
teardown(void **state)
{
    assert_int_equal(strpin_count(), 0);
    assert_int_equal(zmalloc_used_memory(), baseline);
    return 0;
}

/* The chain's bytes, concatenated from its iovecs, into dst; returns the length. */
static size_t
gather(const struct reply_chain *ch, char *dst)
{
    struct iovec iov[256];
    int k = reply_chain_iov(ch, iov, 256);
    size_t n = 0;
    for (int i = 0; i < k; i++) {
        memcpy(dst + n, iov[i].iov_base, iov[i].iov_len);
        n += iov[i].iov_len;
    }
    return n;
}

static void
test_push_buf(void **state)
{
    struct reply_chain ch = REPLY_CHAIN_INIT;
    struct buf small = BUF_INIT, big = BUF_INIT;
    buf_append(&small, "xx+OK\r\n", 7);
    small.pos = 2; /* "xx" already sent */
    char *small_data = small.data;
    assert_int_equal(reply_chain_push_buf(&ch, &small), 0);
    assert_ptr_equal(small.data, small_data); /* copied: the buffer keeps its allocation */
    assert_int_equal(small.len, 0);
    assert_int_equal(small.pos, 0);

    char *payload = malloc(20000);
    for (int i = 0; i < 20000; i++)
        payload[i] = (char)('a' + i % 26);
    buf_append(&big, payload, 20000);
    char *big_data = big.data;
    assert_int_equal(reply_chain_push_buf(&ch, &big), 0);
    assert_null(big.data); /* moved, not copied */
    assert_int_equal(ch.nodes, 2);
    assert_int_equal(ch.bytes, 5 + 20000);

    char *out = malloc(30000);
    assert_int_equal(gather(&ch, out), 5 + 20000);
    assert_memory_equal(out, "+OK\r\n", 5);
    assert_memory_equal(out + 5, payload, 20000);
    struct iovec iov[2];
    assert_int_equal(reply_chain_iov(&ch, iov, 2), 2);
    assert_ptr_equal(iov[1].iov_base, big_data);

    /* An empty buffer adds nothing. */
    assert_int_equal(reply_chain_push_buf(&ch, &small), 0);
    assert_int_equal(ch.nodes, 2);

    /* Consume across the node boundary, then the rest. */
    reply_chain_consume(&ch, 3);
    assert_int_equal(ch.bytes, 2 + 20000);
    reply_chain_consume(&ch, 10);
    assert_int_equal(ch.nodes, 1);
    assert_int_equal(gather(&ch, out), 20000 - 8);
    assert_memory_equal(out, payload + 8, 20000 - 8);
    reply_chain_consume(&ch, 20000 - 8);
    assert_int_equal(ch.nodes, 0);
    assert_int_equal(ch.bytes, 0);
    assert_int_equal(ch.mem, 0);
    assert_null(ch.head);
    assert_null(ch.tail);
    buf_free(&small);
    free(out);
    free(payload);
}

static void
test_memory_figure(void **state)
{
    struct reply_chain ch = REPLY_CHAIN_INIT;
    size_t before = zmalloc_used_memory();
    for (int i = 0; i < 10; i++) {
        struct buf b = BUF_INIT;
        buf_append(&b, "0123456789", 10);
        for (int k = 0; k < i * 1000; k++)
            buf_append(&b, "z", 1);
        assert_int_equal(reply_chain_push_buf(&ch, &b), 0);
        buf_free(&b);
    }
    /* What the chain says it holds is exactly what it allocated. */
    assert_int_equal(ch.mem, zmalloc_used_memory() - before);
    reply_chain_clear(&ch);
    assert_int_equal(ch.mem, 0);
    assert_int_equal(zmalloc_used_memory(), before);
}

static void
test_pinned_string(void **state)
{
    struct reply_chain ch = REPLY_CHAIN_INIT;
    struct str *s = str_new("stored-bytes", 12, 12);
    size_t before = zmalloc_used_memory();
    assert_int_equal(reply_chain_push_str(&ch, s, 0, s->len), 0);
    assert_int_equal(reply_chain_push_str(&ch, s, 0, s->len), 0); /* MGET k k: two pins */
    assert_int_equal(strpin_count(), 2);
    assert_true(strpin_is_pinned(s));
    assert_int_equal(ch.bytes, 24);
    /* The reference costs its node only, not the string's bytes. */
    assert_int_equal(ch.mem, zmalloc_used_memory() - before);
    char out[64];
    assert_int_equal(gather(&ch, out), 24);
    assert_memory_equal(out, "stored-bytesstored-bytes", 24);

    /* The key is deleted: the string is handed to its pins, not freed. */
    assert_int_equal(strpin_orphan(s), 1);
    reply_chain_consume(&ch, 12); /* one pin left: still alive (ASan would see a use after free) */
    assert_int_equal(strpin_count(), 1);
    assert_int_equal(gather(&ch, out), 12);
    assert_memory_equal(out, "stored-bytes", 12);
    reply_chain_consume(&ch, 5);
    assert_int_equal(ch.bytes, 7);
    reply_chain_consume(&ch, 7); /* the last pin frees it */
    assert_int_equal(strpin_count(), 0);
}

/* A range of a string (GETRANGE) is a reference into it, pinning the whole string. */
static void
test_pinned_range(void **state)
{
    struct reply_chain ch = REPLY_CHAIN_INIT;
    struct str *s = str_new("stored-bytes", 12, 12);
    assert_int_equal(reply_chain_push_str(&ch, s, 3, 5), 0);
    assert_int_equal(ch.bytes, 5);
    assert_true(strpin_is_pinned(s));
    char out[16];
    assert_int_equal(gather(&ch, out), 5);
    assert_memory_equal(out, "red-b", 5);
    assert_int_equal(strpin_orphan(s), 1); /* deleted while owed */
    reply_chain_consume(&ch, 2);
    assert_int_equal(gather(&ch, out), 3);
    assert_memory_equal(out, "d-b", 3);
    reply_chain_consume(&ch, 3); /* the last pin frees the whole string */
    assert_int_equal(strpin_count(), 0);
}

static void
test_unpinned_string_stays(void **state)
{
    struct reply_chain ch = REPLY_CHAIN_INIT;
    struct str *s = str_new("kept", 4, 4);
    assert_int_equal(strpin_orphan(s), 0); /* not pinned: the caller frees it */
    assert_int_equal(reply_chain_push_str(&ch, s, 0, s->len), 0);
    reply_chain_clear(&ch); /* not orphaned: the keyspace still owns it */
    assert_int_equal(strpin_count(), 0);
    assert_false(strpin_is_pinned(s));
    assert_memory_equal(s->buf, "kept", 4);
    val_free(ENC_RAW, s);
}

static void
test_iov_limit(void **state)
{
    struct reply_chain ch = REPLY_CHAIN_INIT;
    for (int i = 0; i < 10; i++) {
        struct buf b = BUF_INIT;
        char c = (char)('0' + i);
        buf_append(&b, &c, 1);
        assert_int_equal(reply_chain_push_buf(&ch, &b), 0);
        buf_free(&b);
    }
    struct iovec iov[4];
    assert_int_equal(reply_chain_iov(&ch, iov, 4), 4);
    assert_memory_equal(iov[3].iov_base, "3", 1);
    reply_chain_consume(&ch, 4);
    assert_int_equal(reply_chain_iov(&ch, iov, 4), 4);
    assert_memory_equal(iov[0].iov_base, "4", 1);
    reply_chain_clear(&ch);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_push_buf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_figure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pinned_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pinned_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unpinned_string_stays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iov_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
