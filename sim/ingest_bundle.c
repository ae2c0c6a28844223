/* ingest_bundle.c - a bundle's "repositories" array: one repository after another on this
 * thread, or, with several jobs, parsed and built on a workpool and joined in file order.
 *
 * On the pool this thread only copies each repository object's text out of the file
 * (js_copy_span: strings and brackets, no parsing) into a slot; a worker parses and builds it
 * apart from the model (ingest_part_read, into its own shard), and the pool commits the parts
 * in file order on this thread (ingest_part_commit), so messages, blob ids, the model and where
 * reading stops are exactly those of reading one repository after another.
 *
 * Memory stays bounded: at most SLOTS_PER_JOB repositories per worker and about INFLIGHT_BYTES
 * of their text are in flight, and a repository whose text is longer than the span limit is
 * put back into the stream and read on this thread, element by element, after everything
 * before it has been committed. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest_internal.h"
#include "workpool.h"

/* Many slots per worker: commits go in file order, so while one large repository is being
 * read the slots behind it fill with finished small ones, and with only a few slots the other
 * workers would run dry (measured: with 4, workers waited a third of the time). */
#define SLOTS_PER_JOB 32
#define INFLIGHT_BYTES ((size_t)64 << 20)
#define SPAN_LIMIT ((size_t)64 << 20)
/* a slot keeps its text buffer for the next repository unless it grew beyond this */
#define KEEP_BUFFER ((size_t)1 << 20)
#define MAX_JOBS 64

/* Reads repositories[index] on this thread. Returns false when reading must stop there. */
static bool read_one_repo(struct ingest *in, struct jstream *js, size_t index)
{
    struct stage_repo *r = ingest_read_repo_object(in, js, index);
    if (!r) return false;
    /* after any message nothing more joins the model (it is not used), but reading goes on */
    bool ok = in->d->n_total != 0 || ingest_resolve_repo(in, r) == PS_OK;
    stage_repo_free(r);
    return ok;
}

static bool read_one_by_one(struct ingest *in, struct jstream *js)
{
    bool ok = true, done = false;
    for (size_t i = 0; ok && !done; i++) {
        ok = read_one_repo(in, js, i);
        if (ok) js_next_member(js, ']', "repositories", &done);
        if (js->failed) ok = false;
    }
    return ok;
}

/* ---- on a workpool ----------------------------------------------------------------- */

/* A pool slot: one repository's text, and what its worker made of it. */
struct repo_slot {
    struct js_span span;
    size_t index;                 /* repositories[index] */
    struct repo_part part;
};

/* What the pool's callbacks share. Workers only read `in` and `file`, and each touches only
 * its own shard. */
struct bundle_pool {
    struct ingest *in;
    const char *file;
    struct model *shards;         /* one per worker: its arena and (per repository) blob table */
};

static void read_slot(void *ctx, unsigned worker, void *item)
{
    struct bundle_pool *b = ctx;
    struct repo_slot *s = item;
    struct jstream js;
    js_open_mem(&js, s->span.text, s->span.len, b->file, &s->part.walk_d, s->span.line, s->span.col,
                s->span.offset);
    ingest_part_read(b->in, &b->shards[worker], &js, s->index, &s->part);
    js_close(&js);
}

static void trim_slot(struct repo_slot *s)
{
    if (s->span.cap <= KEEP_BUFFER) return;
    free(s->span.text);
    memset(&s->span, 0, sizeof s->span);
}

static bool commit_slot(void *ctx, void *item)
{
    struct bundle_pool *b = ctx;
    struct repo_slot *s = item;
    bool go_on = ingest_part_commit(b->in, &s->part);
    trim_slot(s);
    return go_on;
}

static void discard_slot(void *ctx, void *item)
{
    (void)ctx;
    struct repo_slot *s = item;
    ingest_part_discard(&s->part);
    trim_slot(s);
}

static void release_slot(void *ctx, void *item)
{
    (void)ctx;
    struct repo_slot *s = item;
    ingest_part_discard(&s->part);
    free(s->span.text);
}

static void worker_exit(void *ctx, unsigned worker)
{
    (void)ctx;
    (void)worker;
    js_thread_release();   /* the worker's cJSON node block */
}

/* Reads repositories[index] on this thread, after everything before it has been committed:
 * for what workers must not read (not an object, or longer than the span limit). */
static bool read_here(struct workpool *pool, struct ingest *in, struct jstream *js, size_t index)
{
    if (!workpool_drain(pool)) return false;
    struct diag *reader_d = js->d;
    js->d = in->d;
    bool ok = read_one_repo(in, js, index);
    js->d = reader_d;
    return ok;
}

/* Hands each repository object to the pool, in order, until the array ends or a commit stops
 * reading. */
static bool feed_pool(struct workpool *pool, struct ingest *in, struct jstream *js)
{
    size_t span_limit = in->o.repo_span_limit ? in->o.repo_span_limit : SPAN_LIMIT;
    bool ok = true, done = false;
    for (size_t i = 0; ok && !done; i++) {
        struct repo_slot *s = workpool_slot(pool);
        if (!s) return false;
        if (js_peek(js) != '{') {
            ok = read_here(pool, in, js, i);   /* "expected '{'" in its place */
        } else if (js_copy_span(js, &s->span, span_limit) == JS_SPAN_LIMIT) {
            js_unread(js, &s->span);
            ok = read_here(pool, in, js, i);
        } else {
            /* a span cut short by the end of the file, too: its worker reports where the
             * text went wrong */
            s->index = i;
            workpool_submit(pool, s->span.len);
        }
        if (ok) js_next_member(js, ']', "repositories", &done);
        if (js->failed) ok = false;
    }
    return ok;
}

static bool read_on_pool(struct ingest *in, struct jstream *js, unsigned jobs)
{
    struct bundle_pool b = {in, js->file, xcalloc(jobs, sizeof *b.shards)};
    struct workpool_ops ops = {&b, sizeof(struct repo_slot), read_slot, commit_slot, discard_slot,
                               worker_exit, release_slot};
    struct workpool *pool = workpool_start(&ops, jobs, (size_t)jobs * SLOTS_PER_JOB, INFLIGHT_BYTES);
    /* this thread's own messages (about the array between repositories) come after those
     * of the repositories before them, so they wait until those are committed */
    struct diag reader_d;
    memset(&reader_d, 0, sizeof reader_d);
    struct diag *main_d = js->d;
    js->d = &reader_d;
    bool ok = feed_pool(pool, in, js);
    bool committed = workpool_drain(pool);
    workpool_free(pool);
    js->d = main_d;
    /* the workers' arenas hold the committed repositories */
    for (unsigned i = 0; i < jobs; i++) {
        arena_adopt(&in->m->arena, &b.shards[i].arena);
        free(b.shards[i].blobs);   /* emptied into each part; kept in case a read was skipped */
        free(b.shards[i].blob_slots);
    }
    free(b.shards);
    if (committed) diag_merge(in->d, &reader_d);
    else diag_free(&reader_d);   /* reading stopped at a repository before these */
    return ok && committed;
}

static unsigned job_count(int asked)
{
    if (asked > 0) return (unsigned)asked;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (unsigned)(cores < MAX_JOBS ? cores : MAX_JOBS) : 1;
}

bool ingest_read_repositories(struct ingest *in, struct jstream *js)
{
    unsigned jobs = job_count(in->o.jobs);
    return jobs > 1 ? read_on_pool(in, js, jobs) : read_one_by_one(in, js);
}
