/* ingest_pool.c - reads a bundle's repositories on several threads.
 *
 * Repositories are independent until they join the model, so the reading thread only copies
 * each repository object's text out of the file (js_copy_span: strings and brackets, no
 * parsing) and queues it; workers parse and build repositories on their own (their own cJSON
 * node block, arena and blob table: ingest_part_read). The reading thread commits finished
 * repositories in file order (ingest_part_commit), so messages, blob ids, the model and where
 * reading stops are exactly those of reading one repository after another.
 *
 * Memory stays bounded: at most POOL_SLOTS_PER_JOB repositories per worker and about
 * POOL_INFLIGHT_BYTES of their text are in flight, and a repository whose text is longer
 * than the span limit is put back into the stream and read on this thread, element by
 * element, after everything before it has been committed. */
#include "ingest_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Many slots per worker: commits go in file order, so while one large repository is being
 * read the slots behind it fill with finished small ones, and with only a few slots the other
 * workers would run dry (measured: with 4, workers waited a third of the time). */
#define POOL_SLOTS_PER_JOB 32
#define POOL_INFLIGHT_BYTES ((size_t)64 << 20)
#define POOL_SPAN_LIMIT ((size_t)64 << 20)
/* a slot keeps its text buffer for the next repository unless it grew beyond this */
#define POOL_KEEP_BUFFER ((size_t)1 << 20)

struct slot {
    struct js_span span;
    size_t index;                 /* repositories[index] */
    bool done;                    /* read by its worker (free, queued or being read: see the
                                     ring's counters) */
    struct repo_part part;
};

struct worker {
    struct pool *pool;
    pthread_t thread;
    struct model shard;           /* this worker's arena and (per repository) blob table */
};

struct pool {
    struct ingest *in;
    const char *file;
    pthread_mutex_t mu;
    pthread_cond_t queued, finished;
    struct slot *slots;
    size_t n_slots;
    /* counters that only grow; a slot is slots[counter % n_slots] */
    size_t head;                  /* oldest slot not committed yet */
    size_t next;                  /* next queued slot a worker takes */
    size_t tail;                  /* next slot to fill */
    size_t inflight_bytes;        /* text of the slots between head and tail */
    bool closing;                 /* no more slots will be queued */
    bool stopped;                 /* a commit stopped reading: later slots are dropped */
    struct worker *workers;
    int n_workers;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pool *p = w->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->closing && p->next == p->tail) pthread_cond_wait(&p->queued, &p->mu);
        if (p->next == p->tail) break;   /* closing, and nothing left to read */
        struct slot *s = &p->slots[p->next++ % p->n_slots];
        bool skip = p->stopped;
        pthread_mutex_unlock(&p->mu);
        if (!skip) {
            struct jstream js;
            js_open_mem(&js, s->span.text, s->span.len, p->file, &s->part.walk_d, s->span.line,
                        s->span.col, s->span.offset);
            ingest_part_read(p->in, &w->shard, &js, s->index, &s->part);
            js_close(&js);
        }
        pthread_mutex_lock(&p->mu);
        s->done = true;
        pthread_cond_broadcast(&p->finished);
    }
    pthread_mutex_unlock(&p->mu);
    js_thread_release();
    return NULL;
}

/* Commits the finished slots at the head, in order. Called and returns with p->mu held. */
static void commit_finished(struct pool *p)
{
    while (p->head < p->tail && p->slots[p->head % p->n_slots].done) {
        struct slot *s = &p->slots[p->head % p->n_slots];
        pthread_mutex_unlock(&p->mu);
        /* the worker is done with it: only this thread touches the slot now */
        if (p->stopped) ingest_part_discard(&s->part);
        else if (!ingest_part_commit(p->in, &s->part)) p->stopped = true;
        size_t len = s->span.len;
        if (s->span.cap > POOL_KEEP_BUFFER) {
            free(s->span.text);
            memset(&s->span, 0, sizeof s->span);
        }
        pthread_mutex_lock(&p->mu);
        s->done = false;
        p->inflight_bytes -= len;
        p->head++;
    }
}

/* Waits for a free slot (committing what finished meanwhile). Returns NULL when a commit has
 * stopped reading. */
static struct slot *free_slot(struct pool *p)
{
    pthread_mutex_lock(&p->mu);
    for (;;) {
        commit_finished(p);
        if (p->stopped) break;
        bool room = p->tail - p->head < p->n_slots &&
                    (p->inflight_bytes < POOL_INFLIGHT_BYTES || p->head == p->tail);
        if (room) break;
        pthread_cond_wait(&p->finished, &p->mu);
    }
    struct slot *s = p->stopped ? NULL : &p->slots[p->tail % p->n_slots];
    pthread_mutex_unlock(&p->mu);
    return s;
}

static void queue_slot(struct pool *p, struct slot *s, size_t index)
{
    pthread_mutex_lock(&p->mu);
    s->index = index;
    p->inflight_bytes += s->span.len;
    p->tail++;
    pthread_cond_signal(&p->queued);
    pthread_mutex_unlock(&p->mu);
}

/* Commits everything queued. Returns false when a commit stopped reading. */
static bool drain(struct pool *p)
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

static void pool_start(struct pool *p, struct ingest *in, const char *file, int jobs)
{
    memset(p, 0, sizeof *p);
    p->in = in;
    p->file = file;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->queued, NULL);
    pthread_cond_init(&p->finished, NULL);
    p->n_slots = (size_t)jobs * POOL_SLOTS_PER_JOB;
    p->slots = xcalloc(p->n_slots, sizeof *p->slots);
    p->workers = xcalloc((size_t)jobs, sizeof *p->workers);
    for (int i = 0; i < jobs; i++) {
        p->workers[i].pool = p;
        if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) != 0) break;
        p->n_workers++;
    }
}

/* Stops the workers after they finished everything queued, and hands their arenas (which
 * hold the committed repositories) to the model. */
static void pool_finish(struct pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->closing = true;
    pthread_cond_broadcast(&p->queued);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_workers; i++) {
        struct worker *w = &p->workers[i];
        pthread_join(w->thread, NULL);
        arena_adopt(&p->in->m->arena, &w->shard.arena);
        free(w->shard.blobs);   /* emptied into each part; kept in case a read was skipped */
        free(w->shard.blob_slots);
    }
    for (size_t i = 0; i < p->n_slots; i++) {
        ingest_part_discard(&p->slots[i].part);
        free(p->slots[i].span.text);
    }
    free(p->slots);
    free(p->workers);
    pthread_cond_destroy(&p->queued);
    pthread_cond_destroy(&p->finished);
    pthread_mutex_destroy(&p->mu);
}

/* Reads repositories[index] on this thread, after everything before it has been committed:
 * for what workers must not read (not an object, or longer than the span limit). */
static bool walk_here(struct pool *p, struct jstream *js, size_t index)
{
    if (!drain(p)) return false;
    struct diag *reader_d = js->d;
    js->d = p->in->d;
    bool ok = ingest_walk_repo(p->in, js, index);
    js->d = reader_d;
    return ok;
}

bool ingest_pool_walk(struct ingest *in, struct jstream *js, int jobs, size_t span_limit)
{
    struct pool p;
    pool_start(&p, in, js->file, jobs);
    if (!span_limit) span_limit = POOL_SPAN_LIMIT;
    /* this thread's own messages (about the array between repositories) come after those
     * of the repositories before them, so they wait until those are committed */
    struct diag reader_d;
    memset(&reader_d, 0, sizeof reader_d);
    struct diag *main_d = js->d;
    js->d = &reader_d;
    bool ok = true, done = false;
    for (size_t i = 0; ok && !done; i++) {
        struct slot *s = free_slot(&p);
        if (!s) {
            ok = false;
            break;
        }
        if (p.n_workers == 0 || js_peek(js) != '{') {
            ok = walk_here(&p, js, i);   /* no threads to be had; or "expected '{'" in its place */
        } else if (js_copy_span(js, &s->span, span_limit) == JS_SPAN_LIMIT) {
            js_unread(js, &s->span);
            ok = walk_here(&p, js, i);
        } else {
            queue_slot(&p, s, i);   /* a span cut short by the end of the file, too: its
                                       worker reports where the text went wrong */
        }
        if (ok) js_next_member(js, ']', "repositories", &done);
        if (js->failed) ok = false;
    }
    bool committed = drain(&p);
    pool_finish(&p);
    js->d = main_d;
    if (committed) diag_merge(in->d, &reader_d);
    else diag_free(&reader_d);   /* reading stopped at a repository before these */
    return ok && committed;
}
