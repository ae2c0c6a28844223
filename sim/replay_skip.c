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
    return ages ? rb->upd_ns[id] != h->push_ns[id] : rb->upd_ns[id] > h->push_ns[id];
}

/* Whether a tag instance's lastUpdateTime is a time of its own in the ages index: not when it
 * is its manifest's push time (every assumed tag's), which is there already. */
static bool tag_time_counts(const struct history *h, const struct replay_blobs *rb, size_t i)
{
    const struct tag_instance *ti = &h->inst[i];
    return ti->updated_state == TIME_OK && ti->updated_ns != h->push_ns[rb->inst[i].id];
}

/* Every (time, repository) of the index, in the order the tables hold them: with `ages`, every
 * time an age comparison can flip (pushes, lastUpdateTimes, tag times: the thresholds);
 * without, the times a manifest's natural lastUpdateTime or locks change (the updates).
 * Returns how many. */
static size_t collect_times(const struct history *h, const struct replay_blobs *rb, bool ages, struct time_repo **out)
{
    size_t cap = (ages ? h->n_ids : 0) + h->n_inst + 1024, n = 0;
    struct time_repo *v = xmalloc(cap * sizeof *v);
    for (size_t id = 0; id < h->n_ids; id++) {
        int64_t more[SNAPSHOT_MAX + 3];
        size_t k = 0;
        if (ages) more[k++] = h->push_ns[id];
        if (upd_time_counts(h, rb, id, ages)) more[k++] = rb->upd_ns[id];
        k += changes_of(h, id, more + k);
        if (n + k > cap) xgrow((void **)&v, &cap, n + k, sizeof *v);
        for (size_t j = 0; j < k; j++) v[n++] = (struct time_repo){more[j], rb->ids[id].repo};
    }
    for (size_t i = 0; i < h->n_inst; i++) {
        int64_t more[2];
        size_t k = 0;
        if (ages && tag_time_counts(h, rb, i)) more[k++] = h->inst[i].updated_ns;
        if (h->inst[i].locks_changed) more[k++] = h->inst[i].locks_since_ns;
        if (n + k > cap) xgrow((void **)&v, &cap, n + k, sizeof *v);
        for (size_t j = 0; j < k; j++) v[n++] = (struct time_repo){more[j], rb->inst[i].repo};
    }
    *out = v;
    return n;
}

/* Which bucket time t falls in: those before the first go in the first, those after the last
 * in the last (a range query filters by time anyway). */
static size_t bucket_of(const struct time_index *ix, int64_t t)
{
    if (t <= ix->origin) return 0;
    uint64_t b = ((uint64_t)t - (uint64_t)ix->origin) / ix->width;
    return b < ix->n_buckets ? (size_t)b : ix->n_buckets - 1;
}

/* Builds the index: the times bucketed by UTC day (wider buckets when the times span far more
 * days than there are times), in one counting pass and one scatter, not sorted within a
 * bucket. A run asks which repositories have a time in a range of a day or a week: it reads
 * the range's buckets whole and keeps the times in range, so a full sort would buy nothing. */
void replay_times_build(const struct history *h, const struct replay_blobs *rb, bool ages, struct time_index *ix)
{
    memset(ix, 0, sizeof *ix);
    struct time_repo *all;
    size_t n = collect_times(h, rb, ages, &all);
    ix->n = n;
    if (n == 0) {
        free(all);
        return;
    }
    int64_t lo = all[0].t, hi = all[0].t;
    for (size_t k = 1; k < n; k++) {
        if (all[k].t < lo) lo = all[k].t;
        if (all[k].t > hi) hi = all[k].t;
    }
    /* buckets start at a UTC midnight, where nightly cutoffs fall */
    ix->origin = lo >= INT64_MIN + TIMEU_NS_PER_DAY ? lo - (lo % TIMEU_NS_PER_DAY + TIMEU_NS_PER_DAY) % TIMEU_NS_PER_DAY : lo;
    uint64_t span = (uint64_t)hi - (uint64_t)ix->origin;
    ix->width = TIMEU_NS_PER_DAY;
    if (span / ix->width >= n + 1024) ix->width = span / (n + 1024) + 1;
    ix->n_buckets = (size_t)(span / ix->width) + 1;
    ix->start = xcalloc(ix->n_buckets + 2, sizeof *ix->start);
    for (size_t k = 0; k < n; k++) ix->start[bucket_of(ix, all[k].t) + 2]++;
    for (size_t b = 2; b <= ix->n_buckets + 1; b++) ix->start[b] += ix->start[b - 1];
    /* start[b + 1] is where bucket b's next entry goes; once all are placed, start[b] is where
     * bucket b begins */
    ix->v = xmalloc(n * sizeof *ix->v);
    for (size_t k = 0; k < n; k++) ix->v[ix->start[bucket_of(ix, all[k].t) + 1]++] = all[k];
    free(all);
}

void replay_times_free(struct time_index *ix)
{
    free(ix->v);
    free(ix->start);
    memset(ix, 0, sizeof *ix);
}

/* The entries of ix that may lie in [lo, hi] (those of the buckets the range touches) are
 * v[*from .. *to); the caller keeps those in range. */
static void index_range(const struct time_index *ix, int64_t lo, int64_t hi, size_t *from, size_t *to)
{
    *from = *to = 0;
    if (!ix->n_buckets || hi < lo || hi < ix->origin) return;
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
    index_range(ix, range.lo, range.hi, &from, &to);
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
