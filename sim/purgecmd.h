/* purgecmd.h - an `acr purge` command line, as users write it, -> a validated purge rule.
 * Accepts `acr purge ARGS`, `az acr run --cmd "acr purge ARGS" /dev/null` and
 * `az acr task create ... --schedule "..." --cmd "acr purge ARGS"`, with shell-style quoting.
 * Flags and messages follow sim/RULES.md §1-3.
 * Ownership: purge_rule_parse() fills a rule freed with purge_rule_free(). */
#ifndef PURGESIM_PURGECMD_H
#define PURGESIM_PURGECMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The families of acr-cli releases whose purge behaves differently (the image ACR Tasks' `acr`
 * alias pointed to moved from 0.11 to 0.18 over 2024-2026):
 *   ACR_CLI_0_16    0.11-0.16: --untagged deletes every untagged manifest whatever its age;
 *                   --ago parsed per repository inside the run, no cap; no --include-locked.
 *   ACR_CLI_0_17    0.17: untagged manifests honour --ago (not --keep); --ago parsed as in 0.16
 *                   (so "999999d" wraps, acr-cli issue 560); --include-locked, no --untagged-only.
 *   ACR_CLI_CURRENT 0.18 and later: sim/RULES.md §1-5 (150-year cap, --untagged-only,
 *                   --keep applied again to untagged manifests).
 * Within the 0.16 family, 0.11-0.15 (before acr-cli PR #462) differ in ways not modelled: a
 * tagged index protected only its direct children (a locked one too), and their dry run printed
 * its own lines ("Tags for this repository would be deleted: R", then bare references). */
enum acr_version { ACR_CLI_CURRENT = 0, ACR_CLI_0_16, ACR_CLI_0_17 };

/* Reads a version as users write it: "current", "0.N" or "0.N.P" with N 11-19, optionally with a
 * leading "v" ("v0.18.1"). Sets *out to its family and returns true, or returns false. */
bool purgecmd_version_parse(const char *text, enum acr_version *out);
/* The versions purgecmd_version_parse accepts, for an error message:
 * "current or one of 0.11, 0.12, ..., 0.19". */
const char *purgecmd_versions_supported(void);
/* A family's short name for reports: "0.16" (0.11-0.16), "0.17" or "current". */
const char *purgecmd_version_name(enum acr_version v);

struct purge_filter {
    char *text;                /* as given */
    char *repo_re, *tag_re;    /* the two halves */
    void *repo_code;           /* compiled "^" + repo_re + "$" (pcre2_code *) */
};

#define PURGE_MAX_SCHEDULES 8

struct purge_rule {
    enum acr_version version;
    struct purge_filter *filters;
    size_t n_filters;
    char *ago_text;            /* NULL when --ago was not given (or given as "") */
    int64_t ago_ns;            /* parsed --ago (current version; 0 without --ago) */
    bool ago_capped;           /* print the 150-year capping warning */
    bool ago_error;            /* 0.16/0.17: --ago fails inside the run with ago_err */
    char ago_err[256];
    bool ago_wrapped;          /* 0.16/0.17: the day count overflowed Go's int64 nanoseconds and
                                  wrapped (e.g. "999999d"): the cutoff is not what was meant */
    long long keep;
    bool untagged, untagged_only, include_locked, dry_run;
    bool deletes_nothing;      /* set by callers, not by the parser: the run happens (its
                                  failures too) but deletes nothing -- a replayed --dry-run
                                  task. purge_run* then report no deletion events. */
    char *concurrency_warning; /* line printed after the banner, or NULL */
    char *registry;            /* login server from -r (with ".azurecr.io" added), or NULL */
    long long filter_timeout_seconds;
    /* from an `az acr task create` wrapper */
    char *schedules[PURGE_MAX_SCHEDULES];
    size_t n_schedules;
    char *task_name;
    char *az_registry;         /* az's own --registry/-r, as a login server, or NULL */
    bool task_disabled;        /* az acr task create --status Disabled */
};

/* Outcome of parsing: PURGECMD_OK, or PURGECMD_INVALID where acr purge itself would refuse the
 * command (err holds its message, printed as "Error: <err>"), or PURGECMD_NOT_PURGE when the
 * words are not an acr purge command at all (err says why). */
enum purgecmd_status { PURGECMD_OK = 0, PURGECMD_INVALID, PURGECMD_NOT_PURGE };

struct purgecmd_opts {
    enum acr_version version;
    int concurrency_default;   /* CPU count assumed for acr's "invalid concurrency" warning */
};

/* Splits `line` like a POSIX shell (quotes, backslashes). Returns the word count and sets
 * *words (free with purgecmd_free_words), or -1 with a reason in err (unterminated quote). */
int purgecmd_split(const char *line, char ***words, char *err, size_t errlen);
void purgecmd_free_words(char **words, int n);

/* Parses words (already split). `rule` is filled on PURGECMD_OK and also on PURGECMD_INVALID
 * (so a capping warning can still be printed); free it either way. */
enum purgecmd_status purge_rule_parse(char *const *words, int n, const struct purgecmd_opts *o,
                                      struct purge_rule *rule, char *err, size_t errlen);
/* The same from one command line string. */
enum purgecmd_status purge_rule_parse_line(const char *line, const struct purgecmd_opts *o,
                                           struct purge_rule *rule, char *err, size_t errlen);
void purge_rule_free(struct purge_rule *rule);

/* Looks in a filter (or any regex text) for what reads as a shell variable left unexpanded:
 * "$" then a letter, '_' or '{' ("$REPOSITORY", "${REPO}"). In a regex "$" ends the text, so
 * such a filter matches nothing. Copies the variable as written into name (truncated to n) and
 * returns true, or returns false. */
bool purgecmd_shell_variable(const char *text, char *name, size_t n);

/* Compiles a regex as acr purge does; on failure writes
 * "error parsing regexp: <what> in `<pattern>`" into err. Returns a pcre2_code * or NULL. */
void *purgecmd_compile_regex(const char *pattern, char *err, size_t errlen);
/* Matches subject against code; returns 1 match, 0 no match, -1 match limit hit. */
int purgecmd_regex_match(const void *code, const char *subject);
void purgecmd_regex_free(void *code);

/* A compiled regex (borrowed) with the match state PCRE2 needs, made once for matching many
 * subjects in a row (purgecmd_regex_match makes one per call). */
struct purgecmd_matcher;
struct purgecmd_matcher *purgecmd_matcher_new(const void *code);
/* As purgecmd_regex_match. */
int purgecmd_matcher_match(struct purgecmd_matcher *mt, const char *subject);
void purgecmd_matcher_free(struct purgecmd_matcher *mt);   /* NULL is fine */

#endif
