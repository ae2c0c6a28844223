/* tune_groups.c - `tune --by-repository`: which repositories are tuned together, and the acr
 * purge filter that selects exactly them (sim/TUNE.md, "By repository").
 *
 * A group's filter lists its repositories by name, escaped, instead of reusing the --group
 * regex: with the first-match rule a repository can match a later group's regex too, and that
 * group's task must not purge it. The tag half is the grid's own filter's. */
#include "tune.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "policy_check.h"
#include "purgecmd.h"
#include "strv.h"

/* "^(?:RE)$": a --group regex matches a repository name whole, as acr purge's filters do. */
static void *compile_whole(const char *re, char *err, size_t errlen)
{
    size_t len = strlen(re) + 8;
    char *anchored = xmalloc(len);
    snprintf(anchored, len, "^(?:%s)$", re);
    void *code = purgecmd_compile_regex(anchored, err, errlen);
    free(anchored);
    return code;
}

bool tune_group_regex_ok(const char *re, char *err, size_t errlen)
{
    void *code = compile_whole(re, err, errlen);
    purgecmd_regex_free(code);
    return code != NULL;
}

/* Appends name to buf with the regex metacharacters a repository name can hold escaped. */
static void append_escaped(char **buf, size_t *len, size_t *cap, const char *name)
{
    for (const char *p = name; *p; p++) {
        xgrow((void **)buf, cap, *len + 3, 1);
        if (strchr(".^$|?*+()[]{}\\", *p)) (*buf)[(*len)++] = '\\';
        (*buf)[(*len)++] = *p;
        (*buf)[*len] = '\0';
    }
}

/* "(?:a|b\.c):TAG", or "a:TAG" for one repository. */
static char *group_filter(const struct model *m, const size_t *repos, size_t n, const char *tag_re)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    xgrow((void **)&buf, &cap, 8, 1);
    buf[0] = '\0';
    if (n > 1) len += (size_t)snprintf(buf + len, cap - len, "(?:");
    for (size_t i = 0; i < n; i++) {
        if (i) {
            xgrow((void **)&buf, &cap, len + 2, 1);
            buf[len++] = '|';
            buf[len] = '\0';
        }
        append_escaped(&buf, &len, &cap, m->repos[repos[i]].name);
    }
    xgrow((void **)&buf, &cap, len + strlen(tag_re) + 4, 1);
    snprintf(buf + len, cap - len, "%s:%s", n > 1 ? ")" : "", tag_re);
    return buf;
}

/* A repository name as a group name, the start of its candidates' policy names and of its ACR
 * task's name (letters, digits and '-'; at most 40, so "purge-NAME" stays a valid task name):
 * anything else becomes '-', and a name an earlier group has gets "-N". */
static void group_name(const char *repo, const struct tune_group *v, size_t n, char *buf, size_t len)
{
    char base[41];
    size_t i = 0;
    for (const char *p = repo; *p && i + 1 < sizeof base; p++)
        base[i++] = (strchr("abcdefghijklmnopqrstuvwxyz0123456789-", *p) && *p) ? *p : '-';
    base[i] = '\0';
    snprintf(buf, len, "%s", base);
    for (unsigned k = 2;; k++) {
        bool taken = false;
        for (size_t g = 0; g < n && !taken; g++) taken = !strcmp(v[g].name, buf);
        if (!taken) return;
        snprintf(buf, len, "%.34s-%u", base, k);
    }
}

/* The grid filter's halves: the compiled anchored repository regex and the tag regex text. */
static bool grid_filter(const struct tune_opts *o, struct purge_rule *rule, struct diag *d)
{
    char *words[] = {"acr", "purge", "--filter", (char *)o->grid.filter, "--ago", "0d"};
    struct purgecmd_opts po = {o->sim.version, 2};
    char err[600];
    memset(rule, 0, sizeof *rule);
    if (purge_rule_parse(words, 6, &po, rule, err, sizeof err) != PURGECMD_OK || rule->n_filters != 1) {
        diag_msg(d, "--filter %s: %s", o->grid.filter, err);
        purge_rule_free(rule);
        return false;
    }
    return true;
}

/* Who tunes each repository: owner[r] is the --group index, TUNE_MAX_GROUPS + r for a group of
 * its own, SIZE_MAX when the filter does not select it. matched[g]: --group g's regex matches a
 * selected repository, even one an earlier --group took (for its warning). Returns how many
 * repositories the filter selects. */
static size_t assign_owners(const struct tune_opts *o, const struct model *m, const struct purge_rule *rule,
                            void *const *codes, size_t *owner, bool *matched)
{
    size_t selected = 0;
    for (size_t r = 0; r < m->n_repos; r++) {
        owner[r] = SIZE_MAX;
        if (rule->filters[0].repo_code && purgecmd_regex_match(rule->filters[0].repo_code, m->repos[r].name) == 0)
            continue;
        selected++;
        owner[r] = TUNE_MAX_GROUPS + r;
        for (size_t g = 0; g < o->n_groups; g++) {
            if (purgecmd_regex_match(codes[g], m->repos[r].name) == 0) continue;
            matched[g] = true;
            if (owner[r] == TUNE_MAX_GROUPS + r) owner[r] = g;
        }
    }
    return selected;
}

/* A --group that gathered no repository is left out, and says why: its regex matches none the
 * filter selects (a typo, or a filter narrower than meant), or earlier --groups took them all. */
static void empty_group_warning(const struct tune_opts *o, size_t g, bool matched, size_t selected,
                                const struct model *m, char ***warnings, size_t *n_warnings)
{
    if (matched)
        strv_addf(warnings, n_warnings, "--group '%s' matches only repositories an earlier --group took (the first "
                  "that matches wins): it is left out", o->groups[g]);
    else
        strv_addf(warnings, n_warnings, "--group '%s' matches no repository the filter '%s' selects (%zu of the "
                  "export's %zu repositor%s): it is left out", o->groups[g], o->grid.filter, selected, m->n_repos,
                  m->n_repos == 1 ? "y" : "ies");
}

/* No repository to tune, so no candidate: said in the words simulate and dry-run warn with when a
 * policy's filter matches nothing (policy_check), which name the filter and count the export's
 * repositories. */
static void no_repository_error(const struct purge_rule *rule, const struct model *m, struct diag *d)
{
    char **w = NULL;
    size_t nw = 0;
    policy_check_rule(rule, m, "", &w, &nw);
    if (nw) diag_msg(d, "--by-repository has nothing to tune: %s", w[0]);
    else diag_msg(d, "--by-repository has nothing to tune: the export has no repository");
    strv_free(w, nw);
}

/* The group of --group g (g < TUNE_MAX_GROUPS) or of repository members[0] alone. */
static void init_group(struct tune_group *grp, const struct tune_opts *o, const struct model *m, size_t key,
                       const size_t *members, size_t k, const char *tag_re, const struct tune_group *before,
                       size_t n_before)
{
    memset(grp, 0, sizeof *grp);
    if (key < TUNE_MAX_GROUPS) {
        snprintf(grp->name, sizeof grp->name, "group%zu", key + 1);
        grp->label = o->groups[key];
    } else {
        group_name(m->repos[members[0]].name, before, n_before, grp->name, sizeof grp->name);
        grp->label = m->repos[members[0]].name;
    }
    grp->filter = group_filter(m, members, k, tag_re);
    grp->n_repos = k;
    grp->chosen = grp->closest = SIZE_MAX;
    grp->binding = -1;
}

int tune_groups_build(const struct tune_opts *o, const struct model *m, struct tune_group **out, size_t *n,
                      char ***warnings, size_t *n_warnings, struct diag *d)
{
    *out = NULL;
    *n = 0;
    struct purge_rule rule;
    if (!grid_filter(o, &rule, d)) return ERR_USAGE;
    void *codes[TUNE_MAX_GROUPS] = {0};
    bool matched[TUNE_MAX_GROUPS] = {0};
    char err[600];
    int rc = PS_OK;
    for (size_t g = 0; g < o->n_groups && rc == PS_OK; g++)
        if (!(codes[g] = compile_whole(o->groups[g], err, sizeof err))) {
            diag_msg(d, "--group %s: %s", o->groups[g], err);
            rc = ERR_USAGE;
        }
    size_t *owner = xmalloc((m->n_repos + 1) * sizeof *owner);
    size_t selected = rc == PS_OK ? assign_owners(o, m, &rule, codes, owner, matched) : 0;
    /* the --group groups in the order given, then each other repository in name order */
    size_t *members = xmalloc((m->n_repos + 1) * sizeof *members);
    struct tune_group *v = NULL;
    size_t cap = 0;
    for (size_t key = 0; key < TUNE_MAX_GROUPS + m->n_repos && rc == PS_OK; key++) {
        if (key < TUNE_MAX_GROUPS && key >= o->n_groups) continue;
        size_t k = 0;
        for (size_t r = 0; r < m->n_repos; r++)
            if (owner[r] == key) members[k++] = r;
        if (!k) {
            if (key < TUNE_MAX_GROUPS) empty_group_warning(o, key, matched[key], selected, m, warnings, n_warnings);
            continue;
        }
        if (*n == TUNE_MAX_GROUPS) {
            diag_msg(d, "--by-repository: more than %d groups of repositories; gather them with --group REGEX",
                     TUNE_MAX_GROUPS);
            rc = ERR_USAGE;
            break;
        }
        xgrow((void **)&v, &cap, *n + 1, sizeof *v);
        init_group(&v[*n], o, m, key, members, k, rule.filters[0].tag_re, v, *n);
        (*n)++;
    }
    if (rc == PS_OK && *n == 0) {
        no_repository_error(&rule, m, d);
        rc = ERR_USAGE;
    }
    free(members);
    free(owner);
    for (size_t g = 0; g < o->n_groups; g++) purgecmd_regex_free(codes[g]);
    purge_rule_free(&rule);
    if (rc != PS_OK) {
        for (size_t g = 0; g < *n; g++) free(v[g].filter);
        free(v);
        *n = 0;
        return rc;
    }
    *out = v;
    return PS_OK;
}
