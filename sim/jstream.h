/* jstream.h - a streaming scanner over a JSON file that walks the outer structure itself and
 * hands each element to cJSON as a small slice, so a large export never becomes one tree.
 * Ownership: js_open() gives a stream the caller closes with js_close(). */
#ifndef PURGESIM_JSTREAM_H
#define PURGESIM_JSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

struct cJSON;

struct jstream {
    FILE *fp;
    const char *file;          /* name used in messages */
    char *buf;
    size_t len, pos;
    uint64_t bytes_read;
    size_t line, col;          /* of the next unread character, 1-based */
    bool eof, failed;
    bool borrowed;             /* buf is the caller's text (js_open_mem), not ours to free */
    char *cap;                 /* captured element text */
    size_t cap_len, cap_size, cap_limit;
    size_t cap_line, cap_col;  /* where the captured element starts */
    uint64_t cap_offset;       /* ... as a byte offset in the file */
    bool cap_checked;          /* the capture passed the strict check already */
    struct diag *d;
};

/* Opens `path` (label `file` in messages). Returns PS_OK or ERR_IO (message in d). */
int js_open(struct jstream *js, const char *path, const char *file, struct diag *d);
/* A stream over text already in memory (borrowed, not copied) that was read from `file` at
 * byte `offset`, line:col: positions in messages are those of the file. */
void js_open_mem(struct jstream *js, const char *text, size_t len, const char *file, struct diag *d,
                 size_t line, size_t col, uint64_t offset);
void js_close(struct jstream *js);
/* Frees the calling thread's cJSON node block (a thread that parsed calls this before it
 * exits). */
void js_thread_release(void);

/* The raw text of one object or array, copied out of the stream without parsing it. */
struct js_span {
    char *text;                /* grown as needed; the caller frees it */
    size_t len, cap;
    size_t line, col;          /* where it starts in the file */
    uint64_t offset;
};
enum js_span_end {
    JS_SPAN_DONE,              /* the brackets closed */
    JS_SPAN_EOF,               /* the file ended first (the text is then not valid JSON) */
    JS_SPAN_LIMIT,             /* longer than the limit: the text so far, for js_unread */
};
/* Copies the object or array starting at the next non-whitespace character (the caller has
 * peeked '{' or '[') into sp, tracking only strings and bracket depth, so it is fast; the
 * syntax is checked by whoever parses the copy. Moves the stream past what it copied. */
enum js_span_end js_copy_span(struct jstream *js, struct js_span *sp, size_t limit);
/* Puts a span just copied back in front of the unread input, as if it had not been read. */
void js_unread(struct jstream *js, const struct js_span *sp);

/* Next non-whitespace character without consuming it, or -1 at end of file. */
int js_peek(struct jstream *js);
/* Consumes `c` after whitespace; on mismatch records "expected 'c'" at `path` and fails. */
bool js_expect(struct jstream *js, char c, const char *path);
/* After an element of an array/object: consumes ',' (returns true, more follow) or `close`
 * (returns false, *done = true). On anything else records an error and sets js->failed. */
bool js_next_member(struct jstream *js, char close, const char *path, bool *done);
/* Reads an object key and the following ':' into out (truncated to cap-1; a longer key is
 * still consumed). */
bool js_read_key(struct jstream *js, char *out, size_t cap, const char *path);
/* Captures one complete value's text into js->cap (NUL-terminated). */
bool js_capture(struct jstream *js, const char *path);
/* Parses the captured text with cJSON; on a syntax error records file:line:col. The tree is
 * valid until the next js_parse_captured() on the same thread (its nodes live in a per-thread
 * block that the next call reuses); give it back with js_tree_release() before then. */
struct cJSON *js_parse_captured(struct jstream *js, const char *path);
/* Done with the last tree js_parse_captured() returned on this thread: frees what of it lies
 * outside the per-thread block (cJSON_Delete when anything does), nothing otherwise. */
void js_tree_release(struct cJSON *tree);
/* Where and why a text is not the JSON value it should be. */
struct js_parse_error {
    size_t line, col;
    char msg[128];
};

/* Checks text (starting at line:col of its file, white space after the value allowed) against
 * RFC 8259 and parses it with cJSON.
 * Returns the tree (malloc'd nodes unless the calling thread parses through
 * js_parse_captured), or NULL with *err filled. Safe to call from a second thread while the
 * first does not parse. */
struct cJSON *js_parse_text(const char *text, size_t len, size_t line, size_t col, struct js_parse_error *err);
/* Records an error at the current position. */
void js_error_here(struct jstream *js, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
