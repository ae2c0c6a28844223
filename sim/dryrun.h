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

#include "cost.h"
#include "diag.h"
#include "model.h"
#include "model_cache.h"
#include "pricing.h"
#include "purge.h"
#include "purgecmd.h"
#include "risk.h"

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
    /* money, on the same basis as a replay (cost.h): the registry's storage money per day
     * before the run minus after it, with the SKU's included storage and replicas applied */
    struct cost_basis basis;
    bool have_basis;
    double reclaimed_units;           /* bytes freed (deduplicated when known), in the unit */
    double stored_units_before, stored_units_after;
    double storage_per_day_before, storage_per_day_after;
    double per_day, per_month;        /* the saving, from now on (until the next push) */
    const struct pricing_sku *sku;    /* the SKU in force (--sku or the export's), or NULL */
    const struct dryrun_risk *risk;   /* with --events / --in-use (the job's), or NULL */
    char **warnings;
    size_t n_warnings;
};

/* Runs the purge and computes the figures; money when `co` is not NULL. Returns PS_OK. */
int dryrun_analyse(const struct model *m, const struct purge_rule *rule, int64_t now_ns,
                   const struct cost_opts *co, struct dryrun_report *out);
void dryrun_report_free(struct dryrun_report *r);

/* A whole dry-run job: the export, the price table and the command, as the command line gave
 * them. */
struct dryrun_opts {
    const char *const *inputs;        /* one export, raw az files, or snapshots: the latest is run */
    int n_inputs;
    const char *at;                   /* the run's instant; NULL: the export's exportedAt */
    const char *repo, *registry;      /* for raw az files */
    int jobs;
    bool quiet;
    struct model_cache_opts cache;    /* the model cache (off unless enabled: --no-cache) */
    struct cost_request cost;
    enum acr_version version;
    int concurrency_default;
    char *const *cmd_words;           /* the acr purge command, word by word */
    int n_cmd_words;
    const char *const *events;        /* --events: event logs, what production pulled */
    int n_events;
    const char *const *in_use;        /* --in-use: images that run */
    int n_in_use;
};

struct dryrun_job {
    struct model *m;                  /* NULL until the export is read */
    struct pricing price;
    bool have_price;
    struct purge_rule rule;
    struct dryrun_report rep;         /* valid when dryrun_run() returned PS_OK */
    bool ago_capped_before_error;     /* acr purge printed its capping warning before failing */
    char acr_error[1024];             /* non-empty: acr purge refuses the command (exit as it does) */
    char **warnings;                  /* found before the run; moved into rep */
    size_t n_warnings;
    struct event_log events;
    struct inuse_list inuse;
    struct dryrun_risk risk;
};

/* Reads the export and the price table, parses the command and runs it. Returns PS_OK, or
 * ERR_* with messages in d; ERR_USAGE with job->acr_error set when acr purge itself would
 * refuse the command. The job is freed with dryrun_job_free() either way. */
int dryrun_run(const struct dryrun_opts *o, struct dryrun_job *job, struct diag *d);
void dryrun_job_free(struct dryrun_job *job);

#endif
