/* sim_table.c - the policy comparison table for people, and the monthly cost report.
 * Policy names longer than RENDER_NAME_MAX are cut with "..." (CSV and JSON hold them whole). */
#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "timeu.h"

#define REPO_NAME_MAX 60

static void header(const struct simulation *s, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    char a[40], b[40];
    fprintf(fp, "purgesim %s: %s, %s to %s (%zu whole days, UTC)\n", s->o.month ? "report" : "simulate",
            s->m->registry, timeu_format_date(rr->from_ns, a, sizeof a), timeu_format_date(rr->to_ns, b, sizeof b),
            rr->n_days);
    if (c->sku_name)
        fprintf(fp, "registry: %s SKU, %.0f %s included, %d replica%s\n", c->sku_name, c->included_units, c->unit,
                c->replicas, c->replicas == 1 ? "" : "s");
    else
        fprintf(fp, "registry: SKU unknown (no included storage counted), %d replica%s\n", c->replicas,
                c->replicas == 1 ? "" : "s");
    fprintf(fp, "storage:  %s, in %s (%s); overage %.5f %s per %s per day (%s, %s)\n",
            c->dedup ? "deduplicated blobs" : "sum of imageSize", c->unit,
            !strcmp(c->unit, "GiB") ? "2^30 bytes" : "10^9 bytes", c->price_per_unit_day, c->currency, c->unit,
            s->pricing_label, s->price.date);
    fprintf(fp, "history:  untag model %s; a purged tag %s its manifest's lastUpdateTime\n\n",
            history_untag_model_name(s->h->untag), s->o.tag_delete_touches_manifest ? "sets" : "leaves");
}

static void warnings(const struct simulation *s, FILE *fp)
{
    if (!s->n_warnings) return;
    fputs("\nWarnings:\n", fp);
    for (size_t i = 0; i < s->n_warnings; i++) fprintf(fp, "  - %s\n", s->warnings[i]);
}

static void sku_fee_line(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    const struct cost_result *c = &s->cost;
    if (c->sku_name && c->sku_fee_unknown)
        fprintf(fp, "SKU fee (any policy): not known in %s (the price table is in %s)\n", c->currency,
                s->price.currency);
    else if (c->sku_name)
        fprintf(fp, "SKU fee (any policy): %.5f %s per day, %.2f %s per month (%s%s)\n", c->sku_fee_per_day,
                c->currency, cs->sku_fee_per_month, c->currency, c->sku_name,
                s->price.exchange_rate > 0 ? ", derived from the USD list price at the table's exchange rate" : "");
    else
        fputs("SKU fee: none counted (SKU unknown: give --sku)\n", fp);
}

/* The deletion columns' two header rows and one row of figures. */
#define DEL_HEAD1 "%9s %10s %10s %10s", "tags", "manifests", "manifests", "referrers"
#define DEL_HEAD2 "%9s %10s %10s %10s", "deleted", "by purge", "by retent.", "cascaded"
static void deletion_cells(const struct cost_deletions *d, FILE *fp)
{
    fprintf(fp, "%9zu %10zu %10zu %10zu", d->tags, d->purged, d->retention, d->cascaded);
}

/* Under the table: per policy, what it breaks, and where the figures come from. */
static void risk_lines(const struct simulation *s, FILE *fp)
{
    fputs("\nRisk: ", fp);
    if (s->risk.have_pulls)
        fprintf(fp, "\"broken pulls\" are those of the event log's %zu successful pulls in the window (%zu more the "
                    "history cannot place) that would have failed: the tag or manifest pulled was deleted.",
                s->pulls.pulls - s->pulls.unresolved, s->pulls.unresolved);
    if (s->risk.have_inuse)
        fprintf(fp, "%s\"in-use deleted\" counts which of the %zu in-use references each policy deletes.",
                s->risk.have_pulls ? " " : "", s->inuse.n);
    fputc('\n', fp);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        const struct risk_policy *r = &s->risk.pol[i];
        if (!r->broken_pulls && !r->n_inuse) continue;
        char nb[64], t[48], ref[600];
        fprintf(fp, "  [%s] ", render_ellipsize(s->rr.pol[i].p->name, RENDER_NAME_MAX, nb, sizeof nb));
        const char *sep = "";   /* between the items, none after the last */
        if (r->broken_pulls) {
            fprintf(fp, "breaks %zu pull%s of %zu reference%s, the first at %s", r->broken_pulls,
                    r->broken_pulls == 1 ? "" : "s", r->broken_refs, r->broken_refs == 1 ? "" : "s",
                    timeu_format(r->first_broken_ns, t, sizeof t));
            sep = "; ";
        }
        for (size_t k = 0; k < r->n_inuse && k < 3; k++) {
            fprintf(fp, "%sdeletes in-use %s at %s", sep,
                    risk_inuse_reference(&s->inuse_targets[r->inuse[k].target], ref, sizeof ref),
                    timeu_format(r->inuse[k].deleted_at, t, sizeof t));
            sep = "; ";
        }
        if (r->n_inuse > 3)
            fprintf(fp, "%sand %zu more in-use reference%s", sep, r->n_inuse - 3, r->n_inuse - 3 == 1 ? "" : "s");
        fputc('\n', fp);
    }
}

int render_sim_table(const struct simulation *s, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    const struct model *m = s->m;
    const struct cost_series cs = s->series;   /* computed once, with the cost */
    header(s, fp);
    int w = (int)render_name_width(s, 8, RENDER_NAME_MAX);
    char window[32], avg[32];
    snprintf(window, sizeof window, "%s window", c->currency);
    snprintf(avg, sizeof avg, "%s/mo avg", c->currency);
    fprintf(fp, "%-*s %5s ", w, "policy", "runs");
    fprintf(fp, DEL_HEAD1);
    fprintf(fp, " %8s %8s %8s %9s %12s %12s %12s", "end", "avg", "peak", "reclaimed", "storage", "storage",
            "saving");
    if (c->has_current) fputs(" vs current", fp);
    if (s->risk.have_pulls) fprintf(fp, " %8s", "broken");
    if (s->risk.have_inuse) fprintf(fp, " %8s", "in-use");
    fputc('\n', fp);
    fprintf(fp, "%-*s %5s ", w, "", "");
    fprintf(fp, DEL_HEAD2);
    fprintf(fp, " %8s %8s %8s %9s %12s %12s %12s", c->unit, c->unit, c->unit, c->unit, window, avg, avg);
    if (c->has_current) fprintf(fp, " %10s", avg);
    if (s->risk.have_pulls) fprintf(fp, " %8s", "pulls");
    if (s->risk.have_inuse) fprintf(fp, " %8s", "deleted");
    fputc('\n', fp);
    for (size_t i = 0; i < rr->n_pol; i++) {
        const struct cost_policy *cp = &c->pol[i];
        char nb[64];
        fprintf(fp, "%-*s %5zu ", w, render_ellipsize(rr->pol[i].p->name, (size_t)w, nb, sizeof nb), rr->pol[i].runs);
        deletion_cells(&cs.pol[i].window, fp);
        fprintf(fp, " %8.2f %8.2f %8.2f %9.2f %12.2f %12.2f %12.2f", cp->end_units, cp->avg_units, cp->peak_units,
                cp->reclaimed_end_units, cp->storage_total, cp->per_month, cp->saving_per_month);
        if (c->has_current) fprintf(fp, " %10.2f", cp->saving_vs_current_per_month);
        if (s->risk.have_pulls) fprintf(fp, " %8zu", s->risk.pol[i].broken_pulls);
        if (s->risk.have_inuse) fprintf(fp, " %8zu", s->risk.pol[i].n_inuse);
        fputc('\n', fp);
    }
    if (s->risk.have_pulls || s->risk.have_inuse) risk_lines(s, fp);
    fprintf(fp, "\nDeleted over the window; referrers (signatures, SBOMs) go with their subject.\n"
                "Storage: overage money above the included storage, over the window and per month (averaged over\n"
                "the window); the SKU fee is apart%s:\n",
                c->has_current ? ". Savings are against the baseline (deletes nothing) and against current\n"
                                 "(the purge tasks and policies the export's registry runs today)"
                               : "");
    sku_fee_line(s, &cs, fp);

    if (c->n_top) {
        const struct cost_repo *best = c->pol[c->best].repos, *base = c->pol[0].repos;
        char nb[64];
        fprintf(fp, "\nTop repositories by reclaimable bytes (sum of imageSize) under %s:\n",
                render_ellipsize(rr->pol[c->best].p->name, RENDER_NAME_MAX, nb, sizeof nb));
        fprintf(fp, "  %-40s %12s %12s %12s\n", "repository", "baseline", "policy", "reclaimable");
        for (size_t k = 0; k < c->n_top; k++) {
            uint32_t r = c->top[k];
            char x[32], y[32], z[32], rb[80];
            fprintf(fp, "  %-40s %12s %12s %12s\n", render_ellipsize(m->repos[r].name, REPO_NAME_MAX, rb, sizeof rb),
                    render_bytes(base[r].end_bytes, x, sizeof x), render_bytes(best[r].end_bytes, y, sizeof y),
                    render_bytes(best[r].reclaimed_bytes, z, sizeof z));
        }
    }
    warnings(s, fp);
    return ferror(fp) ? -1 : 0;
}

int render_month_report(const struct simulation *s, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    const struct model *m = s->m;
    const struct cost_series cs = s->series;   /* computed once, with the cost */
    header(s, fp);
    fprintf(fp, "Monthly cost report for %s\n\n", s->o.month);
    fprintf(fp, "%zu day%s of the month lie in the export's history.\n\n", cs.acct_days, cs.acct_days == 1 ? "" : "s");
    int w = (int)render_name_width(s, 8, RENDER_NAME_MAX);
    char money[32];
    render_period_money_label(s, &cs, money, sizeof money);
    fprintf(fp, "%-*s %8s %8s %10s %10s %10s ", w, "policy", "avg", "end", "storage", "SKU fee", "total");
    fprintf(fp, DEL_HEAD1);
    if (s->risk.have_pulls) fprintf(fp, " %8s", "broken");
    if (s->risk.have_inuse) fprintf(fp, " %8s", "in-use");
    fprintf(fp, "\n%-*s %8s %8s %10s %10s %10s ", w, "", c->unit, c->unit, money, money, money);
    fprintf(fp, DEL_HEAD2);
    if (s->risk.have_pulls) fprintf(fp, " %8s", "pulls");
    if (s->risk.have_inuse) fprintf(fp, " %8s", "deleted");
    fputc('\n', fp);
    for (size_t i = 0; i < rr->n_pol; i++) {
        struct cost_period cp;
        cost_period(c, i, &cp);
        char nb[64];
        fprintf(fp, "%-*s %8.2f %8.2f %10.2f %10.2f %10.2f ", w,
                render_ellipsize(rr->pol[i].p->name, (size_t)w, nb, sizeof nb), cp.avg_units, cp.end_units, cp.storage,
                cp.sku_fee, cp.storage + cp.sku_fee);
        deletion_cells(&cs.pol[i].acct, fp);
        /* the month's: pulls in it that broke, in-use images deleted by its end */
        if (s->risk.have_pulls) fprintf(fp, " %8zu", s->risk.pol[i].month_broken_pulls);
        if (s->risk.have_inuse) fprintf(fp, " %8zu", s->risk.pol[i].month_inuse_deleted);
        fputc('\n', fp);
    }
    fprintf(fp, "\nMoney over the %zu day%s of %s in the history: storage overage above the included storage,\n"
                "the SKU fee (the same for every policy), their total. Deleted in the month; referrers go with\n"
                "their subject.%s\n",
            cs.acct_days, cs.acct_days == 1 ? "" : "s", s->o.month,
            s->risk.have_pulls || s->risk.have_inuse
                ? " Broken pulls: the event log's successful pulls in the month that the policy's\n"
                  "deletions would have failed; in-use deleted: in-use images it deleted by the month's end."
                : "");
    int rw = 10;
    for (size_t r = 0; r < m->n_repos; r++)
        if ((int)strlen(m->repos[r].name) > rw) rw = (int)strlen(m->repos[r].name);
    if (rw > REPO_NAME_MAX) rw = REPO_NAME_MAX;
    for (size_t i = 0; i < rr->n_pol; i++) {
        char nb[64];
        fprintf(fp, "\n[%s] storage cost by repository (its share of the storage money, by byte-days of imageSize):\n",
                render_ellipsize(rr->pol[i].p->name, RENDER_NAME_MAX, nb, sizeof nb));
        fprintf(fp, "  %-*s %12s %12s\n", rw, "repository", "end", money);
        for (size_t r = 0; r < m->n_repos; r++) {
            const struct cost_repo *cr = &c->pol[i].repos[r];
            char x[32], rb[80];
            fprintf(fp, "  %-*s %12s %12.2f\n", rw, render_ellipsize(m->repos[r].name, REPO_NAME_MAX, rb, sizeof rb),
                    render_bytes(cr->end_bytes, x, sizeof x), cr->cost_share);
        }
    }
    fprintf(fp, "\nAssumptions: pricing %s (%s); a month is the calendar month; storage billed per day "
                "above the SKU's included %.0f %s.\n", s->pricing_label, s->price.date, c->included_units, c->unit);
    warnings(s, fp);
    return ferror(fp) ? -1 : 0;
}
