/* workpool.c - the ordered worker pool (workpool.h): a ring of slots behind one lock. */
#include "workpool.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct worker {
    struct workpool *pool;
    pthread_t thread;
    unsigned index;
};

struct workpool {
    struct workpool_ops ops;
    pthread_mutex_t mu;
    pthread_cond_t queued, finished;
    char *items;                  /* n_slots items of `stride` bytes */
    size_t stride;
    bool *done;                   /* done[slot]: its worker has finished with it */
    size_t *weight;               /* weight[slot] as submitted */
    size_t n_slots, max_weight;
    /* counters that only grow; a slot is counter % n_slots */
    size_t head;                  /* oldest item not committed yet */
    size_t next;                  /* next submitted item a worker takes */
    size_t tail;                  /* next slot to fill */
    size_t inflight_weight;       /* of the items between head and tail */
    bool closing;                 /* no more items will be submitted */
    bool abandon;                 /* workpool_free: skip what no worker has started */
    bool stopped;                 /* a commit returned false */
    struct worker *workers;
    unsigned n_workers;
};

static void *item_at(const struct workpool *p, size_t counter)
{
    return p->items + (counter % p->n_slots) * p->stride;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct workpool *p = w->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->closing && p->next == p->tail) pthread_cond_wait(&p->queued, &p->mu);
        if (p->next == p->tail) break;   /* closing, and nothing left to take */
        size_t at = p->next++;
        /* after a stop the item will be discarded anyway: save the work */
        bool skip = p->stopped || p->abandon;
        pthread_mutex_unlock(&p->mu);
        if (!skip) p->ops.work(p->ops.ctx, w->index, item_at(p, at));
        pthread_mutex_lock(&p->mu);
        p->done[at % p->n_slots] = true;
        pthread_cond_broadcast(&p->finished);
    }
    pthread_mutex_unlock(&p->mu);
    if (p->ops.worker_exit) p->ops.worker_exit(p->ops.ctx, w->index);
    return NULL;
}

/* Commits (or, once stopped, discards) the finished items at the head, in order. Called and
 * returns with p->mu held; the lock is let go around each callback. */
static void commit_finished(struct workpool *p)
{
    while (p->head < p->tail && p->done[p->head % p->n_slots]) {
        void *item = item_at(p, p->head);
        bool stopped = p->stopped;
        pthread_mutex_unlock(&p->mu);
        /* its worker is done with it: only this thread touches the item now */
        bool go_on = true;
        if (stopped) {
            if (p->ops.discard) p->ops.discard(p->ops.ctx, item);
        } else {
            go_on = p->ops.commit(p->ops.ctx, item);
        }
        pthread_mutex_lock(&p->mu);
        if (!go_on) p->stopped = true;
        p->done[p->head % p->n_slots] = false;
        p->inflight_weight -= p->weight[p->head % p->n_slots];
        p->head++;
    }
}

static bool has_room(const struct workpool *p)
{
    if (p->tail - p->head >= p->n_slots) return false;
    return !p->max_weight || p->inflight_weight < p->max_weight || p->head == p->tail;
}

struct workpool *workpool_start(const struct workpool_ops *ops, unsigned threads, size_t slots,
                                size_t max_weight)
{
    struct workpool *p = xcalloc(1, sizeof *p);
    p->ops = *ops;
    p->n_slots = slots ? slots : 1;
    p->max_weight = max_weight;
    size_t align = alignof(max_align_t);
    p->stride = ops->item_size ? (ops->item_size + align - 1) / align * align : align;
    p->items = xcalloc(p->n_slots, p->stride);
    p->done = xcalloc(p->n_slots, sizeof *p->done);
    p->weight = xcalloc(p->n_slots, sizeof *p->weight);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->queued, NULL);
    pthread_cond_init(&p->finished, NULL);
    p->workers = xcalloc(threads ? threads : 1, sizeof *p->workers);
    for (unsigned i = 0; i < threads; i++) {
        struct worker *w = &p->workers[p->n_workers];
        w->pool = p;
        w->index = p->n_workers;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) break;
        p->n_workers++;
    }
    return p;
}

unsigned workpool_threads(const struct workpool *p)
{
    return p->n_workers;
}

void *workpool_slot(struct workpool *p)
{
    pthread_mutex_lock(&p->mu);
    for (;;) {
        commit_finished(p);
        if (p->stopped || has_room(p)) break;
        pthread_cond_wait(&p->finished, &p->mu);
    }
    void *item = p->stopped ? NULL : item_at(p, p->tail);
    pthread_mutex_unlock(&p->mu);
    return item;
}

void workpool_submit(struct workpool *p, size_t weight)
{
    size_t at = p->tail;   /* only this thread moves the tail */
    if (p->n_workers == 0) p->ops.work(p->ops.ctx, 0, item_at(p, at));
    pthread_mutex_lock(&p->mu);
    p->weight[at % p->n_slots] = weight;
    p->inflight_weight += weight;
    p->tail++;
    if (p->n_workers == 0) {
        p->next = p->tail;
        p->done[at % p->n_slots] = true;
    }
    pthread_cond_signal(&p->queued);
    pthread_mutex_unlock(&p->mu);
}

bool workpool_drain(struct workpool *p)
{
    pthread_mutex_lock(&p->mu);
    for (;;) {
        commit_finished(p);
        if (p->head == p->tail) break;
        pthread_cond_wait(&p->finished, &p->mu);
    }
    bool ok = !p->stopped;
    pthread_mutex_unlock(&p->mu);
    return ok;
}

void workpool_free(struct workpool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->closing = true;
    p->abandon = true;
    pthread_cond_broadcast(&p->queued);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_workers; i++) pthread_join(p->workers[i].thread, NULL);
    /* every worker is gone: what is left between head and tail was never committed */
    for (; p->head < p->tail; p->head++)
        if (p->ops.discard) p->ops.discard(p->ops.ctx, item_at(p, p->head));
    if (p->ops.release)
        for (size_t i = 0; i < p->n_slots; i++) p->ops.release(p->ops.ctx, p->items + i * p->stride);
    free(p->items);
    free(p->done);
    free(p->weight);
    free(p->workers);
    pthread_cond_destroy(&p->queued);
    pthread_cond_destroy(&p->finished);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
