/* policy.c - policy files: [name] sections of real az / acr commands, one per line. */
#include "policy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "policy_import.h"
#include "duration.h"
#include "input_kind.h"
#include "strv.h"
#include "textfile.h"
#include "timeu.h"

#define POLICY_LINE_MAX 8192
#define POLICY_NAME_MAX 64
#define POLICY_JSON_MAX (64 << 20)   /* bytes of one JSON document given with -p */

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
    strv_free(ps->warnings, ps->n_warnings);
    free(ps);
}

#define policy_warn(ps, p, fmt, ...) \
    strv_addf(&(ps)->warnings, &(ps)->n_warnings, "[%s] " fmt, (p)->name, __VA_ARGS__)

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
static bool parse_config(struct policy_set *ps, struct policy *p, char *const *w, int n, bool retention,
                         char *err, size_t errlen)
{
    const char *what = retention ? "retention" : "soft-delete";
    const char *status = az_value(w, n, "--status");
    const char *days = az_value(w, n, "--days");
    if (!status || (strcmp(status, "enabled") && strcmp(status, "disabled"))) {
        snprintf(err, errlen, "az acr config %s update: --status enabled|disabled is required", what);
        return false;
    }
    if (!strcmp(status, "disabled")) {
        policy_warn(ps, p, "az acr config %s update --status disabled changes nothing", what);
        return true;
    }
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
                char why[512];
                snprintf(err, errlen, "--enabled-at: %s", timeu_user_error(at, why, sizeof why));
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

/* The cron of one --schedule: az takes "CRON" or "TIMER_NAME:CRON" (a cron has no colon). */
static const char *schedule_cron(const char *schedule)
{
    const char *colon = strchr(schedule, ':');
    return colon ? colon + 1 : schedule;
}

/* Warnings about one task that need nothing but its command. */
static void warn_task(struct policy_set *ps, struct policy *p, const struct policy_task *t, bool task_create,
                      bool imported)
{
    const struct purge_rule *r = &t->rule;
    char task[96];
    if (r->task_name) snprintf(task, sizeof task, "task '%.80s'", r->task_name);
    else snprintf(task, sizeof task, "the task");
    if (imported) {
        /* policy_add_task's caller says why in Azure's words */
    } else if (task_create && r->task_disabled)
        policy_warn(ps, p, "%s is created with --status Disabled: it never runs", task);
    else if (task_create && r->n_schedules == 0)
        policy_warn(ps, p, "%s has no --schedule: without a timer an ACR task runs only when started by hand "
                           "(az acr task run) or by a source or base-image trigger, none of which is replayed: it "
                           "never runs here", task);
    if (r->ago_capped)
        policy_warn(ps, p, "--ago '%s' is read as more than 150 years and capped: nothing younger than 150 "
                           "years is deleted (acr purge takes days as '1d', not '1day')", r->ago_text);
    if (r->ago_wrapped) {
        double years = (double)r->ago_ns / (365.25 * (double)TIMEU_NS_PER_DAY);
        if (r->ago_ns < 0)
            policy_warn(ps, p, "--ago '%s' overflows in acr-cli %s and older: it wraps to %.1f years in the "
                               "future, so every tag the filter matches is deleted whatever its age (acr-cli "
                               "issue 560, fixed in 0.18)", r->ago_text, purgecmd_version_name(r->version), -years);
        else
            policy_warn(ps, p, "--ago '%s' overflows in acr-cli %s and older: it wraps to %.1f years (acr-cli "
                               "issue 560, fixed in 0.18)", r->ago_text, purgecmd_version_name(r->version), years);
    }
    /* a variable in the repository part makes the filter match no repository, which
     * policy_check() reports with the same hint; here only the tag part */
    for (size_t f = 0; f < r->n_filters && !r->untagged_only; f++) {
        char var[64];
        if (purgecmd_shell_variable(r->filters[f].tag_re, var, sizeof var) &&
            !purgecmd_shell_variable(r->filters[f].repo_re, NULL, 0))
            policy_warn(ps, p, "--filter '%s': %s looks like a shell variable left unexpanded; in a regex '$' "
                               "ends the text, so this filter matches no tag", r->filters[f].text, var);
    }
}

/* One purge command, split into words: a task of p. imported: made by policy_add_task, whose
 * caller gives the warnings about a disabled or unscheduled task. Returns false with err set. */
static bool add_task_words(struct policy_set *ps, struct policy *p, char *const *w, int n, const char *line,
                           const struct purgecmd_opts *o, bool imported, char *err, size_t errlen)
{
    const bool task_create = word_is(w, n, 0, "az") && word_is(w, n, 1, "acr") && word_is(w, n, 2, "task") &&
                             word_is(w, n, 3, "create");
    bool purge_like = (word_is(w, n, 0, "acr") && word_is(w, n, 1, "purge")) || task_create ||
                      (word_is(w, n, 0, "az") && word_is(w, n, 1, "acr") && word_is(w, n, 2, "run"));
    if (!purge_like) {
        snprintf(err, errlen, "unknown command \"%.60s\" (expected az acr task create, az acr run, acr purge, "
                              "az acr config retention update or az acr config soft-delete update)", line);
        return false;
    }
    p->tasks = xrealloc(p->tasks, (p->n_tasks + 1) * sizeof *p->tasks);
    struct policy_task *t = &p->tasks[p->n_tasks];
    memset(t, 0, sizeof *t);
    char perr[1024];
    enum purgecmd_status st = purge_rule_parse(w, n, o, &t->rule, perr, sizeof perr);
    if (st != PURGECMD_OK) {
        snprintf(err, errlen, "%s%s", st == PURGECMD_INVALID ? "acr purge: " : "", perr);
        purge_rule_free(&t->rule);
        return false;
    }
    t->command = dupstr(line);
    /* a task made by az acr task create fires only on its --schedule timers (and not at all
     * when disabled); a bare acr purge or az acr run is taken as a nightly job */
    size_t n_sched = t->rule.n_schedules;
    size_t n_listed = task_create ? n_sched : (n_sched ? n_sched : 1);
    for (size_t k = 0; k < n_listed; k++) {
        const char *expr = n_sched ? t->rule.schedules[k] : POLICY_NIGHTLY;
        char cerr[256];
        struct cron c;
        if (!cron_parse(schedule_cron(expr), &c, cerr, sizeof cerr)) {
            snprintf(err, errlen, "%s", cerr);
            for (size_t j = 0; j < t->n_crons; j++) free(t->schedule_text[j]);
            free(t->command);
            purge_rule_free(&t->rule);
            return false;
        }
        if (task_create && t->rule.task_disabled) continue;   /* checked, but never fires */
        t->crons[t->n_crons] = c;
        t->schedule_text[t->n_crons++] = dupstr(expr);
    }
    /* acr purge --dry-run prints what it would delete and deletes nothing, on every run */
    if (t->rule.dry_run) {
        bool warned = false;
        for (size_t k = 0; k < p->n_tasks; k++) warned = warned || p->tasks[k].rule.deletes_nothing;
        t->rule.deletes_nothing = true;
        if (!warned)
            policy_warn(ps, p, "%s", "acr purge --dry-run deletes nothing: its runs are simulated, and delete nothing");
    }
    warn_task(ps, p, t, task_create, imported);
    p->n_tasks++;
    return true;
}

/* One command line of a policy. Returns false with err set. */
static bool parse_command(struct policy_set *ps, struct policy *p, const char *line, const struct purgecmd_opts *o,
                          char *err, size_t errlen)
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
        ok = parse_config(ps, p, w, n, word_is(w, n, 3, "retention"), err, errlen);
        goto out;
    }
    ok = add_task_words(ps, p, w, n, line, o, false, err, errlen);
out:
    purgecmd_free_words(w, n);
    return ok;
}

bool policy_name_valid(const char *s)
{
    if (!*s || strlen(s) >= POLICY_NAME_MAX) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("-_.+", *s)))
            return false;
    return true;
}

bool policy_name_taken(const struct policy_set *ps, const char *name)
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

/* The state of one file's reading: the policy being filled and what it has had so far. */
struct file_reader {
    struct policy_set *ps;
    const char *path;
    const struct purgecmd_opts *o;
    struct diag *d;
    size_t errors;              /* d->n_total before this file */
    struct policy *cur;         /* NULL outside a section (or after a bad section line) */
    size_t cur_lines;           /* command lines seen in cur */
    bool bad_section;           /* after a section line that was an error: its commands are
                                   not errors of their own (the section line's message says it) */
    bool not_policies;          /* the file is something else (JSON): stop at its first line */
    bool policy_like;           /* a line so far was a section line or an az/acr command */
    size_t n_stray;             /* other lines outside a section before that */
    struct diag pending;        /* this file's messages until policy_like: a file with no policy
                                   line at all (an in-use list, a CSV) gets one message instead */
};

/* Where the file's messages go now (see pending). */
static struct diag *out(struct file_reader *fr)
{
    return fr->policy_like ? fr->d : &fr->pending;
}

/* Whether a trimmed line is meant as a policy line: a section line, or a command ("az ...",
 * "acr ..."), however wrong the rest of it. */
static bool meant_as_policy_line(const char *s)
{
    if (*s == '[') return true;
    size_t n = !strncmp(s, "az", 2) ? 2 : !strncmp(s, "acr", 3) ? 3 : 0;
    return n && (s[n] == '\0' || s[n] == ' ' || s[n] == '\t');
}

/* Ends the current section: one with no command at all gets a warning. */
static void end_section(struct file_reader *fr)
{
    if (fr->cur && fr->cur_lines == 0)
        policy_warn(fr->ps, fr->cur, "%s:%zu: the section has no commands, so the policy deletes nothing", fr->path, fr->cur->line);
    fr->cur = NULL;
    fr->cur_lines = 0;
}

/* A section line "[name]" (trimmed, in s): starts the policy, or says why not and returns
 * false. */
static bool start_section(struct file_reader *fr, char *s, size_t lineno)
{
    const char *path = fr->path;
    struct diag *d = out(fr);
    char *end = strchr(s, ']');
    if (!end || end[1]) {
        diag_msg(d, "%s:%zu: expected a section line \"[name]\"", path, lineno);
        return false;
    }
    *end = '\0';
    char *name = trim(s + 1);
    if (!policy_name_valid(name)) {
        diag_msg(d, "%s:%zu: policy name \"%s\" must be 1-63 letters, digits, '-', '_', '.' or '+'", path, lineno, name);
        return false;
    }
    if (!strcmp(name, "baseline")) {
        diag_msg(d, "%s:%zu: policy name \"baseline\" is reserved for the baseline that deletes nothing", path, lineno);
        return false;
    }
    if (policy_name_taken(fr->ps, name)) {
        diag_msg(d, "%s:%zu: policy [%s] is defined twice", path, lineno, name);
        return false;
    }
    fr->cur = add_policy(fr->ps, name, path, lineno);
    return true;
}

/* One logical line (continuations joined), starting on line `lineno`. */
static void read_line(struct file_reader *fr, char *line, size_t lineno)
{
    const char *path = fr->path;
    char *s = trim(line);
    if (!*s || *s == '#' || *s == ';') return;
    if (!fr->policy_like && meant_as_policy_line(s)) {
        /* the file is meant as a policy file: the lines before are errors of it after all */
        diag_merge(fr->d, &fr->pending);
        fr->policy_like = true;
    }
    struct diag *d = out(fr);
    if (*s == '[') {
        end_section(fr);
        fr->bad_section = !start_section(fr, s, lineno);
        return;
    }
    if (!fr->cur && fr->bad_section) return;
    if (!fr->cur) {
        if (*s == '{' && !fr->ps->n) {
            /* an export or other JSON given with -p: one line, not one error per line */
            diag_msg(d, "%s:%zu: this is JSON, not a policy file ([name] lines, then commands); an export goes with -i",
                     path, lineno);
            fr->not_policies = true;
        } else {
            if (!fr->policy_like) fr->n_stray++;
            /* this file's errors so far, pending ones too */
            if (fr->d->n_total - fr->errors + fr->pending.n_total == 0 || !fr->ps->n)
                diag_msg(d, "%s:%zu: command outside a [policy] section", path, lineno);
        }
        return;
    }
    fr->cur_lines++;
    char err[1400];
    if (!parse_command(fr->ps, fr->cur, s, fr->o, err, sizeof err))
        diag_msg(d, "%s:%zu: [%s] %s", path, lineno, fr->cur->name, err);
}

/* True when the line (without its newline) ends in an odd number of backslashes: a shell
 * joins it with the next line, dropping the backslash and the newline. */
static bool continues(const char *line, size_t len)
{
    size_t k = 0;
    while (k < len && line[len - 1 - k] == '\\') k++;
    return k % 2 == 1;
}

/* True when the text (the whole file, or its first bytes when n is the buffer's size) is JSON
 * rather than a policy file: its first byte after white space (and a UTF-8 byte order mark) is
 * '{', or '[' followed by white space and '{' or '"', or "[ ]" with nothing after it (a
 * section line "[name]" is not JSON). */
static bool looks_like_json(const char *s, size_t n)
{
    size_t i = 0;
    if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) i = 3;
    while (i < n && strchr(" \t\r\n", s[i]) && s[i]) i++;
    if (i < n && s[i] == '{') return true;
    if (i >= n || s[i] != '[') return false;
    for (i++; i < n && s[i] && strchr(" \t\r\n", s[i]); i++) continue;
    if (i < n && (s[i] == '{' || s[i] == '"')) return true;
    if (i >= n || s[i] != ']') return false;
    /* "[]" alone is an empty task list; "[]" then commands an (unnamed) section */
    for (i++; i < n && s[i] && strchr(" \t\r\n", s[i]); i++) continue;
    return i == n;
}

/* Whether the file, which holds no policy, is another input purgesim reads (an in-use list,
 * the portal's event log, a tune grid): then one line names it and the option it goes with. */
static bool other_input(FILE *fp, const char *path, struct diag *d)
{
    rewind(fp);
    enum input_kind k = input_kind_of_stream(fp);
    return k != INPUT_POLICIES && input_kind_mixup(d, path, k, "a policy file ([name] sections, az or acr command lines)");
}

/* Reads all of fp (at most POLICY_JSON_MAX bytes) into *out. Returns false when too big or
 * on a read error (ferror tells which). */
static bool read_all(FILE *fp, char **out, size_t *len)
{
    size_t cap = 0, n = 0;
    char *buf = NULL;
    for (;;) {
        xgrow((void **)&buf, &cap, n + 65536 + 1, 1);
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (n > POLICY_JSON_MAX) {
            free(buf);
            return false;
        }
        if (got == 0) break;
    }
    if (ferror(fp)) {
        free(buf);
        return false;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return true;
}

int policy_parse_file(struct policy_set *ps, const char *path, const struct purgecmd_opts *o, struct diag *d)
{
    return policy_parse_file_grouped(ps, path, o, NULL, d);
}

int policy_parse_file_grouped(struct policy_set *ps, const char *path, const struct purgecmd_opts *o,
                              const char *group, struct diag *d)
{
    FILE *fp = textfile_fopen(path);
    if (!fp) {
        diag_error(d, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return ERR_IO;
    }
    /* a JSON document: Azure's own description of the purge setup (policy_import.h) */
    char head[512];
    size_t head_len = fread(head, 1, sizeof head, fp);
    /* UTF-16, or binary (a NUL byte early on): one message, not one for each line of it */
    if (!textfile_is_text(head, head_len, 1, path, d)) {
        fclose(fp);
        return ERR_INPUT;
    }
    /* head is not NUL-terminated: memchr, not strchr */
    if (looks_like_json(head, head_len) && !(head_len == sizeof head && head[0] == '[' &&
                                              !memchr(head, '{', head_len) && !memchr(head, '"', head_len))) {
        rewind(fp);
        char *text = NULL;
        size_t len = 0;
        if (!read_all(fp, &text, &len)) {
            bool io = ferror(fp);
            int err = errno;
            fclose(fp);
            if (io) {
                diag_error(d, path, 0, 0, NULL, "read error: %s", strerror(err));
                return ERR_IO;
            }
            diag_msg(d, "%s: JSON larger than %d MiB", path, POLICY_JSON_MAX >> 20);
            return ERR_INPUT;
        }
        fclose(fp);
        struct policy_import_opts io = {group};
        int rc = policy_import_json(ps, path, text, len, o, &io, d);
        free(text);
        return rc;
    }
    /* a group gathers imported tasks only: a policy file's sections stay as written */
    rewind(fp);
    char *buf = NULL, *acc = NULL;   /* acc: a logical line being joined from continued lines */
    size_t cap = 0, acc_len = 0, acc_cap = 0, acc_line = 0;
    bool joining = false, too_long = false, binary = false;
    ssize_t got;
    size_t lineno = 0;
    struct file_reader fr = {.ps = ps, .path = path, .o = o, .d = d, .errors = d->n_total};
    /* getline gives the true length, so a NUL byte inside a line is seen, not cut at */
    while ((got = getline(&buf, &cap, fp)) >= 0) {
        lineno++;
        size_t len = (size_t)got;
        if (lineno == 1 && len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
            (unsigned char)buf[2] == 0xBF) {
            memmove(buf, buf + 3, len - 2);
            len -= 3;
        }
        if (!joining) {
            acc_len = 0;
            acc_line = lineno;
            too_long = false;
        }
        /* a NUL past the head: not text either; stop there (the lines before keep their errors) */
        if (!textfile_is_text(buf, len, lineno, path, d)) {
            binary = true;
            joining = false;
            break;
        }
        size_t body = len;
        while (body && (buf[body - 1] == '\n' || buf[body - 1] == '\r')) body--;
        /* a comment ends at its newline, backslash or not */
        const char *first = buf + strspn(buf, " \t");
        joining = (joining || (*first != '#' && *first != ';')) && continues(buf, body);
        size_t take = joining ? body - 1 : len;
        if (acc_len + take > POLICY_LINE_MAX) too_long = true;
        if (!too_long) {
            xgrow((void **)&acc, &acc_cap, acc_len + take + 1, 1);
            memcpy(acc + acc_len, buf, take);
            acc_len += take;
            acc[acc_len] = '\0';
        }
        if (joining) continue;
        if (too_long) diag_msg(out(&fr), "%s:%zu: line longer than %d characters", path, acc_line, POLICY_LINE_MAX);
        else read_line(&fr, acc, acc_line);
        if (fr.not_policies) break;
    }
    /* a backslash on the last line continues into nothing */
    if (joining && !too_long) read_line(&fr, acc, acc_line);
    else if (joining) diag_msg(out(&fr), "%s:%zu: line longer than %d characters", path, acc_line, POLICY_LINE_MAX);
    end_section(&fr);
    if (binary || (!fr.policy_like && fr.n_stray && !fr.not_policies)) {
        /* a binary file has its message already; other lines were never meant as policies */
        diag_free(&fr.pending);
        if (!binary && !other_input(fp, path, d))
            diag_msg(d, "%s: not a policy file: no [name] section line and no az or acr command line (an in-use "
                        "list goes with --in-use, an event log with --events)", path);
    } else {
        diag_merge(d, &fr.pending);
    }
    bool read_error = ferror(fp);
    int err = errno;
    fclose(fp);
    free(buf);
    free(acc);
    if (read_error) {
        diag_error(d, path, 0, 0, NULL, "read error: %s", strerror(err));
        return ERR_IO;
    }
    if (d->n_total == fr.errors && lineno == 0) diag_msg(d, "%s: empty policy file", path);
    if (d->n_total == fr.errors && ps->n == 0) diag_msg(d, "%s: no [policy] sections", path);
    return d->n_total == fr.errors ? PS_OK : ERR_INPUT;
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
    if (!policy_name_valid(name)) {
        diag_msg(d, "--policy: policy name \"%s\" must be 1-63 letters, digits, '-', '_', '.' or '+'", name);
        return ERR_USAGE;
    }
    if (!strcmp(name, "baseline")) {
        diag_msg(d, "--policy: policy name \"baseline\" is reserved for the baseline that deletes nothing");
        return ERR_USAGE;
    }
    if (policy_name_taken(ps, name)) {
        diag_msg(d, "--policy: policy [%s] is defined twice", name);
        return ERR_USAGE;
    }
    struct policy *p = add_policy(ps, name, "--policy", 0);
    char err[1400];
    if (!parse_command(ps, p, eq + 1, o, err, sizeof err)) {
        diag_msg(d, "--policy [%s] %s", name, err);
        return ERR_USAGE;
    }
    return PS_OK;
}

struct policy *policy_add(struct policy_set *ps, const char *name, const char *file, size_t line)
{
    return add_policy(ps, name, file, line);
}

void policy_add_warning(struct policy_set *ps, const struct policy *p, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    strv_addf(&ps->warnings, &ps->n_warnings, "[%s] %s", p->name, text);
}

/* A word of a command line as a shell reads it back: bare when safe, else in single quotes. */
static void append_word(char **line, size_t *len, size_t *cap, const char *w)
{
    bool bare = *w != '\0';
    for (const char *c = w; *c && bare; c++)
        bare = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
               strchr("-_./=+,@%", *c);
    size_t need = *len + 4 * strlen(w) + 4;
    xgrow((void **)line, cap, need, 1);
    char *o = *line + *len;
    if (*len) *o++ = ' ';
    if (bare) {
        size_t wl = strlen(w);
        memcpy(o, w, wl + 1);
        o += wl;
    } else {
        *o++ = '\'';
        for (const char *c = w; *c; c++) {
            if (*c == '\'') {
                memcpy(o, "'\\''", 4);
                o += 4;
            } else {
                *o++ = *c;
            }
        }
        *o++ = '\'';
        *o = '\0';
    }
    *len = (size_t)(o - *line);
}

bool policy_add_task(struct policy_set *ps, struct policy *p, const struct policy_task_spec *s,
                     const struct purgecmd_opts *o, char *err, size_t errlen)
{
    /* the az acr task create command that makes this task: the same words give the same task */
    const char *w[16 + 2 * PURGE_MAX_SCHEDULES];
    int n = 0;
    w[n++] = "az", w[n++] = "acr", w[n++] = "task", w[n++] = "create", w[n++] = "--name", w[n++] = s->name;
    for (size_t k = 0; k < s->n_schedules && k < PURGE_MAX_SCHEDULES; k++)
        w[n++] = "--schedule", w[n++] = s->schedules[k];
    w[n++] = "--cmd", w[n++] = s->command, w[n++] = "--context", w[n++] = "/dev/null";
    if (!s->enabled) w[n++] = "--status", w[n++] = "Disabled";
    char *line = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; i < n; i++) append_word(&line, &len, &cap, w[i]);
    size_t before = p->n_tasks;
    bool ok = add_task_words(ps, p, (char *const *)w, n, line, o, true, err, errlen);
    free(line);
    if (!ok) return false;
    struct policy_task *t = &p->tasks[before];
    t->timeout_seconds = s->timeout_seconds;
    if (!s->enabled)
        policy_add_warning(ps, p, "task '%.80s' has status Disabled: it never runs", s->name);
    else if (s->n_schedules == 0)
        policy_add_warning(ps, p, "task '%.80s' has no enabled timer trigger: it runs only when started by hand "
                                  "or by a source or base-image trigger, none of which is replayed: it never runs "
                                  "here", s->name);
    if (s->n_schedules > PURGE_MAX_SCHEDULES)
        policy_add_warning(ps, p, "task '%.80s' has %zu timers: only the first %d are replayed", s->name,
                           s->n_schedules, PURGE_MAX_SCHEDULES);
    return true;
}

bool policy_set_config(struct policy_set *ps, struct policy *p, bool retention, bool enabled, int64_t days,
                       char *err, size_t errlen)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)days);
    const char *w[] = {"az", "acr", "config", retention ? "retention" : "soft-delete", "update",
                       "--status", enabled ? "enabled" : "disabled", "--days", num};
    return parse_config(ps, p, (char *const *)w, (int)(sizeof w / sizeof *w), retention, err, errlen);
}
