/* main.c - purgesim's command line; the only place that calls exit(). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "dryrun.h"
#include "ingest.h"
#include "model.h"
#include "pricing.h"
#include "purgecmd.h"
#include "render.h"
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
    "  -q, --quiet              no warnings on stderr\n";

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

/* Joins words with spaces, quoting those that need it, for "command:" lines. */
static char *join_command(char *const *w, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++) len += strlen(w[i]) * 4 + 3;
    char *s = malloc(len), *p = s;
    if (!s) return NULL;
    for (int i = 0; i < n; i++) {
        if (i) *p++ = ' ';
        bool plain = *w[i] != '\0';
        for (const char *c = w[i]; *c; c++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@,+%", *c))
                plain = false;
        if (plain) {
            p += sprintf(p, "%s", w[i]);
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
    struct model *m = model_new();
    struct ingest_opts io = {a.repo, a.registry};
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
    mem = open_memstream(&buf, &len);
    if (!mem) {
        fprintf(stderr, "purgesim: out of memory\n");
        abort();
    }
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "dry-run")) return cmd_dry_run(argc - 2, argv + 2);
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
