/* sim_csv.c - simulate --format csv and report --month --format csv: files written through
 * libcsv, each atomically.
 *
 * Columns name their unit: *_bytes are bytes; *_units are in the `unit` column's unit (GiB or
 * GB); money columns are in the `currency` column's currency and name their period:
 * storage_cost_window is the overage money over the whole window (simulate), storage_per_month
 * and saving_per_month are per month averaged over the window, *_month columns are over the
 * report month's days in the history; storage_cost in daily rows is that day's. The SKU fee is
 * apart from storage money (sku_fee_* columns). repositories.csv's storage_cost_window (and
 * month-repositories.csv's storage_cost_month) is each repository's part of the policy's storage
 * money, split by byte-days of imageSize; a policy's repositories add up to its summary figure.
 * Deletions are counted apart: tags_deleted (tags purge untagged), manifests_deleted_purge
 * (manifests purge tasks deleted), manifests_deleted_retention (by the retention policy) and
 * cascade_deleted (referrers the registry deleted with their subject). summary.csv's
 * max_run_deletions is the largest single run's deletions; rollback_depth the fewest tagged
 * manifests a matching repository kept after a run that took one of its tagged versions, empty
 * when no run took one (sim/replay.h). */
#include "render.h"

#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv_cell.h"
#include "timeu.h"

typedef void (*csv_body_fn)(const struct simulation *s, const struct cost_series *cs, FILE *fp);

static void cell_deletions(FILE *fp, const struct cost_deletions *d, bool last)
{
    cell_u64(fp, d->tags, false);
    cell_u64(fp, d->purged, false);
    cell_u64(fp, d->retention, false);
    cell_u64(fp, d->cascaded, last);
}

#define DELETION_COLUMNS "tags_deleted,manifests_deleted_purge,manifests_deleted_retention,cascade_deleted"

static void summary(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    const struct cost_result *c = &s->cost;
    fputs("policy,runs," DELETION_COLUMNS ",end_units,avg_units,peak_units,reclaimed_end_units,"
          "storage_cost_window,storage_per_month,saving_per_month,saving_vs_current_per_month,sku_fee_per_month,"
          "unit,currency,basis,broken_pulls,in_use_deleted,max_run_deletions,rollback_depth\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        const struct replay_policy *rp = &s->rr.pol[i];
        const struct cost_policy *cp = &c->pol[i];
        cell_text(fp, rp->p->name, false);
        cell_u64(fp, rp->runs, false);
        cell_deletions(fp, &cs->pol[i].window, false);
        cell_f(fp, cp->end_units, false);
        cell_f(fp, cp->avg_units, false);
        cell_f(fp, cp->peak_units, false);
        cell_f(fp, cp->reclaimed_end_units, false);
        cell_f(fp, cp->storage_total, false);
        cell_f(fp, cp->per_month, false);
        cell_f(fp, cp->saving_per_month, false);
        if (c->has_current) cell_f(fp, cp->saving_vs_current_per_month, false);
        else fputc(',', fp);   /* empty: the export carries no purge setup */
        cell_f(fp, cs->sku_fee_per_month, false);
        cell_text(fp, c->unit, false);
        cell_text(fp, c->currency, false);
        cell_text(fp, c->dedup ? "dedup" : "imageSize", false);
        /* empty when unknown: no --events, no --in-use */
        if (s->risk.have_pulls) cell_u64(fp, s->risk.pol[i].broken_pulls, false);
        else fputc(',', fp);
        if (s->risk.have_inuse) cell_u64(fp, s->risk.pol[i].n_inuse, false);
        else fputc(',', fp);
        /* the largest single run, and the fewest tagged manifests a run left where it took some
         * (sim/REPLAY.md); empty depth: no run deleted a tag */
        cell_u64(fp, rp->max_run_deletions, false);
        if (rp->rollback_depth != REPLAY_NO_DEPTH) cell_u64(fp, rp->rollback_depth, true);
        else fputc('\n', fp);
    }
}

/* broken-pulls.csv: every pull a policy would have broken, with the run that deleted it. */
static void broken_pulls(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    (void)cs;
    fputs("policy,pull_time,repository,reference,kind,deleted_at\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        const struct replay_policy *rp = &s->rr.pol[i];
        for (size_t k = 0; k < rp->n_broken; k++) {
            const struct replay_pull *pl = &s->pulls.p[rp->broken[k].pull];
            const struct event *e = &s->events.ev[pl->event];
            char t[48], dg[80];
            cell_text(fp, rp->p->name, false);
            cell_text(fp, timeu_format(pl->t_ns, t, sizeof t), false);
            cell_text(fp, e->repo, false);
            cell_text(fp, pl->by_tag ? e->tag : digest_format(&e->digest, dg, sizeof dg), false);
            cell_text(fp, pl->by_tag ? "tag" : "digest", false);
            cell_text(fp, timeu_format(rp->broken[k].deleted_at, t, sizeof t), true);
        }
    }
}

/* in-use.csv: every in-use reference a policy deletes, and when first. */
static void in_use(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    (void)cs;
    fputs("policy,reference,deleted_at\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        const struct risk_policy *r = &s->risk.pol[i];
        for (size_t k = 0; k < r->n_inuse; k++) {
            char ref[600], t[48];
            cell_text(fp, s->rr.pol[i].p->name, false);
            cell_text(fp, risk_inuse_reference(&s->inuse_targets[r->inuse[k].target], ref, sizeof ref), false);
            cell_text(fp, timeu_format(r->inuse[k].deleted_at, t, sizeof t), true);
        }
    }
}

/* The daily rows of days [from, to) of the window. */
static void daily_rows(const struct simulation *s, const struct cost_series *cs, size_t from, size_t to, FILE *fp)
{
    const struct cost_result *c = &s->cost;
    fputs("date,policy,stored_bytes,stored_bytes_dedup,soft_deleted_bytes,soft_deleted_bytes_dedup,billed_units,"
          "storage_cost," DELETION_COLUMNS ",unit,currency\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        const struct replay_policy *rp = &s->rr.pol[i];
        for (size_t d = from; d < to; d++) {
            const struct replay_day *day = &rp->days[d];
            char date[24];
            cell_text(fp, timeu_format_date(day->day_ns, date, sizeof date), false);
            cell_text(fp, rp->p->name, false);
            cell_u64(fp, day->stored_bytes, false);
            if (s->rr.dedup_known) cell_u64(fp, day->stored_bytes_dedup, false);
            else fputc(',', fp);
            cell_u64(fp, day->soft_deleted_bytes, false);
            if (s->rr.dedup_known) cell_u64(fp, day->soft_deleted_bytes_dedup, false);
            else fputc(',', fp);
            cell_f(fp, c->pol[i].billed_units[d], false);
            cell_f(fp, c->pol[i].storage_cost[d], false);
            cell_deletions(fp, &cs->pol[i].daily[d], false);
            cell_text(fp, c->unit, false);
            cell_text(fp, c->currency, true);
        }
    }
}

static void daily(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    daily_rows(s, cs, 0, s->rr.n_days, fp);
}

static void repositories(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    (void)cs;
    fputs("policy,repository,bytes_at_end,bytes_reclaimed,storage_cost_window,currency\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++)
        for (size_t r = 0; r < s->m->n_repos; r++) {
            const struct cost_repo *cr = &s->cost.pol[i].repos[r];
            cell_text(fp, s->rr.pol[i].p->name, false);
            cell_text(fp, s->m->repos[r].name, false);
            cell_u64(fp, cr->end_bytes, false);
            cell_u64(fp, cr->reclaimed_bytes, false);
            cell_f(fp, cr->cost_share, false);
            cell_text(fp, s->cost.currency, true);
        }
}

static const char *const KIND[] = {"tag", "manifest", "cascade", "retention"};

static void deletions(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    (void)cs;
    fputs("run_time,policy,repository,kind,name,bytes\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        const struct replay_policy *rp = &s->rr.pol[i];
        for (size_t k = 0; k < rp->n_del; k++) {
            const struct replay_deletion *dl = &rp->del[k];
            const struct repo *repo = &s->m->repos[dl->repo];
            char t[48], dg[80];
            cell_text(fp, timeu_format(dl->t_ns, t, sizeof t), false);
            cell_text(fp, rp->p->name, false);
            cell_text(fp, repo->name, false);
            cell_text(fp, KIND[dl->kind], false);
            if (dl->kind == RDEL_TAG) {
                cell_text(fp, s->h->inst[dl->item].name, false);
                cell_u64(fp, 0, true);
            } else {
                cell_text(fp, digest_format(&repo->manifests[dl->item].digest, dg, sizeof dg), false);
                cell_u64(fp, repo->manifests[dl->item].size_bytes, true);
            }
        }
    }
}

static int write_file(const struct simulation *s, const struct cost_series *cs, struct output *out,
                      const char *name, csv_body_fn body)
{
    FILE *fp = output_open(out, name);
    if (!fp) return -1;
    body(s, cs, fp);
    return output_close(out, fp);
}

struct csv_file {
    const char *name;
    csv_body_fn body;
};

static int write_files(const struct simulation *s, struct output *out, const struct csv_file *files, size_t n)
{
    const struct cost_series cs = s->series;   /* computed once, with the cost */
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) rc = write_file(s, &cs, out, files[i].name, files[i].body);
    return rc;
}

int render_sim_csv(const struct simulation *s, struct output *out)
{
    static const struct csv_file files[] = {{"summary.csv", summary}, {"daily.csv", daily},
                                            {"repositories.csv", repositories}, {"deletions.csv", deletions}};
    static const struct csv_file pulls_file = {"broken-pulls.csv", broken_pulls}, inuse_file = {"in-use.csv", in_use};
    int rc = write_files(s, out, files, sizeof files / sizeof files[0]);
    if (rc == 0 && s->risk.have_pulls) rc = write_files(s, out, &pulls_file, 1);
    if (rc == 0 && s->risk.have_inuse) rc = write_files(s, out, &inuse_file, 1);
    return rc;
}

/* report --month: the month per policy. Money over the month's days in the history. */
static void month_summary(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    const struct cost_result *c = &s->cost;
    fputs("month,days,policy," DELETION_COLUMNS ",avg_units,end_units,storage_cost_month,sku_fee_month,"
          "total_cost_month,unit,currency,basis,broken_pulls,in_use_deleted\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        struct cost_period cp;
        cost_period(c, i, &cp);
        cell_text(fp, s->o.month, false);
        cell_u64(fp, cp.days, false);
        cell_text(fp, s->rr.pol[i].p->name, false);
        cell_deletions(fp, &cs->pol[i].acct, false);
        cell_f(fp, cp.avg_units, false);
        cell_f(fp, cp.end_units, false);
        cell_f(fp, cp.storage, false);
        cell_f(fp, cp.sku_fee, false);
        cell_f(fp, cp.storage + cp.sku_fee, false);
        cell_text(fp, c->unit, false);
        cell_text(fp, c->currency, false);
        cell_text(fp, c->dedup ? "dedup" : "imageSize", false);
        /* the month's (empty when unknown): pulls in it that broke, in-use deleted by its end */
        if (s->risk.have_pulls) cell_u64(fp, s->risk.pol[i].month_broken_pulls, false);
        else fputc(',', fp);
        if (s->risk.have_inuse) cell_u64(fp, s->risk.pol[i].month_inuse_deleted, true);
        else fputc('\n', fp);
    }
}

static void month_repositories(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    (void)cs;
    fputs("month,policy,repository,bytes_at_end,storage_cost_month,currency\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++)
        for (size_t r = 0; r < s->m->n_repos; r++) {
            const struct cost_repo *cr = &s->cost.pol[i].repos[r];
            cell_text(fp, s->o.month, false);
            cell_text(fp, s->rr.pol[i].p->name, false);
            cell_text(fp, s->m->repos[r].name, false);
            cell_u64(fp, cr->end_bytes, false);
            cell_f(fp, cr->cost_share, false);
            cell_text(fp, s->cost.currency, true);
        }
}

static void month_daily(const struct simulation *s, const struct cost_series *cs, FILE *fp)
{
    daily_rows(s, cs, cs->acct_first, cs->acct_first + cs->acct_days, fp);
}

int render_month_csv(const struct simulation *s, struct output *out)
{
    static const struct csv_file files[] = {{"month-summary.csv", month_summary},
                                            {"month-repositories.csv", month_repositories},
                                            {"month-daily.csv", month_daily}};
    return write_files(s, out, files, sizeof files / sizeof files[0]);
}
