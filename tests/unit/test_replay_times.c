/* test_replay_times.c - unit tests for the replay's time indexes (replay_skip.c): which
 * repositories have a time in a range, asked of the bucketed index, against the times worked
 * out by hand for small histories. Ranges below the first push, beyond the export, at bucket
 * edges, and over a history that spans far more hours than it has times (wider buckets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "history.h"
#include "replay_internal.h"
#include "timeu.h"

#define V2 MEDIA_DOCKER_V2

struct tc {
    struct model *m;
    struct history *h;
    struct replay_blobs rb;
    bool rb_built;
    struct time_index ages, updates;
    char found[64];
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
    replay_times_free(&c->ages);
    replay_times_free(&c->updates);
    if (c->rb_built) replay_blobs_free(&c->rb);
    history_free(c->h);
    model_free(c->m);
    free(c);
    return 0;
}

/* Finishes the model, builds its history, the ids' half of the blob table and both indexes. */
static void build(struct tc *c)
{
    fx_finish(c->m);
    assert_int_equal(history_build(c->m, UNTAG_NEVER_TAGGED, &c->h), PS_OK);
    replay_blobs_alloc(c->h, &c->rb);
    replay_blobs_build_ids(c->h, &c->rb);
    c->rb_built = true;
    replay_times_build(c->h, &c->rb, true, &c->ages);
    replay_times_build(c->h, &c->rb, false, &c->updates);
}

/* The names of the repositories (sorted, comma-separated) with a time of ix in [lo, hi]. */
static const char *repos_in(struct tc *c, const struct time_index *ix, const char *lo, const char *hi)
{
    bool hit[8] = {false};
    size_t from, to;
    int64_t l = fx_ns(lo), u = fx_ns(hi);
    replay_times_range(ix, l, u, &from, &to);
    assert_true(from <= to && to <= ix->n);
    for (size_t k = from; k < to; k++) {
        assert_true(ix->v[k].repo < c->m->n_repos && ix->v[k].repo < 8);
        if (ix->v[k].t >= l && ix->v[k].t <= u) hit[ix->v[k].repo] = true;
    }
    c->found[0] = '\0';
    for (size_t r = 0; r < c->m->n_repos && r < 8; r++) {
        if (!hit[r]) continue;
        if (c->found[0]) strcat(c->found, ",");
        strncat(c->found, c->m->repos[r].name, 20);
    }
    return c->found;
}

/* Repository a: pushes on Jan 10 at midnight and Jan 12 at 06:00. Repository b: a push on Jan
 * 11 at midnight whose lastUpdateTime is in 2100, and a tag dated Jan 5 (before any push).
 * With `old`, repository "old" holds a manifest pushed 20 years earlier. */
static void two_repositories(struct tc *c, bool old)
{
    c->m = fx_model(NULL);
    fx_exported_at(c->m, "2026-01-20T00:00:00Z");
    if (old) fx_manifest(c->m, "old", "o1", "2006-01-01T00:00:00Z", 10, V2);
    fx_manifest(c->m, "a", "a1", "2026-01-10T00:00:00Z", 10, V2);
    fx_manifest(c->m, "a", "a2", "2026-01-12T06:00:00Z", 10, V2);
    fx_manifest(c->m, "b", "b1", "2100-01-01T00:00:00Z", 10, V2);
    fx_created(c->m, "b", "b1", "2026-01-11T00:00:00Z");
    fx_tag(c->m, "b", "v1", "b1", "2026-01-05T00:00:00Z", false);
    build(c);
}

static void ranges_over_the_history(struct tc *c)
{
    /* the tag's time lies before the first bucket: it is kept in the first */
    assert_string_equal(repos_in(c, &c->ages, "2026-01-04T00:00:00Z", "2026-01-06T00:00:00Z"), "b");
    assert_string_equal(repos_in(c, &c->ages, "2026-01-05T00:00:00Z", "2026-01-05T00:00:00Z"), "b");
    assert_string_equal(repos_in(c, &c->ages, "2026-01-01T00:00:00Z", "2026-01-04T23:59:59Z"), "");
    /* both ends of a range count */
    assert_string_equal(repos_in(c, &c->ages, "2026-01-10T00:00:00Z", "2026-01-10T00:00:00Z"), "a");
    assert_string_equal(repos_in(c, &c->ages, "2026-01-09T00:00:00Z", "2026-01-10T00:00:00Z"), "a");
    assert_string_equal(repos_in(c, &c->ages, "2026-01-10T00:00:00.000000001Z", "2026-01-11T00:00:00Z"), "b");
    assert_string_equal(repos_in(c, &c->ages, "2026-01-11T00:00:00.000000001Z", "2026-01-12T05:59:59Z"), "");
    assert_string_equal(repos_in(c, &c->ages, "2026-01-12T06:00:00Z", "2026-01-13T00:00:00Z"), "a");
    assert_string_equal(repos_in(c, &c->ages, "2026-01-01T00:00:00Z", "2026-01-31T00:00:00Z"), "a,b");
    /* a lastUpdateTime beyond the export: kept in the last bucket */
    assert_string_equal(repos_in(c, &c->ages, "2026-01-13T00:00:00Z", "2099-12-31T23:59:59Z"), "");
    assert_string_equal(repos_in(c, &c->ages, "2099-12-31T00:00:00Z", "2100-01-02T00:00:00Z"), "b");
    /* the updates: only b1's lastUpdateTime, later than its push */
    assert_int_equal(c->updates.n, 1);
    assert_string_equal(repos_in(c, &c->updates, "2026-01-01T00:00:00Z", "2099-12-31T23:59:59Z"), "");
    assert_string_equal(repos_in(c, &c->updates, "2100-01-01T00:00:00Z", "2100-01-01T00:00:00Z"), "b");
    /* an empty range */
    assert_string_equal(repos_in(c, &c->ages, "2026-01-11T00:00:00Z", "2026-01-10T00:00:00Z"), "");
}

static void test_ranges_in_hour_buckets(void **state)
{
    struct tc *c = *state;
    two_repositories(c, false);
    assert_int_equal(c->ages.width, (uint64_t)3600 * TIMEU_NS_PER_SEC);
    /* push, push, push, b1's lastUpdateTime, the tag's time */
    assert_int_equal(c->ages.n, 5);
    ranges_over_the_history(c);
}

/* An old manifest stretches the history over 20 years: far more hours than times, so the
 * buckets are wider than an hour, and the answers are the same. */
static void test_ranges_in_wide_buckets(void **state)
{
    struct tc *c = *state;
    two_repositories(c, true);
    assert_true(c->ages.width > (uint64_t)3600 * TIMEU_NS_PER_SEC);
    assert_true(c->ages.n_buckets <= c->ages.n + 1024 + 1);
    ranges_over_the_history(c);
    assert_string_equal(repos_in(c, &c->ages, "2005-12-31T00:00:00Z", "2006-01-01T00:00:00Z"), "old");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ranges_in_hour_buckets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranges_in_wide_buckets, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
