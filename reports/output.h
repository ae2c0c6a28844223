/* output.h - every file purgesim writes goes through here. A file appears whole or not at
 * all (written to a temporary name beside it, renamed when complete); a directory of outputs
 * (CSV files, charts, an HTML page) is written into a staging directory first, so a run that
 * fails halfway leaves nothing behind. A symbolic link (-o FILE, or a file's name inside an
 * existing -o DIR) is written through: the temporary file goes beside the link's target and is
 * renamed over that, so the link stays a link. A device, FIFO or socket (-o /dev/null) is
 * opened and written in place: renaming over it would replace it, and an abort cannot take its
 * bytes back. `-o` may name a directory that does not exist yet (a dangling symbolic link
 * named as one creates the directory it points at); it may never name one of the run's input
 * files, whatever the spelling of either path. "-" is standard output, as in most Unix tools:
 * the one document, never a directory of files (a file or directory named "-" is ./-).
 * Ownership: output_begin() gives a transaction that output_commit() or output_abort() ends
 * and frees; FILE pointers from output_open() belong to it until output_close(). */
#ifndef PURGESIM_OUTPUT_H
#define PURGESIM_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum output_kind {
    OUTPUT_STDOUT,  /* no -o: one document on standard output */
    OUTPUT_FILE,    /* -o FILE: one document */
    OUTPUT_DIR      /* -o DIR: named files inside DIR */
};

struct output;

/* Whether `path` is "-", standard output. NULL (no -o) is not. */
bool output_is_stdout(const char *path);

/* Whether `path` means a directory: it exists as one, or ends with '/'; never "-". */
bool output_path_is_dir(const char *path);

/* Starts writing to `path` (NULL or "-": standard output) as `kind`; "-" as OUTPUT_DIR is
 * refused (standard output takes one document). Refuses a path that is, or
 * (for a directory) would contain, one of the `n_inputs` input paths, and creates missing
 * parent directories. On failure writes a one-line reason (naming the path) to err and
 * returns NULL. What goes wrong later is said on stderr as "purgesim COMMAND: ..." (command
 * NULL: "purgesim: ..."), in the style of the command line's other errors. */
struct output *output_begin(const char *command, const char *path, enum output_kind kind,
                            const char *const *inputs, size_t n_inputs, char *err, size_t errlen);

/* The stream for the document (name NULL, OUTPUT_STDOUT or OUTPUT_FILE) or for the file `name`
 * inside the directory (OUTPUT_DIR). NULL with a message on stderr when it cannot be created.
 * Streams must be closed with output_close() before output_commit(). */
FILE *output_open(struct output *o, const char *name);
/* Closes a stream from output_open(); returns 0, or -1 (message on stderr) on a write error. */
int output_close(struct output *o, FILE *fp);

/* The final path of `name` (as output_open would place it), for messages. */
const char *output_path(const struct output *o, const char *name, char *buf, size_t len);

/* Moves everything written into place. Returns 0, or -1 with a message on stderr (then
 * nothing is left behind). Frees o either way. */
int output_commit(struct output *o);
/* Removes everything written so far and frees o. NULL is fine. */
void output_abort(struct output *o);

#endif
