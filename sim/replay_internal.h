/* replay_internal.h - what the files of the replay share (sim/REPLAY.md, "Where the code is"):
 * one policy's replay state, grouped by concern, and the functions each file lends the others.
 * Not for use outside sim/replay*.c.
 * Ownership: replay_state_init() allocates a state that replay_state_free() frees; the state
 * borrows the history, the policy, the options and the shared tables (blobs, times). */
#ifndef PURGESIM_REPLAY_INTERNAL_H
#define PURGESIM_REPLAY_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "policy.h"
#include "purge.h"
#include "replay.h"

#define NEVER INT64_MAX

/* A helper that only prefetches is inlined without fail: GCC finds that such a function
 * changes nothing (a prefetch does not count as an effect) and drops any call to it that it
 * has not inlined first, prefetches and all. */
#define PREFETCH_HELPER static inline __attribute__((always_inline))

/* ---- shared by every policy, built once (replay_blobs.c, replay_skip.c) -------------------- */

/* What the replay reads of one manifest id, in one record (half a cache line). */
struct replay_id {
    uint32_t start;            /* its shared layers are layer[start .. start + n_shared) */
    uint32_t repo;
    uint32_t n_shared;
    uint32_t unused;
    uint64_t size;             /* imageSize */
    uint64_t own_bytes;        /* the bytes of its layers no other manifest id has */
};

/* What the replay's tag events read of a tag instance, in 8 bytes. */
struct replay_inst {
    uint32_t id;               /* its manifest's id */
    uint32_t repo;
};

/* The blobs as the replay counts them, shared by every policy. Most blobs belong to one
 * manifest id alone (an image's own layers): their bytes are stored exactly while that
 * manifest is, so they are summed per manifest (replay_id.own_bytes) and never counted one by
 * one. Only the blobs more than one manifest has (base layers, and a layer listed twice) are
 * counted per policy: numbered 0 .. n_shared in the order the history first pushes them, with
 * each manifest's shared layers by those numbers in one array. Pushes come in time order, so
 * the counters they touch are neighbours (a cache line holds several) rather than spread over
 * every blob of the registry. */
struct replay_blobs {
    struct replay_id *ids;     /* per manifest id */
    uint32_t *layer;           /* the manifests' shared layers, in the order they are pushed */
    uint64_t *size;            /* per shared blob */
    size_t n_shared;           /* shared blobs */
    uint8_t *facts;            /* per manifest id: REPLAY_* below, read by retention on every
                                  untag (a byte array stays in cache; the manifests do not) */
    uint8_t *brief;            /* per manifest id: purge_manifest_brief(), for the engine */
    uint32_t *child_start, *child;     /* per manifest id: its children's indexes in its
                                  repository, child[child_start[id] .. child_start[id + 1]),
                                  packed in id order for the engine (purge_view.child) */
    uint32_t *subject;         /* per manifest id: its subject's index in its repository
                                  (MODEL_NO_MANIFEST: none), for the engine's cascade, which
                                  reads it for every referrer of a repository it deletes in */
    struct purge_upd_pair *upd;        /* per manifest id: its natural lastUpdateTime over
                                  time, without several snapshots' values: the model's value
                                  from that instant on, the push's before (the model's value
                                  throughout when unreadable). The engine reads it for every
                                  present manifest of a visited repository: one record, where
                                  the manifest's record is two cache lines away */
    uint8_t *repo_name_printable;      /* per repository: purge_name_printable(), for the
                                          engine (a run otherwise reads every name again) */
    struct replay_inst *inst;  /* per tag instance: what a tag event reads of it (the history's
                                  record is ten times the size: a cache miss of its own) */
};

#define REPLAY_NO_TIMER 1u     /* an index child or a referrer: goes with its parent or subject */
#define REPLAY_DELETE_ENABLED 2u   /* the model's deleteEnabled */
/* The brief's bits of a lastUpdateTime that is missing or unreadable. */
#define REPLAY_UPD_UNREADABLE (PURGE_BRIEF_UPD_MISSING | PURGE_BRIEF_UPD_BAD)

/* A manifest's natural lastUpdateTime at t by history_manifest_updated_at()'s rule, read from
 * the replay's dense per-id copies instead of the manifest's record. */
static inline int64_t replay_natural_updated_at(const struct history *h, const struct replay_blobs *rb, size_t id,
                                                int64_t t)
{
    if (!(rb->brief[id] & REPLAY_UPD_UNREADABLE) && h->upd_start && h->upd_start[id + 1] > h->upd_start[id])
        return history_updated_list_at(h, id, t);
    return purge_upd_pair_at(&rb->upd[id], t);
}

/* A time at which something changed in a repository (replay_skip.c). */
struct time_repo {
    int64_t t;
    uint32_t repo;
};

/* Times of the whole registry, each with its repository, bucketed by time (an hour, or
 * wider when the times span far more hours than there are times): a run finds the
 * repositories where a cutoff crossed something without visiting the others. */
struct time_index {
    struct time_repo *v;       /* bucket by bucket, in no order within one */
    size_t n;
    size_t *start;             /* bucket b is v[start[b] .. start[b + 1]) */
    size_t n_buckets;
    int64_t origin;            /* where bucket 0 starts */
    uint64_t width;            /* of a bucket, in ns */
};

/* The two indexes a run reads: every time an age comparison can flip on (ages), and every
 * time a manifest's natural lastUpdateTime or locks change (updates). */
struct replay_times {
    struct time_index ages, updates;
};

/* ---- one policy's state ----------------------------------------------------------------- */

/* A policy's state of one manifest id that nearly every event reads or writes (whether it is
 * present among them), in one place: separate arrays would cost a cache miss each, and what is
 * read only after a deletion (struct overlay: gone_at, upd_override, soft_gen) is kept apart,
 * so that this stays 8 bytes and the whole array of a million manifests mostly stays in
 * cache. */
struct id_state {
    uint32_t gen;              /* retention timer generation */
    uint32_t tags_on : 24;     /* live tags (16 million on one manifest is not a registry) */
    uint32_t gone : 1;         /* deleted by this policy */
    uint32_t soft_pending : 1; /* deleted under soft delete, not yet swept */
    uint32_t in_list : 1;      /* in its repository's present list (present or not) */
    uint32_t present : 1;      /* in the policy's registry now */
};

/* The policy's registry (the overlay): which manifests are present and which tags are live,
 * with per-repository lists so a run costs what is there rather than all ever pushed. */
struct overlay {
    struct id_state *st;       /* per manifest id */
    int64_t *gone_at;          /* per manifest id: when this policy last deleted it (for
                                  revival by a later push, and pulls) */
    int64_t *upd_override;     /* per manifest id: lastUpdateTime set by the replay (revival,
                                  option), or NEVER */
    uint32_t *soft_gen;        /* per manifest id: which soft deletion the bin's entry is for
                                  (NULL without soft delete) */
    uint32_t **repo_pres;      /* per repository: indexes of its present manifests and of some
                                  that have gone since (dropped when a run next lists it) */
    size_t *repo_n_pres, *repo_cap_pres;
    uint32_t *inst_pos;        /* per tag instance: its position in its repository's live
                                  list, INST_NOT_LIVE when it is not live (one word: every tag
                                  event reads whether it is live and then its position) */
    int64_t *inst_gone_at;     /* per tag instance: when it last left this policy's registry
                                  (only with pulls to check) */
    uint32_t **repo_live;      /* per repository: live tag instance ids */
    size_t *repo_n_live, *repo_cap_live;
    uint32_t *repo_tagged;     /* per repository: present manifests with a live tag (versions) */
    uint8_t *repo_overridden;  /* per repository: some manifest's lastUpdateTime was set by the
                                  replay (a revival), so its age thresholds are not the history's */
};

#define INST_NOT_LIVE UINT32_MAX

static inline bool replay_inst_live(const struct overlay *reg, size_t inst)
{
    return reg->inst_pos[inst] != INST_NOT_LIVE;
}

/* What the policy's registry stores and bills, kept up to date by every change. */
struct storage {
    uint32_t *blob_live;       /* per shared blob: present manifests that have it */
    uint32_t *blob_billed;     /* ... and soft-deleted ones not yet swept (NULL without soft
                                  delete: billed blobs are the live ones) */
    uint64_t stored, stored_dedup;     /* imageSize sum, and unique blobs, of what is present */
    uint64_t soft;             /* imageSize of what is soft-deleted, not yet swept */
    uint64_t billed_dedup;     /* unique blobs of what is present or soft-deleted */
    uint64_t *repo;            /* per repository: imageSize bytes present */
};

/* Retention timers in expiry order (replay_overlay.c): a policy's timers are set at
 * nondecreasing times with one delay, so they come due in the order they were set; a queue
 * (v[head .. n)) holds them, and timers due at one instant are taken in manifest order. */
struct timer {
    int64_t t_ns;
    uint32_t id, gen;
};

struct timer_queue {
    struct timer *v;
    size_t head, n, cap;
};

/* The soft-delete bin: deletions in time order, so sweep dates are in order too. */
struct soft_entry {
    int64_t sweep_ns;
    uint32_t id, gen;
};

struct soft_bin {
    struct soft_entry *v;
    size_t head, n, cap;       /* v[head .. n) are not swept yet */
};

/* The policy's tasks: when each fires next, and which repositories its filters select. */
struct task_state {
    int64_t *next;             /* next firing per task */
    uint32_t **repos;          /* per task: the repositories its filters select, in index order */
    size_t *n_repos;
    uint8_t **sel;             /* per task, per repository: its filters select it */
};

/* What one task remembers of its last run on one repository, to skip runs that cannot
 * select anything new (see replay_skip.c). */
struct task_repo_memo {
    uint64_t changes;
    int64_t cutoff_ns, t_ns;
    bool ran, failed;
};

/* The run-skipping speed-up's state (replay_skip.c): what changed where since each task's
 * last run, and what each task saw then. */
struct skip_state {
    const struct replay_times *times;  /* shared */
    uint64_t *repo_changes;    /* per repository: bumped on every change of its state */
    uint32_t *change_log;      /* repositories in the order they changed: a repository again
                                  only once some task's run has read its last entry */
    size_t n_log, cap_log;
    size_t *logged;            /* per repository: 1 + the index of its last entry, or 0 */
    size_t log_read;           /* entries before this some task's run has read */
    size_t *log_cursor;        /* per task: change_log entries already seen by its runs */
    struct task_repo_memo **memo;      /* per task, per repository */
    bool *ran;                 /* per task: it has run once */
    int64_t *cutoff, *t;       /* per task: its last run's cutoff and instant */
    uint32_t *mark;            /* per repository: the run (stamp) that last listed it */
    uint32_t *time_mark;       /* per repository: the run (stamp) whose scan of the indexes
                                  found it had a time in range */
    uint32_t stamp;
    uint32_t *cand_repos;      /* the current run's candidates */
    size_t cap_cand;
};

/* One run's working memory, grown as needed and kept from run to run. */
struct run_scratch {
    struct purge_scratch scratch;      /* the engine's */
    struct purge_view *views;
    uint32_t *view_repo;       /* per view: its repository */
    size_t *view_tag_off;      /* per view: where its tags start in tag_buf */
    size_t cap_views, cap_view_repo, cap_view_off;
    struct tag *tag_buf;
    uint32_t *tag_inst;        /* per tag of tag_buf: its tag instance */
    size_t cap_tag_buf, cap_tag_inst;
    int64_t *upd_now;          /* per id: lastUpdateTime at the current run (present ones) */
    uint8_t *locks_now;        /* per id: locks at the current run (purge_view.locks), when
                                  the history's manifest locks change; else NULL */
    uint32_t *merge_buf;       /* a present list being merged with its new entries */
    size_t cap_merge;
    uint32_t *tagged_before;   /* per view of the current run: repo_tagged before it */
    size_t cap_tagged_before;
    size_t deletions;          /* deletions recorded so far (a run's are the difference) */
};

/* The large per-id arrays of a policy's state are taken from, and given back to, one pool
 * shared by the replay's threads: the next policy reuses memory a finished one had already
 * faulted in, where new memory would cost a page fault and the kernel's zeroing of each page
 * (on the 1M bundle about 40 MB per policy, and tune replays hundreds of candidates). Memory
 * stays bounded: the pool holds at most what the states running at once took. */
struct pooled_block {
    void *p;
    size_t bytes;
};

struct block_pool {
    pthread_mutex_t lock;
    struct pooled_block *v;    /* free blocks */
    size_t n, cap;
};

#define STATE_MAX_BLOCKS 16

struct pstate {
    /* borrowed */
    const struct history *h;
    const struct model *m;
    const struct policy *p;
    const struct replay_opts *o;
    const struct replay_blobs *rb;
    struct replay_shared *shared;          /* the pool that built rb and the time indexes */
    bool times_ready;                      /* the time indexes are built (see replay_wait_times) */
    struct replay_policy *out;             /* written: this policy's result */
    /* the clock */
    int64_t first_day_ns;
    size_t n_days;
    uint64_t total_policy_days;            /* for progress */
    struct replay_day cur;                 /* counters of the day being played */
    size_t pull_next;                      /* the next pull to check */
    bool storage_only;                     /* it never deletes and checks no pulls (the
                                              baseline): tags cannot change what it holds */
    /* by concern */
    struct overlay reg;
    struct storage bytes;
    struct timer_queue timers;             /* retention */
    struct soft_bin bin;                   /* soft delete */
    struct task_state tasks;
    struct skip_state skip;
    struct run_scratch run;
    /* the blocks taken from the pool (or allocated, without one), given back at the end */
    struct block_pool *pool;
    struct pooled_block held[STATE_MAX_BLOCKS];
    size_t n_held;
};

/* Adds (delta > 0) or takes away one manifest's blobs from per-blob reference counts, keeping
 * *total the bytes of the blobs counted at least once: its own blobs at once, its shared ones
 * by their counts. refs NULL: nothing to count. Inline: every push, deletion and revival goes
 * through here. */
static inline void replay_blobs_count(const struct replay_blobs *rb, size_t id, uint32_t *refs,
                                      uint64_t *total, int delta)
{
    if (!refs) return;
    if (delta > 0) *total += rb->ids[id].own_bytes;
    else *total -= rb->ids[id].own_bytes;
    for (uint32_t k = rb->ids[id].start, end = k + rb->ids[id].n_shared; k < end; k++) {
        uint32_t b = rb->layer[k];
        if (delta > 0) {
            if (refs[b]++ == 0) *total += rb->size[b];
        } else {
            if (--refs[b] == 0) *total -= rb->size[b];
        }
    }
}

/* ---- replay.c ------------------------------------------------------------------------------ */

/* Waits until the shared time indexes (s->skip.times) are built: the replay starts
 * each policy before they are, and a run is the first to read them. */
void replay_wait_times(struct pstate *s);

/* ---- replay_state.c: a policy's state from start to end ---------------------------------- */

/* pool may be NULL: the state allocates its own blocks and frees them. */
void replay_state_init(struct pstate *s, const struct history *h, const struct policy *p,
                       const struct replay_opts *o, struct replay_policy *out, const struct replay_result *rr,
                       struct block_pool *pool);
/* The per-blob counters, once the shared blob table (s->rb) is there. */
void replay_state_blobs(struct pstate *s);
void replay_state_free(struct pstate *s);
void block_pool_init(struct block_pool *bp);
void block_pool_free(struct block_pool *bp);
/* The task's first firing after `after` (NEVER: none). */
int64_t replay_next_firing(const struct policy_task *pt, int64_t after);

/* ---- replay_overlay.c: how events change the policy's registry ----------------------------- */

/* Plays the natural events at instant t, from h->ev[*ei] on; advances *ei past them. */
void replay_play_natural(struct pstate *s, size_t *ei, int64_t t);
/* Deletes what retention timers due at t find still present and untagged, with referrers. */
void replay_expire_retention(struct pstate *s, int64_t t);
/* Stops billing soft-deleted manifests whose sweep is due at or before t. */
void replay_sweep(struct pstate *s, int64_t t);
/* A run deleted this live tag instance at t (records it). */
void replay_delete_tag(struct pstate *s, size_t inst, int64_t t);
/* A run, or the registry's cascade, deleted this manifest at t (records it; no-op if absent). */
void replay_delete_manifest(struct pstate *s, size_t id, int64_t t, enum replay_del_kind kind);

/* ---- replay_skip.c: the run-skipping speed-up --------------------------------------------- */

/* Builds one time index (with `ages` the thresholds, else the updates) from the history and
 * the blob table's dense per-id facts (replay_blobs_build_ids() first). Freed by
 * replay_times_free(). */
void replay_times_build(const struct history *h, const struct replay_blobs *rb, bool ages, struct time_index *ix);
void replay_times_free(struct time_index *ix);
/* The entries of ix that may lie in [lo, hi] (those of the buckets the range touches) are
 * ix->v[*from .. *to); the caller keeps those in range. */
void replay_times_range(const struct time_index *ix, int64_t lo, int64_t hi, size_t *from, size_t *to);

/* Which repositories task's run at t (with this cutoff) must visit, into s->run.view_repo in
 * index order; returns how many and sets *n_tags to their live tags. */
size_t replay_skip_select(struct pstate *s, size_t task, int64_t t, int64_t cutoff, size_t *n_tags);
/* Remembers the run just applied on the nv repositories of s->run.view_repo. */
void replay_skip_remember(struct pstate *s, size_t task, size_t nv, int64_t t, int64_t cutoff, bool failed);

/* ---- replay_blobs.c: blob numbering and per-repository blobs ----------------------------- */

/* The blob table is built in two halves that may run at once on two threads: the ids' own
 * facts (repository, size, the engine's brief, the tag instances) and the blob numbering with
 * the layer lists. Each writes fields of rb->ids the other does not; alloc comes first. */
void replay_blobs_alloc(const struct history *h, struct replay_blobs *rb);
void replay_blobs_build_ids(const struct history *h, struct replay_blobs *rb);
void replay_blobs_build_layers(const struct history *h, struct replay_blobs *rb);
void replay_blobs_free(struct replay_blobs *rb);

#endif
