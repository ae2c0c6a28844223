/* test_purge.c - unit tests for purge.h: one acr purge run against an in-code model, rule by rule
 * (sim/RULES.md §3-4 and the v0.16 section). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "purge.h"
#include "timeu.h"

/* The run's instant; every time below is relative to it. */
#define NOW "2024-06-30T12:00:00Z"
#define SEC 1LL
#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)

#define V2 MEDIA_DOCKER_V2
#define LIST MEDIA_DOCKER_LIST
#define OCI MEDIA_OCI_MANIFEST
#define INDEX MEDIA_OCI_INDEX
#define ARTIFACT MEDIA_OCI_ARTIFACT
#define NOMEDIA MEDIA_NONE

/* NOW minus `secs` seconds (negative: after NOW), as RFC 3339 text in a rotating buffer. */
static const char *ago(long long secs)
{
    static char bufs[16][48];
    static size_t next;
    char *b = bufs[next++ % 16];
    return timeu_format(fx_ns(NOW) - secs * TIMEU_NS_PER_SEC, b, sizeof bufs[0]);
}

/* ---- per-test state: freed in teardown even when an assertion fails ---- */

struct tc {
    struct model *m;
    struct fx_run *r;
};

static int setup(void **state)
{
    struct tc *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->r = calloc(1, sizeof *c->r);
    if (!c->r) {
        free(c);
        return -1;
    }
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct tc *c = *state;
    fx_run_free(c->r);
    free(c->r);
    model_free(c->m);
    free(c);
    return 0;
}

static struct model *new_model(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    return c->m;
}

/* Finishes the model and runs `line` at NOW with the current acr-cli. */
static struct fx_run *run(void **state, const char *line)
{
    struct tc *c = *state;
    fx_finish(c->m);
    fx_run_cur(c->r, c->m, line, NOW);
    return c->r;
}

static struct fx_run *run016(void **state, const char *line)
{
    struct tc *c = *state;
    fx_finish(c->m);
    fx_run_016(c->r, c->m, line, NOW);
    return c->r;
}

static void assert_prefix(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)) != 0)
        fail_msg("\"%s\"\n  does not start with\n\"%s\"", s, prefix);
}

static void assert_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n < k || strcmp(s + n - k, suffix) != 0)
        fail_msg("\"%s\"\n  does not end with\n\"%s\"", s, suffix);
}

static void assert_ok_run(const struct fx_run *r)
{
    if (r->res.failed) fail_msg("run failed: %s", r->res.error);
}

/* ======================================================================================
 * §3 filters
 * ====================================================================================== */

static void test_tag_regex_is_unanchored(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    const char *names[] = {"v1", "v1.2", "dev-v1", "av1x", "v2", "x"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        fx_tag(m, "app", names[i], "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:v1' --ago 1d");
    assert_ok_run(r);
    /* equal tag times: by name */
    assert_string_equal(fx_tags_str(r), "app:av1x app:dev-v1 app:v1 app:v1.2");
}

static void test_tag_regex_is_case_sensitive(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "V1", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "v1", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:v1' --ago 1d");
    assert_string_equal(fx_tags_str(r), "app:v1");
    assert_false(fx_tag_deleted(r, "app", "V1"));
}

static void test_repo_regex_is_anchored_at_both_ends(void **state)
{
    struct model *m = new_model(state);
    fx_repo(m, "app");
    fx_repo(m, "app2");
    fx_repo(m, "myapp");
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_string_equal(fx_events_str(r), "tags(app)");
}

static void test_repo_alternation_anchors_only_outer_ends(void **state)
{
    /* `app|myapp` becomes ^app|myapp$: "starts with app, or ends with myapp" */
    struct model *m = new_model(state);
    fx_repo(m, "app");
    fx_repo(m, "app-x");
    fx_repo(m, "myapp");
    fx_repo(m, "myapp2");
    fx_repo(m, "notmyapp");
    fx_repo(m, "xapp");
    struct fx_run *r = run(state, "acr purge --filter 'app|myapp:.*' --ago 1d");
    assert_string_equal(fx_events_str(r), "tags(app) tags(app-x) tags(myapp) tags(notmyapp)");
}

static void test_filters_for_same_repo_merge_and_keep_applies_once(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "a1", "m", ago(1 * DAY), false);
    fx_tag(m, "app", "b1", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "a2", "m", ago(3 * DAY), false);
    fx_tag(m, "app", "b2", "m", ago(4 * DAY), false);
    fx_tag(m, "app", "c1", "m", ago(5 * DAY), false);
    struct fx_run *r =
        run(state, "acr purge --filter 'app:^a' --filter 'app:^b' --ago 0d --keep 1");
    assert_ok_run(r);
    /* one merged set: only a1 (the newest of a* and b*) is spared; c1 does not match */
    assert_string_equal(fx_tags_str(r), "app:b1 app:a2 app:b2");
    assert_int_equal(r->res.tags_counted, 3);
}

static void test_filters_merge_textually_without_grouping(void **state)
{
    /* "(v1" | "v2)" -> "(v1|v2)", which compiles; grouped halves would not */
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "v1", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "v2", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "v3", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:(v1' --filter 'app:v2)' --ago 1d");
    assert_ok_run(r);
    assert_string_equal(fx_tags_str(r), "app:v1 app:v2");
}

static void test_filters_merge_in_flag_order(void **state)
{
    /* "v2)" | "(v1" -> "v2)|(v1": invalid, so the order given is the order joined */
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "v1", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:v2)' --filter 'app:(v1' --ago 1d");
    assert_true(r->res.failed);
    assert_prefix(r->res.error, "failed to purge tags: failed to build Regex <nil> with error: ");
}

static void test_tag_regex_of_a_filter_applies_only_to_repos_it_selects(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "a1", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "b1", "m", ago(2 * DAY), false);
    fx_repo(m, "web");
    struct fx_run *r = run(state, "acr purge --filter 'app:^a' --filter 'web:^b' --ago 1d");
    assert_string_equal(fx_tags_str(r), "app:a1");
}

static void test_invalid_tag_regex_fails_after_its_repository_tags_header(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "a", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "a", "x", "m", ago(2 * DAY), false);
    fx_manifest(m, "b", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "b", "x", "m", ago(2 * DAY), false);
    fx_manifest(m, "c", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "c", "x", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state,
                           "acr purge --filter 'a:.*' --filter 'b:(' --filter 'c:.*' --ago 1d");
    assert_true(r->res.failed);
    assert_false(r->res.failed_before_banner);
    assert_string_equal(fx_events_str(r), "tags(a) tag(a:x) tags(b)");
    assert_int_equal(r->res.tags_counted, 1);
    assert_prefix(r->res.error, "failed to purge tags: failed to build Regex <nil> with error: "
                                "error parsing regexp: ");
    assert_suffix(r->res.error, " in `(`");
}

static void test_invalid_merged_tag_regex_error_shows_merged_pattern(void **state)
{
    struct model *m = new_model(state);
    fx_repo(m, "app");
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --filter 'app:(' --ago 1d");
    assert_true(r->res.failed);
    assert_suffix(r->res.error, " in `.*|(`");
}

static void test_invalid_tag_regex_of_unmatched_repository_is_no_error(void **state)
{
    /* the tag regex is compiled only when its repository's turn comes */
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "x", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --filter 'nosuchrepo:(' --ago 1d");
    assert_ok_run(r);
    assert_string_equal(fx_tags_str(r), "app:x");
}

/* ======================================================================================
 * §4 the run: repositories
 * ====================================================================================== */

static void test_repositories_processed_in_name_order(void **state)
{
    struct model *m = new_model(state);
    const char *repos[] = {"web", "api", "db"};
    for (size_t i = 0; i < 3; i++) {
        fx_manifest(m, repos[i], "k", ago(10 * DAY), 1, V2);
        fx_tag(m, repos[i], "t", "k", ago(2 * DAY), false);
    }
    struct fx_run *r = run(state, "acr purge --filter '.*:t' --ago 1d");
    assert_string_equal(fx_events_str(r),
                        "tags(api) tag(api:t) tags(db) tag(db:t) tags(web) tag(web:t)");
}

static void test_each_repository_runs_tag_phase_then_manifest_phase(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "web", "k", ago(10 * DAY), 1, V2);
    fx_tag(m, "web", "t", "k", ago(2 * DAY), false);
    fx_manifest(m, "api", "k", ago(10 * DAY), 1, V2);
    fx_tag(m, "api", "t", "k", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter '.*:.*' --ago 1d --untagged");
    assert_string_equal(fx_events_str(r), "tags(api) tag(api:t) manifests(api) manifest(api@k) "
                                          "tags(web) tag(web:t) manifests(web) manifest(web@k)");
    assert_int_equal(r->res.tags_counted, 2);
    assert_int_equal(r->res.manifests_counted, 2);
}

static void test_without_untagged_there_is_no_manifest_phase(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "k", ago(10 * DAY), 1, V2);
    fx_manifest(m, "app", "u", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "t", "k", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    /* the tag goes, its manifest stays, and untagged manifests are not looked at */
    assert_string_equal(fx_events_str(r), "tags(app) tag(app:t)");
    assert_int_equal(r->res.manifests_counted, 0);
}

/* ======================================================================================
 * §4.1-3 tag phase
 * ====================================================================================== */

static void test_tags_considered_newest_tag_time_first(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "t1", "m", ago(3 * DAY), false);
    fx_tag(m, "app", "t2", "m", ago(1 * DAY + HOUR), false);
    fx_tag(m, "app", "t3", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_string_equal(fx_tags_str(r), "app:t2 app:t3 app:t1");
}

static void test_tags_with_equal_times_ordered_by_name(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "c", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "a", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "b", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_string_equal(fx_tags_str(r), "app:a app:b app:c");
}

static void test_keep_with_equal_tag_times_spares_first_name(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "c", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "a", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "b", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d --keep 1");
    assert_string_equal(fx_tags_str(r), "app:b app:c");
}

static void test_tag_order_uses_tag_time_not_manifest_time(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "old", ago(100 * DAY), 1, V2);
    fx_manifest(m, "app", "new", ago(1 * HOUR), 1, V2);
    fx_tag(m, "app", "x", "old", ago(2 * DAY), false);
    fx_tag(m, "app", "y", "new", ago(3 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d --keep 1");
    /* x has the newer tag time, so keep spares x although its manifest is older */
    assert_string_equal(fx_tags_str(r), "app:y");
}

static void test_young_manifest_does_not_shield_old_tag(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(1 * HOUR), 1, V2);
    fx_tag(m, "app", "t", "m", ago(10 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_true(fx_tag_deleted(r, "app", "t"));
}

static void test_old_manifest_does_not_expose_young_tag(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(100 * DAY), 1, V2);
    fx_tag(m, "app", "t", "m", ago(1 * HOUR), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_false(fx_tag_deleted(r, "app", "t"));
    assert_int_equal(r->res.tags_counted, 0);
}

static void test_tag_must_be_strictly_before_cutoff(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "at", "m", ago(1 * DAY), false);
    fx_tag(m, "app", "before", "m", ago(1 * DAY + 1 * SEC), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_string_equal(fx_tags_str(r), "app:before");
}

static void test_keep_3_spares_newest_three_candidate_tags(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "t1", "m", ago(1 * DAY), false);
    fx_tag(m, "app", "t2", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "t3", "m", ago(3 * DAY), false);
    fx_tag(m, "app", "t4", "m", ago(4 * DAY), false);
    fx_tag(m, "app", "t5", "m", ago(5 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 0d --keep 3");
    assert_string_equal(fx_tags_str(r), "app:t4 app:t5");
    assert_int_equal(r->res.tags_counted, 2);
}

static void test_locked_tag_is_not_candidate_and_uses_no_keep_slot(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "n1", "m", ago(1 * DAY), true);
    fx_tag(m, "app", "n2", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "n3", "m", ago(3 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 0d --keep 1");
    assert_string_equal(fx_tags_str(r), "app:n3");
}

static void test_tag_with_delete_disabled_is_locked(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "d", "m", ago(2 * DAY), false);
    fx_tag_flags(m, "app", "d", false, true);
    fx_tag(m, "app", "free", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_string_equal(fx_tags_str(r), "app:free");
}

static void test_tag_with_write_disabled_is_locked(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "w", "m", ago(2 * DAY), false);
    fx_tag_flags(m, "app", "w", true, false);
    fx_tag(m, "app", "free", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_string_equal(fx_tags_str(r), "app:free");
}

static void test_include_locked_makes_locked_tags_candidates(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "n1", "m", ago(1 * DAY), true);
    fx_tag(m, "app", "n2", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "n3", "m", ago(3 * DAY), true);
    struct fx_run *r =
        run(state, "acr purge --filter 'app:.*' --ago 0d --keep 1 --include-locked");
    /* the locked n1 now takes the keep slot; n3 goes although locked */
    assert_string_equal(fx_tags_str(r), "app:n2 app:n3");
}

static void test_young_tag_uses_no_keep_slot(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "y", "m", ago(1 * HOUR), false);
    fx_tag(m, "app", "o1", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "o2", "m", ago(3 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d --keep 1");
    assert_string_equal(fx_tags_str(r), "app:o2");
}

static void test_non_matching_tag_uses_no_keep_slot(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "latest", "m", ago(1 * DAY), false);
    fx_tag(m, "app", "v1", "m", ago(2 * DAY), false);
    fx_tag(m, "app", "v2", "m", ago(3 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:^v' --ago 0d --keep 1");
    assert_string_equal(fx_tags_str(r), "app:v2");
}

/* Adds n tags "t000".. on manifest "m" in repo, t000 newest (1 hour apart, from base). */
static void many_tags(struct model *m, const char *repo, size_t n, long long base_secs_ago)
{
    char name[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "t%03zu", i);
        fx_tag(m, repo, name, "m", ago(base_secs_ago + (long long)i * HOUR), false);
    }
}

static void test_keep_counts_across_tag_pages(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(100 * DAY), 1, V2);
    many_tags(m, "app", 150, 1 * DAY);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 0d --keep 120");
    assert_int_equal(r->res.tags_counted, 30);
    assert_int_equal(fx_count(r, PEV_TAG), 30);
    assert_false(fx_tag_deleted(r, "app", "t119"));
    assert_true(fx_tag_deleted(r, "app", "t120"));
    assert_true(fx_tag_deleted(r, "app", "t149"));
}

/* Many tags, three times among them (groups of 30, given in no order): newest time first,
 * each group by name, whichever way the engine sorts a view this size. */
static void test_many_tags_with_tied_times_newest_first_then_by_name(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(100 * DAY), 1, V2);
    const long long when[3] = {3 * DAY, 2 * DAY, 4 * DAY};
    for (int i = 0; i < 90; i++) {
        int k = (i * 37) % 90;   /* a permutation of 0 .. 89 */
        char name[16];
        snprintf(name, sizeof name, "t%02d", k);
        fx_tag(m, "app", name, "m", ago(when[k % 3]), false);
    }
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    char want[2048] = "";
    const int group[3] = {1, 0, 2};   /* 2 days ago, then 3, then 4 */
    for (int g = 0; g < 3; g++)
        for (int k = 0; k < 90; k++) {
            if (k % 3 != group[g]) continue;
            char one[24];
            snprintf(one, sizeof one, "%sapp:t%02d", want[0] ? " " : "", k);
            strcat(want, one);
        }
    assert_string_equal(fx_tags_str(r), want);
}

/* ======================================================================================
 * §4.4 unreadable tag times
 * ====================================================================================== */

static void test_unreadable_matching_tag_time_aborts_with_parsing_time_error(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "bad", "m", "garbage", false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_true(r->res.failed);
    assert_false(r->res.failed_before_banner);
    assert_prefix(r->res.error, "failed to purge tags: parsing time \"garbage\"");
    assert_prefix(r->res.error, "failed to purge tags: parsing time \"garbage\" as "
                                "\"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"");
}

static void test_unreadable_tag_time_keeps_counts_of_earlier_repositories(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "a", "k", ago(10 * DAY), 1, V2);
    fx_manifest(m, "a", "u", ago(10 * DAY), 1, V2);
    fx_tag(m, "a", "t", "k", ago(2 * DAY), false);
    fx_manifest(m, "b", "k", ago(10 * DAY), 1, V2);
    fx_manifest(m, "b", "u", ago(10 * DAY), 1, V2);
    fx_tag(m, "b", "good", "k", ago(2 * DAY), false);
    fx_tag(m, "b", "bad", "k", "garbage", false);
    fx_manifest(m, "c", "u", ago(10 * DAY), 1, V2);
    fx_tag(m, "c", "t", "u", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter '.*:.*' --ago 1d --untagged");
    assert_true(r->res.failed);
    /* a counted in full; b's tags not counted, its manifest phase never runs; c never runs */
    assert_int_equal(r->res.tags_counted, 1);
    assert_int_equal(r->res.manifests_counted, 2);
    assert_string_equal(fx_events_str(r),
                        "tags(a) tag(a:t) manifests(a) manifest(a@k) manifest(a@u) tags(b)");
}

static void test_unreadable_tag_time_keeps_earlier_pages_but_not_their_count(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(100 * DAY), 1, V2);
    many_tags(m, "app", 150, 1 * DAY);
    fx_tag(m, "app", "bad", "m", "garbage", false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 0d");
    assert_true(r->res.failed);
    /* page 1 (100 newest) printed; page 2 (50 + the bad tag) aborted */
    assert_int_equal(fx_count(r, PEV_TAG), 100);
    assert_true(fx_tag_deleted(r, "app", "t099"));
    assert_false(fx_tag_deleted(r, "app", "t100"));
    assert_int_equal(r->res.tags_counted, 0);
}

static void test_unreadable_tag_time_on_first_page_prints_no_tag_lines(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(100 * DAY), 1, V2);
    many_tags(m, "app", 99, 1 * DAY);
    fx_tag(m, "app", "bad", "m", "garbage", false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 0d");
    assert_true(r->res.failed);
    assert_string_equal(fx_events_str(r), "tags(app)");
}

static void test_unreadable_tag_time_is_listed_after_all_readable_tags(void **state)
{
    /* readable tags from before 1970 sort below a zero time: the bad tag must still be last */
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(100 * DAY), 1, V2);
    char name[16], when[48];
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "t%03d", i);
        snprintf(when, sizeof when, "1969-01-01T%02d:%02d:00Z", 23 - i / 60, 59 - i % 60);
        fx_tag(m, "app", name, "m", when, false);
    }
    fx_tag(m, "app", "a-bad", "m", "garbage", false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 0d");
    assert_true(r->res.failed);
    assert_int_equal(fx_count(r, PEV_TAG), 100);
}

static void test_missing_tag_time_aborts_as_unreadable(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "t", "m", NULL, false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_true(r->res.failed);
    assert_prefix(r->res.error, "failed to purge tags: parsing time \"\"");
}

static void test_unreadable_time_on_matching_locked_tag_still_aborts(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "t", "m", "garbage", true);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_true(r->res.failed);
}

static void test_non_matching_tag_with_unreadable_time_is_harmless(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "latest", "m", "garbage", false);
    fx_tag(m, "app", "v1", "m", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:^v' --ago 1d");
    assert_ok_run(r);
    assert_string_equal(fx_tags_str(r), "app:v1");
    assert_int_equal(r->res.tags_counted, 1);
}

/* ======================================================================================
 * §4.5 manifest phase: order, tags, age, times
 * ====================================================================================== */

#define UNTAGGED_ONLY "acr purge --untagged-only --ago 1d"

static void test_untagged_old_manifest_is_deleted(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "u", ago(2 * DAY), 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r), "manifests(app) manifest(app@u)");
    assert_int_equal(r->res.manifests_counted, 1);
    assert_int_equal(r->res.tags_counted, 0);
}

static void test_manifest_exactly_at_cutoff_is_old_enough(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "at", ago(1 * DAY), 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_true(fx_manifest_deleted(r, "app", "at"));
}

static void test_manifest_after_cutoff_is_protected_by_age(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "young", ago(1 * DAY - 1 * SEC), 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_false(fx_manifest_deleted(r, "app", "young"));
    assert_string_equal(fx_events_str(r), "manifests(app)");
}

static void test_manifest_time_with_numeric_offset_compares_in_utc(void **state)
{
    /* NOW - 1 day written with +02:00: exactly at the cutoff */
    struct model *m = new_model(state);
    fx_manifest(m, "app", "at", "2024-06-29T14:00:00+02:00", 1, V2);
    fx_manifest(m, "app", "young", "2024-06-29T14:00:01+02:00", 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "app@at");
}

static void test_tagged_manifest_is_protected_by_tags(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "k", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "t", "k", ago(10 * DAY), false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_false(fx_manifest_deleted(r, "app", "k"));
    assert_int_equal(r->res.manifests_counted, 0);
}

static void test_manifest_untagged_by_tag_phase_is_deleted_in_same_run(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "k", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "t", "k", ago(2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d --untagged");
    assert_true(fx_tag_deleted(r, "app", "t"));
    assert_true(fx_manifest_deleted(r, "app", "k"));
}

static void test_manifest_keeping_one_tag_is_protected(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "k", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "old", "k", ago(2 * DAY), false);
    fx_tag(m, "app", "young", "k", ago(1 * HOUR), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1d --untagged");
    assert_true(fx_tag_deleted(r, "app", "old"));
    assert_false(fx_manifest_deleted(r, "app", "k"));
}

static void test_missing_manifest_time_protects_with_unavailable_event(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "n", NULL, 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r), "manifests(app) unavailable(app@n)");
    assert_int_equal(r->res.manifests_counted, 0);
}

static void test_unreadable_manifest_time_protects_with_unreadable_event(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "g", "garbage", 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r), "manifests(app) unreadable(app@g)");
    assert_int_equal(r->res.manifests_counted, 0);
}

static void test_protect_events_come_in_digest_order(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "c", NULL, 1, V2);
    fx_manifest(m, "app", "a", "garbage", 1, V2);
    fx_manifest(m, "app", "b", NULL, 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r),
                        "manifests(app) unreadable(app@a) unavailable(app@b) unavailable(app@c)");
}

static void test_protect_events_precede_deletions(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", ago(2 * DAY), 1, V2);
    fx_manifest(m, "app", "b", NULL, 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r), "manifests(app) unavailable(app@b) manifest(app@a)");
}

static void test_tagged_manifest_with_missing_time_has_no_protect_event(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "n", NULL, 1, V2);
    fx_tag(m, "app", "t", "n", ago(2 * DAY), false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r), "manifests(app)");
}

static void test_locked_manifest_with_missing_time_has_no_protect_event(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "n", NULL, 1, V2);
    fx_lock_manifest(m, "app", "n", false, false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r), "manifests(app)");
}

/* ======================================================================================
 * §4.6 locks
 * ====================================================================================== */

static void test_manifest_with_delete_disabled_is_skipped(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "l", ago(10 * DAY), 1, V2);
    fx_lock_manifest(m, "app", "l", false, true);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_false(fx_manifest_deleted(r, "app", "l"));
}

static void test_manifest_with_write_disabled_is_skipped(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "l", ago(10 * DAY), 1, V2);
    fx_lock_manifest(m, "app", "l", true, false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_false(fx_manifest_deleted(r, "app", "l"));
}

static void test_locked_untagged_index_does_not_protect_children(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "idx", ago(10 * DAY), 1, INDEX);
    fx_manifest(m, "app", "c1", ago(10 * DAY), 1, OCI);
    fx_manifest(m, "app", "c2", ago(10 * DAY), 1, OCI);
    fx_children(m, "app", "idx", "c1", "c2", NULL);
    fx_lock_manifest(m, "app", "idx", false, false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_false(fx_manifest_deleted(r, "app", "idx"));
    assert_string_equal(fx_manifests_str(r), "app@c1 app@c2");
}

static void test_locked_tagged_index_does_not_protect_children(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "idx", ago(10 * DAY), 1, INDEX);
    fx_manifest(m, "app", "c1", ago(10 * DAY), 1, OCI);
    fx_manifest(m, "app", "c2", ago(10 * DAY), 1, OCI);
    fx_children(m, "app", "idx", "c1", "c2", NULL);
    fx_tag(m, "app", "latest", "idx", ago(1 * HOUR), false);
    fx_lock_manifest(m, "app", "idx", true, false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_false(fx_manifest_deleted(r, "app", "idx"));
    assert_string_equal(fx_manifests_str(r), "app@c1 app@c2");
}

static void test_include_locked_lets_locked_tagged_index_protect_children(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "idx", ago(10 * DAY), 1, INDEX);
    fx_manifest(m, "app", "c1", ago(10 * DAY), 1, OCI);
    fx_manifest(m, "app", "c2", ago(10 * DAY), 1, OCI);
    fx_children(m, "app", "idx", "c1", "c2", NULL);
    fx_tag(m, "app", "latest", "idx", ago(1 * HOUR), false);
    fx_lock_manifest(m, "app", "idx", true, false);
    struct fx_run *r = run(state, UNTAGGED_ONLY " --include-locked");
    assert_string_equal(fx_manifests_str(r), "");
    assert_int_equal(r->res.manifests_counted, 0);
}

static void test_include_locked_deletes_locked_untagged_manifest(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "l", ago(10 * DAY), 1, V2);
    fx_lock_manifest(m, "app", "l", false, false);
    struct fx_run *r = run(state, UNTAGGED_ONLY " --include-locked");
    assert_true(fx_manifest_deleted(r, "app", "l"));
}

/* ======================================================================================
 * §4.7-8 indexes
 * ====================================================================================== */

/* An index "idx" of kind `media` with untagged old children c1, c2; idx's time is `when`. */
static void index_with_two_children(struct model *m, enum media_kind media, const char *when)
{
    fx_manifest(m, "app", "idx", when, 1, media);
    fx_manifest(m, "app", "c1", ago(10 * DAY), 1, OCI);
    fx_manifest(m, "app", "c2", ago(10 * DAY), 1, OCI);
    fx_children(m, "app", "idx", "c1", "c2", NULL);
}

static void test_tagged_index_protects_children(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, INDEX, ago(10 * DAY));
    fx_tag(m, "app", "latest", "idx", ago(10 * DAY), false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "");
}

static void test_tagged_docker_list_protects_children(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, LIST, ago(10 * DAY));
    fx_tag(m, "app", "latest", "idx", ago(10 * DAY), false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "");
}

static void test_young_index_protects_children(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, INDEX, ago(1 * HOUR));
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "");
}

static void test_index_with_missing_time_protects_children(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, INDEX, NULL);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r), "manifests(app) unavailable(app@idx)");
}

static void test_index_with_unreadable_time_protects_children(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, LIST, "garbage");
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r), "manifests(app) unreadable(app@idx)");
}

static void test_protection_recurses_through_nested_indexes(void **state)
{
    /* top (tagged) -> mid (OCI index) -> inner (Docker list) -> leaf; labels sort leaf-first */
    struct model *m = new_model(state);
    fx_manifest(m, "app", "d-top", ago(10 * DAY), 1, INDEX);
    fx_manifest(m, "app", "c-mid", ago(10 * DAY), 1, INDEX);
    fx_manifest(m, "app", "b-inner", ago(10 * DAY), 1, LIST);
    fx_manifest(m, "app", "a-leaf", ago(10 * DAY), 1, V2);
    fx_children(m, "app", "d-top", "c-mid", NULL);
    fx_children(m, "app", "c-mid", "b-inner", NULL);
    fx_children(m, "app", "b-inner", "a-leaf", NULL);
    fx_tag(m, "app", "latest", "d-top", ago(10 * DAY), false);
    fx_manifest(m, "app", "z-loose", ago(10 * DAY), 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "app@z-loose");
}

static void test_child_shared_with_protected_index_survives(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "pa", ago(10 * DAY), 1, INDEX);
    fx_manifest(m, "app", "pb", ago(10 * DAY), 1, INDEX);
    fx_manifest(m, "app", "c", ago(10 * DAY), 1, OCI);
    fx_manifest(m, "app", "d", ago(10 * DAY), 1, OCI);
    fx_children(m, "app", "pa", "c", NULL);
    fx_children(m, "app", "pb", "c", "d", NULL);
    fx_tag(m, "app", "latest", "pa", ago(10 * DAY), false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "app@d app@pb");
}

static void test_untagged_old_index_is_deleted_with_untagged_children(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, INDEX, ago(10 * DAY));
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "app@c1 app@c2 app@idx");
    assert_int_equal(r->res.manifests_counted, 3);
}

static void test_tagged_child_of_deleted_index_survives(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, INDEX, ago(10 * DAY));
    fx_tag(m, "app", "c1-tag", "c1", ago(10 * DAY), false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "app@c2 app@idx");
}

/* ======================================================================================
 * §4.9 referrers
 * ====================================================================================== */

/* A tagged image "base" and an untagged old manifest "ref" of kind `media` whose subject is
 * base. */
static void referrer_of_tagged_base(struct model *m, enum media_kind media)
{
    fx_manifest(m, "app", "base", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "latest", "base", ago(10 * DAY), false);
    fx_manifest(m, "app", "ref", ago(10 * DAY), 1, media);
    fx_subject(m, "app", "ref", "base");
}

static void test_oci_manifest_with_subject_is_never_deleted(void **state)
{
    struct model *m = new_model(state);
    referrer_of_tagged_base(m, OCI);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_false(fx_manifest_deleted(r, "app", "ref"));
    assert_int_equal(r->res.manifests_counted, 0);
}

static void test_oci_artifact_with_subject_is_never_deleted(void **state)
{
    struct model *m = new_model(state);
    referrer_of_tagged_base(m, ARTIFACT);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_false(fx_manifest_deleted(r, "app", "ref"));
}

static void test_oci_referrer_whose_subject_is_not_in_repository_is_never_deleted(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "ref", ago(10 * DAY), 1, OCI);
    fx_subject(m, "app", "ref", "gone");
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_false(fx_manifest_deleted(r, "app", "ref"));
}

static void test_oci_manifest_without_subject_is_deleted(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "img", ago(10 * DAY), 1, OCI);
    fx_manifest(m, "app", "art", ago(10 * DAY), 1, ARTIFACT);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "app@art app@img");
}

static void test_docker_v2_with_subject_is_deleted(void **state)
{
    struct model *m = new_model(state);
    referrer_of_tagged_base(m, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "app@ref");
}

static void test_docker_list_with_subject_is_deleted_and_protects_no_children(void **state)
{
    struct model *m = new_model(state);
    referrer_of_tagged_base(m, LIST);
    fx_manifest(m, "app", "c", ago(10 * DAY), 1, V2);
    fx_children(m, "app", "ref", "c", NULL);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "app@c app@ref");
}

static void test_oci_index_with_subject_is_deleted_and_children_protected(void **state)
{
    struct model *m = new_model(state);
    referrer_of_tagged_base(m, INDEX);
    fx_manifest(m, "app", "c", ago(10 * DAY), 1, OCI);
    fx_manifest(m, "app", "ci", ago(10 * DAY), 1, INDEX);
    fx_manifest(m, "app", "gc", ago(10 * DAY), 1, OCI);
    fx_children(m, "app", "ref", "c", "ci", NULL);
    fx_children(m, "app", "ci", "gc", NULL);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    /* recursively: the nested index ci and its child gc stay too */
    assert_string_equal(fx_manifests_str(r), "app@ref");
}

static void test_oci_index_with_subject_and_no_children_is_kept(void **state)
{
    struct model *m = new_model(state);
    referrer_of_tagged_base(m, INDEX);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "");
}

/* ======================================================================================
 * §4.10 manifests without mediaType
 * ====================================================================================== */

static void test_manifest_without_media_type_is_not_deleted_and_reported(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "n", ago(10 * DAY), 1, NOMEDIA);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r), "manifests(app) nomedia(app@n)");
    assert_int_equal(r->res.manifests_counted, 0);
}

static void test_young_manifest_without_media_type_is_not_reported(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "n", ago(1 * HOUR), 1, NOMEDIA);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r), "manifests(app)");
}

static void test_protected_manifest_without_media_type_protects_children(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, NOMEDIA, ago(10 * DAY));
    fx_tag(m, "app", "latest", "idx", ago(10 * DAY), false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "");
}

static void test_unprotected_manifest_without_media_type_protects_no_children(void **state)
{
    /* only a protected one has its body read; this one is reported and its children go */
    struct model *m = new_model(state);
    index_with_two_children(m, NOMEDIA, ago(10 * DAY));
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r),
                        "manifests(app) nomedia(app@idx) manifest(app@c1) manifest(app@c2)");
}

/* ======================================================================================
 * §4.11 keep in the manifest phase
 * ====================================================================================== */

/* 20 manifests m00..m19, m19 newest (one day apart, m19 one day old); the 3 newest tagged. */
static void twenty_manifests_three_newest_tagged(struct model *m)
{
    char label[16], tag[16];
    for (int i = 0; i < 20; i++) {
        snprintf(label, sizeof label, "m%02d", i);
        fx_manifest(m, "app", label, ago((long long)(20 - i) * DAY), 1, V2);
        if (i >= 17) {
            snprintf(tag, sizeof tag, "v%02d", i);
            fx_tag(m, "app", tag, label, ago((long long)(20 - i) * DAY), false);
        }
    }
}

static void test_keep_applies_again_in_manifest_phase(void **state)
{
    struct model *m = new_model(state);
    twenty_manifests_three_newest_tagged(m);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 0d --keep 3 --untagged");
    assert_ok_run(r);
    assert_int_equal(r->res.tags_counted, 0);
    assert_int_equal(r->res.manifests_counted, 14);
    /* 17 untagged candidates: the 3 newest (m14..m16) spared, m00..m13 deleted */
    assert_true(fx_manifest_deleted(r, "app", "m13"));
    assert_false(fx_manifest_deleted(r, "app", "m14"));
    assert_false(fx_manifest_deleted(r, "app", "m16"));
    assert_false(fx_manifest_deleted(r, "app", "m17"));
}

static void test_manifest_keep_with_n_or_fewer_candidates_deletes_none(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", ago(2 * DAY), 1, V2);
    fx_manifest(m, "app", "b", ago(3 * DAY), 1, V2);
    fx_manifest(m, "app", "c", ago(4 * DAY), 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY " --keep 3");
    assert_string_equal(fx_manifests_str(r), "");
}

static void test_manifest_keep_spares_newest_candidates(void **state)
{
    /* label order is the reverse of time order, so a digest sort would spare the wrong ones */
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", ago(5 * DAY), 1, V2);
    fx_manifest(m, "app", "b", ago(4 * DAY), 1, V2);
    fx_manifest(m, "app", "c", ago(3 * DAY), 1, V2);
    fx_manifest(m, "app", "d", ago(2 * DAY), 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY " --keep 2");
    assert_string_equal(fx_manifests_str(r), "app@b app@a");
}

static void test_manifest_keep_breaks_time_ties_by_digest(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "c", ago(2 * DAY), 1, V2);
    fx_manifest(m, "app", "a", ago(2 * DAY), 1, V2);
    fx_manifest(m, "app", "b", ago(2 * DAY), 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY " --keep 1");
    assert_string_equal(fx_manifests_str(r), "app@b app@c");
}

static void test_manifest_keep_ignores_young_and_unreadable_manifests(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "young", ago(1 * HOUR), 1, V2);
    fx_manifest(m, "app", "bad", "garbage", 1, V2);
    fx_manifest(m, "app", "none", NULL, 1, V2);
    fx_manifest(m, "app", "o1", ago(2 * DAY), 1, V2);
    fx_manifest(m, "app", "o2", ago(3 * DAY), 1, V2);
    struct fx_run *r = run(state, UNTAGGED_ONLY " --keep 1");
    assert_string_equal(fx_manifests_str(r), "app@o2");
}

static void test_manifest_keep_list_is_flat(void **state)
{
    /* the index is the newest candidate and is spared; its children still go */
    struct model *m = new_model(state);
    fx_manifest(m, "app", "idx", ago(2 * DAY), 1, INDEX);
    fx_manifest(m, "app", "c1", ago(3 * DAY), 1, OCI);
    fx_manifest(m, "app", "c2", ago(4 * DAY), 1, OCI);
    fx_children(m, "app", "idx", "c1", "c2", NULL);
    struct fx_run *r = run(state, UNTAGGED_ONLY " --keep 1");
    assert_string_equal(fx_manifests_str(r), "app@c1 app@c2");
}

/* ======================================================================================
 * §4.13 cascade of referrers
 * ====================================================================================== */

static void test_referrers_of_deleted_manifest_cascade_recursively(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "base", ago(10 * DAY), 1, V2);
    fx_manifest(m, "app", "sig", ago(10 * DAY), 1, OCI);
    fx_subject(m, "app", "sig", "base");
    fx_manifest(m, "app", "att", ago(10 * DAY), 1, ARTIFACT);
    fx_subject(m, "app", "att", "sig");   /* a referrer of a referrer */
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_manifests_str(r), "app@base");
    assert_true(fx_manifest_cascaded(r, "app", "sig"));
    assert_true(fx_manifest_cascaded(r, "app", "att"));
    assert_int_equal(fx_count(r, PEV_CASCADE), 2);
    assert_int_equal(r->res.manifests_counted, 1);   /* purge does not count them */
}

static void test_locked_referrer_of_deleted_manifest_is_cascaded(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "base", ago(10 * DAY), 1, V2);
    fx_manifest(m, "app", "sig", ago(10 * DAY), 1, OCI);
    fx_subject(m, "app", "sig", "base");
    fx_lock_manifest(m, "app", "sig", false, false);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_true(fx_manifest_deleted(r, "app", "base"));
    assert_true(fx_manifest_cascaded(r, "app", "sig"));
}

static void test_referrer_of_surviving_manifest_is_not_cascaded(void **state)
{
    struct model *m = new_model(state);
    referrer_of_tagged_base(m, OCI);
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_int_equal(fx_count(r, PEV_CASCADE), 0);
}

/* ======================================================================================
 * --untagged-only, --ago edge cases
 * ====================================================================================== */

static void test_untagged_only_emits_no_tags_header_and_deletes_no_tags(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "k", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "t", "k", ago(10 * DAY), false);
    fx_manifest(m, "app", "u", ago(10 * DAY), 1, V2);
    struct fx_run *r = run(state, "acr purge --untagged-only --filter 'app:.*' --ago 1d");
    assert_string_equal(fx_events_str(r), "manifests(app) manifest(app@u)");
}

static void test_untagged_only_never_compiles_tag_regex(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "u", ago(10 * DAY), 1, V2);
    struct fx_run *r = run(state, "acr purge --untagged-only --filter 'app:(' --ago 1d");
    assert_ok_run(r);
    assert_true(fx_manifest_deleted(r, "app", "u"));
}

static void test_untagged_only_without_filter_processes_every_repository(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "b", "u", ago(10 * DAY), 1, V2);
    fx_manifest(m, "a", "u", ago(10 * DAY), 1, V2);
    fx_repo(m, "c");
    struct fx_run *r = run(state, UNTAGGED_ONLY);
    assert_string_equal(fx_events_str(r),
                        "manifests(a) manifest(a@u) manifests(b) manifest(b@u) manifests(c)");
}

static void test_untagged_only_with_filter_selects_by_repo_part_only(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "u", ago(10 * DAY), 1, V2);
    fx_manifest(m, "web", "u", ago(10 * DAY), 1, V2);
    struct fx_run *r = run(state, "acr purge --untagged-only --filter 'app:nomatch' --ago 1d");
    assert_string_equal(fx_events_str(r), "manifests(app) manifest(app@u)");
}

static void test_untagged_only_without_ago_uses_now_as_cutoff(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "at", NOW, 1, V2);
    fx_manifest(m, "app", "later", ago(-1 * SEC), 1, V2);
    struct fx_run *r = run(state, "acr purge --untagged-only");
    assert_string_equal(fx_manifests_str(r), "app@at");
}

static void test_negative_ago_puts_tag_cutoff_in_future(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "soon", "m", ago(-12 * HOUR), false);
    fx_tag(m, "app", "far", "m", ago(-2 * DAY), false);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago -1d");
    assert_string_equal(fx_tags_str(r), "app:soon");
}

static void test_negative_ago_puts_manifest_cutoff_in_future(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "soon", ago(-12 * HOUR), 1, V2);
    fx_manifest(m, "app", "far", ago(-2 * DAY), 1, V2);
    struct fx_run *r = run(state, "acr purge --untagged-only --ago -1d");
    assert_string_equal(fx_manifests_str(r), "app@soon");
}

static void test_ago_capped_to_150_years_deletes_nothing(void **state)
{
    /* `1day` is an invalid Go duration, which acr-cli caps to 150 years (§2) */
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "t", "m", ago(3650 * DAY), false);
    fx_manifest(m, "app", "u", ago(3650 * DAY), 1, V2);
    struct fx_run *r = run(state, "acr purge --filter 'app:.*' --ago 1day --untagged");
    assert_true(r->rule.ago_capped);
    assert_ok_run(r);
    assert_string_equal(fx_events_str(r), "tags(app) manifests(app)");
}

/* ======================================================================================
 * acr-cli v0.16
 * ====================================================================================== */

static void test_v016_untagged_deletes_young_untagged_manifest(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "young", ago(1 * HOUR), 1, V2);
    struct fx_run *r = run016(state, "acr purge --filter 'app:.*' --ago 30d --untagged");
    assert_true(fx_manifest_deleted(r, "app", "young"));
}

static void test_v016_keep_applies_to_tags_only(void **state)
{
    struct model *m = new_model(state);
    twenty_manifests_three_newest_tagged(m);
    struct fx_run *r = run016(state, "acr purge --filter 'app:.*' --ago 0d --keep 3 --untagged");
    assert_ok_run(r);
    assert_int_equal(r->res.tags_counted, 0);
    assert_int_equal(r->res.manifests_counted, 17);
    assert_true(fx_manifest_deleted(r, "app", "m16"));
    assert_false(fx_manifest_deleted(r, "app", "m17"));
}

static void test_v016_manifests_without_times_are_deleted_silently(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", NULL, 1, V2);
    fx_manifest(m, "app", "b", "garbage", 1, V2);
    struct fx_run *r = run016(state, "acr purge --filter 'app:.*' --ago 1d --untagged");
    assert_string_equal(fx_events_str(r),
                        "tags(app) manifests(app) manifest(app@a) manifest(app@b)");
}

static void test_v016_young_untagged_index_goes_with_children(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, INDEX, ago(1 * HOUR));
    struct fx_run *r = run016(state, "acr purge --filter 'app:.*' --ago 1d --untagged");
    assert_string_equal(fx_manifests_str(r), "app@idx app@c1 app@c2");
}

static void test_v016_tags_still_protect_index_descendants(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, INDEX, ago(1 * HOUR));
    fx_tag(m, "app", "latest", "idx", ago(1 * HOUR), false);
    struct fx_run *r = run016(state, "acr purge --filter 'app:.*' --ago 1d --untagged");
    assert_string_equal(fx_events_str(r), "tags(app) manifests(app)");
}

static void test_v016_ago_still_selects_tags(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "young", "m", ago(1 * HOUR), false);
    fx_tag(m, "app", "old", "m", ago(2 * DAY), false);
    struct fx_run *r = run016(state, "acr purge --filter 'app:.*' --ago 1d");
    assert_string_equal(fx_tags_str(r), "app:old");
}

static void test_v016_locked_manifest_is_skipped(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "l", ago(10 * DAY), 1, V2);
    fx_lock_manifest(m, "app", "l", false, true);
    struct fx_run *r = run016(state, "acr purge --filter 'app:.*' --ago 1d --untagged");
    assert_false(fx_manifest_deleted(r, "app", "l"));
}

static void test_v016_referrer_is_never_deleted(void **state)
{
    struct model *m = new_model(state);
    referrer_of_tagged_base(m, OCI);
    struct fx_run *r = run016(state, "acr purge --filter 'app:^$' --ago 1d --untagged");
    assert_false(fx_manifest_deleted(r, "app", "ref"));
    assert_int_equal(r->res.manifests_counted, 0);
}

static void test_v016_invalid_ago_fails_after_first_repository_tags_header(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "a", "u", ago(10 * DAY), 1, V2);
    fx_tag(m, "a", "t", "u", ago(10 * DAY), false);
    fx_manifest(m, "b", "u", ago(10 * DAY), 1, V2);
    struct fx_run *r = run016(state, "acr purge --filter '.*:.*' --ago 5 --untagged");
    assert_true(r->rule.ago_error);
    assert_true(r->res.failed);
    assert_false(r->res.failed_before_banner);
    assert_string_equal(fx_events_str(r), "tags(a)");
    assert_string_equal(r->res.error, "failed to purge tags: time: missing unit in duration \"5\"");
    assert_int_equal(r->res.tags_counted, 0);
    assert_int_equal(r->res.manifests_counted, 0);
}

/* ======================================================================================
 * acr-cli v0.17: untagged manifests honour --ago, --keep selects tags only, --ago parsed as
 * in 0.16 (no cap), --include-locked exists
 * ====================================================================================== */

static struct fx_run *run017(void **state, const char *line)
{
    struct tc *c = *state;
    fx_finish(c->m);
    fx_run(c->r, c->m, ACR_CLI_0_17, line, NOW);
    return c->r;
}

static void test_v017_untagged_honours_ago(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "old", ago(40 * DAY), 1, V2);
    fx_manifest(m, "app", "young", ago(1 * HOUR), 1, V2);
    struct fx_run *r = run017(state, "acr purge --filter 'app:.*' --ago 30d --untagged");
    assert_ok_run(r);
    assert_string_equal(fx_manifests_str(r), "app@old");
}

static void test_v017_keep_applies_to_tags_only(void **state)
{
    struct model *m = new_model(state);
    twenty_manifests_three_newest_tagged(m);
    struct fx_run *r = run017(state, "acr purge --filter 'app:.*' --ago 0d --keep 3 --untagged");
    assert_ok_run(r);
    /* current releases spare 3 more (14 deleted); 0.17 has no second keep */
    assert_int_equal(r->res.tags_counted, 0);
    assert_int_equal(r->res.manifests_counted, 17);
    assert_true(fx_manifest_deleted(r, "app", "m16"));
    assert_int_equal(r->res.notes.repos_keep_twice, 0);
}

static void test_v017_young_untagged_index_protects_children(void **state)
{
    struct model *m = new_model(state);
    index_with_two_children(m, INDEX, ago(1 * HOUR));
    struct fx_run *r = run017(state, "acr purge --filter 'app:.*' --ago 1d --untagged");
    assert_string_equal(fx_manifests_str(r), "");
}

static void test_v017_missing_manifest_time_protects(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "a", NULL, 1, V2);
    struct fx_run *r = run017(state, "acr purge --filter 'app:.*' --ago 1d --untagged");
    assert_string_equal(fx_events_str(r), "tags(app) manifests(app) unavailable(app@a)");
}

static void test_v017_invalid_ago_fails_after_first_repository_tags_header(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "a", "u", ago(10 * DAY), 1, V2);
    fx_manifest(m, "b", "u", ago(10 * DAY), 1, V2);
    struct fx_run *r = run017(state, "acr purge --filter '.*:.*' --ago 1day --untagged");
    assert_false(r->rule.ago_capped);
    assert_true(r->res.failed);
    assert_string_equal(fx_events_str(r), "tags(a)");
    assert_string_equal(r->res.error, "failed to purge tags: time: invalid duration \"ay\"");
}

/* acr-cli issue 560: "999999d" wraps to a cutoff 184.9 years ahead, so everything matching
 * goes, young tags and (from 0.17) young untagged manifests included. */
static void test_v017_999999d_deletes_everything_matching(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "t", ago(1 * HOUR), 1, V2);
    fx_tag(m, "app", "fresh", "t", ago(1 * HOUR), false);
    fx_manifest(m, "app", "u", ago(1 * HOUR), 1, V2);
    struct fx_run *r = run017(state, "acr purge --filter 'app:.*' --ago 999999d --untagged");
    assert_ok_run(r);
    assert_true(r->rule.ago_wrapped);
    assert_string_equal(fx_tags_str(r), "app:fresh");
    assert_string_equal(fx_manifests_str(r), "app@t app@u");
}

static void test_v017_include_locked_makes_locked_tags_candidates(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "m", ago(10 * DAY), 1, V2);
    fx_tag(m, "app", "locked", "m", ago(10 * DAY), true);
    struct fx_run *r = run017(state, "acr purge --filter 'app:.*' --ago 1d --include-locked");
    assert_string_equal(fx_tags_str(r), "app:locked");
}

/* ======================================================================================
 * rule.deletes_nothing: a replayed --dry-run task runs (and can fail) but deletes nothing
 * ====================================================================================== */

static void run_deleting_nothing(void **state, const char *line, struct purge_result *res)
{
    struct tc *c = *state;
    const struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    char err[256];
    fx_finish(c->m);
    c->r->m = c->m;
    assert_int_equal(purge_rule_parse_line(line, &o, &c->r->rule, err, sizeof err), PURGECMD_OK);
    c->r->rule.deletes_nothing = true;
    purge_run(c->m, &c->r->rule, fx_ns(NOW), res);
}

static void test_deletes_nothing_keeps_headers_and_protect_lines_only(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "old", ago(40 * DAY), 1, V2);
    fx_tag(m, "app", "v1", "old", ago(40 * DAY), false);
    fx_manifest(m, "app", "idx", ago(40 * DAY), 1, INDEX);
    fx_manifest(m, "app", "notime", NULL, 1, V2);
    struct tc *c = *state;
    run_deleting_nothing(state, "acr purge --filter 'app:.*' --ago 1d --untagged --dry-run", &c->r->res);
    assert_ok_run(c->r);
    assert_string_equal(fx_events_str(c->r), "tags(app) manifests(app) unavailable(app@notime)");
    assert_int_equal(c->r->res.tags_counted, 0);
    assert_int_equal(c->r->res.manifests_counted, 0);
    /* the same rule without the flag deletes */
    struct purge_result full;
    c->r->rule.deletes_nothing = false;
    purge_run(c->m, &c->r->rule, fx_ns(NOW), &full);
    assert_int_equal(full.tags_counted, 1);
    assert_int_equal(full.manifests_counted, 2);
    purge_result_free(&full);
}

static void test_deletes_nothing_still_fails_as_the_run_would(void **state)
{
    struct model *m = new_model(state);
    fx_manifest(m, "app", "old", ago(40 * DAY), 1, V2);
    fx_tag(m, "app", "v1", "old", ago(40 * DAY), false);
    struct tc *c = *state;
    run_deleting_nothing(state, "acr purge --filter 'app:(' --ago 1d --dry-run", &c->r->res);
    assert_true(c->r->res.failed);
    assert_string_equal(fx_events_str(c->r), "tags(app)");
}

/* The one --ago cutoff (purge.h), shared by the engine and the replay's run skipping. */
static void test_cutoff_is_now_minus_ago_saturated(void **state)
{
    (void)state;
    assert_true(purge_cutoff_ns(100, 30) == 70);
    assert_true(purge_cutoff_ns(100, 0) == 100);
    assert_true(purge_cutoff_ns(100, -30) == 130);   /* a wrapped day count: in the future */
    assert_true(purge_cutoff_ns(INT64_MIN + 5, 10) == INT64_MIN);
    assert_true(purge_cutoff_ns(INT64_MAX - 5, -10) == INT64_MAX);
}

static void test_tag_at_cutoff_is_young_manifest_at_cutoff_is_old(void **state)
{
    (void)state;
    assert_true(purge_tag_old_enough(69, 70));
    assert_false(purge_tag_old_enough(70, 70));
    assert_true(purge_manifest_old_enough(70, 70));
    assert_false(purge_manifest_old_enough(71, 70));
}

/* The brief's "not listed" bit is what the deletion list's pass skips on: it must hold for
 * exactly the candidates the engine never lists (no mediaType, a referrer, a childless OCI
 * index with a subject), or a caller keeping briefs would delete what the dry run keeps. */
static void test_brief_not_listed_marks_exactly_the_unlisted_kinds(void **state)
{
    (void)state;
    struct manifest mf;
    uint32_t child = 0;
    const struct {
        enum media_kind media;
        bool has_subject;
        uint32_t n_children;
        bool not_listed;
    } cases[] = {
        {V2, false, 0, false},      {OCI, false, 0, false},     {LIST, false, 1, false},
        {INDEX, false, 0, false},   {INDEX, true, 1, false},    {NOMEDIA, false, 0, true},
        {OCI, true, 0, true},       {ARTIFACT, true, 0, true},  {INDEX, true, 0, true},
        {ARTIFACT, false, 0, false}, {V2, true, 0, false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memset(&mf, 0, sizeof mf);
        mf.media = cases[k].media;
        mf.has_subject = cases[k].has_subject;
        mf.subject = MODEL_NO_MANIFEST;
        mf.n_children = cases[k].n_children;
        mf.children = cases[k].n_children ? &child : NULL;
        mf.delete_enabled = mf.write_enabled = true;
        bool got = (purge_manifest_brief(&mf) & PURGE_BRIEF_NOT_LISTED) != 0;
        if (got != cases[k].not_listed) fail_msg("case %zu: not-listed bit %d, want %d", k, got, cases[k].not_listed);
    }
}

static void test_name_printable_is_printable_ascii(void **state)
{
    (void)state;
    assert_true(purge_name_printable("team/app-1.2_x"));
    assert_true(purge_name_printable(""));
    assert_false(purge_name_printable("app\nx"));
    assert_false(purge_name_printable("caf\xc3\xa9"));
    assert_false(purge_name_printable("del\x7f"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* §3 filters */
        T(test_brief_not_listed_marks_exactly_the_unlisted_kinds),
        T(test_name_printable_is_printable_ascii),
        T(test_tag_regex_is_unanchored),
        T(test_tag_regex_is_case_sensitive),
        T(test_repo_regex_is_anchored_at_both_ends),
        T(test_repo_alternation_anchors_only_outer_ends),
        T(test_filters_for_same_repo_merge_and_keep_applies_once),
        T(test_filters_merge_textually_without_grouping),
        T(test_filters_merge_in_flag_order),
        T(test_tag_regex_of_a_filter_applies_only_to_repos_it_selects),
        T(test_invalid_tag_regex_fails_after_its_repository_tags_header),
        T(test_invalid_merged_tag_regex_error_shows_merged_pattern),
        T(test_invalid_tag_regex_of_unmatched_repository_is_no_error),
        /* §4 repositories */
        T(test_repositories_processed_in_name_order),
        T(test_each_repository_runs_tag_phase_then_manifest_phase),
        T(test_without_untagged_there_is_no_manifest_phase),
        /* §4.1-3 tag phase */
        T(test_tags_considered_newest_tag_time_first),
        T(test_tags_with_equal_times_ordered_by_name),
        T(test_keep_with_equal_tag_times_spares_first_name),
        T(test_tag_order_uses_tag_time_not_manifest_time),
        T(test_young_manifest_does_not_shield_old_tag),
        T(test_old_manifest_does_not_expose_young_tag),
        T(test_tag_must_be_strictly_before_cutoff),
        T(test_keep_3_spares_newest_three_candidate_tags),
        T(test_locked_tag_is_not_candidate_and_uses_no_keep_slot),
        T(test_tag_with_delete_disabled_is_locked),
        T(test_tag_with_write_disabled_is_locked),
        T(test_include_locked_makes_locked_tags_candidates),
        T(test_young_tag_uses_no_keep_slot),
        T(test_non_matching_tag_uses_no_keep_slot),
        T(test_keep_counts_across_tag_pages),
        T(test_many_tags_with_tied_times_newest_first_then_by_name),
        /* §4.4 unreadable tag times */
        T(test_unreadable_matching_tag_time_aborts_with_parsing_time_error),
        T(test_unreadable_tag_time_keeps_counts_of_earlier_repositories),
        T(test_unreadable_tag_time_keeps_earlier_pages_but_not_their_count),
        T(test_unreadable_tag_time_on_first_page_prints_no_tag_lines),
        T(test_unreadable_tag_time_is_listed_after_all_readable_tags),
        T(test_missing_tag_time_aborts_as_unreadable),
        T(test_unreadable_time_on_matching_locked_tag_still_aborts),
        T(test_non_matching_tag_with_unreadable_time_is_harmless),
        /* §4.5 manifest phase */
        T(test_untagged_old_manifest_is_deleted),
        T(test_manifest_exactly_at_cutoff_is_old_enough),
        T(test_manifest_after_cutoff_is_protected_by_age),
        T(test_manifest_time_with_numeric_offset_compares_in_utc),
        T(test_tagged_manifest_is_protected_by_tags),
        T(test_manifest_untagged_by_tag_phase_is_deleted_in_same_run),
        T(test_manifest_keeping_one_tag_is_protected),
        T(test_missing_manifest_time_protects_with_unavailable_event),
        T(test_unreadable_manifest_time_protects_with_unreadable_event),
        T(test_protect_events_come_in_digest_order),
        T(test_protect_events_precede_deletions),
        T(test_tagged_manifest_with_missing_time_has_no_protect_event),
        T(test_locked_manifest_with_missing_time_has_no_protect_event),
        /* §4.6 locks */
        T(test_manifest_with_delete_disabled_is_skipped),
        T(test_manifest_with_write_disabled_is_skipped),
        T(test_locked_untagged_index_does_not_protect_children),
        T(test_locked_tagged_index_does_not_protect_children),
        T(test_include_locked_lets_locked_tagged_index_protect_children),
        T(test_include_locked_deletes_locked_untagged_manifest),
        /* §4.7-8 indexes */
        T(test_tagged_index_protects_children),
        T(test_tagged_docker_list_protects_children),
        T(test_young_index_protects_children),
        T(test_index_with_missing_time_protects_children),
        T(test_index_with_unreadable_time_protects_children),
        T(test_protection_recurses_through_nested_indexes),
        T(test_child_shared_with_protected_index_survives),
        T(test_untagged_old_index_is_deleted_with_untagged_children),
        T(test_tagged_child_of_deleted_index_survives),
        /* §4.9 referrers */
        T(test_oci_manifest_with_subject_is_never_deleted),
        T(test_oci_artifact_with_subject_is_never_deleted),
        T(test_oci_referrer_whose_subject_is_not_in_repository_is_never_deleted),
        T(test_oci_manifest_without_subject_is_deleted),
        T(test_docker_v2_with_subject_is_deleted),
        T(test_docker_list_with_subject_is_deleted_and_protects_no_children),
        T(test_oci_index_with_subject_is_deleted_and_children_protected),
        T(test_oci_index_with_subject_and_no_children_is_kept),
        /* §4.10 no mediaType */
        T(test_manifest_without_media_type_is_not_deleted_and_reported),
        T(test_young_manifest_without_media_type_is_not_reported),
        T(test_protected_manifest_without_media_type_protects_children),
        T(test_unprotected_manifest_without_media_type_protects_no_children),
        /* §4.11 keep in the manifest phase */
        T(test_keep_applies_again_in_manifest_phase),
        T(test_manifest_keep_with_n_or_fewer_candidates_deletes_none),
        T(test_manifest_keep_spares_newest_candidates),
        T(test_manifest_keep_breaks_time_ties_by_digest),
        T(test_manifest_keep_ignores_young_and_unreadable_manifests),
        T(test_manifest_keep_list_is_flat),
        /* §4.13 cascade */
        T(test_referrers_of_deleted_manifest_cascade_recursively),
        T(test_locked_referrer_of_deleted_manifest_is_cascaded),
        T(test_referrer_of_surviving_manifest_is_not_cascaded),
        /* --untagged-only, --ago */
        T(test_untagged_only_emits_no_tags_header_and_deletes_no_tags),
        T(test_untagged_only_never_compiles_tag_regex),
        T(test_untagged_only_without_filter_processes_every_repository),
        T(test_untagged_only_with_filter_selects_by_repo_part_only),
        T(test_untagged_only_without_ago_uses_now_as_cutoff),
        T(test_negative_ago_puts_tag_cutoff_in_future),
        T(test_negative_ago_puts_manifest_cutoff_in_future),
        T(test_ago_capped_to_150_years_deletes_nothing),
        /* v0.16 */
        T(test_v016_untagged_deletes_young_untagged_manifest),
        T(test_v016_keep_applies_to_tags_only),
        T(test_v016_manifests_without_times_are_deleted_silently),
        T(test_v016_young_untagged_index_goes_with_children),
        T(test_v016_tags_still_protect_index_descendants),
        T(test_v016_ago_still_selects_tags),
        T(test_v016_locked_manifest_is_skipped),
        T(test_v016_referrer_is_never_deleted),
        T(test_v016_invalid_ago_fails_after_first_repository_tags_header),
        T(test_v017_untagged_honours_ago),
        T(test_v017_keep_applies_to_tags_only),
        T(test_v017_young_untagged_index_protects_children),
        T(test_v017_missing_manifest_time_protects),
        T(test_v017_invalid_ago_fails_after_first_repository_tags_header),
        T(test_v017_999999d_deletes_everything_matching),
        T(test_v017_include_locked_makes_locked_tags_candidates),
        T(test_deletes_nothing_keeps_headers_and_protect_lines_only),
        T(test_deletes_nothing_still_fails_as_the_run_would),
        cmocka_unit_test(test_cutoff_is_now_minus_ago_saturated),
        cmocka_unit_test(test_tag_at_cutoff_is_young_manifest_at_cutoff_is_old),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
