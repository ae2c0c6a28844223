/* dryrun.h - the figures a dry run reports beyond acr purge's own output: bytes per deleted
 * manifest, per repository and in total (sum of imageSize and deduplicated by blob), referrers
 * deleted by cascade, money at the price table's overage rate, and warnings.
 * Ownership: dryrun_analyse() fills a report freed by dryrun_report_free(); it borrows the
 * model, rule and pricing, which must outlive it. */
#ifndef PURGESIM_DRYRUN_H
#define PURGESIM_DRYRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "pricing.h"
#include "purge.h"
#include "purgecmd.h"

struct dryrun_repo {
    uint32_t repo;                    /* index into model->repos */
    size_t tags, manifests, cascade;  /* deleted */
    uint64_t bytes;                   /* sum of imageSize of manifests purge deletes */
    uint64_t cascade_bytes;           /* sum of imageSize of referrers deleted with them */
    uint64_t bytes_dedup;             /* blobs freed, attributed to this repository */
};

struct dryrun_report {
    const struct model *m;
    const struct purge_rule *rule;
    const struct pricing *price;      /* may be NULL: no money figures */
    int64_t now_ns;
    const char *registry;             /* as the dry run prints it */
    struct purge_result res;
    struct dryrun_repo *repos;        /* repositories with any deletion, in name order */
    size_t n_repos;
    size_t tags, manifests, cascade;
    uint64_t bytes, cascade_bytes;
    bool dedup_known;                 /* every image manifest's layers are known */
    uint64_t bytes_dedup;             /* blobs freed by the whole run (purge + cascade) */
    uint64_t cascade_bytes_dedup;     /* part of bytes_dedup freed only by the cascade */
    uint64_t stored_bytes, stored_bytes_dedup;   /* the registry before the run */
    /* money: the reclaimed bytes (deduplicated when known) at the overage rate */
    double reclaimed_units, per_day, per_month;
    const struct pricing_sku *sku;    /* the export's SKU in the table, or NULL */
    char **warnings;
    size_t n_warnings;
};

/* Runs the purge and computes the figures. Returns PS_OK. */
int dryrun_analyse(const struct model *m, const struct purge_rule *rule, int64_t now_ns,
                   const struct pricing *price, struct dryrun_report *out);
void dryrun_report_free(struct dryrun_report *r);

#endif
