/* test_workpool.c - unit tests for workpool.h: commits come in submission order whatever the
 * thread count and however long each item takes, a commit that says stop stops the pool
 * cleanly (nothing after it committed, everything discarded or released once), no items and
 * no threads are fine, and the weight limit holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "prng.h"
#include "workpool.h"

#define MAX_WORKERS 16

struct item {
    size_t seq;                /* submission number */
    uint64_t input, output;
    unsigned spin;             /* how long work takes, so items finish out of order */
    int *buffer;               /* kept from one use of the slot to the next */
    bool worked;
};

struct run {
    size_t committed;          /* commits so far; each must be the next in order */
    size_t discarded, released, worked;
    size_t stop_at;            /* the commit of this seq returns false (SIZE_MAX: never) */
    bool out_of_order;
    size_t worker_exits;
    size_t per_worker[MAX_WORKERS];
    size_t max_inflight_weight, inflight_weight;
};

static uint64_t slow_hash(uint64_t x, unsigned spin)
{
    for (unsigned i = 0; i <= spin; i++) x = x * 6364136223846793005u + 1442695040888963407u;
    return x;
}

static void work(void *ctx, unsigned worker, void *p)
{
    struct run *r = ctx;
    struct item *it = p;
    it->output = slow_hash(it->input, it->spin);
    it->worked = true;
    /* per-worker state needs no lock: only worker `worker` touches its own counter */
    if (worker < MAX_WORKERS) r->per_worker[worker]++;
}

static bool commit(void *ctx, void *p)
{
    struct run *r = ctx;
    struct item *it = p;
    assert_true(it->worked);
    if (it->seq != r->committed || it->output != slow_hash(it->input, it->spin)) r->out_of_order = true;
    r->committed++;
    r->worked++;
    it->worked = false;
    r->inflight_weight -= 1 + it->seq % 3;
    return it->seq != r->stop_at;
}

static void discard(void *ctx, void *p)
{
    struct run *r = ctx;
    struct item *it = p;
    r->discarded++;
    it->worked = false;
    r->inflight_weight -= 1 + it->seq % 3;
}

static void worker_exit(void *ctx, unsigned worker)
{
    (void)worker;
    struct run *r = ctx;
    __atomic_add_fetch(&r->worker_exits, 1, __ATOMIC_RELAXED);
}

static void release(void *ctx, void *p)
{
    struct run *r = ctx;
    struct item *it = p;
    free(it->buffer);
    it->buffer = NULL;
    r->released++;
}

/* Submits n items (weight 1 + seq % 3) on `threads` threads and drains. Returns what drain
 * said; *submitted is how many were submitted before the pool refused a slot. */
static bool run_pool(struct run *r, unsigned threads, size_t slots, size_t max_weight, size_t n,
                     size_t *submitted)
{
    struct workpool_ops ops = {r, sizeof(struct item), work, commit, discard, worker_exit, release};
    struct workpool *p = workpool_start(&ops, threads, slots, max_weight);
    assert_int_equal(workpool_threads(p), threads);
    struct rng g;
    rng_seed(&g, 42);
    size_t k = 0;
    for (; k < n; k++) {
        struct item *it = workpool_slot(p);
        if (!it) break;
        if (!it->buffer) it->buffer = malloc(64);   /* once per slot: freed by release */
        assert_non_null(it->buffer);
        it->seq = k;
        it->input = rng_next(&g);
        it->spin = (unsigned)(rng_next(&g) % 4 == 0 ? 20000 : rng_next(&g) % 200);
        r->inflight_weight += 1 + k % 3;
        if (r->inflight_weight > r->max_inflight_weight) r->max_inflight_weight = r->inflight_weight;
        workpool_submit(p, 1 + k % 3);
    }
    bool ok = workpool_drain(p);
    workpool_free(p);
    assert_int_equal(r->worker_exits, threads);
    assert_int_equal(r->released, slots);
    *submitted = k;
    return ok;
}

static void init_run(struct run *r)
{
    memset(r, 0, sizeof *r);
    r->stop_at = SIZE_MAX;
}

static void test_order_many_threads(void **state)
{
    (void)state;
    unsigned counts[] = {2, 3, 8, MAX_WORKERS};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        struct run r;
        init_run(&r);
        size_t submitted;
        assert_true(run_pool(&r, counts[c], counts[c] * 4, 0, 5000, &submitted));
        assert_int_equal(submitted, 5000);
        assert_int_equal(r.committed, 5000);
        assert_int_equal(r.discarded, 0);
        assert_false(r.out_of_order);
        size_t total = 0;
        for (unsigned w = 0; w < counts[c]; w++) total += r.per_worker[w];
        assert_int_equal(total, 5000);
    }
}

static void test_one_thread(void **state)
{
    (void)state;
    struct run r;
    init_run(&r);
    size_t submitted;
    assert_true(run_pool(&r, 1, 1, 0, 300, &submitted));
    assert_int_equal(r.committed, 300);
    assert_int_equal(r.per_worker[0], 300);
    assert_false(r.out_of_order);
}

/* No thread at all: work runs in submit on the calling thread, in order. */
static void test_no_threads(void **state)
{
    (void)state;
    struct run r;
    init_run(&r);
    size_t submitted;
    assert_true(run_pool(&r, 0, 3, 0, 100, &submitted));
    assert_int_equal(r.committed, 100);
    assert_int_equal(r.per_worker[0], 100);
    assert_false(r.out_of_order);
}

static void test_zero_items(void **state)
{
    (void)state;
    unsigned counts[] = {0, 1, 4};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        struct run r;
        init_run(&r);
        size_t submitted;
        assert_true(run_pool(&r, counts[c], 8, 0, 0, &submitted));
        assert_int_equal(r.committed + r.discarded, 0);
    }
}

/* A commit returns false: nothing after it is committed, the pool hands out no more slots,
 * every submitted item is committed or discarded exactly once, and drain says so. */
static void test_consumer_stops_pool(void **state)
{
    (void)state;
    unsigned counts[] = {0, 1, 4};
    size_t stops[] = {0, 7, 500};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        for (size_t s = 0; s < sizeof stops / sizeof *stops; s++) {
            struct run r;
            init_run(&r);
            r.stop_at = stops[s];
            size_t submitted;
            assert_false(run_pool(&r, counts[c], 16, 0, 1000, &submitted));
            assert_int_equal(r.committed, stops[s] + 1);
            assert_false(r.out_of_order);
            assert_true(submitted < 1000);
            assert_int_equal(r.committed + r.discarded, submitted);
            assert_int_equal(r.inflight_weight, 0);
        }
    }
}

/* Items in flight never weigh more than the limit plus the one let through when empty. */
static void test_weight_bound(void **state)
{
    (void)state;
    struct run r;
    init_run(&r);
    size_t submitted;
    assert_true(run_pool(&r, 4, 64, 5, 2000, &submitted));
    assert_int_equal(r.committed, 2000);
    assert_false(r.out_of_order);
    assert_true(r.max_inflight_weight <= 5 + 2);   /* below 5, plus one item of at most 3 */
}

/* workpool_free without a drain: what was submitted and not yet committed is discarded. Items a
 * worker finished before a later workpool_slot() call are committed by that call (how fast the
 * workers go decides how many: under valgrind, most), but the last one submitted never is. */
static void test_free_without_drain(void **state)
{
    (void)state;
    struct run r;
    init_run(&r);
    struct workpool_ops ops = {&r, sizeof(struct item), work, commit, discard, worker_exit, release};
    struct workpool *p = workpool_start(&ops, 2, 8, 0);
    for (size_t k = 0; k < 8; k++) {
        struct item *it = workpool_slot(p);
        assert_non_null(it);
        it->seq = k;
        it->spin = 1000;
        r.inflight_weight += 1 + k % 3;
        workpool_submit(p, 1 + k % 3);
    }
    workpool_free(p);
    assert_int_equal(r.committed + r.discarded, 8);
    assert_true(r.discarded >= 1);
    assert_false(r.out_of_order);
    assert_int_equal(r.released, 8);
    assert_int_equal(r.worker_exits, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_many_threads),
        cmocka_unit_test(test_one_thread),
        cmocka_unit_test(test_no_threads),
        cmocka_unit_test(test_zero_items),
        cmocka_unit_test(test_consumer_stops_pool),
        cmocka_unit_test(test_weight_bound),
        cmocka_unit_test(test_free_without_drain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
