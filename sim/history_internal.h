/* history_internal.h - what the history builders share (history.c for snapshots, history_log.c
 * for an event log): not for the replay or the reports, which read struct history only. */
#ifndef PURGESIM_HISTORY_INTERNAL_H
#define PURGESIM_HISTORY_INTERNAL_H

#include "history.h"

struct history_builder {
    size_t cap_ev, cap_inst;
    size_t *order;             /* scratch: top-level manifests of a repository in push order */
    const int64_t *gone_ns;    /* per id: when it first leaves the history (INT64_MAX: never) */
    const uint8_t *observed;   /* per id: its push was seen (an event log): no untag model; may be NULL */
};

/* Ids, pushes at createdTime (else lastUpdateTime, else the earliest push), index children and
 * the referrer index of model m. */
struct history *history_new(const struct model *m, enum untag_model untag);
void history_add_event(struct history *h, size_t *cap, int64_t t, uint8_t kind, size_t item);
struct tag_instance *history_add_instance(struct history *h, size_t *cap);
/* The untag model for repository r, whose instances are h->inst[first_inst ..]. */
void history_assume_untags(struct history *h, struct history_builder *b, size_t r, size_t first_inst);
void history_copy_tag(struct tag_instance *ti, const struct tag *tg);
/* An event log: each push of a digest set its lastUpdateTime (sim/REPLAY.md): the values a
 * manifest showed are its pushes up to the end and the model's own (h->upd_start/upd_vals,
 * left NULL when no manifest has two). Call after history_sort_events. */
void history_updates_from_pushes(struct history *h);
/* qsort order of int64_t times, ascending. */
static inline int history_time_cmp(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}
/* Sorts h->ev by (time, kind, item). */
void history_sort_events(struct history *h);

#endif
