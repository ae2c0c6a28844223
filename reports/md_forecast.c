/* md_forecast.c - forecast --format markdown (render.h): the headline (when each policy first
 * exceeds the included storage, first runs over the task timeout), the per-policy table, money
 * per calendar month, the daily storage folded in <details>, and the assumptions and terms. */
#include "render.h"

#include <inttypes.h>
#include <stdio.h>

#include "markdown_internal.h"
#include "md_text.h"
#include "timeu.h"

/* When the included storage is first exceeded, then the first runs flagged as too long. */
static void headline(const struct forecast_report *f, FILE *fp)
{
    const struct replay_result *rr = f->rr;
    const struct cost_result *c = f->cost;
    const struct forecast_info *fi = f->info;
    char a[40], b[40];
    if (c->sku_name) fprintf(fp, "The included %.0f %s are first exceeded: ", c->included_units, c->unit);
    else fputs("No SKU is known, so any storage exceeds the included storage: ", fp);
    for (size_t i = 0; i < f->n_pol; i++) {
        const struct forecast_policy *p = &f->pol[i];
        fputs(i ? ", **" : "**", fp);
        md_policy(fp, rr, i);
        fputs("** ", fp);
        if (p->quota_day < 0) fputs(forecast_exceeding_text(p->quota_day, rr->first_day_ns, fi->days, a, sizeof a), fp);
        else fprintf(fp, "on **%s**%s", timeu_format_date(p->quota_day_ns, a, sizeof a),
                     p->quota_day == 0 ? " (already)" : "");
    }
    fputs(".\n", fp);
    if (!f->n_too_long) {
        fprintf(fp, "\nNo first run takes longer than the %.0f s timeout of a scheduled task (at %.2f deletions per "
                    "second).\n",
                FORECAST_TASK_TIMEOUT_SECONDS, f->o.deletes_per_second);
    }
    for (size_t i = 0; i < f->n_pol; i++) {
        const struct forecast_first_run *r = &f->pol[i].first_run;
        if (!r->too_long) continue;
        fputs("\n**Flagged: ", fp);
        md_policy(fp, rr, i);
        fprintf(fp, "**: the first run deletes **%zu %s and %zu %s**, about **%s** at %.2f deletions per second, "
                    "over the %.0f s timeout of a scheduled task. It stops after about %zu; later runs carry on (run "
                    "it by hand with a longer `--timeout` first, or purge in smaller steps).\n",
                r->tags, md_plural(r->tags, "tag", "tags"), r->manifests, md_plural(r->manifests, "manifest", "manifests"),
                forecast_duration_text(r->seconds, b, sizeof b), f->o.deletes_per_second, FORECAST_TASK_TIMEOUT_SECONDS,
                r->deletable_in_timeout);
    }
}

/* A row per policy: storage, money, when the included storage is exceeded, its first run. */
static void policy_table(const struct forecast_report *f, FILE *fp)
{
    const struct replay_result *rr = f->rr;
    const struct cost_result *c = f->cost;
    const struct forecast_info *fi = f->info;
    fprintf(fp, "\n| policy | end %s | peak %s | storage %s/mo | total %s/mo | included exceeded | first run (UTC) | "
                "deletes | est. time |\n",
            c->unit, c->unit, c->currency, c->currency);
    md_delimiter_row(fp, "lrrrrllrr", 0);
    for (size_t i = 0; i < f->n_pol; i++) {
        const struct forecast_policy *p = &f->pol[i];
        const struct cost_policy *cp = &c->pol[i];
        struct forecast_row_text row;
        forecast_row_text(p, rr->first_day_ns, fi->days, " **!**", &row);
        fputs("| ", fp);
        md_policy(fp, rr, i);
        fprintf(fp, " | %.2f | %.2f | %.2f | %.2f | %s | %s | %s | %s |\n", cp->end_units, cp->peak_units, cp->per_month,
                p->per_month, row.exceeded, row.first_run, row.deletions, row.duration);
    }
    if (f->n_too_long) fputs("\n**!** over the timeout; the figures assume every run deletes all it selects.\n", fp);
}

/* Money per calendar month, storage overage and SKU fee together. */
static void months_table(const struct forecast_report *f, FILE *fp)
{
    const struct replay_result *rr = f->rr;
    const struct cost_result *c = f->cost;
    size_t nm = f->n_pol ? f->pol[0].n_months : 0;
    fprintf(fp, "\nMoney per calendar month (%s; storage overage + SKU fee%s):\n\n| month | days", c->currency,
            c->sku_name ? "" : ", no SKU fee known");
    for (size_t i = 0; i < f->n_pol; i++) {
        fputs(" | ", fp);
        md_policy(fp, rr, i);
    }
    fputs(" |\n", fp);
    md_delimiter_row(fp, "l", 1 + f->n_pol);
    for (size_t k = 0; k < nm; k++) {
        char month[24];
        timeu_format_date(f->pol[0].months[k].month_ns, month, sizeof month);
        month[7] = '\0';
        fprintf(fp, "| %s | %zu", month, f->pol[0].months[k].days);
        for (size_t i = 0; i < f->n_pol; i++)
            fprintf(fp, " | %.2f", f->pol[i].months[k].storage + f->pol[i].months[k].sku_fee);
        fputs(" |\n", fp);
    }
}

/* The daily storage, one row a day, folded and cut to MD_LIST_BUDGET. */
static void daily_table(const struct forecast_report *f, FILE *fp)
{
    const struct replay_result *rr = f->rr;
    const struct cost_result *c = f->cost;
    fprintf(fp, "\n<details><summary>Stored %s at the end of each day (UTC), %zu days</summary>\n\n| date", c->unit,
            rr->n_days);
    for (size_t i = 0; i < f->n_pol; i++) {
        fputs(" | ", fp);
        md_policy(fp, rr, i);
    }
    fputs(" |\n", fp);
    md_delimiter_row(fp, "l", f->n_pol);
    size_t used = 0, d = 0;
    for (; d < rr->n_days; d++) {
        size_t len = 16 + 12 * f->n_pol;   /* "| YYYY-MM-DD" and " | 12345.67" per policy, at most */
        if (used + len > MD_LIST_BUDGET) break;
        char date[24];
        fprintf(fp, "| %s", timeu_format_date(rr->pol[0].days[d].day_ns, date, sizeof date));
        for (size_t i = 0; i < f->n_pol; i++) fprintf(fp, " | %.2f", f->pol[i].stored_units[d]);
        fputs(" |\n", fp);
        used += len;
    }
    if (d < rr->n_days)
        fprintf(fp, "\n… and %zu more days (`--format csv` or `json` hold them all).\n", rr->n_days - d);
    fputs("\n</details>\n", fp);
}

int render_forecast_markdown(const struct simulation *s, const struct forecast_report *f, FILE *fp)
{
    const struct cost_result *c = f->cost;
    const struct forecast_info *fi = f->info;
    char a[40], b[40];
    fputs("### purgesim forecast: ", fp);
    md_escape(fp, s->m->registry);
    fprintf(fp, ", %d %s from %s\n\n", fi->days, md_plural((size_t)fi->days, "day", "days"), timeu_format_date(fi->start_ns, a, sizeof a));
    headline(f, fp);
    policy_table(f, fp);
    months_table(f, fp);
    daily_table(f, fp);
    fputs("\nAssumptions: future pushes per repository at its weekday rates (Poisson), each a copy of a recent push "
          "with its top layers fresh; only image manifests (no indexes, signatures or SBOMs); the moving tag follows "
          "each push and versioned tags continue at the observed share; pushes a purge already deleted are not in the "
          "export, so an already purged registry is forecast low.\n",
          fp);
    md_warnings(fp, s->warnings, s->n_warnings);
    fprintf(fp, "\nFrom %s to %s (seed %" PRIu64 "); %zu synthetic image manifests (%zu new versioned tags) at the "
                "weekday rates of the %d days before the export; ",
            timeu_format(fi->start_ns, a, sizeof a), timeu_format(fi->end_ns, b, sizeof b), fi->seed,
            fi->synthetic_manifests, fi->versioned_tags, fi->lookback_days);
    md_money_terms(fp, s, c);
    fputs(").\n", fp);
    return ferror(fp) ? -1 : 0;
}
