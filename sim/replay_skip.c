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

/* ---- the time indexes (shared by every policy, built once) --------------------------------- */

/* Appends one (time, repository) to the repository's part of v (pos[r] is where it goes). */
static void put_time(struct time_repo *v, size_t *pos, uint32_t r, int64_t t)
{
    v[pos[r]++] = (struct time_repo){t, r};
}

/* Sorts v by time (stably: it is grouped by repository, so ties stay in repository order)
 * and hands each repository its own times, sorted too. */
static void split_times(struct time_repo *v, size_t n, size_t n_repos, const size_t *count, int64_t **per_repo,
                        size_t *per_repo_n)
{
    radix_sort_i64(v, n, sizeof *v, offsetof(struct time_repo, t));
    for (size_t r = 0; r < n_repos; r++) {
        per_repo[r] = xmalloc((count[r] + 1) * sizeof **per_repo);
        per_repo_n[r] = 0;
    }
    for (size_t k = 0; k < n; k++) per_repo[v[k].repo][per_repo_n[v[k].repo]++] = v[k].t;
}

/* With several snapshots, the times a manifest's own facts change while it stays: its other
 * lastUpdateTime values and the exportedAt its locks change at (into out, when not NULL). */
static size_t changes_of(const struct history *h, size_t id, int64_t *out)
{
    size_t n = 0;
    if (h->upd_start)
        for (uint32_t k = h->upd_start[id]; k < h->upd_start[id + 1] && n < SNAPSHOT_MAX; k++) {
            if (out) out[n] = h->upd_vals[k];
            n++;
        }
    if (h->mlock_since_ns && h->mlock_since_ns[id] != INT64_MIN) {
        if (out) out[n] = h->mlock_since_ns[id];
        n++;
    }
    return n;
}

/* Whether manifest id's lastUpdateTime in the model is a time of its own in the index: with
 * `ages`, unless it is the push's time (already there); without, only when the natural value
 * changes then (it is later than the push: before it, the natural value is the push's time),
 * and always when the manifest has several values (several snapshots). */
static bool upd_time_counts(const struct history *h, const struct manifest *mf, size_t id, bool ages)
{
    if (mf->updated_state != TIME_OK) return false;
    if (h->upd_start && h->upd_start[id + 1] > h->upd_start[id]) return true;
    return ages ? mf->updated_ns != h->push_ns[id] : mf->updated_ns > h->push_ns[id];
}

/* Whether a tag instance's lastUpdateTime is a time of its own in the ages index: not when it
 * is its manifest's push time (every assumed tag's), which is there already. */
static bool tag_time_counts(const struct history *h, const struct tag_instance *ti)
{
    return ti->updated_state == TIME_OK && ti->updated_ns != h->push_ns[h->repo_base[ti->repo] + ti->manifest];
}

/* Times per repository and all together, each sorted by time: with `ages`, every time an age
 * comparison can flip (pushes, lastUpdateTimes, tag times: the thresholds); without, the
 * times a manifest's natural lastUpdateTime or locks change (the updates). A time that one of
 * the repository's entries has already is left out: the indexes are asked only whether some
 * time lies in a range. One sort of all of them, not one per repository. */
void replay_times_build(const struct history *h, bool ages, struct repo_times *rt, struct global_times *g)
{
    const struct model *m = h->m;
    size_t nr = m->n_repos, sum = 0;
    size_t *count = xcalloc(nr + 1, sizeof *count), *pos = xcalloc(nr + 1, sizeof *pos);
    for (size_t r = 0; r < nr; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
            size_t id = h->repo_base[r] + i;
            count[r] += ages + upd_time_counts(h, &m->repos[r].manifests[i], id, ages) + changes_of(h, id, NULL);
        }
    for (size_t i = 0; i < h->n_inst; i++)
        count[h->inst[i].repo] += (ages && tag_time_counts(h, &h->inst[i])) + h->inst[i].locks_changed;
    for (size_t r = 0; r < nr; r++) {
        pos[r] = sum;
        sum += count[r];
    }
    struct time_repo *all = xmalloc((sum + 1) * sizeof *all);
    for (size_t r = 0; r < nr; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
            const struct manifest *mf = &m->repos[r].manifests[i];
            size_t id = h->repo_base[r] + i;
            if (ages) put_time(all, pos, (uint32_t)r, h->push_ns[id]);
            if (upd_time_counts(h, mf, id, ages)) put_time(all, pos, (uint32_t)r, mf->updated_ns);
            int64_t more[SNAPSHOT_MAX + 1];
            for (size_t k = 0, n = changes_of(h, id, more); k < n; k++) put_time(all, pos, (uint32_t)r, more[k]);
        }
    for (size_t i = 0; i < h->n_inst; i++) {
        if (ages && tag_time_counts(h, &h->inst[i])) put_time(all, pos, h->inst[i].repo, h->inst[i].updated_ns);
        if (h->inst[i].locks_changed) put_time(all, pos, h->inst[i].repo, h->inst[i].locks_since_ns);
    }
    int64_t **lists = xcalloc(nr + 1, sizeof *lists);
    size_t *lens = xcalloc(nr + 1, sizeof *lens);
    split_times(all, sum, nr, count, lists, lens);
    for (size_t r = 0; r < nr; r++) {
        *(ages ? &rt[r].thresholds : &rt[r].updates) = lists[r];
        *(ages ? &rt[r].n_thresholds : &rt[r].n_updates) = lens[r];
    }
    *(ages ? &g->thresholds : &g->updates) = all;
    *(ages ? &g->n_thresholds : &g->n_updates) = sum;
    free(lists);
    free(lens);
    free(count);
    free(pos);
}

void replay_times_free(struct repo_times *rt, size_t n_repos, struct global_times *g)
{
    for (size_t r = 0; r < n_repos; r++) {
        free(rt[r].thresholds);
        free(rt[r].updates);
    }
    free(g->thresholds);
    free(g->updates);
}

/* ---- which repositories a run visits ----------------------------------------------------- */

/* Whether a sorted v holds a time in [lo, hi]. */
static bool any_in(const int64_t *v, size_t n, int64_t lo, int64_t hi)
{
    /* first element >= lo */
    size_t a = 0, b = n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (v[mid] < lo) a = mid + 1;
        else b = mid;
    }
    return a < n && v[a] <= hi;
}

/* A repository whose state has not changed since this task's last run there, and in which no
 * tag or manifest time lies between the two cutoffs, yields exactly what that run yielded on
 * the same state: nothing more, since that run's deletions are applied. */
static bool repo_needs_run(const struct pstate *s, const struct repo_times *rt, size_t task, uint32_t r,
                           int64_t t, int64_t cutoff)
{
    const struct task_repo_memo *mm = &s->skip.memo[task][r];
    if (s->o->plain) return true;
    if (!mm->ran || mm->failed || mm->changes != s->skip.repo_changes[r]) return true;
    int64_t lo = mm->cutoff_ns < cutoff ? mm->cutoff_ns : cutoff, hi = mm->cutoff_ns < cutoff ? cutoff : mm->cutoff_ns;
    if (any_in(rt[r].thresholds, rt[r].n_thresholds, lo, hi)) return true;
    if (any_in(rt[r].updates, rt[r].n_updates, mm->t_ns, t)) return true;
    if (s->o->tag_delete_touches_manifest || s->reg.repo_overridden[r]) return true;
    return false;
}

static void add_candidate(struct pstate *s, size_t task, uint32_t r, size_t *n)
{
    if (!s->tasks.sel[task][r] || s->skip.mark[r] == s->skip.stamp) return;
    s->skip.mark[r] = s->skip.stamp;
    xgrow((void **)&s->skip.cand_repos, &s->skip.cap_cand, *n + 1, sizeof *s->skip.cand_repos);
    s->skip.cand_repos[(*n)++] = r;
}

/* First index in v (sorted by t) with t >= lo. */
static size_t first_at_or_after(const struct time_repo *v, size_t n, int64_t lo)
{
    size_t a = 0, b = n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (v[mid].t < lo) a = mid + 1;
        else b = mid;
    }
    return a;
}

/* A superset of the repositories repo_needs_run() would pick, found from what happened since
 * the task's last run (the change log, the time indexes between the two runs) rather than by
 * asking every repository the task selects; in index order. */
static uint32_t *candidates(struct pstate *s, size_t task, int64_t t, int64_t cutoff, size_t *n_out)
{
    size_t n = 0;
    if (++s->skip.stamp == 0) {   /* the stamp wrapped: forget every mark */
        memset(s->skip.mark, 0, (s->m->n_repos + 1) * sizeof *s->skip.mark);
        s->skip.stamp = 1;
    }
    if (!s->skip.ran[task] || s->o->tag_delete_touches_manifest || s->o->plain) {
        for (size_t k = 0; k < s->tasks.n_repos[task]; k++) add_candidate(s, task, s->tasks.repos[task][k], &n);
    } else {
        for (size_t k = s->skip.log_cursor[task]; k < s->skip.n_log; k++) add_candidate(s, task, s->skip.change_log[k], &n);
        int64_t pc = s->skip.cutoff[task], lo = pc < cutoff ? pc : cutoff, hi = pc < cutoff ? cutoff : pc;
        const struct global_times *g = s->skip.gt;
        for (size_t k = first_at_or_after(g->thresholds, g->n_thresholds, lo); k < g->n_thresholds && g->thresholds[k].t <= hi; k++)
            add_candidate(s, task, g->thresholds[k].repo, &n);
        for (size_t k = first_at_or_after(g->updates, g->n_updates, s->skip.t[task]); k < g->n_updates && g->updates[k].t <= t; k++)
            add_candidate(s, task, g->updates[k].repo, &n);
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
    const struct repo_times *rt = s->skip.rt;
    size_t nv = 0, tags = 0;
    /* which repositories can yield anything: all on the first run; later, those that changed
     * since, or where a tag or manifest time lies between the two cutoffs, or whose
     * lastUpdateTime moved, or that failed (repo_needs_run then decides exactly) */
    size_t n_cand = 0;
    uint32_t *cand = candidates(s, task, t, cutoff, &n_cand);
    for (size_t k = 0; k < n_cand; k++) {
        uint32_t r = cand[k];
        if (!repo_needs_run(s, rt, task, r, t, cutoff)) continue;
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
