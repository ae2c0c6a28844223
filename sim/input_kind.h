/* input_kind.h - what an input file looks like when it is not what its option expects (an
 * export, an event log, a price table, a policy file, an in-use list, kubectl's pods, a tune
 * grid file), so a
 * loader can say so in one line ("FILE: this is an event log (...), not an in-use list (...):
 * give it with --events") instead of one error per line, or a complaint about the first key it
 * misses. Only decisive signs count: a top-level key, the first element's keys, or the first
 * line, that the other kind has and no valid input of the expected kind can have. The loader
 * decides when to ask (only where it would fail anyway), so a valid input is never turned away
 * by a guess. */
#ifndef PURGESIM_INPUT_KIND_H
#define PURGESIM_INPUT_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"

enum input_kind {
    INPUT_UNKNOWN,      /* nothing recognised: not JSON, or JSON that is not an object or array */
    INPUT_JSON,         /* a JSON object or array of no kind recognised */
    INPUT_EXPORT,       /* a bundle or a REST-wrapped listing (repositories, exportedAt, imageName) */
    INPUT_LISTING,      /* a raw az array of manifests or tags (digest) */
    INPUT_EVENTS,       /* az monitor log-analytics query -o json (OperationName, TimeGenerated) */
    INPUT_EVENTS_REST,  /* the Log Analytics REST body (tables) */
    INPUT_EVENTS_CSV,   /* the portal's CSV export (a header with TimeGenerated and OperationName) */
    INPUT_PRICES,       /* a price table (skus, overage_per_gb_day) */
    INPUT_POLICIES,     /* a policy file (a [name] section line, an az or acr command line) */
    INPUT_TASKS,        /* az acr task show/list (step, trigger) */
    INPUT_PODS,         /* kubectl get pods -o json (items) */
    INPUT_INUSE_LIST,   /* a plain in-use list (a first line that is an image reference) */
    INPUT_GRID,         /* a tune grid file (a first line "KEY = VALUES" with a grid's key) */
};

/* The kind a top-level JSON object key marks, or INPUT_UNKNOWN. */
enum input_kind input_kind_of_key(const char *key);
/* The length of a policy file's section "[name]" (letters, digits, '-', '_', '.', '+') at the
 * start of s[0..n), or 0: a whole line for the line sniff, the head of the unread text for the
 * export reader. */
size_t input_kind_section_len(const char *s, size_t n);
/* The kind one text line (comment already cut) marks, or INPUT_UNKNOWN. */
enum input_kind input_kind_of_line(const char *s, size_t n);
/* The kind the first line of s[0..n) that is neither blank nor a '#' or ';' comment marks (a
 * UTF-8 BOM skipped), or INPUT_UNKNOWN. */
enum input_kind input_kind_of_text(const char *s, size_t n);
/* Streams the head of the JSON in `path` (or in text[0..len) when path is NULL): an object's
 * keys up to the first decisive one, or an array's first element. Records no message. */
enum input_kind input_kind_of_json(const char *path, const char *text, size_t len);
/* The kind of s[0..n): its JSON's (input_kind_of_json), else its first line's
 * (input_kind_of_text). */
enum input_kind input_kind_of(const char *s, size_t n);
/* input_kind_of() over the first 64 KiB of fp, which is rewound after (a pipe too: textfile
 * keeps it in memory). */
enum input_kind input_kind_of_stream(FILE *fp);
/* The kind a JSON array's first element marks (INPUT_EVENTS, INPUT_LISTING, INPUT_TASKS), or
 * INPUT_JSON. */
struct cJSON;
enum input_kind input_kind_of_element(const struct cJSON *o);
/* "this is WHAT, not EXPECTED: HINT" into buf (len bytes), for a loader that words its own
 * message around it; k is a named kind (not INPUT_UNKNOWN or INPUT_JSON). Returns buf. */
const char *input_kind_says(enum input_kind k, const char *expected, char *buf, size_t len);
/* Records "FILE: this is WHAT, not EXPECTED: HINT" (WHAT and HINT are k's, e.g. "an event log
 * (OperationName, TimeGenerated)" and "give it with --events") and returns true; for
 * INPUT_UNKNOWN and INPUT_JSON (nothing to name) records nothing and returns false. */
bool input_kind_mixup(struct diag *d, const char *file, enum input_kind k, const char *expected);

#endif
