/* forecast_table.c - purgesim forecast: the table for people, one CSV of daily figures, JSON.
 * They format what sim/forecast.c computed (struct forecast_report). */
#include "forecast.h"

#include <inttypes.h>
#include <string.h>

#include "render.h"
#include "timeu.h"

static const char *const WEEKDAY[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

static void header(const struct simulation *s, const struct forecast_report *f, FILE *fp)
{
    const struct forecast_info *fi = f->info;
    const struct cost_result *c = f->cost;
    char a[40], b[40];
    fprintf(fp, "purgesim forecast: %s, %s to %s (%d day%s, seed %" PRIu64 ")\n", s->m->registry,
            timeu_format(fi->start_ns, a, sizeof a), timeu_format(fi->end_ns, b, sizeof b), fi->days,
            fi->days == 1 ? "" : "s", fi->seed);
    if (c->sku_name)
        fprintf(fp, "registry:  %s SKU, %.0f %s included, %d replica%s\n", c->sku_name, c->included_units, c->unit,
                c->replicas, c->replicas == 1 ? "" : "s");
    else
        fprintf(fp, "registry:  SKU unknown (no included storage: any storage counts as exceeding it), %d replica%s\n",
                c->replicas, c->replicas == 1 ? "" : "s");
    fprintf(fp, "storage:   %s, in %s; overage %.5f %s per %s per day (%s, %s)\n",
            c->dedup ? "deduplicated blobs" : "sum of imageSize", c->unit, c->price_per_unit_day, c->currency, c->unit,
            s->pricing_label ? s->pricing_label : "pricing", s->price.date ? s->price.date : "undated");
    fprintf(fp, "pushes:    %zu synthetic image manifest%s (%zu new versioned tag%s, %zu fresh blob%s), at each\n"
                "           repository's weekday rates over the %d days before the export\n",
            fi->synthetic_manifests, fi->synthetic_manifests == 1 ? "" : "s", fi->versioned_tags,
            fi->versioned_tags == 1 ? "" : "s", fi->synthetic_blobs, fi->synthetic_blobs == 1 ? "" : "s",
            fi->lookback_days);
    fprintf(fp, "first run: %.0f s timeout per scheduled run, at an assumed %.2f deletions per second "
                "(--deletes-per-second)\n\n",
            FORECAST_TASK_TIMEOUT_SECONDS, f->o.deletes_per_second);
}

static size_t name_width(const struct forecast_report *f, size_t min)
{
    size_t w = min;
    for (size_t i = 0; i < f->n_pol; i++)
        if (strlen(f->rr->pol[i].p->name) > w) w = strlen(f->rr->pol[i].p->name);
    return w;
}

int render_forecast_table(const struct simulation *s, const struct forecast_report *f, FILE *fp)
{
    const struct replay_result *rr = f->rr;
    const struct cost_result *c = f->cost;
    header(s, f, fp);
    size_t w = name_width(f, 8);
    fprintf(fp, "%-*s %9s %9s %12s %12s  %-22s %-20s %9s %9s\n", (int)w, "policy", "end", "peak", "storage/mo",
            "total/mo", "included exceeded", "first run", "deletes", "est. time");
    fprintf(fp, "%-*s %9s %9s %12s %12s  %-22s %-20s %9s %9s\n", (int)w, "", c->unit, c->unit, c->currency,
            c->currency, "", "(UTC)", "", "");
    for (size_t i = 0; i < f->n_pol; i++) {
        const struct forecast_policy *p = &f->pol[i];
        const struct cost_policy *cp = &c->pol[i];
        struct forecast_row_text row;
        forecast_row_text(p, rr->first_day_ns, f->info->days, " !", &row);
        fprintf(fp, "%-*s %9.2f %9.2f %12.2f %12.2f  %-22s %-20s %9s %9s\n", (int)w, rr->pol[i].p->name,
                cp->end_units, cp->peak_units, cp->per_month, p->per_month, row.exceeded, row.first_run, row.deletions,
                row.duration);
    }
    if (f->n_too_long) fputc('\n', fp);
    for (size_t i = 0; i < f->n_pol; i++) {
        const struct forecast_first_run *r = &f->pol[i].first_run;
        char x[24];
        if (!r->too_long) continue;
        fprintf(fp, "! [%s] the first run deletes %zu tags and %zu manifests: about %s at %.2f deletions per\n"
                    "  second, over the %.0f s timeout of a scheduled task. It stops after about %zu; later runs\n"
                    "  carry on (run it by hand with a longer --timeout first, or purge in smaller steps).\n",
                rr->pol[i].p->name, r->tags, r->manifests, forecast_duration_text(r->seconds, x, sizeof x),
                f->o.deletes_per_second, FORECAST_TASK_TIMEOUT_SECONDS, r->deletable_in_timeout);
    }
    if (f->n_too_long) fputs("  (The figures above assume every run deletes all it selects.)\n", fp);

    fprintf(fp, "\nMoney per calendar month (%s; storage overage + SKU fee%s):\n", c->currency,
            c->sku_name ? "" : ", no SKU fee known");
    fprintf(fp, "  %-8s %5s", "month", "days");
    for (size_t i = 0; i < f->n_pol; i++) fprintf(fp, " %*s", (int)name_width(f, 10), f->rr->pol[i].p->name);
    fputc('\n', fp);
    size_t nm = f->n_pol ? f->pol[0].n_months : 0;
    for (size_t k = 0; k < nm; k++) {
        char month[24];
        timeu_format_date(f->pol[0].months[k].month_ns, month, sizeof month);
        month[7] = '\0';
        fprintf(fp, "  %-8s %5zu", month, f->pol[0].months[k].days);
        for (size_t i = 0; i < f->n_pol; i++)
            fprintf(fp, " %*.2f", (int)name_width(f, 10), f->pol[i].months[k].storage + f->pol[i].months[k].sku_fee);
        fputc('\n', fp);
    }

    fprintf(fp, "\nStored %s at the end of each day (UTC):\n", c->unit);
    fprintf(fp, "  %-10s", "date");
    for (size_t i = 0; i < f->n_pol; i++) fprintf(fp, " %*s", (int)name_width(f, 10), f->rr->pol[i].p->name);
    fputc('\n', fp);
    for (size_t d = 0; d < rr->n_days; d++) {
        char date[24];
        fprintf(fp, "  %-10s", timeu_format_date(rr->pol[0].days[d].day_ns, date, sizeof date));
        for (size_t i = 0; i < f->n_pol; i++) fprintf(fp, " %*.2f", (int)name_width(f, 10), f->pol[i].stored_units[d]);
        fputc('\n', fp);
    }

    fputs("\nAssumptions: future pushes per repository at its weekday rates (Poisson), each a copy of a recent "
          "push\nwith its top layers fresh; only image manifests (no indexes, signatures or SBOMs); the moving "
          "tag\nfollows each push and versioned tags continue at the observed share; pushes a purge already "
          "deleted\nare not in the export, so an already purged registry is forecast low.\n",
          fp);
    if (s->n_warnings) {
        fputs("\nWarnings:\n", fp);
        for (size_t i = 0; i < s->n_warnings; i++) fprintf(fp, "  - %s\n", s->warnings[i]);
    }
    return ferror(fp) ? -1 : 0;
}

/* A CSV cell: quoted when needed; text a spreadsheet would run as a formula gets a '. */
static void cell(FILE *fp, const char *v, bool last)
{
    bool quote = strpbrk(v, ",\"\n\r") != NULL;
    if (quote) fputc('"', fp);
    if (v[0] && strchr("=+-@\t\r", v[0])) fputc('\'', fp);
    for (const char *p = v; *p; p++) {
        if (*p == '"') fputc('"', fp);
        fputc(*p, fp);
    }
    if (quote) fputc('"', fp);
    fputc(last ? '\n' : ',', fp);
}

int render_forecast_csv(const struct simulation *s, const struct forecast_report *f, FILE *fp)
{
    (void)s;
    const struct replay_result *rr = f->rr;
    const struct cost_result *c = f->cost;
    fputs("date,policy,stored_units,billed_units,storage_cost,sku_fee,above_included,unit,currency,basis\n", fp);
    for (size_t i = 0; i < f->n_pol; i++) {
        const struct forecast_policy *p = &f->pol[i];
        for (size_t d = 0; d < rr->n_days; d++) {
            char date[24];
            cell(fp, timeu_format_date(rr->pol[i].days[d].day_ns, date, sizeof date), false);
            cell(fp, rr->pol[i].p->name, false);
            fprintf(fp, "%.6f,%.6f,%.6f,%.6f,%d,", p->stored_units[d], c->pol[i].billed_units[d],
                    c->pol[i].storage_cost[d], c->sku_fee_per_day, p->stored_units[d] > c->included_units);
            cell(fp, c->unit, false);
            cell(fp, c->currency, false);
            cell(fp, c->dedup ? "dedup" : "imageSize", true);
        }
    }
    return ferror(fp) ? -1 : 0;
}

static void json_time(FILE *fp, int64_t t)
{
    char b[40];
    if (t == INT64_MAX) fputs("null", fp);
    else fprintf(fp, "\"%s\"", timeu_format(t, b, sizeof b));
}

int render_forecast_json(const struct simulation *s, const struct forecast_report *f, FILE *fp)
{
    const struct replay_result *rr = f->rr;
    const struct cost_result *c = f->cost;
    const struct forecast_info *fi = f->info;
    const struct model *m = rr->h->m;
    fputs("{\n  \"registry\": ", fp);
    render_json_string(fp, s->m->registry);
    fputs(",\n  \"start\": ", fp);
    json_time(fp, fi->start_ns);
    fputs(", \"end\": ", fp);
    json_time(fp, fi->end_ns);
    fprintf(fp, ", \"days\": %d, \"seed\": %" PRIu64 ", \"lookback_days\": %d,\n", fi->days, fi->seed, fi->lookback_days);
    fprintf(fp, "  \"deletes_per_second\": %.6f, \"task_timeout_seconds\": %.0f,\n", f->o.deletes_per_second,
            FORECAST_TASK_TIMEOUT_SECONDS);
    fputs("  \"sku\": ", fp);
    if (c->sku_name) render_json_string(fp, c->sku_name);
    else fputs("null", fp);
    fprintf(fp, ", \"replicas\": %d, \"unit\": ", c->replicas);
    render_json_string(fp, c->unit);
    fputs(", \"currency\": ", fp);
    render_json_string(fp, c->currency);
    /* the same price members as simulate's document, so a forecast's money can be traced to its
       table and its date */
    fprintf(fp, ", \"basis\": \"%s\", \"included_units\": %.6f, \"price_per_unit_day\": %.6f, "
                "\"sku_fee_per_day\": %.6f, \"sku_fee_per_month\": %.6f, \"pricing_date\": ",
            c->dedup ? "dedup" : "imageSize", c->included_units, c->price_per_unit_day, c->sku_fee_per_day,
            c->sku_fee_per_day * PRICING_DAYS_PER_MONTH);
    if (s->price.date) render_json_string(fp, s->price.date);
    else fputs("null", fp);
    fputs(",\n", fp);
    fprintf(fp, "  \"synthetic_manifests\": %zu, \"synthetic_blobs\": %zu, \"versioned_tags\": %zu,\n",
            fi->synthetic_manifests, fi->synthetic_blobs, fi->versioned_tags);
    fputs("  \"policies\": [", fp);
    for (size_t i = 0; i < f->n_pol; i++) {
        const struct forecast_policy *p = &f->pol[i];
        const struct cost_policy *cp = &c->pol[i];
        const struct forecast_first_run *r = &p->first_run;
        char q[48];
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", fp);
        render_json_string(fp, rr->pol[i].p->name);
        fprintf(fp, ", \"end_units\": %.6f, \"peak_units\": %.6f, \"storage_per_month\": %.6f, "
                    "\"total_per_month\": %.6f,\n     \"included_exceeded\": ",
                cp->end_units, cp->peak_units, cp->per_month, p->per_month);
        if (p->quota_day < 0) fputs("null", fp);
        else json_time(fp, p->quota_day_ns);
        fputs(", \"included_exceeded_text\": ", fp);
        render_json_string(fp, forecast_exceeding_text(p->quota_day, rr->first_day_ns, fi->days, q, sizeof q));
        fputs(",\n     \"first_run\": {\"time\": ", fp);
        json_time(fp, r->t_ns);
        fprintf(fp, ", \"tags\": %zu, \"manifests\": %zu, \"cascades\": %zu, \"seconds\": %.3f, \"too_long\": %s, "
                    "\"deletable_in_timeout\": %zu},\n     \"months\": [",
                r->tags, r->manifests, r->cascades, r->seconds, r->too_long ? "true" : "false",
                r->deletable_in_timeout);
        for (size_t k = 0; k < p->n_months; k++) {
            const struct forecast_month *fm = &p->months[k];
            char month[24];
            timeu_format_date(fm->month_ns, month, sizeof month);
            month[7] = '\0';
            fprintf(fp, "%s{\"month\": \"%s\", \"days\": %zu, \"avg_units\": %.6f, \"storage\": %.6f, "
                        "\"sku_fee\": %.6f}",
                    k ? ", " : "", month, fm->days, fm->avg_units, fm->storage, fm->sku_fee);
        }
        fputs("],\n     \"daily\": [", fp);
        for (size_t d = 0; d < rr->n_days; d++) {
            char date[24];
            fprintf(fp, "%s{\"date\": \"%s\", \"stored_units\": %.6f, \"billed_units\": %.6f, \"cost\": %.6f}",
                    d ? ",\n       " : "\n       ", timeu_format_date(rr->pol[i].days[d].day_ns, date, sizeof date),
                    p->stored_units[d], cp->billed_units[d], cp->storage_cost[d]);
        }
        fputs("]}", fp);
    }
    fputs("\n  ],\n  \"repositories\": [", fp);
    for (size_t r = 0; r < fi->n_repos && r < m->n_repos; r++) {
        const struct forecast_repo *fr = &fi->repos[r];
        fputs(r ? ",\n    {\"repository\": " : "\n    {\"repository\": ", fp);
        render_json_string(fp, m->repos[r].name);
        fputs(", \"pushes_per_weekday\": {", fp);
        for (int wd = 0; wd < 7; wd++) fprintf(fp, "%s\"%s\": %.4f", wd ? ", " : "", WEEKDAY[wd], fr->rate[wd]);
        fprintf(fp, "}, \"observed_pushes\": %zu, \"synthetic\": %zu, \"versioned\": %zu, \"versioned_share\": %.4f, "
                    "\"moving_tag\": ",
                fr->observed_pushes, fr->synthetic, fr->versioned, fr->versioned_share);
        if (fr->moving_tag) render_json_string(fp, fr->moving_tag);
        else fputs("null", fp);
        fputs(", \"last_version\": ", fp);
        if (fr->last_version) render_json_string(fp, fr->last_version);
        else fputs("null", fp);
        fputc('}', fp);
    }
    fputs(fi->n_repos ? "\n  ],\n  " : "],\n  ", fp);
    render_json_warnings_end(fp, s->warnings, s->n_warnings);
    return ferror(fp) ? -1 : 0;
}
