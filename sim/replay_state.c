/* replay_state.c - one policy's replay state: allocated empty (nothing present, no tag live:
 * the history's events fill it in), with each task's repositories and first firing, and freed
 * when the policy's replay ends. */
#include "replay_internal.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cron.h"

int64_t replay_next_firing(const struct policy_task *pt, int64_t after)
{
    int64_t best = NEVER;
    for (size_t c = 0; c < pt->n_crons; c++) {
        int64_t n = cron_next(&pt->crons[c], after);
        if (n < best) best = n;
    }
    return best;
}

void block_pool_init(struct block_pool *bp)
{
    memset(bp, 0, sizeof *bp);
    pthread_mutex_init(&bp->lock, NULL);
}

void block_pool_free(struct block_pool *bp)
{
    for (size_t k = 0; k < bp->n; k++) free(bp->v[k].p);
    free(bp->v);
    pthread_mutex_destroy(&bp->lock);
    memset(bp, 0, sizeof *bp);
}

/* A block of `count` elements of `size` bytes for the state, zeroed when asked: the smallest
 * free block of the pool that holds it, else a new one. */
static void *state_block(struct pstate *s, size_t count, size_t size, bool zero)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes) || s->n_held == STATE_MAX_BLOCKS) abort();
    struct pooled_block got = {NULL, bytes};
    struct block_pool *bp = s->pool;
    if (bp) {
        pthread_mutex_lock(&bp->lock);
        size_t best = bp->n;
        for (size_t k = 0; k < bp->n; k++)
            if (bp->v[k].bytes >= bytes && (best == bp->n || bp->v[k].bytes < bp->v[best].bytes)) best = k;
        if (best < bp->n) {
            got = bp->v[best];
            bp->v[best] = bp->v[--bp->n];
        }
        pthread_mutex_unlock(&bp->lock);
    }
    if (!got.p) got.p = xmalloc_big(bytes);
    if (zero) memset(got.p, 0, bytes);
    s->held[s->n_held++] = got;
    return got.p;
}

static void state_blocks_release(struct pstate *s)
{
    struct block_pool *bp = s->pool;
    if (bp) pthread_mutex_lock(&bp->lock);
    for (size_t k = 0; k < s->n_held; k++) {
        if (bp) {
            xgrow((void **)&bp->v, &bp->cap, bp->n + 1, sizeof *bp->v);
            bp->v[bp->n++] = s->held[k];
        } else {
            free(s->held[k].p);
        }
    }
    if (bp) pthread_mutex_unlock(&bp->lock);
    s->n_held = 0;
}

static void overlay_init(struct pstate *s)
{
    struct overlay *reg = &s->reg;
    const struct history *h = s->h;
    size_t n = h->n_ids + 1, nr = h->m->n_repos + 1;
    reg->st = state_block(s, n, sizeof *reg->st, true);
    reg->gone_at = state_block(s, n, sizeof *reg->gone_at, true);
    reg->upd_override = state_block(s, n, sizeof *reg->upd_override, false);
    for (size_t i = 0; i < n; i++) reg->upd_override[i] = NEVER;
    reg->soft_gen = s->p->soft_delete ? state_block(s, n, sizeof *reg->soft_gen, true) : NULL;
    reg->repo_pres = xcalloc(nr, sizeof *reg->repo_pres);
    reg->repo_n_pres = xcalloc(nr, sizeof *reg->repo_n_pres);
    reg->repo_cap_pres = xcalloc(nr, sizeof *reg->repo_cap_pres);
    reg->inst_pos = state_block(s, h->n_inst + 1, sizeof *reg->inst_pos, false);
    memset(reg->inst_pos, 0xff, (h->n_inst + 1) * sizeof *reg->inst_pos);   /* INST_NOT_LIVE */
    /* only pulls ask when a tag left */
    if (s->o->pulls) reg->inst_gone_at = xcalloc(h->n_inst + 1, sizeof *reg->inst_gone_at);
    reg->repo_live = xcalloc(nr, sizeof *reg->repo_live);
    reg->repo_n_live = xcalloc(nr, sizeof *reg->repo_n_live);
    reg->repo_cap_live = xcalloc(nr, sizeof *reg->repo_cap_live);
    reg->repo_tagged = xcalloc(nr, sizeof *reg->repo_tagged);
    reg->repo_overridden = xcalloc(nr, 1);
}

/* The pool's blocks (present, st, ...) go back with state_blocks_release(). */
static void overlay_free(struct overlay *reg, size_t n_repos)
{
    for (size_t r = 0; r < n_repos; r++) free(reg->repo_pres[r]);
    free(reg->repo_pres);
    free(reg->repo_n_pres);
    free(reg->repo_cap_pres);
    free(reg->inst_gone_at);
    for (size_t r = 0; r < n_repos; r++) free(reg->repo_live[r]);
    free(reg->repo_live);
    free(reg->repo_n_live);
    free(reg->repo_cap_live);
    free(reg->repo_tagged);
    free(reg->repo_overridden);
}

/* Each task's repositories: those its filters match (every one with no filter: --untagged-only
 * alone), and its first firing in the window. */
static void tasks_init(struct pstate *s)
{
    const struct model *m = s->m;
    const struct policy *p = s->p;
    size_t nt = p->n_tasks + 1, nr = m->n_repos + 1;
    s->tasks.next = xcalloc(nt, sizeof *s->tasks.next);
    s->tasks.repos = xcalloc(nt, sizeof *s->tasks.repos);
    s->tasks.n_repos = xcalloc(nt, sizeof *s->tasks.n_repos);
    s->tasks.sel = xcalloc(nt, sizeof *s->tasks.sel);
    for (size_t k = 0; k < p->n_tasks; k++) {
        const struct purge_rule *rule = &p->tasks[k].rule;
        s->tasks.repos[k] = xmalloc(nr * sizeof **s->tasks.repos);
        s->tasks.sel[k] = xcalloc(nr, 1);
        for (size_t r = 0; r < m->n_repos; r++) {
            bool sel = rule->n_filters == 0;
            for (size_t f = 0; f < rule->n_filters && !sel; f++)
                sel = purgecmd_regex_match(rule->filters[f].repo_code, m->repos[r].name) == 1;
            if (sel) s->tasks.repos[k][s->tasks.n_repos[k]++] = (uint32_t)r;
            s->tasks.sel[k][r] = sel;
        }
        s->tasks.next[k] = replay_next_firing(&p->tasks[k], s->o->from_ns - 1);
    }
}

static void tasks_free(struct task_state *tasks, size_t n_tasks)
{
    for (size_t k = 0; k < n_tasks; k++) {
        free(tasks->repos[k]);
        free(tasks->sel[k]);
    }
    free(tasks->next);
    free(tasks->repos);
    free(tasks->n_repos);
    free(tasks->sel);
}

static void skip_init(struct skip_state *sk, size_t n_tasks, size_t n_repos)
{
    size_t nt = n_tasks + 1, nr = n_repos + 1;
    sk->repo_changes = xcalloc(nr, sizeof *sk->repo_changes);
    sk->mark = xcalloc(nr, sizeof *sk->mark);
    sk->time_mark = xcalloc(nr, sizeof *sk->time_mark);
    sk->logged = xcalloc(nr, sizeof *sk->logged);
    sk->log_cursor = xcalloc(nt, sizeof *sk->log_cursor);
    sk->ran = xcalloc(nt, sizeof *sk->ran);
    sk->cutoff = xcalloc(nt, sizeof *sk->cutoff);
    sk->t = xcalloc(nt, sizeof *sk->t);
    sk->memo = xcalloc(nt, sizeof *sk->memo);
    for (size_t k = 0; k < n_tasks; k++) sk->memo[k] = xcalloc(nr, sizeof **sk->memo);
}

static void skip_free(struct skip_state *sk, size_t n_tasks)
{
    free(sk->repo_changes);
    free(sk->change_log);
    free(sk->mark);
    free(sk->time_mark);
    free(sk->logged);
    free(sk->cand_repos);
    free(sk->log_cursor);
    free(sk->ran);
    free(sk->cutoff);
    free(sk->t);
    for (size_t k = 0; k < n_tasks; k++) free(sk->memo[k]);
    free(sk->memo);
}

static void run_scratch_free(struct run_scratch *run)
{
    purge_scratch_free(&run->scratch);
    free(run->views);
    free(run->view_repo);
    free(run->view_tag_off);
    free(run->tag_buf);
    free(run->tag_inst);
    free(run->locks_now);
    free(run->tagged_before);
    free(run->merge_buf);
}

void replay_state_init(struct pstate *s, const struct history *h, const struct policy *p,
                       const struct replay_opts *o, struct replay_policy *out, const struct replay_result *rr,
                       struct block_pool *pool)
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
    /* tags matter to runs, retention and pulls alone; the plain replay takes no shortcut */
    s->storage_only = p->n_tasks == 0 && !p->retention && !o->pulls && !o->plain;
    s->pool = pool;
    overlay_init(s);
    /* what a run's views read: a policy without tasks has none */
    if (p->n_tasks) s->run.upd_now = state_block(s, h->n_ids + 1, sizeof *s->run.upd_now, true);
    if (h->mlock_since_ns) s->run.locks_now = xcalloc(h->n_ids + 1, 1);
    s->bytes.repo = xcalloc(m->n_repos + 1, sizeof *s->bytes.repo);
    skip_init(&s->skip, p->n_tasks, m->n_repos);
    tasks_init(s);
    out->p = p;
    out->rollback_depth = REPLAY_NO_DEPTH;
    out->days = xcalloc(rr->n_days + 1, sizeof *out->days);
    out->repo_end_bytes = xcalloc(m->n_repos + 1, sizeof *out->repo_end_bytes);
    out->repo_byte_days = xcalloc(m->n_repos + 1, sizeof *out->repo_byte_days);
}

void replay_state_blobs(struct pstate *s)
{
    size_t n = s->rb->n_shared + 1;
    s->bytes.blob_live = state_block(s, n, sizeof *s->bytes.blob_live, true);
    s->bytes.blob_billed = s->p->soft_delete ? state_block(s, n, sizeof *s->bytes.blob_billed, true) : NULL;
}

void replay_state_free(struct pstate *s)
{
    overlay_free(&s->reg, s->m->n_repos);
    free(s->bytes.repo);
    free(s->timers.v);
    free(s->bin.v);
    tasks_free(&s->tasks, s->p->n_tasks);
    skip_free(&s->skip, s->p->n_tasks);
    run_scratch_free(&s->run);
    state_blocks_release(s);
}
