/* fuzz.h - what the libFuzzer targets (tests/fuzz/fuzz_*.c) share: the entry point, a scratch
 * file for APIs that read paths, and the purge-engine invariants (sim/RULES.md §4).
 * Ownership: fuzz_scratch_file() keeps one file per process, reused by every call;
 * fuzz_strndup() gives a string the caller frees. Checks abort() with a message on violation,
 * which libFuzzer and the replay driver (replay.c) both report as a failure. */
#ifndef PURGESIM_FUZZ_H
#define PURGESIM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dryrun.h"
#include "model.h"
#include "purge.h"
#include "purgecmd.h"

/* The libFuzzer entry point each fuzz_*.c defines. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SCRATCH_SLOTS 4

/* Writes data to this process's scratch file number `slot` (< FUZZ_SCRATCH_SLOTS; a memfd,
 * else an unlinked file in /tmp) and returns a path that opens it ("/proc/self/fd/N"), valid
 * until the next call for that slot. Aborts when the file cannot be created or written: that
 * is the harness failing, not the code under test. */
const char *fuzz_scratch_file(unsigned slot, const uint8_t *data, size_t size);

/* This process's scratch directory (under /tmp, removed at exit), emptied: for inputs that
 * stand for an export directory. Aborts when it cannot be created or emptied. */
const char *fuzz_scratch_dir(void);
/* Writes data to the file `name` (a plain name, no '/') in the scratch directory. */
void fuzz_scratch_dir_file(const char *name, const uint8_t *data, size_t size);

/* /dev/null opened for writing, once per process (renderers write there); NULL if it fails. */
FILE *fuzz_devnull(void);

/* data[0..size) + NUL, malloc'd; the string ends at the first NUL byte of data, if any. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* Prints "fuzz: invariant violated: ..." to stderr and aborts. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) fuzz_fail(__VA_ARGS__);                                                       \
    } while (0)

/* True when the environment variable FUZZ_SKIP_KNOWN lists `bug` (comma-separated) or is "all":
 * lets a fuzzing session look past a known, not yet fixed bug whose reproducer is already in
 * tests/fuzz/regress/. `make fuzz` and the replay do not set it. */
bool fuzz_skip_known(const char *bug);

/* Checks one dry run of `rule` at now_ns over m (rep from dryrun_analyse) against §4: event
 * shape; deleted tags match the filter, are old enough and unlocked (unless --include-locked);
 * --keep N spares the newest min(N, candidates) tags, and again manifests; no protected
 * manifest (tagged after the tag phase, locked, too young or unreadable, a descendant of a
 * protected index, a referrer) is deleted by purge; cascades follow deleted subjects; byte
 * totals (imageSize and deduplicated) equal those of the deleted manifests. Aborts on the
 * first violation. */
/* The event checks of fuzz_check_dryrun for a run over views (purge_run_views, as the replay
 * calls it): absent manifests are neither deleted nor protect anything. Aborts on violation. */
void fuzz_check_run(const struct purge_view *views, size_t n_views, const struct purge_rule *rule,
                    int64_t now_ns, const struct purge_result *res);

void fuzz_check_dryrun(const struct model *m, const struct purge_rule *rule, int64_t now_ns,
                       const struct dryrun_report *rep);

#endif
