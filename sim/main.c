/* main.c - purgesim's command line: a table of commands, each parsing its options through the
 * one option table (cli.c), running its job (dryrun_run, simulation_run) and handing the result
 * to a renderer through the output module. The only place that calls exit(). */
#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "diag.h"
#include "dryrun.h"
#include "forecast.h"
#include "generate.h"
#include "output.h"
#include "pricing.h"
#include "purgecmd.h"
#include "render.h"
#include "simulation.h"
#include "timeu.h"
#include "tune.h"
#include "version.h"

/* Process exit codes (README "Exit codes"). */
enum {
    EXIT_OK = 0,
    EXIT_INPUT = 1,     /* bad export, pricing or policy file */
    EXIT_USAGE = 2,     /* bad purgesim options, or an acr purge command acr purge refuses */
    EXIT_IO = 3,        /* cannot read or write a file */
    EXIT_RUN_FAILED = 4, /* the simulated purge run fails (acr purge would exit non-zero) */
    EXIT_RISK = 5,       /* --fail-on-risk: a policy breaks a pull or deletes an in-use image */
    EXIT_NO_CANDIDATE = 6 /* tune: no candidate meets every constraint (the report is written) */
};

struct command {
    const char *name;
    unsigned mask;                  /* its bit in the option table */
    const char *synopsis, *about;
    int (*run)(const struct command *c, const struct cli_args *a);
};

static int exit_for(int rc)
{
    switch (rc) {
    case PS_OK: return EXIT_OK;
    case ERR_IO: return EXIT_IO;
    case ERR_USAGE: return EXIT_USAGE;
    default: return EXIT_INPUT;
    }
}

/* One line, then where to look: the usage is for --help only. */
static int usage_error(const struct command *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(const struct command *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "purgesim %s: ", c->name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'purgesim %s --help'.\n", c->name);
    return EXIT_USAGE;
}

/* A job's messages: input errors as they are (they name the file), usage errors in the one
 * error style of the command line. */
static int job_failed(const struct command *c, const struct diag *d, int rc)
{
    if (rc != ERR_USAGE) {
        diag_print(d, stderr);
        return exit_for(rc);
    }
    for (size_t i = 0; i < d->n_kept; i++) {
        fprintf(stderr, "purgesim %s: ", c->name);
        diag_put_line(d->msgs[i], stderr);
    }
    fprintf(stderr, "Try 'purgesim %s --help'.\n", c->name);
    return EXIT_USAGE;
}

static void print_help(const struct command *c)
{
    printf("usage: %s\n\n%s\noptions:\n", c->synopsis, c->about);
    cli_print_options(c->mask, stdout);
}

/* Joins words with spaces, quoting those that need it, for "command:" lines. */
static char *join_command(char *const *w, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++) len += strlen(w[i]) * 4 + 3;
    char *s = xmalloc(len), *p = s;
    for (int i = 0; i < n; i++) {
        if (i) *p++ = ' ';
        bool plain = *w[i] != '\0';
        for (const char *c = w[i]; *c; c++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@,+%", *c)) plain = false;
        if (plain) {
            size_t k = strlen(w[i]);
            memcpy(p, w[i], k);
            p += k;
            continue;
        }
        *p++ = '\'';
        for (const char *c = w[i]; *c; c++) {
            if (*c == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else {
                *p++ = *c;
            }
        }
        *p++ = '\'';
    }
    *p = '\0';
    return s;
}

static char *xstrdup_words(const char *w)
{
    size_t n = strlen(w) + 1;
    return memcpy(xmalloc(n), w, n);
}

/* --format: the names every command shares ("table" is another name for "text"). */
static bool check_format(const struct command *c, const char *given, const char *const *allowed, const char **out)
{
    const char *f = given ? given : "text";
    if (!strcasecmp(f, "table")) f = "text";
    if (cli_choice(f, allowed, out)) return true;
    char list[128] = "";
    for (size_t i = 0; allowed[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? (allowed[i + 1] ? ", " : " or ") : "",
                 allowed[i]);
    usage_error(c, "--format: expected %s, got \"%s\"", list, given);
    return false;
}

/* The file name extension of a document format inside an output directory. */
static const char *format_extension(const char *format)
{
    return !strcmp(format, "json") ? "json" : !strcmp(format, "markdown") ? "md" : "txt";
}

static bool check_version(const struct command *c, const char *text, enum acr_version *out)
{
    *out = ACR_CLI_CURRENT;
    if (!text) return true;
    if (purgecmd_version_parse(text, out)) return true;
    usage_error(c, "--acr-cli-version: expected %s, got \"%s\"", purgecmd_versions_supported(), text);
    return false;
}

/* Currency codes are upper case (ISO 4217), whatever the user typed. */
static const char *currency_code(const char *given)
{
    static char code[16];
    if (!given) return NULL;
    size_t i = 0;
    for (; given[i] && i + 1 < sizeof code; i++) code[i] = (char)toupper((unsigned char)given[i]);
    code[i] = '\0';
    return code;
}

static int default_jobs(int given)
{
    if (given) return given;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 1;
}

/* Every file the command reads, which -o must never overwrite: exports, policy files, event
 * logs, in-use lists and the price table (given, or the default one found). */
static size_t read_paths(const struct cli_args *a, const char **v, size_t cap, char *pricing_buf, size_t len)
{
    size_t n = 0;
    const struct cli_list *lists[] = {&a->inputs, &a->policy_files, &a->events, &a->in_use};
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
        for (int k = 0; k < lists[l]->n && n < cap; k++) v[n++] = lists[l]->v[k];
    if (a->grid && n < cap) v[n++] = a->grid;
    if (n < cap) v[n++] = a->pricing ? a->pricing : pricing_default_path_for(a->pricing_date, pricing_buf, len);
    return n;
}

/* Whether -o can take the several files that `what` writes: a directory can; standard output
 * cannot, neither without -o nor as "-o -". Said as a usage error before the work, which can
 * take minutes, rather than after it. */
static bool several_files_ok(const struct command *c, const struct cli_args *a, const char *what)
{
    if (!a->output)
        usage_error(c, "%s: give -o DIR", what);
    else if (output_is_stdout(a->output))
        usage_error(c, "-o -: %s, and standard output takes one: give -o DIR", what);
    else
        return true;
    return false;
}

/* Where the document goes: a file, standard output (no -o, or -o -), or DIR/<command>.<ext>
 * when -o names a directory (or the format writes several files). */
struct destination {
    struct output *out;
    FILE *doc;                      /* the document's stream, or NULL */
    bool dir;
};

static int open_destination(const struct command *c, const struct cli_args *a, bool several_files,
                            const char *doc_ext, struct destination *dst)
{
    memset(dst, 0, sizeof *dst);
    dst->dir = a->output && (several_files || output_path_is_dir(a->output));
    if (several_files && !several_files_ok(c, a, "this output writes several files")) return EXIT_USAGE;
    char err[600], pricing[4096];
    const char *inputs[4 * CLI_MAX_LIST + 1];
    size_t n_inputs = read_paths(a, inputs, sizeof inputs / sizeof inputs[0], pricing, sizeof pricing);
    dst->out = output_begin(c->name, a->output, dst->dir ? OUTPUT_DIR : a->output ? OUTPUT_FILE : OUTPUT_STDOUT,
                            inputs, n_inputs, err, sizeof err);
    if (!dst->out) {
        fprintf(stderr, "purgesim %s: %s\n", c->name, err);
        return EXIT_IO;
    }
    if (doc_ext) {
        char name[64];
        snprintf(name, sizeof name, "%s.%s", c->name, doc_ext);
        dst->doc = output_open(dst->out, dst->dir ? name : NULL);
        if (!dst->doc) {
            output_abort(dst->out);
            dst->out = NULL;
            return EXIT_IO;
        }
    }
    return EXIT_OK;
}

/* The warnings of a format that has no place for them (csv, dry-run's acr: acr purge's own
 * output, line for line), on stderr instead, one line each: -q silences progress, not these. */
static void warnings_to_stderr(const struct command *c, char *const *w, size_t n)
{
    for (size_t i = 0; i < n; i++) fprintf(stderr, "purgesim %s: warning: %s\n", c->name, w[i]);
}

/* Finishes the destination: commits when everything was written, removes it otherwise. */
static int close_destination(struct destination *dst, bool ok)
{
    if (dst->doc && output_close(dst->out, dst->doc) != 0) ok = false;
    if (!ok) {
        output_abort(dst->out);
        return EXIT_IO;
    }
    return output_commit(dst->out) == 0 ? EXIT_OK : EXIT_IO;
}

/* ---- dry-run ---- */

static const char *const DRYRUN_FORMATS[] = {"text", "acr", "json", "markdown", NULL};

static int run_dry_run(const struct command *c, const struct cli_args *a)
{
    const char *format;
    struct dryrun_opts o = {0};
    if (!a->inputs.n) return usage_error(c, "no export given (-i EXPORT)");
    if (!check_format(c, a->format, DRYRUN_FORMATS, &format)) return EXIT_USAGE;
    if (!check_version(c, a->acr_cli_version, &o.version)) return EXIT_USAGE;
    if (!a->n_rest) return usage_error(c, "no acr purge command given (after --)");
    char **split = NULL;
    int n_split = 0;
    if (a->n_rest == 1) {
        /* one quoted string: split it as a shell would */
        char err[128];
        n_split = purgecmd_split(a->rest[0], &split, err, sizeof err);
        if (n_split < 0) return usage_error(c, "the acr purge command: %s", err);
    }
    o.inputs = a->inputs.v;
    o.n_inputs = a->inputs.n;
    o.at = a->at;
    o.repo = a->repo;
    o.registry = a->registry;
    o.jobs = a->jobs;
    o.quiet = a->quiet;
    o.cache = (struct model_cache_opts){!a->no_cache, a->verbose, NULL};
    o.cost = (struct cost_request){a->pricing,  a->pricing_date,         a->unit,
                                   a->sku,      a->replicas,             a->price_per_gb_day,
                                   currency_code(a->currency)};
    o.concurrency_default = a->concurrency_default;
    o.events = a->events.v;
    o.n_events = a->events.n;
    o.in_use = a->in_use.v;
    o.n_in_use = a->in_use.n;
    o.cmd_words = split ? split : a->rest;
    o.n_cmd_words = split ? n_split : a->n_rest;

    struct diag d = {0};
    struct dryrun_job job;
    char *command = join_command(o.cmd_words, o.n_cmd_words);
    int exit_code = EXIT_OK;
    int rc = dryrun_run(&o, &job, &d);
    if (rc != PS_OK && job.acr_error[0]) {
        /* as acr purge: a capping warning already on stdout, then the error */
        if (!strcmp(format, "acr") && job.ago_capped_before_error)
            fputs("Warning: ago value exceeds maximum duration of 150 years, capping to 150 years\n", stdout);
        fprintf(stderr, "Error: %s\n", job.acr_error);
        exit_code = EXIT_USAGE;
    } else if (rc != PS_OK) {
        exit_code = job_failed(c, &d, rc);
    } else {
        struct destination dst;
        exit_code = open_destination(c, a, false, format_extension(format), &dst);
        if (exit_code == EXIT_OK) {
            int r = !strcmp(format, "acr")        ? render_dryrun_acr(&job.rep, dst.doc)
                    : !strcmp(format, "json")     ? render_dryrun_json(&job.rep, command, dst.doc)
                    : !strcmp(format, "markdown") ? render_dryrun_markdown(&job.rep, command, dst.doc)
                                                  : render_dryrun_text(&job.rep, command, dst.doc);
            exit_code = close_destination(&dst, r == 0);
            if (exit_code == EXIT_OK && !strcmp(format, "acr"))
                warnings_to_stderr(c, job.rep.warnings, job.rep.n_warnings);
        }
        /* acr purge prints its output even when the run fails; so do we */
        if (exit_code == EXIT_OK && job.rep.res.failed) {
            fprintf(stderr, "Error: %s\n", job.rep.res.error);
            exit_code = EXIT_RUN_FAILED;
        }
        if (exit_code == EXIT_OK && a->fail_on_risk && (job.risk.n_pulled || job.risk.n_inuse)) {
            fprintf(stderr, "purgesim %s: the run deletes what was pulled or runs (--fail-on-risk)\n", c->name);
            exit_code = EXIT_RISK;
        }
    }
    free(command);
    dryrun_job_free(&job);
    diag_free(&d);
    if (split) purgecmd_free_words(split, n_split);
    return exit_code;
}

/* ---- simulate, report, forecast ---- */

/* The options every replaying command shares, checked once. */
static bool fill_sim_opts(const struct command *c, const struct cli_args *a, struct sim_opts *o)
{
    memset(o, 0, sizeof *o);
    if (!a->inputs.n) return usage_error(c, "no export given (-i EXPORT)"), false;
    if (a->n_rest) {
        const char *w = a->rest[0];
        if (!strncmp(w, "acr", 3) || !strncmp(w, "az", 2)) {
            /* a command typed after the options: show it as the --policy it should be */
            char *cmd = a->n_rest == 1 ? xstrdup_words(w) : join_command(a->rest, a->n_rest);
            usage_error(c, "unexpected command: give it as a policy, --policy NAME=\"%s\"", cmd);
            free(cmd);
            return false;
        }
        return usage_error(c, "unexpected argument \"%s\"", w), false;
    }
    /* the window's syntax now, before a large export is read; its range needs the export */
    int64_t t;
    char why[512];
    if (a->from && !timeu_parse_user(a->from, &t))
        return usage_error(c, "--from: %s", timeu_user_error(a->from, why, sizeof why)), false;
    if (a->to && !timeu_parse_user(a->to, &t))
        return usage_error(c, "--to: %s", timeu_user_error(a->to, why, sizeof why)), false;
    if (a->at && !timeu_parse_user(a->at, &t))
        return usage_error(c, "--at: %s", timeu_user_error(a->at, why, sizeof why)), false;
    int y, mo;
    char extra;
    if (a->month && (strlen(a->month) != 7 || sscanf(a->month, "%4d-%2d%c", &y, &mo, &extra) != 2 || mo < 1 || mo > 12))
        return usage_error(c, "--month: expected YYYY-MM, got \"%s\"", a->month), false;
    for (int k = 0; k < a->inputs.n; k++) o->inputs[k] = a->inputs.v[k];
    o->n_inputs = a->inputs.n;
    for (int k = 0; k < a->policy_files.n; k++) o->policy_files[k] = a->policy_files.v[k];
    o->n_policy_files = a->policy_files.n;
    for (int k = 0; k < a->policies.n; k++) o->policy_quick[k] = a->policies.v[k];
    o->n_policy_quick = a->policies.n;
    o->policy_group = a->policy_group;
    for (int k = 0; k < a->events.n; k++) o->events[k] = a->events.v[k];
    o->n_events = a->events.n;
    for (int k = 0; k < a->in_use.n; k++) o->in_use[k] = a->in_use.v[k];
    o->n_in_use = a->in_use.n;
    o->repo = a->repo;
    o->registry = a->registry;
    o->at = a->at;
    o->from = a->from;
    o->to = a->to;
    o->month = a->month;
    o->sku = a->sku;
    o->replicas = a->replicas;   /* 0: the export's replication count, else 1 */
    o->pricing_path = a->pricing;
    o->pricing_date = a->pricing_date;
    o->unit = a->unit;
    o->currency = currency_code(a->currency);
    o->price_per_gb_day = a->price_per_gb_day;
    if (a->untag_model) history_untag_model_parse(a->untag_model, &o->untag);
    o->tag_delete_touches_manifest = a->tag_delete_updates_manifest;
    o->jobs = default_jobs(a->jobs);
    o->quiet = a->quiet;
    o->cache = (struct model_cache_opts){!a->no_cache, a->verbose, NULL};
    return check_version(c, a->acr_cli_version, &o->version);
}

static const char *const SIM_FORMATS[] = {"text", "csv", "json", "markdown", NULL};

static int replay_and_render(const struct command *c, const struct cli_args *a, struct sim_opts *o)
{
    const char *format;
    if (!check_format(c, a->format, SIM_FORMATS, &format)) return EXIT_USAGE;
    bool csv = !strcmp(format, "csv");
    bool report = c->mask == CLI_REPORT, forecast = c->mask == CLI_FORECAST;
    if (a->html && !several_files_ok(c, a, "--html writes several files")) return EXIT_USAGE;
    if (csv && !several_files_ok(c, a, "--format csv writes several files")) return EXIT_USAGE;
    /* only JSON and CSV list each deletion: the others need the replay's counts alone */
    o->lists_unread = !csv && strcmp(format, "json");
    struct diag d = {0};
    struct simulation sim;
    int rc = simulation_run(o, &sim, &d);
    int exit_code = EXIT_OK;
    if (rc != PS_OK) {
        exit_code = job_failed(c, &d, rc);
        goto out;
    }
    struct destination dst;
    const char *ext = csv ? (forecast ? "csv" : NULL) : format_extension(format);
    exit_code = open_destination(c, a, csv || a->html, ext, &dst);
    if (exit_code != EXIT_OK) goto out;
    int r = 0;
    bool markdown = !strcmp(format, "markdown");
    if (forecast) {
        r = csv ? render_forecast_csv(&sim, &sim.frep, dst.doc)
            : !strcmp(format, "json") ? render_forecast_json(&sim, &sim.frep, dst.doc)
            : markdown                ? render_forecast_markdown(&sim, &sim.frep, dst.doc)
                                      : render_forecast_table(&sim, &sim.frep, dst.doc);
    } else if (csv) {
        r = report ? render_month_csv(&sim, dst.out) : render_sim_csv(&sim, dst.out);
    } else if (!strcmp(format, "json")) {
        r = report ? render_month_json(&sim, dst.doc) : render_sim_json(&sim, dst.doc);
    } else if (markdown) {
        r = report ? render_month_markdown(&sim, dst.doc) : render_sim_markdown(&sim, dst.doc);
    } else {
        r = report ? render_month_report(&sim, dst.doc) : render_sim_table(&sim, dst.doc);
    }
    char html_path[4200] = "";
    if (r == 0 && a->html) {
        char name[64];
        snprintf(name, sizeof name, "report-%s.html", o->month);
        FILE *fp = output_open(dst.out, name);
        r = fp ? render_month_html(&sim, fp) : -1;
        if (output_close(dst.out, fp) != 0) r = -1;
        output_path(dst.out, name, html_path, sizeof html_path);
    }
    if (r == 0 && dst.dir) r = render_sim_charts(&sim, dst.out);
    exit_code = close_destination(&dst, r == 0);
    if (exit_code == EXIT_OK && csv) warnings_to_stderr(c, sim.warnings, sim.n_warnings);
    if (exit_code == EXIT_OK && html_path[0] && !a->quiet && dst.doc != stdout)
        fprintf(stderr, "wrote %s and the charts in %s\n", html_path, a->output);
    if (exit_code == EXIT_OK && a->fail_on_risk && risk_any(&sim.risk, report)) {
        fprintf(stderr, "purgesim %s: a policy breaks a pull or deletes an in-use image (--fail-on-risk)\n", c->name);
        exit_code = EXIT_RISK;
    }
out:
    simulation_free(&sim);
    diag_free(&d);
    return exit_code;
}

static int run_simulate(const struct command *c, const struct cli_args *a)
{
    struct sim_opts o;
    if (!fill_sim_opts(c, a, &o)) return EXIT_USAGE;
    return replay_and_render(c, a, &o);
}

static int run_report(const struct command *c, const struct cli_args *a)
{
    struct sim_opts o;
    if (!a->month) return usage_error(c, "--month YYYY-MM is required");
    if (!fill_sim_opts(c, a, &o)) return EXIT_USAGE;
    return replay_and_render(c, a, &o);
}

static int run_forecast(const struct command *c, const struct cli_args *a)
{
    struct sim_opts o;
    struct forecast_opts fo;
    forecast_opts_default(&fo);
    if (a->days) fo.days = a->days;
    if (a->seed_set) fo.seed = a->seed;
    if (a->lookback_days) fo.lookback_days = a->lookback_days;
    if (a->deletes_per_second > 0) fo.deletes_per_second = a->deletes_per_second;
    if (!fill_sim_opts(c, a, &o)) return EXIT_USAGE;
    o.forecast = &fo;
    return replay_and_render(c, a, &o);
}

/* ---- tune ---- */

static const char *const TUNE_FORMATS[] = {"text", "csv", "markdown", NULL};

/* A whole number option given as text (0 is a value, unlike the table's CLI_INT). */
static bool count_option(const struct command *c, const char *name, const char *text, long long *out)
{
    if (!text) return true;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < 0 || v > 1000000000) {
        usage_error(c, "--%s: expected a whole number from 0 to 1000000000, got \"%s\"", name, text);
        return false;
    }
    *out = v;
    return true;
}

static bool fill_tune_opts(const struct command *c, const struct cli_args *a, struct tune_opts *o,
                           struct forecast_opts *fo, struct diag *d, int *exit_code)
{
    memset(o, 0, sizeof *o);
    *exit_code = EXIT_USAGE;
    if (!fill_sim_opts(c, a, &o->sim)) return false;
    tune_grid_default(&o->grid);
    if (a->grid) {
        int rc = tune_grid_load(&o->grid, a->grid, d);
        if (rc != PS_OK) {
            *exit_code = job_failed(c, d, rc);
            return false;
        }
    }
    if (a->filter) {
        if (strlen(a->filter) >= sizeof o->grid.filter || strchr(a->filter, '\'') || strchr(a->filter, '"') ||
            !strchr(a->filter, ':'))
            return usage_error(c, "--filter: expected one acr purge filter REPO-REGEX:TAG-REGEX without quotes, "
                                  "got \"%s\"", a->filter), false;
        snprintf(o->grid.filter, sizeof o->grid.filter, "%s", a->filter);
    }
    o->c.keep_versions = 3;
    o->c.max_broken_pulls = -2;   /* the default: 0 with --events, else none */
    o->c.max_run_deletes = -2;    /* the default: what fits the task timeout */
    o->c.budget = a->budget > 0 ? a->budget : -1;
    o->c.max_gib = a->max_gib > 0 ? a->max_gib : -1;
    if (!count_option(c, "keep-versions", a->keep_versions, &o->c.keep_versions) ||
        !count_option(c, "max-broken-pulls", a->max_broken_pulls, &o->c.max_broken_pulls) ||
        !count_option(c, "max-run-deletes", a->max_run_deletes, &o->c.max_run_deletes))
        return false;
    if (a->max_broken_pulls && !a->events.n)
        return usage_error(c, "--max-broken-pulls needs the event log (--events FILE)"), false;
    o->deletes_per_second = a->deletes_per_second > 0 ? a->deletes_per_second : 5;
    if (a->groups.n && !a->by_repository) return usage_error(c, "--group needs --by-repository"), false;
    o->by_repository = a->by_repository;
    if (a->groups.n > TUNE_MAX_GROUPS) return usage_error(c, "--group: at most %d", TUNE_MAX_GROUPS), false;
    for (int k = 0; k < a->groups.n; k++) {
        char err[600];
        if (!tune_group_regex_ok(a->groups.v[k], err, sizeof err))
            return usage_error(c, "--group %s: %s", a->groups.v[k], err), false;
        o->groups[o->n_groups++] = a->groups.v[k];
    }
    if (a->forecast_days) {
        if (a->from || a->to) return usage_error(c, "--forecast-days replaces the window: drop --from and --to"), false;
        forecast_opts_default(fo);
        fo->days = a->forecast_days;
        if (a->seed_set) fo->seed = a->seed;
        if (a->lookback_days) fo->lookback_days = a->lookback_days;
        o->sim.forecast = fo;
    } else if (a->seed_set || a->lookback_days) {
        return usage_error(c, "--seed and --lookback-days shape the forecast: give --forecast-days N"), false;
    }
    *exit_code = EXIT_OK;
    return true;
}

static int run_tune(const struct command *c, const struct cli_args *a)
{
    const char *format;
    if (!check_format(c, a->format, TUNE_FORMATS, &format)) return EXIT_USAGE;
    bool csv = !strcmp(format, "csv");
    if (csv && !several_files_ok(c, a, "--format csv writes several files")) return EXIT_USAGE;
    struct tune_opts o;
    struct forecast_opts fo;
    struct diag d = {0};
    int exit_code;
    if (!fill_tune_opts(c, a, &o, &fo, &d, &exit_code)) {
        diag_free(&d);
        return exit_code;
    }
    struct tune_result r;
    int rc = tune_run(&o, &r, &d);
    if (rc != PS_OK) {
        exit_code = job_failed(c, &d, rc);
        goto out;
    }
    /* a directory gets the document, candidates.csv (csv), recommended.ini and the chart */
    struct destination dst;
    exit_code = open_destination(c, a, csv, csv ? NULL : format_extension(format), &dst);
    if (exit_code != EXIT_OK) goto out;
    int w = csv ? render_tune_csv(&r, dst.out)
            : !strcmp(format, "markdown") ? render_tune_markdown(&r, dst.dir ? a->output : NULL, dst.doc)
                                          : render_tune_text(&r, dst.dir ? a->output : NULL, dst.doc);
    if (w == 0 && dst.dir) {
        FILE *fp = output_open(dst.out, "recommended.ini");
        w = fp ? tune_write_policy(&r, fp) : -1;
        if (output_close(dst.out, fp) != 0) w = -1;
        if (w == 0) w = render_tune_chart(&r, dst.out);
    }
    exit_code = close_destination(&dst, w == 0);
    if (exit_code == EXIT_OK && csv) warnings_to_stderr(c, r.sim.warnings, r.sim.n_warnings);
    /* the wall time on stderr, not in the report, so that the same run writes the same report */
    if (exit_code == EXIT_OK && !a->quiet)
        fprintf(stderr, "%zu candidates replayed in %.2f s (%.1f per second) with %d thread%s\n", r.n_cand, r.seconds,
                r.seconds > 0 ? (double)r.n_cand / r.seconds : 0.0, r.sim.o.jobs, r.sim.o.jobs == 1 ? "" : "s");
    if (exit_code == EXIT_OK && dst.dir && !a->quiet)
        fprintf(stderr, "wrote %s, recommended.ini%s in %s\n",
                csv ? "candidates.csv" : !strcmp(format, "markdown") ? "tune.md" : "tune.txt",
                r.n_groups ? "" : " and the chart tune-pareto.png/.svg", a->output);
    if (exit_code == EXIT_OK && r.recommended == SIZE_MAX && !r.have_combined) exit_code = EXIT_NO_CANDIDATE;
out:
    tune_result_free(&r);
    diag_free(&d);
    return exit_code;
}

/* ---- generate ---- */

static int run_generate(const struct command *c, const struct cli_args *a)
{
    struct generate_opts o;
    generate_opts_default(&o);
    if (a->scale) generate_scale_parse(a->scale, &o.scale);
    if (a->gen_profile) generate_profile_parse(a->gen_profile, &o.profile);
    if (a->seed_set) o.seed = a->seed;
    if (a->days) o.days = a->days;
    char why[512];
    if (a->exported_at && !timeu_parse_user(a->exported_at, &o.exported_at_ns))
        return usage_error(c, "--exported-at: %s", timeu_user_error(a->exported_at, why, sizeof why));
    if (!a->output) return usage_error(c, "no output given (-o FILE, or -o - for standard output)");
    if (a->n_rest) return usage_error(c, "unexpected argument \"%s\"", a->rest[0]);
    char err[600];
    struct output *out = output_begin(c->name, a->output, OUTPUT_FILE, NULL, 0, err, sizeof err);   /* "-": stdout */
    if (!out) {
        fprintf(stderr, "purgesim %s: %s\n", c->name, err);
        return EXIT_IO;
    }
    FILE *fp = output_open(out, NULL);
    if (!fp) {
        output_abort(out);
        return EXIT_IO;
    }
    double t0 = timeu_wall_seconds();
    struct generate_stats st;
    int rc = generate_bundle(fp, &o, &st);
    if (output_close(out, fp) != 0) rc = ERR_IO;
    if (rc != PS_OK) {
        output_abort(out);
        return rc == ERR_USAGE ? usage_error(c, "invalid options") : EXIT_IO;
    }
    if (output_commit(out) != 0) return EXIT_IO;
    if (a->stats) generate_print_stats(&o, &st, a->output, timeu_wall_seconds() - t0, stderr);
    return EXIT_OK;
}

/* clang-format off */
static const struct command COMMANDS[] = {
    {"dry-run", CLI_DRYRUN,
     "purgesim dry-run -i EXPORT [options] -- acr purge ARGS...",
     "What one `acr purge` run would delete from the exported registry, with each manifest's size,\n"
     "subtotals per repository, bytes freed, and what that saves per month from now until the next\n"
     "push (the SKU's included storage, replicas and prices applied as simulate applies them). The\n"
     "command after -- may be `acr purge ...`, `az acr run --cmd \"acr purge ...\" /dev/null` or\n"
     "`az acr task create ... --cmd \"acr purge ...\"`, as separate words or one quoted string.\n",
     run_dry_run},
    {"simulate", CLI_SIMULATE,
     "purgesim simulate -i EXPORT (-p POLICIES | --policy NAME=COMMAND)... [options]",
     "Replays each policy's purge runs (on their cron schedules, UTC), retention and soft delete over\n"
     "the registry's history, day by day, and compares stored storage and money per policy with a\n"
     "baseline that deletes nothing. A bare `acr purge ...` runs nightly (0 0 * * *). Money per month\n"
     "is averaged over the window's whole days.\n",
     run_simulate},
    {"report", CLI_REPORT,
     "purgesim report -i EXPORT (-p POLICIES | --policy NAME=COMMAND)... --month YYYY-MM [options]",
     "A monthly cost report: the replay of simulate, accounted for one calendar month, per policy\n"
     "and per repository; with --html also one self-contained HTML page.\n",
     run_report},
    {"forecast", CLI_FORECAST,
     "purgesim forecast -i EXPORT (-p POLICIES | --policy NAME=COMMAND)... [--days N] [options]",
     "Carries the export forward N days with synthesised pushes (each repository's push rate per\n"
     "weekday over its last --lookback-days, copies of recent pushes, moving and versioned tags) and\n"
     "replays each policy: daily stored storage, money per month, the date the SKU's included\n"
     "storage is first exceeded, and a first run too long for the 3600 s task timeout. Its first\n"
     "run, at the export's instant, deletes exactly what dry-run deletes.\n",
     run_forecast},
    {"tune", CLI_TUNE,
     "purgesim tune -i EXPORT [--events LOG] [--in-use FILE] [constraints] [-o DIR] [options]",
     "Searches acr purge settings for the cheapest that is safe: replays a grid of candidates\n"
     "(--keep x --ago x tags/--untagged/--untagged-only x nightly/weekly, and on Premium the\n"
     "retention policy) over the export's history, scores each with simulate's own figures, and\n"
     "recommends the cheapest that meets every constraint, as the az acr task create line to paste\n"
     "and, with -o DIR, as recommended.ini. Also shows the Pareto set: the candidates no other\n"
     "beats on money, rollback depth and broken pulls at once.\n",
     run_tune},
    {"generate", CLI_GENERATE,
     "purgesim generate [--scale S] [--seed N] -o FILE [options]",
     "Writes a synthetic registry bundle (data/EXPORT-FORMAT.md, version 1): a --days history of CI\n"
     "pushes ending at --exported-at, seen as a snapshot in which everything ever pushed is still\n"
     "present. The same options always give the same bytes.\n",
     run_generate},
};
/* clang-format on */
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void print_usage(FILE *fp)
{
    fputs("usage: purgesim COMMAND [OPTIONS]\n"
          "\n"
          "Offline simulator of Azure Container Registry `acr purge` policies, with storage and money.\n"
          "\n"
          "commands:\n"
          "  dry-run   what one acr purge run would delete, with sizes and money\n"
          "  simulate  replay policies over the export's history; storage and money side by side\n"
          "  report    a monthly cost report per policy and repository (text, JSON, CSV, HTML)\n"
          "  forecast  carry the export forward N days with synthesised pushes\n"
          "  tune      search purge settings for the cheapest safe policy\n"
          "  generate  write a synthetic registry bundle (tiny..xl) for tests and benchmarks\n"
          "  help      this text; `purgesim COMMAND --help` for a command's options\n"
          "  version   print the version\n"
          "\n"
          /* a list like the commands', which help2man turns into one list in the man page */
          "exit codes:\n"
          "  0  ok\n"
          "  1  bad input file\n"
          "  2  usage, or an acr purge command that acr purge refuses\n"
          "  3  I/O error\n"
          "  4  the simulated purge run fails (as acr purge would)\n"
          "  5  --fail-on-risk and a policy breaks a pull or deletes an in-use image\n"
          "  6  tune finds no candidate that meets every constraint (the report is written)\n",
          fp);
}

/* The acr purge flags a user may type straight after dry-run's options, forgetting "--". */
static bool looks_like_purge_flag(const char *err)
{
    static const char *const flags[] = {"--filter", "--ago", "--keep", "--untagged", "--untagged-only",
                                        "--include-locked", "--dry-run", "--concurrency", NULL};
    for (size_t i = 0; flags[i]; i++) {
        const char *p = strstr(err, flags[i]);
        if (p && (p[strlen(flags[i])] == '"' || p[strlen(flags[i])] == '=')) return true;
    }
    return false;
}

/* glibc hands blocks from 128 KiB up (a threshold it raises to at most 32 MiB as they are
 * freed) to the kernel as mappings of their own, and gives them back when freed: the next
 * such block is fresh memory again, faulted and zeroed page by page. A simulate of a million
 * manifests allocates and frees hundreds of such blocks (sort buffers, per-repository reads,
 * per-policy state); kept in the heap for reuse, its page faults fell from about 90 to 70
 * thousand and the history build from 0.29-0.34 s to 0.22 s, for the same peak memory. */
static void keep_freed_memory(void)
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

/* A mistyped command, or --help or --version: the nearest name main() takes, at most two edits
 * away, or NULL. A word with a leading '-' is an option mistyped, one without a command. */
static const char *nearest_command(const char *name)
{
    static const char *const others[] = {"help", "version", "--help", "--version"};
    const char *near = NULL;
    size_t best = 3, n = strlen(name);
    if (n <= 2) return NULL;
    for (size_t i = 0; i < N_COMMANDS + sizeof others / sizeof others[0]; i++) {
        const char *cand = i < N_COMMANDS ? COMMANDS[i].name : others[i - N_COMMANDS];
        if ((cand[0] == '-') != (name[0] == '-')) continue;
        size_t dist = cli_edit_distance(name, n, cand, 2);
        if (dist < best) best = dist, near = cand;
    }
    return near;
}

int main(int argc, char **argv)
{
    keep_freed_memory();
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "help") || !strcmp(name, "--help") || !strcmp(name, "-h")) {
        if (argc > 2) {
            for (size_t i = 0; i < N_COMMANDS; i++)
                if (!strcmp(argv[2], COMMANDS[i].name)) {
                    print_help(&COMMANDS[i]);
                    return EXIT_OK;
                }
            fprintf(stderr, "purgesim: no command \"%s\"\nTry 'purgesim --help'.\n", argv[2]);
            return EXIT_USAGE;
        }
        print_usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(name, "version") || !strcmp(name, "--version")) {
        puts("purgesim " PURGESIM_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const struct command *c = &COMMANDS[i];
        if (strcmp(name, c->name)) continue;
        struct cli_args a;
        char err[512];
        if (!cli_parse(argc - 1, argv + 1, c->mask, &a, err, sizeof err)) {
            if (c->mask == CLI_DRYRUN && looks_like_purge_flag(err))
                return usage_error(c, "%s (acr purge's options go after the command: "
                                      "purgesim dry-run -i EXPORT -- acr purge --filter ...)", err);
            return usage_error(c, "%s", err);
        }
        if (a.help) {
            print_help(c);
            return EXIT_OK;
        }
        return c->run(c, &a);
    }
    const char *near = nearest_command(name);
    if (near) fprintf(stderr, "purgesim: unknown command \"%s\" (did you mean %s?)\nTry 'purgesim --help'.\n", name, near);
    else fprintf(stderr, "purgesim: unknown command \"%s\"\nTry 'purgesim --help'.\n", name);
    return EXIT_USAGE;
}
