/* cost.h - daily stored bytes -> billed storage -> money, per policy, from the price table
 * (PRICING.md): billed = (stored - included) x replicas, never below zero, at the overage
 * price per unit per day; the SKU fee is separate because no policy changes it.
 * Ownership: cost_compute() fills a result freed by cost_result_free(); it borrows the replay
 * result and pricing. */
#ifndef PURGESIM_COST_H
#define PURGESIM_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pricing.h"
#include "replay.h"

struct cost_opts {
    const struct pricing *price;
    const struct pricing_sku *sku;   /* NULL: no included storage, no fee */
    int replicas;                    /* geo-replicas, each billed again (>= 1) */
    double price_override;           /* > 0: per unit per day instead of the table's */
    const char *currency_override;   /* non-NULL: label instead of the table's */
};

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
    double end_units, avg_units, peak_units;   /* stored (incl. soft-deleted), in units */
    double reclaimed_end_units;      /* baseline end minus this policy's end */
};

struct cost_result {
    const struct replay_result *rr;
    struct cost_policy *pol;
    size_t n_pol;
    bool dedup;                      /* figures use deduplicated blobs (else imageSize sums) */
    const char *currency, *unit;
    double unit_bytes, price_per_unit_day, included_units;
    int replicas;
    double sku_fee_per_day;          /* times replicas; 0 when unknown */
    bool sku_fee_unknown;            /* --currency differs from the table's: no fee in it */
    const char *sku_name;
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
