/* forecast.h - `purgesim forecast`: the export's registry carried forward N days with pushes
 * synthesised from its recent history (sim/REPLAY.md, "After the last snapshot"), and the
 * per-policy figures a forecast reports: daily stored units, money per calendar month, the
 * first day above the SKU's included storage and whether a policy's first run can finish
 * within the scheduled-task timeout.
 *
 * The synthesis model, per repository (each an assumption the reports name):
 * - Pushes are the top-level manifests (not index children, not referrers) whose createdTime
 *   (else lastUpdateTime) lies in the `lookback_days` before exportedAt. The push rate of each
 *   weekday (UTC) is the pushes made on it divided by how many of it the lookback holds
 *   (28 days: 4 of each). Pushes that a purge already deleted are not in the export, so a
 *   registry that is purged already shows a lower rate than it has.
 * - Each future day (pieces of days at either end pro rata) gets a Poisson number of pushes
 *   with its weekday's rate, at uniform whole-second times in the day, strictly after
 *   exportedAt. A repository without pushes in the lookback gets none.
 * - Each synthetic push copies one recent push drawn uniformly: its imageSize, mediaType and
 *   blobs, except that the top ~20% of its layers (ceil(n/5), at least one; the last ones)
 *   are fresh blobs of the same sizes, so shared base layers stay shared. A sampled index
 *   becomes one image manifest holding its children's blobs (each child's top layers fresh),
 *   with the index's and children's sizes summed: only image manifests are synthesised, never
 *   indexes or referrers (signatures, SBOMs), so referrer bytes are not forecast.
 * - Tags: the repository's moving tag (its unlocked, non-versioned tag updated last) moves to
 *   each push; at the end it points at the newest synthetic push, with that push's time plus
 *   1 ns as its lastUpdateTime (so it stays the tag updated last even when that push also got
 *   a versioned tag). With versioned tags (v?N.N[.N...]) in the repository, each push gets a
 *   new one (the highest version with its last number incremented) with the probability of
 *   the observed share of recent pushes that hold one. Other synthetic pushes end untagged:
 *   history_build(.., UNTAG_NEXT_PUSH) then untags each at the next push. Only that one tag
 *   moves: with main, dev and pr-N the others stay put, and so does a versioned moving tag
 *   such as 8.0.
 * - Randomness: xoshiro256** seeded from the seed and the repository's name, one stream per
 *   repository, so adding a repository does not change another's pushes; synthetic digests are
 *   hashes of the seed, the repository and a counter. No libm: the same on every machine.
 *
 * Ownership: forecast_extend() gives a new model (freed with model_free()) that shares nothing
 * with its input, and fills a forecast_info freed with forecast_info_free(). forecast_report_build()
 * borrows the replay and cost results (and info), which must outlive the report; free it with
 * forecast_report_free(). */
#ifndef PURGESIM_FORECAST_H
#define PURGESIM_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cost.h"
#include "model.h"
#include "replay.h"

#define FORECAST_DEFAULT_DAYS 90
#define FORECAST_DEFAULT_SEED 1
#define FORECAST_DEFAULT_LOOKBACK_DAYS 28
/* Assumption: acr purge deletes each tag and each manifest with one HTTP DELETE; at about
 * 5 per second a scheduled run deletes ~18,000 things within its timeout. With --concurrency
 * the calls overlap, so measure your registry and pass --deletes-per-second. */
#define FORECAST_DEFAULT_DELETES_PER_SECOND 5.0
/* ACR Tasks: the default timeout of a scheduled run (data/pricing/README.md). */
#define FORECAST_TASK_TIMEOUT_SECONDS 3600.0
#define FORECAST_MAX_DAYS (10 * 366)
#define FORECAST_MIN_LOOKBACK_DAYS 7     /* every weekday at least once */
#define FORECAST_MAX_LOOKBACK_DAYS 366
/* What one forecast may add at most (a ceiling on memory). */
#define FORECAST_MAX_SYNTHETIC ((size_t)20000000)

struct forecast_opts {
    int days;                    /* how far forward from exportedAt (1..FORECAST_MAX_DAYS) */
    uint64_t seed;
    int lookback_days;           /* the recent history that sets rates and samples (7..366) */
    double deletes_per_second;   /* > 0; only forecast_first_run uses it */
    size_t max_synthetic;        /* ceiling on synthetic manifests (0: FORECAST_MAX_SYNTHETIC) */
};

/* The defaults above. */
void forecast_opts_default(struct forecast_opts *o);

struct forecast_repo {
    double rate[7];              /* expected pushes per weekday, 0 = Sunday (as cron), UTC */
    size_t observed_pushes;      /* top-level pushes in the lookback */
    size_t synthetic;            /* synthetic manifests added */
    size_t versioned;            /* of which got a new versioned tag */
    double versioned_share;      /* observed share of recent pushes holding a versioned tag */
    const char *moving_tag;      /* the moving tag, in the extended model (NULL: none) */
    const char *last_version;    /* the highest versioned tag at the end, or NULL */
};

struct forecast_info {
    int64_t start_ns, end_ns;    /* the export's exportedAt, and it plus `days` */
    int days, lookback_days;
    uint64_t seed;
    struct forecast_repo *repos; /* per repository, in model order (the same in both models) */
    size_t n_repos;
    size_t synthetic_manifests, synthetic_blobs, versioned_tags;
};

/* Builds a new model: everything in m (times after its exportedAt clamped to it, as the
 * history does) plus synthetic pushes up to exportedAt + o->days, with that as its exportedAt.
 * Repositories keep their order, so repository indexes are the same in both. Returns PS_OK,
 * or ERR_INPUT when m has no exportedAt, ERR_USAGE for options out of range, ERR_LIMIT when
 * it would add more than o->max_synthetic manifests; *out and *info are set only on success.
 *
 * The history of the result (history_build with UNTAG_NEXT_PUSH) matches the export at its
 * exportedAt but for two transients per repository, both over at its first synthetic push:
 * the export's newest push, when untagged now, is assumed tagged until then (its next push is
 * now a synthetic one); and when export pushes came after the moving tag's holder, the holder
 * loses that tag at the first of them instead. On a generated registry of 100k manifests that
 * is 0.06% of them; fixing it needs a history option (assumed untags capped at exportedAt for
 * manifests untagged in the export). */
int forecast_extend(const struct model *m, const struct forecast_opts *o, struct model **out,
                    struct forecast_info *info);
void forecast_info_free(struct forecast_info *info);   /* NULL is fine */

/* The UTC weekday of t_ns, 0 = Sunday. */
int forecast_weekday(int64_t t_ns);

/* True for a versioned tag: an optional 'v', then at least two dot-separated numbers. */
bool forecast_is_version(const char *tag);

/* ---- figures from a replay of the extended model ---------------------------------------- */

/* A policy's first scheduled run in the window and what it deletes. Tag and manifest
 * deletions are one HTTP call each; cascaded referrers are deleted by the registry itself and
 * retention by its own timer, so neither counts towards the run's duration. When several
 * tasks of the policy fire at the first minute, their deletions are summed (conservative: each
 * task has its own timeout). */
struct forecast_first_run {
    int64_t t_ns;                /* INT64_MAX: no scheduled run in the window */
    size_t tags, manifests, cascades;
    double seconds;              /* (tags + manifests) / deletes_per_second */
    bool too_long;               /* seconds > FORECAST_TASK_TIMEOUT_SECONDS */
    size_t deletable_in_timeout; /* what it deletes before the timeout stops it */
};
void forecast_first_run(const struct replay_result *rr, size_t policy, double deletes_per_second,
                        struct forecast_first_run *out);

/* Index of the first of n daily byte figures above included_units x unit_bytes, or -1 when
 * none is (the included storage is not exceeded within the n days). */
ptrdiff_t forecast_first_exceeding(const uint64_t *day_bytes, size_t n, double unit_bytes,
                                   double included_units);
/* "exceeded on YYYY-MM-DD" or "not within N days" for a result of forecast_first_exceeding
 * over days starting at first_day_ns. Returns buf (>= 48 bytes). */
char *forecast_exceeding_text(ptrdiff_t day, int64_t first_day_ns, int days, char *buf, size_t len);
/* "45 s", "12 min", "6.8 h". Returns buf. */
char *forecast_duration_text(double seconds, char *buf, size_t len);


struct forecast_month {
    int64_t month_ns;            /* midnight UTC on the 1st */
    size_t days;                 /* forecast days in the month */
    double avg_units;            /* stored, incl. soft-deleted, in the cost's unit */
    double storage, sku_fee;     /* money over those days */
};

struct forecast_policy {
    double *stored_units;        /* per replay day: stored incl. soft-deleted, in the unit */
    ptrdiff_t quota_day;         /* first day above the included storage, -1 none */
    int64_t quota_day_ns;        /* its midnight, or 0 */
    struct forecast_first_run first_run;
    struct forecast_month *months;
    size_t n_months;
    double per_month;            /* storage + SKU fee per average month over the forecast */
};

/* A policy's row of the forecast tables, as text: when its included storage is first exceeded,
 * its first run's time, deletions and duration ("-" without a run), the duration marked with
 * too_long_mark past the task's timeout. The text table and the Markdown show the same. */
struct forecast_row_text {
    char exceeded[48], first_run[40], deletions[24], duration[40];
};
void forecast_row_text(const struct forecast_policy *p, int64_t first_day_ns, int days, const char *too_long_mark,
                       struct forecast_row_text *out);

struct forecast_report {
    const struct replay_result *rr;
    const struct cost_result *cost;
    const struct forecast_info *info;
    struct forecast_opts o;
    struct forecast_policy *pol; /* as rr->pol */
    size_t n_pol;
    size_t n_too_long;           /* policies whose first run is flagged */
};

/* Computes the per-policy figures of a replay of the extended model over [start, end] and
 * its cost. Returns PS_OK. */
int forecast_report_build(const struct replay_result *rr, const struct cost_result *c,
                          const struct forecast_info *info, const struct forecast_opts *o,
                          struct forecast_report *out);
void forecast_report_free(struct forecast_report *r);   /* NULL is fine */

/* ---- renderers (reports/forecast_table.c) ------------------------------------------------ */

struct simulation;
/* The policy table (end and peak units, money per month, quota date, first run), the months,
 * the daily stored units and the assumptions; s gives the registry, pricing and warnings. Each
 * returns 0, or -1 on a write error. */
int render_forecast_table(const struct simulation *s, const struct forecast_report *f, FILE *fp);
/* One CSV, a row per policy and day: date, policy, stored and billed units, money, and
 * whether the day is above the included storage (the summary is in the table and JSON). */
int render_forecast_csv(const struct simulation *s, const struct forecast_report *f, FILE *fp);
int render_forecast_json(const struct simulation *s, const struct forecast_report *f, FILE *fp);

#endif
