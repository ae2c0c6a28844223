/* simulation.h - one simulate/report job end to end: export -> model -> history -> replay of
 * every policy (and the baseline) -> cost. The renderers read a finished struct simulation.
 * Ownership: simulation_run() fills a struct the caller frees with simulation_free(). */
#ifndef PURGESIM_SIMULATION_H
#define PURGESIM_SIMULATION_H

#include <stdbool.h>
#include <stdint.h>

#include "cost.h"
#include "cost_series.h"
#include "diag.h"
#include "forecast.h"
#include "history.h"
#include "model.h"
#include "model_cache.h"
#include "policy.h"
#include "pricing.h"
#include "replay.h"
#include "risk.h"
#include "snapshot.h"

#define SIM_MAX_INPUTS 64
#define SIM_MAX_POLICY_ARGS 64
#define SIM_MAX_WINDOW_DAYS (20 * 366)
#define SIM_CURRENT "current"   /* the policy replaying the export's own purge setup */

struct sim_opts {
    const char *inputs[SIM_MAX_INPUTS];
    int n_inputs;
    const char *policy_files[SIM_MAX_POLICY_ARGS];
    int n_policy_files;
    const char *policy_quick[SIM_MAX_POLICY_ARGS];
    int n_policy_quick;
    const char *policy_group;          /* --policy-group: Azure JSON in -p files as one policy */
    const char *events[SIM_MAX_INPUTS];   /* --events: the registry's event logs */
    int n_events;
    const char *in_use[SIM_MAX_INPUTS];   /* --in-use: images that run */
    int n_in_use;
    const char *repo, *registry;       /* for raw az files */
    const char *at;                    /* when raw az files (without exportedAt) were taken */
    const char *from, *to;             /* window, user text */
    const char *month;                 /* YYYY-MM: account that month (report) */
    const char *sku;                   /* overrides the export's */
    int replicas;                      /* 0: the export's replication list says, else 1 */
    const char *pricing_path, *pricing_date, *unit, *currency;
    double price_per_gb_day;
    enum untag_model untag;
    bool tag_delete_touches_manifest;
    enum acr_version version;
    int jobs;
    bool quiet;                        /* no progress on stderr */
    struct model_cache_opts cache;     /* the model cache (off unless enabled: --no-cache) */
    const struct forecast_opts *forecast;   /* non-NULL: forecast from exportedAt (forecast.h) */
    /* tune: adds the candidate policies once the export is read (its SKU and repositories
     * known), after the -p and --policy ones; NULL for the other commands */
    int (*add_policies)(struct simulation *s, void *ctx, struct diag *d);
    void *add_policies_ctx;
    bool counts_only;                  /* keep only the deletions risk reads (replay_keep): no
                                          deletion lists, no month series (tune) */
    bool lists_unread;                 /* the output lists no deletions (text, markdown): keep
                                          only those risk reads; the series are still made */
};

struct simulation {
    struct sim_opts o;
    struct model *m;                   /* the snapshot, or the merge of several (owned by snaps) */
    struct snapshot_set *snaps;        /* with several snapshots */
    struct policy_set *ps;
    bool has_current;                  /* ps holds "current", the export's own purge setup */
    struct history *h;
    struct pricing price;
    bool have_price;
    const struct pricing_sku *sku;
    const char *sku_name;              /* what --sku or the export said */
    bool sku_from_export;
    struct replay_keep keep;           /* counts_only, lists_unread: what the replay keeps */
    struct replay_result rr;
    struct cost_result cost;
    struct cost_series series;
    /* risk: with --events and --in-use (risk.h) */
    struct event_log events;
    bool have_events;
    struct inuse_list inuse;
    bool have_inuse;
    struct pull_index pulls;
    struct inuse_target *inuse_targets;   /* inuse.n of them */
    struct risk risk;         /* month, day and chart sums of the cost (cost_series.h) */
    char pricing_path[4096];
    const char *pricing_label;         /* where the prices come from, as reports name it: the
                                          table as given, or the default's repository-relative
                                          name; with --price-per-gb-day that option first */
    char pricing_label_own[4200];      /* pricing_label when it is composed here */
    int64_t month_from_ns, month_to_ns;
    char **warnings;
    size_t n_warnings;
    /* forecast only: the export carried forward (the history and replay read fm, not m) */
    struct model *fm;
    struct forecast_info finfo;
    struct forecast_report frep;
};

/* Runs the whole job. Returns PS_OK, or ERR_INPUT / ERR_IO / ERR_USAGE with messages in d. */
int simulation_run(const struct sim_opts *o, struct simulation *sim, struct diag *d);
void simulation_free(struct simulation *sim);

#endif
