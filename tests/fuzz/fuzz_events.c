/* fuzz_events.c - libFuzzer target: the event log reader (events_load_mem, and events_load on the
 * same bytes as a file) on the input, in whichever shape it looks like (az JSON array, Log
 * Analytics REST body, CSV). Checks: memory and file reads agree (result, rows, events, the
 * messages); a success accounts for every row (kept + failed status + other registry + unknown
 * operation = rows), keeps only 2xx (or absent) statuses and known operations, and sorts by
 * time; a failure says why and keeps nothing. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "events.h"
#include "fuzz.h"

static char *diag_text(struct diag *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    FUZZ_CHECK(fp != NULL, "open_memstream");
    diag_print(d, fp);
    fclose(fp);
    return text;
}

static void check_log(int rc, struct event_log *log, struct diag *d)
{
    if (rc != PS_OK) {
        FUZZ_CHECK(rc == ERR_INPUT, "events_load: rc %d", rc);
        FUZZ_CHECK(d->n_total > 0, "a failure without a message");
        FUZZ_CHECK(log->n == 0 && log->rows == 0 && log->files == 0, "a failed file kept %zu events", log->n);
        return;
    }
    FUZZ_CHECK(d->n_total == 0, "a success with %zu messages", d->n_total);
    FUZZ_CHECK(log->n + log->failed_status + log->other_registry + log->unknown_op == log->rows,
               "rows: %zu kept + %zu failed + %zu other + %zu unknown != %zu", log->n, log->failed_status,
               log->other_registry, log->unknown_op, log->rows);
    events_finish(log);
    for (size_t i = 0; i < log->n; i++) {
        const struct event *e = &log->ev[i];
        FUZZ_CHECK(e->op <= EVENT_DELETE, "event %zu: op %u", i, e->op);
        FUZZ_CHECK(e->status == 0 || (e->status >= 200 && e->status <= 299), "event %zu: status %u", i, e->status);
        FUZZ_CHECK(e->repo && e->repo[0], "event %zu: no repository", i);
        FUZZ_CHECK(!e->tag || (e->tag[0] && strncmp(e->tag, "sha256:", 7)), "event %zu: tag \"%s\"", i, e->tag);
        FUZZ_CHECK(!e->digest_in_tag || e->has_digest, "event %zu: digest_in_tag without a digest", i);
        if (i) FUZZ_CHECK(log->ev[i - 1].t_ns <= e->t_ns, "events %zu and %zu out of order", i - 1, i);
    }
}

static void compare(const struct event_log *a, const struct event_log *b)
{
    FUZZ_CHECK(a->n == b->n && a->rows == b->rows && a->failed_status == b->failed_status &&
                   a->other_registry == b->other_registry && a->unknown_op == b->unknown_op,
               "memory and file reads differ in counts");
    for (size_t i = 0; i < a->n; i++) {
        const struct event *x = &a->ev[i], *y = &b->ev[i];
        FUZZ_CHECK(x->t_ns == y->t_ns && x->op == y->op && !strcmp(x->repo, y->repo) && x->has_digest == y->has_digest &&
                       !memcmp(&x->digest, &y->digest, sizeof x->digest) && x->size_bytes == y->size_bytes &&
                       x->status == y->status && (x->tag == NULL) == (y->tag == NULL) &&
                       (!x->tag || !strcmp(x->tag, y->tag)),
                   "memory and file reads differ at event %zu", i);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct event_log mem, file;
    struct diag dm, df;
    memset(&mem, 0, sizeof mem);
    memset(&file, 0, sizeof file);
    memset(&dm, 0, sizeof dm);
    memset(&df, 0, sizeof df);
    /* the login server differs with the input, so both rules are exercised */
    const char *login = size % 2 ? "myreg.azurecr.io" : NULL;
    int rm = events_load_mem(&mem, (const char *)data, size, "fuzz", login, &dm);
    const char *path = fuzz_scratch_file(0, data, size);
    int rf = events_load(&file, path, login, &df);
    FUZZ_CHECK(rm == rf, "memory read %d, file read %d", rm, rf);
    char *tm = diag_text(&dm), *tf = diag_text(&df);
    /* the file's messages name its path where the memory read's name "fuzz" */
    if (rm == PS_OK) FUZZ_CHECK(!strcmp(tm, tf), "messages differ");
    else FUZZ_CHECK(dm.n_total == df.n_total, "%zu messages from memory, %zu from the file", dm.n_total, df.n_total);
    check_log(rm, &mem, &dm);
    check_log(rf, &file, &df);
    if (rm == PS_OK) compare(&mem, &file);
    free(tm);
    free(tf);
    diag_free(&dm);
    diag_free(&df);
    events_free(&mem);
    events_free(&file);
    return 0;
}
