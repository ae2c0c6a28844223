/* render.h - the renderers: a dry run (acr purge's own dry-run text, a report for people,
 * JSON), simulate and report (table, CSV, JSON, charts, HTML). They format what sim/dryrun.c,
 * sim/cost.c and sim/cost_series.c computed and compute nothing new.
 * Each writes to `fp` and returns 0, or -1 on a write error. */
#ifndef PURGESIM_RENDER_H
#define PURGESIM_RENDER_H

#include <stdio.h>

#include "cost_series.h"
#include "dryrun.h"
#include "output.h"
#include "simulation.h"
#include "tune.h"

/* Exactly what `acr purge --dry-run` prints on stdout (§5). The caller prints "Error: ..." to
 * stderr when r->res.failed. */
int render_dryrun_acr(const struct dryrun_report *r, FILE *fp);
int render_dryrun_text(const struct dryrun_report *r, const char *command, FILE *fp);
int render_dryrun_json(const struct dryrun_report *r, const char *command, FILE *fp);

/* simulate: the policy comparison table, then the top repositories and warnings. */
int render_sim_table(const struct simulation *s, FILE *fp);
/* report --month: per policy and per repository for that calendar month. */
int render_month_report(const struct simulation *s, FILE *fp);
/* report --month --format json: the month per policy (money, stored units, deletions), per
 * repository and the month's daily rows, in one document. */
int render_month_json(const struct simulation *s, FILE *fp);
/* report --month --format csv: month-summary.csv, month-repositories.csv and month-daily.csv
 * into the directory output `out`. Returns 0, or -1 with a message on stderr. */
int render_month_csv(const struct simulation *s, struct output *out);
/* simulate --format json: the same content as the CSV files, in one document. */
int render_sim_json(const struct simulation *s, FILE *fp);
/* simulate --format csv: summary.csv, daily.csv, repositories.csv, deletions.csv into the
 * directory output `out`. Returns 0, or -1 with a message on stderr. */
int render_sim_csv(const struct simulation *s, struct output *out);

/* --format markdown (reports/markdown.c): GitHub-flavoured Markdown for job summaries and
 * pull-request comments: a short headline, then tables; names escaped for Markdown. */
int render_dryrun_markdown(const struct dryrun_report *r, const char *command, FILE *fp);
int render_sim_markdown(const struct simulation *s, FILE *fp);
int render_month_markdown(const struct simulation *s, FILE *fp);
int render_forecast_markdown(const struct simulation *s, const struct forecast_report *f, FILE *fp);

/* Charts (libplot): stored.{svg,png}, monthly-cost.{svg,png}, top-repositories.{svg,png} into
 * the directory output `out`. Returns 0, or -1 with a message on stderr. */
int render_sim_charts(const struct simulation *s, struct output *out);
enum sim_chart { CHART_STORED, CHART_MONTHLY_COST, CHART_TOP_REPOSITORIES };
/* One chart as SVG into fp (for inlining). Returns 0 or -1. */
int render_sim_chart_svg(const struct simulation *s, enum sim_chart which, FILE *fp);
/* report --html: the month's report as one self-contained HTML page (charts inline). */
int render_month_html(const struct simulation *s, FILE *fp);

/* tune (reports/tune_render.c, tune_chart.c): the recommendation, the Pareto set and the
 * reference policies; `dir` (NULL: none) is where recommended.ini and the chart were written. */
int render_tune_text(const struct tune_result *r, const char *dir, FILE *fp);
int render_tune_markdown(const struct tune_result *r, const char *dir, FILE *fp);
/* candidates.csv into the directory output `out`. Returns 0, or -1 with a message on stderr. */
int render_tune_csv(const struct tune_result *r, struct output *out);
/* tune-pareto.png and .svg: money per month against rollback depth, one mark per candidate. */
int render_tune_chart(const struct tune_result *r, struct output *out);

/* s itself when it has at most max bytes, else its first and last bytes around "..." (at most
 * max bytes in all, never cutting a UTF-8 character) in buf. */
const char *render_ellipsize(const char *s, size_t max, char *buf, size_t len);
/* The width of a policy-name column: the longest policy name, at least min, at most max. */
size_t render_name_width(const struct simulation *s, size_t min, size_t max);
/* The money label of a report's accounted days: "AUD/mo" for a whole calendar month, else
 * "AUD/12d" (12 accounted days). */
char *render_period_money_label(const struct simulation *s, const struct cost_series *cs, char *buf, size_t len);
/* The longest policy name a table column, legend or chart title shows whole. */
#define RENDER_NAME_MAX 32

/* "1.50 GiB", "12.0 MiB", "512 B" into buf. */
char *render_bytes(uint64_t bytes, char *buf, size_t len);
/* Writes s as a JSON string literal (quoted, escaped). */
void render_json_string(FILE *fp, const char *s);
/* Writes the last member of a JSON report, "warnings": [...], and closes the report's object. */
void render_json_warnings_end(FILE *fp, char *const *warnings, size_t n);

#endif
