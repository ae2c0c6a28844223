/* sim_table.c - the policy comparison table for people, and the monthly cost report. */
#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "timeu.h"

static void header(const struct simulation *s, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    char a[40], b[40];
    fprintf(fp, "purgesim simulate: %s, %s to %s (%zu days)\n", s->m->registry,
            timeu_format(rr->from_ns, a, sizeof a), timeu_format(rr->to_ns, b, sizeof b), rr->n_days);
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

int render_sim_table(const struct simulation *s, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    const struct model *m = s->m;
    header(s, fp);
    size_t w = 8;
    for (size_t i = 0; i < rr->n_pol; i++)
        if (strlen(rr->pol[i].p->name) > w) w = strlen(rr->pol[i].p->name);
    fprintf(fp, "%-*s %6s %9s %10s %9s %9s %9s %10s %12s %10s %10s\n", (int)w, "policy", "runs", "tags del",
            "manif. del", "end", "avg", "peak", "reclaimed", "storage", "per month", "saving/mo");
    fprintf(fp, "%-*s %6s %9s %10s %9s %9s %9s %10s %12s %10s %10s\n", (int)w, "", "", "", "", c->unit, c->unit,
            c->unit, c->unit, c->currency, c->currency, c->currency);
    for (size_t i = 0; i < rr->n_pol; i++) {
        const struct replay_policy *rp = &rr->pol[i];
        const struct cost_policy *cp = &c->pol[i];
        fprintf(fp, "%-*s %6zu %9zu %10zu %9.2f %9.2f %9.2f %10.2f %12.2f %10.2f %10.2f\n", (int)w, rp->p->name,
                rp->runs, rp->tags_deleted, rp->manifests_deleted + rp->cascade_deleted, cp->end_units,
                cp->avg_units, cp->peak_units, cp->reclaimed_end_units, cp->storage_total, cp->per_month,
                cp->saving_per_month);
    }
    if (c->sku_name && c->sku_fee_unknown)
        fprintf(fp, "\nSKU fee (any policy): not known in %s (the price table is in %s)\n", c->currency,
                s->price.currency);
    else if (c->sku_name)
        fprintf(fp, "\nSKU fee (any policy): %.5f %s per day, %.2f %s per month (%s%s)\n", c->sku_fee_per_day,
                c->currency, c->sku_fee_per_day * PRICING_DAYS_PER_MONTH, c->currency, c->sku_name,
                s->price.exchange_rate > 0 ? ", derived from the USD list price at the table's exchange rate" : "");

    if (c->n_top) {
        const struct cost_repo *best = c->pol[c->best].repos, *base = c->pol[0].repos;
        fprintf(fp, "\nTop repositories by reclaimable bytes (sum of imageSize) under %s:\n", rr->pol[c->best].p->name);
        fprintf(fp, "  %-40s %12s %12s %12s\n", "repository", "baseline", "policy", "reclaimable");
        for (size_t k = 0; k < c->n_top; k++) {
            uint32_t r = c->top[k];
            char x[32], y[32], z[32];
            fprintf(fp, "  %-40s %12s %12s %12s\n", m->repos[r].name, render_bytes(base[r].end_bytes, x, sizeof x),
                    render_bytes(best[r].end_bytes, y, sizeof y), render_bytes(best[r].reclaimed_bytes, z, sizeof z));
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
    header(s, fp);
    fprintf(fp, "Monthly cost report for %s\n\n", s->o.month);
    struct cost_period first;
    cost_period(c, 0, &first);
    fprintf(fp, "%zu day%s of the month lie in the export's history.\n\n", first.days, first.days == 1 ? "" : "s");
    fprintf(fp, "%-20s %10s %10s %12s %12s %12s\n", "policy", "avg", "end", "storage", "SKU fee", "total");
    fprintf(fp, "%-20s %10s %10s %12s %12s %12s\n", "", c->unit, c->unit, c->currency, c->currency, c->currency);
    for (size_t i = 0; i < rr->n_pol; i++) {
        struct cost_period cp;
        cost_period(c, i, &cp);
        fprintf(fp, "%-20s %10.2f %10.2f %12.2f %12.2f %12.2f\n", rr->pol[i].p->name, cp.avg_units, cp.end_units,
                cp.storage, cp.sku_fee, cp.storage + cp.sku_fee);
    }
    for (size_t i = 0; i < rr->n_pol; i++) {
        fprintf(fp, "\n[%s] storage cost by repository (share of byte-days, sum of imageSize):\n", rr->pol[i].p->name);
        fprintf(fp, "  %-40s %12s %12s\n", "repository", "end", c->currency);
        for (size_t r = 0; r < m->n_repos; r++) {
            const struct cost_repo *cr = &c->pol[i].repos[r];
            char x[32];
            fprintf(fp, "  %-40s %12s %12.2f\n", m->repos[r].name, render_bytes(cr->end_bytes, x, sizeof x), cr->cost_share);
        }
    }
    fprintf(fp, "\nAssumptions: pricing %s (%s); a month is the calendar month; storage billed per day "
                "above the SKU's included %.0f %s.\n", s->pricing_label, s->price.date, c->included_units, c->unit);
    warnings(s, fp);
    return ferror(fp) ? -1 : 0;
}
