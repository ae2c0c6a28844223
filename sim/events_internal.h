/* events_internal.h - what the event log's readers share: the fields, a row's cells, the reader.
 * Private to events.c, events_json.c and events_csv.c; see events.h for the API. */
#ifndef PURGESIM_EVENTS_INTERNAL_H
#define PURGESIM_EVENTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "events.h"
#include "input_kind.h"
#include "jstream.h"

/* A line of CSV, or one row of JSON, longer than this is not an event log. */
#define EV_ROW_LIMIT ((size_t)1 << 20)
#define EV_READ_CHUNK ((size_t)1 << 20)

/* The columns we read; every other column is ignored. */
enum field { F_TIME, F_OP, F_REPO, F_TAG, F_DIGEST, F_SIZE, F_LOGIN, F_RESULT, F_N };
extern const char *const events_field_name[F_N];   /* the column names, as Log Analytics spells them */
#define REQUIRED_FIELDS 3   /* F_TIME, F_OP, F_REPO */

/* One value of a row as the shape gave it. */
struct cell {
    const char *s;     /* text (strings; numbers in CSV and az); NULL when absent or not text */
    size_t n;
    bool present;      /* the column exists in this row */
    bool is_num;       /* a JSON number (REST body) */
    double num;
    const char *bad;   /* a JSON value of the wrong kind, described ("true", "an object") */
};

/* Where a row is, for messages. */
struct rowpos {
    size_t row;        /* 1-based data row (JSON) */
    size_t line, col;  /* the row's start; col 0 for CSV (line only) */
};

struct reader {
    struct event_log *log;
    const char *file;
    const char *login_server;
    struct diag *d;
    size_t errors;     /* malformed rows in this file */
    bool fatal;        /* the file's structure is wrong: stop reading it */
    enum input_kind looks_like;   /* what else the file may be (a CSV file's head, an az array's
                                     first element), named only when a required column is missing */
};

/* Another input given as the event log (an export, a price table, a policy file ...): says so
 * in one message ("this is ..., not an event log (...): give it with ..."), marks the file
 * fatal and returns true. False for INPUT_UNKNOWN, INPUT_JSON and the event log's own kinds: a
 * broken event log keeps its own error. */
bool events_other_input(struct reader *r, enum input_kind k);

/* Checks and stores one row; returns false when it is malformed (message recorded). */
bool events_take_row(struct reader *r, const struct rowpos *p, const struct cell cells[F_N]);

/* Column name (CSV header, REST column) to a field; F_N when not one we read. The portal
 * appends " [UTC]" to the time column's name. */
enum field events_field_by_name(const char *s, size_t n);

/* Reports the first required field without a column (naming the header's `line`, or none when
 * 0) and returns false; true when every required field has one. */
bool events_check_columns(struct reader *r, const int col_of[F_N], size_t line);

/* Reads an az array or a REST body from `js` into r->log, counting malformed rows in r->errors. */
void events_read_json(struct reader *r, struct jstream *js);

/* Reads the portal's CSV export from `fp` into r->log, counting malformed rows in r->errors. */
void events_read_csv(struct reader *r, FILE *fp);

#endif
