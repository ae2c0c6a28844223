/* policy_check.c - policy warnings that need the export or the replay window. */
#include "policy_check.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "cron.h"
#include "purgecmd.h"
#include "strv.h"
#include "timeu.h"

#define check_warn(w, n, p, fmt, ...) strv_addf((w), (n), "[%s] " fmt, (p)->name, __VA_ARGS__)
#define prefix_warn(w, n, pre, fmt, ...) strv_addf((w), (n), "%s" fmt, (pre), __VA_ARGS__)

/* True when some repository of the model matches the filter's anchored repository regex (a
 * match that hits PCRE2's limits counts as a match: it cannot be ruled out). */
static bool filter_matches_some_repo(const struct purge_filter *f, const struct model *m)
{
    if (!f->repo_code) return true;
    struct purgecmd_matcher *mt = purgecmd_matcher_new(f->repo_code);
    bool any = false;
    for (size_t r = 0; r < m->n_repos && !any; r++) any = purgecmd_matcher_match(mt, m->repos[r].name) != 0;
    purgecmd_matcher_free(mt);
    return any;
}

/* True when an earlier task of the policy (or an earlier filter of this task) has this text. */
static bool filter_seen(const struct policy *p, size_t task, size_t filter)
{
    const char *text = p->tasks[task].rule.filters[filter].text;
    for (size_t t = 0; t <= task; t++) {
        const struct purge_rule *r = &p->tasks[t].rule;
        size_t n = t == task ? filter : r->n_filters;
        for (size_t f = 0; f < n; f++)
            if (!strcmp(r->filters[f].text, text)) return true;
    }
    return false;
}

/* The warning for a filter that matches no repository of m, if it does not. */
static void filter_warning(const struct purge_filter *pf, const struct model *m, const char *prefix, bool window,
                           char ***w, size_t *nw)
{
    if (filter_matches_some_repo(pf, m)) return;
    char var[64];
    if (purgecmd_shell_variable(pf->repo_re, var, sizeof var))
        prefix_warn(w, nw, prefix, "--filter '%s' matches no repository: %s looks like a shell variable left "
                                   "unexpanded (in a regex '$' ends the text)", pf->text, var);
    else
        prefix_warn(w, nw, prefix, "--filter '%s' matches no repository of the export%s (%zu repositor%s): the "
                                   "repository part must match a whole name",
                    pf->text, window ? " at any time in the window" : "", m->n_repos, m->n_repos == 1 ? "y" : "ies");
}

static void check_filters(const struct policy *p, const struct model *m, char ***w, size_t *nw)
{
    char prefix[80];
    snprintf(prefix, sizeof prefix, "[%s] ", p->name);
    for (size_t t = 0; t < p->n_tasks; t++) {
        const struct purge_rule *r = &p->tasks[t].rule;
        for (size_t f = 0; f < r->n_filters; f++)
            if (!filter_seen(p, t, f)) filter_warning(&r->filters[f], m, prefix, true, w, nw);
    }
}

/* A registry name as a command gives it, when it is a name rather than a template that ACR
 * fills in ({{.Run.Registry}}) or a shell variable. */
static bool is_literal_registry(const char *s)
{
    return s && *s && !strstr(s, "{{") && !strchr(s, '$');
}

/* The first registry the rule names (az's, then acr purge's) that is not m's, or NULL. */
static const char *other_registry(const struct purge_rule *r, const struct model *m)
{
    if (!m->registry || !*m->registry) return NULL;
    const char *names[2] = {r->az_registry, r->registry};
    for (size_t k = 0; k < 2; k++)
        if (is_literal_registry(names[k]) && strcasecmp(names[k], m->registry)) return names[k];
    return NULL;
}

#define REGISTRY_WARNING "--registry %s is not the export's registry %s: the %s is simulated on the export anyway"

static void check_registry(const struct policy *p, const struct model *m, char ***w, size_t *nw)
{
    for (size_t t = 0; t < p->n_tasks; t++) {
        const char *other = other_registry(&p->tasks[t].rule, m);
        if (!other) continue;
        check_warn(w, nw, p, REGISTRY_WARNING, other, m->registry, "policy");
        return;   /* once per policy */
    }
}

static void check_schedules(const struct policy *p, int64_t from_ns, int64_t to_ns, char ***w, size_t *nw)
{
    char a[40], b[40];
    for (size_t t = 0; t < p->n_tasks; t++) {
        const struct policy_task *pt = &p->tasks[t];
        size_t dead = 0;
        for (size_t c = 0; c < pt->n_crons; c++) {
            int64_t next = cron_next(&pt->crons[c], from_ns - 1);
            if (next != INT64_MAX && next <= to_ns) continue;
            dead++;
            check_warn(w, nw, p, "schedule \"%s\" never fires from %s to %s%s", pt->schedule_text[c],
                       timeu_format_date(from_ns, a, sizeof a), timeu_format_date(to_ns, b, sizeof b),
                       pt->n_crons == 1 ? ": the task never runs" : "");
        }
        if (dead > 1 && dead == pt->n_crons)
            check_warn(w, nw, p, "%s: none of its %zu schedules fires in the window: the task never runs",
                       pt->rule.task_name ? pt->rule.task_name : "task", dead);
    }
}

void policy_check(const struct policy_set *ps, const struct model *m, int64_t from_ns, int64_t to_ns,
                  char ***warnings, size_t *n_warnings)
{
    for (size_t i = 0; i < ps->n_warnings; i++) strv_addf(warnings, n_warnings, "%s", ps->warnings[i]);
    for (size_t i = 0; i < ps->n; i++) {
        const struct policy *p = &ps->p[i];
        check_filters(p, m, warnings, n_warnings);
        check_registry(p, m, warnings, n_warnings);
        check_schedules(p, from_ns, to_ns, warnings, n_warnings);
    }
}

void policy_check_rule(const struct purge_rule *r, const struct model *m, const char *prefix, char ***warnings,
                       size_t *n_warnings)
{
    for (size_t f = 0; f < r->n_filters; f++) {
        bool seen = false;
        for (size_t g = 0; g < f && !seen; g++) seen = !strcmp(r->filters[g].text, r->filters[f].text);
        if (!seen) filter_warning(&r->filters[f], m, prefix, false, warnings, n_warnings);
    }
    const char *other = other_registry(r, m);
    if (other) prefix_warn(warnings, n_warnings, prefix, REGISTRY_WARNING, other, m->registry, "command");
}
