/* tune_grid.c - the settings `purgesim tune` tries: the default grid and grid files
 * (sim/TUNE.md, "The grid"). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cron.h"
#include "duration.h"
#include "input_kind.h"
#include "textfile.h"
#include "tune.h"

/* The head of a grid file read before its lines: enough for the text check and, when its first
 * line is no setting, for input_kind to see what else it is (an export's decisive key, a task
 * list's first element). */
#define GRID_HEAD ((size_t)64 << 10)
/* what --grid takes, for the message about another kind of file given as one */
#define GRID_EXPECTED "a grid file (KEY = VALUES lines: keep, ago, mode, schedule, retention, filter)"

static const char *const MODE_FLAG[TUNE_N_MODES] = {"", "--untagged", "--untagged-only"};
static const char *const MODE_NAME[TUNE_N_MODES] = {"tags", "untagged", "untagged-only"};

const char *tune_mode_flag(enum tune_mode m) { return MODE_FLAG[m]; }
const char *tune_mode_name(enum tune_mode m) { return MODE_NAME[m]; }

static void add_schedule(struct tune_grid *g, const char *cron)
{
    struct tune_schedule *s = &g->sched[g->n_sched++];
    snprintf(s->cron, sizeof s->cron, "%s", cron);
    /* the two schedules people mean by these words, else a name by position */
    if (!strcmp(cron, "0 0 * * *")) snprintf(s->name, sizeof s->name, "nightly");
    else if (!strcmp(cron, "0 0 * * 0")) snprintf(s->name, sizeof s->name, "weekly");
    else snprintf(s->name, sizeof s->name, "cron%zu", g->n_sched);
}

void tune_grid_default(struct tune_grid *g)
{
    static const long long keep[] = {0, 1, 2, 3, 5, 10, 20};
    static const char *const ago[] = {"0d", "1d", "3d", "7d", "14d", "30d", "60d", "90d"};
    static const int retention[] = {0, 1, 7, 30};
    memset(g, 0, sizeof *g);
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) g->keep[g->n_keep++] = keep[i];
    for (size_t i = 0; i < sizeof ago / sizeof *ago; i++) snprintf(g->ago[g->n_ago++], sizeof g->ago[0], "%s", ago[i]);
    for (int m = 0; m < TUNE_N_MODES; m++) g->mode[m] = true;
    add_schedule(g, "0 0 * * *");
    add_schedule(g, "0 0 * * 0");
    for (size_t i = 0; i < sizeof retention / sizeof *retention; i++) g->retention_days[g->n_retention++] = retention[i];
    snprintf(g->filter, sizeof g->filter, ".*:.*");
}

/* ---- grid files ---------------------------------------------------------------------- */

static const char *const KEYS[] = {"keep", "ago", "mode", "schedule", "retention", "filter", NULL};

/* The length of the grid key s[0..n) starts with (the whole word), or 0. */
static size_t key_len(const char *s, size_t n)
{
    for (int k = 0; KEYS[k]; k++) {
        size_t m = strlen(KEYS[k]);
        if (n >= m && !memcmp(s, KEYS[k], m) && (n == m || !(isalnum((unsigned char)s[m]) || s[m] == '_' || s[m] == '-')))
            return m;
    }
    return 0;
}

bool tune_grid_line_is_setting(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    size_t i = key_len(s, n);
    if (!i) return false;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    return i < n && s[i] == '=';
}

struct grid_line {
    const char *path;
    size_t line;
    struct diag *d;
};

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

static int bad(const struct grid_line *gl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const struct grid_line *gl, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_msg(gl->d, "%s:%zu: %s", gl->path, gl->line, msg);
    return ERR_INPUT;
}

/* Space-separated words of `v`, each passed to `take`; stops at the first it refuses. */
/* The cron already in the grid, its fields compared one by one (spacing aside). */
static bool has_schedule(const struct tune_grid *g, const char *cron)
{
    for (size_t i = 0; i < g->n_sched; i++) {
        const char *a = g->sched[i].cron, *b = cron;
        for (;;) {
            while (isspace((unsigned char)*a)) a++;
            while (isspace((unsigned char)*b)) b++;
            size_t la = strcspn(a, " \t"), lb = strcspn(b, " \t");
            if (la != lb || strncmp(a, b, la)) break;
            if (!la) return true;
            a += la;
            b += lb;
        }
    }
    return false;
}

static int each_word(char *v, const struct grid_line *gl, struct tune_grid *g,
                     int (*take)(const char *w, const struct grid_line *gl, struct tune_grid *g))
{
    for (char *save = NULL, *w = strtok_r(v, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
        int rc = take(w, gl, g);
        if (rc != PS_OK) return rc;
    }
    return PS_OK;
}

static int take_keep(const char *w, const struct grid_line *gl, struct tune_grid *g)
{
    char *end;
    errno = 0;
    long long k = strtoll(w, &end, 10);
    if (*end || errno || k < 0 || k > 1000000) return bad(gl, "keep: expected a whole number 0-1000000, got \"%s\"", w);
    /* a value listed twice is one setting: two candidates of one name would be one policy twice */
    for (size_t i = 0; i < g->n_keep; i++)
        if (g->keep[i] == k) return PS_OK;
    if (g->n_keep == TUNE_MAX_VALUES) return bad(gl, "keep: more than %d values", TUNE_MAX_VALUES);
    g->keep[g->n_keep++] = k;
    return PS_OK;
}

static int take_ago(const char *w, const struct grid_line *gl, struct tune_grid *g)
{
    struct duration_result r;
    if (strlen(w) >= sizeof g->ago[0] || duration_parse_ago(w, &r) != DURATION_OK || r.ns < 0)
        return bad(gl, "ago: expected an acr purge duration such as 0d, 7d or 12h, got \"%s\"", w);
    /* 1d and 24h are the same --ago: the first spelling names the candidate */
    for (size_t i = 0; i < g->n_ago; i++) {
        struct duration_result seen;
        if (duration_parse_ago(g->ago[i], &seen) == DURATION_OK && seen.ns == r.ns) return PS_OK;
    }
    if (g->n_ago == TUNE_MAX_VALUES) return bad(gl, "ago: more than %d values", TUNE_MAX_VALUES);
    snprintf(g->ago[g->n_ago++], sizeof g->ago[0], "%s", w);
    return PS_OK;
}

static int take_mode(const char *w, const struct grid_line *gl, struct tune_grid *g)
{
    for (int m = 0; m < TUNE_N_MODES; m++)
        if (!strcmp(w, MODE_NAME[m])) {
            g->mode[m] = true;
            return PS_OK;
        }
    return bad(gl, "mode: expected tags, untagged or untagged-only, got \"%s\"", w);
}

static int take_retention(const char *w, const struct grid_line *gl, struct tune_grid *g)
{
    if (!strcmp(w, "none")) return PS_OK;
    char *end;
    errno = 0;
    long d = strtol(w, &end, 10);
    /* what az acr config retention update accepts */
    if (*end || errno || d < 0 || d > 365) return bad(gl, "retention: expected days 0-365 or none, got \"%s\"", w);
    for (size_t i = 0; i < g->n_retention; i++)
        if (g->retention_days[i] == (int)d) return PS_OK;
    if (g->n_retention == TUNE_MAX_VALUES) return bad(gl, "retention: more than %d values", TUNE_MAX_VALUES);
    g->retention_days[g->n_retention++] = (int)d;
    return PS_OK;
}

static int take_line(char *key, char *value, const struct grid_line *gl, struct tune_grid *g, unsigned *seen)
{
    int k = 0;
    while (KEYS[k] && strcmp(KEYS[k], key)) k++;
    if (!KEYS[k])
        return bad(gl, "unknown key \"%s\" (expected keep, ago, mode, schedule, retention or filter)", key);
    if (!*value) return bad(gl, "%s: no value", key);
    /* the first line naming a key replaces the default's values; later ones add to them */
    bool first = !(*seen & 1u << k);
    *seen |= 1u << k;
    switch (k) {
    case 0:
        if (first) g->n_keep = 0;
        return each_word(value, gl, g, take_keep);
    case 1:
        if (first) g->n_ago = 0;
        return each_word(value, gl, g, take_ago);
    case 2:
        if (first) memset(g->mode, 0, sizeof g->mode);
        return each_word(value, gl, g, take_mode);
    case 3: {
        if (first) g->n_sched = 0;
        int fields = 0;
        for (const char *c = value; *c; c++)
            if (!isspace((unsigned char)*c) && (c == value || isspace((unsigned char)c[-1]))) fields++;
        if (fields != 5 || strlen(value) >= sizeof g->sched[0].cron)
            return bad(gl, "schedule: expected one five-field cron (UTC), e.g. 0 0 * * *, got \"%s\"", value);
        struct cron c;
        char err[200];
        if (!cron_parse(value, &c, err, sizeof err)) return bad(gl, "schedule: %s", err);
        if (has_schedule(g, value)) return PS_OK;
        if (g->n_sched == TUNE_MAX_VALUES) return bad(gl, "schedule: more than %d lines", TUNE_MAX_VALUES);
        add_schedule(g, value);
        return PS_OK;
    }
    case 4:
        if (first) g->n_retention = 0;
        g->retention_any_sku = true;
        return each_word(value, gl, g, take_retention);
    default:
        if (strlen(value) >= sizeof g->filter || strchr(value, '\'') || strchr(value, '"') || !strchr(value, ':'))
            return bad(gl, "filter: expected one acr purge filter REPO-REGEX:TAG-REGEX without quotes, got \"%s\"",
                       value);
        snprintf(g->filter, sizeof g->filter, "%s", value);
        return PS_OK;
    }
}

/* s, the file's first line that is neither blank nor a comment, is no setting: when the file is
 * another input (an export, an event log, a policy file, an in-use list ...), says so in one
 * message and returns true. A line that
 * starts with a grid key ("keep 3", "ago:7d") is a grid's line gone wrong, not another input. */
static bool not_a_grid(const char *path, const char *head, size_t n, const char *s, struct diag *d)
{
    if (key_len(s, strlen(s))) return false;
    enum input_kind k = input_kind_of(head, n);
    /* a grid whose first line is a ';' comment (input_kind skips those, the grid does not) */
    if (k == INPUT_GRID) return false;
    return input_kind_mixup(d, path, k, GRID_EXPECTED);
}

/* Reads the lines of fp, whose first bytes are head[0..n). */
static int read_lines(struct tune_grid *g, FILE *fp, const char *path, const char *head, size_t n, struct diag *d)
{
    char buf[2048];
    struct grid_line gl = {path, 0, d};
    unsigned seen = 0;
    int rc = PS_OK;
    while (rc == PS_OK && fgets(buf, sizeof buf, fp)) {
        gl.line++;
        if (!strchr(buf, '\n') && !feof(fp)) {
            rc = bad(&gl, "line longer than %zu bytes", sizeof buf - 1);
            break;
        }
        char *s = trim(buf);
        if (!*s || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!seen && (!eq || !key_len(s, (size_t)(eq - s))) && not_a_grid(path, head, n, s, d)) {
            rc = ERR_INPUT;
            break;
        }
        if (!eq) {
            rc = bad(&gl, "expected KEY = VALUES, got \"%.200s\"", s);
            break;
        }
        *eq = '\0';
        rc = take_line(trim(s), trim(eq + 1), &gl, g, &seen);
    }
    if (rc == PS_OK && ferror(fp)) {
        diag_msg(d, "%s: read error: %s", path, strerror(errno));
        rc = ERR_IO;
    }
    /* the user asked for a grid: running the default one instead would hide a wrong file */
    if (rc == PS_OK && !seen) {
        diag_msg(d, "%s: no KEY = VALUES line: the grid would be the default; leave --grid out for that", path);
        rc = ERR_INPUT;
    }
    return rc;
}

int tune_grid_load(struct tune_grid *g, const char *path, struct diag *d)
{
    FILE *fp = textfile_fopen(path);
    if (!fp) {
        diag_msg(d, "%s: cannot read the grid file: %s", path, strerror(errno));
        return ERR_IO;
    }
    char *head = xmalloc(GRID_HEAD);
    size_t n = fread(head, 1, GRID_HEAD, fp);
    int rc = ERR_INPUT;
    /* UTF-16 or binary: fgets would cut its lines at each NUL byte */
    if (textfile_is_text(head, n, 1, path, d)) {
        rewind(fp);
        rc = read_lines(g, fp, path, head, n, d);
    }
    free(head);
    fclose(fp);
    if (rc != PS_OK) return rc;
    bool any_mode = g->mode[0] || g->mode[1] || g->mode[2];
    size_t purge = g->n_keep * g->n_ago * g->n_sched * (any_mode ? 1 : 0);
    if (!purge && !g->n_retention) {
        diag_msg(d, "%s: the grid holds no candidate (a purge candidate needs a keep, an ago, a mode and a "
                    "schedule; or list retention days)", path);
        return ERR_INPUT;
    }
    return PS_OK;
}
