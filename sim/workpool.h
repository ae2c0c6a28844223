/* workpool.h - an ordered worker pool: the calling thread fills work items one after another,
 * worker threads process them in whatever order they finish, and the calling thread commits
 * the results in the order the items were submitted. So a reader can parse on several threads
 * and still record messages, number things and stop exactly where reading one item after
 * another would have.
 *
 * The pool knows nothing of what an item is: it holds `slots` items of `item_size` bytes
 * (zeroed at the start) and hands them out in turn; what is in them is the callbacks' business.
 * A slot is reused for a later item as it is, so an item may keep buffers from one use to the
 * next (and `release` frees them at the end).
 *
 * Threading and ownership: the pool is driven from one thread, the one that calls
 * workpool_start(). A slot belongs to that thread from workpool_slot() to workpool_submit(),
 * then to one worker while `work` runs (on the worker's thread, with the lock not held), then to
 * the calling thread again for `commit` or `discard` and from then on until it is handed out
 * again. Callbacks other than `work` and `worker_exit` run on the calling thread. `work` must
 * not touch what `commit` changes, except through its own item.
 *
 * Memory stays bounded: at most `slots` items are in flight, and while the submitted items'
 * weights (the caller's measure, such as bytes of text) add up to `max_weight` or more no
 * further slot is handed out until commits bring it below; one item of any weight is always
 * let through, so a heavy item cannot block the pool.
 *
 * Stopping: when `commit` returns false the pool stops. Items submitted after that one are not
 * worked on if a worker has not started them, and are given to `discard` instead of `commit`;
 * workpool_slot() then returns NULL and workpool_drain() false. */
#ifndef PURGESIM_WORKPOOL_H
#define PURGESIM_WORKPOOL_H

#include <stdbool.h>
#include <stddef.h>

struct workpool_ops {
    void *ctx;                 /* passed to every callback */
    size_t item_size;          /* bytes of one slot */
    /* On worker `worker` (0 to threads-1, so per-worker state can be an array): processes the
     * item. With no worker threads it runs on the calling thread as worker 0, in submit. */
    void (*work)(void *ctx, unsigned worker, void *item);
    /* In submission order: takes the item's result. Returns false to stop the pool. */
    bool (*commit)(void *ctx, void *item);
    /* Instead of commit, for an item that will not be committed (after a stop, or at
     * workpool_free before a drain); `work` may or may not have run on it. NULL: nothing. */
    void (*discard)(void *ctx, void *item);
    /* Optional: on each worker thread just before it ends (thread-local state to free). */
    void (*worker_exit)(void *ctx, unsigned worker);
    /* Optional: in workpool_free, once for every slot, to free what slots keep between items. */
    void (*release)(void *ctx, void *item);
};

struct workpool;

/* Starts up to `threads` worker threads (fewer when the system refuses more; with none, work
 * runs on the calling thread). slots is at least 1; max_weight 0 means no weight limit. The
 * ops are copied. */
struct workpool *workpool_start(const struct workpool_ops *ops, unsigned threads, size_t slots,
                                size_t max_weight);
/* Worker threads actually running. */
unsigned workpool_threads(const struct workpool *p);
/* The next slot to fill, once there is room (committing finished items while it waits); the
 * same slot again until it is submitted. NULL when the pool has stopped. */
void *workpool_slot(struct workpool *p);
/* Queues the slot last given by workpool_slot() with its weight. */
void workpool_submit(struct workpool *p, size_t weight);
/* Waits for every submitted item and commits them. Returns false when the pool has stopped
 * (now or before). Afterwards the calling thread may do work of its own in order. */
bool workpool_drain(struct workpool *p);
/* Stops the workers (after the item each is on), discards what was submitted and not
 * committed, releases every slot and frees the pool. NULL is fine. */
void workpool_free(struct workpool *p);

#endif
