/* risk.h - what each replayed policy would have broken: the successful pulls of the event log
 * it breaks, and the in-use images it deletes (sim/REPLAY.md, "Risk: broken pulls and in-use
 * images"). Computed from the replay's results; the renderers only format it.
 * Ownership: risk_compute() fills a result freed by risk_free(); it borrows its inputs. */
#ifndef PURGESIM_RISK_H
#define PURGESIM_RISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pulls.h"
#include "purge.h"
#include "replay.h"

/* One in-use reference a policy deletes, and when first. */
struct risk_inuse_hit {
    size_t target;                   /* index in the resolved in-use targets */
    int64_t deleted_at;
};

struct risk_policy {
    size_t broken_pulls;             /* pulls that would have failed */
    size_t broken_refs;              /* distinct references among them */
    int64_t first_broken_ns;         /* the first such pull (INT64_MAX: none) */
    struct risk_inuse_hit *inuse;    /* in reference order */
    size_t n_inuse;
    /* report --month: broken pulls whose pull lies in the month, in-use images deleted by its end */
    size_t month_broken_pulls, month_inuse_deleted;
};

struct risk {
    bool have_pulls, have_inuse;
    bool have_month;                 /* the month_* figures are set */
    struct risk_policy *pol;         /* per replayed policy */
    size_t n_pol;
};

/* Reads the --events files (then sorts the log) and the --in-use files, keeping rows of
 * login_server. Returns PS_OK, ERR_IO or ERR_INPUT with messages in d; log and list are freed
 * by the caller either way. */
int risk_load_inputs(const char *const *events, int n_events, const char *const *in_use, int n_in_use,
                     const char *login_server, struct event_log *log, struct inuse_list *list, struct diag *d);

/* The warnings that say what the risk figures rest on, alike in every command (log or list may
 * be NULL: not given): the event log's rows skipped (failed, another registry's, another
 * operation); each --in-use file that lists no image (accepted, as a cluster may run nothing
 * from the registry, but it may as well be the wrong or an unfinished file, and a safety gate
 * that checks nothing should say so); the in-use references the export does not hold
 * (`missing`) and those of other registries. */
void risk_input_warnings(const struct event_log *log, const struct inuse_list *list, size_t missing, char ***warnings,
                         size_t *n_warnings);

/* pulls and targets may be NULL (not given). */
void risk_compute(const struct replay_result *rr, const struct pull_index *pulls,
                  const struct inuse_target *targets, size_t n_targets, struct risk *out);
/* Whether any policy (current, the export's own setup, included) breaks a pull or deletes an
 * in-use reference (--fail-on-risk): over the window, or with in_month the report's month. */
bool risk_any(const struct risk *r, bool in_month);
void risk_free(struct risk *r);

/* ---- one period of a policy's replay (a report's month, or the whole window) ---- */

/* One reference whose pulls a policy broke: a tag instance or a manifest, as risk_compute()
 * counts references (a tag pushed again and deleted again is a second one). */
struct risk_ref {
    char reference[400];             /* as the pull wrote it: "repo:tag" or "repo@sha256:..." */
    bool by_tag;
    size_t pulls;                    /* its broken pulls in the period */
    int64_t first_ns, last_ns;       /* the first and last of them */
    int64_t deleted_at;              /* when the policy deleted what the first of them asked for */
};

struct risk_period {
    size_t pulls, refs;              /* broken pulls in the period, distinct references */
    int64_t first_ns;                /* the first of them (INT64_MAX: none) */
    struct risk_ref *ref;            /* refs of them: most broken pulls first, then by reference */
};

/* The broken pulls of rp (its replay with pulls px) whose pull time lies in [from_ns, to_ns),
 * by reference; over INT64_MIN..INT64_MAX the totals are risk_compute()'s. Free with
 * risk_period_free(). */
void risk_period(const struct replay_policy *rp, const struct pull_index *px, int64_t from_ns, int64_t to_ns,
                 struct risk_period *out);
void risk_period_free(struct risk_period *p);
/* The in-use references r lists as deleted before to_ns. */
size_t risk_inuse_before(const struct risk_policy *r, int64_t to_ns);

/* ---- one dry run ---- */

/* A reference the run deletes that production pulled (in the whole log), or that runs. */
struct risk_hit {
    char reference[400];             /* "repo:tag" or "repo@sha256:..." */
    size_t pulls;                    /* successful pulls of it in the log */
    int64_t last_pull_ns;            /* the last of them */
};

struct dryrun_risk {
    bool have_pulls, have_inuse;
    struct risk_hit *pulled;         /* by reference */
    size_t n_pulled;
    struct risk_hit *inuse;          /* in-use references it deletes, in list order (pulls unused) */
    size_t n_inuse;
    size_t inuse_missing;            /* in-use references the export does not hold */
};

/* What one purge run (res, on the model m) deletes of what was pulled (log may be NULL) and of
 * what runs (inuse may be NULL). */
void risk_dryrun(const struct model *m, const struct purge_result *res, const struct event_log *log,
                 const struct inuse_list *inuse, struct dryrun_risk *out);
void risk_dryrun_free(struct dryrun_risk *r);

/* The reference a pull asked for, as written: "repo:tag" or "repo@sha256:...". */
char *risk_pull_reference(const struct pull_index *px, const struct replay_pull *pl, char *buf, size_t len);
/* The same for an in-use reference. */
char *risk_inuse_reference(const struct inuse_target *t, char *buf, size_t len);

#endif
