/* tune.c - `purgesim tune`: candidates from the grid, one replay of them all, their figures,
 * the constraints, the Pareto set and the recommendation (tune.h, sim/TUNE.md). */
#include "tune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "duration.h"
#include "policy.h"
#include "strv.h"
#include "timeu.h"

static const char *const CONSTRAINT_NAME[TUNE_N_C] = {"--keep-versions", "--max-broken-pulls", "--in-use",
                                                      "--max-run-deletes", "--budget", "--max-gib"};

const char *tune_constraint_name(int c) { return c >= 0 && c < TUNE_N_C ? CONSTRAINT_NAME[c] : "?"; }

struct tune_ctx {
    const struct tune_opts *o;
    struct tune_result *out;
    size_t cap;
};

/* "devreg.azurecr.io" -> "devreg": what az's --registry takes. */
static void registry_name(const char *login, char *buf, size_t len)
{
    snprintf(buf, len, "%s", login ? login : "REGISTRY");
    char *dot = strchr(buf, '.');
    if (dot) *dot = '\0';
}

static struct tune_candidate *new_candidate(struct tune_ctx *c)
{
    struct tune_result *r = c->out;
    xgrow((void **)&r->cand, &c->cap, r->n_cand + 1, sizeof *r->cand);
    struct tune_candidate *k = &r->cand[r->n_cand++];
    memset(k, 0, sizeof *k);
    k->retention_days = -1;
    k->keep = k->ago_ns = -1;
    return k;
}

/* One purge candidate; with --by-repository, for one group (its name first, its own filter). */
struct purge_setting {
    const struct tune_schedule *sc;
    enum tune_mode mode;
    long long keep;
    const char *ago;
};

static int add_purge_candidate(struct tune_ctx *c, struct simulation *s, const struct purge_setting *ps,
                               const struct tune_group *grp, size_t group, const char *reg, struct diag *d)
{
    const struct tune_schedule *sc = ps->sc;
    struct duration_result dr;
    if (duration_parse_ago(ps->ago, &dr) != DURATION_OK) {   /* the grid checked it: cannot happen */
        diag_msg(d, "the grid's --ago %s: not a duration", ps->ago);
        return ERR_USAGE;
    }
    struct tune_candidate *k = new_candidate(c);
    k->group = group;
    k->keep = ps->keep;
    k->ago_ns = dr.ns;
    int nw = snprintf(k->name, sizeof k->name, "%s%sk%lld-a%s-%s-%s", grp ? grp->name : "", grp ? "_" : "", ps->keep,
                      ps->ago, tune_mode_name(ps->mode), sc->name);
    if (nw < 0 || (size_t)nw >= sizeof k->name) {
        diag_msg(d, "the grid's candidate %.40s...: its name is too long (shorten the grid file's values)", k->name);
        return ERR_USAGE;
    }
    snprintf(k->schedule, sizeof k->schedule, "%s", sc->cron);
    snprintf(k->schedule_name, sizeof k->schedule_name, "%s", sc->name);
    int w = snprintf(k->command, sizeof k->command, "acr purge --filter '%s' --ago %s --keep %lld%s%s",
                     grp ? grp->filter : c->o->grid.filter, ps->ago, ps->keep, *tune_mode_flag(ps->mode) ? " " : "",
                     tune_mode_flag(ps->mode));
    if (w < 0 || (size_t)w >= sizeof k->command) {
        diag_msg(d, "the grid's candidate %s: its acr purge command is too long (a group of too many "
                    "repositories: split it with --group)", k->name);
        return ERR_USAGE;
    }
    snprintf(k->task_line, sizeof k->task_line,
             "az acr task create --name purge-%s --registry %s --schedule \"%s\" --cmd \"%s\" --context /dev/null",
             k->name, reg, sc->cron, k->command);
    struct policy *p = policy_add(s->ps, k->name, "the tune grid", 0);
    const char *scheds[1] = {sc->cron};
    struct policy_task_spec spec = {k->name, k->command, scheds, 1, true, 0};
    struct purgecmd_opts po = {c->o->sim.version, 2};
    char err[600];
    if (!policy_add_task(s->ps, p, &spec, &po, err, sizeof err)) {
        diag_msg(d, "the grid's candidate %s: %s", k->name, err);
        return ERR_INPUT;
    }
    return PS_OK;
}

static int add_retention_candidate(struct tune_ctx *c, struct simulation *s, int days, const char *reg,
                                   struct diag *d)
{
    struct tune_candidate *k = new_candidate(c);
    snprintf(k->name, sizeof k->name, "retention-%dd", days);
    k->retention_days = days;
    snprintf(k->schedule_name, sizeof k->schedule_name, "retention");
    snprintf(k->task_line, sizeof k->task_line,
             "az acr config retention update --registry %s --days %d --type UntaggedManifests --status enabled", reg,
             days);
    struct policy *p = policy_add(s->ps, k->name, "the tune grid", 0);
    char err[300];
    if (!policy_set_config(s->ps, p, true, true, days, err, sizeof err)) {
        diag_msg(d, "the grid's candidate %s: %s", k->name, err);
        return ERR_INPUT;
    }
    return PS_OK;
}

static bool premium(const struct simulation *s)
{
    const char *sku = s->o.sku ? s->o.sku : s->m->sku;
    return sku && !strcasecmp(sku, "premium");
}

/* The simulation's add_policies callback: every candidate of the grid, once the export is read. */
static int add_candidates(struct simulation *s, void *ctx, struct diag *d)
{
    struct tune_ctx *c = ctx;
    const struct tune_grid *g = &c->o->grid;
    char reg[256];
    registry_name(s->m->registry, reg, sizeof reg);
    int rc = PS_OK;
    struct tune_result *r = c->out;
    if (c->o->by_repository) {
        rc = tune_groups_build(c->o, s->m, &r->groups, &r->n_groups, &s->warnings, &s->n_warnings, d);
        if (rc == PS_OK && (premium(s) || g->retention_any_sku) && g->n_retention)
            strv_addf(&s->warnings, &s->n_warnings, "--by-repository: the retention policy is one setting for the "
                      "whole registry, so its candidates are not tried per group (tune without --by-repository)");
    }
    size_t n_groups = c->o->by_repository ? r->n_groups : 1;
    for (size_t gi = 0; gi < n_groups && rc == PS_OK; gi++) {
        const struct tune_group *grp = c->o->by_repository ? &r->groups[gi] : NULL;
        size_t first = r->n_cand;
        for (size_t si = 0; si < g->n_sched && rc == PS_OK; si++)
            for (int m = 0; m < TUNE_N_MODES && rc == PS_OK; m++) {
                if (!g->mode[m]) continue;
                for (size_t ki = 0; ki < g->n_keep && rc == PS_OK; ki++)
                    for (size_t ai = 0; ai < g->n_ago && rc == PS_OK; ai++) {
                        struct purge_setting ps = {&g->sched[si], (enum tune_mode)m, g->keep[ki], g->ago[ai]};
                        rc = add_purge_candidate(c, s, &ps, grp, gi, reg, d);
                    }
            }
        if (grp) {
            r->groups[gi].first = first;
            r->groups[gi].n_cand = r->n_cand - first;
        }
    }
    /* the registry's own retention policy is a Premium feature, and one setting for all */
    if (!c->o->by_repository && (premium(s) || g->retention_any_sku))
        for (size_t i = 0; i < g->n_retention && rc == PS_OK; i++)
            rc = add_retention_candidate(c, s, g->retention_days[i], reg, d);
    return rc;
}

/* ---- figures and constraints ------------------------------------------------------------ */

void tune_policy_figures(const struct simulation *s, size_t policy, struct tune_candidate *k)
{
    const struct replay_policy *rp = &s->rr.pol[policy];
    const struct cost_policy *cp = &s->cost.pol[policy];
    k->policy = policy;
    k->storage_per_month = cp->per_month;
    k->sku_fee_per_month = s->cost.sku_fee_per_day * PRICING_DAYS_PER_MONTH;
    k->cost_per_month = k->storage_per_month + k->sku_fee_per_month;
    k->end_units = cp->end_units;
    k->peak_units = cp->peak_units;
    k->tags_deleted = rp->tags_deleted;
    k->manifests_deleted = rp->manifests_deleted;
    k->cascade_deleted = rp->cascade_deleted;
    k->max_run_deletions = rp->max_run_deletions;
    k->rollback_depth = rp->rollback_depth;
    k->broken_pulls = s->risk.have_pulls ? s->risk.pol[policy].broken_pulls : 0;
    k->in_use_deletes = s->risk.have_inuse ? s->risk.pol[policy].n_inuse : 0;
}

static void fill_figures(struct tune_result *r)
{
    const struct simulation *s = &r->sim;
    /* the set gains the baseline in front after the candidates were added: find them again */
    size_t p = 0;
    for (size_t i = 0; i < r->n_cand; i++) {
        struct tune_candidate *k = &r->cand[i];
        while (p < s->ps->n && strcmp(s->ps->p[p].name, k->name)) p++;
        tune_policy_figures(s, p, k);
    }
}

static void judge(struct tune_candidate *k, const struct tune_constraints *c)
{
    k->meets[TUNE_C_VERSIONS] = k->rollback_depth == REPLAY_NO_DEPTH || (long long)k->rollback_depth >= c->keep_versions;
    k->meets[TUNE_C_PULLS] = c->max_broken_pulls < 0 || (long long)k->broken_pulls <= c->max_broken_pulls;
    k->meets[TUNE_C_INUSE] = !c->protect_in_use || k->in_use_deletes == 0;
    k->meets[TUNE_C_RUN] = c->max_run_deletes < 0 || (long long)k->max_run_deletions <= c->max_run_deletes;
    k->meets[TUNE_C_BUDGET] = c->budget < 0 || k->cost_per_month <= c->budget;
    k->meets[TUNE_C_GIB] = c->max_gib < 0 || k->peak_units <= c->max_gib;
    k->meets_all = true;
    for (int j = 0; j < TUNE_N_C; j++) k->meets_all &= k->meets[j];
}

/* Rollback depth as a number to compare: never deleting a tag keeps every version. */
static double depth_of(const struct tune_candidate *k)
{
    return k->rollback_depth == REPLAY_NO_DEPTH ? INFINITY : (double)k->rollback_depth;
}

/* a no worse than b on cost, rollback depth and broken pulls, and better on one */
static bool dominates(const struct tune_candidate *a, const struct tune_candidate *b)
{
    double da = depth_of(a), db = depth_of(b);
    if (a->cost_per_month > b->cost_per_month || da < db || a->broken_pulls > b->broken_pulls) return false;
    return a->cost_per_month < b->cost_per_month || da > db || a->broken_pulls < b->broken_pulls;
}

static void mark_pareto(struct tune_result *r)
{
    for (size_t i = 0; i < r->n_cand; i++) {
        r->cand[i].pareto = true;
        for (size_t j = 0; j < r->n_cand && r->cand[i].pareto; j++)
            if (j != i && r->cand[j].group == r->cand[i].group && dominates(&r->cand[j], &r->cand[i]))
                r->cand[i].pareto = false;
    }
}

/* Among candidates of equal cost, the cautious one: more versions kept, fewer pulls broken,
 * smaller runs, then the larger --keep and --ago, then grid order. True when a is preferred. */
static bool preferred(const struct tune_candidate *a, size_t ia, const struct tune_candidate *b, size_t ib)
{
    if (a->cost_per_month != b->cost_per_month) return a->cost_per_month < b->cost_per_month;
    if (depth_of(a) != depth_of(b)) return depth_of(a) > depth_of(b);
    if (a->broken_pulls != b->broken_pulls) return a->broken_pulls < b->broken_pulls;
    if (a->in_use_deletes != b->in_use_deletes) return a->in_use_deletes < b->in_use_deletes;
    if (a->max_run_deletions != b->max_run_deletions) return a->max_run_deletions < b->max_run_deletions;
    if (a->keep != b->keep) return a->keep > b->keep;
    if (a->ago_ns != b->ago_ns) return a->ago_ns > b->ago_ns;
    return ia < ib;
}

static size_t misses(const struct tune_candidate *k)
{
    size_t n = 0;
    for (int j = 0; j < TUNE_N_C; j++) n += !k->meets[j];
    return n;
}

/* None of cand[lo .. hi) meets every constraint: the one that binds is the one whose removal
 * alone lets the cheapest candidate through; failing that, the first the closest misses. */
static void explain_none(const struct tune_result *r, size_t lo, size_t hi, size_t *closest_out, int *binding)
{
    size_t closest = SIZE_MAX;
    for (size_t i = lo; i < hi; i++) {
        if (closest == SIZE_MAX || misses(&r->cand[i]) < misses(&r->cand[closest]) ||
            (misses(&r->cand[i]) == misses(&r->cand[closest]) && preferred(&r->cand[i], i, &r->cand[closest], closest)))
            closest = i;
    }
    *closest_out = closest;
    *binding = -1;
    size_t best = SIZE_MAX;
    for (int j = 0; j < TUNE_N_C; j++)
        for (size_t i = lo; i < hi; i++) {
            const struct tune_candidate *k = &r->cand[i];
            if (k->meets[j] || misses(k) != 1) continue;
            if (best == SIZE_MAX || preferred(k, i, &r->cand[best], best)) {
                best = i;
                *binding = j;
            }
        }
    if (best != SIZE_MAX) *closest_out = best;
    for (int j = 0; *binding < 0 && closest != SIZE_MAX && j < TUNE_N_C; j++)
        if (!r->cand[closest].meets[j]) *binding = j;
}

/* Pareto candidates alike in every figure the set is about are one choice: the tables show the
 * cautious one of them (as the recommendation prefers it) and how many it stands for. */
static void mark_shown(struct tune_result *r)
{
    for (size_t i = 0; i < r->n_cand; i++) {
        struct tune_candidate *k = &r->cand[i];
        if (!k->pareto) continue;
        k->shown = true;
        for (size_t j = 0; j < r->n_cand && k->shown; j++) {
            const struct tune_candidate *o = &r->cand[j];
            if (j == i || !o->pareto || o->group != k->group || o->cost_per_month != k->cost_per_month ||
                o->rollback_depth != k->rollback_depth || o->broken_pulls != k->broken_pulls ||
                o->in_use_deletes != k->in_use_deletes)
                continue;
            /* one that meets every constraint first, then the one the recommendation prefers */
            bool better = o->meets_all != k->meets_all ? o->meets_all : preferred(o, j, k, i);
            if (better) k->shown = false;
            else k->alike++;
        }
        if (!k->shown) k->alike = 0;
    }
}

/* The cheapest of cand[lo .. hi) that meets every constraint (ties: preferred()), or SIZE_MAX. */
static size_t best_of(const struct tune_result *r, size_t lo, size_t hi)
{
    size_t best = SIZE_MAX;
    for (size_t i = lo; i < hi; i++)
        if (r->cand[i].meets_all && (best == SIZE_MAX || preferred(&r->cand[i], i, &r->cand[best], best))) best = i;
    return best;
}

static void recommend(struct tune_result *r)
{
    for (size_t i = 0; i < r->n_cand; i++) judge(&r->cand[i], &r->c);
    r->recommended = SIZE_MAX;
    if (r->n_groups) {   /* --by-repository: a choice per group, then the combined policy */
        for (size_t g = 0; g < r->n_groups; g++) {
            struct tune_group *grp = &r->groups[g];
            grp->chosen = best_of(r, grp->first, grp->first + grp->n_cand);
            if (grp->chosen != SIZE_MAX) r->cand[grp->chosen].recommended = true;
            else explain_none(r, grp->first, grp->first + grp->n_cand, &grp->closest, &grp->binding);
        }
        return;
    }
    r->recommended = best_of(r, 0, r->n_cand);
    if (r->recommended != SIZE_MAX) r->cand[r->recommended].recommended = true;
    else explain_none(r, 0, r->n_cand, &r->closest, &r->binding);
}

/* ---- --by-repository: one policy, a task per group ------------------------------------- */

#define COMBINED_NAME "by-repository"

struct combined_ctx {
    const struct tune_opts *o;
    struct tune_result *r;
};

/* The combined policy's section of a policy file: each group's chosen task, and a comment for
 * a group none of whose candidates meets the constraints (it is left unpurged). */
static char *combined_section(const struct tune_result *r, const char *reg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    if (!fp) return NULL;
    fprintf(fp, "\n[%s]\n", COMBINED_NAME);
    for (size_t g = 0; g < r->n_groups; g++) {
        const struct tune_group *grp = &r->groups[g];
        if (grp->chosen == SIZE_MAX) {
            fprintf(fp, "# %s (%zu repositor%s): no candidate meets every constraint (%s binds): left unpurged\n",
                    grp->label, grp->n_repos, grp->n_repos == 1 ? "y" : "ies", tune_constraint_name(grp->binding));
            continue;
        }
        const struct tune_candidate *k = &r->cand[grp->chosen];
        fprintf(fp, "az acr task create --name purge-%s --registry %s --schedule \"%s\" --cmd \"%s\" --context /dev/null\n",
                grp->name, reg, k->schedule, k->command);
    }
    return fclose(fp) == 0 ? text : (free(text), NULL);
}

static int add_combined(struct simulation *s, void *ctx, struct diag *d)
{
    struct combined_ctx *c = ctx;
    struct policy *p = policy_add(s->ps, COMBINED_NAME, "tune --by-repository", 0);
    for (size_t g = 0; g < c->r->n_groups; g++) {
        const struct tune_group *grp = &c->r->groups[g];
        if (grp->chosen == SIZE_MAX) continue;
        const struct tune_candidate *k = &c->r->cand[grp->chosen];
        char task[sizeof grp->name + 8];
        snprintf(task, sizeof task, "purge-%s", grp->name);
        const char *scheds[1] = {k->schedule};
        struct policy_task_spec spec = {task, k->command, scheds, 1, true, 0};
        struct purgecmd_opts po = {c->o->sim.version, 2};
        char err[600];
        if (!policy_add_task(s->ps, p, &spec, &po, err, sizeof err)) {
            diag_msg(d, "the combined policy's task %s: %s", task, err);
            return ERR_INPUT;
        }
    }
    return PS_OK;
}

/* Replays the combined policy on its own, so its figures are simulate's for that policy file. */
static int run_combined(const struct tune_opts *o, struct tune_result *r, struct diag *d)
{
    size_t chosen = 0;
    for (size_t g = 0; g < r->n_groups; g++) chosen += r->groups[g].chosen != SIZE_MAX;
    if (!chosen) return PS_OK;
    char reg[256];
    registry_name(r->sim.m->registry, reg, sizeof reg);
    r->combined_text = combined_section(r, reg);
    if (!r->combined_text) return ERR_IO;
    struct combined_ctx ctx = {o, r};
    struct sim_opts so = o->sim;
    so.add_policies = add_combined;
    so.add_policies_ctx = &ctx;
    so.counts_only = true;
    so.quiet = true;
    int rc = simulation_run(&so, &r->combined, d);
    if (rc != PS_OK) return rc;
    r->have_combined = true;
    size_t p = 0;
    while (p < r->combined.ps->n && strcmp(r->combined.ps->p[p].name, COMBINED_NAME)) p++;
    struct tune_candidate *k = &r->combined_fig;
    memset(k, 0, sizeof *k);
    snprintf(k->name, sizeof k->name, "%s", COMBINED_NAME);
    tune_policy_figures(&r->combined, p, k);
    judge(k, &r->c);
    return PS_OK;
}

/* ---- warnings -------------------------------------------------------------------------- */

/* A warning about one candidate, "[NAME] TEXT": the candidate and its TEXT. */
struct cand_warning {
    const char *text;
    size_t cand;    /* its index in r->cand */
    size_t index;   /* the warning's place in the list */
};

static int cand_warning_cmp(const void *a, const void *b)
{
    const struct cand_warning *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Whether warning w is "[NAME] TEXT" for a candidate's NAME; if so fills *cw. */
static bool candidate_warning(const struct tune_result *r, const char *w, size_t index, struct cand_warning *cw)
{
    if (w[0] != '[') return false;
    const char *end = strstr(w, "] ");
    if (!end) return false;
    size_t len = (size_t)(end - w - 1);
    for (size_t i = 0; i < r->n_cand; i++)
        if (strlen(r->cand[i].name) == len && !memcmp(w + 1, r->cand[i].name, len)) {
            *cw = (struct cand_warning){end + 2, i, index};
            return true;
        }
    return false;
}

/* Each candidate is a policy of the one simulation, so what the candidates share (a --filter
 * matching no repository, a schedule that never fires) was warned once per candidate: the same
 * TEXT is kept once, at its first place, naming the first candidate and how many more. */
static void merge_candidate_warnings(struct tune_result *r)
{
    struct simulation *s = &r->sim;
    size_t n = s->n_warnings, n_cw = 0;
    if (n < 2) return;
    struct cand_warning *cw = xcalloc(n, sizeof *cw);
    size_t *more = xcalloc(n, sizeof *more);   /* per warning: SIZE_MAX dropped, else how many it stands for */
    size_t *cand = xcalloc(n, sizeof *cand);
    for (size_t i = 0; i < n; i++)
        if (candidate_warning(r, s->warnings[i], i, &cw[n_cw])) n_cw++;
    qsort(cw, n_cw, sizeof *cw, cand_warning_cmp);
    for (size_t i = 0; i < n_cw;) {
        size_t j = i + 1;
        while (j < n_cw && !strcmp(cw[j].text, cw[i].text)) more[cw[j++].index] = SIZE_MAX;
        more[cw[i].index] = j - i - 1;
        cand[cw[i].index] = cw[i].cand;
        i = j;
    }
    char **out = NULL;
    size_t n_out = 0;
    for (size_t i = 0; i < n; i++) {
        const char *w = s->warnings[i];
        if (more[i] == SIZE_MAX) continue;
        if (!more[i]) strv_addf(&out, &n_out, "%s", w);
        else if (more[i] + 1 == r->n_cand)
            strv_addf(&out, &n_out, "[all %zu candidates] %s", r->n_cand, strstr(w, "] ") + 2);
        else
            strv_addf(&out, &n_out, "[%s and %zu more candidate%s] %s", r->cand[cand[i]].name, more[i],
                      more[i] == 1 ? "" : "s", strstr(w, "] ") + 2);
    }
    strv_free(s->warnings, s->n_warnings);
    s->warnings = out;
    s->n_warnings = n_out;
    free(cw);
    free(more);
    free(cand);
}

/* The defaults the constraints take from what is known (sim/TUNE.md). */
static struct tune_constraints applied_constraints(const struct tune_opts *o, bool have_pulls, bool have_inuse)
{
    struct tune_constraints c = o->c;
    if (c.max_broken_pulls < -1) c.max_broken_pulls = have_pulls ? 0 : -1;
    c.protect_in_use = have_inuse;
    if (c.max_run_deletes < -1) c.max_run_deletes = (long long)floor(3600.0 * o->deletes_per_second);
    return c;
}

int tune_run(const struct tune_opts *o, struct tune_result *out, struct diag *d)
{
    memset(out, 0, sizeof *out);
    out->recommended = out->closest = SIZE_MAX;
    out->binding = -1;
    struct tune_ctx ctx = {o, out, 0};
    struct sim_opts so = o->sim;
    so.add_policies = add_candidates;
    so.add_policies_ctx = &ctx;
    so.counts_only = true;
    double t0 = timeu_wall_seconds();
    int rc = simulation_run(&so, &out->sim, d);
    out->seconds = timeu_wall_seconds() - t0;
    if (rc != PS_OK) return rc;
    merge_candidate_warnings(out);
    out->have_pulls = out->sim.risk.have_pulls;
    out->have_inuse = out->sim.risk.have_inuse;
    out->c = applied_constraints(o, out->have_pulls, out->have_inuse);
    fill_figures(out);
    mark_pareto(out);
    recommend(out);
    mark_shown(out);
    return o->by_repository ? run_combined(o, out, d) : PS_OK;
}

void tune_result_free(struct tune_result *r)
{
    if (!r) return;
    simulation_free(&r->sim);
    if (r->have_combined) simulation_free(&r->combined);
    free(r->cand);
    for (size_t g = 0; g < r->n_groups; g++) free(r->groups[g].filter);
    free(r->groups);
    free(r->combined_text);
    memset(r, 0, sizeof *r);
}

int tune_write_policy(const struct tune_result *r, FILE *fp)
{
    fputs("# purgesim policy file written by `purgesim tune`: the recommended candidate.\n"
          "# Check it with: purgesim simulate -i EXPORT -p recommended.ini\n",
          fp);
    if (r->combined_text) {
        fputs(r->combined_text, fp);
    } else if (r->recommended != SIZE_MAX) {
        const struct tune_candidate *k = &r->cand[r->recommended];
        fprintf(fp, "\n[%s]\n%s\n", k->name, k->task_line);
    } else {
        fputs("# No candidate met every constraint: nothing to recommend.\n", fp);
    }
    return ferror(fp) ? -1 : 0;
}
