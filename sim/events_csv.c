/* events_csv.c - the event log as the portal's CSV export, read with libcsv. */
#include "events_internal.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- CSV -------------------------------------------------------------------------------- */

struct csv_state {
    struct reader *r;
    char *buf;               /* the record's fields, each NUL-terminated */
    size_t len, cap;
    size_t *off;             /* field start offsets */
    size_t n_fields, cap_fields;
    size_t line;             /* the line being fed */
    size_t rec_line;         /* where the record being read started */
    size_t rec_bytes;
    bool at_start;           /* no record in progress */
    bool header_done;
    bool too_long;
    int col_of[F_N];
    size_t n_cols;
    bool stop;
};

static void csv_field(void *s, size_t n, void *data)
{
    struct csv_state *c = data;
    if (c->stop) return;
    if (c->n_fields == c->cap_fields) xgrow((void **)&c->off, &c->cap_fields, c->n_fields + 1, sizeof *c->off);
    if (c->len + n + 1 > c->cap) xgrow((void **)&c->buf, &c->cap, c->len + n + 1, 1);
    c->off[c->n_fields++] = c->len;
    if (n) memcpy(c->buf + c->len, s, n);
    c->buf[c->len + n] = '\0';
    c->len += n + 1;
}

static void csv_record(int term, void *data)
{
    (void)term;
    struct csv_state *c = data;
    struct reader *r = c->r;
    size_t line = c->rec_line;
    c->at_start = true;
    c->rec_bytes = 0;
    if (c->stop) return;
    if (!c->header_done) {
        c->header_done = true;
        for (int f = 0; f < F_N; f++) c->col_of[f] = -1;
        for (size_t i = 0; i < c->n_fields; i++) {
            const char *s = c->buf + c->off[i];
            size_t n = strlen(s);
            if (i == 0 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3, n -= 3;   /* a BOM */
            enum field f = events_field_by_name(s, n);
            if (f != F_N && c->col_of[f] < 0) c->col_of[f] = (int)i;
        }
        c->n_cols = c->n_fields;
        if (!events_check_columns(r, c->col_of, line)) c->stop = true;
    } else if (c->n_fields != c->n_cols) {
        diag_msg(r->d, "%s:%zu: expected %zu fields (as in the header), got %zu", r->file, line, c->n_cols, c->n_fields);
        r->errors++;
    } else {
        struct cell cells[F_N];
        memset(cells, 0, sizeof cells);
        for (int f = 0; f < F_N; f++) {
            if (c->col_of[f] < 0) continue;
            cells[f].present = true;
            cells[f].s = c->buf + c->off[c->col_of[f]];
            cells[f].n = strlen(cells[f].s);
        }
        struct rowpos p = {0, line, 0};
        events_take_row(r, &p, cells);
    }
    c->n_fields = 0;
    c->len = 0;
}

static bool line_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\r' && s[i] != '\n') return false;
    return true;
}

void events_read_csv(struct reader *r, FILE *fp)
{
    struct csv_parser p;
    struct csv_state c;
    memset(&c, 0, sizeof c);
    c.r = r;
    c.at_start = true;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        diag_msg(r->d, "%s: cannot start the CSV reader", r->file);
        r->errors++;
        return;
    }
    char *chunk = xmalloc(EV_READ_CHUNK);
    size_t have = 0, pos = 0;
    bool eof = false, failed = false;
    char *line = NULL;
    size_t line_cap = 0;
    for (size_t lineno = 1; !failed && !c.stop; lineno++) {
        /* one line (with its '\n'), at most EV_ROW_LIMIT bytes */
        size_t ll = 0;
        bool got_nl = false, any = false;
        while (!got_nl) {
            if (pos == have) {
                if (eof) break;
                have = fread(chunk, 1, EV_READ_CHUNK, fp);
                pos = 0;
                if (have == 0) {
                    eof = true;
                    break;
                }
            }
            any = true;
            const char *nl = memchr(chunk + pos, '\n', have - pos);
            size_t take = nl ? (size_t)(nl - (chunk + pos)) + 1 : have - pos;
            if (ll + take > EV_ROW_LIMIT) {
                diag_msg(r->d, "%s:%zu: line longer than %zu MiB", r->file, lineno, EV_ROW_LIMIT >> 20);
                r->errors++;
                failed = true;
                break;
            }
            if (ll + take > line_cap) xgrow((void **)&line, &line_cap, ll + take, 1);
            memcpy(line + ll, chunk + pos, take);
            ll += take;
            pos += take;
            got_nl = nl != NULL;
        }
        if (failed || !any) break;
        if (c.at_start) {
            if (line_blank(line, ll)) continue;
            c.at_start = false;
            c.rec_line = lineno;
        }
        c.rec_bytes += ll;
        if (c.rec_bytes > EV_ROW_LIMIT) {
            diag_msg(r->d, "%s:%zu: row longer than %zu MiB (a quote left open?)", r->file, c.rec_line, EV_ROW_LIMIT >> 20);
            r->errors++;
            failed = true;
            break;
        }
        c.line = lineno;
        if (csv_parse(&p, line, ll, csv_field, csv_record, &c) != ll) {
            diag_msg(r->d, "%s:%zu: malformed CSV (%s)", r->file, lineno,
                     csv_error(&p) == CSV_EPARSE ? "a quote inside an unquoted field, or text after a closing quote"
                                                 : csv_strerror(csv_error(&p)));
            r->errors++;
            failed = true;
        }
    }
    if (!failed && !c.stop && ferror(fp)) {
        diag_msg(r->d, "%s: read error: %s", r->file, strerror(errno));
        r->errors++;
        failed = true;
    }
    if (!failed && !c.stop && csv_fini(&p, csv_field, csv_record, &c) != 0) {
        diag_msg(r->d, "%s:%zu: malformed CSV (a quoted field is not closed)", r->file, c.rec_line);
        r->errors++;
    }
    if (!c.header_done && !r->errors) {
        diag_msg(r->d, "%s: empty: expected a JSON array, a Log Analytics body or CSV with a TimeGenerated column", r->file);
        r->errors++;
    }
    csv_free(&p);
    free(line);
    free(chunk);
    free(c.buf);
    free(c.off);
}

