/* events_json.c - the event log as az JSON (an array of rows) or a REST query body, streamed. */
#include "events_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jstream.h"
#include "textfile.h"

/* ---- JSON values to cells --------------------------------------------------------------- */

static void cell_from_json(struct cell *c, const cJSON *v)
{
    memset(c, 0, sizeof *c);
    c->present = true;
    if (cJSON_IsString(v)) {
        c->s = v->valuestring;
        c->n = strlen(v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        c->is_num = true;
        c->num = v->valuedouble;
    } else if (cJSON_IsNull(v)) {
        /* absent */
    } else {
        c->bad = cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? "true" : "false")
                 : cJSON_IsArray(v) ? "an array" : "an object";
    }
}

/* ---- the az array ----------------------------------------------------------------------- */

static void read_az(struct reader *r, struct jstream *js)
{
    js_expect(js, '[', "");
    if (js_peek(js) == ']') {
        js_expect(js, ']', "");
        return;
    }
    bool done = false, checked = false;
    for (size_t row = 1; !done && !js->failed && !r->fatal; row++) {
        char path[48];
        snprintf(path, sizeof path, "row %zu", row);
        if (!js_capture(js, path)) return;
        cJSON *o = js_parse_captured(js, path);
        if (!o) return;
        struct rowpos p = {row, js->cap_line, js->cap_col};
        if (!cJSON_IsObject(o)) {
            diag_error(r->d, r->file, p.line, p.col, path, "expected an object (one row of the event log)");
            r->errors++;
            r->fatal = true;
            cJSON_Delete(o);
            return;
        }
        struct cell cells[F_N];
        memset(cells, 0, sizeof cells);
        for (const cJSON *v = o->child; v; v = v->next) {
            enum field f = v->string ? events_field_by_name(v->string, strlen(v->string)) : F_N;
            if (f != F_N && v->string && !strcmp(v->string, events_field_name[f])) cell_from_json(&cells[f], v);
        }
        if (!checked && !cells[F_TIME].present && cJSON_GetObjectItemCaseSensitive(o, "operationName")) {
            diag_msg(r->d, "%s: these are raw diagnostic records (\"time\", \"operationName\", \"properties\"); "
                           "give the rows of the Log Analytics table ContainerRegistryRepositoryEvents instead", r->file);
            r->errors++;
            r->fatal = true;
            cJSON_Delete(o);
            return;
        }
        if (!checked) {
            int col_of[F_N];
            for (int f = 0; f < F_N; f++) col_of[f] = cells[f].present ? f : -1;
            checked = true;
            /* a listing's digest, a task's step: named when the row lacks a column */
            r->looks_like = input_kind_of_element(o);
            if (!events_check_columns(r, col_of, 0)) {
                r->fatal = true;
                cJSON_Delete(o);
                return;
            }
        }
        events_take_row(r, &p, cells);
        js_tree_release(o);
        js_next_member(js, ']', "", &done);
    }
}

/* ---- the REST body ---------------------------------------------------------------------- */

/* Reads "columns": fills col_of (field -> index) and returns the number of columns, or -1. */
static long read_columns(struct reader *r, struct jstream *js, const char *path, int col_of[F_N])
{
    if (!js_capture(js, path)) return -1;
    cJSON *a = js_parse_captured(js, path);
    if (!a) return -1;
    long n = 0;
    for (int f = 0; f < F_N; f++) col_of[f] = -1;
    if (!cJSON_IsArray(a)) {
        diag_error(r->d, r->file, js->cap_line, js->cap_col, path, "expected an array of columns");
        r->errors++;
        cJSON_Delete(a);
        return -1;
    }
    for (const cJSON *c = a->child; c; c = c->next, n++) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (!cJSON_IsString(name)) {
            diag_error(r->d, r->file, js->cap_line, js->cap_col, path, "column %ld: expected {\"name\": ...}", n);
            r->errors++;
            cJSON_Delete(a);
            return -1;
        }
        enum field f = events_field_by_name(name->valuestring, strlen(name->valuestring));
        if (f != F_N && col_of[f] < 0 && n < 100000) col_of[f] = (int)n;
    }
    cJSON_Delete(a);
    return n;
}

static void read_rows(struct reader *r, struct jstream *js, const int col_of[F_N], long n_cols, size_t *row)
{
    if (!js_expect(js, '[', "rows")) return;
    if (js_peek(js) == ']') {
        js_expect(js, ']', "rows");
        return;
    }
    if (!events_check_columns(r, col_of, 0)) {   /* a table without rows needs no columns */
        r->fatal = true;
        return;
    }
    bool done = false;
    while (!done && !js->failed && !r->fatal) {
        char path[48];
        ++*row;
        snprintf(path, sizeof path, "row %zu", *row);
        if (!js_capture(js, path)) return;
        cJSON *a = js_parse_captured(js, path);
        if (!a) return;
        struct rowpos p = {*row, js->cap_line, js->cap_col};
        int n = cJSON_GetArraySize(a);
        if (!cJSON_IsArray(a) || n != n_cols) {
            if (cJSON_IsArray(a)) diag_error(r->d, r->file, p.line, p.col, path, "expected %ld values (one per column), got %d", n_cols, n);
            else diag_error(r->d, r->file, p.line, p.col, path, "expected an array of values");
            r->errors++;
            r->fatal = true;
            cJSON_Delete(a);
            return;
        }
        struct cell cells[F_N];
        memset(cells, 0, sizeof cells);
        int i = 0;
        for (const cJSON *v = a->child; v; v = v->next, i++)
            for (int f = 0; f < F_N; f++)
                if (col_of[f] == i) cell_from_json(&cells[f], v);
        events_take_row(r, &p, cells);
        js_tree_release(a);
        js_next_member(js, ']', "rows", &done);
    }
}

static void read_table(struct reader *r, struct jstream *js, size_t *row)
{
    if (!js_expect(js, '{', "tables")) return;
    if (js_peek(js) == '}') {
        js_expect(js, '}', "tables");
        return;
    }
    int col_of[F_N];
    long n_cols = -1;
    bool done = false;
    while (!done && !js->failed && !r->fatal) {
        char key[64];
        if (!js_read_key(js, key, sizeof key, "tables")) return;
        if (!strcmp(key, "columns")) {
            n_cols = read_columns(r, js, "columns", col_of);
            if (n_cols < 0) {
                r->fatal = true;
                return;
            }
        } else if (!strcmp(key, "rows")) {
            if (n_cols < 0) {
                js_error_here(js, "rows", "rows before columns (expected a table's \"columns\" first)");
                r->errors++;
                r->fatal = true;
                return;
            }
            read_rows(r, js, col_of, n_cols, row);
        } else if (!js_capture(js, key)) {
            return;
        }
        if (!js->failed && !r->fatal) js_next_member(js, '}', "tables", &done);
    }
}

static void read_rest(struct reader *r, struct jstream *js)
{
    js_expect(js, '{', "");
    bool done = js_peek(js) == '}', seen = false;
    if (done) js_expect(js, '}', "");
    size_t row = 0;
    while (!done && !js->failed && !r->fatal) {
        char key[64];
        if (!js_read_key(js, key, sizeof key, "")) return;
        /* an export's repositories, a price table's skus, kubectl's items: said before reading on
         * (an export may be far larger than any row) */
        if (!seen && events_other_input(r, input_kind_of_key(key))) return;
        if (!strcmp(key, "tables")) {
            seen = true;
            if (!js_expect(js, '[', "tables")) return;
            bool tdone = js_peek(js) == ']';
            if (tdone) js_expect(js, ']', "tables");
            while (!tdone && !js->failed && !r->fatal) {
                read_table(r, js, &row);
                if (!js->failed && !r->fatal) js_next_member(js, ']', "tables", &tdone);
            }
        } else if (!js_capture(js, key)) {
            return;
        }
        if (!js->failed && !r->fatal) js_next_member(js, '}', "", &done);
    }
    if (!js->failed && !r->fatal && !seen) {
        diag_msg(r->d, "%s: expected a \"tables\" array (the body of a Log Analytics query)", r->file);
        r->errors++;
    }
}

void events_read_json(struct reader *r, struct jstream *js)
{
    js->cap_limit = EV_ROW_LIMIT;
    textfile_skip_bom(js);
    int c = js_peek(js);
    if (c == '[') read_az(r, js);
    else read_rest(r, js);
    if (!js->failed && !r->fatal && js_peek(js) >= 0) js_error_here(js, "", "unexpected text after the end of the JSON value");
    if (js->failed) r->errors++;
}

