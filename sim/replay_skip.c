/* replay_skip.c - the run-skipping speed-up: a scheduled run visits only the repositories
 * where it can select something its task's last run there did not, and the time indexes that
 * tell which (sim/REPLAY.md, "Where the code is"). The replay's rules do not depend on it:
 * PURGESIM_PLAIN_REPLAY=1 (replay_opts.plain) visits every selected repository at every firing,
 * and tests/test-differential.sh checks that both give the same bytes.
 *
 * Why skipping is exact: a run's selection in one repository depends only on the repository's
 * state (its present manifests and live tags, each manifest's lastUpdateTime) and on which of
 * its times are older than the cutoff (purge_tag_old_enough, purge_manifest_old_enough). The
 * state changes only through the overlay, which bumps the repository's change count; the
 * comparisons can flip only for a time lying between the last run's cutoff and this one's; a
 * natural lastUpdateTime changes only at a snapshot's lastUpdateTime. When none of that
 * happened since the task's last run there, which applied its own deletions, this run would
 * select nothing. */
#include "replay_internal.h"
#include "snapshot.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "radix.h"
#include "timeu.h"

/* ---- the time indexes (shared by every policy, built once) --------------------------------- */

/* With several snapshots, the times a manifest's own facts change while it stays: its other
 * lastUpdateTime values and the exportedAt its locks change at. */
static size_t changes_of(const struct history *h, size_t id, int64_t *out)
{
    size_t n = 0;
    if (h->upd_start)
        for (uint32_t k = h->upd_start[id]; k < h->upd_start[id + 1] && n < SNAPSHOT_MAX; k++) out[n++] = h->upd_vals[k];
    if (h->mlock_since_ns && h->mlock_since_ns[id] != INT64_MIN) out[n++] = h->mlock_since_ns[id];
    return n;
}

/* Whether manifest id's lastUpdateTime in the model is a time of its own in the index: with
 * `ages`, unless it is the push's time (already there); without, only when the natural value
 * changes then (it is later than the push: before it, the natural value is the push's time),
 * and always when the manifest has several values (several snapshots). Read from the blob
 * table's dense copies: the manifest's record is a cache miss of its own. */
static bool upd_time_counts(const struct history *h, const struct replay_blobs *rb, size_t id, bool ages)
{
    if (rb->brief[id] & REPLAY_UPD_UNREADABLE) return false;
    if (h->upd_start && h->upd_start[id + 1] > h->upd_start[id]) return true;
    return ages ? rb->upd[id].later != h->push_ns[id] : rb->upd[id].later > h->push_ns[id];
}

/* Whether a tag instance's lastUpdateTime is a time of its own in the ages index: not when it
 * is its manifest's push time (every assumed tag's), which is there already. */
static bool tag_time_counts(const struct history *h, const struct replay_blobs *rb, size_t i)
{
    const struct tag_instance *ti = &h->inst[i];
    return ti->updated_state == TIME_OK && ti->updated_ns != h->push_ns[rb->inst[i].id];
}

/* Which bucket time t falls in: those before the first go in the first, those after the last
 * in the last (a range query keeps only the times in range anyway). */
static size_t bucket_of(const struct time_index *ix, int64_t t)
{
    if (t <= ix->origin) return 0;
    uint64_t b = ((uint64_t)t - (uint64_t)ix->origin) / ix->width;
    return b < ix->n_buckets ? (size_t)b : ix->n_buckets - 1;
}

/* One time of the index: counted in its bucket (while v is NULL), or put in its place. */
static inline void put_time(struct time_index *ix, int64_t t, uint32_t repo)
{
    size_t b = bucket_of(ix, t);
    if (!ix->v) ix->start[b + 2]++;
    else ix->v[ix->start[b + 1]++] = (struct time_repo){t, repo};
}

/* Every (time, repository) of the index: with `ages`, every time an age comparison can flip
 * (pushes, lastUpdateTimes, tag times: the thresholds); without, the times a manifest's
 * natural lastUpdateTime or locks change (the updates). */
static void put_times(const struct history *h, const struct replay_blobs *rb, bool ages, struct time_index *ix)
{
    for (size_t id = 0; id < h->n_ids; id++) {
        uint32_t r = h->id_repo[id];
        if (ages) put_time(ix, h->push_ns[id], r);
        if (upd_time_counts(h, rb, id, ages)) put_time(ix, rb->upd[id].later, r);
        if (h->upd_start || h->mlock_since_ns) {
            int64_t more[SNAPSHOT_MAX + 1];
            for (size_t k = 0, n = changes_of(h, id, more); k < n; k++) put_time(ix, more[k], r);
        }
    }
    for (size_t i = 0; i < h->n_inst; i++) {
        if (ages && tag_time_counts(h, rb, i)) put_time(ix, h->inst[i].updated_ns, rb->inst[i].repo);
        if (h->inst[i].locks_changed) put_time(ix, h->inst[i].locks_since_ns, rb->inst[i].repo);
    }
}

/* A bucket of the time indexes: an hour, so that an hourly run reads about an hour's times
 * (with day buckets, the scans of a year of hourly runs were 2.6% of its samples) and a
 * nightly one a day's. */
#define BUCKET_NS (INT64_C(3600) * TIMEU_NS_PER_SEC)

/* Builds the index: the times bucketed by the hour over the history (wider buckets when it
 * spans far more hours than there can be times; times outside it go in the first or last
 * bucket), by a counting pass and a placing pass, not sorted within a bucket. A run asks
 * which repositories have a time in a range of an hour, a day or a week: it reads the range's
 * buckets whole and keeps the times inside it, so a sort would buy nothing. Only the index
 * itself is new memory, which on these machines costs more than the passes. */
void replay_times_build(const struct history *h, const struct replay_blobs *rb, bool ages, struct time_index *ix)
{
    memset(ix, 0, sizeof *ix);
    int64_t lo = h->first_push_ns < h->end_ns ? h->first_push_ns : h->end_ns;
    /* buckets start at a UTC midnight: nightly and hourly cutoffs fall on their edges */
    ix->origin = lo >= INT64_MIN + TIMEU_NS_PER_DAY ? lo - (lo % TIMEU_NS_PER_DAY + TIMEU_NS_PER_DAY) % TIMEU_NS_PER_DAY : lo;
    uint64_t span = (uint64_t)h->end_ns - (uint64_t)ix->origin;
    size_t most = (ages ? h->n_ids : 0) + h->n_inst + 1024;
    ix->width = BUCKET_NS;
    if (span / ix->width >= most) ix->width = span / most + 1;
    ix->n_buckets = (size_t)(span / ix->width) + 1;
    ix->start = xcalloc(ix->n_buckets + 2, sizeof *ix->start);
    put_times(h, rb, ages, ix);
    for (size_t b = 2; b <= ix->n_buckets + 1; b++) ix->start[b] += ix->start[b - 1];
    ix->n = ix->start[ix->n_buckets + 1];
    /* start[b + 1] is where bucket b's next time goes; once all are placed, start[b] is where
     * bucket b begins */
    ix->v = xmalloc((ix->n + 1) * sizeof *ix->v);
    put_times(h, rb, ages, ix);
}

void replay_times_free(struct time_index *ix)
{
    free(ix->v);
    free(ix->start);
    memset(ix, 0, sizeof *ix);
}

void replay_times_range(const struct time_index *ix, int64_t lo, int64_t hi, size_t *from, size_t *to)
{
    *from = *to = 0;
    if (!ix->n_buckets || hi < lo) return;
    *from = ix->start[bucket_of(ix, lo)];
    *to = ix->start[bucket_of(ix, hi) + 1];
}

/* ---- which repositories a run visits ----------------------------------------------------- */

/* The range of times between two cutoffs, in either order. */
struct time_range {
    int64_t lo, hi;
};

static struct time_range between(int64_t a, int64_t b)
{
    return a < b ? (struct time_range){a, b} : (struct time_range){b, a};
}

/* A repository whose state has not changed since this task's last run there, and in which no
 * tag or manifest time lies between the two cutoffs, yields exactly what that run yielded on
 * the same state: nothing more, since that run's deletions are applied. Which repositories
 * have a time between the task's last cutoff and this one, or a lastUpdateTime reached since
 * its last run, is what this run's scan of the indexes marked (candidates()). That scan covers
 * the ranges since the task's last run; a repository whose memo is older would need a longer
 * range, so it runs. (An unchanged candidate that is not marked came from the change log: its
 * last change was this task's own last run there, so its memo is that run's. The check keeps
 * the rule exact without leaning on that.) */
static bool repo_needs_run(const struct pstate *s, size_t task, uint32_t r)
{
    const struct task_repo_memo *mm = &s->skip.memo[task][r];
    if (s->o->plain) return true;
    if (!mm->ran || mm->failed || mm->changes != s->skip.repo_changes[r]) return true;
    if (s->o->tag_delete_touches_manifest || s->reg.repo_overridden[r]) return true;
    if (mm->cutoff_ns != s->skip.cutoff[task] || mm->t_ns != s->skip.t[task]) return true;
    return s->skip.time_mark[r] == s->skip.stamp;
}

static void add_candidate(struct pstate *s, size_t task, uint32_t r, size_t *n)
{
    if (!s->tasks.sel[task][r] || s->skip.mark[r] == s->skip.stamp) return;
    s->skip.mark[r] = s->skip.stamp;
    xgrow((void **)&s->skip.cand_repos, &s->skip.cap_cand, *n + 1, sizeof *s->skip.cand_repos);
    s->skip.cand_repos[(*n)++] = r;
}

/* The repositories with a time of ix in [range.lo, range.hi]: candidates, and marked as such. */
static void add_times_in(struct pstate *s, size_t task, const struct time_index *ix, struct time_range range, size_t *n)
{
    size_t from, to;
    replay_times_range(ix, range.lo, range.hi, &from, &to);
    for (size_t k = from; k < to; k++) {
        const struct time_repo *e = &ix->v[k];
        if (e->t < range.lo || e->t > range.hi) continue;
        s->skip.time_mark[e->repo] = s->skip.stamp;
        add_candidate(s, task, e->repo, n);
    }
}

/* A superset of the repositories repo_needs_run() would pick, found from what happened since
 * the task's last run (the change log, the time indexes between the two runs) rather than by
 * asking every repository the task selects; in index order. */
static uint32_t *candidates(struct pstate *s, size_t task, int64_t t, int64_t cutoff, size_t *n_out)
{
    size_t n = 0;
    if (++s->skip.stamp == 0) {   /* the stamp wrapped: forget every mark */
        memset(s->skip.mark, 0, (s->m->n_repos + 1) * sizeof *s->skip.mark);
        memset(s->skip.time_mark, 0, (s->m->n_repos + 1) * sizeof *s->skip.time_mark);
        s->skip.stamp = 1;
    }
    if (!s->skip.ran[task] || s->o->tag_delete_touches_manifest || s->o->plain) {
        for (size_t k = 0; k < s->tasks.n_repos[task]; k++) add_candidate(s, task, s->tasks.repos[task][k], &n);
    } else {
        for (size_t k = s->skip.log_cursor[task]; k < s->skip.n_log; k++) add_candidate(s, task, s->skip.change_log[k], &n);
        add_times_in(s, task, &s->skip.times->ages, between(s->skip.cutoff[task], cutoff), &n);
        add_times_in(s, task, &s->skip.times->updates, (struct time_range){s->skip.t[task], t}, &n);
        for (size_t k = 0; k < s->tasks.n_repos[task]; k++) {
            uint32_t r = s->tasks.repos[task][k];
            if (s->skip.memo[task][r].failed || s->reg.repo_overridden[r]) add_candidate(s, task, r, &n);
        }
    }
    s->skip.log_cursor[task] = s->skip.n_log;
    s->skip.log_read = s->skip.n_log;
    /* the engine wants repositories in name order, which is index order */
    radix_sort_u32(s->skip.cand_repos, n);
    *n_out = n;
    return s->skip.cand_repos;
}

size_t replay_skip_select(struct pstate *s, size_t task, int64_t t, int64_t cutoff, size_t *n_tags)
{
    size_t nv = 0, tags = 0;
    /* which repositories can yield anything: all on the first run; later, those that changed
     * since, or where a tag or manifest time lies between the two cutoffs, or whose
     * lastUpdateTime moved, or that failed (repo_needs_run then decides exactly) */
    size_t n_cand = 0;
    uint32_t *cand = candidates(s, task, t, cutoff, &n_cand);
    for (size_t k = 0; k < n_cand; k++) {
        uint32_t r = cand[k];
        if (!repo_needs_run(s, task, r)) continue;
        xgrow((void **)&s->run.view_repo, &s->run.cap_view_repo, nv + 1, sizeof *s->run.view_repo);
        s->run.view_repo[nv++] = r;
        tags += s->reg.repo_n_live[r];
    }
    s->skip.ran[task] = true;
    s->skip.cutoff[task] = cutoff;
    s->skip.t[task] = t;
    *n_tags = tags;
    return nv;
}

void replay_skip_remember(struct pstate *s, size_t task, size_t nv, int64_t t, int64_t cutoff, bool failed)
{
    for (size_t v = 0; v < nv; v++) {
        struct task_repo_memo *mm = &s->skip.memo[task][s->run.view_repo[v]];
        mm->ran = true;
        mm->failed = false;
        mm->cutoff_ns = cutoff;
        mm->t_ns = t;
    }
    /* a failed run stopped somewhere: what it did not reach must run next time */
    if (failed) {
        for (size_t v = 0; v < nv; v++) s->skip.memo[task][s->run.view_repo[v]].failed = true;
    }
    /* the memo must see the state after this run's own deletions */
    for (size_t v = 0; v < nv; v++) {
        uint32_t r = s->run.view_repo[v];
        s->skip.memo[task][r].changes = s->skip.repo_changes[r];
    }
}
