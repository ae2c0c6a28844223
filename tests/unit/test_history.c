/* test_history.c - unit tests for history.h: the natural timeline derived from one snapshot
 * (sim/REPLAY.md "Natural history from snapshots"): pushes at createdTime, tags set at their
 * lastUpdateTime, the untag models for manifests untagged now, and the snapshot reached exactly
 * at exportedAt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "diag.h"
#include "history.h"
#include "timeu.h"

#define V2 MEDIA_DOCKER_V2
#define OCI MEDIA_OCI_MANIFEST
#define INDEX MEDIA_OCI_INDEX

#define END "2026-01-10T00:00:00Z"

/* ---- per-test state: freed in teardown even when an assertion fails ---- */

struct tc {
    struct model *m;
    struct history *h;
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
    model_free(c->m);
    free(c);
    return 0;
}

static struct model *new_model(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, END);
    return c->m;
}

static struct history *build(void **state, enum untag_model u)
{
    struct tc *c = *state;
    fx_finish(c->m);
    assert_int_equal(history_build(c->m, u, &c->h), PS_OK);
    return c->h;
}

/* The history id of a manifest. */
static size_t id_of(const struct history *h, const char *repo, const char *label)
{
    uint32_t r = fx_repo_index(h->m, repo);
    return h->repo_base[r] + fx_manifest_index(h->m, repo, label);
}

/* Tag instances named `name` on manifest `label` (assumed or not). */
static size_t count_inst(const struct history *h, const char *repo, const char *name, const char *label)
{
    uint32_t r = fx_repo_index(h->m, repo);
    uint32_t mi = fx_manifest_index(h->m, repo, label);
    size_t n = 0;
    for (size_t i = 0; i < h->n_inst; i++)
        n += h->inst[i].repo == r && h->inst[i].manifest == mi && !strcmp(h->inst[i].name, name);
    return n;
}

static const struct tag_instance *inst_of(const struct history *h, const char *repo, const char *name,
                                          const char *label)
{
    uint32_t r = fx_repo_index(h->m, repo);
    uint32_t mi = fx_manifest_index(h->m, repo, label);
    for (size_t i = 0; i < h->n_inst; i++)
        if (h->inst[i].repo == r && h->inst[i].manifest == mi && !strcmp(h->inst[i].name, name))
            return &h->inst[i];
    fail_msg("no tag instance %s:%s on %s", repo, name, label);
    return NULL;
}

/* Assumed instances on a manifest (any name). */
static size_t assumed_on(const struct history *h, const char *repo, const char *label)
{
    uint32_t r = fx_repo_index(h->m, repo);
    uint32_t mi = fx_manifest_index(h->m, repo, label);
    size_t n = 0;
    for (size_t i = 0; i < h->n_inst; i++)
        n += h->inst[i].repo == r && h->inst[i].manifest == mi && h->inst[i].assumed;
    return n;
}

/* The time of the (single) event of `kind` on `item`; fails when there is not exactly one. */
static int64_t event_time(const struct history *h, enum hist_kind kind, size_t item)
{
    int64_t t = 0;
    size_t n = 0;
    for (size_t i = 0; i < h->n_ev; i++)
        if (h->ev[i].kind == kind && h->ev[i].item == item) {
            t = h->ev[i].t_ns;
            n++;
        }
    if (n != 1) fail_msg("expected one event of kind %d on item %zu, found %zu", (int)kind, item, n);
    return t;
}

static size_t inst_index(const struct history *h, const struct tag_instance *ti)
{
    return (size_t)(ti - h->inst);
}

/* ======================================================================================
 * pushes
 * ====================================================================================== */

static void test_manifest_is_pushed_at_its_created_time(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-05T00:00:00Z", 100, V2);
    fx_created(m, "app", "a", "2026-01-02T03:04:05Z");
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    size_t id = id_of(h, "app", "a");
    assert_int_equal(h->push_ns[id], fx_ns("2026-01-02T03:04:05Z"));
    assert_int_equal(event_time(h, HEV_PUSH, id), fx_ns("2026-01-02T03:04:05Z"));
    assert_int_equal(h->first_push_ns, fx_ns("2026-01-02T03:04:05Z"));
    assert_int_equal(h->end_ns, fx_ns(END));
}

static void test_push_falls_back_to_last_update_time_without_created_time(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-05T00:00:00Z", 100, V2);
    fx_created(m, "app", "a", NULL);
    fx_manifest(m, "app", "b", "2026-01-06T00:00:00Z", 100, V2);
    fx_created(m, "app", "b", "garbage");
    struct history *h = build(state, UNTAG_NEVER_TAGGED);
    assert_int_equal(h->push_ns[id_of(h, "app", "a")], fx_ns("2026-01-05T00:00:00Z"));
    assert_int_equal(h->push_ns[id_of(h, "app", "b")], fx_ns("2026-01-06T00:00:00Z"));
}

static void test_manifest_without_any_time_is_pushed_with_the_first_push(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-03T00:00:00Z", 100, V2);
    fx_manifest(m, "other", "b", "2026-01-07T00:00:00Z", 100, V2);
    fx_manifest(m, "other", "c", NULL, 100, V2);
    struct history *h = build(state, UNTAG_NEVER_TAGGED);
    assert_int_equal(h->first_push_ns, fx_ns("2026-01-03T00:00:00Z"));
    assert_int_equal(h->push_ns[id_of(h, "other", "c")], fx_ns("2026-01-03T00:00:00Z"));
}

static void test_push_after_exported_at_is_moved_to_exported_at(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-02-01T00:00:00Z", 100, V2);
    struct history *h = build(state, UNTAG_NEVER_TAGGED);
    assert_int_equal(h->push_ns[id_of(h, "app", "a")], fx_ns(END));
}

static void test_ids_are_numbered_by_repository_then_digest(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "b-repo", "x", "2026-01-01T00:00:00Z", 1, V2);
    fx_manifest(m, "a-repo", "y", "2026-01-01T00:00:00Z", 1, V2);
    fx_manifest(m, "a-repo", "b", "2026-01-01T00:00:00Z", 1, V2);
    struct history *h = build(state, UNTAG_NEVER_TAGGED);
    assert_int_equal(h->n_ids, 3);
    assert_int_equal(id_of(h, "a-repo", "b"), 0);
    assert_int_equal(id_of(h, "a-repo", "y"), 1);
    assert_int_equal(id_of(h, "b-repo", "x"), 2);
    assert_int_equal(h->id_repo[2], fx_repo_index(h->m, "b-repo"));
}

/* ======================================================================================
 * tags
 * ====================================================================================== */

static void test_tag_is_set_at_its_last_update_time(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-02T00:00:00Z", 100, V2);
    fx_tag(m, "app", "v1", "a", "2026-01-04T06:00:00Z", false);
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    const struct tag_instance *ti = inst_of(h, "app", "v1", "a");
    assert_false(ti->assumed);
    assert_int_equal(ti->set_ns, fx_ns("2026-01-04T06:00:00Z"));
    assert_int_equal(ti->unset_ns, INT64_MAX);
    assert_int_equal(ti->updated_ns, fx_ns("2026-01-04T06:00:00Z"));
    assert_int_equal(event_time(h, HEV_TAG_SET, inst_index(h, ti)), fx_ns("2026-01-04T06:00:00Z"));
}

static void test_tag_updated_before_its_manifest_push_is_set_at_the_push(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-02T00:00:00Z", 100, V2);
    fx_tag(m, "app", "v1", "a", "2026-01-01T00:00:00Z", false);
    fx_tag(m, "app", "v2", "a", NULL, false);
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    assert_int_equal(inst_of(h, "app", "v1", "a")->set_ns, fx_ns("2026-01-02T00:00:00Z"));
    /* a tag without a time is set at the push, and keeps its missing state for purge */
    const struct tag_instance *v2 = inst_of(h, "app", "v2", "a");
    assert_int_equal(v2->set_ns, fx_ns("2026-01-02T00:00:00Z"));
    assert_int_equal(v2->updated_state, TIME_MISSING);
}

static void test_tag_keeps_its_lock_flags(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-02T00:00:00Z", 100, V2);
    fx_tag(m, "app", "v1", "a", "2026-01-03T00:00:00Z", false);
    fx_tag_flags(m, "app", "v1", false, true);
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    const struct tag_instance *ti = inst_of(h, "app", "v1", "a");
    assert_false(ti->delete_enabled);
    assert_true(ti->write_enabled);
}

/* ======================================================================================
 * untag models
 * ====================================================================================== */

/* app: a (day 1, untagged now), b (day 3, untagged now), c (day 5, tagged latest). */
static void three_pushes(struct model *m)
{
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "b", "2026-01-03T00:00:00Z", 200, V2);
    fx_manifest(m, "app", "c", "2026-01-05T00:00:00Z", 400, V2);
    fx_tag(m, "app", "latest", "c", "2026-01-05T00:00:00Z", false);
}

static void test_next_push_model_untags_at_the_next_push_in_the_repository(void **state)
{
    three_pushes(new_model(state));
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    /* the moving tag is the repository's last-updated tag, "latest" */
    const struct tag_instance *a = inst_of(h, "app", "latest", "a");
    assert_true(a->assumed);
    assert_int_equal(a->set_ns, fx_ns("2026-01-01T00:00:00Z"));
    assert_int_equal(a->unset_ns, fx_ns("2026-01-03T00:00:00Z"));
    assert_int_equal(a->updated_ns, fx_ns("2026-01-01T00:00:00Z"));
    assert_int_equal(event_time(h, HEV_TAG_UNSET, inst_index(h, a)), fx_ns("2026-01-03T00:00:00Z"));
    const struct tag_instance *b = inst_of(h, "app", "latest", "b");
    assert_int_equal(b->unset_ns, fx_ns("2026-01-05T00:00:00Z"));
    assert_int_equal(h->n_assumed_untags, 2);
    /* c is tagged in the snapshot: no assumption */
    assert_int_equal(assumed_on(h, "app", "c"), 0);
}

static void test_next_push_model_uses_own_update_when_it_is_later(void **state)
{
    struct model *m = new_model(state);
    three_pushes(m);
    /* a's lastUpdateTime (day 4) is after the next push (day 3) */
    fx_manifest(m, "app", "d", "2026-01-04T00:00:00Z", 50, V2);
    fx_created(m, "app", "d", "2026-01-01T12:00:00Z");
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    const struct tag_instance *d = inst_of(h, "app", "latest", "d");
    assert_int_equal(d->set_ns, fx_ns("2026-01-01T12:00:00Z"));
    assert_int_equal(d->unset_ns, fx_ns("2026-01-04T00:00:00Z"));
}

static void test_next_push_model_skips_pushes_at_the_same_instant(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 1, V2);
    fx_manifest(m, "app", "b", "2026-01-01T00:00:00Z", 1, V2);
    fx_manifest(m, "app", "c", "2026-01-02T00:00:00Z", 1, V2);
    fx_tag(m, "app", "latest", "c", "2026-01-02T00:00:00Z", false);
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    assert_int_equal(inst_of(h, "app", "latest", "a")->unset_ns, fx_ns("2026-01-02T00:00:00Z"));
    assert_int_equal(inst_of(h, "app", "latest", "b")->unset_ns, fx_ns("2026-01-02T00:00:00Z"));
}

static void test_next_push_model_assumes_nothing_for_the_last_push_not_updated_since(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 1, V2);
    fx_manifest(m, "app", "b", "2026-01-02T00:00:00Z", 1, V2);
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    assert_int_equal(assumed_on(h, "app", "a"), 1);
    /* b is the newest push and its lastUpdateTime is its push: untagged from the start */
    assert_int_equal(assumed_on(h, "app", "b"), 0);
    /* no tag at all in the repository: the moving tag is called "latest" */
    assert_int_equal(count_inst(h, "app", "latest", "a"), 1);
}

static void test_moving_tag_is_the_last_updated_tag_of_the_repository(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 1, V2);
    fx_manifest(m, "app", "b", "2026-01-02T00:00:00Z", 1, V2);
    fx_manifest(m, "app", "c", "2026-01-03T00:00:00Z", 1, V2);
    fx_tag(m, "app", "v1", "b", "2026-01-02T00:00:00Z", false);
    fx_tag(m, "app", "main", "c", "2026-01-03T00:00:00Z", false);
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    assert_int_equal(count_inst(h, "app", "main", "a"), 1);
    assert_int_equal(assumed_on(h, "app", "a"), 1);
}

static void test_assumed_moving_tag_leaves_before_the_snapshots_tag_of_that_name_is_set(void **state)
{
    struct model *m = new_model(state);
    /* a's own lastUpdateTime (Jan 6) is after the next push, but `latest` has been on b since
     * Jan 3 (its lastUpdateTime): it cannot have been on a as well after that */
    fx_manifest(m, "app", "a", "2026-01-06T00:00:00Z", 100, V2);
    fx_created(m, "app", "a", "2026-01-01T00:00:00Z");
    fx_manifest(m, "app", "b", "2026-01-03T00:00:00Z", 100, V2);
    fx_tag(m, "app", "latest", "b", "2026-01-03T00:00:00Z", false);
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    const struct tag_instance *a = inst_of(h, "app", "latest", "a");
    assert_int_equal(a->set_ns, fx_ns("2026-01-01T00:00:00Z"));
    assert_int_equal(a->unset_ns, fx_ns("2026-01-03T00:00:00Z"));
}

static void test_no_moving_tag_is_assumed_for_pushes_after_it_was_set(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "b", "2026-01-03T00:00:00Z", 100, V2);
    fx_tag(m, "app", "latest", "b", "2026-01-03T00:00:00Z", false);
    /* pushed after `latest` last moved, untagged now: `latest` was never on them */
    fx_manifest(m, "app", "c", "2026-01-05T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "d", "2026-01-07T00:00:00Z", 100, V2);
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    assert_int_equal(assumed_on(h, "app", "c"), 0);
    assert_int_equal(assumed_on(h, "app", "d"), 0);
    assert_int_equal(h->n_assumed_untags, 0);
}

static void test_a_tag_name_is_never_on_two_manifests_with_the_snapshots_tag(void **state)
{
    /* every untag model: no assumed instance overlaps the snapshot's instance of its name */
    for (int u = UNTAG_NEXT_PUSH; u <= UNTAG_NEVER_TAGGED; u++) {
        struct tc *c = *state;
        history_free(c->h);
        c->h = NULL;
        model_free(c->m);
        struct model *m = new_model(state);
        fx_manifest(m, "app", "a", "2026-01-09T00:00:00Z", 1, V2);
        fx_created(m, "app", "a", "2026-01-01T00:00:00Z");
        fx_manifest(m, "app", "b", "2026-01-02T00:00:00Z", 1, V2);
        fx_manifest(m, "app", "c", "2026-01-04T00:00:00Z", 1, V2);
        fx_tag(m, "app", "main", "c", "2026-01-04T00:00:00Z", false);
        fx_manifest(m, "app", "d", "2026-01-08T00:00:00Z", 1, V2);
        fx_created(m, "app", "d", "2026-01-05T00:00:00Z");
        struct history *h = build(state, (enum untag_model)u);
        const struct tag_instance *real = inst_of(h, "app", "main", "c");
        for (size_t i = 0; i < h->n_inst; i++) {
            const struct tag_instance *ti = &h->inst[i];
            if (!ti->assumed || strcmp(ti->name, "main")) continue;
            assert_true(ti->unset_ns <= real->set_ns);
            assert_true(ti->set_ns < ti->unset_ns);
        }
    }
}

static void test_own_update_model_untags_at_the_manifests_last_update_time(void **state)
{
    struct model *m = new_model(state);
    three_pushes(m);
    fx_created(m, "app", "a", "2025-12-30T00:00:00Z");   /* updated day 1, pushed before */
    struct history *h = build(state, UNTAG_OWN_UPDATE);
    const struct tag_instance *a = inst_of(h, "app", "latest", "a");
    assert_int_equal(a->set_ns, fx_ns("2025-12-30T00:00:00Z"));
    assert_int_equal(a->unset_ns, fx_ns("2026-01-01T00:00:00Z"));
    /* b's lastUpdateTime is its push: nothing to assume (the next push plays no part) */
    assert_int_equal(assumed_on(h, "app", "b"), 0);
    assert_int_equal(h->n_assumed_untags, 1);
}

static void test_never_tagged_model_assumes_no_tag(void **state)
{
    three_pushes(new_model(state));
    struct history *h = build(state, UNTAG_NEVER_TAGGED);
    assert_int_equal(h->n_assumed_untags, 0);
    assert_int_equal(h->n_inst, 1);   /* just the snapshot's latest */
    for (size_t i = 0; i < h->n_ev; i++) assert_int_not_equal(h->ev[i].kind, HEV_TAG_UNSET);
}

static void test_index_children_are_never_tagged(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "idx", "2026-01-01T00:00:10Z", 10, INDEX);
    fx_manifest(m, "app", "amd64", "2026-01-01T00:00:00Z", 100, OCI);
    fx_manifest(m, "app", "arm64", "2026-01-01T00:00:00Z", 100, OCI);
    fx_children(m, "app", "idx", "amd64", "arm64", NULL);
    fx_manifest(m, "app", "next", "2026-01-02T00:00:00Z", 100, OCI);
    fx_tag(m, "app", "latest", "next", "2026-01-02T00:00:00Z", false);
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    assert_true(h->is_child[id_of(h, "app", "amd64")]);
    assert_true(h->is_child[id_of(h, "app", "arm64")]);
    assert_false(h->is_child[id_of(h, "app", "idx")]);
    assert_int_equal(assumed_on(h, "app", "amd64"), 0);
    assert_int_equal(assumed_on(h, "app", "arm64"), 0);
    /* the index itself lost its tag at the next top-level push (children do not count) */
    assert_int_equal(inst_of(h, "app", "latest", "idx")->unset_ns, fx_ns("2026-01-02T00:00:00Z"));
}

static void test_referrers_are_never_tagged(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "sig", "2026-01-01T01:00:00Z", 1, OCI);
    fx_subject(m, "app", "sig", "a");
    fx_manifest(m, "app", "b", "2026-01-03T00:00:00Z", 100, V2);
    fx_tag(m, "app", "latest", "b", "2026-01-03T00:00:00Z", false);
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    assert_int_equal(assumed_on(h, "app", "sig"), 0);
    /* and a referrer's push is not "the next push" of the image before it */
    assert_int_equal(inst_of(h, "app", "latest", "a")->unset_ns, fx_ns("2026-01-03T00:00:00Z"));
}

/* ======================================================================================
 * the timeline
 * ====================================================================================== */

static void test_events_are_sorted_by_time_then_push_unset_set(void **state)
{
    three_pushes(new_model(state));
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    for (size_t i = 1; i < h->n_ev; i++) {
        const struct hist_event *x = &h->ev[i - 1], *y = &h->ev[i];
        assert_true(x->t_ns < y->t_ns || (x->t_ns == y->t_ns && x->kind <= y->kind));
    }
    /* at day 3: b's push, then latest leaves a, then latest lands on b */
    int64_t d3 = fx_ns("2026-01-03T00:00:00Z");
    uint8_t kinds[3];
    size_t n = 0;
    for (size_t i = 0; i < h->n_ev; i++)
        if (h->ev[i].t_ns == d3 && n < 3) kinds[n++] = h->ev[i].kind;
    assert_int_equal(n, 3);
    assert_int_equal(kinds[0], HEV_PUSH);
    assert_int_equal(kinds[1], HEV_TAG_UNSET);
    assert_int_equal(kinds[2], HEV_TAG_SET);
}

/* Many events at a few instants (more than a small-array sort handles): time, then kind, then
 * item, strictly. */
static void test_events_at_one_instant_are_ordered_by_kind_then_item(void **state)
{
    struct model *m = new_model(state);
    static const char *times[3] = {"2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"};
    for (int i = 0; i < 90; i++) {
        char label[16], tag[16];
        /* labels in an order unlike their digests' order */
        snprintf(label, sizeof label, "m%02d", (i * 37) % 90);
        snprintf(tag, sizeof tag, "t%d", i);
        fx_manifest(m, i % 2 ? "app" : "web", label, times[i % 3], 10, V2);
        fx_tag(m, i % 2 ? "app" : "web", tag, label, times[(i + 1) % 3], false);
    }
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    assert_true(h->n_ev >= 180);
    for (size_t i = 1; i < h->n_ev; i++) {
        const struct hist_event *x = &h->ev[i - 1], *y = &h->ev[i];
        bool ordered = x->t_ns < y->t_ns ||
                       (x->t_ns == y->t_ns && (x->kind < y->kind || (x->kind == y->kind && x->item < y->item)));
        if (!ordered)
            fail_msg("events %zu and %zu out of order: (%lld, %d, %u) then (%lld, %d, %u)", i - 1, i,
                     (long long)x->t_ns, x->kind, x->item, (long long)y->t_ns, y->kind, y->item);
    }
}

/* Plays every event up to exportedAt and checks the result is exactly the snapshot: every
 * manifest present, and the live tags are the snapshot's tags, each on its manifest. */
static void assert_end_state_is_snapshot(const struct history *h)
{
    const struct model *m = h->m;
    uint8_t *present = calloc(h->n_ids + 1, 1);
    uint8_t *live = calloc(h->n_inst + 1, 1);
    assert_non_null(present);
    assert_non_null(live);
    for (size_t i = 0; i < h->n_ev; i++) {
        const struct hist_event *e = &h->ev[i];
        assert_true(e->t_ns <= h->end_ns);
        if (e->kind == HEV_PUSH) {
            present[e->item] = 1;
            continue;
        }
        const struct tag_instance *ti = &h->inst[e->item];
        /* a tag is only ever set on a manifest already pushed */
        assert_true(present[h->repo_base[ti->repo] + ti->manifest]);
        live[e->item] = e->kind == HEV_TAG_SET;
    }
    for (size_t id = 0; id < h->n_ids; id++) assert_true(present[id]);
    size_t n_live = 0;
    for (size_t i = 0; i < h->n_inst; i++) {
        if (!live[i]) continue;
        n_live++;
        const struct tag_instance *ti = &h->inst[i];
        assert_false(ti->assumed);
        const struct repo *rp = &m->repos[ti->repo];
        bool found = false;
        for (size_t t = 0; t < rp->n_tags && !found; t++)
            found = !strcmp(rp->tags[t].name, ti->name) && rp->tags[t].manifest == ti->manifest;
        assert_true(found);
    }
    assert_int_equal(n_live, m->n_tags);
    free(present);
    free(live);
}

static void snapshot_with_everything(struct model *m)
{
    three_pushes(m);
    fx_created(m, "app", "b", "2026-01-02T00:00:00Z");   /* updated after the next push */
    fx_manifest(m, "app", "idx", "2026-01-06T00:00:10Z", 10, INDEX);
    fx_manifest(m, "app", "amd64", "2026-01-06T00:00:00Z", 100, OCI);
    fx_children(m, "app", "idx", "amd64", NULL);
    fx_manifest(m, "app", "sig", "2026-01-06T01:00:00Z", 1, OCI);
    fx_subject(m, "app", "sig", "idx");
    fx_tag(m, "app", "v1", "idx", "2026-01-09T00:00:00Z", false);
    fx_tag(m, "app", "old", "a", "2025-01-01T00:00:00Z", true);
    fx_manifest(m, "app", "late", "2026-03-01T00:00:00Z", 7, V2);   /* after exportedAt */
    fx_tag(m, "app", "future", "late", "2026-03-02T00:00:00Z", false);
    fx_manifest(m, "svc", "x", NULL, 5, V2);
    fx_manifest(m, "svc", "y", "2026-01-08T00:00:00Z", 5, V2);
    fx_tag(m, "svc", "bad", "y", "garbage", false);
    fx_repo(m, "empty");
}

static void test_natural_state_at_exported_at_is_the_snapshot_next_push(void **state)
{
    snapshot_with_everything(new_model(state));
    assert_end_state_is_snapshot(build(state, UNTAG_NEXT_PUSH));
}

static void test_natural_state_at_exported_at_is_the_snapshot_own_update(void **state)
{
    snapshot_with_everything(new_model(state));
    assert_end_state_is_snapshot(build(state, UNTAG_OWN_UPDATE));
}

static void test_natural_state_at_exported_at_is_the_snapshot_never_tagged(void **state)
{
    snapshot_with_everything(new_model(state));
    assert_end_state_is_snapshot(build(state, UNTAG_NEVER_TAGGED));
}

static void test_updated_at_is_the_push_time_until_the_snapshot_update(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", "2026-01-05T00:00:00Z", 1, V2);
    fx_created(m, "app", "a", "2026-01-02T00:00:00Z");
    fx_manifest(m, "app", "b", "garbage", 1, V2);
    fx_created(m, "app", "b", "2026-01-02T00:00:00Z");
    struct history *h = build(state, UNTAG_NEVER_TAGGED);
    size_t a = id_of(h, "app", "a");
    assert_int_equal(history_updated_at(h, a, fx_ns("2026-01-03T00:00:00Z")), fx_ns("2026-01-02T00:00:00Z"));
    assert_int_equal(history_updated_at(h, a, fx_ns("2026-01-05T00:00:00Z")), fx_ns("2026-01-05T00:00:00Z"));
    assert_int_equal(history_updated_at(h, a, fx_ns(END)), fx_ns("2026-01-05T00:00:00Z"));
    /* an unreadable time stays as the export has it (the purge engine reads its state) */
    size_t b = id_of(h, "app", "b");
    assert_int_equal(history_updated_at(h, b, fx_ns(END)), 0);
}

static void test_untag_model_names_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"next-push", "own-update", "never-tagged"};
    for (int u = UNTAG_NEXT_PUSH; u <= UNTAG_NEVER_TAGGED; u++) {
        enum untag_model got = UNTAG_NEXT_PUSH;
        assert_string_equal(history_untag_model_name((enum untag_model)u), names[u]);
        assert_true(history_untag_model_parse(names[u], &got));
        assert_int_equal(got, u);
    }
    enum untag_model got = UNTAG_OWN_UPDATE;
    assert_false(history_untag_model_parse("next_push", &got));
    assert_false(history_untag_model_parse("", &got));
    assert_int_equal(got, UNTAG_OWN_UPDATE);
}

static void test_empty_model_builds_an_empty_history(void **state)
{
    struct model *m = new_model(state);
    fx_repo(m, "empty");
    struct history *h = build(state, UNTAG_NEXT_PUSH);
    assert_int_equal(h->n_ids, 0);
    assert_int_equal(h->n_ev, 0);
    assert_int_equal(h->first_push_ns, fx_ns(END));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_manifest_is_pushed_at_its_created_time),
        T(test_push_falls_back_to_last_update_time_without_created_time),
        T(test_manifest_without_any_time_is_pushed_with_the_first_push),
        T(test_push_after_exported_at_is_moved_to_exported_at),
        T(test_ids_are_numbered_by_repository_then_digest),
        T(test_tag_is_set_at_its_last_update_time),
        T(test_tag_updated_before_its_manifest_push_is_set_at_the_push),
        T(test_tag_keeps_its_lock_flags),
        T(test_next_push_model_untags_at_the_next_push_in_the_repository),
        T(test_next_push_model_uses_own_update_when_it_is_later),
        T(test_next_push_model_skips_pushes_at_the_same_instant),
        T(test_next_push_model_assumes_nothing_for_the_last_push_not_updated_since),
        T(test_moving_tag_is_the_last_updated_tag_of_the_repository),
        T(test_assumed_moving_tag_leaves_before_the_snapshots_tag_of_that_name_is_set),
        T(test_no_moving_tag_is_assumed_for_pushes_after_it_was_set),
        T(test_a_tag_name_is_never_on_two_manifests_with_the_snapshots_tag),
        T(test_own_update_model_untags_at_the_manifests_last_update_time),
        T(test_never_tagged_model_assumes_no_tag),
        T(test_index_children_are_never_tagged),
        T(test_referrers_are_never_tagged),
        T(test_events_are_sorted_by_time_then_push_unset_set),
        T(test_events_at_one_instant_are_ordered_by_kind_then_item),
        T(test_natural_state_at_exported_at_is_the_snapshot_next_push),
        T(test_natural_state_at_exported_at_is_the_snapshot_own_update),
        T(test_natural_state_at_exported_at_is_the_snapshot_never_tagged),
        T(test_updated_at_is_the_push_time_until_the_snapshot_update),
        T(test_untag_model_names_round_trip),
        T(test_empty_model_builds_an_empty_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
