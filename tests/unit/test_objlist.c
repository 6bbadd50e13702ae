/* test_objlist.c — list values against an array model under random pushes, pops, LSET,
 * LINSERT, LREM and LTRIM edits with elements from 0 bytes to past a node's 8 KiB: the same
 * elements in the same order from both ends and by index, the quicklist's shape kept (no empty
 * node, no node past 8 KiB unless it holds one element, counts adding up, a small list back in
 * one pack), and used memory back to its baseline after the list is freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "object.h"
#include "objlist.h"
#include "pack.h"
#include "zmalloc.h"

#define MODEL_MAX 4000

struct model {
    char *e[MODEL_MAX];
    size_t len[MODEL_MAX];
    size_t n;
};

static struct kv *
new_list(void)
{
    struct val v;
    list_new_val(&v);
    return kv_build("l", 1, &v, -1);
}

/* An element: mostly short (so that LREM and LINSERT find matches), sometimes a few KiB,
 * rarely past a whole node. Its bytes are a letter repeated, the letter from `tag`. */
static char *
make_elem(unsigned tag, size_t *len)
{
    int r = rand() % 100;
    *len = r < 70   ? (size_t)(rand() % 4)
           : r < 97 ? (size_t)(500 + rand() % 3000)
                    : (size_t)(8200 + rand() % 2000);
    char *s = malloc(*len + 1);
    memset(s, 'a' + (int)(tag % 4), *len);
    s[*len] = '\0';
    return s;
}

static void
model_insert(struct model *m, size_t at, char *s, size_t len)
{
    memmove(&m->e[at + 1], &m->e[at], (m->n - at) * sizeof(m->e[0]));
    memmove(&m->len[at + 1], &m->len[at], (m->n - at) * sizeof(m->len[0]));
    m->e[at] = s;
    m->len[at] = len;
    m->n++;
}

static void
model_remove(struct model *m, size_t at)
{
    free(m->e[at]);
    memmove(&m->e[at], &m->e[at + 1], (m->n - at - 1) * sizeof(m->e[0]));
    memmove(&m->len[at], &m->len[at + 1], (m->n - at - 1) * sizeof(m->len[0]));
    m->n--;
}

static int
model_eq(const struct model *m, size_t i, const char *s, size_t len)
{
    return m->len[i] == len && memcmp(m->e[i], s, len) == 0;
}

static void
noop(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    (void)s;
    (void)len;
}

/* The list holds the model's elements, and its quicklist (if any) has its shape. */
static void
check(const struct kv *l, const struct model *m)
{
    assert_int_equal(list_len(l), m->n);
    struct list_iter it;
    const char *s;
    size_t len, i = 0;
    list_iter_init(&it, l, LIST_HEAD);
    while (list_iter_next(&it, &s, &len)) {
        assert_true(i < m->n && model_eq(m, i, s, len));
        i++;
    }
    assert_int_equal(i, m->n);
    list_iter_init(&it, l, LIST_TAIL);
    while (list_iter_next(&it, &s, &len)) {
        assert_true(i > 0 && model_eq(m, i - 1, s, len));
        i--;
    }
    assert_int_equal(i, 0);
    if (m->n) {
        size_t k = (size_t)rand() % m->n;
        assert_true(list_index(l, (long long)k, &s, &len) && model_eq(m, k, s, len));
    }
    if (l->enc == ENC_LIST_PACK)
        return;
    const struct qlist *q = kv_ptr(l);
    size_t nodes = 0, count = 0;
    for (const struct qlnode *n = q->head; n; n = n->next) {
        assert_true(n->p->count > 0);
        assert_true(n->p->bytes <= LIST_PACK_BYTES || n->p->count == 1);
        assert_true(n->next == NULL || n->next->prev == n);
        count += n->p->count;
        nodes++;
    }
    assert_int_equal(nodes, q->nodes);
    assert_int_equal(count, q->count);
    assert_false(nodes == 1 && q->head->p->bytes <= LIST_PACK_BYTES / 2);
}

static void
step(struct kv *l, struct model *m, unsigned tag)
{
    size_t len;
    int op = rand() % 10;
    if (m->n > 300 && op < 4)
        op = 9; /* keep the model bounded */
    if (op < 4) {
        char *s = make_elem(tag, &len);
        int where = rand() % 2 ? LIST_HEAD : LIST_TAIL;
        assert_int_equal(list_push(l, where, s, len), 0);
        model_insert(m, where == LIST_HEAD ? 0 : m->n, s, len);
    } else if (op == 4 && m->n) {
        int where = rand() % 2 ? LIST_HEAD : LIST_TAIL;
        assert_int_equal(list_pop(l, where, noop, NULL), 0);
        model_remove(m, where == LIST_HEAD ? 0 : m->n - 1);
    } else if (op == 5) {
        long long idx = (long long)(rand() % ((int)m->n * 2 + 3)) - (long long)m->n - 1;
        char *s = make_elem(tag, &len);
        long long at = idx < 0 ? idx + (long long)m->n : idx;
        int in = at >= 0 && at < (long long)m->n;
        assert_int_equal(list_set(l, idx, s, len), in);
        if (in) {
            free(m->e[at]);
            m->e[at] = s;
            m->len[at] = len;
        } else {
            free(s);
        }
    } else if (op == 6) {
        char *pivot = make_elem(tag + 1, &len);
        size_t pl = len, at = 0;
        while (at < m->n && !model_eq(m, at, pivot, pl))
            at++;
        int after = rand() % 2;
        char *s = make_elem(tag, &len);
        assert_int_equal(list_insert(l, pivot, pl, after, s, len), at < m->n);
        if (at < m->n)
            model_insert(m, at + (size_t)after, s, len);
        else
            free(s);
        free(pivot);
    } else if (op == 7) {
        char *s = make_elem(tag + 2, &len);
        long long count = rand() % 7 - 3;
        size_t want = 0;
        if (count >= 0) {
            for (size_t i = 0; i < m->n;) {
                if ((count == 0 || want < (size_t)count) && model_eq(m, i, s, len)) {
                    model_remove(m, i);
                    want++;
                } else {
                    i++;
                }
            }
        } else {
            for (size_t i = m->n; i-- > 0;) {
                if (want < (size_t)-count && model_eq(m, i, s, len)) {
                    model_remove(m, i);
                    want++;
                }
            }
        }
        assert_int_equal(list_remove_equal(l, count, s, len), want);
        free(s);
    } else if (op == 8 && m->n > 1) {
        size_t start = (size_t)rand() % m->n, n = 1 + (size_t)rand() % (m->n - start);
        list_trim(l, start, n);
        while (m->n > start + n)
            model_remove(m, m->n - 1);
        for (size_t i = 0; i < start; i++)
            model_remove(m, 0);
    } else if (op == 9 && m->n > 20) {
        list_trim(l, m->n / 4, m->n / 2);
        size_t start = m->n / 4, n = m->n / 2;
        while (m->n > start + n)
            model_remove(m, m->n - 1);
        for (size_t i = 0; i < start; i++)
            model_remove(m, 0);
    }
}

static void
test_list_model(void **state)
{
    unsigned seed = (unsigned)getpid();
    printf("test_list_model seed %u\n", seed);
    srand(seed);
    size_t base = zmalloc_used_memory();
    for (int round = 0; round < 4; round++) {
        struct kv *l = new_list();
        struct model *m = calloc(1, sizeof(*m));
        int quick = 0;
        for (int i = 0; i < 3000; i++) {
            step(l, m, (unsigned)rand());
            quick |= l->enc == ENC_LIST_QUICK;
            if (i % 7 == 0)
                check(l, m);
        }
        check(l, m);
        assert_true(quick); /* the quicklist paths ran */
        kv_free(l);
        while (m->n)
            model_remove(m, m->n - 1);
        free(m);
        assert_int_equal(zmalloc_used_memory(), base);
    }
}

/* LSET and LINSERT past 8 KiB split; LSET back to small and LTRIM merge into one pack. */
static void
test_list_reshape(void **state)
{
    size_t base = zmalloc_used_memory();
    struct kv *l = new_list();
    char big[1000];
    memset(big, 'x', sizeof(big));
    for (int i = 0; i < 8; i++)
        assert_int_equal(list_push(l, LIST_TAIL, big, sizeof(big)), 0);
    assert_int_equal(l->enc, ENC_LIST_PACK);
    assert_int_equal(list_insert(l, big, sizeof(big), 1, "mid", 3), 1);
    assert_int_equal(l->enc, ENC_LIST_PACK);
    assert_int_equal(list_insert(l, "mid", 3, 0, big, sizeof(big)), 1);
    assert_int_equal(l->enc, ENC_LIST_QUICK);
    assert_int_equal(((struct qlist *)kv_ptr(l))->nodes, 2);
    list_trim(l, 0, 3);
    assert_int_equal(l->enc, ENC_LIST_PACK);
    assert_int_equal(list_len(l), 3);
    static char huge[9000];
    memset(huge, 'h', sizeof(huge));
    assert_int_equal(list_set(l, 1, huge, sizeof(huge)), 1);
    assert_int_equal(l->enc, ENC_LIST_QUICK);
    assert_int_equal(((struct qlist *)kv_ptr(l))->nodes, 3);
    assert_int_equal(list_set(l, 1, "s", 1), 1);
    assert_int_equal(l->enc, ENC_LIST_PACK);
    assert_int_equal(list_set(l, 3, "s", 1), 0);
    assert_int_equal(list_remove_equal(l, 0, big, sizeof(big)), 1);
    assert_int_equal(list_len(l), 2);
    kv_free(l);
    assert_int_equal(zmalloc_used_memory(), base);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_reshape),
        cmocka_unit_test(test_list_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
