/* replay.c - the replay's driver: one clock per policy over the window, taking in time order
 * the natural events, retention expiries, pulls, scheduled runs and day ends; each run asks
 * the engine (purge.c) what it deletes from the policy's registry as it is then, and applies
 * that. Policies replay in parallel threads, each writing only its own result. The rest of the
 * replay: replay_overlay.c (how the registry changes), replay_skip.c (which repositories a run
 * need visit), replay_blobs.c (blob numbering), replay_state.c (a policy's state). */
#include "replay.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "progress.h"
#include "purge.h"
#include "radix.h"
#include "replay_internal.h"
#include "timeu.h"

/* ---- purge runs ------------------------------------------------------------------ */

/* Rollback depth: a run that left a repository with fewer tagged manifests (versions one can
 * roll back to) than it found leaves it with how many? The fewest ever is the policy's depth.
 * A run that deletes a tag whose manifest keeps another takes no version away. */
static void note_rollback_depth(struct pstate *s, size_t nv, int64_t t)
{
    for (size_t v = 0; v < nv; v++) {
        uint32_t r = s->run.view_repo[v];
        size_t now = s->reg.repo_tagged[r];
        if (now >= s->run.tagged_before[v] || now >= s->out->rollback_depth) continue;
        s->out->rollback_depth = now;
        s->out->rollback_at = t;
        s->out->rollback_repo = r;
    }
}

/* Makes repository r's present list exactly its present manifests, in index order, and
 * returns how many: drops those gone since the last run here, and merges in the new ones
 * (appended since, in push order) with the rest, which the last run left in order. */
static size_t present_list_tidy(struct pstate *s, uint32_t r)
{
    uint32_t *pres = s->reg.repo_pres[r];
    size_t base = s->h->repo_base[r], n = 0, np = s->reg.repo_n_pres[r];
    for (size_t k = 0; k < np; k++) {
        uint32_t i = pres[k];
        if (s->reg.st[base + i].present) pres[n++] = i;
        else s->reg.st[base + i].in_list = 0;
    }
    s->reg.repo_n_pres[r] = n;
    size_t sorted = n ? 1 : 0;
    while (sorted < n && pres[sorted - 1] < pres[sorted]) sorted++;
    if (sorted == n) return n;
    radix_sort_u32(pres + sorted, n - sorted);
    if (pres[sorted - 1] < pres[sorted]) return n;
    /* merge the two sorted runs from the back, the second (the new ones, usually few) copied
     * out first: what is written never overtakes what of the first is still to be read */
    size_t n_new = n - sorted;
    xgrow((void **)&s->run.merge_buf, &s->run.cap_merge, n_new, sizeof *s->run.merge_buf);
    uint32_t *b = s->run.merge_buf;
    memcpy(b, pres + sorted, n_new * sizeof *b);
    size_t i = sorted, j = n_new, out = n;
    while (i > 0 && j > 0) pres[--out] = pres[i - 1] > b[j - 1] ? pres[--i] : b[--j];
    while (j > 0) pres[--out] = b[--j];
    return n;
}

/* What building the views reads is asked for ahead of it, across repositories: a repository
 * holds a few present manifests and live tags, so asking a few entries ahead within one would
 * come too late. The cursor walks the run's repositories' entries some way ahead of the
 * building (far enough for the misses to overlap, near enough that what it asked for is still
 * in cache when it is read), and asks for the repositories' lists further ahead still. */
#define VIEW_PREFETCH_ENTRIES 96
#define VIEW_PREFETCH_LISTS 8

struct view_prefetch {
    size_t v, k;               /* the next entry to ask for: view v's k-th */
    size_t issued;             /* entries asked for so far */
};

PREFETCH_HELPER void prefetch_lists(const struct pstate *s, size_t v, size_t nv)
{
    if (v >= nv) return;
    uint32_t r = s->run.view_repo[v];
    __builtin_prefetch(s->reg.repo_pres[r]);
    __builtin_prefetch(s->reg.repo_live[r]);
}

/* Asks for entries until `upto` have been (an entry: a present-list entry's manifest state, or
 * a live tag's record). */
PREFETCH_HELPER void prefetch_views(const struct pstate *s, size_t nv, struct view_prefetch *pf, size_t upto)
{
    const struct history *h = s->h;
    while (pf->issued < upto && pf->v < nv) {
        uint32_t r = s->run.view_repo[pf->v];
        if (pf->k == 0) prefetch_lists(s, pf->v + VIEW_PREFETCH_LISTS, nv);
        size_t np = s->reg.repo_n_pres[r], n_live = s->reg.repo_n_live[r];
        if (pf->k < np) {
            size_t id = h->repo_base[r] + s->reg.repo_pres[r][pf->k];
            __builtin_prefetch(&s->reg.st[id]);
            __builtin_prefetch(&s->rb->brief[id]);
            __builtin_prefetch(&s->rb->upd[id]);
        } else if (pf->k < np + n_live) {
            __builtin_prefetch(&h->inst[s->reg.repo_live[r][pf->k - np]]);
        }
        pf->issued++;
        if (++pf->k >= np + n_live) {
            pf->v++;
            pf->k = 0;
        }
    }
}

/* Fills one engine view per repository of s->run.view_repo (nv of them, n_tags live tags in
 * all): the repository as the policy's registry holds it at t. */
static void build_views(struct pstate *s, size_t nv, size_t n_tags, int64_t t)
{
    const struct history *h = s->h;
    struct view_prefetch pf = {0, 0, 0};
    size_t built = 0;   /* entries read so far */
    for (size_t v = 0; v < VIEW_PREFETCH_LISTS; v++) prefetch_lists(s, v, nv);
    xgrow((void **)&s->run.views, &s->run.cap_views, nv, sizeof *s->run.views);
    xgrow((void **)&s->run.view_tag_off, &s->run.cap_view_off, nv, sizeof *s->run.view_tag_off);
    xgrow((void **)&s->run.tag_buf, &s->run.cap_tag_buf, n_tags + 1, sizeof *s->run.tag_buf);
    xgrow((void **)&s->run.tag_inst, &s->run.cap_tag_inst, n_tags + 1, sizeof *s->run.tag_inst);
    size_t to = 0;
    for (size_t v = 0; v < nv; v++) {
        uint32_t r = s->run.view_repo[v];
        const struct repo *rp = &s->m->repos[r];
        size_t base = h->repo_base[r];
        built += s->reg.repo_n_pres[r] + s->reg.repo_n_live[r];
        prefetch_views(s, nv, &pf, built + VIEW_PREFETCH_ENTRIES);
        s->run.view_tag_off[v] = to;
        /* in the live list's order: the engine orders tags itself, by time and then name,
         * which is a total order (names are unique in a repository) */
        size_t n = s->reg.repo_n_live[r];
        for (size_t k = 0; k < n; k++) {
            size_t inst = s->reg.repo_live[r][k];
            history_tag_at(&h->inst[inst], t, &s->run.tag_buf[to + k]);
            s->run.tag_inst[to + k] = (uint32_t)inst;
        }
        /* the engine reads only present manifests, in index order, with their
         * lastUpdateTime as of now */
        size_t np = present_list_tidy(s, r);
        uint32_t *pres = s->reg.repo_pres[r];
        /* only a revival or a touched manifest has a time of the replay's own: in a repository
         * without either, their override times (a cache miss each) are not read */
        bool own_times = s->reg.repo_overridden[r] || s->o->tag_delete_touches_manifest;
        /* without those, and without several snapshots' values, the engine reads each time
         * from the shared record of its natural value over time: nothing to copy per run */
        bool natural = !own_times && !h->upd_start && !s->o->plain;
        s->run.views[v].upd_pair = natural ? &s->rb->upd[base] : NULL;
        s->run.views[v].upd_at_ns = t;
        s->run.views[v].updated_ns = natural ? NULL : &s->run.upd_now[base];
        for (size_t k = 0; k < np && (!natural || s->run.locks_now); k++) {
            size_t id = base + pres[k];
            /* the replay's own time (a revival, a tag deletion with the option) holds until
             * the natural history shows a later one: an update both worlds saw */
            int64_t u = own_times ? s->reg.upd_override[id] : NEVER;
            /* the plain replay reads the manifest itself: the differential test checks the
             * dense copies against it */
            int64_t nat = s->o->plain ? history_manifest_updated_at(h, &rp->manifests[pres[k]], id, t)
                                      : replay_natural_updated_at(h, s->rb, id, t);
            if (!natural) s->run.upd_now[id] = u == NEVER || (!(s->rb->brief[id] & REPLAY_UPD_UNREADABLE) && nat > u) ? nat : u;
            if (s->run.locks_now) {   /* several snapshots whose locks changed: as of now */
                bool del, wr;
                history_manifest_locks_at(h, &rp->manifests[pres[k]], id, t, &del, &wr);
                s->run.locks_now[id] = (uint8_t)(del | wr << 1);
            }
        }
        s->run.views[v].locks = s->run.locks_now ? &s->run.locks_now[base] : NULL;
        s->run.views[v].repo = rp;
        s->run.views[v].present = NULL;   /* the present list is exactly what is present */
        s->run.views[v].tags = &s->run.tag_buf[to];
        s->run.views[v].n_tags = n;
        s->run.views[v].present_list = pres;
        s->run.views[v].brief = s->o->plain ? NULL : &s->rb->brief[base];
        s->run.views[v].subject = s->o->plain ? NULL : &s->rb->subject[base];
        s->run.views[v].child_start = s->o->plain ? NULL : &s->rb->child_start[base];
        s->run.views[v].child = s->rb->child;
        s->run.views[v].name_printable = !s->o->plain && s->rb->repo_name_printable[r];
        s->run.views[v].n_present = np;
        to += n;
    }
}

/* The manifest a run's event deletes (SIZE_MAX: none). */
static size_t run_event_id(const struct pstate *s, const struct purge_event *e)
{
    if (e->kind != PEV_MANIFEST && e->kind != PEV_CASCADE) return SIZE_MAX;
    return s->h->repo_base[s->run.view_repo[e->repo]] + e->item;
}

/* Deleting a manifest reads its record, its state and its shared layers' numbers, all at
 * random: asked for some deletions ahead, in two steps (the record first, then what it points
 * at). A tag's deletion reads its instance's entries. */
#define RUN_PREFETCH_FAR 16
#define RUN_PREFETCH_NEAR 8

PREFETCH_HELPER void prefetch_run_event(const struct pstate *s, const struct purge_event *e, bool near)
{
    if (e->kind == PEV_TAG) {
        if (near) return;
        size_t inst = s->run.tag_inst[s->run.view_tag_off[e->repo] + e->item];
        __builtin_prefetch(&s->reg.inst_pos[inst], 1);
        __builtin_prefetch(&s->rb->inst[inst]);
        return;
    }
    size_t id = run_event_id(s, e);
    if (id == SIZE_MAX) return;
    if (near) {
        /* its shared layers' numbers (their counters are few, and stay in cache) */
        __builtin_prefetch(&s->rb->layer[s->rb->ids[id].start]);
        return;
    }
    __builtin_prefetch(&s->rb->ids[id]);
    __builtin_prefetch(&s->reg.st[id], 1);
}

/* Applies the engine's deletions to the policy's registry, in the engine's order, and records
 * a failure: the real tool deletes as it goes, so a failing run keeps what it did before. */
static void apply_run(struct pstate *s, size_t task, const struct purge_result *res, int64_t t)
{
    const struct history *h = s->h;
    for (size_t k = 0; k < res->n_ev; k++) {
        if (k + RUN_PREFETCH_FAR < res->n_ev) prefetch_run_event(s, &res->ev[k + RUN_PREFETCH_FAR], false);
        if (k + RUN_PREFETCH_NEAR < res->n_ev) prefetch_run_event(s, &res->ev[k + RUN_PREFETCH_NEAR], true);
        const struct purge_event *e = &res->ev[k];
        size_t base = h->repo_base[s->run.view_repo[e->repo]];
        if (e->kind == PEV_TAG) {
            size_t inst = s->run.tag_inst[s->run.view_tag_off[e->repo] + e->item];
            /* gone already with a manifest this run deleted earlier */
            if (replay_inst_live(&s->reg, inst)) replay_delete_tag(s, inst, t);
        } else if (e->kind == PEV_MANIFEST) {
            replay_delete_manifest(s, base + e->item, t, RDEL_MANIFEST);
        } else if (e->kind == PEV_CASCADE) {
            replay_delete_manifest(s, base + e->item, t, RDEL_CASCADE);
        }
    }
    if (res->failed) {
        struct replay_policy *o = s->out;
        xgrow((void **)&o->fail, &o->cap_fail, o->n_fail + 1, sizeof *o->fail);
        o->fail[o->n_fail].t_ns = t;
        o->fail[o->n_fail].task = task;
        snprintf(o->fail[o->n_fail].error, sizeof o->fail[o->n_fail].error, "%s", res->error);
        o->n_fail++;
    }
}

/* One firing of one task at t: the repositories it need visit, the engine's selection there,
 * applied. */
static void run_task(struct pstate *s, size_t task, int64_t t)
{
    const struct policy_task *pt = &s->p->tasks[task];
    int64_t cutoff = purge_cutoff_ns(t, pt->rule.ago_ns);
    s->out->runs++;
    size_t n_tags = 0;
    replay_wait_times(s);
    size_t nv = replay_skip_select(s, task, t, cutoff, &n_tags);
    if (!nv) return;
    build_views(s, nv, n_tags, t);
    struct purge_result res;
    purge_run_views_scratch(s->run.views, nv, &pt->rule, t, &s->run.scratch, &res);
    size_t deletions_before = s->run.deletions;
    xgrow((void **)&s->run.tagged_before, &s->run.cap_tagged_before, nv, sizeof *s->run.tagged_before);
    for (size_t v = 0; v < nv; v++) s->run.tagged_before[v] = s->reg.repo_tagged[s->run.view_repo[v]];
    apply_run(s, task, &res, t);
    replay_skip_remember(s, task, nv, t, cutoff, res.failed);
    if (s->run.deletions - deletions_before > s->out->max_run_deletions)
        s->out->max_run_deletions = s->run.deletions - deletions_before;
    note_rollback_depth(s, nv, t);
    purge_result_free(&res);
}

/* ---- the clock ------------------------------------------------------------------ */

static void close_day(struct pstate *s, size_t day)
{
    struct replay_day *d = &s->out->days[day];
    *d = s->cur;
    d->day_ns = s->first_day_ns + (int64_t)day * TIMEU_NS_PER_DAY;
    d->stored_bytes = s->bytes.stored;
    d->stored_bytes_dedup = s->bytes.stored_dedup;
    d->soft_deleted_bytes = s->bytes.soft;
    d->soft_deleted_bytes_dedup = s->bytes.blob_billed ? s->bytes.billed_dedup - s->bytes.stored_dedup : 0;
    memset(&s->cur, 0, sizeof s->cur);
    if (replay_day_accounted(s->o->acct_from_ns, s->o->acct_to_ns, d->day_ns)) {
        for (size_t r = 0; r < s->m->n_repos; r++) s->out->repo_byte_days[r] += (double)s->bytes.repo[r];
        s->out->acct_days++;
    }
}

/* The pulls at instant t: each breaks when the policy's registry lacks what the natural
 * registry held then. */
static void check_pulls(struct pstate *s, int64_t t)
{
    const struct pull_index *px = s->o->pulls;
    for (; s->pull_next < px->n && px->p[s->pull_next].t_ns == t; s->pull_next++) {
        const struct replay_pull *pl = &px->p[s->pull_next];
        bool broken = pl->by_tag ? !replay_inst_live(&s->reg, pl->target) : !s->reg.st[pl->target].present;
        if (!broken) continue;
        int64_t at = pl->by_tag ? s->reg.inst_gone_at[pl->target] : s->reg.gone_at[pl->target];
        if (pl->by_tag && !at) {
            /* never live here: set again on a manifest this policy had deleted, with an older
             * time (no revival), so it went when its manifest did */
            const struct tag_instance *ti = &s->h->inst[pl->target];
            at = s->reg.gone_at[s->h->repo_base[ti->repo] + ti->manifest];
        }
        struct replay_policy *o = s->out;
        xgrow((void **)&o->broken, &o->cap_broken, o->n_broken + 1, sizeof *o->broken);
        o->broken[o->n_broken++] = (struct replay_broken){(uint32_t)s->pull_next, at};
    }
}

/* The next instant anything happens at (NEVER: nothing more in the window), and which kinds
 * happen then. */
struct next_instant {
    int64_t t, t_run, t_day, t_pull;
};

static struct next_instant next_instant(const struct pstate *s, size_t ei, size_t day, int64_t day_end)
{
    const struct history *h = s->h;
    const int64_t to = s->o->to_ns;
    int64_t t_nat = ei < h->n_ev && h->ev[ei].t_ns <= to ? h->ev[ei].t_ns : NEVER;
    int64_t t_run = NEVER;
    for (size_t k = 0; k < s->p->n_tasks; k++)
        if (s->tasks.next[k] < t_run) t_run = s->tasks.next[k];
    if (t_run > to) t_run = NEVER;
    const struct timer_queue *q = &s->timers;
    int64_t t_ret = q->head < q->n && q->v[q->head].t_ns <= to ? q->v[q->head].t_ns : NEVER;
    int64_t t_day = day + 1 < s->n_days ? day_end : NEVER;
    const struct pull_index *px = s->o->pulls;
    int64_t t_pull = px && s->pull_next < px->n && px->p[s->pull_next].t_ns <= to ? px->p[s->pull_next].t_ns : NEVER;
    int64_t t = t_nat;
    if (t_run < t) t = t_run;
    if (t_ret < t) t = t_ret;
    if (t_day < t) t = t_day;
    if (t_pull < t) t = t_pull;
    return (struct next_instant){t, t_run, t_day, t_pull};
}

/* The window's end: the last day closed, and what each repository holds then. */
static void end_window(struct pstate *s, size_t day)
{
    replay_sweep(s, s->o->to_ns);
    close_day(s, day);
    /* the imageSize bytes each repository holds are kept up to date by every change */
    memcpy(s->out->repo_end_bytes, s->bytes.repo, s->m->n_repos * sizeof *s->bytes.repo);
}

static void replay_policy(struct pstate *s)
{
    const struct policy *p = s->p;
    size_t ei = 0, day = 0;
    int64_t day_end = s->first_day_ns + TIMEU_NS_PER_DAY;
    for (;;) {
        struct next_instant nx = next_instant(s, ei, day, day_end);
        int64_t t = nx.t;
        if (t == NEVER) break;
        if (t == nx.t_day) {
            /* a day's figures are those at its end, after its runs; events at midnight belong
             * to the next day */
            close_day(s, day++);
            progress_day(s->total_policy_days);
            day_end += TIMEU_NS_PER_DAY;
            replay_sweep(s, t);
            continue;
        }
        replay_play_natural(s, &ei, t);
        replay_expire_retention(s, t);
        /* a pull sees the instant's natural events, not its runs (a run takes time) */
        if (t == nx.t_pull) check_pulls(s, t);
        if (t == nx.t_run) {
            /* tasks due at the same minute run in file order, each on what the last left */
            for (size_t k = 0; k < p->n_tasks; k++) {
                if (s->tasks.next[k] != t) continue;
                run_task(s, k, t);
                s->tasks.next[k] = replay_next_firing(&p->tasks[k], t);
            }
        }
    }
    end_window(s, day);
}

/* ---- policies in parallel --------------------------------------------------------- */

/* The jobs of one replay, taken by `jobs` threads from one list: first the shared tables (the
 * blob table in two halves, then the age thresholds and the update times, which read the
 * ids' half), then the policies. The blob numbering is the longest and goes first; a policy
 * starts as soon as both halves of the blob table are there, and its first run waits for the
 * time indexes if they are not: so the policies that run nothing (retention, the baseline)
 * fill the time the time indexes take to build, instead of every thread waiting for all of
 * them. */
enum { SETUP_BLOB_LAYERS, SETUP_BLOB_IDS, SETUP_AGES, SETUP_UPDATES, N_SETUP };

struct replay_shared {
    const struct history *h;
    const struct policy_set *ps;
    const struct replay_opts *o;
    struct replay_result *rr;
    struct replay_times times;
    struct replay_blobs rb;
    struct block_pool pool;    /* the policies' states' large arrays (its own lock) */
    double start;              /* wall clock at the replay's start */
    /* the pool: every field below under `lock` */
    pthread_mutex_t lock;
    pthread_cond_t built;      /* broadcast as each shared table is done */
    size_t next_setup, n_built, blob_halves;
    bool ids_ready, blobs_ready, times_ready;
    size_t *order;             /* the policies in the order they are handed out */
    bool *taken;               /* per entry of order */
    size_t n_order;
};

static void wait_for(struct replay_shared *sh, const bool *ready)
{
    pthread_mutex_lock(&sh->lock);
    while (!*ready) pthread_cond_wait(&sh->built, &sh->lock);
    pthread_mutex_unlock(&sh->lock);
}

/* A run needs the time indexes (replay_skip.c): called before each, cheap once they are. */
void replay_wait_times(struct pstate *s)
{
    if (s->times_ready) return;
    wait_for(s->shared, &s->shared->times_ready);
    s->times_ready = true;
}

static void build_shared(struct replay_shared *sh, size_t job)
{
    if (job == SETUP_AGES || job == SETUP_UPDATES) wait_for(sh, &sh->ids_ready);
    if (job == SETUP_AGES) replay_times_build(sh->h, &sh->rb, true, &sh->times.ages);
    else if (job == SETUP_BLOB_LAYERS) replay_blobs_build_layers(sh->h, &sh->rb);
    else if (job == SETUP_BLOB_IDS) replay_blobs_build_ids(sh->h, &sh->rb);
    else replay_times_build(sh->h, &sh->rb, false, &sh->times.updates);
    pthread_mutex_lock(&sh->lock);
    if (job == SETUP_BLOB_IDS) sh->ids_ready = true;
    if (job == SETUP_BLOB_LAYERS || job == SETUP_BLOB_IDS) sh->blobs_ready = ++sh->blob_halves == 2;
    if (++sh->n_built == N_SETUP) {
        sh->times_ready = true;
        sh->rr->setup_seconds = timeu_wall_seconds() - sh->start;
    }
    pthread_cond_broadcast(&sh->built);
    pthread_mutex_unlock(&sh->lock);
}

/* Replays one policy from start to end; its state lives only as long as that (so memory
 * holds one state per thread, not one per policy). */
static void replay_one(struct replay_shared *sh, size_t i)
{
    struct pstate s;
    replay_state_init(&s, sh->h, &sh->ps->p[i], sh->o, &sh->rr->pol[i], sh->rr, &sh->pool);
    wait_for(sh, &sh->blobs_ready);
    s.rb = &sh->rb;
    replay_state_blobs(&s);
    s.skip.times = &sh->times;
    s.shared = sh;
    s.total_policy_days = (uint64_t)sh->rr->n_days * sh->ps->n;
    double t0 = timeu_thread_cpu_seconds();
    replay_policy(&s);
    sh->rr->pol[i].cpu_seconds = timeu_thread_cpu_seconds() - t0;
    replay_state_free(&s);
}

/* The next policy to replay (SIZE_MAX: none left): in order, except that while the time
 * indexes are still being built, a policy that runs nothing (and so never needs them) goes
 * first. Called under the lock. */
static size_t take_policy(struct replay_shared *sh)
{
    size_t pick = SIZE_MAX;
    for (size_t k = 0; k < sh->n_order; k++) {
        if (sh->taken[k]) continue;
        if (pick == SIZE_MAX) pick = k;
        if (sh->times_ready) break;
        if (sh->ps->p[sh->order[k]].n_tasks == 0) {
            pick = k;
            break;
        }
    }
    if (pick == SIZE_MAX) return SIZE_MAX;
    sh->taken[pick] = true;
    return sh->order[pick];
}

static void *pool_worker(void *arg)
{
    struct replay_shared *sh = arg;
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        size_t setup = sh->next_setup < N_SETUP ? sh->next_setup++ : N_SETUP;
        size_t policy = setup == N_SETUP ? take_policy(sh) : SIZE_MAX;
        pthread_mutex_unlock(&sh->lock);
        if (setup < N_SETUP) build_shared(sh, setup);
        else if (policy != SIZE_MAX) replay_one(sh, policy);
        else return NULL;
    }
}

/* The result's window: the first day recorded, and how many. */
static void result_window(struct replay_result *out, const struct replay_opts *o)
{
    out->from_ns = o->from_ns;
    out->to_ns = o->to_ns;
    out->acct_from_ns = o->acct_from_ns;
    out->acct_to_ns = o->acct_to_ns;
    out->first_day_ns = (o->from_ns / TIMEU_NS_PER_DAY) * TIMEU_NS_PER_DAY;
    if (out->first_day_ns > o->from_ns) out->first_day_ns -= TIMEU_NS_PER_DAY;
    if (o->days_from_ns > o->from_ns && o->days_from_ns <= o->to_ns) out->first_day_ns = o->days_from_ns;
    out->n_days = (size_t)((o->to_ns - out->first_day_ns) / TIMEU_NS_PER_DAY) + 1;
}

/* Policies are independent: each writes only its own result, so the output is the same
 * whatever the thread count. Policies that run something are handed out first, those that
 * only follow the history (the baseline) last: they are the quick ones, and fill in while
 * the others finish. */
static void run_pool(struct replay_shared *sh, int jobs)
{
    const struct policy_set *ps = sh->ps;
    sh->order = xcalloc(ps->n + 1, sizeof *sh->order);
    sh->taken = xcalloc(ps->n + 1, sizeof *sh->taken);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ps->n; i++)
            if ((ps->p[i].n_tasks > 0 || ps->p[i].retention) == (pass == 0)) sh->order[sh->n_order++] = i;
    size_t width = jobs > 1 ? (size_t)jobs : 1;
    if (width > N_SETUP + ps->n) width = N_SETUP + ps->n;
    pthread_t *th = xcalloc(width + 1, sizeof *th);
    bool *started = xcalloc(width + 1, sizeof *started);
    for (size_t w = 1; w < width; w++) started[w] = pthread_create(&th[w], NULL, pool_worker, sh) == 0;
    pool_worker(sh);   /* this thread works too; a thread that could not start is not missed */
    for (size_t w = 1; w < width; w++)
        if (started[w]) pthread_join(th[w], NULL);
    free(th);
    free(started);
    free(sh->order);
    free(sh->taken);
}

int replay_run(const struct history *h, const struct policy_set *ps, const struct replay_opts *o,
               struct replay_result *out)
{
    memset(out, 0, sizeof *out);
    out->h = h;
    result_window(out, o);
    out->dedup_known = model_layers_known(h->m);
    out->n_pol = ps->n;
    out->pol = xcalloc(ps->n + 1, sizeof *out->pol);
    struct replay_shared sh;
    memset(&sh, 0, sizeof sh);
    sh.h = h;
    sh.ps = ps;
    sh.o = o;
    sh.rr = out;
    sh.start = timeu_wall_seconds();
    replay_blobs_alloc(h, &sh.rb);
    block_pool_init(&sh.pool);
    pthread_mutex_init(&sh.lock, NULL);
    pthread_cond_init(&sh.built, NULL);
    run_pool(&sh, o->jobs);
    pthread_cond_destroy(&sh.built);
    pthread_mutex_destroy(&sh.lock);
    replay_blobs_free(&sh.rb);
    block_pool_free(&sh.pool);
    replay_times_free(&sh.times.ages);
    replay_times_free(&sh.times.updates);
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
        free(p->repo_byte_days);
    }
    free(r->pol);
    memset(r, 0, sizeof *r);
}
