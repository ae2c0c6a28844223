/* cost.h - daily stored bytes -> billed storage -> money, per policy, from the price table
 * (data/pricing/README.md): billed = (stored - included) x replicas, never below zero, at the overage
 * price per unit per day; the SKU fee is separate because no policy changes it.
 * Ownership: cost_compute() fills a result freed by cost_result_free(); it borrows the replay
 * result and pricing. */
#ifndef PURGESIM_COST_H
#define PURGESIM_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "pricing.h"
#include "replay.h"

struct cost_opts {
    const struct pricing *price;
    const struct pricing_sku *sku;   /* NULL: no included storage, no fee */
    int replicas;                    /* geo-replicas, each billed again (>= 1) */
    double price_override;           /* > 0: per unit per day instead of the table's */
    const char *currency_override;   /* non-NULL: the currency of price_override */
    bool has_current;                /* policy `current` (the export's own purge setup) ... */
    size_t current;                  /* ... is this one: savings are also shown against it */
};

/* What the user asked for on the command line; every command resolves it the same way. */
struct cost_request {
    const char *pricing_path;        /* NULL: the default table */
    const char *pricing_date;        /* YYYY-MM-DD: the newest default table dated on or before */
    const char *unit;                /* NULL: the table's */
    const char *sku;                 /* NULL: the export's */
    int replicas;                    /* 0: 1 */
    double price_per_gb_day;         /* 0: the table's */
    const char *currency;            /* NULL: the table's */
};

/* Loads the price table and fills `co` (borrowing *price, which the caller frees with
 * pricing_free() when PS_OK was returned). `export_sku` is the SKU the export names (may be
 * NULL). A --currency other than the table's without a price in it is refused: relabelling
 * the table's figures would be wrong. Appends a warning when no SKU is known. Returns PS_OK,
 * or ERR_USAGE / ERR_INPUT / ERR_IO with a message in d. */
int cost_prepare(const struct cost_request *rq, const char *export_sku, struct pricing *price,
                 struct cost_opts *co, struct diag *d, char ***warnings, size_t *n_warnings);

/* The terms every money figure is computed on: one basis, shared by the dry run and the
 * replay, so that the same registry state costs the same whichever command asks. */
struct cost_basis {
    const char *currency, *unit;
    double unit_bytes, price_per_unit_day, included_units;
    int replicas;
    double sku_fee_per_day;          /* times replicas; 0 when unknown */
    bool sku_fee_unknown;            /* the currency differs from the table's: no fee in it */
    bool price_given;                /* price_per_unit_day is --price-per-gb-day's, not the table's */
    const char *sku_name;
};

void cost_basis_init(const struct cost_opts *o, struct cost_basis *b);
/* Storage money per day (the SKU fee apart) of a registry storing `bytes`: the part above the
 * included storage, times replicas, at the overage price. */
double cost_storage_per_day(const struct cost_basis *b, uint64_t bytes);

struct cost_repo {
    uint64_t end_bytes;              /* imageSize bytes at the window's end */
    uint64_t reclaimed_bytes;        /* the baseline's end bytes minus these (0 if negative) */
    double cost_share;               /* its share of the accounted storage money (by byte-days) */
};

struct cost_policy {
    struct cost_repo *repos;         /* per repository, in model order */
    double *billed_units;            /* per day: billed storage in the table's unit */
    double *storage_cost;            /* per day: overage money */
    double storage_total;            /* over the window */
    double per_month;                /* storage money per average month */
    double saving_per_month;         /* against the baseline (policy 0) */
    double saving_vs_current_per_month;   /* against `current`, when there is one */
    double end_units, avg_units, peak_units;   /* stored (incl. soft-deleted), in units */
    double reclaimed_end_units;      /* baseline end minus this policy's end */
};

struct cost_result {
    const struct replay_result *rr;
    struct cost_policy *pol;
    size_t n_pol;
    bool dedup;                      /* figures use deduplicated blobs (else imageSize sums) */
    /* the basis, as cost_basis_init() set it (flat, as the renderers read it) */
    const char *currency, *unit;
    double unit_bytes, price_per_unit_day, included_units;
    int replicas;
    double sku_fee_per_day;          /* times replicas; 0 when unknown */
    bool sku_fee_unknown;            /* --currency differs from the table's: no fee in it */
    const char *sku_name;
    struct cost_basis basis;
    bool has_current;                /* as in the options */
    size_t current;
    size_t best;                     /* index of the policy with the largest saving */
    uint32_t *top;                   /* repositories by reclaimable bytes under `best`, largest
                                        first (ties by name), only those reclaiming anything */
    size_t n_top;
};

/* The bytes a day counts in the chosen basis: stored plus still-billed soft-deleted bytes. */
uint64_t cost_day_bytes(const struct replay_day *d, bool dedup);
/* Billed units for `bytes`: (bytes/unit - included) x replicas, at least 0. */
double cost_billed_units(uint64_t bytes, double unit_bytes, double included_units, int replicas);

#define COST_TOP_REPOS 10

/* One policy over the accounted days (a report's month). */
struct cost_period {
    size_t days;                     /* accounted days in the window */
    double avg_units, end_units;     /* stored, incl. soft-deleted */
    double storage, sku_fee;         /* money */
};

/* Sums policy `i` over the result's accounted days (the replay's acct range). */
void cost_period(const struct cost_result *c, size_t i, struct cost_period *out);

int cost_compute(const struct replay_result *rr, const struct cost_opts *o, struct cost_result *out);
void cost_result_free(struct cost_result *c);

#endif
