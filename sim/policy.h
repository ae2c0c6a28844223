/* policy.h - policy files and --policy 'NAME=COMMAND': named sets of the commands users run
 * (`az acr task create ... --schedule --cmd "acr purge ..."`, `az acr run --cmd ...`, a bare
 * `acr purge ...`, `az acr config retention update ...`, `az acr config soft-delete update ...`).
 * Ownership: policy_set_new() gives a set freed by policy_set_free(); policies own their rules. */
#ifndef PURGESIM_POLICY_H
#define PURGESIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cron.h"
#include "diag.h"
#include "purgecmd.h"

#define POLICY_NIGHTLY "0 0 * * *"   /* the schedule of a bare `acr purge` or `az acr run` */

struct policy_task {
    struct purge_rule rule;    /* rule.deletes_nothing is set for a --dry-run command */
    struct cron crons[PURGE_MAX_SCHEDULES];
    char *schedule_text[PURGE_MAX_SCHEDULES];
    size_t n_crons;            /* 0: the task never fires (disabled, or no --schedule) */
    char *command;              /* the line as written */
};

struct policy {
    char *name;
    struct policy_task *tasks;  /* run in file order when due at the same minute */
    size_t n_tasks;
    bool retention;             /* untagged-manifest retention policy enabled */
    int64_t retention_days;
    bool retention_enabled_at_set;
    int64_t retention_enabled_at_ns;   /* default: the replay window's start */
    bool soft_delete;
    int64_t soft_delete_days;
    const char *file;           /* where it was defined, for messages */
    size_t line;
};

struct policy_set {
    struct policy *p;
    size_t n, cap;
    /* What the parse found that will not run as written (a --dry-run, a disabled task, a task
     * without --schedule, an empty section, ...), each "[policy] text", in file order. Owned by
     * the set. policy_check() (policy_check.h) copies them into its output: a caller that uses
     * it must not print these separately. */
    char **warnings;
    size_t n_warnings;
};

struct policy_set *policy_set_new(void);
void policy_set_free(struct policy_set *ps);   /* NULL is fine */

/* Reads a policy file into ps. Errors ("file:line: [name] message") go to d; returns PS_OK,
 * ERR_IO or ERR_INPUT. version/concurrency_default as for purge_rule_parse. A line ending in
 * an odd number of backslashes continues on the next, as in a shell (the backslash and the
 * newline are dropped). Warnings go to ps->warnings. */
int policy_parse_file(struct policy_set *ps, const char *path, const struct purgecmd_opts *o,
                      struct diag *d);
/* Adds one policy from "NAME=COMMAND" (the --policy quick form). */
int policy_parse_quick(struct policy_set *ps, const char *spec, const struct purgecmd_opts *o,
                       struct diag *d);
/* Adds the always-present baseline (no rules) as policy 0 if not already there. */
void policy_add_baseline(struct policy_set *ps);

#endif
