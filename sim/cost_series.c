/* cost_series.c - deletions by kind, stored units per day, money per calendar month. */
#include "cost_series.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "timeu.h"

/* Adds a replay day's deletions: its counts cover every deletion, whether or not the replay
 * kept the list (replay_keep), so the figures are the same for every output. */
static void add_day(struct cost_deletions *c, const struct replay_day *d)
{
    c->tags += d->tags_deleted;
    c->purged += (size_t)d->manifests_deleted - d->retention_deleted;
    c->retention += d->retention_deleted;
    c->cascaded += d->cascade_deleted;
}

/* The month index of day d, counted from the window's first month. */
static size_t month_of(int64_t first_day_ns, size_t d, int64_t y0, unsigned m0)
{
    int64_t y;
    unsigned m, dd;
    timeu_civil_from_days(first_day_ns / TIMEU_NS_PER_DAY + (int64_t)d, &y, &m, &dd);
    return (size_t)((y - y0) * 12 + (int64_t)m - (int64_t)m0);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    int64_t a = timeu_days_from_civil(y, m, 1);
    int64_t b = m == 12 ? timeu_days_from_civil(y + 1, 1, 1) : timeu_days_from_civil(y, m + 1, 1);
    return (unsigned)(b - a);
}

bool cost_series_day_accounted(const struct cost_series *s, size_t d)
{
    return d >= s->acct_first && d < s->acct_first + s->acct_days;
}

void cost_series_compute(const struct cost_result *c, struct cost_series *out)
{
    const struct replay_result *rr = c->rr;
    memset(out, 0, sizeof *out);
    out->c = c;
    out->n_pol = rr->n_pol;
    out->n_days = rr->n_days;

    /* the accounted days: the whole window unless a month was asked for */
    out->acct_first = rr->n_days;
    for (size_t d = 0; d < rr->n_days; d++) {
        int64_t day = rr->first_day_ns + (int64_t)d * TIMEU_NS_PER_DAY;
        if (!replay_day_accounted(rr->acct_from_ns, rr->acct_to_ns, day)) continue;
        if (out->acct_first == rr->n_days) out->acct_first = d;
        out->acct_days++;
    }
    if (!out->acct_days) out->acct_first = 0;

    int64_t y0 = 0;
    unsigned m0 = 1, dd;
    timeu_civil_from_days(rr->first_day_ns / TIMEU_NS_PER_DAY, &y0, &m0, &dd);
    out->n_months = rr->n_days ? month_of(rr->first_day_ns, rr->n_days - 1, y0, m0) + 1 : 0;
    out->acct_month = out->acct_days ? month_of(rr->first_day_ns, out->acct_first, y0, m0) : 0;

    out->pol = xcalloc(out->n_pol + 1, sizeof *out->pol);
    for (size_t i = 0; i < out->n_pol; i++) {
        const struct replay_policy *rp = &rr->pol[i];
        const struct cost_policy *cp = &c->pol[i];
        struct cost_series_policy *sp = &out->pol[i];
        sp->daily = xcalloc(rr->n_days + 1, sizeof *sp->daily);
        sp->stored_units = xcalloc(rr->n_days + 1, sizeof *sp->stored_units);
        sp->months = xcalloc(out->n_months + 1, sizeof *sp->months);

        /* deletions: the replay counts each on the day it happened in (midnight starts a
         * day; before the first day counts in it, after the last in the last) */
        for (size_t d = 0; d < rr->n_days; d++) {
            add_day(&sp->window, &rp->days[d]);
            add_day(&sp->daily[d], &rp->days[d]);
            if (cost_series_day_accounted(out, d)) add_day(&sp->acct, &rp->days[d]);
        }

        for (size_t d = 0; d < rr->n_days; d++) {
            double units = (double)cost_day_bytes(&rp->days[d], c->dedup) / c->unit_bytes;
            sp->stored_units[d] = units;
            if (units > out->max_stored_units) out->max_stored_units = units;
            struct cost_month *cm = &sp->months[month_of(rr->first_day_ns, d, y0, m0)];
            if (!cm->days) cm->first_day = d;
            cm->days++;
            cm->avg_units += units;
            cm->end_units = units;
            cm->storage += cp->storage_cost[d];
            cm->sku_fee += c->sku_fee_per_day;
        }
        for (size_t k = 0; k < out->n_months; k++) {
            struct cost_month *cm = &sp->months[k];
            int64_t y = y0 + (int64_t)((m0 - 1 + k) / 12);
            unsigned m = (unsigned)((m0 - 1 + k) % 12 + 1);
            cm->month_ns = timeu_days_from_civil(y, m, 1) * TIMEU_NS_PER_DAY;
            cm->whole = cm->days == days_in_month(y, m);
            if (cm->days) cm->avg_units /= (double)cm->days;
            if (cm->storage > out->max_month_storage) out->max_month_storage = cm->storage;
        }
    }
    out->sku_fee_per_month = c->sku_fee_per_day * PRICING_DAYS_PER_MONTH;
    bool month_asked = rr->acct_from_ns != 0 || rr->acct_to_ns != 0;
    if (out->n_pol && out->acct_days && month_asked) {
        const struct cost_month *am = &out->pol[0].months[out->acct_month];
        out->acct_whole_month = am->whole && am->days == out->acct_days;
    }
}

void cost_series_free(struct cost_series *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_pol; i++) {
        free(s->pol[i].daily);
        free(s->pol[i].stored_units);
        free(s->pol[i].months);
    }
    free(s->pol);
    memset(s, 0, sizeof *s);
}
