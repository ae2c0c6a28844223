/* test_snapshot.c - several snapshots of one registry: the merged model, and the timeline that
 * reproduces each snapshot at its exportedAt (sim/REPLAY.md, "Several snapshots"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "fixtures.h"
#include "history.h"
#include "snapshot.h"
#include "timeu.h"

#define V2 MEDIA_DOCKER_V2

struct tc {
    struct snapshot_set *ss;
    struct history *h;
    struct model *loose[2];   /* models not yet handed to a set */
};

static int setup(void **state)
{
    struct tc *c = calloc(1, sizeof *c);
    if (!c) return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct tc *c = *state;
    history_free(c->h);
    snapshot_set_free(c->ss);
    model_free(c->loose[0]);
    model_free(c->loose[1]);
    free(c);
    return 0;
}

/* S1 at Jan 3: a (Jan 1) tagged v1, b (Jan 2) tagged latest.
 * S2 at Jan 6: a is gone; b now carries v2 (set Jan 5); c (Jan 4) carries latest (moved Jan 4). */
static void two_snapshots(void **state)
{
    struct tc *c = *state;
    struct model *s1 = c->loose[0] = fx_model(NULL);
    fx_exported_at(s1, "2026-01-03T00:00:00Z");
    fx_manifest(s1, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_manifest(s1, "app", "b", "2026-01-02T00:00:00Z", 200, V2);
    fx_tag(s1, "app", "v1", "a", "2026-01-01T00:00:00Z", false);
    fx_tag(s1, "app", "latest", "b", "2026-01-02T00:00:00Z", false);
    fx_finish(s1);
    struct model *s2 = c->loose[1] = fx_model(NULL);
    fx_exported_at(s2, "2026-01-06T00:00:00Z");
    fx_manifest(s2, "app", "b", "2026-01-02T00:00:00Z", 200, V2);
    fx_manifest(s2, "app", "c", "2026-01-04T00:00:00Z", 400, V2);
    fx_tag(s2, "app", "v2", "b", "2026-01-05T00:00:00Z", false);
    fx_tag(s2, "app", "latest", "c", "2026-01-04T00:00:00Z", false);
    fx_finish(s2);
    /* handed over in the wrong order on purpose: the set sorts by exportedAt */
    struct model *v[2] = {s2, s1};
    struct diag d;
    memset(&d, 0, sizeof d);
    assert_int_equal(snapshot_set_build(v, 2, &c->ss, &d), PS_OK);
    c->loose[0] = c->loose[1] = NULL;
    diag_free(&d);
    assert_int_equal(history_build_snapshots(c->ss, UNTAG_NEVER_TAGGED, &c->h), PS_OK);
}

/* The state at t as "label,label | tag=label,tag=label" (manifests and live tags sorted). */
static void state_at(const struct history *h, int64_t t, char *out, size_t n)
{
    uint8_t *present = calloc(h->n_ids + 1, 1), *live = calloc(h->n_inst + 1, 1);
    assert_true(present && live);
    history_state_at(h, t, present, live);
    const struct repo *rp = &h->m->repos[0];
    out[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i < rp->n_manifests; i++)
        if (present[i]) len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "", fx_label(&rp->manifests[i].digest));
    len += (size_t)snprintf(out + len, n - len, " |");
    /* tags in name order: instances of one name are adjacent by construction */
    for (size_t k = 0; k < h->n_inst; k++)
        if (live[k])
            len += (size_t)snprintf(out + len, n - len, " %s=%s", h->inst[k].name,
                                    fx_label(&rp->manifests[h->inst[k].manifest].digest));
    free(present);
    free(live);
}

static int64_t at(const char *s)
{
    int64_t t = 0;
    assert_true(timeu_parse_rfc3339(s, strlen(s), &t, NULL));
    return t;
}

static void test_merged_model_holds_every_manifest_ever_seen(void **state)
{
    two_snapshots(state);
    struct tc *c = *state;
    const struct model *m = c->ss->merged;
    assert_int_equal(m->n_repos, 1);
    assert_int_equal(m->repos[0].n_manifests, 3);
    assert_true(m->exported_at_ns == at("2026-01-06T00:00:00Z"));
    /* a only in S1, b in both, c only in S2 */
    assert_int_equal(c->ss->held[0][0], 1);
    assert_int_equal(c->ss->held[0][1], 3);
    assert_int_equal(c->ss->held[0][2], 2);
}

static void test_timeline_reproduces_the_first_snapshot_at_its_exported_at(void **state)
{
    two_snapshots(state);
    char got[256];
    state_at(((struct tc *)*state)->h, at("2026-01-03T00:00:00Z"), got, sizeof got);
    assert_string_equal(got, "a,b | latest=b v1=a");
}

static void test_timeline_reproduces_the_second_snapshot_at_its_exported_at(void **state)
{
    two_snapshots(state);
    char got[256];
    state_at(((struct tc *)*state)->h, at("2026-01-06T00:00:00Z"), got, sizeof got);
    assert_string_equal(got, "b,c | latest=c v2=b");
}

static void test_between_snapshots_tags_move_at_their_last_update_time(void **state)
{
    two_snapshots(state);
    char got[256];
    /* Jan 4 12:00: c was pushed and latest moved to it; v2 not yet (Jan 5); a is still there,
     * since its removal is known only at the second snapshot */
    state_at(((struct tc *)*state)->h, at("2026-01-04T12:00:00Z"), got, sizeof got);
    assert_string_equal(got, "a,b,c | latest=c v1=a");
}

static void test_removal_takes_effect_at_the_later_exported_at(void **state)
{
    two_snapshots(state);
    char got[256];
    state_at(((struct tc *)*state)->h, at("2026-01-05T23:59:59Z"), got, sizeof got);
    assert_string_equal(got, "a,b,c | latest=c v1=a v2=b");
}

static void test_event_older_than_the_earlier_snapshot_moves_after_it(void **state)
{
    struct tc *c = *state;
    struct model *s1 = c->loose[0] = fx_model(NULL);
    fx_exported_at(s1, "2026-01-03T00:00:00Z");
    fx_manifest(s1, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_finish(s1);
    struct model *s2 = c->loose[1] = fx_model(NULL);
    fx_exported_at(s2, "2026-01-06T00:00:00Z");
    fx_manifest(s2, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    /* created before S1 but not in S1: it can only have arrived after S1 */
    fx_manifest(s2, "app", "late", "2026-01-02T00:00:00Z", 50, V2);
    fx_tag(s2, "app", "old", "a", "2026-01-02T00:00:00Z", false);
    fx_finish(s2);
    struct model *v[2] = {s1, s2};
    struct diag d;
    memset(&d, 0, sizeof d);
    assert_int_equal(snapshot_set_build(v, 2, &c->ss, &d), PS_OK);
    c->loose[0] = c->loose[1] = NULL;
    diag_free(&d);
    assert_int_equal(history_build_snapshots(c->ss, UNTAG_NEVER_TAGGED, &c->h), PS_OK);
    char got[256];
    state_at(c->h, at("2026-01-03T00:00:00Z"), got, sizeof got);
    assert_string_equal(got, "a |");
    state_at(c->h, at("2026-01-03T00:00:00.000000001Z"), got, sizeof got);
    assert_string_equal(got, "a,late | old=a");
}

static void test_same_exported_at_twice_is_an_error(void **state)
{
    struct tc *c = *state;
    c->loose[0] = fx_finish(fx_model(NULL));
    c->loose[1] = fx_finish(fx_model(NULL));
    fx_exported_at(c->loose[0], "2026-01-03T00:00:00Z");
    fx_exported_at(c->loose[1], "2026-01-03T00:00:00Z");
    struct model *v[2] = {c->loose[0], c->loose[1]};
    struct diag d;
    memset(&d, 0, sizeof d);
    assert_int_equal(snapshot_set_build(v, 2, &c->ss, &d), ERR_INPUT);
    assert_non_null(strstr(d.msgs[0], "same exportedAt"));
    diag_free(&d);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_merged_model_holds_every_manifest_ever_seen),
        T(test_timeline_reproduces_the_first_snapshot_at_its_exported_at),
        T(test_timeline_reproduces_the_second_snapshot_at_its_exported_at),
        T(test_between_snapshots_tags_move_at_their_last_update_time),
        T(test_removal_takes_effect_at_the_later_exported_at),
        T(test_event_older_than_the_earlier_snapshot_moves_after_it),
        T(test_same_exported_at_twice_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
