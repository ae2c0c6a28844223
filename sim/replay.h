/* replay.h - replays policies over the natural history: a clock over the window, each policy's
 * purge runs on their cron schedules (UTC), retention timers and soft-delete sweeps, recording
 * what is stored and deleted each day (sim/REPLAY.md). Each policy has its own overlay of
 * deletions on the shared history; policies run in parallel threads, deterministically.
 * Ownership: replay_run() fills a result freed by replay_result_free(); it borrows the history
 * and policies, which must outlive it. */
#ifndef PURGESIM_REPLAY_H
#define PURGESIM_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "policy.h"

struct event_log;    /* events.h */

/* A successful pull of the event log, resolved against the natural history (pulls.h). */
struct replay_pull {
    int64_t t_ns;
    uint32_t event;                  /* its row in the log (log->ev) */
    uint32_t target;                 /* tag instance id (by_tag) or manifest id */
    bool by_tag;
};

struct pull_index {
    const struct event_log *log;
    struct replay_pull *p;           /* by time (the log's order at one instant) */
    size_t n;
    size_t pulls;                    /* successful pulls in the window */
    size_t unresolved;               /* ... whose reference the history does not hold then */
};

struct replay_opts {
    int64_t from_ns, to_ns;          /* the window; runs fire within [from, to] */
    bool tag_delete_touches_manifest;/* a purged tag sets its manifest's lastUpdateTime (option) */
    int64_t acct_from_ns, acct_to_ns;/* days whose per-repository byte-days are summed (a
                                        report's month); both 0 = the whole window */
    int jobs;                        /* threads (policies run in parallel) */
    const struct pull_index *pulls;  /* NULL, or the log's pulls: which ones each policy breaks */
    int64_t days_from_ns;            /* a midnight after from_ns: the first day recorded (what
                                        happens before it counts in it); 0: from_ns's day */
    const struct replay_keep *keep;  /* NULL: every deletion goes into replay_policy.del; else
                                        only the marked ones (nothing reads the rest) */
    bool plain;                      /* run every selected repository at every firing: no run
                                        skipping (the reference the differential test compares
                                        the fast replay with; PURGESIM_PLAIN_REPLAY=1) */
};

/* Which deletions a replay keeps in replay_policy.del when only some are read: those of marked
 * manifest ids and tag instances (arrays of h->n_ids and h->n_inst flags). tune, and a
 * simulate whose output lists no deletions, keep the in-use images' only: memory holds a state
 * per policy, not a list per deletion, and the replay skips writing a million records nobody
 * reads. The counts (tags_deleted, ...) and the days count every deletion either way, and every
 * count a report prints comes from those, so it cannot depend on what was kept. */
struct replay_keep {
    const uint8_t *ids;              /* NULL (and inst NULL): keep none (a read of a flag per
                                        deletion is a cache miss of its own) */
    const uint8_t *inst;
};

/* A pull that would have failed under a policy: the reference was in the natural registry
 * then, not in the policy's. */
struct replay_broken {
    uint32_t pull;                   /* index in the pull index */
    int64_t deleted_at;              /* when the policy deleted the tag or the manifest */
};

struct replay_day {
    int64_t day_ns;                  /* midnight UTC starting the day */
    uint64_t stored_bytes;           /* sum of imageSize of manifests present at the day's end */
    uint64_t stored_bytes_dedup;     /* unique blobs of those manifests */
    uint64_t soft_deleted_bytes;     /* imageSize of soft-deleted manifests not yet swept */
    uint64_t soft_deleted_bytes_dedup;   /* blobs kept billed only by soft-deleted manifests */
    uint32_t tags_deleted, manifests_deleted, cascade_deleted;
    uint32_t retention_deleted;      /* of manifests_deleted, those the retention policy deleted */
};

enum replay_del_kind { RDEL_TAG = 0, RDEL_MANIFEST, RDEL_CASCADE, RDEL_RETENTION };

struct replay_deletion {
    int64_t t_ns;
    uint32_t repo;
    uint32_t item;                   /* tag instance id (RDEL_TAG) or manifest index in the repo */
    uint8_t kind;                    /* enum replay_del_kind */
};

struct replay_failure {
    int64_t t_ns;
    size_t task;
    char error[1024];
};

#define REPLAY_NO_DEPTH SIZE_MAX

struct replay_policy {
    const struct policy *p;
    struct replay_day *days;
    struct replay_deletion *del;
    size_t n_del, cap_del;
    struct replay_failure *fail;
    size_t n_fail, cap_fail;
    struct replay_broken *broken;    /* in pull order (with opts.pulls) */
    size_t n_broken, cap_broken;
    uint64_t *repo_end_bytes;        /* per repository: imageSize sum at the window's end */
    double *repo_byte_days;          /* per repository: sum over the accounted days of the
                                        imageSize bytes it held at each day's end */
    size_t acct_days;                /* how many days were accounted */
    size_t runs;
    size_t tags_deleted, manifests_deleted, cascade_deleted;
    size_t max_run_deletions;        /* the most one firing of one task deleted (tags, manifests
                                        and cascades, over every repository it ran on) */
    size_t rollback_depth;           /* the fewest tagged manifests a repository held right after
                                        a run that deleted one of its tags (REPLAY_NO_DEPTH: no
                                        run ever deleted a tag) */
    int64_t rollback_at;             /* when that was first reached, and where */
    uint32_t rollback_repo;
    double cpu_seconds;              /* this policy's replay, on its thread (for make bench) */
};

struct replay_result {
    const struct history *h;
    int64_t from_ns, to_ns;
    int64_t first_day_ns;
    size_t n_days;
    int64_t acct_from_ns, acct_to_ns;   /* as in the options */
    bool dedup_known;
    double setup_seconds;            /* building what every policy's replay shares */
    struct replay_policy *pol;
    size_t n_pol;
};

/* Whether the day starting at day_ns is accounted: in [acct_from, acct_to), or any day when
 * both are 0 (no month asked for). The one test the replay, the cost and the series share. */
static inline bool replay_day_accounted(int64_t acct_from_ns, int64_t acct_to_ns, int64_t day_ns)
{
    return (acct_from_ns == 0 && acct_to_ns == 0) || (day_ns >= acct_from_ns && day_ns < acct_to_ns);
}

/* Replays every policy of ps. Returns PS_OK. */
int replay_run(const struct history *h, const struct policy_set *ps, const struct replay_opts *o,
               struct replay_result *out);
void replay_result_free(struct replay_result *r);

#endif
