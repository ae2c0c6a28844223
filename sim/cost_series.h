/* cost_series.h - the series the reports print beside the replay's and cost's own figures:
 * deletions by kind (tags; manifests deleted by purge tasks, by the retention policy; referrers
 * cascaded with their subject) over the window, over the accounted days and per day; stored
 * units per day; money and stored units per calendar month. Reports format these and compute
 * nothing themselves.
 * Ownership: cost_series_compute() fills a struct freed by cost_series_free(); it borrows the
 * cost result (and, through it, the replay result), which must outlive it. */
#ifndef PURGESIM_COST_SERIES_H
#define PURGESIM_COST_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cost.h"

struct cost_deletions {
    size_t tags;                     /* tags deleted by purge tasks */
    size_t purged;                   /* manifests deleted by purge tasks */
    size_t retention;                /* manifests deleted by the retention policy */
    size_t cascaded;                 /* referrers the registry deleted with their subject */
};

/* One calendar month, as far as the window covers it. */
struct cost_month {
    int64_t month_ns;                /* midnight UTC on the 1st */
    size_t first_day, days;          /* its days in the window: [first_day, first_day + days) */
    bool whole;                      /* every day of the calendar month is in the window */
    double avg_units, end_units;     /* stored, incl. soft-deleted, in the cost's unit */
    double storage, sku_fee;         /* money over those days (the fee times replicas) */
};

struct cost_series_policy {
    struct cost_deletions window;    /* over the whole window */
    struct cost_deletions acct;      /* over the accounted days (a report's month) */
    struct cost_deletions *daily;    /* per day of the window */
    double *stored_units;            /* per day: stored incl. soft-deleted, in the cost's unit */
    struct cost_month *months;       /* n_months, the same calendar for every policy */
};

struct cost_series {
    const struct cost_result *c;
    struct cost_series_policy *pol;
    size_t n_pol, n_days, n_months;
    size_t acct_first, acct_days;    /* the accounted days: [acct_first, acct_first + acct_days) */
    size_t acct_month;               /* the month holding the first accounted day */
    bool acct_whole_month;           /* the accounted days are one whole calendar month */
    double sku_fee_per_month;        /* the SKU fee (times replicas) per average month */
    double max_stored_units;         /* over every policy and day */
    double max_month_storage;        /* over every policy and month */
};

/* Fills out from the cost result c (an allocation failure aborts). */
void cost_series_compute(const struct cost_result *c, struct cost_series *out);
void cost_series_free(struct cost_series *s);   /* NULL is fine */

/* Whether day d of the window is an accounted day. */
bool cost_series_day_accounted(const struct cost_series *s, size_t d);

#endif
