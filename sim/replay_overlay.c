/* replay_overlay.c - the policy's registry (the overlay of sim/REPLAY.md) and every way it
 * changes: natural pushes, tag moves and removals, deletions by runs with the registry's
 * cascade, revivals, retention expiries and the soft-delete sweep, each keeping the storage
 * figures and the run-skipping change counts up to date. */
#include "replay_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "timeu.h"

/* ---- the queue of retention timers ------------------------------------------------- */

static bool timer_less(const struct timer *a, const struct timer *b)
{
    if (a->t_ns != b->t_ns) return a->t_ns < b->t_ns;
    return a->id < b->id;
}

/* Appends a timer; one set out of order (not expected: the replay's clock only moves forward
 * and a policy has one delay) is moved back to its place, so the queue stays in time order. */
static void timer_push(struct timer_queue *q, struct timer t)
{
    if (q->head > 4096 && q->head * 2 > q->n) {   /* what came due is done with: reuse its room */
        memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof *q->v);
        q->n -= q->head;
        q->head = 0;
    }
    xgrow((void **)&q->v, &q->cap, q->n + 1, sizeof *q->v);
    size_t i = q->n++;
    while (i > q->head && q->v[i - 1].t_ns > t.t_ns) {
        q->v[i] = q->v[i - 1];
        i--;
    }
    q->v[i] = t;
}

/* The timers due at t (the queue's front run), in manifest order: moved to the front of the
 * run and sorted there; returns how many. */
static size_t timers_due(struct timer_queue *q, int64_t t)
{
    size_t n = 0;
    while (q->head + n < q->n && q->v[q->head + n].t_ns == t) n++;
    struct timer *v = q->v + q->head;
    for (size_t i = 1; i < n; i++) {   /* insertion sort: nearly always few, often in order */
        struct timer x = v[i];
        size_t j = i;
        while (j > 0 && timer_less(&x, &v[j - 1])) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    return n;
}

/* ---- the overlay ------------------------------------------------------------------ */

/* Every change of a repository's state goes through here: runs look only at what changed
 * (replay_skip.c). */
static void bump(struct pstate *s, uint32_t r)
{
    struct skip_state *sk = &s->skip;
    sk->repo_changes[r]++;
    /* a policy without tasks never reads the log; an entry no run has read yet is read by
       every task's next run, so a second one would tell them nothing more */
    if (!s->p->n_tasks || sk->logged[r] > sk->log_read) return;
    xgrow((void **)&sk->change_log, &sk->cap_log, sk->n_log + 1, sizeof *sk->change_log);
    sk->change_log[sk->n_log++] = r;
    sk->logged[r] = sk->n_log;
}

/* The present bit with, per repository, a list of the present manifests, so a run costs what is
 * present rather than everything ever pushed. A manifest that goes stays in the list until
 * the next run there drops it (replay.c, build_views), which also puts the new ones in order:
 * taking it out at once would cost a random write per deletion. */
static void set_present(struct pstate *s, size_t id)
{
    uint32_t r = s->rb->ids[id].repo;
    s->reg.st[id].present = 1;
    if (s->reg.st[id].in_list) return;   /* gone and back before a run dropped it */
    s->reg.st[id].in_list = 1;
    xgrow((void **)&s->reg.repo_pres[r], &s->reg.repo_cap_pres[r], s->reg.repo_n_pres[r] + 1, sizeof **s->reg.repo_pres);
    s->reg.repo_pres[r][s->reg.repo_n_pres[r]++] = (uint32_t)(id - s->h->repo_base[r]);
}

static void clear_present(struct pstate *s, size_t id)
{
    s->reg.st[id].present = 0;
}

static const struct manifest *manifest_of(const struct pstate *s, size_t id)
{
    uint32_t r = s->rb->ids[id].repo;
    return &s->m->repos[r].manifests[id - s->h->repo_base[r]];
}

static void blobs_add(struct pstate *s, size_t id, uint32_t *refs, uint64_t *total, int delta)
{
    /* without soft delete, billed blobs are the live ones: one count serves both */
    replay_blobs_count(s->rb, id, refs, total, delta);
}

/* Retention: a manifest that lost its last tag at t goes `days` later (data/pricing/README.md). */
static void became_untagged(struct pstate *s, size_t id, int64_t t)
{
    const struct policy *p = s->p;
    if (!p->retention) return;
    int64_t enabled = p->retention_enabled_at_set ? p->retention_enabled_at_ns : s->o->from_ns;
    if (t < enabled) return;
    /* index children and referrers go with their parent or subject, not on their own timer;
     * a locked manifest gets none unless a later snapshot unlocks it (checked when it is due);
     * the locks as history_manifest_locks_at() has them, from the shared facts */
    const struct history *h = s->h;
    uint8_t facts = s->rb->facts[id];
    if (facts & REPLAY_NO_TIMER) return;
    bool del = facts & REPLAY_DELETE_ENABLED;
    if (h->mlock_since_ns && t < h->mlock_since_ns[id]) del = h->mlock_before[id] & 1;
    bool unlocked_later = h->mlock_since_ns && h->mlock_since_ns[id] > t;
    if (!del && !unlocked_later) return;
    struct timer tm = {t + p->retention_days * TIMEU_NS_PER_DAY, (uint32_t)id, ++s->reg.st[id].gen};
    timer_push(&s->timers, tm);
}

static void live_add(struct pstate *s, size_t inst)
{
    const struct replay_inst ti = s->rb->inst[inst];
    xgrow((void **)&s->reg.repo_live[ti.repo], &s->reg.repo_cap_live[ti.repo], s->reg.repo_n_live[ti.repo] + 1,
          sizeof **s->reg.repo_live);
    s->reg.inst_pos[inst] = (uint32_t)s->reg.repo_n_live[ti.repo];
    s->reg.repo_live[ti.repo][s->reg.repo_n_live[ti.repo]++] = (uint32_t)inst;
    if (s->reg.st[ti.id].tags_on++ == 0) s->reg.repo_tagged[ti.repo]++;
    bump(s, ti.repo);
}

static void live_remove(struct pstate *s, size_t inst, int64_t t)
{
    const struct replay_inst ti = s->rb->inst[inst];
    uint32_t *list = s->reg.repo_live[ti.repo];
    size_t pos = s->reg.inst_pos[inst], last = --s->reg.repo_n_live[ti.repo];
    list[pos] = list[last];
    s->reg.inst_pos[list[pos]] = (uint32_t)pos;
    s->reg.inst_pos[inst] = INST_NOT_LIVE;
    if (s->reg.inst_gone_at) s->reg.inst_gone_at[inst] = t;
    bump(s, ti.repo);
    size_t id = ti.id;
    if (--s->reg.st[id].tags_on == 0) {
        s->reg.repo_tagged[ti.repo]--;
        if (s->reg.st[id].present) became_untagged(s, id, t);
    }
}

static void record(struct pstate *s, int64_t t, uint32_t repo, uint32_t item, enum replay_del_kind kind)
{
    struct replay_policy *o = s->out;
    s->run.deletions++;
    const struct replay_keep *keep = s->o->keep;
    if (keep && (!keep->ids || !(kind == RDEL_TAG ? keep->inst[item] : keep->ids[s->h->repo_base[repo] + item]))) return;
    xgrow((void **)&o->del, &o->cap_del, o->n_del + 1, sizeof *o->del);
    o->del[o->n_del].t_ns = t;
    o->del[o->n_del].repo = repo;
    o->del[o->n_del].item = item;
    o->del[o->n_del].kind = (uint8_t)kind;
    o->n_del++;
}

static void delete_manifest(struct pstate *s, size_t id, int64_t t, enum replay_del_kind kind)
{
    if (!s->reg.st[id].present) return;
    const uint64_t size = s->rb->ids[id].size;
    uint32_t r = s->rb->ids[id].repo;
    clear_present(s, id);
    s->reg.st[id].gone = 1;
    s->reg.gone_at[id] = t;
    bump(s, r);
    s->bytes.stored -= size;
    s->bytes.repo[r] -= size;
    blobs_add(s, id, s->bytes.blob_live, &s->bytes.stored_dedup, -1);
    if (s->p->soft_delete) {
        /* billed until the first daily sweep after N days */
        int64_t due = t + s->p->soft_delete_days * TIMEU_NS_PER_DAY;
        int64_t sweep = (due / TIMEU_NS_PER_DAY) * TIMEU_NS_PER_DAY;
        if (sweep < due) sweep += TIMEU_NS_PER_DAY;
        xgrow((void **)&s->bin.v, &s->bin.cap, s->bin.n + 1, sizeof *s->bin.v);
        s->bin.v[s->bin.n].sweep_ns = sweep;
        s->bin.v[s->bin.n].gen = ++s->reg.soft_gen[id];
        s->bin.v[s->bin.n++].id = (uint32_t)id;
        s->reg.st[id].soft_pending = 1;
        s->bytes.soft += size;
    } else {
        blobs_add(s, id, s->bytes.blob_billed, &s->bytes.billed_dedup, -1);
    }
    /* deleting a manifest removes its tags (not reported as tag deletions); most have none
     * left by now, the run's tag phase having deleted them first */
    uint32_t *list = s->reg.repo_live[r];
    for (size_t k = s->reg.repo_n_live[r]; k-- > 0 && s->reg.st[id].tags_on;) {
        size_t inst = list[k];
        if (s->rb->inst[inst].id == id) live_remove(s, inst, t);
    }
    record(s, t, r, (uint32_t)(id - s->h->repo_base[r]), kind);
    if (kind == RDEL_CASCADE) s->cur.cascade_deleted++, s->out->cascade_deleted++;
    else s->cur.manifests_deleted++, s->out->manifests_deleted++;
    if (kind == RDEL_RETENTION) s->cur.retention_deleted++;
}

/* The registry deletes referrers of a deleted manifest, recursively, locks or not. */
static void cascade_from(struct pstate *s, size_t id, int64_t t)
{
    const struct history *h = s->h;
    for (uint32_t k = h->ref_start[id]; k < h->ref_start[id + 1]; k++) {
        uint32_t ref = h->ref_ids[k];
        if (!s->reg.st[ref].present) continue;
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
    s->reg.st[id].gone = 0;
    set_present(s, id);
    s->reg.upd_override[id] = t;
    s->reg.repo_overridden[r] = 1;
    bump(s, r);
    s->bytes.stored += size;
    s->bytes.repo[r] += size;
    blobs_add(s, id, s->bytes.blob_live, &s->bytes.stored_dedup, +1);
    if (s->reg.st[id].soft_pending) {
        /* restored from soft delete: its blobs never stopped being billed */
        s->reg.st[id].soft_pending = 0;
        s->bytes.soft -= size;
    } else {
        blobs_add(s, id, s->bytes.blob_billed, &s->bytes.billed_dedup, +1);
    }
}

/* A later snapshot no longer has the manifest: someone deleted it, whatever the policy.
 * Natural removals leave every policy's registry alike, at once (no soft delete modelled). */
static void natural_remove(struct pstate *s, size_t id, int64_t t)
{
    if (!s->reg.st[id].present) return;
    const uint64_t size = s->rb->ids[id].size;
    uint32_t r = s->rb->ids[id].repo;
    uint32_t *list = s->reg.repo_live[r];
    for (size_t k = s->reg.repo_n_live[r]; k-- > 0 && s->reg.st[id].tags_on;)
        if (s->rb->inst[list[k]].id == id) live_remove(s, list[k], t);
    clear_present(s, id);
    bump(s, r);
    s->bytes.stored -= size;
    s->bytes.repo[r] -= size;
    blobs_add(s, id, s->bytes.blob_live, &s->bytes.stored_dedup, -1);
    blobs_add(s, id, s->bytes.blob_billed, &s->bytes.billed_dedup, -1);
}

static void apply_natural(struct pstate *s, const struct hist_event *e)
{
    const struct history *h = s->h;
    if (e->kind == HEV_REMOVE) {
        natural_remove(s, e->item, e->t_ns);
        return;
    }
    if (e->kind == HEV_TOUCH) {
        /* its digest pushed again while it stayed (a later snapshot's lastUpdateTime): back
         * where this policy had deleted it before then */
        size_t id = e->item;
        if (!s->o->tag_delete_touches_manifest && s->reg.st[id].gone && e->t_ns > s->reg.gone_at[id])
            revive(s, id, e->t_ns);
        return;
    }
    if (e->kind == HEV_PUSH) {
        size_t id = e->item;
        if (s->reg.st[id].gone) {
            revive(s, id, e->t_ns);   /* pushed again after this policy deleted it */
            return;
        }
        if (s->reg.st[id].present) return;
        const uint64_t size = s->rb->ids[id].size;
        set_present(s, id);
        bump(s, s->rb->ids[id].repo);
        s->bytes.stored += size;
        s->bytes.repo[s->rb->ids[id].repo] += size;
        blobs_add(s, id, s->bytes.blob_live, &s->bytes.stored_dedup, +1);
        blobs_add(s, id, s->bytes.blob_billed, &s->bytes.billed_dedup, +1);
        if (s->reg.st[id].tags_on == 0) became_untagged(s, id, e->t_ns);
        return;
    }
    size_t id = s->rb->inst[e->item].id;
    if (e->kind == HEV_TAG_SET) {
        /* a tag pushed onto a manifest this policy deleted, after the deletion, pushes the
         * manifest again (a rollback or promotion); an older tag is lost with it */
        const struct tag_instance *ti = &h->inst[e->item];
        if (s->reg.st[id].gone && ti->updated_state == TIME_OK && ti->updated_ns > s->reg.gone_at[id]) revive(s, id, e->t_ns);
        if (!s->reg.st[id].gone && !replay_inst_live(&s->reg, e->item)) live_add(s, e->item);
    } else if (replay_inst_live(&s->reg, e->item)) {
        live_remove(s, e->item, e->t_ns);
    }
}

/* Events come in time order, so the manifests they touch are spread over the whole id range:
 * asking for an event's state some events ahead hides most of the cache misses. Two steps:
 * far ahead what locates the state (the tag instance, the manifest's record), nearer what
 * that record points at (the policy's state, the layers). */
#define PREFETCH_FAR 24
#define PREFETCH_NEAR 12

PREFETCH_HELPER void prefetch_far(const struct pstate *s, const struct hist_event *e)
{
    if (e->kind == HEV_PUSH || e->kind == HEV_REMOVE || e->kind == HEV_TOUCH) __builtin_prefetch(&s->rb->ids[e->item]);
    else __builtin_prefetch(&s->rb->inst[e->item]);
}

PREFETCH_HELPER void prefetch_near(const struct pstate *s, const struct hist_event *e)
{
    size_t id;
    if (e->kind == HEV_PUSH || e->kind == HEV_REMOVE || e->kind == HEV_TOUCH) {
        id = e->item;
        __builtin_prefetch(&s->rb->layer[s->rb->ids[id].start]);
    } else {
        __builtin_prefetch(&s->reg.inst_pos[e->item]);
        id = s->rb->inst[e->item].id;
    }
    __builtin_prefetch(&s->reg.st[id]);
    if (s->p->retention) __builtin_prefetch(&s->rb->facts[id]);   /* read when it loses its last tag */
}

/* ---- what the driver calls ---------------------------------------------------------- */

/* A policy that never deletes holds the natural registry: of the natural events, only pushes
 * and removals change what it stores. */
static void play_storage_only(struct pstate *s, size_t *ei, int64_t t)
{
    const struct history *h = s->h;
    size_t k = *ei;
    for (; k < h->n_ev && h->ev[k].t_ns == t; k++) {
        /* asked for ahead whatever this event is: tag events, which it skips, are more than
         * half of the history, and a push after one would otherwise come in unasked */
        if (k + PREFETCH_FAR < h->n_ev && h->ev[k + PREFETCH_FAR].kind == HEV_PUSH)
            __builtin_prefetch(&s->rb->ids[h->ev[k + PREFETCH_FAR].item]);
        if (k + PREFETCH_NEAR < h->n_ev && h->ev[k + PREFETCH_NEAR].kind == HEV_PUSH)
            prefetch_near(s, &h->ev[k + PREFETCH_NEAR]);
        const struct hist_event *e = &h->ev[k];
        if (e->kind == HEV_PUSH || e->kind == HEV_REMOVE) apply_natural(s, e);
    }
    *ei = k;
}

void replay_play_natural(struct pstate *s, size_t *ei, int64_t t)
{
    const struct history *h = s->h;
    if (s->storage_only) {
        play_storage_only(s, ei, t);
        return;
    }
    size_t k = *ei;
    while (k < h->n_ev && h->ev[k].t_ns == t) {
        if (k + PREFETCH_FAR < h->n_ev) prefetch_far(s, &h->ev[k + PREFETCH_FAR]);
        if (k + PREFETCH_NEAR < h->n_ev) prefetch_near(s, &h->ev[k + PREFETCH_NEAR]);
        apply_natural(s, &h->ev[k++]);
    }
    *ei = k;
}

/* Timers come due in queue order, a few at each instant: the state of those some places
 * behind the front is asked for ahead, as for natural events (the records, then the shared
 * layer numbers they point at). */
#define TIMER_PREFETCH_FAR 16
#define TIMER_PREFETCH_NEAR 8

PREFETCH_HELPER void prefetch_timer(const struct pstate *s, size_t at, bool near)
{
    const struct timer_queue *q = &s->timers;
    if (at >= q->n) return;
    size_t id = q->v[at].id;
    if (!near) {
        __builtin_prefetch(&s->rb->ids[id]);
        __builtin_prefetch(&s->reg.st[id]);
        return;
    }
    __builtin_prefetch(&s->rb->layer[s->rb->ids[id].start]);   /* the shared layers' numbers */
}

void replay_expire_retention(struct pstate *s, int64_t t)
{
    size_t due = timers_due(&s->timers, t);
    for (size_t k = 0; k < due; k++) {
        prefetch_timer(s, s->timers.head + TIMER_PREFETCH_FAR, false);
        prefetch_timer(s, s->timers.head + TIMER_PREFETCH_NEAR, true);
        struct timer tm = s->timers.v[s->timers.head++];
        bool del = true, wr;
        if (s->h->mlock_since_ns) history_manifest_locks_at(s->h, manifest_of(s, tm.id), tm.id, t, &del, &wr);
        if (tm.gen == s->reg.st[tm.id].gen && s->reg.st[tm.id].present && !s->reg.st[tm.id].tags_on && del) {
            delete_manifest(s, tm.id, t, RDEL_RETENTION);
            cascade_from(s, tm.id, t);
        }
    }
}

void replay_sweep(struct pstate *s, int64_t t)
{
    while (s->bin.head < s->bin.n && s->bin.v[s->bin.head].sweep_ns <= t) {
        const struct soft_entry *se = &s->bin.v[s->bin.head];
        if (!s->reg.st[se->id].soft_pending || se->gen != s->reg.soft_gen[se->id]) {
            s->bin.head++;   /* revived since, or deleted again later: a later entry covers it */
            continue;
        }
        s->reg.st[se->id].soft_pending = 0;
        s->bytes.soft -= s->rb->ids[se->id].size;
        blobs_add(s, se->id, s->bytes.blob_billed, &s->bytes.billed_dedup, -1);
        s->bin.head++;
    }
}

void replay_delete_tag(struct pstate *s, size_t inst, int64_t t)
{
    const struct replay_inst ti = s->rb->inst[inst];
    live_remove(s, inst, t);
    if (s->o->tag_delete_touches_manifest) s->reg.upd_override[ti.id] = t;
    record(s, t, ti.repo, (uint32_t)inst, RDEL_TAG);
    s->cur.tags_deleted++;
    s->out->tags_deleted++;
}

void replay_delete_manifest(struct pstate *s, size_t id, int64_t t, enum replay_del_kind kind)
{
    delete_manifest(s, id, t, kind);
}
