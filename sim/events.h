/* events.h - the registry's event log (ContainerRegistryRepositoryEvents rows: pushes, pulls,
 * untags, deletes) read from the three shapes users get it in: the JSON array of
 * `az monitor log-analytics query -o json` (every value a string), the Log Analytics REST body
 * ({"tables":[{"columns":[...],"rows":[[...]]}]}) and the portal's CSV export. Files are
 * streamed a row at a time; see data/EXPORT-FORMAT.md, "Event logs and in-use lists".
 * Ownership: a struct event_log is caller-owned (zero it before the first events_load) and
 * freed with events_free(); every string of its events lives in its arena. */
#ifndef PURGESIM_EVENTS_H
#define PURGESIM_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "model.h"

enum event_op { EVENT_PUSH, EVENT_PULL, EVENT_UNTAG, EVENT_DELETE };

/* One row that took effect. 72 bytes; repository and tag names are interned once per log. */
struct event {
    int64_t t_ns;                 /* TimeGenerated, UTC ns */
    const char *repo;             /* interned in the log's arena */
    const char *tag;              /* NULL when absent (or when the Tag column held a digest) */
    struct digest digest;         /* valid when has_digest (from Digest, or a Tag "sha256:...") */
    uint64_t size_bytes;          /* Size, 0 when absent */
    uint16_t status;              /* ResultDescription as a number (200, 201, 202 ...); 0 when absent */
    uint8_t op;                   /* enum event_op */
    bool has_digest;
    bool digest_in_tag;           /* the digest came from the Tag column (a pull by digest) */
};

struct event_log {
    struct event *ev;             /* every row that took effect, sorted by time after events_finish
                                     (stable: file order, then row order within one instant) */
    size_t n, cap;
    size_t rows;                  /* data rows read, in every file */
    size_t failed_status;         /* rows whose ResultDescription is not 2xx: skipped */
    size_t other_registry;        /* rows whose LoginServer is another registry: skipped */
    size_t unknown_op;            /* rows whose OperationName is none of ours: skipped */
    size_t files;                 /* files read */
    struct arena arena;
    /* interned strings: an open-addressing set (internal) */
    const char **strs;
    size_t n_strs, cap_strs;
};

/* Reads one file and appends its rows to log; several calls accumulate. The shape is detected
 * from the first character: '[' the az array, '{' the REST body, anything else CSV (a header
 * naming "TimeGenerated [UTC]" or "TimeGenerated"). Rows whose LoginServer is set and differs,
 * case-insensitively, from login_server (NULL keeps every row) are counted and skipped, and so
 * are rows with an OperationName we do not know and rows whose status is not 2xx.
 * Returns PS_OK; ERR_IO when the file cannot be read; ERR_INPUT when a row or the file's shape
 * is malformed (messages in d, "file:line:col: row N: Column: what" for JSON, "file:line:
 * Column: what" for CSV) or the file is another input (one line naming it, input_kind.h), in
 * which case none of this file's rows are kept. */
int events_load(struct event_log *log, const char *path, const char *login_server, struct diag *d);
/* The same over text in memory (fuzzing, tests); `file` names it in messages. */
int events_load_mem(struct event_log *log, const char *text, size_t len, const char *file,
                    const char *login_server, struct diag *d);
/* Sorts the events by time (stable). Call once after the last events_load. */
void events_finish(struct event_log *log);
/* Frees everything the log holds; the log is zeroed. NULL is fine. */
void events_free(struct event_log *log);

/* A TimeGenerated value: RFC 3339 (fraction digits of any length, 'T' or a space between date
 * and time, 'Z', an offset, or no zone meaning UTC), or the portal's "M/D/YYYY, h:mm:ss.fff AM"
 * (US month first, 12-hour clock with AM/PM, or 24-hour without). Returns true and sets *out_ns. */
bool events_parse_time(const char *s, size_t n, int64_t *out_ns);

/* Name of an operation ("push", "pull", "untag", "delete"). */
const char *events_op_name(enum event_op op);

#endif
