/* cli.h - purgesim's options: one table that both the parser (getopt_long) and each command's
 * --help read, so the two cannot drift apart. A row names the option, the commands that take
 * it, how its value is checked and where it is stored; a new option is one row and one field
 * of struct cli_args.
 * Ownership: the values point into argv; cli_parse() keeps nothing else. */
#ifndef PURGESIM_CLI_H
#define PURGESIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_MAX_LIST 64

/* The commands an option belongs to (a bit mask). */
enum {
    CLI_DRYRUN = 1u << 0,
    CLI_SIMULATE = 1u << 1,
    CLI_REPORT = 1u << 2,
    CLI_FORECAST = 1u << 3,
    CLI_GENERATE = 1u << 4,
    CLI_TUNE = 1u << 5,
    CLI_REPLAYS = CLI_SIMULATE | CLI_REPORT | CLI_FORECAST,
    CLI_ALL = CLI_DRYRUN | CLI_REPLAYS | CLI_TUNE   /* what reads an export */
};

struct cli_list {
    const char *v[CLI_MAX_LIST];
    int n;
};

/* Every value any command takes; unset strings are NULL, unset numbers 0 (defaults are the
 * commands' business). */
struct cli_args {
    struct cli_list inputs, policy_files, policies, events, in_use;
    bool fail_on_risk;
    const char *policy_group;
    const char *at, *from, *to, *month;
    const char *format, *output;
    const char *sku, *unit, *pricing, *pricing_date, *currency;
    int replicas;
    double price_per_gb_day;
    const char *repo, *registry;
    const char *untag_model, *acr_cli_version;
    bool tag_delete_updates_manifest, html, quiet, help;
    bool no_cache, verbose;        /* the model cache: off; say what it did */
    int jobs, concurrency_default;
    int days, lookback_days;
    bool seed_set;
    uint64_t seed;
    double deletes_per_second;
    const char *scale, *exported_at;
    const char *gen_profile;       /* generate --profile */
    /* tune */
    const char *filter, *grid;
    bool by_repository;
    struct cli_list groups;
    const char *keep_versions, *max_broken_pulls, *max_run_deletes;   /* text: 0 is a value */
    double budget, max_gib;
    int forecast_days;
    bool stats;
    /* what follows the options: dry-run's acr purge command */
    char **rest;
    int n_rest;
};

/* Parses argv (argv[0] is the command's name) for the commands in `cmd_mask`. Stops at the
 * first word that is not an option (or after "--"): those words are a->rest. On an error
 * writes one line to err ("--sku: expected basic, standard or premium, got \"gold\"") and
 * returns false. */
bool cli_parse(int argc, char **argv, unsigned cmd_mask, struct cli_args *a, char *err, size_t errlen);

/* Prints the option lines of the commands in `cmd_mask`, in table order. */
void cli_print_options(unsigned cmd_mask, FILE *fp);

/* Whether `text` is one of the NULL-terminated `choices`, ignoring case; sets *canon to the
 * choice as the table spells it. */
bool cli_choice(const char *text, const char *const *choices, const char **canon);

/* Edits (insert, delete, replace, swap two neighbours) from a[0..na) to b: how far a mistyped
 * option or command is from a real one. Names longer than 40 bytes count as limit + 1. */
size_t cli_edit_distance(const char *a, size_t na, const char *b, size_t limit);

#endif
