/* cli.c - the option table and its getopt_long parser (cli.h). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum cli_kind {
    CLI_STR,     /* const char *, as given */
    CLI_LIST,    /* struct cli_list: repeatable */
    CLI_INT,     /* int in [lo, hi] */
    CLI_U64,     /* uint64_t, any (sets seed_set) */
    CLI_DOUBLE,  /* double in (0, hi] */
    CLI_FLAG,    /* bool, no value */
    CLI_CHOICE   /* const char *: one of `choices`, any case, stored as the table spells it */
};

struct cli_opt {
    const char *name;
    char short_name;          /* 0: long only */
    unsigned cmds;            /* CLI_DRYRUN | ... */
    enum cli_kind kind;
    size_t offset;            /* into struct cli_args */
    const char *arg;          /* the value's name in --help; NULL for flags */
    long lo, hi;              /* CLI_INT range; CLI_DOUBLE upper bound (hi) */
    const char *const *choices;
    const char *help;         /* one or more lines, '\n' between them */
};

static const char *const SKUS[] = {"basic", "standard", "premium", NULL};
static const char *const UNITS[] = {"GiB", "GB", NULL};
static const char *const UNTAG_MODELS[] = {"next-push", "own-update", "never-tagged", NULL};
static const char *const SCALES[] = {"tiny", "small", "medium", "large", "xl", NULL};
static const char *const GEN_PROFILES[] = {"default", "churn", NULL};

#define AT(field) offsetof(struct cli_args, field)

/* What -o means in every command that reads an export, after what each writes (reports/output.h). */
#define OUTPUT_HELP_TAIL                                                       \
    "Files appear whole or not at all; inputs are never overwritten; a\n"      \
    "symbolic link is written through (a dangling one named as a directory\n"  \
    "creates its target), a device or FIFO in place"

/* clang-format off */
static const struct cli_opt OPTS[] = {
    {"input", 'i', CLI_SIMULATE | CLI_REPORT | CLI_TUNE, CLI_LIST, AT(inputs), "EXPORT", 0, 0, NULL,
     "bundle file, export directory, or raw az output; repeat for the raw\n"
     "list-metadata / show-tags files of one registry, or for snapshots"},
    {"input", 'i', CLI_DRYRUN | CLI_FORECAST, CLI_LIST, AT(inputs), "EXPORT", 0, 0, NULL,
     "bundle file, export directory, or raw az output; repeat for the raw\n"
     "list-metadata / show-tags files of one registry, or for snapshots (the\n"
     "latest is the one used: the registry as it is now)"},
    {"policies", 'p', CLI_REPLAYS, CLI_LIST, AT(policy_files), "FILE", 0, 0, NULL,
     "policy file: [name] lines, then that policy's commands (repeatable)"},
    {"policy", 0, CLI_REPLAYS, CLI_LIST, AT(policies), "NAME=COMMAND", 0, 0, NULL,
     "one policy given inline, e.g. nightly='acr purge --filter ...' (repeatable)"},
    {"events", 0, CLI_DRYRUN | CLI_SIMULATE | CLI_REPORT | CLI_TUNE, CLI_LIST, AT(events), "FILE", 0, 0, NULL,
     "the registry's event log (Log Analytics ContainerRegistryRepositoryEvents:\n"
     "az JSON, REST JSON or portal CSV; repeatable): which pulls each policy breaks"},
    {"in-use", 0, CLI_DRYRUN | CLI_SIMULATE | CLI_REPORT | CLI_TUNE, CLI_LIST, AT(in_use), "FILE", 0, 0, NULL,
     "images that run (references one per line, or kubectl get pods -A -o json;\n"
     "repeatable): which of them each policy deletes"},
    {"fail-on-risk", 0, CLI_DRYRUN | CLI_SIMULATE | CLI_REPORT, CLI_FLAG, AT(fail_on_risk), NULL, 0, 0, NULL,
     "exit 5 when a policy (or the dry run) breaks a pull or deletes an in-use\n"
     "image; the report is written all the same"},
    {"policy-group", 0, CLI_REPLAYS, CLI_STR, AT(policy_group), "NAME", 0, 0, NULL,
     "Azure JSON given with -p (task list, ARM, Terraform, configuration): all\n"
     "of it as one policy NAME, instead of one policy per task"},
    {"at", 0, CLI_DRYRUN, CLI_STR, AT(at), "TIME", 0, 0, NULL,
     "the run's instant, RFC 3339 or YYYY-MM-DD (UTC); the registry as it\n"
     "was then (default: the export's exportedAt)"},
    {"at", 0, CLI_REPLAYS | CLI_TUNE, CLI_STR, AT(at), "TIME", 0, 0, NULL,
     "when raw az files were taken, RFC 3339 or YYYY-MM-DD (bundles and export\n"
     "directories carry their own exportedAt)"},
    {"from", 0, CLI_SIMULATE | CLI_REPORT | CLI_TUNE, CLI_STR, AT(from), "DATE", 0, 0, NULL,
     "first day of the window, YYYY-MM-DD (or an RFC 3339 instant); default: the\n"
     "first whole day after the first push"},
    {"to", 0, CLI_SIMULATE | CLI_REPORT | CLI_TUNE, CLI_STR, AT(to), "DATE", 0, 0, NULL,
     "last day of the window, inclusive; default: the last whole day before the\n"
     "export's exportedAt"},
    {"month", 0, CLI_REPORT, CLI_STR, AT(month), "YYYY-MM", 0, 0, NULL,
     "the calendar month to report (required)"},
    {"html", 0, CLI_REPORT, CLI_FLAG, AT(html), NULL, 0, 0, NULL,
     "also write report-YYYY-MM.html (one page, charts inline) into -o DIR"},
    {"days", 0, CLI_FORECAST, CLI_INT, AT(days), "N", 1, 3660, NULL,
     "how many days forward from the export, 1-3660 (default 90)"},
    {"seed", 0, CLI_FORECAST | CLI_GENERATE | CLI_TUNE, CLI_U64, AT(seed), "N", 0, 0, NULL,
     "PRNG seed, 0 to 2^64-1 (default 1): the same seed, the same output"},
    {"lookback-days", 0, CLI_FORECAST | CLI_TUNE, CLI_INT, AT(lookback_days), "N", 7, 366, NULL,
     "the recent history that sets push rates and samples, 7-366 (default 28)"},
    {"deletes-per-second", 0, CLI_FORECAST | CLI_TUNE, CLI_DOUBLE, AT(deletes_per_second), "X", 0, 1000000, NULL,
     "assumed delete rate of one purge run (default 5): what a run can delete\n"
     "inside the 3600 s task timeout"},
    {"format", 'f', CLI_DRYRUN, CLI_STR, AT(format), "FORMAT", 0, 0, NULL,
     "text (default; for people), acr (acr purge --dry-run's own output, line\n"
     "for line; purgesim's warnings on stderr), json, or markdown (GitHub job\n"
     "summaries, pull-request comments)"},
    {"format", 'f', CLI_REPLAYS, CLI_STR, AT(format), "FORMAT", 0, 0, NULL,
     "text (default; also called table), csv (several files: needs -o DIR;\n"
     "the warnings on stderr), json, or markdown (GitHub job summaries,\n"
     "pull-request comments)"},
    {"format", 'f', CLI_TUNE, CLI_STR, AT(format), "FORMAT", 0, 0, NULL,
     "text (default; also called table), csv (candidates.csv: needs -o DIR;\n"
     "the warnings on stderr) or markdown"},
    {"filter", 0, CLI_TUNE, CLI_STR, AT(filter), "REPO:TAG", 0, 0, NULL,
     "the acr purge --filter every candidate uses (default '.*:.*')"},
    {"grid", 0, CLI_TUNE, CLI_STR, AT(grid), "FILE", 0, 0, NULL,
     "the settings to try instead of the default grid (sim/TUNE.md)"},
    {"by-repository", 0, CLI_TUNE, CLI_FLAG, AT(by_repository), NULL, 0, 0, NULL,
     "tune each repository (or --group) on its own; recommend one policy\n"
     "with a task per group"},
    {"group", 0, CLI_TUNE, CLI_LIST, AT(groups), "REGEX", 0, 0, NULL,
     "with --by-repository: the repositories a regex matches whole are tuned\n"
     "together (repeatable; the first that matches wins)"},
    {"keep-versions", 0, CLI_TUNE, CLI_STR, AT(keep_versions), "N", 0, 0, NULL,
     "rollback depth: after any run, a repository it took versions from keeps\n"
     "at least N tagged manifests (default 3; 0: no limit)"},
    {"max-broken-pulls", 0, CLI_TUNE, CLI_STR, AT(max_broken_pulls), "N", 0, 0, NULL,
     "at most N pulls of the event log broken (default 0 with --events)"},
    {"max-run-deletes", 0, CLI_TUNE, CLI_STR, AT(max_run_deletes), "N", 0, 0, NULL,
     "at most N deletions in one run (default: what fits the 3600 s task\n"
     "timeout at --deletes-per-second)"},
    {"budget", 0, CLI_TUNE, CLI_DOUBLE, AT(budget), "MONEY", 0, 100000000, NULL,
     "at most this per month, storage and SKU fee, in the report's currency"},
    {"max-gib", 0, CLI_TUNE, CLI_DOUBLE, AT(max_gib), "X", 0, 1000000000, NULL,
     "stored at most X (in --unit) on any day"},
    {"forecast-days", 0, CLI_TUNE, CLI_INT, AT(forecast_days), "N", 1, 3660, NULL,
     "score candidates on N forecast days after the export (as forecast does)\n"
     "instead of the export's own history"},
    {"output", 'o', CLI_DRYRUN, CLI_STR, AT(output), "PATH", 0, 0, NULL,
     "a file for the report, or a directory (existing, or ending in /) for\n"
     "dry-run.txt (.json with -f json, .md with -f markdown), created if\n"
     "missing; - is standard output.\n"
     OUTPUT_HELP_TAIL},
    {"output", 'o', CLI_SIMULATE | CLI_FORECAST, CLI_STR, AT(output), "PATH", 0, 0, NULL,
     "a file for the report, or a directory (existing, or ending in /) for the\n"
     "report and its charts; csv always writes into a directory, created if\n"
     "missing; - is standard output (not for csv).\n"
     OUTPUT_HELP_TAIL},
    {"output", 'o', CLI_REPORT, CLI_STR, AT(output), "PATH", 0, 0, NULL,
     "a file for the report, or a directory (existing, or ending in /) for the\n"
     "report and its charts; csv and --html always write into a directory,\n"
     "created if missing; - is standard output (not for csv or --html).\n"
     OUTPUT_HELP_TAIL},
    {"output", 'o', CLI_TUNE, CLI_STR, AT(output), "PATH", 0, 0, NULL,
     "a file for the report, or a directory (existing, or ending in /) for the\n"
     "report, recommended.ini and (without --by-repository) the chart\n"
     "tune-pareto; csv always writes into a directory (candidates.csv in place\n"
     "of the report), created if missing; - is standard output (not for csv).\n"
     OUTPUT_HELP_TAIL},
    {"sku", 0, CLI_ALL, CLI_CHOICE, AT(sku), "SKU", 0, 0, SKUS,
     "basic, standard or premium (default: the export's)"},
    {"replicas", 0, CLI_ALL, CLI_INT, AT(replicas), "N", 1, 100, NULL,
     "geo-replicas, each billed again, 1-100 (default: the export's\n"
     "replication list, or 1 when it has none)"},
    {"pricing", 0, CLI_ALL, CLI_STR, AT(pricing), "FILE", 0, 0, NULL,
     "price table (default: the installed acr-aud.json)"},
    {"pricing-date", 0, CLI_ALL, CLI_STR, AT(pricing_date), "DATE", 0, 0, NULL,
     "use the newest dated price table on or before DATE (default: the newest)"},
    {"unit", 0, CLI_ALL, CLI_CHOICE, AT(unit), "UNIT", 0, 0, UNITS,
     "GiB (2^30 bytes, default) or GB (10^9 bytes) for storage and prices"},
    {"price-per-gb-day", 0, CLI_ALL, CLI_DOUBLE, AT(price_per_gb_day), "X", 0, 1000, NULL,
     "overage price per unit per day instead of the table's"},
    {"currency", 0, CLI_ALL, CLI_STR, AT(currency), "CODE", 0, 0, NULL,
     "the currency of --price-per-gb-day (needs it unless the table's own)"},
    {"repo", 0, CLI_ALL, CLI_STR, AT(repo), "NAME", 0, 0, NULL,
     "repository name for raw az output files"},
    {"registry", 0, CLI_ALL, CLI_STR, AT(registry), "SERVER", 0, 0, NULL,
     "login server for raw az output files (e.g. myreg.azurecr.io)"},
    {"untag-model", 0, CLI_REPLAYS | CLI_TUNE, CLI_CHOICE, AT(untag_model), "MODEL", 0, 0, UNTAG_MODELS,
     "when a manifest untagged now lost its tag: next-push (default),\n"
     "own-update or never-tagged"},
    {"tag-delete-updates-manifest", 0, CLI_REPLAYS | CLI_TUNE, CLI_FLAG, AT(tag_delete_updates_manifest), NULL, 0, 0, NULL,
     "a purged tag sets its manifest's lastUpdateTime"},
    {"acr-cli-version", 0, CLI_ALL, CLI_STR, AT(acr_cli_version), "V", 0, 0, NULL,
     "the acr-cli release to model: current (default) or 0.11 to 0.19"},
    {"concurrency-default", 0, CLI_DRYRUN, CLI_INT, AT(concurrency_default), "N", 1, 4096, NULL,
     "CPU count acr would report in its concurrency warning (default 2)"},
    {"jobs", 'j', CLI_ALL, CLI_INT, AT(jobs), "N", 1, 256, NULL,
     "threads reading the export and replaying policies (default: cores)"},
    {"quiet", 'q', CLI_ALL | CLI_GENERATE, CLI_FLAG, AT(quiet), NULL, 0, 0, NULL,
     "no progress on stderr (shown only on a terminal anyway)"},
    {"no-cache", 0, CLI_ALL, CLI_FLAG, AT(no_cache), NULL, 0, 0, NULL,
     "read the export's JSON, and neither read nor write its model image in\n"
     "the cache ($XDG_CACHE_HOME/purgesim, default ~/.cache/purgesim; it keeps\n"
     "to $PURGESIM_CACHE_MAX, default 2G, removing images used least recently)"},
    {"verbose", 'v', CLI_ALL, CLI_FLAG, AT(verbose), NULL, 0, 0, NULL,
     "say on stderr what the model cache did (hit, written, rebuilt)"},
    {"scale", 0, CLI_GENERATE, CLI_CHOICE, AT(scale), "S", 0, 0, SCALES,
     "tiny (1 repository, ~20 manifests), small (20, ~2k; default),\n"
     "medium (500, ~100k), large (5,000, ~1M) or xl (20,000, ~5M)"},
    {"profile", 0, CLI_GENERATE, CLI_CHOICE, AT(gen_profile), "P", 0, 0, GEN_PROFILES,
     "default, or churn: heavy CI churn, the scale's manifests in a fifth of\n"
     "its repositories, each pushed daily (a nightly build moves `nightly`,\n"
     "main builds `latest`); most manifests untagged"},
    {"days", 0, CLI_GENERATE, CLI_INT, AT(days), "N", 1, 3650, NULL,
     "history length in days, 1-3650 (default 365)"},
    {"exported-at", 0, CLI_GENERATE, CLI_STR, AT(exported_at), "TIME", 0, 0, NULL,
     "the snapshot's instant, YYYY-MM-DD or RFC 3339 (default 2026-11-01)"},
    {"output", 'o', CLI_GENERATE, CLI_STR, AT(output), "FILE", 0, 0, NULL,
     "the bundle to write (whole or not at all), or - for standard output"},
    {"stats", 0, CLI_GENERATE, CLI_FLAG, AT(stats), NULL, 0, 0, NULL,
     "print counts and timing to stderr when done"},
    {"help", 'h', CLI_ALL | CLI_GENERATE, CLI_FLAG, AT(help), NULL, 0, 0, NULL,
     "this text"},
};
/* clang-format on */
#define N_OPTS (sizeof OPTS / sizeof OPTS[0])

bool cli_choice(const char *text, const char *const *choices, const char **canon)
{
    for (size_t i = 0; choices[i]; i++)
        if (!strcasecmp(text, choices[i])) {
            *canon = choices[i];
            return true;
        }
    return false;
}

static void choices_text(const char *const *choices, char *buf, size_t len)
{
    size_t n = 0, k = 0;
    while (choices[n]) n++;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        k += (size_t)snprintf(buf + k, k < len ? len - k : 0, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
                              choices[i]);
        if (k >= len) return;
    }
}

/* Checks and stores one value. */
static bool store(const struct cli_opt *o, const char *v, struct cli_args *a, char *err, size_t errlen)
{
    char *field = (char *)a + o->offset;
    char *end;
    errno = 0;
    switch (o->kind) {
    case CLI_STR:
        *(const char **)field = v;
        return true;
    case CLI_LIST: {
        struct cli_list *l = (struct cli_list *)field;
        if (l->n == CLI_MAX_LIST) {
            snprintf(err, errlen, "--%s: at most %d", o->name, CLI_MAX_LIST);
            return false;
        }
        l->v[l->n++] = v;
        return true;
    }
    case CLI_INT: {
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < o->lo || n > o->hi) {
            snprintf(err, errlen, "--%s: expected a whole number from %ld to %ld, got \"%s\"", o->name, o->lo, o->hi, v);
            return false;
        }
        *(int *)field = (int)n;
        return true;
    }
    case CLI_U64: {
        unsigned long long n = strtoull(v, &end, 10);
        if (errno || end == v || *end || v[0] == '-' || v[0] == '+') {
            snprintf(err, errlen, "--%s: expected a whole number from 0 to 2^64-1, got \"%s\"", o->name, v);
            return false;
        }
        *(uint64_t *)field = (uint64_t)n;
        a->seed_set = true;
        return true;
    }
    case CLI_DOUBLE: {
        double x = strtod(v, &end);
        if (errno || end == v || *end || !(x > 0) || x > (double)o->hi) {
            snprintf(err, errlen, "--%s: expected a number above 0 and at most %ld, got \"%s\"", o->name, o->hi, v);
            return false;
        }
        *(double *)field = x;
        return true;
    }
    case CLI_FLAG:
        *(bool *)field = true;
        return true;
    case CLI_CHOICE: {
        if (cli_choice(v, o->choices, (const char **)field)) return true;
        char list[256];
        choices_text(o->choices, list, sizeof list);
        snprintf(err, errlen, "--%s: expected %s, got \"%s\"", o->name, list, v);
        return false;
    }
    }
    return false;
}

/* The rows of one command: getopt_long's table (val = row index + 256) and short options. */
static size_t build_table(unsigned mask, struct option *lo, char *shorts, size_t shorts_len)
{
    size_t n = 0, k = 0;
    shorts[k++] = '+';   /* stop at the first non-option: dry-run's command follows */
    shorts[k++] = ':';   /* a missing value is reported as ':' */
    shorts[k] = '\0';
    for (size_t i = 0; i < N_OPTS; i++) {
        if (!(OPTS[i].cmds & mask)) continue;
        lo[n++] = (struct option){OPTS[i].name, OPTS[i].kind == CLI_FLAG ? no_argument : required_argument, NULL,
                                  (int)(256 + i)};
        if (OPTS[i].short_name && k + 3 < shorts_len && !strchr(shorts + 2, OPTS[i].short_name)) {
            shorts[k++] = OPTS[i].short_name;
            if (OPTS[i].kind != CLI_FLAG) shorts[k++] = ':';
            shorts[k] = '\0';
        }
    }
    shorts[k] = '\0';
    lo[n] = (struct option){0};
    return n;
}

static const struct cli_opt *row_for_short(unsigned mask, int c)
{
    for (size_t i = 0; i < N_OPTS; i++)
        if ((OPTS[i].cmds & mask) && OPTS[i].short_name == c) return &OPTS[i];
    return NULL;
}

size_t cli_edit_distance(const char *a, size_t na, const char *b, size_t limit)
{
    size_t nb = strlen(b);
    if (na > 40 || nb > 40) return limit + 1;
    size_t d[41][41];
    for (size_t i = 0; i <= na; i++) d[i][0] = i;
    for (size_t j = 0; j <= nb; j++) d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[na][nb];
}

/* The command's option nearest to a mistyped --word (at most two edits away), or NULL. */
static const char *nearest_option(const char *word, size_t n, unsigned mask)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < N_OPTS; i++) {
        if (!(OPTS[i].cmds & mask) || !OPTS[i].name) continue;
        size_t dist = cli_edit_distance(word, n, OPTS[i].name, 2);
        if (dist < best_d) best_d = dist, best = OPTS[i].name;
    }
    return best;
}

/* An unknown or ambiguous --word: the rows it could abbreviate, when more than one does; the
 * nearest option, when it looks mistyped. */
static void long_option_error(const char *word, unsigned mask, char *err, size_t errlen)
{
    size_t n = strcspn(word + 2, "="), k = 0, found = 0;
    char list[256] = "";
    for (size_t i = 0; i < N_OPTS && !strncmp(word, "--", 2); i++) {
        if (!(OPTS[i].cmds & mask) || strncmp(OPTS[i].name, word + 2, n)) continue;
        if (found && !strcmp(OPTS[i].name, OPTS[i - 1].name)) continue;   /* a name in two rows */
        k += (size_t)snprintf(list + k, k < sizeof list ? sizeof list - k : 0, "%s--%s", found ? ", " : "", OPTS[i].name);
        found++;
    }
    const char *near = !found && !strncmp(word, "--", 2) && n > 2 ? nearest_option(word + 2, n, mask) : NULL;
    if (found > 1 && k < sizeof list) snprintf(err, errlen, "ambiguous option \"%s\" (%s?)", word, list);
    else if (near) snprintf(err, errlen, "unknown option \"%s\" (did you mean --%s?)", word, near);
    else snprintf(err, errlen, "unknown option \"%s\"", word);
}

bool cli_parse(int argc, char **argv, unsigned cmd_mask, struct cli_args *a, char *err, size_t errlen)
{
    struct option lo[N_OPTS + 1];
    char shorts[3 * N_OPTS + 4];
    build_table(cmd_mask, lo, shorts, sizeof shorts);
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 0;   /* 0: glibc re-initialises its state, so cli_parse can run more than once */
    for (;;) {
        int idx = -1;
        int c = getopt_long(argc, argv, shorts, lo, &idx);
        if (c == -1) break;
        const char *word = argv[optind - 1];
        if (c == '?') {
            if (optopt && optopt < 256) snprintf(err, errlen, "unknown option -%c", optopt);
            else if (optopt >= 256) snprintf(err, errlen, "option --%s takes no value", OPTS[optopt - 256].name);
            else long_option_error(word, cmd_mask, err, errlen);
            return false;
        }
        if (c == ':') {
            if (optopt && optopt < 256) snprintf(err, errlen, "option -%c needs a value", optopt);
            else snprintf(err, errlen, "option %s needs a value", word);
            return false;
        }
        const struct cli_opt *o = c >= 256 ? &OPTS[c - 256] : row_for_short(cmd_mask, c);
        if (!o) {
            snprintf(err, errlen, "unknown option -%c", c);
            return false;
        }
        if (!store(o, o->kind == CLI_FLAG ? NULL : optarg, a, err, errlen)) return false;
        if (a->help) return true;
    }
    a->rest = argv + optind;
    a->n_rest = argc - optind;
    return true;
}

void cli_print_options(unsigned cmd_mask, FILE *fp)
{
    enum { COL = 30 };
    for (size_t i = 0; i < N_OPTS; i++) {
        const struct cli_opt *o = &OPTS[i];
        if (!(o->cmds & cmd_mask)) continue;
        char head[80];
        snprintf(head, sizeof head, "%c%c%c --%s%s%s", o->short_name ? '-' : ' ', o->short_name ? o->short_name : ' ',
                 o->short_name ? ',' : ' ', o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        const char *h = o->help;
        bool first = true;
        while (*h) {
            const char *nl = strchr(h, '\n');
            int len = nl ? (int)(nl - h) : (int)strlen(h);
            if (first && strlen(head) + 2 > COL) fprintf(fp, "  %s\n", head);
            fprintf(fp, "  %-*s%.*s\n", COL - 2, first && strlen(head) + 2 <= COL ? head : "", len, h);
            first = false;
            h = nl ? nl + 1 : h + len;
        }
    }
}
