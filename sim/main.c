/* main.c - purgesim's command line; the only place that calls exit(). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "dryrun.h"
#include "forecast.h"
#include "generate.h"
#include "ingest.h"
#include "model.h"
#include "pricing.h"
#include "progress.h"
#include "purgecmd.h"
#include "render.h"
#include "simulation.h"
#include "timeu.h"

/* Process exit codes (README "Exit codes"). */
enum {
    EXIT_OK = 0,
    EXIT_INPUT = 1,     /* bad export, pricing or policy file */
    EXIT_USAGE = 2,     /* bad purgesim options, or an acr purge command acr purge refuses */
    EXIT_IO = 3,        /* cannot read or write a file */
    EXIT_RUN_FAILED = 4 /* the simulated purge run fails (acr purge would exit non-zero) */
};

#define MAX_INPUTS 64

static const char USAGE[] =
    "usage: purgesim COMMAND [OPTIONS]\n"
    "\n"
    "Offline simulator of Azure Container Registry `acr purge` policies, with bytes and money.\n"
    "\n"
    "commands:\n"
    "  dry-run   what one acr purge run would delete, with sizes and AUD\n"
    "  simulate  replay policies over the export's history; GB and AUD side by side\n"
    "  report    a monthly cost report per policy and repository\n"
    "  forecast  carry the export forward N days with synthesised pushes: GiB, AUD per month,\n"
    "            when the included storage is exceeded, first runs too long for the timeout\n"
    "  generate  write a synthetic registry bundle (tiny..xl) for tests and benchmarks\n"
    "  help      this text; `purgesim COMMAND --help` for a command's options\n"
    "  version   print the version\n"
    "\n"
    "exit codes: 0 ok, 1 bad input file, 2 usage or invalid acr purge command, 3 I/O error,\n"
    "            4 the simulated purge run fails (as acr purge would)\n";

static const char DRYRUN_USAGE[] =
    "usage: purgesim dry-run -i EXPORT [options] -- acr purge ARGS...\n"
    "\n"
    "Shows exactly what one `acr purge` run would delete from the exported registry, with each\n"
    "manifest's size, subtotals per repository, bytes freed and what that is worth per month.\n"
    "\n"
    "The command after -- may be `acr purge ...`, `az acr run --cmd \"acr purge ...\" /dev/null` or\n"
    "`az acr task create ... --cmd \"acr purge ...\"`, as separate words or as one quoted string.\n"
    "\n"
    "options:\n"
    "  -i, --input EXPORT       bundle file, export directory, or raw az output (repeatable for\n"
    "                           raw list-metadata / show-tags files of one registry)\n"
    "  --at TIME                the run's instant, RFC 3339 or YYYY-MM-DD (UTC); default: the\n"
    "                           export's exportedAt\n"
    "  --format acr|text|json   acr: acr purge --dry-run's own output, line for line;\n"
    "                           text (default): for people; json: for scripts\n"
    "  --acr-cli-version V      current (default; 0.17 and later) or 0.16 (older untagged rules)\n"
    "  --repo NAME              repository name for raw az output files\n"
    "  --registry SERVER        login server for raw az output files (e.g. myreg.azurecr.io)\n"
    "  --pricing FILE           price table (default data/pricing/acr-aud.json)\n"
    "  --unit GiB|GB            storage unit for money figures (default: the table's, GiB)\n"
    "  --concurrency-default N  CPU count acr would report in its concurrency warning (default 2)\n"
    "  -o, --output FILE        write the report to FILE (atomically) instead of stdout\n"
    "  --jobs N                 threads reading the export (default: the number of cores)\n"
    "  -q, --quiet              no progress on stderr (shown only on a terminal anyway)\n";

static void die_usage(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die_usage(const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "purgesim: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage);
    exit(EXIT_USAGE);
}

static int exit_for(int rc)
{
    switch (rc) {
    case PS_OK: return EXIT_OK;
    case ERR_IO: return EXIT_IO;
    case ERR_USAGE: return EXIT_USAGE;
    default: return EXIT_INPUT;
    }
}

/* Writes `len` bytes to path atomically (temp file + rename), or to stdout when path is NULL. */
static int write_output(const char *path, const char *data, size_t len)
{
    if (!path) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) return ERR_IO;
        return PS_OK;
    }
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) return ERR_IO;
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "wb");
    int rc = PS_OK;
    if (!fp || fwrite(data, 1, len, fp) != len) rc = ERR_IO;
    if (fp && fclose(fp) != 0) rc = ERR_IO;
    if (rc == PS_OK && rename(tmp, path) != 0) rc = ERR_IO;
    if (rc != PS_OK) {
        fprintf(stderr, "purgesim: %s: cannot write: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* Reports are rendered into memory first and written only when complete, so a failing run
 * leaves no half-written file. */
static FILE *open_report(char **buf, size_t *len)
{
    FILE *mem = open_memstream(buf, len);
    if (!mem) {
        fputs("purgesim: out of memory\n", stderr);
        abort();
    }
    return mem;
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
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@,+%", *c))
                plain = false;
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

struct dryrun_args {
    const char *inputs[MAX_INPUTS];
    int n_inputs;
    const char *at, *format, *version, *repo, *registry, *pricing, *unit, *output;
    int concurrency_default;
    int jobs;            /* threads reading the export; 0: one per core */
    bool quiet;
    char **cmd_words;
    int n_cmd_words;
    bool cmd_split;      /* cmd_words were split by us and must be freed */
};

static const char *need_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) die_usage(DRYRUN_USAGE, "option %s needs a value", argv[*i]);
    return argv[++*i];
}

static void parse_dryrun_args(int argc, char **argv, struct dryrun_args *a)
{
    memset(a, 0, sizeof *a);
    a->format = "text";
    a->version = "current";
    a->concurrency_default = 2;
    int i;
    for (i = 0; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--")) {
            i++;
            break;
        }
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            fputs(DRYRUN_USAGE, stdout);
            exit(EXIT_OK);
        } else if (!strcmp(o, "-i") || !strcmp(o, "--input")) {
            if (a->n_inputs == MAX_INPUTS) die_usage(DRYRUN_USAGE, "too many inputs");
            a->inputs[a->n_inputs++] = need_arg(argc, argv, &i);
        } else if (!strcmp(o, "--at")) a->at = need_arg(argc, argv, &i);
        else if (!strcmp(o, "--format")) a->format = need_arg(argc, argv, &i);
        else if (!strcmp(o, "--acr-cli-version")) a->version = need_arg(argc, argv, &i);
        else if (!strcmp(o, "--repo")) a->repo = need_arg(argc, argv, &i);
        else if (!strcmp(o, "--registry")) a->registry = need_arg(argc, argv, &i);
        else if (!strcmp(o, "--pricing")) a->pricing = need_arg(argc, argv, &i);
        else if (!strcmp(o, "--unit")) a->unit = need_arg(argc, argv, &i);
        else if (!strcmp(o, "-o") || !strcmp(o, "--output")) a->output = need_arg(argc, argv, &i);
        else if (!strcmp(o, "-q") || !strcmp(o, "--quiet")) a->quiet = true;
        else if (!strcmp(o, "--concurrency-default")) {
            const char *v = need_arg(argc, argv, &i);
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 4096) die_usage(DRYRUN_USAGE, "--concurrency-default: expected 1-4096, got \"%s\"", v);
            a->concurrency_default = (int)n;
        } else if (!strcmp(o, "--jobs")) {
            const char *v = need_arg(argc, argv, &i);
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 256) die_usage(DRYRUN_USAGE, "--jobs: expected 1-256, got \"%s\"", v);
            a->jobs = (int)n;
        } else if (!strcmp(o, "acr") || !strcmp(o, "az")) {
            break;   /* the command without a "--" before it */
        } else {
            die_usage(DRYRUN_USAGE, "unknown option \"%s\"", o);
        }
    }
    if (!a->n_inputs) die_usage(DRYRUN_USAGE, "no export given (-i EXPORT)");
    if (strcmp(a->format, "acr") && strcmp(a->format, "text") && strcmp(a->format, "json"))
        die_usage(DRYRUN_USAGE, "--format: expected acr, text or json, got \"%s\"", a->format);
    if (strcmp(a->version, "current") && strcmp(a->version, "0.16") && strcmp(a->version, "0.17") &&
        strcmp(a->version, "0.18"))
        die_usage(DRYRUN_USAGE, "--acr-cli-version: expected current or 0.16, got \"%s\"", a->version);
    if (a->unit && strcmp(a->unit, "GiB") && strcmp(a->unit, "GB"))
        die_usage(DRYRUN_USAGE, "--unit: expected GiB or GB, got \"%s\"", a->unit);
    if (i >= argc) die_usage(DRYRUN_USAGE, "no acr purge command given (after --)");
    if (argc - i == 1) {
        /* one quoted string: split it like a shell would */
        char err[128];
        a->n_cmd_words = purgecmd_split(argv[i], &a->cmd_words, err, sizeof err);
        if (a->n_cmd_words < 0) die_usage(DRYRUN_USAGE, "the acr purge command: %s", err);
        a->cmd_split = true;
    } else {
        a->cmd_words = argv + i;
        a->n_cmd_words = argc - i;
    }
}

static int cmd_dry_run(int argc, char **argv)
{
    struct dryrun_args a;
    parse_dryrun_args(argc, argv, &a);
    struct diag d;
    memset(&d, 0, sizeof d);
    int exit_code = EXIT_OK;
    progress_enable(!a.quiet);
    struct model *m = model_new();
    struct ingest_opts io = {a.repo, a.registry, a.jobs, 0};
    struct ingest *in = ingest_new(m, &d, &io);
    struct pricing price;
    bool have_price = false;
    struct purge_rule rule;
    memset(&rule, 0, sizeof rule);
    char *command = join_command(a.cmd_words, a.n_cmd_words);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = NULL;

    int rc = PS_OK;
    for (int k = 0; k < a.n_inputs && rc == PS_OK; k++) rc = ingest_add(in, a.inputs[k]);
    if (rc == PS_OK) rc = ingest_finish(in);
    progress_done();
    if (rc != PS_OK) {
        diag_print(&d, stderr);
        exit_code = exit_for(rc);
        goto out;
    }
    int64_t now;
    if (a.at) {
        if (!timeu_parse_user(a.at, &now)) {
            fprintf(stderr, "purgesim: --at: expected an RFC 3339 time or YYYY-MM-DD, got \"%s\"\n", a.at);
            exit_code = EXIT_USAGE;
            goto out;
        }
    } else if (m->has_exported_at) {
        now = m->exported_at_ns;
    } else {
        fprintf(stderr, "purgesim: %s: the export has no exportedAt; give --at TIME\n", a.inputs[0]);
        exit_code = EXIT_USAGE;
        goto out;
    }

    char ppath[4096];
    const char *pp = a.pricing ? a.pricing : pricing_default_path(ppath, sizeof ppath);
    rc = pricing_load(pp, &price, &d);
    if (rc != PS_OK) {
        diag_print(&d, stderr);
        exit_code = exit_for(rc);
        goto out;
    }
    have_price = true;
    if (a.unit) pricing_set_unit(&price, a.unit);

    struct purgecmd_opts po = {strcmp(a.version, "0.16") ? ACR_CLI_CURRENT : ACR_CLI_0_16,
                               a.concurrency_default};
    char err[1024];
    enum purgecmd_status st = purge_rule_parse(a.cmd_words, a.n_cmd_words, &po, &rule, err, sizeof err);
    if (st == PURGECMD_NOT_PURGE) {
        fprintf(stderr, "purgesim: %s\n", err);
        exit_code = EXIT_USAGE;
        goto out;
    }
    if (st == PURGECMD_INVALID) {
        /* as acr purge: a capping warning already printed on stdout, then the error */
        if (!strcmp(a.format, "acr") && rule.ago_capped)
            fputs("Warning: ago value exceeds maximum duration of 150 years, capping to 150 years\n", stdout);
        fprintf(stderr, "Error: %s\n", err);
        exit_code = EXIT_USAGE;
        goto out;
    }

    struct dryrun_report rep;
    dryrun_analyse(m, &rule, now, &price, &rep);
    mem = open_report(&buf, &len);
    if (!strcmp(a.format, "acr")) render_dryrun_acr(&rep, mem);
    else if (!strcmp(a.format, "json")) render_dryrun_json(&rep, command, mem);
    else render_dryrun_text(&rep, command, mem);
    fclose(mem);
    mem = NULL;
    bool failed = rep.res.failed;
    char error[sizeof rep.res.error];
    memcpy(error, rep.res.error, sizeof error);
    dryrun_report_free(&rep);
    /* acr purge prints its output even when the run fails; so do we */
    if (write_output(a.output, buf, len) != PS_OK) {
        exit_code = EXIT_IO;
        goto out;
    }
    if (failed) {
        fprintf(stderr, "Error: %s\n", error);
        exit_code = EXIT_RUN_FAILED;
    }
out:
    free(buf);
    free(command);
    purge_rule_free(&rule);
    if (have_price) pricing_free(&price);
    ingest_free(in);
    model_free(m);
    diag_free(&d);
    if (a.cmd_split) purgecmd_free_words(a.cmd_words, a.n_cmd_words);
    return exit_code;
}

static const char SIM_USAGE[] =
    "usage: purgesim simulate -i EXPORT (-p POLICIES | --policy NAME=COMMAND)... [options]\n"
    "       purgesim report   -i EXPORT (-p POLICIES | --policy NAME=COMMAND)... --month YYYY-MM [options]\n"
    "\n"
    "Replays each policy's purge runs (on their cron schedules, UTC), retention and soft delete over\n"
    "the registry's history, and compares stored GiB and AUD per policy with a baseline that\n"
    "deletes nothing. A bare `acr purge ...` or `az acr run ...` runs nightly (0 0 * * *).\n"
    "\n"
    "options:\n"
    "  -i, --input EXPORT        bundle, export directory or raw az output (repeatable for raw files)\n"
    "  -p, --policies FILE       policy file: [name] lines, then commands (repeatable)\n"
    "  --policy NAME=COMMAND     one policy in one command (repeatable)\n"
    "  --from DATE, --to DATE    the window (default: first push to the export's exportedAt)\n"
    "  --month YYYY-MM           (report) the calendar month to report\n"
    "  --html                    (report) write DIR/report-YYYY-MM.html (one self-contained page,\n"
    "                            charts inline) and the charts as SVG and PNG into -o DIR\n"
    "  --sku basic|standard|premium   the registry's SKU (default: the export's)\n"
    "  --replicas N              geo-replicas, each billed again (default 1)\n"
    "  --format table|csv|json   (simulate) default table; csv needs -o DIR\n"
    "  -o, --output PATH         csv/--html: a directory (charts too); table/json: a file\n"
    "                            (every file is written atomically)\n"
    "  --pricing FILE            price table (default data/pricing/acr-aud.json)\n"
    "  --unit GiB|GB             storage unit (default GiB)\n"
    "  --price-per-gb-day X      overage price per unit per day instead of the table's\n"
    "  --currency CODE           currency label for an overridden price\n"
    "  --untag-model M           when a manifest untagged now lost its tag: next-push (default),\n"
    "                            own-update or never-tagged\n"
    "  --tag-delete-updates-manifest   a purged tag sets its manifest's lastUpdateTime\n"
    "  --acr-cli-version V       current (default) or 0.16\n"
    "  --jobs N                  threads reading the export and replaying policies\n"
    "                            (default: the number of cores)\n"
    "  -q, --quiet               no progress on stderr (shown only on a terminal anyway)\n";

static const char *sim_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) die_usage(SIM_USAGE, "option %s needs a value", argv[*i]);
    return argv[++*i];
}

static long sim_long(const char *opt, const char *v, long lo, long hi)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || !*v || n < lo || n > hi) die_usage(SIM_USAGE, "%s: expected %ld-%ld, got \"%s\"", opt, lo, hi, v);
    return n;
}

static void parse_sim_args(int argc, char **argv, struct sim_opts *o, const char **format, const char **output,
                           bool *html)
{
    memset(o, 0, sizeof *o);
    o->replicas = 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = cores > 0 ? (int)cores : 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(SIM_USAGE, stdout);
            exit(EXIT_OK);
        } else if (!strcmp(a, "-i") || !strcmp(a, "--input")) {
            if (o->n_inputs == SIM_MAX_INPUTS) die_usage(SIM_USAGE, "too many inputs");
            o->inputs[o->n_inputs++] = sim_arg(argc, argv, &i);
        } else if (!strcmp(a, "-p") || !strcmp(a, "--policies")) {
            if (o->n_policy_files == SIM_MAX_POLICY_ARGS) die_usage(SIM_USAGE, "too many policy files");
            o->policy_files[o->n_policy_files++] = sim_arg(argc, argv, &i);
        } else if (!strcmp(a, "--policy")) {
            if (o->n_policy_quick == SIM_MAX_POLICY_ARGS) die_usage(SIM_USAGE, "too many --policy");
            o->policy_quick[o->n_policy_quick++] = sim_arg(argc, argv, &i);
        } else if (!strcmp(a, "--from")) o->from = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "--to")) o->to = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "--month")) o->month = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "--sku")) o->sku = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "--replicas")) o->replicas = (int)sim_long(a, sim_arg(argc, argv, &i), 1, 100);
        else if (!strcmp(a, "--format")) *format = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) *output = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "--pricing")) o->pricing_path = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "--unit")) o->unit = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "--currency")) o->currency = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "--repo")) o->repo = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "--registry")) o->registry = sim_arg(argc, argv, &i);
        else if (!strcmp(a, "--price-per-gb-day")) {
            const char *v = sim_arg(argc, argv, &i);
            char *end;
            errno = 0;
            o->price_per_gb_day = strtod(v, &end);
            if (errno || *end || !*v || !(o->price_per_gb_day > 0) || o->price_per_gb_day > 1000)
                die_usage(SIM_USAGE, "--price-per-gb-day: expected a positive number, got \"%s\"", v);
        } else if (!strcmp(a, "--untag-model")) {
            const char *v = sim_arg(argc, argv, &i);
            if (!history_untag_model_parse(v, &o->untag))
                die_usage(SIM_USAGE, "--untag-model: expected next-push, own-update or never-tagged, got \"%s\"", v);
        } else if (!strcmp(a, "--tag-delete-updates-manifest")) o->tag_delete_touches_manifest = true;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) o->quiet = true;
        else if (!strcmp(a, "--html")) *html = true;
        else if (!strcmp(a, "--acr-cli-version")) {
            const char *v = sim_arg(argc, argv, &i);
            if (!strcmp(v, "0.16")) o->version = ACR_CLI_0_16;
            else if (strcmp(v, "current") && strcmp(v, "0.17") && strcmp(v, "0.18"))
                die_usage(SIM_USAGE, "--acr-cli-version: expected current or 0.16, got \"%s\"", v);
        } else if (!strcmp(a, "--jobs")) o->jobs = (int)sim_long(a, sim_arg(argc, argv, &i), 1, 256);
        else die_usage(SIM_USAGE, "unknown option \"%s\"", a);
    }
    if (!o->n_inputs) die_usage(SIM_USAGE, "no export given (-i EXPORT)");
    if (!o->n_policy_files && !o->n_policy_quick) die_usage(SIM_USAGE, "no policies given (-p FILE or --policy NAME=COMMAND)");
}

/* Runs simulate/report/forecast's whole job; on failure prints the messages and returns the
 * exit code (sim must be freed either way). */
static int run_simulation(const struct sim_opts *o, struct simulation *sim, struct diag *d)
{
    int rc = simulation_run(o, sim, d);
    if (rc == PS_OK) return EXIT_OK;
    diag_print(d, stderr);
    return exit_for(rc);
}

/* simulate and report share everything but the rendering. */
static int cmd_simulate(int argc, char **argv, bool report)
{
    struct sim_opts o;
    const char *format = "table", *output = NULL;
    bool html = false;
    parse_sim_args(argc, argv, &o, &format, &output, &html);
    if (report && !o.month) die_usage(SIM_USAGE, "report needs --month YYYY-MM");
    if (html && (!report || !output)) die_usage(SIM_USAGE, "--html goes with report ... -o DIR");
    if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json"))
        die_usage(SIM_USAGE, "--format: expected table, csv or json, got \"%s\"", format);
    if (!strcmp(format, "csv") && !output) die_usage(SIM_USAGE, "--format csv writes files: give -o DIR");
    struct diag d;
    memset(&d, 0, sizeof d);
    struct simulation sim;
    int exit_code = run_simulation(&o, &sim, &d);
    if (exit_code != EXIT_OK) goto out;
    if (!strcmp(format, "csv") || html) {
        char err[512], name[64], path[4200];
        struct output *out = output_begin(output, OUTPUT_DIR, o.inputs, (size_t)o.n_inputs, err, sizeof err);
        if (!out) {
            fprintf(stderr, "purgesim: %s\n", err);
            exit_code = EXIT_IO;
            goto out;
        }
        int rc = 0;
        if (html) {
            snprintf(name, sizeof name, "report-%s.html", o.month);
            FILE *fp = output_open(out, name);
            rc = fp ? render_month_html(&sim, fp) : -1;
            if (output_close(out, fp) != 0) rc = -1;
        } else {
            rc = render_sim_csv(&sim, out);
        }
        if (rc == 0) rc = render_sim_charts(&sim, out);
        if (html) output_path(out, name, path, sizeof path);
        if (rc != 0) output_abort(out);
        else rc = output_commit(out);
        if (rc != 0) exit_code = EXIT_IO;
        else if (html && !o.quiet) printf("wrote %s and the charts (stored, monthly-cost, top-repositories .svg/.png) in %s\n", path, output);
        goto out;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_report(&buf, &len);
    if (report) render_month_report(&sim, mem);
    else if (!strcmp(format, "json")) render_sim_json(&sim, mem);
    else render_sim_table(&sim, mem);
    fclose(mem);
    if (write_output(output, buf, len) != PS_OK) exit_code = EXIT_IO;
    free(buf);
out:
    simulation_free(&sim);
    diag_free(&d);
    return exit_code;
}

static const char FORECAST_USAGE[] =
    "usage: purgesim forecast -i EXPORT (-p POLICIES | --policy NAME=COMMAND)... [--days N] [options]\n"
    "\n"
    "Starts from the export's state and goes N days forward. Each repository gets future pushes\n"
    "synthesised from its last --lookback-days: a Poisson number per day at its push rate for that\n"
    "weekday (UTC), each a copy of a recent push (its size and layers, the top fifth of the layers\n"
    "fresh), the moving tag (the tag updated last) following each push and new versioned tags\n"
    "(1.2.3 -> 1.2.4) at the observed share. Only image manifests are synthesised (no indexes,\n"
    "signatures or SBOMs). For each policy it reports the daily stored GiB, the money per month,\n"
    "the date the SKU's included storage is first exceeded (or \"not within N days\"), and flags a\n"
    "first scheduled run that selects more than the 3600 s task timeout can delete.\n"
    "\n"
    "options:\n"
    "  -i, --input EXPORT        bundle, export directory or raw az output (the latest snapshot is used)\n"
    "  -p, --policies FILE       policy file (repeatable)\n"
    "  --policy NAME=COMMAND     one policy in one command (repeatable)\n"
    "  --days N                  how far forward, 1-3660 (default 90)\n"
    "  --seed N                  PRNG seed, 0 to 2^64-1 (default 1): the same seed, the same output\n"
    "  --lookback-days N         the recent history that sets rates and samples, 7-366 (default 28)\n"
    "  --deletes-per-second X    assumed delete rate of one purge run (default 5: one HTTP DELETE per\n"
    "                            tag or manifest; higher with --concurrency): sets the first-run flag\n"
    "  --sku basic|standard|premium   the registry's SKU (default: the export's)\n"
    "  --replicas N              geo-replicas, each billed again (default 1)\n"
    "  --format table|csv|json   default table; csv is one row per policy and day\n"
    "  -o, --output PATH         a file for the report (atomically), or a directory: the report as\n"
    "                            forecast.txt|csv|json and the charts (SVG, PNG) beside it\n"
    "  --pricing FILE, --unit GiB|GB, --price-per-gb-day X, --currency CODE   as for simulate\n"
    "  --untag-model M, --tag-delete-updates-manifest, --acr-cli-version V, --jobs N, -q   as for simulate\n";

static int cmd_forecast(int argc, char **argv)
{
    struct forecast_opts fo;
    forecast_opts_default(&fo);
    const char *format = "table", *output = NULL;
    /* the forecast options first; the rest goes to the simulate parser */
    char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
    int n_rest = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(FORECAST_USAGE, stdout);
            free(rest);
            exit(EXIT_OK);
        }
        bool ours = !strcmp(a, "--days") || !strcmp(a, "--seed") || !strcmp(a, "--lookback-days") ||
                    !strcmp(a, "--deletes-per-second") || !strcmp(a, "--format") || !strcmp(a, "-o") ||
                    !strcmp(a, "--output");
        if (!ours) {
            rest[n_rest++] = argv[i];
            continue;
        }
        if (i + 1 >= argc) die_usage(FORECAST_USAGE, "option %s needs a value", a);
        const char *v = argv[++i];
        char *end;
        errno = 0;
        if (!strcmp(a, "--days") || !strcmp(a, "--lookback-days")) {
            bool days = !strcmp(a, "--days");
            long lo = days ? 1 : FORECAST_MIN_LOOKBACK_DAYS, hi = days ? FORECAST_MAX_DAYS : FORECAST_MAX_LOOKBACK_DAYS;
            long n = strtol(v, &end, 10);
            if (errno || *end || !*v || n < lo || n > hi)
                die_usage(FORECAST_USAGE, "%s: expected %ld-%ld, got \"%s\"", a, lo, hi, v);
            if (days) fo.days = (int)n;
            else fo.lookback_days = (int)n;
        } else if (!strcmp(a, "--seed")) {
            unsigned long long n = strtoull(v, &end, 10);
            if (errno || *end || !*v || *v == '-') die_usage(FORECAST_USAGE, "%s: expected 0 to 2^64-1, got \"%s\"", a, v);
            fo.seed = (uint64_t)n;
        } else if (!strcmp(a, "--deletes-per-second")) {
            double x = strtod(v, &end);
            if (errno || *end || !*v || !(x > 0) || x > 1e6)
                die_usage(FORECAST_USAGE, "%s: expected a positive number, got \"%s\"", a, v);
            fo.deletes_per_second = x;
        } else if (!strcmp(a, "--format")) {
            if (strcmp(v, "table") && strcmp(v, "csv") && strcmp(v, "json"))
                die_usage(FORECAST_USAGE, "%s: expected table, csv or json, got \"%s\"", a, v);
            format = v;
        } else {
            output = v;
        }
    }
    struct sim_opts o;
    const char *sim_format = "table", *sim_output = NULL;
    bool html = false;
    parse_sim_args(n_rest, rest, &o, &sim_format, &sim_output, &html);
    free(rest);
    if (o.from || o.to || o.month || html) die_usage(FORECAST_USAGE, "--from, --to, --month and --html are not forecast options");
    o.forecast = &fo;
    struct diag d;
    memset(&d, 0, sizeof d);
    struct simulation sim;
    int exit_code = run_simulation(&o, &sim, &d);
    if (exit_code != EXIT_OK) goto out;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_report(&buf, &len);
    if (!strcmp(format, "json")) render_forecast_json(&sim, &sim.frep, mem);
    else if (!strcmp(format, "csv")) render_forecast_csv(&sim, &sim.frep, mem);
    else render_forecast_table(&sim, &sim.frep, mem);
    fclose(mem);
    /* -o DIR: the report as DIR/forecast.<format> and the charts beside it */
    struct stat st;
    char path[4096];
    bool dir = output && stat(output, &st) == 0 && S_ISDIR(st.st_mode);
    if (dir) snprintf(path, sizeof path, "%s/forecast.%s", output, !strcmp(format, "table") ? "txt" : format);
    if (!dir) {
        if (write_output(output, buf, len) != PS_OK) exit_code = EXIT_IO;
    } else {
        char err[512];
        struct output *out = output_begin(output, OUTPUT_DIR, o.inputs, (size_t)o.n_inputs, err, sizeof err);
        FILE *fp = out ? output_open(out, strrchr(path, '/') + 1) : NULL;
        int rc = fp && fwrite(buf, 1, len, fp) == len ? 0 : -1;
        if (out && output_close(out, fp) != 0) rc = -1;
        if (rc == 0) rc = render_sim_charts(&sim, out);
        if (rc != 0) output_abort(out);
        else rc = output_commit(out);
        if (rc != 0) exit_code = EXIT_IO;
    }
    free(buf);
out:
    simulation_free(&sim);
    diag_free(&d);
    return exit_code;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "dry-run")) return cmd_dry_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "simulate")) return cmd_simulate(argc - 2, argv + 2, false);
    if (!strcmp(cmd, "generate")) return generate_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "report")) return cmd_simulate(argc - 2, argv + 2, true);
    if (!strcmp(cmd, "forecast")) return cmd_forecast(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(USAGE, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        puts("purgesim 0.1.0");
        return EXIT_OK;
    }
    fprintf(stderr, "purgesim: unknown command \"%s\"\n%s", cmd, USAGE);
    return EXIT_USAGE;
}
