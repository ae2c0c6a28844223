/* policy.c - policy files: [name] sections of real az / acr commands, one per line. */
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "duration.h"
#include "timeu.h"

#define POLICY_LINE_MAX 8192
#define POLICY_NAME_MAX 64

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

struct policy_set *policy_set_new(void)
{
    return xcalloc(1, sizeof(struct policy_set));
}

static void policy_free_fields(struct policy *p)
{
    free(p->name);
    for (size_t t = 0; t < p->n_tasks; t++) {
        purge_rule_free(&p->tasks[t].rule);
        for (size_t k = 0; k < p->tasks[t].n_crons; k++) free(p->tasks[t].schedule_text[k]);
        free(p->tasks[t].command);
    }
    free(p->tasks);
}

void policy_set_free(struct policy_set *ps)
{
    if (!ps) return;
    for (size_t i = 0; i < ps->n; i++) policy_free_fields(&ps->p[i]);
    free(ps->p);
    free(ps);
}

static struct policy *add_policy(struct policy_set *ps, const char *name, const char *file, size_t line)
{
    xgrow((void **)&ps->p, &ps->cap, ps->n + 1, sizeof *ps->p);
    struct policy *p = &ps->p[ps->n++];
    memset(p, 0, sizeof *p);
    p->name = dupstr(name);
    p->file = file;
    p->line = line;
    return p;
}

void policy_add_baseline(struct policy_set *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].name, "baseline")) return;
    add_policy(ps, "baseline", "", 0);
    /* the baseline goes first so every report lists it first */
    struct policy b = ps->p[ps->n - 1];
    memmove(&ps->p[1], &ps->p[0], (ps->n - 1) * sizeof *ps->p);
    ps->p[0] = b;
}

static bool word_is(char *const *w, int n, int i, const char *s)
{
    return i < n && !strcmp(w[i], s);
}

/* Finds "--name VALUE" or "--name=VALUE" in az's words. */
static const char *az_value(char *const *w, int n, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < n; i++) {
        if (!strcmp(w[i], name) && i + 1 < n) return w[i + 1];
        if (!strncmp(w[i], name, len) && w[i][len] == '=') return w[i] + len + 1;
    }
    return NULL;
}

/* `az acr config retention update ...` and `az acr config soft-delete update ...` */
static bool parse_config(struct policy *p, char *const *w, int n, bool retention, char *err, size_t errlen)
{
    const char *what = retention ? "retention" : "soft-delete";
    const char *status = az_value(w, n, "--status");
    const char *days = az_value(w, n, "--days");
    if (!status || (strcmp(status, "enabled") && strcmp(status, "disabled"))) {
        snprintf(err, errlen, "az acr config %s update: --status enabled|disabled is required", what);
        return false;
    }
    if (!strcmp(status, "disabled")) return true;   /* a disabled policy changes nothing */
    int64_t d = 7;   /* ACR's default for both */
    if (days && !duration_parse_days(days, &d)) {
        snprintf(err, errlen, "az acr config %s update: --days: expected a whole number of days, got \"%s\"", what, days);
        return false;
    }
    if (retention) {
        const char *type = az_value(w, n, "--type");
        if (type && strcmp(type, "UntaggedManifests")) {
            snprintf(err, errlen, "az acr config retention update: --type must be UntaggedManifests, got \"%s\"", type);
            return false;
        }
        if (d < 0 || d > 365) {
            snprintf(err, errlen, "az acr config retention update: --days must be 0-365, got %lld", (long long)d);
            return false;
        }
        const char *at = az_value(w, n, "--enabled-at");
        if (at) {
            if (!timeu_parse_user(at, &p->retention_enabled_at_ns)) {
                snprintf(err, errlen, "--enabled-at: expected an RFC 3339 time or YYYY-MM-DD, got \"%s\"", at);
                return false;
            }
            p->retention_enabled_at_set = true;
        }
        p->retention = true;
        p->retention_days = d;
    } else {
        if (d < 1 || d > 90) {
            snprintf(err, errlen, "az acr config soft-delete update: --days must be 1-90, got %lld", (long long)d);
            return false;
        }
        p->soft_delete = true;
        p->soft_delete_days = d;
    }
    if (p->retention && p->soft_delete) {
        /* ACR refuses this combination */
        snprintf(err, errlen, "soft delete cannot be enabled together with the retention policy for untagged manifests");
        return false;
    }
    return true;
}

/* One command line of a policy. Returns false with err set. */
static bool parse_command(struct policy *p, const char *line, const struct purgecmd_opts *o, char *err, size_t errlen)
{
    char **w;
    char split_err[128];
    int n = purgecmd_split(line, &w, split_err, sizeof split_err);
    if (n < 0) {
        snprintf(err, errlen, "%s", split_err);
        return false;
    }
    bool ok = false;
    if (word_is(w, n, 0, "az") && word_is(w, n, 1, "acr") && word_is(w, n, 2, "config") &&
        (word_is(w, n, 3, "retention") || word_is(w, n, 3, "soft-delete")) && word_is(w, n, 4, "update")) {
        ok = parse_config(p, w, n, word_is(w, n, 3, "retention"), err, errlen);
        goto out;
    }
    bool purge_like = (word_is(w, n, 0, "acr") && word_is(w, n, 1, "purge")) ||
                      (word_is(w, n, 0, "az") && word_is(w, n, 1, "acr") &&
                       (word_is(w, n, 2, "run") || (word_is(w, n, 2, "task") && word_is(w, n, 3, "create"))));
    if (!purge_like) {
        snprintf(err, errlen, "unknown command \"%.60s\" (expected az acr task create, az acr run, acr purge, "
                              "az acr config retention update or az acr config soft-delete update)", line);
        goto out;
    }
    p->tasks = xrealloc(p->tasks, (p->n_tasks + 1) * sizeof *p->tasks);
    struct policy_task *t = &p->tasks[p->n_tasks];
    memset(t, 0, sizeof *t);
    char perr[1024];
    enum purgecmd_status st = purge_rule_parse(w, n, o, &t->rule, perr, sizeof perr);
    if (st != PURGECMD_OK) {
        snprintf(err, errlen, "%s%s", st == PURGECMD_INVALID ? "acr purge: " : "", perr);
        purge_rule_free(&t->rule);
        goto out;
    }
    t->command = dupstr(line);
    size_t n_sched = t->rule.n_schedules;
    for (size_t k = 0; k < (n_sched ? n_sched : 1); k++) {
        const char *expr = n_sched ? t->rule.schedules[k] : POLICY_NIGHTLY;
        char cerr[256];
        if (!cron_parse(expr, &t->crons[k], cerr, sizeof cerr)) {
            snprintf(err, errlen, "%s", cerr);
            for (size_t j = 0; j < k; j++) free(t->schedule_text[j]);
            free(t->command);
            purge_rule_free(&t->rule);
            goto out;
        }
        t->schedule_text[k] = dupstr(expr);
        t->n_crons++;
    }
    p->n_tasks++;
    ok = true;
out:
    purgecmd_free_words(w, n);
    return ok;
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) >= POLICY_NAME_MAX) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("-_.+", *s)))
            return false;
    return true;
}

static bool name_taken(const struct policy_set *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].name, name)) return true;
    return false;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = '\0';
    return s;
}

int policy_parse_file(struct policy_set *ps, const char *path, const struct purgecmd_opts *o, struct diag *d)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        diag_error(d, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return ERR_IO;
    }
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    size_t lineno = 0, errors = d->n_total;
    struct policy *cur = NULL;
    /* getline gives the true length, so a NUL byte inside a line is seen, not cut at */
    while ((got = getline(&buf, &cap, fp)) >= 0) {
        lineno++;
        size_t len = (size_t)got;
        if (len > POLICY_LINE_MAX) {
            diag_msg(d, "%s:%zu: line longer than %d characters", path, lineno, POLICY_LINE_MAX);
            continue;
        }
        if (lineno == 1 && len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
            (unsigned char)buf[2] == 0xBF) {
            memmove(buf, buf + 3, len - 2);
            len -= 3;
        }
        if (memchr(buf, '\0', len) != NULL) {
            diag_msg(d, "%s:%zu: NUL byte in line", path, lineno);
            continue;
        }
        char *s = trim(buf);
        if (!*s || *s == '#' || *s == ';') continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end || end[1]) {
                diag_msg(d, "%s:%zu: expected a section line \"[name]\"", path, lineno);
                cur = NULL;
                continue;
            }
            *end = '\0';
            char *name = trim(s + 1);
            if (!valid_name(name)) {
                diag_msg(d, "%s:%zu: policy name \"%s\" must be 1-63 letters, digits, '-', '_', '.' or '+'", path, lineno, name);
                cur = NULL;
                continue;
            }
            if (!strcmp(name, "baseline")) {
                diag_msg(d, "%s:%zu: policy name \"baseline\" is reserved for the baseline that deletes nothing", path, lineno);
                cur = NULL;
                continue;
            }
            if (name_taken(ps, name)) {
                diag_msg(d, "%s:%zu: policy [%s] is defined twice", path, lineno, name);
                cur = NULL;
                continue;
            }
            cur = add_policy(ps, name, path, lineno);
            continue;
        }
        if (!cur) {
            if (errors == d->n_total || !ps->n)
                diag_msg(d, "%s:%zu: command outside a [policy] section", path, lineno);
            continue;
        }
        char err[1400];
        if (!parse_command(cur, s, o, err, sizeof err)) diag_msg(d, "%s:%zu: [%s] %s", path, lineno, cur->name, err);
    }
    bool read_error = ferror(fp);
    fclose(fp);
    free(buf);
    if (read_error) {
        diag_error(d, path, 0, 0, NULL, "read error");
        return ERR_IO;
    }
    if (d->n_total == errors && lineno == 0) diag_msg(d, "%s: empty policy file", path);
    if (d->n_total == errors && ps->n == 0) diag_msg(d, "%s: no [policy] sections", path);
    return d->n_total == errors ? PS_OK : ERR_INPUT;
}

int policy_parse_quick(struct policy_set *ps, const char *spec, const struct purgecmd_opts *o, struct diag *d)
{
    const char *eq = strchr(spec, '=');
    char name[POLICY_NAME_MAX + 1];
    size_t n = eq ? (size_t)(eq - spec) : 0;
    if (!eq || n == 0 || n >= sizeof name) {
        diag_msg(d, "--policy \"%s\": expected NAME=COMMAND", spec);
        return ERR_USAGE;
    }
    memcpy(name, spec, n);
    name[n] = '\0';
    if (!valid_name(name)) {
        diag_msg(d, "--policy: policy name \"%s\" must be 1-63 letters, digits, '-', '_', '.' or '+'", name);
        return ERR_USAGE;
    }
    if (!strcmp(name, "baseline")) {
        diag_msg(d, "--policy: policy name \"baseline\" is reserved for the baseline that deletes nothing");
        return ERR_USAGE;
    }
    if (name_taken(ps, name)) {
        diag_msg(d, "--policy: policy [%s] is defined twice", name);
        return ERR_USAGE;
    }
    struct policy *p = add_policy(ps, name, "--policy", 0);
    char err[1400];
    if (!parse_command(p, eq + 1, o, err, sizeof err)) {
        diag_msg(d, "--policy [%s] %s", name, err);
        return ERR_USAGE;
    }
    return PS_OK;
}
