/* tune.h - `purgesim tune`: replays a grid of candidate purge settings over the export's window
 * (or a forecast), scores each with simulate's own figures, and picks the cheapest one that
 * meets the user's constraints (sim/TUNE.md).
 *
 * Every candidate is an ordinary policy, built from the same `az acr task create ... --cmd "acr
 * purge ..."` line its policy file would hold, and replayed by simulation_run() beside the
 * others: its figures are, by construction, those `simulate` reports for that line.
 * Ownership: tune_run() fills a result freed by tune_result_free(); the grid is the caller's. */
#ifndef PURGESIM_TUNE_H
#define PURGESIM_TUNE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "simulation.h"

#define TUNE_MAX_VALUES 64
#define TUNE_MAX_GROUPS 64            /* --group regexes, and groups of --by-repository */

enum tune_mode { TUNE_TAGS = 0, TUNE_UNTAGGED, TUNE_UNTAGGED_ONLY, TUNE_N_MODES };

struct tune_schedule {
    char name[32];                     /* "nightly", "weekly", or "cronN" */
    char cron[64];
};

/* The settings tune tries: every keep x ago x mode x schedule, plus retention-only candidates. */
struct tune_grid {
    long long keep[TUNE_MAX_VALUES];
    size_t n_keep;
    char ago[TUNE_MAX_VALUES][16];     /* acr purge durations: "0d", "7d", "12h" */
    size_t n_ago;
    bool mode[TUNE_N_MODES];
    struct tune_schedule sched[TUNE_MAX_VALUES];
    size_t n_sched;
    int retention_days[TUNE_MAX_VALUES];   /* Premium only (any SKU when the grid file asks) */
    size_t n_retention;
    bool retention_any_sku;            /* the grid file listed retention: try it on any SKU */
    char filter[512];                  /* acr purge --filter of every candidate */
};

/* The default grid (sim/TUNE.md), with filter ".*:.*". */
void tune_grid_default(struct tune_grid *g);
/* Reads a grid file over the default: each key it names replaces that key's values. Errors name
 * the file and line; a file without a setting (the default grid again) and another input given
 * as the grid (named as input_kind.h names it) are errors too. Returns PS_OK, ERR_IO or
 * ERR_INPUT. */
int tune_grid_load(struct tune_grid *g, const char *path, struct diag *d);
/* Whether the line s[0..n) is a grid file's setting: a grid key (keep, ago, mode, schedule,
 * retention, filter), then '=' (input_kind.h names a grid file given to another option by it). */
bool tune_grid_line_is_setting(const char *s, size_t n);
const char *tune_mode_flag(enum tune_mode m);    /* "", "--untagged", "--untagged-only" */
const char *tune_mode_name(enum tune_mode m);    /* "tags", "untagged", "untagged-only" */

struct tune_constraints {
    long long keep_versions;           /* rollback depth at least this (0: none) */
    long long max_broken_pulls;        /* -1: no limit */
    bool protect_in_use;               /* no in-use reference deleted (with --in-use) */
    long long max_run_deletes;         /* -1: no limit */
    double budget;                     /* per month, the report's currency; < 0: none */
    double max_gib;                    /* peak stored units; < 0: none */
};

struct tune_opts {
    struct sim_opts sim;               /* export, events, in-use, window, pricing, jobs */
    struct tune_grid grid;
    struct tune_constraints c;
    double deletes_per_second;         /* what sets --max-run-deletes' default */
    bool by_repository;                /* tune each repository (or --group) on its own */
    const char *groups[TUNE_MAX_GROUPS];   /* --group REGEX: repositories tuned together */
    size_t n_groups;
};

/* One candidate's figures, each as simulate computes it. */
struct tune_candidate {
    char name[96];                     /* a policy name */
    char schedule[64];                 /* cron ("" for a retention-only candidate) */
    char schedule_name[32];            /* "nightly", "weekly", "cronN", or "retention" */
    char command[700];                 /* "acr purge ..." ("" for retention-only) */
    char task_line[1500];              /* the policy-file line (az acr task create / config) */
    int retention_days;                /* -1: none */
    long long keep;                    /* its --keep (-1: retention-only) */
    int64_t ago_ns;                    /* its --ago (-1: retention-only) */
    size_t policy;                     /* index in the simulation's policies (and replay) */
    size_t group;                      /* --by-repository: its group; else 0 */
    double cost_per_month;             /* storage_per_month + SKU fee, as summary.csv */
    double storage_per_month, sku_fee_per_month;   /* its two parts, as summary.csv has them */
    double end_units, peak_units;      /* stored at the window's end, and at its highest */
    size_t tags_deleted, manifests_deleted, cascade_deleted, max_run_deletions;
    size_t rollback_depth;             /* REPLAY_NO_DEPTH: never deleted a tag */
    size_t broken_pulls, in_use_deletes;
    bool meets[6];                     /* per constraint, in tune_constraint_name order */
    bool meets_all, pareto, recommended;
    bool shown;                        /* Pareto: the one shown for those alike (the same money,
                                          depth, broken pulls and in-use deletions) */
    size_t alike;                      /* shown: how many others it stands for */
};

enum { TUNE_C_VERSIONS = 0, TUNE_C_PULLS, TUNE_C_INUSE, TUNE_C_RUN, TUNE_C_BUDGET, TUNE_C_GIB, TUNE_N_C };
const char *tune_constraint_name(int c);   /* "--keep-versions", ... */

/* One repository group of --by-repository: the repositories tuned together and its choice. */
struct tune_group {
    char name[48];                     /* a policy-name part: the repository, or "groupN" */
    const char *label;                 /* the repository, or the --group regex as given */
    char *filter;                      /* the acr purge --filter that selects exactly its repositories */
    size_t n_repos;
    size_t first, n_cand;              /* its candidates: cand[first .. first + n_cand) */
    size_t chosen;                     /* candidate index, or SIZE_MAX: none meets the constraints */
    size_t closest;                    /* none meets: the closest */
    int binding;                       /* none meets: the constraint that binds */
};

struct tune_result {
    struct simulation sim;             /* every candidate, replayed */
    struct tune_candidate *cand;
    size_t n_cand;
    size_t recommended;                /* index, or SIZE_MAX when none meets every constraint */
    size_t closest;                    /* none meets: the one that misses the fewest, cheapest */
    int binding;                       /* none meets: the constraint the closest misses (first) */
    struct tune_constraints c;         /* as applied (defaults filled in) */
    bool have_pulls, have_inuse;
    double seconds;                    /* the replay's wall time */
    struct tune_group *groups;         /* --by-repository */
    size_t n_groups;
    struct simulation combined;        /* --by-repository: the combined policy, replayed */
    bool have_combined;
    struct tune_candidate combined_fig;   /* its figures, judged */
    char *combined_text;               /* its policy file section */
};

/* --by-repository: the groups of s's model (its repositories the grid's filter selects; each
 * --group regex gathers those it matches whole, the first that matches winning; the others are
 * each a group of their own; a --group gathering none adds a warning saying why). Returns PS_OK,
 * or ERR_USAGE with a message in d, among them when the filter selects no repository at all
 * (nothing to tune: simulate's words for a filter matching nothing, with the export's count). */
int tune_groups_build(const struct tune_opts *o, const struct model *m, struct tune_group **out, size_t *n,
                      char ***warnings, size_t *n_warnings, struct diag *d);
/* Checks a --group regex compiles as acr purge's would; false with err set. */
bool tune_group_regex_ok(const char *re, char *err, size_t errlen);

/* Policy `policy` of a replayed simulation's figures, as summary.csv gives them, into k (the
 * candidate's own fields, name and settings, are left as they are). */
void tune_policy_figures(const struct simulation *s, size_t policy, struct tune_candidate *k);

/* Runs the grid. Returns PS_OK, or ERR_* with messages in d. */
int tune_run(const struct tune_opts *o, struct tune_result *out, struct diag *d);
void tune_result_free(struct tune_result *r);

/* The recommended candidate (or with --by-repository, the combined policy) as a policy file. */
int tune_write_policy(const struct tune_result *r, FILE *fp);

#endif
