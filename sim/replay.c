/* replay.c - the clock: natural events, purge runs, retention, soft delete, daily figures. */
#include "replay.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "progress.h"
#include "purge.h"
#include "radix.h"
#include "timeu.h"

#define NEVER INT64_MAX

/* ---- a min-heap of retention timers ----------------------------------------------- */

struct timer {
    int64_t t_ns;
    uint32_t id, gen;
};

struct heap {
    struct timer *v;
    size_t n, cap;
};

static bool timer_less(const struct timer *a, const struct timer *b)
{
    if (a->t_ns != b->t_ns) return a->t_ns < b->t_ns;
    return a->id < b->id;
}

static void heap_push(struct heap *h, struct timer t)
{
    xgrow((void **)&h->v, &h->cap, h->n + 1, sizeof *h->v);
    size_t i = h->n++;
    h->v[i] = t;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!timer_less(&h->v[i], &h->v[parent])) break;
        struct timer tmp = h->v[i];
        h->v[i] = h->v[parent];
        h->v[parent] = tmp;
        i = parent;
    }
}

static struct timer heap_pop(struct heap *h)
{
    struct timer top = h->v[0];
    h->v[0] = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && timer_less(&h->v[l], &h->v[m])) m = l;
        if (r < h->n && timer_less(&h->v[r], &h->v[m])) m = r;
        if (m == i) break;
        struct timer tmp = h->v[i];
        h->v[i] = h->v[m];
        h->v[m] = tmp;
        i = m;
    }
    return top;
}

/* ---- per-policy state ------------------------------------------------------------- */

struct soft_entry {
    int64_t sweep_ns;
    uint32_t id, gen;
};

/* What one task remembers of its last run on one repository, to skip runs that cannot
 * select anything new (see repo_needs_run). */
struct task_repo_memo {
    uint64_t changes;
    int64_t cutoff_ns, t_ns;
    bool ran, failed;
};

/* A policy's state of one manifest id, in one place: an event reads and writes several of
 * these, and separate arrays would cost a cache miss each. */
struct id_state {
    int64_t gone_at;           /* deleted by this policy then (for revival by a later tag push) */
    int64_t upd_override;      /* lastUpdateTime set by the replay (revival, option), or NEVER */
    uint32_t pres_pos;         /* position in its repository's present list */
    uint32_t gen;              /* retention timer generation */
    uint32_t soft_gen;         /* which soft deletion the queue entry is for */
    uint32_t tags_on : 24;     /* live tags (16 million on one manifest is not a registry) */
    uint32_t gone : 1;         /* deleted by this policy */
    uint32_t soft_pending : 1; /* deleted under soft delete, not yet swept */
};

/* What the replay reads of one manifest id, in one record. */
struct replay_id {
    uint32_t start;            /* its layers are layer[start .. the next id's start) */
    uint32_t repo;
    uint64_t size;             /* imageSize */
};

/* The blobs as the replay counts them, shared by every policy: numbered in the order the
 * history first pushes them, with each manifest's layers by those numbers in one array.
 * Pushes come in time order, so the counters they touch are neighbours (a cache line holds
 * several) rather than spread over every blob of the registry. */
struct replay_blobs {
    struct replay_id *ids;     /* per manifest id, and one past the last (for its start) */
    uint32_t *layer;
    uint64_t *size;            /* per replay blob */
    size_t n;                  /* replay blobs */
};

struct pstate {
    const struct history *h;
    const struct model *m;
    const struct policy *p;
    const struct replay_opts *o;
    struct replay_policy *out;
    int64_t first_day_ns;
    size_t n_days;

    uint8_t *present;          /* per manifest id */
    uint32_t **repo_pres;      /* per repository: indexes of its present manifests, unordered */
    size_t *repo_n_pres, *repo_cap_pres;
    struct id_state *st;       /* per manifest id */
    struct purge_scratch scratch;
    uint8_t *inst_live;        /* per tag instance */
    int64_t *inst_gone_at;     /* per tag instance: when it last left this policy's registry
                                  (only with pulls to check) */
    size_t pull_next;          /* the next pull to check */
    uint32_t *inst_pos;        /* position in its repository's live list */
    uint32_t **repo_live;      /* per repository: live tag instance ids */
    size_t *repo_n_live, *repo_cap_live;
    uint64_t *repo_changes;    /* per repository: bumped on every change of its state */
    uint32_t *change_log;      /* repositories in the order they changed (with repeats) */
    size_t n_log, cap_log;
    const struct global_times *gt;
    uint64_t total_policy_days;    /* for progress */
    uint32_t *mark;            /* per repository: the run (stamp) that last listed it */
    uint32_t stamp;
    uint32_t *cand_repos;
    size_t cap_cand;
    uint8_t *repo_overridden;  /* per repository: some manifest's lastUpdateTime was set by the
                                  replay (a revival), so its age thresholds are not the history's */
    uint32_t *blob_live, *blob_billed;    /* per replay blob (see struct replay_blobs) */
    const struct replay_blobs *rb;
    uint64_t stored, stored_dedup, soft_bytes, billed_dedup;
    uint64_t *repo_bytes;      /* per repository: imageSize bytes present */
    struct heap timers;
    struct soft_entry *soft;
    size_t soft_head, soft_n, soft_cap;
    /* tasks */
    int64_t *task_next;        /* next firing per task */
    uint32_t **task_repos;     /* repositories each task's filters select */
    size_t *task_n_repos;
    struct task_repo_memo **memo;
    uint8_t **task_sel;        /* per task, per repository: its filters select it */
    size_t *task_log_cursor;   /* per task: change_log entries already seen by its runs */
    bool *task_ran;
    int64_t *task_cutoff, *task_t;
    /* per-run scratch, grown as needed */
    struct purge_view *views;
    uint32_t *view_repo;
    size_t *view_tag_off;
    size_t cap_views, cap_view_repo, cap_view_off;
    struct tag *tag_buf;
    uint32_t *tag_inst;
    size_t cap_tag_buf, cap_tag_inst;
    int64_t *upd_now;          /* per id: lastUpdateTime at the current run (present ones) */
    size_t run_deletions;      /* deletions recorded so far (a run's are the difference) */
    uint32_t *repo_tagged;     /* per repository: present manifests with a live tag (versions) */
    uint32_t *tagged_before;   /* per view of the current run: repo_tagged before it */
    size_t cap_tagged_before;
    struct replay_day cur;     /* counters of the day being played */
};

/* Every change of a repository's state goes through here: runs look only at what changed. */
static void bump(struct pstate *s, uint32_t r)
{
    s->repo_changes[r]++;
    xgrow((void **)&s->change_log, &s->cap_log, s->n_log + 1, sizeof *s->change_log);
    s->change_log[s->n_log++] = r;
}

/* present[] with, per repository, an unordered list of the present manifests (sorted at run
 * time), so a run costs what is present rather than everything ever pushed. */
static void set_present(struct pstate *s, size_t id)
{
    uint32_t r = s->rb->ids[id].repo;
    s->present[id] = 1;
    xgrow((void **)&s->repo_pres[r], &s->repo_cap_pres[r], s->repo_n_pres[r] + 1, sizeof **s->repo_pres);
    s->st[id].pres_pos = (uint32_t)s->repo_n_pres[r];
    s->repo_pres[r][s->repo_n_pres[r]++] = (uint32_t)(id - s->h->repo_base[r]);
}

static void clear_present(struct pstate *s, size_t id)
{
    uint32_t r = s->rb->ids[id].repo;
    s->present[id] = 0;
    size_t pos = s->st[id].pres_pos, last = --s->repo_n_pres[r];
    uint32_t moved = s->repo_pres[r][last];
    s->repo_pres[r][pos] = moved;
    s->st[s->h->repo_base[r] + moved].pres_pos = (uint32_t)pos;
}

static const struct manifest *manifest_of(const struct pstate *s, size_t id)
{
    uint32_t r = s->rb->ids[id].repo;
    return &s->m->repos[r].manifests[id - s->h->repo_base[r]];
}

static void blobs_add(struct pstate *s, size_t id, uint32_t *refs, uint64_t *total, int delta)
{
    /* without soft delete, billed blobs are the live ones: one count serves both */
    if (!refs) return;
    const struct replay_blobs *rb = s->rb;
    for (uint32_t k = rb->ids[id].start; k < rb->ids[id + 1].start; k++) {
        uint32_t b = rb->layer[k];
        if (delta > 0) {
            if (refs[b]++ == 0) *total += rb->size[b];
        } else {
            if (--refs[b] == 0) *total -= rb->size[b];
        }
    }
}

/* Retention: a manifest that lost its last tag at t goes `days` later (data/pricing/README.md). */
static void became_untagged(struct pstate *s, size_t id, int64_t t)
{
    const struct policy *p = s->p;
    if (!p->retention) return;
    int64_t enabled = p->retention_enabled_at_set ? p->retention_enabled_at_ns : s->o->from_ns;
    if (t < enabled) return;
    const struct manifest *mf = manifest_of(s, id);
    /* index children and referrers go with their parent or subject, not on their own timer */
    if (!mf->delete_enabled || s->h->is_child[id] || mf->has_subject) return;
    struct timer tm = {t + p->retention_days * TIMEU_NS_PER_DAY, (uint32_t)id, ++s->st[id].gen};
    heap_push(&s->timers, tm);
}

static void live_add(struct pstate *s, size_t inst)
{
    const struct tag_instance *ti = &s->h->inst[inst];
    xgrow((void **)&s->repo_live[ti->repo], &s->repo_cap_live[ti->repo], s->repo_n_live[ti->repo] + 1,
          sizeof **s->repo_live);
    s->inst_pos[inst] = (uint32_t)s->repo_n_live[ti->repo];
    s->repo_live[ti->repo][s->repo_n_live[ti->repo]++] = (uint32_t)inst;
    s->inst_live[inst] = 1;
    if (s->st[s->h->repo_base[ti->repo] + ti->manifest].tags_on++ == 0) s->repo_tagged[ti->repo]++;
    bump(s, ti->repo);
}

static void live_remove(struct pstate *s, size_t inst, int64_t t)
{
    const struct tag_instance *ti = &s->h->inst[inst];
    uint32_t *list = s->repo_live[ti->repo];
    size_t pos = s->inst_pos[inst], last = --s->repo_n_live[ti->repo];
    list[pos] = list[last];
    s->inst_pos[list[pos]] = (uint32_t)pos;
    s->inst_live[inst] = 0;
    if (s->inst_gone_at) s->inst_gone_at[inst] = t;
    bump(s, ti->repo);
    size_t id = s->h->repo_base[ti->repo] + ti->manifest;
    if (--s->st[id].tags_on == 0) {
        s->repo_tagged[ti->repo]--;
        if (s->present[id]) became_untagged(s, id, t);
    }
}

static void record(struct pstate *s, int64_t t, uint32_t repo, uint32_t item, enum replay_del_kind kind)
{
    struct replay_policy *o = s->out;
    s->run_deletions++;
    const struct replay_keep *keep = s->o->keep;
    if (keep && !(kind == RDEL_TAG ? keep->inst[item] : keep->ids[s->h->repo_base[repo] + item])) return;
    xgrow((void **)&o->del, &o->cap_del, o->n_del + 1, sizeof *o->del);
    o->del[o->n_del].t_ns = t;
    o->del[o->n_del].repo = repo;
    o->del[o->n_del].item = item;
    o->del[o->n_del].kind = (uint8_t)kind;
    o->n_del++;
}

static void delete_manifest(struct pstate *s, size_t id, int64_t t, enum replay_del_kind kind)
{
    if (!s->present[id]) return;
    const uint64_t size = s->rb->ids[id].size;
    uint32_t r = s->rb->ids[id].repo;
    clear_present(s, id);
    s->st[id].gone = 1;
    s->st[id].gone_at = t;
    bump(s, r);
    s->stored -= size;
    s->repo_bytes[r] -= size;
    blobs_add(s, id, s->blob_live, &s->stored_dedup, -1);
    if (s->p->soft_delete) {
        /* billed until the first daily sweep after N days */
        int64_t due = t + s->p->soft_delete_days * TIMEU_NS_PER_DAY;
        int64_t sweep = (due / TIMEU_NS_PER_DAY) * TIMEU_NS_PER_DAY;
        if (sweep < due) sweep += TIMEU_NS_PER_DAY;
        xgrow((void **)&s->soft, &s->soft_cap, s->soft_n + 1, sizeof *s->soft);
        s->soft[s->soft_n].sweep_ns = sweep;
        s->soft[s->soft_n].gen = ++s->st[id].soft_gen;
        s->soft[s->soft_n++].id = (uint32_t)id;
        s->st[id].soft_pending = 1;
        s->soft_bytes += size;
    } else {
        blobs_add(s, id, s->blob_billed, &s->billed_dedup, -1);
    }
    /* deleting a manifest removes its tags (not reported as tag deletions); most have none
     * left by now, the run's tag phase having deleted them first */
    uint32_t *list = s->repo_live[r];
    for (size_t k = s->repo_n_live[r]; k-- > 0 && s->st[id].tags_on;) {
        size_t inst = list[k];
        if (s->h->inst[inst].manifest == id - s->h->repo_base[r]) live_remove(s, inst, t);
    }
    record(s, t, r, (uint32_t)(id - s->h->repo_base[r]), kind);
    if (kind == RDEL_CASCADE) s->cur.cascade_deleted++, s->out->cascade_deleted++;
    else s->cur.manifests_deleted++, s->out->manifests_deleted++;
}

/* The registry deletes referrers of a deleted manifest, recursively, locks or not. */
static void cascade_from(struct pstate *s, size_t id, int64_t t)
{
    const struct history *h = s->h;
    for (uint32_t k = h->ref_start[id]; k < h->ref_start[id + 1]; k++) {
        uint32_t ref = h->ref_ids[k];
        if (!s->present[ref]) continue;
        delete_manifest(s, ref, t, RDEL_CASCADE);
        cascade_from(s, ref, t);
    }
}

/* ---- natural events ------------------------------------------------------------- */

/* The manifest is pushed again (sim/REPLAY.md, "The overlay"): present, untagged unless a
 * tag points at it, its lastUpdateTime the push's time; referrers cascaded away stay gone. */
static void revive(struct pstate *s, size_t id, int64_t t)
{
    const uint64_t size = s->rb->ids[id].size;
    uint32_t r = s->rb->ids[id].repo;
    s->st[id].gone = 0;
    set_present(s, id);
    s->st[id].upd_override = t;
    s->repo_overridden[r] = 1;
    bump(s, r);
    s->stored += size;
    s->repo_bytes[r] += size;
    blobs_add(s, id, s->blob_live, &s->stored_dedup, +1);
    if (s->st[id].soft_pending) {
        /* restored from soft delete: its blobs never stopped being billed */
        s->st[id].soft_pending = 0;
        s->soft_bytes -= size;
    } else {
        blobs_add(s, id, s->blob_billed, &s->billed_dedup, +1);
    }
}

/* A later snapshot no longer has the manifest: someone deleted it, whatever the policy.
 * Natural removals leave every policy's registry alike, at once (no soft delete modelled). */
static void natural_remove(struct pstate *s, size_t id, int64_t t)
{
    if (!s->present[id]) return;
    const uint64_t size = s->rb->ids[id].size;
    uint32_t r = s->rb->ids[id].repo;
    uint32_t *list = s->repo_live[r];
    for (size_t k = s->repo_n_live[r]; k-- > 0 && s->st[id].tags_on;)
        if (s->h->inst[list[k]].manifest == id - s->h->repo_base[r]) live_remove(s, list[k], t);
    clear_present(s, id);
    bump(s, r);
    s->stored -= size;
    s->repo_bytes[r] -= size;
    blobs_add(s, id, s->blob_live, &s->stored_dedup, -1);
    blobs_add(s, id, s->blob_billed, &s->billed_dedup, -1);
}

static void apply_natural(struct pstate *s, const struct hist_event *e)
{
    const struct history *h = s->h;
    if (e->kind == HEV_REMOVE) {
        natural_remove(s, e->item, e->t_ns);
        return;
    }
    if (e->kind == HEV_PUSH) {
        size_t id = e->item;
        if (s->st[id].gone) {
            revive(s, id, e->t_ns);   /* pushed again after this policy deleted it */
            return;
        }
        if (s->present[id]) return;
        const uint64_t size = s->rb->ids[id].size;
        set_present(s, id);
        bump(s, s->rb->ids[id].repo);
        s->stored += size;
        s->repo_bytes[s->rb->ids[id].repo] += size;
        blobs_add(s, id, s->blob_live, &s->stored_dedup, +1);
        blobs_add(s, id, s->blob_billed, &s->billed_dedup, +1);
        if (s->st[id].tags_on == 0) became_untagged(s, id, e->t_ns);
        return;
    }
    const struct tag_instance *ti = &h->inst[e->item];
    size_t id = h->repo_base[ti->repo] + ti->manifest;
    if (e->kind == HEV_TAG_SET) {
        /* a tag pushed onto a manifest this policy deleted, after the deletion, pushes the
         * manifest again (a rollback or promotion); an older tag is lost with it */
        if (s->st[id].gone && ti->updated_state == TIME_OK && ti->updated_ns > s->st[id].gone_at) revive(s, id, e->t_ns);
        if (!s->st[id].gone && !s->inst_live[e->item]) live_add(s, e->item);
    } else if (s->inst_live[e->item]) {
        live_remove(s, e->item, e->t_ns);
    }
}

/* ---- purge runs ------------------------------------------------------------------ */

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

struct repo_times {
    int64_t *thresholds;       /* every time an age comparison can flip on */
    size_t n_thresholds;
    int64_t *updates;          /* snapshot lastUpdateTimes: the natural value changes then */
    size_t n_updates;
};

/* The same times for the whole registry, each with its repository, sorted by time: a run finds
 * the repositories where a cutoff crossed something without visiting the others. */
struct time_repo {
    int64_t t;
    uint32_t repo;
};

struct global_times {
    struct time_repo *thresholds, *updates;
    size_t n_thresholds, n_updates;
};

/* A repository whose state has not changed since this task's last run there, and in which no
 * tag or manifest time lies between the two cutoffs, yields exactly what that run yielded on
 * the same state: nothing more, since that run's deletions are applied. */
static bool repo_needs_run(const struct pstate *s, const struct repo_times *rt, size_t task, uint32_t r,
                           int64_t t, int64_t cutoff)
{
    const struct task_repo_memo *mm = &s->memo[task][r];
    if (s->o->plain) return true;
    if (!mm->ran || mm->failed || mm->changes != s->repo_changes[r]) return true;
    int64_t lo = mm->cutoff_ns < cutoff ? mm->cutoff_ns : cutoff, hi = mm->cutoff_ns < cutoff ? cutoff : mm->cutoff_ns;
    if (any_in(rt[r].thresholds, rt[r].n_thresholds, lo, hi)) return true;
    if (any_in(rt[r].updates, rt[r].n_updates, mm->t_ns, t)) return true;
    if (s->o->tag_delete_touches_manifest || s->repo_overridden[r]) return true;
    return false;
}

static void add_candidate(struct pstate *s, size_t task, uint32_t r, size_t *n)
{
    if (!s->task_sel[task][r] || s->mark[r] == s->stamp) return;
    s->mark[r] = s->stamp;
    xgrow((void **)&s->cand_repos, &s->cap_cand, *n + 1, sizeof *s->cand_repos);
    s->cand_repos[(*n)++] = r;
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

static uint32_t *candidates(struct pstate *s, size_t task, int64_t t, int64_t cutoff, size_t *n_out)
{
    size_t n = 0;
    if (++s->stamp == 0) {   /* the stamp wrapped: forget every mark */
        memset(s->mark, 0, (s->m->n_repos + 1) * sizeof *s->mark);
        s->stamp = 1;
    }
    if (!s->task_ran[task] || s->o->tag_delete_touches_manifest || s->o->plain) {
        for (size_t k = 0; k < s->task_n_repos[task]; k++) add_candidate(s, task, s->task_repos[task][k], &n);
    } else {
        for (size_t k = s->task_log_cursor[task]; k < s->n_log; k++) add_candidate(s, task, s->change_log[k], &n);
        int64_t pc = s->task_cutoff[task], lo = pc < cutoff ? pc : cutoff, hi = pc < cutoff ? cutoff : pc;
        const struct global_times *g = s->gt;
        for (size_t k = first_at_or_after(g->thresholds, g->n_thresholds, lo); k < g->n_thresholds && g->thresholds[k].t <= hi; k++)
            add_candidate(s, task, g->thresholds[k].repo, &n);
        for (size_t k = first_at_or_after(g->updates, g->n_updates, s->task_t[task]); k < g->n_updates && g->updates[k].t <= t; k++)
            add_candidate(s, task, g->updates[k].repo, &n);
        for (size_t k = 0; k < s->task_n_repos[task]; k++) {
            uint32_t r = s->task_repos[task][k];
            if (s->memo[task][r].failed || s->repo_overridden[r]) add_candidate(s, task, r, &n);
        }
    }
    s->task_log_cursor[task] = s->n_log;
    /* the engine wants repositories in name order, which is index order */
    radix_sort_u32(s->cand_repos, n);
    *n_out = n;
    return s->cand_repos;
}

/* Rollback depth: a run that left a repository with fewer tagged manifests (versions one can
 * roll back to) than it found leaves it with how many? The fewest ever is the policy's depth.
 * A run that deletes a tag whose manifest keeps another takes no version away. */
static void note_rollback_depth(struct pstate *s, size_t nv, int64_t t)
{
    for (size_t v = 0; v < nv; v++) {
        uint32_t r = s->view_repo[v];
        size_t now = s->repo_tagged[r];
        if (now >= s->tagged_before[v] || now >= s->out->rollback_depth) continue;
        s->out->rollback_depth = now;
        s->out->rollback_at = t;
        s->out->rollback_repo = r;
    }
}

static void run_task(struct pstate *s, const struct repo_times *rt, size_t task, int64_t t)
{
    const struct policy_task *pt = &s->p->tasks[task];
    const struct history *h = s->h;
    int64_t cutoff = purge_cutoff_ns(t, pt->rule.ago_ns);
    s->out->runs++;
    size_t nv = 0, n_tags = 0;
    /* which repositories can yield anything: all on the first run; later, those that changed
     * since, or where a tag or manifest time lies between the two cutoffs, or whose
     * lastUpdateTime moved, or that failed (repo_needs_run then decides exactly) */
    size_t n_cand = 0;
    uint32_t *cand = candidates(s, task, t, cutoff, &n_cand);
    for (size_t k = 0; k < n_cand; k++) {
        uint32_t r = cand[k];
        if (!repo_needs_run(s, rt, task, r, t, cutoff)) continue;
        xgrow((void **)&s->view_repo, &s->cap_view_repo, nv + 1, sizeof *s->view_repo);
        s->view_repo[nv++] = r;
        n_tags += s->repo_n_live[r];
    }
    s->task_ran[task] = true;
    s->task_cutoff[task] = cutoff;
    s->task_t[task] = t;
    if (!nv) return;
    xgrow((void **)&s->views, &s->cap_views, nv, sizeof *s->views);
    xgrow((void **)&s->view_tag_off, &s->cap_view_off, nv, sizeof *s->view_tag_off);
    xgrow((void **)&s->tag_buf, &s->cap_tag_buf, n_tags + 1, sizeof *s->tag_buf);
    xgrow((void **)&s->tag_inst, &s->cap_tag_inst, n_tags + 1, sizeof *s->tag_inst);
    size_t to = 0;
    for (size_t v = 0; v < nv; v++) {
        uint32_t r = s->view_repo[v];
        const struct repo *rp = &s->m->repos[r];
        size_t base = h->repo_base[r];
        s->view_tag_off[v] = to;
        /* in the live list's order: the engine orders tags itself, by time and then name,
         * which is a total order (names are unique in a repository) */
        size_t n = s->repo_n_live[r];
        for (size_t k = 0; k < n; k++) {
            size_t inst = s->repo_live[r][k];
            history_tag_of(&h->inst[inst], &s->tag_buf[to + k]);
            s->tag_inst[to + k] = (uint32_t)inst;
        }
        /* the engine reads only present manifests: sort their list (keeping positions right)
         * and fill in their lastUpdateTime as of now */
        uint32_t *pres = s->repo_pres[r];
        size_t np = s->repo_n_pres[r];
        radix_sort_u32(pres, np);
        for (size_t k = 0; k < np; k++) {
            size_t id = base + pres[k];
            s->st[id].pres_pos = (uint32_t)k;
            int64_t u = s->st[id].upd_override;
            s->upd_now[id] = u != NEVER ? u : history_manifest_updated_at(h, &rp->manifests[pres[k]], id, t);
        }
        s->views[v].repo = rp;
        s->views[v].present = &s->present[base];
        s->views[v].updated_ns = &s->upd_now[base];
        s->views[v].tags = &s->tag_buf[to];
        s->views[v].n_tags = n;
        s->views[v].present_list = pres;
        s->views[v].n_present = np;
        to += n;
    }

    struct purge_result res;
    purge_run_views_scratch(s->views, nv, &pt->rule, t, &s->scratch, &res);
    size_t deletions_before = s->run_deletions;
    xgrow((void **)&s->tagged_before, &s->cap_tagged_before, nv, sizeof *s->tagged_before);
    for (size_t v = 0; v < nv; v++) s->tagged_before[v] = s->repo_tagged[s->view_repo[v]];
    for (size_t v = 0; v < nv; v++) {
        struct task_repo_memo *mm = &s->memo[task][s->view_repo[v]];
        mm->ran = true;
        mm->failed = false;
        mm->cutoff_ns = cutoff;
        mm->t_ns = t;
    }
    for (size_t k = 0; k < res.n_ev; k++) {
        const struct purge_event *e = &res.ev[k];
        uint32_t r = s->view_repo[e->repo];
        size_t base = h->repo_base[r];
        if (e->kind == PEV_TAG) {
            size_t inst = s->tag_inst[s->view_tag_off[e->repo] + e->item];
            if (!s->inst_live[inst]) continue;
            size_t id = base + h->inst[inst].manifest;
            live_remove(s, inst, t);
            if (s->o->tag_delete_touches_manifest) s->st[id].upd_override = t;
            record(s, t, r, (uint32_t)inst, RDEL_TAG);
            s->cur.tags_deleted++;
            s->out->tags_deleted++;
        } else if (e->kind == PEV_MANIFEST) {
            delete_manifest(s, base + e->item, t, RDEL_MANIFEST);
        } else if (e->kind == PEV_CASCADE) {
            delete_manifest(s, base + e->item, t, RDEL_CASCADE);
        }
    }
    if (res.failed) {
        struct replay_policy *o = s->out;
        xgrow((void **)&o->fail, &o->cap_fail, o->n_fail + 1, sizeof *o->fail);
        o->fail[o->n_fail].t_ns = t;
        o->fail[o->n_fail].task = task;
        snprintf(o->fail[o->n_fail].error, sizeof o->fail[o->n_fail].error, "%s", res.error);
        o->n_fail++;
        for (size_t v = 0; v < nv; v++) s->memo[task][s->view_repo[v]].failed = true;
    }
    if (s->run_deletions - deletions_before > s->out->max_run_deletions)
        s->out->max_run_deletions = s->run_deletions - deletions_before;
    note_rollback_depth(s, nv, t);
    /* the memo must see the state after this run's own deletions */
    for (size_t v = 0; v < nv; v++) {
        uint32_t r = s->view_repo[v];
        s->memo[task][r].changes = s->repo_changes[r];
    }
    purge_result_free(&res);
}

static int64_t task_next_after(const struct policy_task *pt, int64_t after)
{
    int64_t best = NEVER;
    for (size_t c = 0; c < pt->n_crons; c++) {
        int64_t n = cron_next(&pt->crons[c], after);
        if (n < best) best = n;
    }
    return best;
}

/* ---- the clock ------------------------------------------------------------------ */

static void sweep(struct pstate *s, int64_t t)
{
    while (s->soft_head < s->soft_n && s->soft[s->soft_head].sweep_ns <= t) {
        const struct soft_entry *se = &s->soft[s->soft_head];
        if (!s->st[se->id].soft_pending || se->gen != s->st[se->id].soft_gen) {
            s->soft_head++;   /* revived since, or deleted again later: a later entry covers it */
            continue;
        }
        s->st[se->id].soft_pending = 0;
        s->soft_bytes -= s->rb->ids[se->id].size;
        blobs_add(s, se->id, s->blob_billed, &s->billed_dedup, -1);
        s->soft_head++;
    }
}

static void close_day(struct pstate *s, size_t day)
{
    struct replay_day *d = &s->out->days[day];
    *d = s->cur;
    d->day_ns = s->first_day_ns + (int64_t)day * TIMEU_NS_PER_DAY;
    d->stored_bytes = s->stored;
    d->stored_bytes_dedup = s->stored_dedup;
    d->soft_deleted_bytes = s->soft_bytes;
    d->soft_deleted_bytes_dedup = s->blob_billed ? s->billed_dedup - s->stored_dedup : 0;
    memset(&s->cur, 0, sizeof s->cur);
    if (replay_day_accounted(s->o->acct_from_ns, s->o->acct_to_ns, d->day_ns)) {
        for (size_t r = 0; r < s->m->n_repos; r++) s->out->repo_byte_days[r] += (double)s->repo_bytes[r];
        s->out->acct_days++;
    }
}

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

/* Times per repository and all together, each sorted by time: with `ages`, every time an age
 * comparison can flip (pushes, lastUpdateTimes, tag times: the thresholds); without, the
 * snapshot lastUpdateTimes alone (the natural value changes then: the updates). One sort of
 * all of them, not one per repository. */
static void build_time_index(const struct history *h, bool ages, struct repo_times *rt, struct global_times *g)
{
    const struct model *m = h->m;
    size_t nr = m->n_repos, sum = 0;
    size_t *count = xcalloc(nr + 1, sizeof *count), *pos = xcalloc(nr + 1, sizeof *pos);
    for (size_t r = 0; r < nr; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++)
            count[r] += ages + (m->repos[r].manifests[i].updated_state == TIME_OK);
    for (size_t i = 0; ages && i < h->n_inst; i++) count[h->inst[i].repo] += h->inst[i].updated_state == TIME_OK;
    for (size_t r = 0; r < nr; r++) {
        pos[r] = sum;
        sum += count[r];
    }
    struct time_repo *all = xmalloc((sum + 1) * sizeof *all);
    for (size_t r = 0; r < nr; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
            const struct manifest *mf = &m->repos[r].manifests[i];
            if (ages) put_time(all, pos, (uint32_t)r, h->push_ns[h->repo_base[r] + i]);
            if (mf->updated_state == TIME_OK) put_time(all, pos, (uint32_t)r, mf->updated_ns);
        }
    for (size_t i = 0; ages && i < h->n_inst; i++)
        if (h->inst[i].updated_state == TIME_OK) put_time(all, pos, h->inst[i].repo, h->inst[i].updated_ns);
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

/* What every policy's replay reads, built once. */
struct replay_shared {
    const struct history *h;
    const struct policy_set *ps;
    const struct replay_opts *o;
    struct replay_result *rr;
    const struct repo_times *rt;
    const struct global_times *gt;
    const struct replay_blobs *rb;
};

static void pstate_init(struct pstate *s, const struct history *h, const struct policy *p,
                        const struct replay_opts *o, struct replay_policy *out, const struct replay_result *rr)
{
    const struct model *m = h->m;
    memset(s, 0, sizeof *s);
    s->h = h;
    s->m = m;
    s->p = p;
    s->o = o;
    s->out = out;
    s->first_day_ns = rr->first_day_ns;
    s->n_days = rr->n_days;
    size_t n = h->n_ids + 1;
    s->present = xcalloc(n, 1);
    s->st = xcalloc(n, sizeof *s->st);
    s->repo_pres = xcalloc(m->n_repos + 1, sizeof *s->repo_pres);
    s->repo_n_pres = xcalloc(m->n_repos + 1, sizeof *s->repo_n_pres);
    s->repo_cap_pres = xcalloc(m->n_repos + 1, sizeof *s->repo_cap_pres);
    s->upd_now = xcalloc(n, sizeof *s->upd_now);
    for (size_t i = 0; i < n; i++) s->st[i].upd_override = NEVER;
    s->inst_live = xcalloc(h->n_inst + 1, 1);
    if (o->pulls) s->inst_gone_at = xcalloc(h->n_inst + 1, sizeof *s->inst_gone_at);
    s->inst_pos = xcalloc(h->n_inst + 1, sizeof *s->inst_pos);
    s->repo_live = xcalloc(m->n_repos + 1, sizeof *s->repo_live);
    s->repo_n_live = xcalloc(m->n_repos + 1, sizeof *s->repo_n_live);
    s->repo_cap_live = xcalloc(m->n_repos + 1, sizeof *s->repo_cap_live);
    s->repo_changes = xcalloc(m->n_repos + 1, sizeof *s->repo_changes);
    s->repo_bytes = xcalloc(m->n_repos + 1, sizeof *s->repo_bytes);
    s->repo_tagged = xcalloc(m->n_repos + 1, sizeof *s->repo_tagged);
    s->repo_overridden = xcalloc(m->n_repos + 1, 1);
    s->mark = xcalloc(m->n_repos + 1, sizeof *s->mark);
    s->task_sel = xcalloc(p->n_tasks + 1, sizeof *s->task_sel);
    s->task_log_cursor = xcalloc(p->n_tasks + 1, sizeof *s->task_log_cursor);
    s->task_ran = xcalloc(p->n_tasks + 1, sizeof *s->task_ran);
    s->task_cutoff = xcalloc(p->n_tasks + 1, sizeof *s->task_cutoff);
    s->task_t = xcalloc(p->n_tasks + 1, sizeof *s->task_t);
    s->blob_live = xcalloc(m->n_blobs + 1, sizeof *s->blob_live);   /* replay blobs are model blobs, renumbered */
    s->blob_billed = p->soft_delete ? xcalloc(m->n_blobs + 1, sizeof *s->blob_billed) : NULL;
    s->task_next = xcalloc(p->n_tasks + 1, sizeof *s->task_next);
    s->task_repos = xcalloc(p->n_tasks + 1, sizeof *s->task_repos);
    s->task_n_repos = xcalloc(p->n_tasks + 1, sizeof *s->task_n_repos);
    s->memo = xcalloc(p->n_tasks + 1, sizeof *s->memo);
    for (size_t k = 0; k < p->n_tasks; k++) {
        const struct purge_rule *rule = &p->tasks[k].rule;
        s->task_repos[k] = xmalloc((m->n_repos + 1) * sizeof **s->task_repos);
        s->memo[k] = xcalloc(m->n_repos + 1, sizeof **s->memo);
        s->task_sel[k] = xcalloc(m->n_repos + 1, 1);
        for (size_t r = 0; r < m->n_repos; r++) {
            bool sel = rule->n_filters == 0;
            for (size_t f = 0; f < rule->n_filters && !sel; f++)
                sel = purgecmd_regex_match(rule->filters[f].repo_code, m->repos[r].name) == 1;
            if (sel) s->task_repos[k][s->task_n_repos[k]++] = (uint32_t)r;
            s->task_sel[k][r] = sel;
        }
        s->task_next[k] = task_next_after(&p->tasks[k], o->from_ns - 1);
    }
    out->p = p;
    out->rollback_depth = REPLAY_NO_DEPTH;
    out->days = xcalloc(rr->n_days + 1, sizeof *out->days);
    out->repo_end_bytes = xcalloc(m->n_repos + 1, sizeof *out->repo_end_bytes);
    out->repo_end_bytes_dedup = xcalloc(m->n_repos + 1, sizeof *out->repo_end_bytes_dedup);
    out->repo_byte_days = xcalloc(m->n_repos + 1, sizeof *out->repo_byte_days);
}

static void pstate_free(struct pstate *s)
{
    free(s->present);
    free(s->st);
    for (size_t r = 0; r < s->m->n_repos; r++) free(s->repo_pres[r]);
    free(s->repo_pres);
    free(s->repo_n_pres);
    free(s->repo_cap_pres);
    purge_scratch_free(&s->scratch);
    free(s->inst_live);
    free(s->inst_gone_at);
    free(s->inst_pos);
    for (size_t r = 0; r < s->m->n_repos; r++) free(s->repo_live[r]);
    free(s->repo_live);
    free(s->repo_n_live);
    free(s->repo_cap_live);
    free(s->repo_changes);
    free(s->repo_bytes);
    free(s->repo_tagged);
    free(s->tagged_before);
    free(s->repo_overridden);
    free(s->mark);
    free(s->cand_repos);
    free(s->change_log);
    for (size_t k = 0; k < s->p->n_tasks; k++) free(s->task_sel[k]);
    free(s->task_sel);
    free(s->task_log_cursor);
    free(s->task_ran);
    free(s->task_cutoff);
    free(s->task_t);
    free(s->blob_live);
    free(s->blob_billed);
    for (size_t k = 0; k < s->p->n_tasks; k++) {
        free(s->task_repos[k]);
        free(s->memo[k]);
    }
    free(s->task_next);
    free(s->task_repos);
    free(s->task_n_repos);
    free(s->memo);
    free(s->timers.v);
    free(s->soft);
    free(s->views);
    free(s->view_repo);
    free(s->view_tag_off);
    free(s->tag_buf);
    free(s->tag_inst);
    free(s->upd_now);
}

/* Events come in time order, so the manifests they touch are spread over the whole id range:
 * asking for an event's state some events ahead hides most of the cache misses. Two steps:
 * far ahead what locates the state (the tag instance, the manifest's record), nearer what
 * that record points at (the policy's state, the layers). */
#define PREFETCH_FAR 24
#define PREFETCH_NEAR 12

static void prefetch_far(const struct pstate *s, const struct hist_event *e)
{
    if (e->kind == HEV_PUSH || e->kind == HEV_REMOVE) __builtin_prefetch(&s->rb->ids[e->item]);
    else __builtin_prefetch(&s->h->inst[e->item]);
}

static void prefetch_near(const struct pstate *s, const struct hist_event *e)
{
    size_t id;
    if (e->kind == HEV_PUSH || e->kind == HEV_REMOVE) {
        id = e->item;
        __builtin_prefetch(&s->rb->layer[s->rb->ids[id].start]);
    } else {
        const struct tag_instance *ti = &s->h->inst[e->item];
        __builtin_prefetch(&s->inst_live[e->item]);
        id = s->h->repo_base[ti->repo] + ti->manifest;
    }
    __builtin_prefetch(&s->st[id]);
    __builtin_prefetch(&s->present[id]);
}

/* The pulls at instant t: each breaks when the policy's registry lacks what the natural
 * registry held then. */
static void check_pulls(struct pstate *s, int64_t t)
{
    const struct pull_index *px = s->o->pulls;
    for (; s->pull_next < px->n && px->p[s->pull_next].t_ns == t; s->pull_next++) {
        const struct replay_pull *pl = &px->p[s->pull_next];
        bool broken = pl->by_tag ? !s->inst_live[pl->target] : !s->present[pl->target];
        if (!broken) continue;
        int64_t at = pl->by_tag ? s->inst_gone_at[pl->target] : s->st[pl->target].gone_at;
        if (pl->by_tag && !at) {
            /* never live here: set again on a manifest this policy had deleted, with an older
             * time (no revival), so it went when its manifest did */
            const struct tag_instance *ti = &s->h->inst[pl->target];
            at = s->st[s->h->repo_base[ti->repo] + ti->manifest].gone_at;
        }
        struct replay_policy *o = s->out;
        xgrow((void **)&o->broken, &o->cap_broken, o->n_broken + 1, sizeof *o->broken);
        o->broken[o->n_broken++] = (struct replay_broken){(uint32_t)s->pull_next, at};
    }
}

static void replay_policy(struct pstate *s, const struct repo_times *rt)
{
    const struct history *h = s->h;
    const struct policy *p = s->p;
    const int64_t to = s->o->to_ns;
    size_t ei = 0, day = 0;
    int64_t day_end = s->first_day_ns + TIMEU_NS_PER_DAY;
    for (;;) {
        int64_t t_nat = ei < h->n_ev && h->ev[ei].t_ns <= to ? h->ev[ei].t_ns : NEVER;
        int64_t t_run = NEVER;
        for (size_t k = 0; k < p->n_tasks; k++)
            if (s->task_next[k] < t_run) t_run = s->task_next[k];
        if (t_run > to) t_run = NEVER;
        int64_t t_ret = s->timers.n && s->timers.v[0].t_ns <= to ? s->timers.v[0].t_ns : NEVER;
        int64_t t_day = day + 1 < s->n_days ? day_end : NEVER;
        const struct pull_index *px = s->o->pulls;
        int64_t t_pull = px && s->pull_next < px->n && px->p[s->pull_next].t_ns <= to ? px->p[s->pull_next].t_ns : NEVER;
        int64_t t = t_nat;
        if (t_run < t) t = t_run;
        if (t_ret < t) t = t_ret;
        if (t_day < t) t = t_day;
        if (t_pull < t) t = t_pull;
        if (t == NEVER) break;
        if (t == t_day) {
            /* a day's figures are those at its end, after its runs; events at midnight belong
             * to the next day */
            close_day(s, day++);
            progress_day(s->total_policy_days);
            day_end += TIMEU_NS_PER_DAY;
            sweep(s, t);
            continue;
        }
        while (ei < h->n_ev && h->ev[ei].t_ns == t) {
            if (ei + PREFETCH_FAR < h->n_ev) prefetch_far(s, &h->ev[ei + PREFETCH_FAR]);
            if (ei + PREFETCH_NEAR < h->n_ev) prefetch_near(s, &h->ev[ei + PREFETCH_NEAR]);
            apply_natural(s, &h->ev[ei++]);
        }
        while (s->timers.n && s->timers.v[0].t_ns == t) {
            struct timer tm = heap_pop(&s->timers);
            if (tm.gen == s->st[tm.id].gen && s->present[tm.id] && !s->st[tm.id].tags_on) {
                delete_manifest(s, tm.id, t, RDEL_RETENTION);
                cascade_from(s, tm.id, t);
            }
        }
        /* a pull sees the instant's natural events, not its runs (a run takes time) */
        if (t == t_pull) check_pulls(s, t);
        if (t == t_run) {
            /* tasks due at the same minute run in file order, each on what the last left */
            for (size_t k = 0; k < p->n_tasks; k++) {
                if (s->task_next[k] != t) continue;
                run_task(s, rt, k, t);
                s->task_next[k] = task_next_after(&p->tasks[k], t);
            }
        }
    }
    sweep(s, to);
    close_day(s, day);
    for (size_t r = 0; r < s->m->n_repos; r++) {
        const struct repo *rp = &s->m->repos[r];
        size_t base = h->repo_base[r];
        for (size_t i = 0; i < rp->n_manifests; i++)
            if (s->present[base + i]) s->out->repo_end_bytes[r] += rp->manifests[i].size_bytes;
    }
    /* per-repository blobs: mark each blob once per repository */
    const struct replay_blobs *rb = s->rb;
    uint32_t *seen = xcalloc(rb->n + 1, sizeof *seen);
    for (size_t r = 0; r < s->m->n_repos; r++) {
        const struct repo *rp = &s->m->repos[r];
        size_t base = h->repo_base[r];
        for (size_t i = 0; i < rp->n_manifests; i++) {
            size_t id = base + i;
            if (!s->present[id]) continue;
            for (uint32_t k = rb->ids[id].start; k < rb->ids[id + 1].start; k++) {
                uint32_t b = rb->layer[k];
                if (seen[b] == r + 1) continue;
                seen[b] = (uint32_t)r + 1;
                s->out->repo_end_bytes_dedup[r] += rb->size[b];
            }
        }
    }
    free(seen);
}

struct pool {
    const struct replay_shared *sh;
    const size_t *order;       /* which policy to hand out next */
    size_t n, next;
    pthread_mutex_t lock;
};

/* Replays one policy from start to end; its state lives only as long as that (so memory
 * holds one state per thread, not one per policy). */
static void replay_one(const struct replay_shared *sh, size_t i)
{
    struct pstate s;
    pstate_init(&s, sh->h, &sh->ps->p[i], sh->o, &sh->rr->pol[i], sh->rr);
    s.rb = sh->rb;
    s.gt = sh->gt;
    s.total_policy_days = (uint64_t)sh->rr->n_days * sh->ps->n;
    double t0 = timeu_thread_cpu_seconds();
    replay_policy(&s, sh->rt);
    sh->rr->pol[i].cpu_seconds = timeu_thread_cpu_seconds() - t0;
    pstate_free(&s);
}

static void *pool_worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t k = p->next < p->n ? p->next++ : p->n;
        pthread_mutex_unlock(&p->lock);
        if (k == p->n) return NULL;
        replay_one(p->sh, p->order[k]);
    }
}

static const struct manifest *manifest_by_id(const struct history *h, size_t id)
{
    uint32_t r = h->id_repo[id];
    return &h->m->repos[r].manifests[id - h->repo_base[r]];
}

static void build_replay_blobs(const struct history *h, struct replay_blobs *rb)
{
    const struct model *m = h->m;
    size_t n_ids = h->n_ids, n_blobs = m->n_blobs, total = 0;
    rb->ids = xcalloc(n_ids + 1, sizeof *rb->ids);
    /* each manifest's place in push order (the history's events are in time order) */
    uint32_t *rank = xmalloc((n_ids + 1) * sizeof *rank);
    for (size_t id = 0; id < n_ids; id++) rank[id] = UINT32_MAX;   /* never pushed: last */
    uint32_t n_pushed = 0;
    for (size_t k = 0; k < h->n_ev; k++)
        if (h->ev[k].kind == HEV_PUSH && rank[h->ev[k].item] == UINT32_MAX) rank[h->ev[k].item] = n_pushed++;
    /* each blob's first push: the earliest rank among the manifests that have it (one walk in
     * id order, which is the model's own order) */
    uint32_t *first = xmalloc((n_blobs + 1) * sizeof *first);
    for (size_t b = 0; b < n_blobs; b++) first[b] = UINT32_MAX;
    for (size_t id = 0; id < n_ids; id++) {
        const struct manifest *mf = manifest_by_id(h, id);
        rb->ids[id].start = (uint32_t)total;
        rb->ids[id].repo = h->id_repo[id];
        rb->ids[id].size = mf->size_bytes;
        total += mf->n_layers;
        for (uint32_t j = 0; j < mf->n_layers; j++)
            if (rank[id] < first[mf->layers[j]]) first[mf->layers[j]] = rank[id];
    }
    rb->ids[n_ids].start = (uint32_t)total;
    /* number blobs by first push (a counting sort; ties and unpushed blobs in model order) */
    size_t *at = xcalloc((size_t)n_pushed + 2, sizeof *at);
    for (size_t b = 0; b < n_blobs; b++) at[first[b] == UINT32_MAX ? n_pushed + 1 : first[b] + 1]++;
    for (size_t r = 1; r <= (size_t)n_pushed + 1; r++) at[r] += at[r - 1];
    uint32_t *number = xmalloc((n_blobs + 1) * sizeof *number);   /* model blob -> replay blob */
    rb->size = xmalloc((n_blobs + 1) * sizeof *rb->size);
    for (size_t b = 0; b < n_blobs; b++) {
        size_t slot = first[b] == UINT32_MAX ? n_pushed : first[b];
        number[b] = (uint32_t)at[slot]++;
        rb->size[number[b]] = m->blobs[b].size_bytes;
    }
    rb->n = n_blobs;
    rb->layer = xmalloc((total + 1) * sizeof *rb->layer);
    for (size_t id = 0; id < n_ids; id++) {
        const struct manifest *mf = manifest_by_id(h, id);
        for (uint32_t j = 0; j < mf->n_layers; j++) rb->layer[rb->ids[id].start + j] = number[mf->layers[j]];
    }
    free(at);
    free(number);
    free(first);
    free(rank);
}

/* The half of the shared setup a second thread builds: the blob table and the update times. */
struct setup_job {
    const struct history *h;
    struct repo_times *rt;
    struct global_times *gt;
    struct replay_blobs rb;
};

static void *setup_thread(void *arg)
{
    struct setup_job *j = arg;
    build_replay_blobs(j->h, &j->rb);
    build_time_index(j->h, false, j->rt, j->gt);
    return NULL;
}

int replay_run(const struct history *h, const struct policy_set *ps, const struct replay_opts *o,
               struct replay_result *out)
{
    memset(out, 0, sizeof *out);
    out->h = h;
    out->from_ns = o->from_ns;
    out->to_ns = o->to_ns;
    out->acct_from_ns = o->acct_from_ns;
    out->acct_to_ns = o->acct_to_ns;
    out->first_day_ns = (o->from_ns / TIMEU_NS_PER_DAY) * TIMEU_NS_PER_DAY;
    if (out->first_day_ns > o->from_ns) out->first_day_ns -= TIMEU_NS_PER_DAY;
    if (o->days_from_ns > o->from_ns && o->days_from_ns <= o->to_ns) out->first_day_ns = o->days_from_ns;
    out->n_days = (size_t)((o->to_ns - out->first_day_ns) / TIMEU_NS_PER_DAY) + 1;
    out->dedup_known = model_layers_known(h->m);
    out->n_pol = ps->n;
    out->pol = xcalloc(ps->n + 1, sizeof *out->pol);
    double setup_start = timeu_wall_seconds();
    /* the blob table on a second thread while this one builds the time indexes */
    struct repo_times *rt = xcalloc(h->m->n_repos + 1, sizeof *rt);
    struct global_times gt;
    struct setup_job sj = {h, rt, &gt, {0}};
    pthread_t st;
    bool st_started = o->jobs > 1 && pthread_create(&st, NULL, setup_thread, &sj) == 0;
    if (!st_started) setup_thread(&sj);
    build_time_index(h, true, rt, &gt);
    if (st_started) pthread_join(st, NULL);
    struct replay_blobs rb = sj.rb;
    out->setup_seconds = timeu_wall_seconds() - setup_start;
    struct replay_shared sh = {h, ps, o, out, rt, &gt, &rb};
    /* policies are independent: `jobs` threads take the next one from a shared counter; each
     * writes only its own result, so the output is the same whatever the thread count.
     * Policies that run something go first, those that only follow the history (the
     * baseline) last: they are the quick ones, and fill in while the others finish. */
    size_t *order = xcalloc(ps->n + 1, sizeof *order), n_order = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ps->n; i++)
            if ((ps->p[i].n_tasks > 0 || ps->p[i].retention) == (pass == 0)) order[n_order++] = i;
    struct pool pool = {&sh, order, ps->n, 0, PTHREAD_MUTEX_INITIALIZER};
    size_t width = o->jobs > 1 ? (size_t)o->jobs : 1;
    if (width > ps->n) width = ps->n;
    pthread_t *th = xcalloc(width + 1, sizeof *th);
    bool *started = xcalloc(width + 1, sizeof *started);
    for (size_t w = 1; w < width; w++) started[w] = pthread_create(&th[w], NULL, pool_worker, &pool) == 0;
    pool_worker(&pool);   /* this thread works too; a thread that could not start is not missed */
    for (size_t w = 1; w < width; w++)
        if (started[w]) pthread_join(th[w], NULL);
    free(th);
    free(started);
    free(order);
    free(rb.ids);
    free(rb.layer);
    free(rb.size);
    for (size_t r = 0; r < h->m->n_repos; r++) {
        free(rt[r].thresholds);
        free(rt[r].updates);
    }
    free(rt);
    free(gt.thresholds);
    free(gt.updates);
    progress_done();
    return PS_OK;
}

void replay_result_free(struct replay_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_pol; i++) {
        struct replay_policy *p = &r->pol[i];
        free(p->days);
        free(p->del);
        free(p->fail);
        free(p->broken);
        free(p->repo_end_bytes);
        free(p->repo_end_bytes_dedup);
        free(p->repo_byte_days);
    }
    free(r->pol);
    memset(r, 0, sizeof *r);
}
