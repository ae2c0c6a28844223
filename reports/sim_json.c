/* sim_json.c - simulate --format json (the CSV files' content in one document) and report
 * --month --format json (the month's). Keys are the CSV columns' names (see sim_csv.c). */
#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "timeu.h"

static const char *const KIND[] = {"tag", "manifest", "cascade", "retention"};

/* The members every simulate/report document opens with, up to "pricing_date". */
static void head(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    char a[48], b[48];
    fputs("{\n  \"registry\": ", fp);
    render_json_string(fp, s->m->registry);
    /* the window's first and last day, both included (whole UTC days) */
    fprintf(fp, ",\n  \"from\": \"%s\",\n  \"to\": \"%s\",\n  \"days\": %zu,\n",
            timeu_format_date(rr->from_ns, a, sizeof a), timeu_format_date(rr->to_ns, b, sizeof b), rr->n_days);
    fputs("  \"sku\": ", fp);
    if (c->sku_name) render_json_string(fp, c->sku_name);
    else fputs("null", fp);
    fprintf(fp, ",\n  \"replicas\": %d,\n  \"unit\": ", c->replicas);
    render_json_string(fp, c->unit);
    fputs(",\n  \"currency\": ", fp);
    render_json_string(fp, c->currency);
    fprintf(fp, ",\n  \"basis\": \"%s\",\n  \"included_units\": %.6f,\n  \"price_per_unit_day\": %.6f,\n"
                "  \"sku_fee_per_day\": %.6f,\n  \"sku_fee_per_month\": %.6f,\n  \"untag_model\": \"%s\",\n"
                "  \"pricing_date\": ",
            c->dedup ? "dedup" : "imageSize", c->included_units, c->price_per_unit_day, c->sku_fee_per_day,
            cs->sku_fee_per_month, history_untag_model_name(s->h->untag));
    render_json_string(fp, s->price.date);
}

static void deletions_members(const struct cost_deletions *d, FILE *fp)
{
    fprintf(fp, "\"tags_deleted\": %zu, \"manifests_deleted_purge\": %zu, \"manifests_deleted_retention\": %zu, "
                "\"cascade_deleted\": %zu",
            d->tags, d->purged, d->retention, d->cascaded);
}

/* "daily": [...] of policy i over days [from, to) of the window. */
static void daily(const struct simulation *s, const struct cost_series *cs, size_t i, size_t from, size_t to, FILE *fp)
{
    const struct replay_policy *rp = &s->rr.pol[i];
    const struct cost_policy *cp = &s->cost.pol[i];
    fputs("\"daily\": [", fp);
    for (size_t d = from; d < to; d++) {
        const struct replay_day *day = &rp->days[d];
        char date[24];
        fprintf(fp, "%s{\"date\": \"%s\", \"stored_bytes\": %" PRIu64 ", \"stored_bytes_dedup\": ",
                d > from ? ",\n       " : "\n       ", timeu_format_date(day->day_ns, date, sizeof date),
                day->stored_bytes);
        if (s->rr.dedup_known) fprintf(fp, "%" PRIu64, day->stored_bytes_dedup);
        else fputs("null", fp);
        fprintf(fp, ", \"soft_deleted_bytes\": %" PRIu64 ", \"soft_deleted_bytes_dedup\": ", day->soft_deleted_bytes);
        if (s->rr.dedup_known) fprintf(fp, "%" PRIu64, day->soft_deleted_bytes_dedup);
        else fputs("null", fp);
        fprintf(fp, ",\n        \"billed_units\": %.6f, \"storage_cost\": %.6f, ", cp->billed_units[d],
                cp->storage_cost[d]);
        deletions_members(&cs->pol[i].daily[d], fp);
        fputc('}', fp);
    }
    fputc(']', fp);
}

/* "broken_pulls", "in_use_deleted" of policy i: null when not known (no --events, --in-use). */
static void risk_members(const struct simulation *s, size_t i, FILE *fp)
{
    const struct risk_policy *r = s->risk.n_pol ? &s->risk.pol[i] : NULL;
    char t[48], ref[600];
    fputs("\"broken_pulls\": ", fp);
    if (!s->risk.have_pulls) {
        fputs("null", fp);
    } else {
        const struct replay_policy *rp = &s->rr.pol[i];
        fprintf(fp, "{\"count\": %zu, \"references\": %zu, \"first\": ", r->broken_pulls, r->broken_refs);
        if (r->broken_pulls) render_json_string(fp, timeu_format(r->first_broken_ns, t, sizeof t));
        else fputs("null", fp);
        fputs(", \"pulls\": [", fp);
        for (size_t k = 0; k < rp->n_broken; k++) {
            const struct replay_pull *pl = &s->pulls.p[rp->broken[k].pull];
            fputs(k ? ", {\"pull_time\": " : "{\"pull_time\": ", fp);
            render_json_string(fp, timeu_format(pl->t_ns, t, sizeof t));
            fputs(", \"reference\": ", fp);
            render_json_string(fp, risk_pull_reference(&s->pulls, pl, ref, sizeof ref));
            fprintf(fp, ", \"kind\": \"%s\", \"deleted_at\": ", pl->by_tag ? "tag" : "digest");
            render_json_string(fp, timeu_format(rp->broken[k].deleted_at, t, sizeof t));
            fputc('}', fp);
        }
        fputs("]}", fp);
    }
    fputs(", \"in_use_deleted\": ", fp);
    if (!s->risk.have_inuse) {
        fputs("null", fp);
    } else {
        fputc('[', fp);
        for (size_t k = 0; k < r->n_inuse; k++) {
            fputs(k ? ", {\"reference\": " : "{\"reference\": ", fp);
            render_json_string(fp, risk_inuse_reference(&s->inuse_targets[r->inuse[k].target], ref, sizeof ref));
            fputs(", \"deleted_at\": ", fp);
            render_json_string(fp, timeu_format(r->inuse[k].deleted_at, t, sizeof t));
            fputc('}', fp);
        }
        fputc(']', fp);
    }
    fputs(",\n     ", fp);
}

int render_sim_json(const struct simulation *s, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    const struct model *m = s->m;
    const struct cost_series cs = s->series;   /* computed once, with the cost */
    head(s, &cs, fp);
    fputs(",\n  \"policies\": [", fp);
    for (size_t i = 0; i < rr->n_pol; i++) {
        const struct replay_policy *rp = &rr->pol[i];
        const struct cost_policy *cp = &c->pol[i];
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", fp);
        render_json_string(fp, rp->p->name);
        fprintf(fp, ", \"runs\": %zu,\n     ", rp->runs);
        deletions_members(&cs.pol[i].window, fp);
        fprintf(fp, ",\n     \"end_units\": %.6f, \"avg_units\": %.6f, \"peak_units\": %.6f, \"reclaimed_end_units\": %.6f,\n"
                    "     \"storage_cost_window\": %.6f, \"storage_per_month\": %.6f, \"saving_per_month\": %.6f, "
                    "\"saving_vs_current_per_month\": ",
                cp->end_units, cp->avg_units, cp->peak_units, cp->reclaimed_end_units, cp->storage_total,
                cp->per_month, cp->saving_per_month);
        if (c->has_current) fprintf(fp, "%.6f,\n     ", cp->saving_vs_current_per_month);
        else fputs("null,\n     ", fp);
        /* null: no run deleted a tag, so every version is kept */
        fprintf(fp, "\"max_run_deletions\": %zu, \"rollback_depth\": ", rr->pol[i].max_run_deletions);
        if (rr->pol[i].rollback_depth == REPLAY_NO_DEPTH) fputs("null,\n     ", fp);
        else fprintf(fp, "%zu,\n     ", rr->pol[i].rollback_depth);
        risk_members(s, i, fp);
        daily(s, &cs, i, 0, rr->n_days, fp);
        fputs(",\n     \"repositories\": [", fp);
        for (size_t r = 0; r < m->n_repos; r++) {
            const struct cost_repo *cr = &cp->repos[r];
            fputs(r ? ",\n       {\"repository\": " : "\n       {\"repository\": ", fp);
            render_json_string(fp, m->repos[r].name);
            fprintf(fp, ", \"bytes_at_end\": %" PRIu64 ", \"bytes_reclaimed\": %" PRIu64 ", \"storage_cost_window\": %.6f}",
                    cr->end_bytes, cr->reclaimed_bytes, cr->cost_share);
        }
        fputs("],\n     \"deletions\": [", fp);
        char t[48] = "";
        int64_t t_done = INT64_MIN;   /* a run's deletions share its time: format it once */
        for (size_t k = 0; k < rp->n_del; k++) {
            const struct replay_deletion *dl = &rp->del[k];
            const struct repo *repo = &m->repos[dl->repo];
            char dg[80];
            if (dl->t_ns != t_done) timeu_format(dl->t_ns, t, sizeof t);
            t_done = dl->t_ns;
            fputs(k ? ",\n       {\"run_time\": \"" : "\n       {\"run_time\": \"", fp);
            fputs(t, fp);
            fputs("\", \"repository\": ", fp);
            render_json_string(fp, repo->name);
            fprintf(fp, ", \"kind\": \"%s\", \"name\": ", KIND[dl->kind]);
            if (dl->kind == RDEL_TAG) {
                render_json_string(fp, s->h->inst[dl->item].name);
                fputs(", \"bytes\": 0}", fp);
            } else {
                render_json_string(fp, digest_format(&repo->manifests[dl->item].digest, dg, sizeof dg));
                fprintf(fp, ", \"bytes\": %" PRIu64 "}", repo->manifests[dl->item].size_bytes);
            }
        }
        fputs("]}", fp);
    }
    fputs("\n  ],\n  ", fp);
    render_json_warnings_end(fp, s->warnings, s->n_warnings);
    return ferror(fp) ? -1 : 0;
}

int render_month_json(const struct simulation *s, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    const struct model *m = s->m;
    const struct cost_series cs = s->series;   /* computed once, with the cost */
    head(s, &cs, fp);
    fputs(",\n  \"month\": ", fp);
    render_json_string(fp, s->o.month ? s->o.month : "");
    fprintf(fp, ",\n  \"month_days\": %zu,\n  \"whole_month\": %s,\n  \"policies\": [", cs.acct_days,
            cs.acct_whole_month ? "true" : "false");
    for (size_t i = 0; i < rr->n_pol; i++) {
        struct cost_period cp;
        cost_period(c, i, &cp);
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", fp);
        render_json_string(fp, rr->pol[i].p->name);
        fputs(",\n     ", fp);
        deletions_members(&cs.pol[i].acct, fp);
        fprintf(fp, ",\n     \"avg_units\": %.6f, \"end_units\": %.6f, \"storage_cost_month\": %.6f, "
                    "\"sku_fee_month\": %.6f, \"total_cost_month\": %.6f,\n     \"broken_pulls_month\": ",
                cp.avg_units, cp.end_units, cp.storage, cp.sku_fee, cp.storage + cp.sku_fee);
        /* null when unknown: pulls in the month that broke, in-use images deleted by its end */
        if (s->risk.have_pulls) fprintf(fp, "%zu", s->risk.pol[i].month_broken_pulls);
        else fputs("null", fp);
        fputs(", \"in_use_deleted_by_month_end\": ", fp);
        if (s->risk.have_inuse) fprintf(fp, "%zu", s->risk.pol[i].month_inuse_deleted);
        else fputs("null", fp);
        fputs(",\n     \"repositories\": [", fp);
        for (size_t r = 0; r < m->n_repos; r++) {
            const struct cost_repo *cr = &c->pol[i].repos[r];
            fputs(r ? ",\n       {\"repository\": " : "\n       {\"repository\": ", fp);
            render_json_string(fp, m->repos[r].name);
            fprintf(fp, ", \"bytes_at_end\": %" PRIu64 ", \"storage_cost_month\": %.6f}", cr->end_bytes, cr->cost_share);
        }
        fputs("],\n     ", fp);
        daily(s, &cs, i, cs.acct_first, cs.acct_first + cs.acct_days, fp);
        fputc('}', fp);
    }
    fputs("\n  ],\n  ", fp);
    render_json_warnings_end(fp, s->warnings, s->n_warnings);
    return ferror(fp) ? -1 : 0;
}
