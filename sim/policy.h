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
    char *command;              /* the line as written (for an imported task, the az acr task
                                   create command that makes the same task) */
    int64_t timeout_seconds;    /* the task's timeout (imported tasks; 0: not given). Kept for
                                   reports only: the replay does not stop a run that takes longer */
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
 * newline are dropped). Warnings go to ps->warnings. A JSON file (first byte '{', or '[' then
 * '{' or '"', or only "[]") is Azure's description of tasks and settings: it goes to
 * policy_import_json (policy_import.h, sim/IMPORT.md), each task a policy of its own. */
int policy_parse_file(struct policy_set *ps, const char *path, const struct purgecmd_opts *o,
                      struct diag *d);
/* Adds one policy from "NAME=COMMAND" (the --policy quick form). */
int policy_parse_quick(struct policy_set *ps, const char *spec, const struct purgecmd_opts *o,
                       struct diag *d);
/* The same as policy_parse_file; a JSON document (Azure's description of tasks and registry
 * configuration, policy_import.h) is imported, and with group non-NULL every task and setting it
 * holds goes into the one policy of that name. A policy file's sections are read as written. */
int policy_parse_file_grouped(struct policy_set *ps, const char *path, const struct purgecmd_opts *o,
                              const char *group, struct diag *d);

/* ---- for importers (policy_import.c): building policies from parts ---- */

/* A policy name is 1-63 letters, digits, '-', '_', '.' or '+'. */
bool policy_name_valid(const char *name);
bool policy_name_taken(const struct policy_set *ps, const char *name);
/* Appends an empty policy; file (borrowed, must outlive ps) and line are for messages. */
struct policy *policy_add(struct policy_set *ps, const char *name, const char *file, size_t line);
/* Appends "[p's name] " + the formatted text to ps->warnings. */
void policy_add_warning(struct policy_set *ps, const struct policy *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An ACR task as Azure stores it. Everything borrowed. */
struct policy_task_spec {
    const char *name;
    const char *command;               /* its step's command, "acr purge ..." */
    const char *const *schedules;      /* the crons of its enabled timer triggers */
    size_t n_schedules;
    bool enabled;                      /* the task's status */
    int64_t timeout_seconds;           /* 0: not given */
};
/* Adds the task to p exactly as `az acr task create --name N --schedule S... --cmd C --context
 * /dev/null [--status Disabled]` in a policy file would (its command field is that line), with
 * warnings in Azure's words for a disabled or timer-less task. Returns false with err set
 * ("acr purge: ..." when acr purge would refuse the command). */
bool policy_add_task(struct policy_set *ps, struct policy *p, const struct policy_task_spec *s,
                     const struct purgecmd_opts *o, char *err, size_t errlen);
/* Sets p's retention (retention true) or soft delete as `az acr config retention|soft-delete
 * update --status enabled|disabled --days N` would. Returns false with err set. */
bool policy_set_config(struct policy_set *ps, struct policy *p, bool retention, bool enabled, int64_t days,
                       char *err, size_t errlen);

/* Adds the always-present baseline (no rules) as policy 0 if not already there. */
void policy_add_baseline(struct policy_set *ps);

#endif
