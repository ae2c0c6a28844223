/* textfile.h - open a text input (a file, or bytes in memory): skip a UTF-8 BOM, refuse UTF-16,
 * and sniff its first byte so a loader can choose between JSON and a line format.
 * Ownership: the FILE * and jstream given out are the caller's to close. */
#ifndef PURGESIM_TEXTFILE_H
#define PURGESIM_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "jstream.h"

/* fopen(path, "rb"), failing with errno EISDIR for a directory: fopen opens one on Linux and
 * only the first read fails, which a loader would report without a reason. On NULL the
 * caller says why with strerror(errno), in its own words. */
FILE *textfile_fopen(const char *path);

/* A pipe, a terminal or another input that can be read only once (`--in-use <(kubectl ...)`,
 * `cat log.json | purgesim ... --events /dev/stdin`) is read whole into *text (NUL-terminated,
 * the caller frees it), *len bytes, for a loader that looks at the head and then reads from the
 * start. A regular file, or one that cannot be opened, leaves *text NULL: the loader opens it
 * itself. Returns PS_OK, or ERR_IO with a message naming `file` on a read error. (textfile_fopen
 * does the same for loaders that take a FILE *.) */
int textfile_slurp_stream(const char *path, const char *file, char **text, size_t *len, struct diag *d);

/* Whether s[0..n) (a file's first block, or a line) may be read as text: false, with one
 * message naming `file`, for UTF-16 or for a NUL byte (an image, an archive: a line reader
 * would give an error per line of it). `line` is the line number of s[0]. */
bool textfile_is_text(const char *s, size_t n, size_t line, const char *file, struct diag *d);

/* Reads the head of `path` (or `text`, `len` when path is NULL) and sets *first to its first
 * non-blank byte after a UTF-8 BOM, or -1 when it is all blank. For a path, *fp is the file,
 * rewound; for text it is NULL. Returns PS_OK; ERR_IO when the file cannot be opened or read,
 * or ERR_INPUT when its head is not text (textfile_is_text) (each with a message naming
 * `file`, and *fp untouched). */
int textfile_sniff(const char *path, const char *text, size_t len, const char *file, FILE **fp,
                   int *first, struct diag *d);

/* Opens `js` over `path`, or over `text` when path is NULL. Returns PS_OK or js_open's error. */
int textfile_open_json(struct jstream *js, const char *path, const char *text, size_t len,
                       const char *file, struct diag *d);

/* `fp` when it is open; otherwise a stream over `text` (empty when len is 0). Returns NULL with
 * a message naming `file` when that cannot be opened. */
FILE *textfile_stream(FILE *fp, const char *text, size_t len, const char *file, struct diag *d);

/* Skips a UTF-8 byte order mark at the start of a JSON stream (as ingest does). */
void textfile_skip_bom(struct jstream *js);

#endif
