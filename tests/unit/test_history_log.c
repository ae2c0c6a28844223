/* test_history_log.c - the natural history refined by an event log (sim/REPLAY.md, "Natural
 * history from an event log"): pushes move tags and give observed untag times, manifests only the
 * log has are added and stored between their push and delete, the export wins at exportedAt,
 * and rows that did not take effect or cannot be placed are counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "events.h"
#include "fixtures.h"
#include "history_log.h"
#include "policy.h"
#include "replay.h"

#define LOGIN "myreg.azurecr.io"
#define V2 MEDIA_DOCKER_V2

struct tc {
    struct model *m;
    struct event_log log;
    struct history *h;
    struct history_log_stats st;
    struct diag d;
    char rows[16384];
};

static int setup(void **state)
{
    struct tc *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, "2026-01-10T00:00:00Z");
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct tc *c = *state;
    history_free(c->h);
    model_free(c->m);
    events_free(&c->log);
    diag_free(&c->d);
    free(c);
    return 0;
}

/* One row of `az monitor log-analytics query -o json` ("None": absent). */
static void row(struct tc *c, const char *t, const char *op, const char *repo, const char *tag, const char *label,
                const char *size, const char *status)
{
    size_t n = strlen(c->rows);
    snprintf(c->rows + n, sizeof c->rows - n,
             "%s{\"TimeGenerated\": \"%s\", \"OperationName\": \"%s\", \"Repository\": \"%s\", \"Tag\": \"%s\", "
             "\"Digest\": \"%s\", \"Size\": \"%s\", \"LoginServer\": \"" LOGIN "\", \"ResultDescription\": \"%s\"}",
             n ? ",\n" : "", t, op, repo, tag, label ? fx_digest_str(label) : "None", size, status);
}

static void build(struct tc *c)
{
    fx_finish(c->m);
    char text[17000];
    snprintf(text, sizeof text, "[%s]", c->rows);
    if (events_load_mem(&c->log, text, strlen(text), "log.json", LOGIN, &c->d) != PS_OK)
        fail_msg("log: %s", c->d.msgs[0]);
    events_finish(&c->log);
    assert_int_equal(history_build_log(c->m, &c->log, UNTAG_NEXT_PUSH, &c->st, &c->h), PS_OK);
}

static uint32_t id_of(const struct tc *c, const char *repo, const char *label)
{
    uint32_t r = fx_repo_index(c->m, repo);
    return (uint32_t)(c->h->repo_base[r] + fx_manifest_index(c->m, repo, label));
}

/* The instances of a tag name, "label[set,unset)" in set order, times as day numbers of
 * January 2026 with hours ("3.12" is the 3rd at 12:00), "-" for still there. */
static const char *instances(const struct tc *c, const char *name, char *out, size_t len)
{
    out[0] = 0;
    for (size_t k = 0; k < c->h->n_inst; k++) {
        const struct tag_instance *ti = &c->h->inst[k];
        if (strcmp(ti->name, name)) continue;
        const struct repo *rp = &c->m->repos[ti->repo];
        int64_t base = fx_ns("2025-12-31T00:00:00Z");
        char u[32];
        if (ti->unset_ns == INT64_MAX) snprintf(u, sizeof u, "-");
        else snprintf(u, sizeof u, "%lld.%02lld", (long long)((ti->unset_ns - base) / 86400000000000LL),
                      (long long)((ti->unset_ns - base) % 86400000000000LL / 3600000000000LL));
        size_t n = strlen(out);
        snprintf(out + n, len - n, "%s%s[%lld.%02lld,%s)", n ? " " : "", fx_label(&rp->manifests[ti->manifest].digest),
                 (long long)((ti->set_ns - base) / 86400000000000LL),
                 (long long)((ti->set_ns - base) % 86400000000000LL / 3600000000000LL), u);
    }
    return out;
}

/* Whether manifest id is present in the natural registry at t. */
static bool present_at(const struct tc *c, uint32_t id, const char *t)
{
    uint8_t *present = calloc(c->h->n_ids + 1, 1), *live = calloc(c->h->n_inst + 1, 1);
    assert_true(present && live);
    history_state_at(c->h, fx_ns(t), present, live);
    bool p = present[id];
    free(present);
    free(live);
    return p;
}

/* a pushed as latest on the 2nd, b pushed as latest on the 5th: a lost latest on the 5th, as the
 * log says, not at an assumed time; no untag model is needed for a. */
static void test_push_moves_a_tag_and_gives_the_observed_untag_time(void **state)
{
    struct tc *c = *state;
    fx_manifest(c->m, "app", "a", "2026-01-02T12:00:00Z", 100, V2);
    fx_manifest(c->m, "app", "b", "2026-01-05T12:00:00Z", 100, V2);
    fx_tag(c->m, "app", "latest", "b", "2026-01-05T12:00:00Z", false);
    row(c, "2026-01-02T12:00:00Z", "Push", "app", "latest", "a", "100", "201");
    row(c, "2026-01-05T12:00:00Z", "Push", "app", "latest", "b", "100", "201");
    build(c);
    char buf[256];
    assert_string_equal(instances(c, "latest", buf, sizeof buf), "a[2.12,5.12) b[5.12,-)");
    assert_int_equal(c->h->n_assumed_untags, 0);
    assert_int_equal(c->st.conflicts, 0);
    assert_int_equal(c->st.applied, 2);
    /* the export's tag keeps its attributes on the log's instance */
    assert_int_equal(c->h->inst[1].updated_ns, fx_ns("2026-01-05T12:00:00Z"));
}

/* The same export without the log: the untag model assumes a's tag, so the log did replace it. */
static void test_without_the_log_the_untag_model_is_assumed(void **state)
{
    struct tc *c = *state;
    fx_manifest(c->m, "app", "a", "2026-01-02T12:00:00Z", 100, V2);
    fx_manifest(c->m, "app", "b", "2026-01-05T12:00:00Z", 100, V2);
    fx_tag(c->m, "app", "latest", "b", "2026-01-05T12:00:00Z", false);
    build(c);   /* an empty log */
    assert_int_equal(c->h->n_assumed_untags, 1);
}

/* x is pushed on the 3rd and deleted on the 6th; the export never saw it. It is added (size from
 * the row, one blob of its own) and present exactly between the two rows. */
static void test_log_only_manifest_is_stored_between_push_and_delete(void **state)
{
    struct tc *c = *state;
    fx_manifest(c->m, "app", "a", "2026-01-02T12:00:00Z", 100, V2);
    fx_layer(c->m, "app", "a", "base", 100);
    fx_tag(c->m, "app", "v1", "a", "2026-01-02T12:00:00Z", false);
    row(c, "2026-01-03T00:00:00Z", "Push", "new", "dev", "x", "7000", "201");
    row(c, "2026-01-06T00:00:00Z", "Delete", "new", "None", "x", "None", "202");
    build(c);
    assert_int_equal(c->st.manifests_added, 1);
    assert_int_equal(c->st.repos_added, 1);
    uint32_t x = id_of(c, "new", "x");
    const struct manifest *mf = &c->m->repos[fx_repo_index(c->m, "new")].manifests[0];
    assert_int_equal(mf->size_bytes, 7000);
    assert_int_equal(mf->n_layers, 1);
    assert_true(model_layers_known(c->m));   /* dedup storage stays available */
    assert_false(present_at(c, x, "2026-01-02T23:59:59Z"));
    assert_true(present_at(c, x, "2026-01-03T00:00:00Z"));
    assert_true(present_at(c, x, "2026-01-05T23:59:59Z"));
    assert_false(present_at(c, x, "2026-01-06T00:00:00Z"));
    assert_false(present_at(c, x, "2026-01-10T00:00:00Z"));   /* the export agrees */
    char buf[256];
    assert_string_equal(instances(c, "dev", buf, sizeof buf), "x[3.00,6.00)");
    assert_int_equal(c->st.conflicts, 0);
}

/* The replay bills x between its push and its delete: the baseline stores its 7000 bytes on
 * the days it is there and not after. */
static void test_log_only_manifest_is_billed_between_push_and_delete(void **state)
{
    struct tc *c = *state;
    fx_manifest(c->m, "app", "a", "2026-01-01T12:00:00Z", 100, V2);
    fx_tag(c->m, "app", "v1", "a", "2026-01-01T12:00:00Z", false);
    row(c, "2026-01-03T12:00:00Z", "Push", "app", "dev", "x", "7000", "201");
    row(c, "2026-01-06T12:00:00Z", "Delete", "app", "None", "x", "None", "202");
    build(c);
    struct policy_set *ps = policy_set_new();
    policy_add_baseline(ps);
    struct replay_opts o;
    memset(&o, 0, sizeof o);
    o.from_ns = fx_ns("2026-01-02T00:00:00Z");
    o.to_ns = fx_ns("2026-01-08T00:00:00Z") - 1;
    o.jobs = 1;
    struct replay_result rr;
    assert_int_equal(replay_run(c->h, ps, &o, &rr), PS_OK);
    const struct replay_policy *b = &rr.pol[0];
    /* days 2..7 of January: x is there at the end of the 3rd, 4th and 5th */
    uint64_t want[] = {100, 7100, 7100, 7100, 100, 100};
    assert_int_equal(rr.n_days, 6);
    for (size_t d = 0; d < 6; d++) assert_int_equal(b->days[d].stored_bytes, want[d]);
    replay_result_free(&rr);
    policy_set_free(ps);
}

/* The log leaves y present, but the export does not hold it; it deletes a, which the export
 * holds: the export wins both ways, and both are counted. */
static void test_export_wins_a_conflict_and_it_is_counted(void **state)
{
    struct tc *c = *state;
    fx_manifest(c->m, "app", "a", "2026-01-02T12:00:00Z", 100, V2);
    fx_tag(c->m, "app", "v1", "a", "2026-01-02T12:00:00Z", false);
    row(c, "2026-01-03T00:00:00Z", "Push", "app", "None", "y", "50", "201");
    row(c, "2026-01-04T00:00:00Z", "Delete", "app", "None", "a", "None", "202");
    build(c);
    assert_int_equal(c->st.conflicts, 2);   /* y and a */
    uint32_t a = id_of(c, "app", "a"), y = id_of(c, "app", "y");
    assert_true(present_at(c, y, "2026-01-09T23:59:59Z"));
    assert_false(present_at(c, y, "2026-01-10T00:00:00Z"));   /* removed at exportedAt */
    assert_true(present_at(c, a, "2026-01-05T00:00:00Z"));    /* the deletion is not applied */
    assert_true(present_at(c, a, "2026-01-10T00:00:00Z"));
    char buf[256];
    /* the log never names v1: it stays on a, which stays */
    assert_string_equal(instances(c, "v1", buf, sizeof buf), "a[2.12,-)");
}

/* A delete of a digest neither the log pushed nor the export holds has no size: skipped, counted. */
static void test_delete_of_an_unknown_digest_is_counted_and_skipped(void **state)
{
    struct tc *c = *state;
    fx_manifest(c->m, "app", "a", "2026-01-02T12:00:00Z", 100, V2);
    row(c, "2026-01-04T00:00:00Z", "Delete", "app", "None", "ghost", "None", "202");
    row(c, "2026-01-04T00:00:00Z", "Delete", "gone-repo", "None", "ghost", "None", "202");
    build(c);
    assert_int_equal(c->st.unknown_deletes, 2);
    assert_int_equal(c->st.manifests_added, 0);
    assert_int_equal(c->h->n_ids, 1);
}

/* Rows that did not succeed (4xx) took no effect: the failed push adds nothing, the failed
 * untag leaves the tag; a row after exportedAt is past the history's end. */
static void test_rows_with_a_4xx_status_are_ignored(void **state)
{
    struct tc *c = *state;
    fx_manifest(c->m, "app", "a", "2026-01-02T12:00:00Z", 100, V2);
    fx_tag(c->m, "app", "v1", "a", "2026-01-02T12:00:00Z", false);
    row(c, "2026-01-02T12:00:00Z", "Push", "app", "v1", "a", "100", "201");
    row(c, "2026-01-03T00:00:00Z", "Push", "app", "dev", "z", "900", "404");
    row(c, "2026-01-04T00:00:00Z", "Untag", "app", "v1", "a", "None", "403");
    row(c, "2026-01-11T00:00:00Z", "Untag", "app", "v1", "a", "None", "202");
    build(c);
    assert_int_equal(c->log.failed_status, 2);
    assert_int_equal(c->st.manifests_added, 0);
    assert_int_equal(c->st.after_export, 1);
    assert_int_equal(c->st.conflicts, 0);
    char buf[256];
    assert_string_equal(instances(c, "v1", buf, sizeof buf), "a[2.12,-)");
}

/* An untag observed, then the same digest pushed again under the tag: two instances, and the
 * re-push is a push event (a policy that deleted it sees it come back). Duplicate rows, as two
 * overlapping files give, count once. */
static void test_untag_and_repush_with_duplicate_rows(void **state)
{
    struct tc *c = *state;
    fx_manifest(c->m, "app", "a", "2026-01-02T12:00:00Z", 100, V2);
    fx_tag(c->m, "app", "v1", "a", "2026-01-07T00:00:00Z", false);
    for (int k = 0; k < 2; k++) {
        row(c, "2026-01-02T12:00:00Z", "Push", "app", "v1", "a", "100", "201");
        row(c, "2026-01-04T00:00:00Z", "Untag", "app", "v1", "a", "None", "202");
        row(c, "2026-01-07T00:00:00Z", "Push", "app", "v1", "a", "100", "201");
    }
    build(c);
    char buf[256];
    assert_string_equal(instances(c, "v1", buf, sizeof buf), "a[2.12,4.00) a[7.00,-)");
    size_t pushes = 0;
    for (size_t k = 0; k < c->h->n_ev; k++) pushes += c->h->ev[k].kind == HEV_PUSH;
    assert_int_equal(pushes, 2);
    assert_int_equal(c->st.unplaced, 0);
    assert_int_equal(c->st.conflicts, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_push_moves_a_tag_and_gives_the_observed_untag_time),
        T(test_without_the_log_the_untag_model_is_assumed),
        T(test_log_only_manifest_is_stored_between_push_and_delete),
        T(test_log_only_manifest_is_billed_between_push_and_delete),
        T(test_export_wins_a_conflict_and_it_is_counted),
        T(test_delete_of_an_unknown_digest_is_counted_and_skipped),
        T(test_rows_with_a_4xx_status_are_ignored),
        T(test_untag_and_repush_with_duplicate_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
