/* events.c - the registry's event log: rows into events, loading a file, sorting and freeing.
 * The shapes are read by events_json.c (az array, REST body) and events_csv.c (portal CSV). */
#include "events.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events_internal.h"
#include "input_kind.h"
#include "jstream.h"
#include "textfile.h"
#include "timeu.h"

/* what --events takes, for the message about another kind of file given as one */
#define EVENTS_EXPECTED "an event log (ContainerRegistryRepositoryEvents as az JSON, REST JSON or portal CSV)"

const char *const events_field_name[F_N] = {
    "TimeGenerated", "OperationName", "Repository", "Tag", "Digest", "Size", "LoginServer", "ResultDescription",
};

const char *events_op_name(enum event_op op)
{
    static const char *const NAMES[] = {"push", "pull", "untag", "delete"};
    return (unsigned)op < 4 ? NAMES[op] : "?";
}

/* ---- interning -------------------------------------------------------------------------- */

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static const char *intern(struct event_log *log, const char *s, size_t n)
{
    if (log->n_strs * 2 + 2 > log->cap_strs) {
        size_t cap = log->cap_strs ? log->cap_strs * 2 : 256;
        const char **t = xcalloc(cap, sizeof *t);
        for (size_t i = 0; i < log->cap_strs; i++) {
            const char *x = log->strs[i];
            if (!x) continue;
            size_t j = hash_bytes(x, strlen(x)) & (cap - 1);
            while (t[j]) j = (j + 1) & (cap - 1);
            t[j] = x;
        }
        free(log->strs);
        log->strs = t;
        log->cap_strs = cap;
    }
    size_t j = hash_bytes(s, n) & (log->cap_strs - 1);
    for (; log->strs[j]; j = (j + 1) & (log->cap_strs - 1)) {
        const char *x = log->strs[j];
        if (!strncmp(x, s, n) && x[n] == '\0') return x;
    }
    const char *x = arena_strndup(&log->arena, s, n);
    log->strs[j] = x;
    log->n_strs++;
    return x;
}

/* ---- values ----------------------------------------------------------------------------- */

/* `<nil>`, `None`, empty and null all mean "no value". */
static bool text_absent(const char *s, size_t n)
{
    return n == 0 || (n == 5 && !memcmp(s, "<nil>", 5)) || (n == 4 && !memcmp(s, "None", 4));
}

static bool cell_absent(const struct cell *c)
{
    return !c->present || (!c->is_num && !c->bad && (!c->s || text_absent(c->s, c->n)));
}

/* The value quoted for a message, cut at 60 bytes. */
static const char *quote_value(const struct cell *c, char *buf, size_t cap)
{
    if (c->bad) {
        snprintf(buf, cap, "%s", c->bad);
        return buf;
    }
    if (c->is_num && !c->s) {
        snprintf(buf, cap, "%.17g", c->num);
        return buf;
    }
    return diag_quote(buf, cap, c->s, c->n, 60);
}

static void row_error(struct reader *r, const struct rowpos *p, enum field f, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void row_error(struct reader *r, const struct rowpos *p, enum field f, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    r->errors++;
    if (p->col == 0) {
        diag_msg(r->d, "%s:%zu: %s: %s", r->file, p->line, events_field_name[f], text);
    } else {
        char where[64];
        snprintf(where, sizeof where, "row %zu: %s", p->row, events_field_name[f]);
        diag_error(r->d, r->file, p->line, p->col, where, "%s", text);
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Digits [*i, ...) as an unsigned number of at most `max_digits` digits. */
static bool take_uint(const char *s, size_t n, size_t *i, size_t max_digits, uint64_t *out)
{
    size_t k = 0;
    uint64_t v = 0;
    while (*i < n && is_digit(s[*i]) && k < max_digits) {
        v = v * 10 + (uint64_t)(s[*i] - '0');
        ++*i;
        k++;
    }
    if (!k || (*i < n && is_digit(s[*i]))) return false;
    *out = v;
    return true;
}

/* "M/D/YYYY, h:mm[:ss[.fff]] [AM|PM]" as the portal writes TimeGenerated [UTC]. */
static bool parse_us_time(const char *s, size_t n, int64_t *out_ns)
{
    size_t i = 0;
    uint64_t mo, dd, yy, hh, mi, ss = 0, frac = 0;
    int frac_digits = 0;
    if (!take_uint(s, n, &i, 2, &mo) || i >= n || s[i++] != '/') return false;
    if (!take_uint(s, n, &i, 2, &dd) || i >= n || s[i++] != '/') return false;
    size_t y0 = i;
    if (!take_uint(s, n, &i, 4, &yy) || i - y0 != 4) return false;
    if (i < n && s[i] == ',') i++;
    if (i >= n || s[i] != ' ') return false;
    while (i < n && s[i] == ' ') i++;
    if (!take_uint(s, n, &i, 2, &hh) || i >= n || s[i++] != ':') return false;
    size_t m0 = i;
    if (!take_uint(s, n, &i, 2, &mi) || i - m0 != 2) return false;
    if (i < n && s[i] == ':') {
        i++;
        size_t s0 = i;
        if (!take_uint(s, n, &i, 2, &ss) || i - s0 != 2) return false;
        if (i < n && s[i] == '.') {
            i++;
            if (i >= n || !is_digit(s[i])) return false;
            while (i < n && is_digit(s[i])) {
                if (frac_digits < 9) {
                    frac = frac * 10 + (uint64_t)(s[i] - '0');
                    frac_digits++;
                }
                i++;
            }
        }
    }
    bool ampm = false, pm = false;
    if (i < n) {
        if (s[i] != ' ') return false;
        while (i < n && s[i] == ' ') i++;
        if (n - i != 2 || (s[i + 1] != 'M' && s[i + 1] != 'm')) return false;
        if (s[i] == 'A' || s[i] == 'a') ampm = true;
        else if (s[i] == 'P' || s[i] == 'p') ampm = pm = true;
        else return false;
        i = n;
    }
    if (ampm) {
        if (hh < 1 || hh > 12) return false;
        hh = hh % 12 + (pm ? 12 : 0);
    }
    if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59) return false;
    while (frac_digits < 9) {
        frac *= 10;
        frac_digits++;
    }
    /* the same instant in RFC 3339: timeu checks the day against the month and saturates
     * years beyond the range of int64 nanoseconds */
    char b[48];
    int k = snprintf(b, sizeof b, "%04u-%02u-%02uT%02u:%02u:%02u.%09uZ", (unsigned)yy, (unsigned)mo, (unsigned)dd,
                     (unsigned)hh, (unsigned)mi, (unsigned)ss, (unsigned)frac);
    return timeu_parse_rfc3339(b, (size_t)k, out_ns, NULL);
}

bool events_parse_time(const char *s, size_t n, int64_t *out_ns)
{
    if (n >= 10 && n < 64 && is_digit(s[0]) && s[4] == '-') {
        /* RFC 3339, made tolerant: Python's str() puts a space between date and time, and a
         * time without a zone is UTC */
        char b[72];
        memcpy(b, s, n);
        if (n > 10 && (b[10] == ' ' || b[10] == 't')) b[10] = 'T';
        if (b[n - 1] == 'z') b[n - 1] = 'Z';
        size_t m = n;
        bool zone = b[m - 1] == 'Z' || (m > 16 && (b[m - 6] == '+' || b[m - 6] == '-') && b[m - 3] == ':');
        if (!zone) b[m++] = 'Z';
        return timeu_parse_rfc3339(b, m, out_ns, NULL);
    }
    return parse_us_time(s, n, out_ns);
}

/* ---- one row ---------------------------------------------------------------------------- */

static bool contains_ci(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++)
        if (!strncasecmp(s + i, w, k)) return true;
    return false;
}

/* OperationName to an op; -1 when unknown. Purge rows (retention policy): "purge" with "tag"
 * is an untag, with "manifest" a delete (an assumption: their exact names are not documented). */
static int op_from_name(const char *s, size_t n)
{
    if (contains_ci(s, n, "purge")) {
        if (contains_ci(s, n, "manifest")) return EVENT_DELETE;
        if (contains_ci(s, n, "tag")) return EVENT_UNTAG;
        return -1;
    }
    if (contains_ci(s, n, "untag")) return EVENT_UNTAG;
    if (contains_ci(s, n, "delete")) return EVENT_DELETE;
    if (contains_ci(s, n, "push")) return EVENT_PUSH;
    if (contains_ci(s, n, "pull")) return EVENT_PULL;
    return -1;
}

/* A non-negative integer: text of digits (an optional ".0" tail), or a JSON number. */
static bool cell_uint(const struct cell *c, uint64_t max, uint64_t *out)
{
    if (c->is_num && !c->s) {
        if (!(c->num >= 0 && c->num <= (double)max && c->num == (double)(uint64_t)c->num)) return false;
        *out = (uint64_t)c->num;
        return true;
    }
    if (!c->s) return false;
    size_t i = 0, n = c->n;
    if (n >= 2 && c->s[n - 2] == '.' && c->s[n - 1] == '0') n -= 2;
    uint64_t v = 0;
    if (n == 0 || n > 20) return false;
    for (; i < n; i++) {
        if (!is_digit(c->s[i])) return false;
        uint64_t d = (uint64_t)(c->s[i] - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool cell_text(struct reader *r, const struct rowpos *p, enum field f, const struct cell *c)
{
    char q[96];
    if (c->bad || (c->is_num && !c->s)) {
        row_error(r, p, f, "expected a string, got %s", quote_value(c, q, sizeof q));
        return false;
    }
    return true;
}

/* Checks and stores one row; returns false when it is malformed (message recorded). */
bool events_take_row(struct reader *r, const struct rowpos *p, const struct cell cells[F_N])
{
    struct event_log *log = r->log;
    char q[96];
    log->rows++;
    for (int f = 0; f < REQUIRED_FIELDS; f++) {
        if (!cells[f].present) {
            row_error(r, p, (enum field)f, "missing");
            return false;
        }
    }
    for (int f = 0; f < F_N; f++)
        if (cells[f].present && f != F_SIZE && f != F_RESULT && !cell_text(r, p, (enum field)f, &cells[f])) return false;

    const struct cell *login = &cells[F_LOGIN];
    bool other = r->login_server && !cell_absent(login) &&
                 !(login->n == strlen(r->login_server) && !strncasecmp(login->s, r->login_server, login->n));

    struct event e;
    memset(&e, 0, sizeof e);
    const struct cell *t = &cells[F_TIME];
    if (cell_absent(t)) {
        row_error(r, p, F_TIME, "missing");
        return false;
    }
    if (!events_parse_time(t->s, t->n, &e.t_ns)) {
        row_error(r, p, F_TIME, "expected a time, got %s", quote_value(t, q, sizeof q));
        return false;
    }
    const struct cell *op = &cells[F_OP];
    if (cell_absent(op)) {
        row_error(r, p, F_OP, "missing");
        return false;
    }
    int opv = op_from_name(op->s, op->n);
    const struct cell *repo = &cells[F_REPO];
    bool repo_absent = cell_absent(repo);
    if (repo_absent && !other && opv >= 0) {
        row_error(r, p, F_REPO, "missing");
        return false;
    }
    const struct cell *res = &cells[F_RESULT];
    uint64_t status = 0;
    if (!cell_absent(res)) {
        const struct cell *c = res;
        struct cell cut = *res;
        /* "200", or a status followed by its reason ("404 Not Found") */
        if (cut.s) {
            size_t k = 0;
            while (k < cut.n && is_digit(cut.s[k])) k++;
            if (k == 3 && (k == cut.n || cut.s[k] == ' ')) cut.n = 3;
            c = &cut;
        }
        if (c->bad || !cell_uint(c, 999, &status) || status < 100) {
            row_error(r, p, F_RESULT, "expected an HTTP status, got %s", quote_value(res, q, sizeof q));
            return false;
        }
    }
    uint64_t size = 0;
    const struct cell *sz = &cells[F_SIZE];
    if (!cell_absent(sz) && (sz->bad || !cell_uint(sz, UINT64_MAX, &size))) {
        row_error(r, p, F_SIZE, "expected a non-negative integer, got %s", quote_value(sz, q, sizeof q));
        return false;
    }
    const struct cell *dg = &cells[F_DIGEST], *tg = &cells[F_TAG];
    if (!cell_absent(dg)) {
        if (!digest_parse(dg->s, dg->n, &e.digest)) {
            row_error(r, p, F_DIGEST, "expected a sha256 digest, got %s", quote_value(dg, q, sizeof q));
            return false;
        }
        e.has_digest = true;
    }
    bool tag_is_digest = !cell_absent(tg) && tg->n >= 7 && !memcmp(tg->s, "sha256:", 7);
    if (tag_is_digest) {
        struct digest td;
        if (!digest_parse(tg->s, tg->n, &td)) {
            row_error(r, p, F_TAG, "expected a tag or a sha256 digest, got %s", quote_value(tg, q, sizeof q));
            return false;
        }
        if (!e.has_digest) {
            e.digest = td;
            e.has_digest = true;
            e.digest_in_tag = true;
        }
    }
    /* counted in this order: another registry, then an operation we do not know, then a
     * status that did not take effect */
    if (other) {
        log->other_registry++;
        return true;
    }
    if (opv < 0) {
        log->unknown_op++;
        return true;
    }
    if (status && (status < 200 || status > 299)) {
        log->failed_status++;
        return true;
    }
    e.op = (uint8_t)opv;
    e.status = (uint16_t)status;
    e.size_bytes = size;
    e.repo = intern(log, repo->s, repo->n);
    if (!cell_absent(tg) && !tag_is_digest) e.tag = intern(log, tg->s, tg->n);
    if (log->n == log->cap) xgrow((void **)&log->ev, &log->cap, log->n + 1, sizeof *log->ev);
    log->ev[log->n++] = e;
    return true;
}

/* Column name (CSV header, REST column) to a field; F_N when not one we read. The portal
 * appends " [UTC]" to the time column's name. */
enum field events_field_by_name(const char *s, size_t n)
{
    while (n && s[n - 1] == ' ') n--;
    if (n > 6 && !memcmp(s + n - 6, " [UTC]", 6)) n -= 6;
    static const size_t FIELD_LEN[F_N] = {13, 13, 10, 3, 6, 4, 11, 17};
    for (int f = 0; f < F_N; f++)
        if (FIELD_LEN[f] == n && !strncasecmp(events_field_name[f], s, n)) return (enum field)f;
    return F_N;
}

bool events_other_input(struct reader *r, enum input_kind k)
{
    if (k == INPUT_EVENTS || k == INPUT_EVENTS_REST || k == INPUT_EVENTS_CSV) return false;
    if (!input_kind_mixup(r->d, r->file, k, EVENTS_EXPECTED)) return false;
    r->errors++;
    r->fatal = true;
    return true;
}

/* The file lacks a required column: one message naming it, or what else the file is. */
bool events_check_columns(struct reader *r, const int col_of[F_N], size_t line)
{
    for (int f = 0; f < REQUIRED_FIELDS; f++) {
        if (col_of[f] >= 0) continue;
        if (events_other_input(r, r->looks_like)) return false;
        if (line) diag_msg(r->d, "%s:%zu: no %s column (an event log has TimeGenerated, OperationName and Repository)",
                           r->file, line, events_field_name[f]);
        else diag_msg(r->d, "%s: no %s column (an event log has TimeGenerated, OperationName and Repository)",
                      r->file, events_field_name[f]);
        r->errors++;
        return false;
    }
    return true;
}

/* ---- entry points ----------------------------------------------------------------------- */

static int finish_file(struct reader *r, size_t n_before, size_t rows_before, const size_t counts_before[3])
{
    struct event_log *log = r->log;
    if (!r->errors) {
        log->files++;
        return PS_OK;
    }
    log->n = n_before;
    log->rows = rows_before;
    log->failed_status = counts_before[0];
    log->other_registry = counts_before[1];
    log->unknown_op = counts_before[2];
    return ERR_INPUT;
}

static int load(struct event_log *log, const char *path, const char *text, size_t len, const char *file,
                const char *login_server, struct diag *d)
{
    struct reader r = {log, file, login_server, d, 0, false, INPUT_UNKNOWN};
    size_t n_before = log->n, rows_before = log->rows;
    size_t counts[3] = {log->failed_status, log->other_registry, log->unknown_op};
    int c;
    FILE *fp = NULL;
    int rc = textfile_sniff(path, text, len, file, &fp, &c, d);
    if (rc != PS_OK) return rc;
    if (c == '[' || c == '{') {
        if (fp) fclose(fp);
        struct jstream js;
        rc = textfile_open_json(&js, path, text, len, file, d);
        if (rc != PS_OK) return rc;
        events_read_json(&r, &js);
        js_close(&js);
    } else {
        fp = textfile_stream(fp, text, len, file, d);
        if (!fp) return ERR_IO;
        r.looks_like = input_kind_of_stream(fp);   /* what it is when it is no CSV event log */
        events_read_csv(&r, fp);
        fclose(fp);
    }
    return finish_file(&r, n_before, rows_before, counts);
}

int events_load(struct event_log *log, const char *path, const char *login_server, struct diag *d)
{
    /* read twice (its head to tell JSON from lines, then all of it): a pipe is taken whole first */
    char *text;
    size_t len;
    int rc = textfile_slurp_stream(path, path, &text, &len, d);
    if (rc != PS_OK) return rc;
    rc = text ? load(log, NULL, text, len, path, login_server, d) : load(log, path, NULL, 0, path, login_server, d);
    free(text);
    return rc;
}

int events_load_mem(struct event_log *log, const char *text, size_t len, const char *file,
                    const char *login_server, struct diag *d)
{
    return load(log, NULL, text, len, file, login_server, d);
}

/* ---- sorting ---------------------------------------------------------------------------- */

static void merge_sort(struct event *a, struct event *tmp, size_t n)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            if (mid >= hi || a[mid - 1].t_ns <= a[mid].t_ns) {
                memcpy(tmp + lo, a + lo, (hi - lo) * sizeof *a);
                continue;
            }
            while (i < mid && j < hi) tmp[k++] = a[j].t_ns < a[i].t_ns ? a[j++] : a[i++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        struct event *t = a;
        memcpy(t, tmp, n * sizeof *a);
    }
}

void events_finish(struct event_log *log)
{
    bool sorted = true;
    for (size_t i = 1; i < log->n && sorted; i++) sorted = log->ev[i - 1].t_ns <= log->ev[i].t_ns;
    if (sorted) return;
    struct event *tmp = xmalloc(log->n * sizeof *tmp);
    merge_sort(log->ev, tmp, log->n);
    free(tmp);
}

void events_free(struct event_log *log)
{
    if (!log) return;
    free(log->ev);
    free(log->strs);
    arena_free_all(&log->arena);
    memset(log, 0, sizeof *log);
}
