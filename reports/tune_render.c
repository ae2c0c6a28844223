/* tune_render.c - `purgesim tune` for people (text, Markdown) and for tools (candidates.csv):
 * what was searched under which constraints, the recommendation with the line to paste, the
 * Pareto set, and the baseline and the export's own setup to compare with. The figures are
 * sim/tune.c's; this file only formats them. */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "csv_cell.h"
#include "md_text.h"
#include "timeu.h"

static const char *const SHORT_NAME[TUNE_N_C] = {"versions", "pulls", "in-use", "run size", "budget", "peak"};

static const char *depth_text(const struct tune_candidate *k, char *buf, size_t len)
{
    if (k->rollback_depth == REPLAY_NO_DEPTH) snprintf(buf, len, "all");
    else snprintf(buf, len, "%zu", k->rollback_depth);
    return buf;
}

static const char *meets_text(const struct tune_candidate *k, char *buf, size_t len)
{
    if (k->meets_all) {
        snprintf(buf, len, "yes");
        return buf;
    }
    size_t n = (size_t)snprintf(buf, len, "no:");
    for (int j = 0; j < TUNE_N_C && n < len; j++)
        if (!k->meets[j]) n += (size_t)snprintf(buf + n, len - n, "%s%s", n > 3 ? "," : " ", SHORT_NAME[j]);
    return buf;
}

/* "unknown" when the input that decides it was not given. */
static const char *count_text(bool known, size_t v, char *buf, size_t len)
{
    if (known) snprintf(buf, len, "%zu", v);
    else snprintf(buf, len, "-");
    return buf;
}

static int by_cost(const void *a, const void *b, void *ctx)
{
    const struct tune_candidate *c = ctx;
    const struct tune_candidate *x = &c[*(const size_t *)a], *y = &c[*(const size_t *)b];
    if (x->cost_per_month != y->cost_per_month) return x->cost_per_month < y->cost_per_month ? -1 : 1;
    double dx = x->rollback_depth == REPLAY_NO_DEPTH ? INFINITY : (double)x->rollback_depth;
    double dy = y->rollback_depth == REPLAY_NO_DEPTH ? INFINITY : (double)y->rollback_depth;
    if (dx != dy) return dx > dy ? -1 : 1;
    size_t ix = *(const size_t *)a, iy = *(const size_t *)b;
    return ix < iy ? -1 : ix > iy;
}

/* The Pareto set, cheapest first (caller frees). */
static size_t *pareto_rows(const struct tune_result *r, size_t *n)
{
    size_t *v = xmalloc((r->n_cand + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; i < r->n_cand; i++)
        if (r->cand[i].pareto && r->cand[i].shown) v[(*n)++] = i;
    qsort_r(v, *n, sizeof *v, by_cost, (void *)r->cand);
    return v;
}

/* The constraints as applied, in one sentence. */
static void constraints_text(const struct tune_result *r, char *buf, size_t len)
{
    const struct tune_constraints *c = &r->c;
    const struct cost_result *cr = &r->sim.cost;
    size_t n = (size_t)snprintf(buf, len, "rollback depth at least %lld", c->keep_versions);
    if (c->max_broken_pulls >= 0) n += (size_t)snprintf(buf + n, n < len ? len - n : 0, ", at most %lld broken pulls",
                                                         c->max_broken_pulls);
    if (c->protect_in_use) n += (size_t)snprintf(buf + n, n < len ? len - n : 0, ", no in-use image deleted");
    if (c->max_run_deletes >= 0)
        n += (size_t)snprintf(buf + n, n < len ? len - n : 0, ", at most %lld deletions in one run", c->max_run_deletes);
    if (c->budget >= 0)
        n += (size_t)snprintf(buf + n, n < len ? len - n : 0, ", at most %.2f %s per month", c->budget, cr->currency);
    if (c->max_gib >= 0)
        snprintf(buf + n, n < len ? len - n : 0, ", at most %.2f %s stored", c->max_gib, cr->unit);
}

/* The policies every candidate is compared with: the baseline and `current`, when replayed. */
static void reference(const struct tune_result *r, size_t i, struct tune_candidate *k)
{
    memset(k, 0, sizeof *k);
    snprintf(k->name, sizeof k->name, "%s", r->sim.rr.pol[i].p->name);
    tune_policy_figures(&r->sim, i, k);
}

static size_t current_index(const struct tune_result *r)
{
    for (size_t i = 0; i < r->sim.rr.n_pol; i++)
        if (!strcmp(r->sim.rr.pol[i].p->name, SIM_CURRENT)) return i;
    return SIZE_MAX;
}

/* ---- text ------------------------------------------------------------------------------ */

static void text_row(const struct tune_result *r, const struct tune_candidate *k, const char *schedule,
                     bool judged, FILE *fp)
{
    char nb[64], d[24], b[24], u[24], m[64], al[24] = "";
    if (k->alike) snprintf(al, sizeof al, "+%zu", k->alike);
    fprintf(fp, "  %-34s %5s %-9s %10.2f %9.2f %9.2f %7zu %9zu %7zu %5s %6s %6s  %s\n",
            render_ellipsize(k->name, 34, nb, sizeof nb), al, schedule, k->cost_per_month, k->end_units, k->peak_units,
            k->tags_deleted, k->manifests_deleted, k->max_run_deletions, depth_text(k, d, sizeof d),
            count_text(r->have_pulls, k->broken_pulls, b, sizeof b),
            count_text(r->have_inuse, k->in_use_deletes, u, sizeof u), judged ? meets_text(k, m, sizeof m) : "");
}

static void text_head(const struct tune_result *r, FILE *fp)
{
    const struct cost_result *c = &r->sim.cost;
    char money[24], end[24], peak[24];
    snprintf(money, sizeof money, "%s/mo", c->currency);
    snprintf(end, sizeof end, "end %s", c->unit);
    snprintf(peak, sizeof peak, "peak %s", c->unit);
    fprintf(fp, "  %-34s %5s %-9s %10s %9s %9s %7s %9s %7s %5s %6s %6s  %s\n", "candidate", "alike", "schedule", money, end, peak,
            "tags", "manifests", "max run", "depth", "broken", "in-use", "meets");
}

/* A recommendation's figures: money, storage, deletions, run size, depth, risk (no newline at
 * the end, for what follows on the line). */
static void text_figures(const struct tune_result *r, const struct tune_candidate *k, FILE *fp)
{
    const struct cost_result *c = &r->sim.cost;
    char d[24];
    fprintf(fp, "  %.2f %s per month (storage and SKU fee), %.2f %s stored at the end, %.2f at the peak\n",
            k->cost_per_month, c->currency, k->end_units, c->unit, k->peak_units);
    fprintf(fp, "  deletes %zu tag%s and %zu manifest%s (%zu referrer%s cascaded); largest run: %zu deletion%s; "
                "rollback depth %s",
            k->tags_deleted, k->tags_deleted == 1 ? "" : "s", k->manifests_deleted,
            k->manifests_deleted == 1 ? "" : "s", k->cascade_deleted, k->cascade_deleted == 1 ? "" : "s",
            k->max_run_deletions, k->max_run_deletions == 1 ? "" : "s", depth_text(k, d, sizeof d));
    if (r->have_pulls) fprintf(fp, "; %zu broken pull%s", k->broken_pulls, k->broken_pulls == 1 ? "" : "s");
    if (r->have_inuse)
        fprintf(fp, "; %zu in-use image%s deleted", k->in_use_deletes, k->in_use_deletes == 1 ? "" : "s");
}

/* A --budget below the SKU fee, which no policy changes (every candidate pays it): none can
 * meet it, whichever constraint binds. */
static bool fee_above_budget(const struct tune_result *r, const struct tune_candidate *k)
{
    return r->c.budget >= 0 && k->sku_fee_per_month > r->c.budget;
}

static void text_recommendation(const struct tune_result *r, const char *dir, FILE *fp)
{
    const struct cost_result *c = &r->sim.cost;
    if (r->recommended == SIZE_MAX) {
        fprintf(fp, "No candidate meets every constraint.\n");
        if (r->binding >= 0 && r->closest != SIZE_MAX) {
            const struct tune_candidate *k = &r->cand[r->closest];
            char m[64];
            fprintf(fp, "  %s binds: the closest candidate is %s (%.2f %s/mo), which misses %s.\n",
                    tune_constraint_name(r->binding), k->name, k->cost_per_month, c->currency,
                    meets_text(k, m, sizeof m) + 4);
            if (fee_above_budget(r, k))
                fprintf(fp, "  The SKU fee alone (%.2f %s per month) is above --budget %.2f: no policy can meet it.\n",
                        k->sku_fee_per_month, c->currency, r->c.budget);
        }
        fputc('\n', fp);
        return;
    }
    const struct tune_candidate *k = &r->cand[r->recommended];
    fprintf(fp, "Recommended: %s\n", k->name);
    text_figures(r, k, fp);
    fprintf(fp, "\n\n  %s\n\n", k->task_line);
    if (dir) {
        size_t len = strlen(dir);
        while (len > 1 && dir[len - 1] == '/') len--;
        fprintf(fp, "  (as a policy file: %.*s/recommended.ini)\n\n", (int)len, dir);
    }
}

/* --by-repository: the combined policy, then each group's choice and its task line. */
static void text_groups(const struct tune_result *r, const char *dir, FILE *fp)
{
    char d[24], b[24], u[24], m[64], nb[64];
    if (r->have_combined) {
        const struct tune_candidate *k = &r->combined_fig;
        fprintf(fp, "Recommended, by repository: one policy (%s) with a task per group\n", k->name);
        text_figures(r, k, fp);
        fprintf(fp, "; meets the constraints: %s\n\n", meets_text(k, m, sizeof m));
    } else {
        fputs("No group has a candidate that meets every constraint: nothing to recommend.\n\n", fp);
    }
    fprintf(fp, "  %-28s %5s  %-34s %7s %9s %7s %5s %6s %6s  %s\n", "group", "repos", "chosen (alone: its figures)",
            "tags", "manifests", "max run", "depth", "broken", "in-use", "meets");
    for (size_t g = 0; g < r->n_groups; g++) {
        const struct tune_group *grp = &r->groups[g];
        char lbuf[64];
        const char *lb = render_ellipsize(grp->label, 28, lbuf, sizeof lbuf);
        if (grp->chosen == SIZE_MAX) {
            const struct tune_candidate *k = grp->closest != SIZE_MAX ? &r->cand[grp->closest] : NULL;
            fprintf(fp, "  %-28s %5zu  none meets: %s binds%s%s\n", lb, grp->n_repos, tune_constraint_name(grp->binding),
                    k ? "; closest " : "", k ? k->name : "");
            continue;
        }
        const struct tune_candidate *k = &r->cand[grp->chosen];
        const char *settings = strchr(k->name, '_') ? strchr(k->name, '_') + 1 : k->name;
        fprintf(fp, "  %-28s %5zu  %-34s %7zu %9zu %7zu %5s %6s %6s  %s\n", lb, grp->n_repos,
                render_ellipsize(settings, 34, nb, sizeof nb), k->tags_deleted, k->manifests_deleted,
                k->max_run_deletions, depth_text(k, d, sizeof d), count_text(r->have_pulls, k->broken_pulls, b, sizeof b),
                count_text(r->have_inuse, k->in_use_deletes, u, sizeof u), meets_text(k, m, sizeof m));
    }
    if (r->combined_text) fprintf(fp, "\n  The policy (%s):%s", dir ? "recommended.ini" : "-o DIR writes it as recommended.ini",
                                  r->combined_text);
    fputc('\n', fp);
}

int render_tune_text(const struct tune_result *r, const char *dir, FILE *fp)
{
    const struct simulation *s = &r->sim;
    const struct cost_result *c = &s->cost;
    char a[40], b[40], cons[600];
    fprintf(fp, "purgesim tune: %s, %s to %s (%zu whole days, UTC)%s\n", s->m->registry,
            timeu_format_date(s->rr.from_ns, a, sizeof a), timeu_format_date(s->rr.to_ns, b, sizeof b), s->rr.n_days,
            s->o.forecast ? ", forecast" : "");
    fprintf(fp, "registry: %s SKU, %d replica%s; money per month averaged over the window (%s, %s)\n",
            c->sku_name ? c->sku_name : "unknown", c->replicas, c->replicas == 1 ? "" : "s", s->pricing_label,
            s->price.date);
    constraints_text(r, cons, sizeof cons);
    fprintf(fp, "constraints: %s\n\n", cons);
    if (r->n_groups) {
        text_groups(r, dir, fp);
        fprintf(fp, "Each group's candidates were replayed with only that group purged; their Pareto sets are in "
                    "candidates.csv (-f csv).\n");
    } else {
        text_recommendation(r, dir, fp);
        size_t n;
        size_t *rows = pareto_rows(r, &n);
        size_t n_pareto = 0;
        for (size_t i = 0; i < r->n_cand; i++) n_pareto += r->cand[i].pareto;
        fprintf(fp, "Pareto set: %zu of %zu candidates, no other being at once cheaper, deeper in rollback and "
                    "breaking fewer pulls (\"alike\": others with the same figures, in candidates.csv)\n",
                n_pareto, r->n_cand);
        text_head(r, fp);
        for (size_t i = 0; i < n; i++) text_row(r, &r->cand[rows[i]], r->cand[rows[i]].schedule_name, true, fp);
        free(rows);
    }
    fputs("\nFor comparison:\n", fp);
    struct tune_candidate ref;
    reference(r, 0, &ref);
    snprintf(ref.name, sizeof ref.name, "baseline (deletes nothing)");
    text_row(r, &ref, "-", false, fp);
    size_t cur = current_index(r);
    if (cur != SIZE_MAX) {
        reference(r, cur, &ref);
        snprintf(ref.name, sizeof ref.name, "current (the export's setup)");
        text_row(r, &ref, "-", false, fp);
    }
    /* the replay's wall time goes to stderr (run_tune): the report is the same on every run */
    fprintf(fp, "\n%zu candidates replayed; depth \"all\": no run took a repository's tagged version.\n",
            r->n_cand);
    if (s->n_warnings) {
        fputs("\nWarnings:\n", fp);
        for (size_t i = 0; i < s->n_warnings; i++) fprintf(fp, "  - %s\n", s->warnings[i]);
    }
    return ferror(fp) ? -1 : 0;
}

/* ---- Markdown --------------------------------------------------------------------------- */

static void md_row(const struct tune_result *r, const struct tune_candidate *k, const char *schedule, bool judged,
                   FILE *fp)
{
    char d[24], b[24], u[24], m[64];
    fputs("| ", fp);
    md_escape(fp, k->name);
    if (k->alike) fprintf(fp, " (+%zu alike)", k->alike);
    fprintf(fp, " | %s | %.2f | %.2f | %.2f | %zu | %zu | %zu | %s | %s | %s | %s |\n", schedule, k->cost_per_month,
            k->end_units, k->peak_units, k->tags_deleted, k->manifests_deleted, k->max_run_deletions,
            depth_text(k, d, sizeof d), count_text(r->have_pulls, k->broken_pulls, b, sizeof b),
            count_text(r->have_inuse, k->in_use_deletes, u, sizeof u), judged ? meets_text(k, m, sizeof m) : "");
}

static void md_groups(const struct tune_result *r, const char *dir, FILE *fp)
{
    const struct cost_result *c = &r->sim.cost;
    char d[24], b[24], u[24], m[64];
    if (r->have_combined) {
        const struct tune_candidate *k = &r->combined_fig;
        fprintf(fp, "**Recommended, by repository:** one policy with a task per group, %.2f %s per month, rollback "
                    "depth %s, meets the constraints: %s.\n\n```\n%s```\n\n",
                k->cost_per_month, c->currency, depth_text(k, d, sizeof d), meets_text(k, m, sizeof m),
                r->combined_text + 1);
        if (dir) fputs("As a policy file: `recommended.ini`.\n\n", fp);
    } else {
        fputs("**No group has a candidate that meets every constraint.**\n\n", fp);
    }
    fputs("| group | repositories | chosen | tags | manifests | max run | depth | broken pulls | in-use | meets |\n"
          "|---|--:|---|--:|--:|--:|--:|--:|--:|---|\n",
          fp);
    for (size_t g = 0; g < r->n_groups; g++) {
        const struct tune_group *grp = &r->groups[g];
        fputs("| ", fp);
        md_code(fp, grp->label, true);
        fprintf(fp, " | %zu | ", grp->n_repos);
        if (grp->chosen == SIZE_MAX) {
            fprintf(fp, "none meets (`%s` binds) | | | | | | | no |\n", tune_constraint_name(grp->binding));
            continue;
        }
        const struct tune_candidate *k = &r->cand[grp->chosen];
        md_escape(fp, strchr(k->name, '_') ? strchr(k->name, '_') + 1 : k->name);
        fprintf(fp, " | %zu | %zu | %zu | %s | %s | %s | %s |\n", k->tags_deleted, k->manifests_deleted,
                k->max_run_deletions, depth_text(k, d, sizeof d), count_text(r->have_pulls, k->broken_pulls, b, sizeof b),
                count_text(r->have_inuse, k->in_use_deletes, u, sizeof u), meets_text(k, m, sizeof m));
    }
}

/* The recommendation (or which constraint binds), then the Pareto set and the references. */
static void md_single(const struct tune_result *r, const char *dir, FILE *fp)
{
    const struct cost_result *c = &r->sim.cost;
    if (r->recommended != SIZE_MAX) {
        const struct tune_candidate *k = &r->cand[r->recommended];
        fputs("**Recommended: ", fp);
        md_escape(fp, k->name);
        fprintf(fp, "**, %.2f %s per month.\n\n```\n%s\n```\n\n", k->cost_per_month, c->currency, k->task_line);
        if (dir) fputs("As a policy file: `recommended.ini`.\n\n", fp);
    } else {
        fputs("**No candidate meets every constraint.**", fp);
        if (r->binding >= 0 && r->closest != SIZE_MAX) {
            const struct tune_candidate *k = &r->cand[r->closest];
            fprintf(fp, " `%s` binds; the closest is ", tune_constraint_name(r->binding));
            md_escape(fp, k->name);
            fputc('.', fp);
            if (fee_above_budget(r, k))
                fprintf(fp, " The SKU fee alone (%.2f %s per month) is above `--budget` %.2f: no policy can meet it.",
                        k->sku_fee_per_month, c->currency, r->c.budget);
        }
        fputs("\n\n", fp);
    }
    size_t n;
    size_t *rows = pareto_rows(r, &n);
    size_t n_pareto = 0;
    for (size_t i = 0; i < r->n_cand; i++) n_pareto += r->cand[i].pareto;
    fprintf(fp, "Pareto set: %zu of %zu candidates (\"alike\": others with the same figures).\n\n", n_pareto,
            r->n_cand);
    fprintf(fp, "| candidate | schedule | %s/mo | end %s | peak %s | tags | manifests | max run | depth | broken "
                "pulls | in-use | meets |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n",
            c->currency, c->unit, c->unit);
    for (size_t i = 0; i < n; i++) md_row(r, &r->cand[rows[i]], r->cand[rows[i]].schedule_name, true, fp);
    free(rows);
    struct tune_candidate ref;
    reference(r, 0, &ref);
    snprintf(ref.name, sizeof ref.name, "baseline (deletes nothing)");
    md_row(r, &ref, "-", false, fp);
    size_t cur = current_index(r);
    if (cur != SIZE_MAX) {
        reference(r, cur, &ref);
        snprintf(ref.name, sizeof ref.name, "current (the export's setup)");
        md_row(r, &ref, "-", false, fp);
    }
    fprintf(fp, "\n%zu candidates replayed.\n", r->n_cand);
}

int render_tune_markdown(const struct tune_result *r, const char *dir, FILE *fp)
{
    const struct simulation *s = &r->sim;
    char a[40], b[40], cons[600];
    fputs("### purgesim tune: ", fp);
    md_escape(fp, s->m->registry);
    fprintf(fp, ", %s to %s (%zu days)\n\n", timeu_format_date(s->rr.from_ns, a, sizeof a),
            timeu_format_date(s->rr.to_ns, b, sizeof b), s->rr.n_days);
    constraints_text(r, cons, sizeof cons);
    fprintf(fp, "Constraints: %s.\n\n", cons);
    if (r->n_groups) {
        md_groups(r, dir, fp);
        fprintf(fp, "\n%zu candidates replayed; each group's Pareto set is in `candidates.csv`.\n", r->n_cand);
    } else {
        md_single(r, dir, fp);
    }
    /* the text report's warnings, the same list: a job summary must not hide what the text says */
    md_warnings(fp, s->warnings, s->n_warnings);
    return ferror(fp) ? -1 : 0;
}

/* ---- candidates.csv ---------------------------------------------------------------------- */

int render_tune_csv(const struct tune_result *r, struct output *out)
{
    FILE *fp = output_open(out, "candidates.csv");
    if (!fp) return -1;
    const struct cost_result *c = &r->sim.cost;
    fputs("candidate,schedule,command,retention_days,cost_per_month,storage_per_month,sku_fee_per_month,end_units,peak_units,tags_deleted,"
          "manifests_deleted,cascade_deleted,max_run_deletions,rollback_depth,broken_pulls,in_use_deletes,"
          "meets_constraints,pareto,recommended,unit,currency,group\n",
          fp);
    for (size_t i = 0; i < r->n_cand; i++) {
        const struct tune_candidate *k = &r->cand[i];
        cell_text(fp, k->name, false);
        cell_text(fp, k->schedule, false);
        cell_text(fp, k->command, false);
        if (k->retention_days >= 0) cell_u64(fp, (uint64_t)k->retention_days, false);
        else fputc(',', fp);
        cell_f(fp, k->cost_per_month, false);
        cell_f(fp, k->storage_per_month, false);
        cell_f(fp, k->sku_fee_per_month, false);
        cell_f(fp, k->end_units, false);
        cell_f(fp, k->peak_units, false);
        cell_u64(fp, k->tags_deleted, false);
        cell_u64(fp, k->manifests_deleted, false);
        cell_u64(fp, k->cascade_deleted, false);
        cell_u64(fp, k->max_run_deletions, false);
        /* empty: the candidate never deletes a tag, so it keeps every version */
        if (k->rollback_depth != REPLAY_NO_DEPTH) cell_u64(fp, k->rollback_depth, false);
        else fputc(',', fp);
        if (r->have_pulls) cell_u64(fp, k->broken_pulls, false);
        else fputc(',', fp);
        if (r->have_inuse) cell_u64(fp, k->in_use_deletes, false);
        else fputc(',', fp);
        cell_text(fp, k->meets_all ? "true" : "false", false);
        cell_text(fp, k->pareto ? "true" : "false", false);
        cell_text(fp, k->recommended ? "true" : "false", false);
        cell_text(fp, c->unit, false);
        cell_text(fp, c->currency, false);
        cell_text(fp, r->n_groups ? r->groups[k->group].label : "", true);
    }
    return output_close(out, fp);
}
