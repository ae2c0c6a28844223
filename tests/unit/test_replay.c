/* test_replay.c - unit tests for replay.h: small hand-made histories whose daily figures are
 * worked out below, schedules, the overlay (tags and manifests a policy deleted), cascades,
 * failed runs, retention timers, soft delete, the dry-run consistency check and properties
 * over generated registries (sim/REPLAY.md, data/pricing/README.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "fixtures.h"
#include "generate.h"
#include "history.h"
#include "ingest.h"
#include "policy.h"
#include "purge.h"
#include "replay.h"
#include "timeu.h"

#define V2 MEDIA_DOCKER_V2
#define OCI MEDIA_OCI_MANIFEST
#define INDEX MEDIA_OCI_INDEX
#define LIST MEDIA_DOCKER_LIST
#define ARTIFACT MEDIA_OCI_ARTIFACT
#define NOMEDIA MEDIA_NONE

#define DAY_NS TIMEU_NS_PER_DAY
#define STR_CAP 16384

/* ---- per-test state: freed in teardown even when an assertion fails ---- */

struct tc {
    struct model *m;
    struct history *h;
    struct policy_set *ps;
    struct replay_result rr, rr2;
    struct diag d;
    struct fx_run *run;        /* a dry run to compare with (fx_run_free is idempotent) */
    char path[64];
    char str[STR_CAP];
};

static int setup(void **state)
{
    struct tc *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->ps = policy_set_new();
    c->run = calloc(1, sizeof *c->run);
    if (!c->run) {
        policy_set_free(c->ps);
        free(c);
        return -1;
    }
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct tc *c = *state;
    replay_result_free(&c->rr);
    replay_result_free(&c->rr2);
    policy_set_free(c->ps);
    history_free(c->h);
    model_free(c->m);
    diag_free(&c->d);
    fx_run_free(c->run);
    free(c->run);
    if (c->path[0]) unlink(c->path);
    free(c);
    return 0;
}

/* A new model whose snapshot was taken at `exported`. */
static struct model *new_model(void **state, const char *exported)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, exported);
    return c->m;
}

static void fail_with_diag(struct tc *c, const char *what)
{
    fail_msg("%s: %s", what, c->d.n_kept ? c->d.msgs[0] : "(no message)");
}

/* Adds one policy in the --policy quick form "NAME=COMMAND". */
static void quick(void **state, const char *spec)
{
    struct tc *c = *state;
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    if (policy_parse_quick(c->ps, spec, &o, &c->d) != PS_OK) fail_with_diag(c, spec);
}

/* Adds the policies of a policy file's text. */
static void policy_text(void **state, const char *text)
{
    struct tc *c = *state;
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    fx_temp_file(text, c->path, sizeof c->path);
    if (policy_parse_file(c->ps, c->path, &o, &c->d) != PS_OK) fail_with_diag(c, "policy file");
}

/* Finishes the model, builds the history with `untag` and replays every policy (the baseline
 * first) over [from, to]. */
static struct replay_result *replay_opts(void **state, enum untag_model untag, const char *from,
                                         const char *to, bool touches, int jobs)
{
    struct tc *c = *state;
    if (!c->h) {
        fx_finish(c->m);
        assert_int_equal(history_build(c->m, untag, &c->h), PS_OK);
    }
    policy_add_baseline(c->ps);
    struct replay_opts o;
    memset(&o, 0, sizeof o);
    o.from_ns = fx_ns(from);
    o.to_ns = fx_ns(to);
    o.tag_delete_touches_manifest = touches;
    o.jobs = jobs;
    assert_int_equal(replay_run(c->h, c->ps, &o, &c->rr), PS_OK);
    return &c->rr;
}

static struct replay_result *replay(void **state, enum untag_model untag, const char *from, const char *to)
{
    return replay_opts(state, untag, from, to, false, 1);
}

/* The replay of the policy called `name`. */
static const struct replay_policy *pol(const struct replay_result *rr, const char *name)
{
    for (size_t i = 0; i < rr->n_pol; i++)
        if (!strcmp(rr->pol[i].p->name, name)) return &rr->pol[i];
    fail_msg("no policy [%s] in the replay", name);
    return NULL;
}

static void put_word(char *buf, const char *word)
{
    size_t len = strlen(buf), wl = strlen(word);
    if (len + wl + 2 > STR_CAP) fail_msg("deletion string longer than %d", STR_CAP);
    if (len) buf[len++] = ' ';
    memcpy(buf + len, word, wl + 1);
}

/* One deletion as "kind(repo:tag)" or "kind(repo@label)". */
static void del_word(const struct history *h, const struct replay_deletion *e, char *w, size_t n)
{
    static const char *const kinds[] = {"tag", "manifest", "cascade", "retention"};
    const struct repo *rp = &h->m->repos[e->repo];
    if (e->kind == RDEL_TAG) snprintf(w, n, "tag(%s:%s)", rp->name, h->inst[e->item].name);
    else snprintf(w, n, "%s(%s@%s)", kinds[e->kind], rp->name, fx_label(&rp->manifests[e->item].digest));
}

/* Every deletion of a policy in order, "kind(what)@time" separated by spaces. */
static const char *dels(void **state, const struct replay_policy *p)
{
    struct tc *c = *state;
    c->str[0] = '\0';
    for (size_t i = 0; i < p->n_del; i++) {
        char w[256], t[48], word[320];
        del_word(c->h, &p->del[i], w, sizeof w);
        snprintf(word, sizeof word, "%s@%s", w, timeu_format(p->del[i].t_ns, t, sizeof t));
        put_word(c->str, word);
    }
    return c->str;
}

/* Asserts the policy's daily stored bytes (imageSize sums) equal want[0..n). */
static void assert_days(const struct replay_result *rr, const struct replay_policy *p, const uint64_t *want,
                        size_t n)
{
    assert_int_equal(rr->n_days, n);
    for (size_t d = 0; d < n; d++) {
        char day[48];
        if (p->days[d].stored_bytes != want[d])
            fail_msg("[%s] day %zu (%s): stored %llu, want %llu", p->p->name, d,
                     timeu_format_date(p->days[d].day_ns, day, sizeof day),
                     (unsigned long long)p->days[d].stored_bytes, (unsigned long long)want[d]);
    }
}

static void assert_soft_days(const struct replay_result *rr, const struct replay_policy *p, const uint64_t *want,
                             size_t n)
{
    assert_int_equal(rr->n_days, n);
    for (size_t d = 0; d < n; d++)
        if (p->days[d].soft_deleted_bytes != want[d])
            fail_msg("[%s] day %zu: soft-deleted %llu, want %llu", p->p->name, d,
                     (unsigned long long)p->days[d].soft_deleted_bytes, (unsigned long long)want[d]);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ======================================================================================
 * daily figures, worked out by hand
 * ====================================================================================== */

/* One repository, pushes on days 1, 2, 3 of 100, 200 and 400 bytes at noon; the moving tag
 * `latest` ends on the third. With the next-push untag model, a lost `latest` when b was
 * pushed and b lost it when c was pushed. */
static void three_pushes(void **state)
{
    struct model *m = new_model(state, "2026-01-07T00:00:00Z");
    fx_manifest(m, "r", "a", "2026-01-01T12:00:00Z", 100, V2);
    fx_manifest(m, "r", "b", "2026-01-02T12:00:00Z", 200, V2);
    fx_manifest(m, "r", "c", "2026-01-03T12:00:00Z", 400, V2);
    fx_tag(m, "r", "latest", "c", "2026-01-03T12:00:00Z", false);
}

static void test_nightly_untagged_purge_daily_stored_bytes(void **state)
{
    three_pushes(state);
    quick(state, "nightly=acr purge --filter 'r:.*' --ago 1d --untagged");
    const struct replay_result *rr = replay(state, UNTAG_NEXT_PUSH, "2026-01-01T00:00:00Z", "2026-01-07T00:00:00Z");
    const struct replay_policy *p = pol(rr, "nightly");
    /* A bare acr purge runs nightly at 00:00 UTC; a day's figure is taken at its end.
     *   Jan 1: the 00:00 run sees an empty registry; a (100) is pushed at 12:00.      -> 100
     *   Jan 2: 00:00 run, cutoff Jan 1 00:00: latest on a was set Jan 1 12:00, not
     *          older than the cutoff, so a stays tagged. b (200) pushed at 12:00, latest
     *          moves to b.                                                             -> 300
     *   Jan 3: 00:00 run, cutoff Jan 2 00:00: latest (on b, Jan 2 12:00) is young; a is
     *          untagged and last updated Jan 1 12:00 <= cutoff: deleted (-100).
     *          c (400) pushed at 12:00, latest moves to c.                             -> 600
     *   Jan 4: 00:00 run, cutoff Jan 3 00:00: latest (Jan 3 12:00) young; b untagged,
     *          updated Jan 2 12:00: deleted (-200).                                    -> 400
     *   Jan 5: 00:00 run, cutoff Jan 4 00:00: latest (Jan 3 12:00) is now old: tag
     *          deleted, c is untagged and old: deleted in the same run (-400).         -> 0
     *   Jan 6, Jan 7 (the window's last instant): nothing left.                       -> 0 */
    const uint64_t want[] = {100, 300, 600, 400, 0, 0, 0};
    assert_days(rr, p, want, N_OF(want));
    assert_string_equal(dels(state, p), "manifest(r@a)@2026-01-03T00:00:00Z manifest(r@b)@2026-01-04T00:00:00Z "
                                        "tag(r:latest)@2026-01-05T00:00:00Z manifest(r@c)@2026-01-05T00:00:00Z");
    assert_int_equal(p->days[2].manifests_deleted, 1);
    assert_int_equal(p->days[4].tags_deleted, 1);
    assert_int_equal(p->days[4].manifests_deleted, 1);
    assert_int_equal(p->runs, 7);   /* Jan 1 .. Jan 7 at 00:00 */
    assert_int_equal(p->tags_deleted, 1);
    assert_int_equal(p->manifests_deleted, 3);
    assert_int_equal(p->n_fail, 0);
}

static void test_nightly_keep_1_daily_stored_bytes(void **state)
{
    three_pushes(state);
    quick(state, "keep1=acr purge --filter 'r:.*' --ago 0d --keep 1 --untagged");
    const struct replay_result *rr = replay(state, UNTAG_NEXT_PUSH, "2026-01-01T00:00:00Z", "2026-01-07T00:00:00Z");
    const struct replay_policy *p = pol(rr, "keep1");
    /* --ago 0d: cutoff = the run's instant; --keep 1 spares the newest tag and, in the
     * manifest phase, the newest untagged candidate.
     *   Jan 1: a pushed at 12:00.                                                      -> 100
     *   Jan 2: 00:00 run: one tag (latest on a), kept. b pushed, latest moves to b.    -> 300
     *   Jan 3: 00:00 run: latest on b kept; untagged candidates {a}: 1 <= keep, none
     *          deleted. c pushed, latest moves to c.                                   -> 700
     *   Jan 4: 00:00 run: candidates {b (Jan 2), a (Jan 1)}: b spared, a deleted.      -> 600
     *   Jan 5..7: candidates {b}: spared; latest on c kept.                            -> 600 */
    const uint64_t want[] = {100, 300, 700, 600, 600, 600, 600};
    assert_days(rr, p, want, N_OF(want));
    assert_string_equal(dels(state, p), "manifest(r@a)@2026-01-04T00:00:00Z");
}

static void test_baseline_deletes_nothing_and_stores_every_push(void **state)
{
    three_pushes(state);
    const struct replay_result *rr = replay(state, UNTAG_NEXT_PUSH, "2026-01-01T00:00:00Z", "2026-01-07T00:00:00Z");
    assert_int_equal(rr->n_pol, 1);
    const struct replay_policy *p = pol(rr, "baseline");
    /* 100 on Jan 1, +200 on Jan 2, +400 on Jan 3, then unchanged */
    const uint64_t want[] = {100, 300, 700, 700, 700, 700, 700};
    assert_days(rr, p, want, N_OF(want));
    assert_int_equal(p->n_del, 0);
    assert_int_equal(p->runs, 0);
    for (size_t d = 0; d < rr->n_days; d++) {
        assert_int_equal(p->days[d].day_ns, fx_ns("2026-01-01T00:00:00Z") + (int64_t)d * DAY_NS);
        assert_int_equal(p->days[d].soft_deleted_bytes, 0);
    }
}

static void test_history_before_the_window_is_in_the_first_day(void **state)
{
    three_pushes(state);
    const struct replay_result *rr = replay(state, UNTAG_NEXT_PUSH, "2026-01-02T18:00:00Z", "2026-01-04T00:00:00Z");
    /* the window starts Jan 2 18:00: the first day is Jan 2 (a and b already there) */
    assert_int_equal(rr->first_day_ns, fx_ns("2026-01-02T00:00:00Z"));
    const uint64_t want[] = {300, 700, 700};
    assert_days(rr, pol(rr, "baseline"), want, N_OF(want));
}

static void test_run_sees_events_at_its_own_instant(void **state)
{
    struct model *m = new_model(state, "2026-01-04T00:00:00Z");
    fx_manifest(m, "r", "a", "2026-01-02T00:00:00Z", 100, V2);   /* pushed at the run's minute */
    quick(state, "p=acr purge --untagged-only --ago 0d");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z");
    const struct replay_policy *p = pol(rr, "p");
    /* pushed Jan 2 00:00 and seen by the Jan 2 00:00 run: cutoff = now, exactly at the cutoff
     * is old enough */
    assert_string_equal(dels(state, p), "manifest(r@a)@2026-01-02T00:00:00Z");
    const uint64_t want[] = {0, 0, 0, 0};
    assert_days(rr, p, want, N_OF(want));
}

static void test_events_at_midnight_belong_to_the_next_day(void **state)
{
    struct model *m = new_model(state, "2026-01-03T00:00:00Z");
    fx_manifest(m, "r", "a", "2026-01-02T00:00:00Z", 100, V2);
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z");
    const uint64_t want[] = {0, 100, 100};
    assert_days(rr, pol(rr, "baseline"), want, N_OF(want));
}

static void test_runs_fire_only_inside_the_window(void **state)
{
    three_pushes(state);
    quick(state, "p=acr purge --filter 'r:^none$' --ago 0d");
    const struct replay_result *rr = replay(state, UNTAG_NEXT_PUSH, "2026-01-01T12:00:00Z", "2026-01-04T12:00:00Z");
    /* 00:00 on Jan 2, 3 and 4 */
    assert_int_equal(pol(rr, "p")->runs, 3);
}

static void test_dedup_bytes_count_shared_blobs_once(void **state)
{
    struct model *m = new_model(state, "2026-01-03T00:00:00Z");
    fx_manifest(m, "r", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_layer(m, "r", "a", "base", 60);
    fx_layer(m, "r", "a", "app-a", 40);
    fx_manifest(m, "s", "b", "2026-01-02T00:00:00Z", 70, V2);
    fx_layer(m, "s", "b", "base", 60);
    fx_layer(m, "s", "b", "app-b", 10);
    fx_tag(m, "r", "v1", "a", "2026-01-01T00:00:00Z", false);
    fx_tag(m, "s", "v1", "b", "2026-01-02T00:00:00Z", false);
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z");
    const struct replay_policy *p = pol(rr, "baseline");
    assert_true(rr->dedup_known);
    /* Jan 1: a = base + app-a = 100; Jan 2: + b's app-b only (base is shared) = 110 */
    assert_int_equal(p->days[0].stored_bytes_dedup, 100);
    assert_int_equal(p->days[1].stored_bytes_dedup, 110);
    assert_int_equal(p->days[1].stored_bytes, 170);
}

static void test_dedup_is_unknown_when_an_image_has_no_layers(void **state)
{
    struct model *m = new_model(state, "2026-01-03T00:00:00Z");
    fx_manifest(m, "r", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_layer(m, "r", "a", "base", 100);
    fx_manifest(m, "r", "idx", "2026-01-01T00:00:00Z", 1, INDEX);   /* indexes need none */
    fx_manifest(m, "r", "b", "2026-01-01T00:00:00Z", 100, V2);
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z");
    assert_false(rr->dedup_known);
}

static void test_repository_end_bytes_and_byte_days(void **state)
{
    struct tc *c = *state;
    three_pushes(state);
    fx_manifest(c->m, "s", "x", "2026-01-01T00:00:00Z", 5, V2);
    fx_finish(c->m);
    assert_int_equal(history_build(c->m, UNTAG_NEXT_PUSH, &c->h), PS_OK);
    policy_add_baseline(c->ps);
    struct replay_opts o;
    memset(&o, 0, sizeof o);
    o.from_ns = fx_ns("2026-01-01T00:00:00Z");
    o.to_ns = fx_ns("2026-01-07T00:00:00Z");
    o.acct_from_ns = fx_ns("2026-01-02T00:00:00Z");
    o.acct_to_ns = fx_ns("2026-01-04T00:00:00Z");
    o.jobs = 1;
    assert_int_equal(replay_run(c->h, c->ps, &o, &c->rr), PS_OK);
    const struct replay_policy *p = pol(&c->rr, "baseline");
    uint32_t r = fx_repo_index(c->m, "r"), s = fx_repo_index(c->m, "s");
    assert_int_equal(p->repo_end_bytes[r], 700);
    assert_int_equal(p->repo_end_bytes[s], 5);
    /* accounted days Jan 2 and Jan 3: r held 300 then 700; s held 5 on both */
    assert_int_equal(p->acct_days, 2);
    assert_true(p->repo_byte_days[r] == 1000.0);
    assert_true(p->repo_byte_days[s] == 10.0);
}

/* ======================================================================================
 * schedules
 * ====================================================================================== */

/* a is tagged v1 (Jan 1) and nothing else happens. */
static void one_tagged(void **state, const char *exported)
{
    struct model *m = new_model(state, exported);
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_tag(m, "app", "v1", "a", "2026-01-01T00:00:00Z", false);
}

static void test_tasks_due_at_the_same_minute_run_in_file_order(void **state)
{
    one_tagged(state, "2026-01-05T00:00:00Z");
    policy_text(state, "[p]\n"
                       "acr purge --filter 'app:.*' --ago 0d\n"
                       "acr purge --untagged-only --ago 0d\n");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z");
    /* Jan 1 00:00: v1 set at 00:00 is not before the cutoff. Jan 2 00:00: the first task
     * untags a, and the second, running on what the first left, deletes it at once. */
    assert_string_equal(dels(state, pol(rr, "p")), "tag(app:v1)@2026-01-02T00:00:00Z manifest(app@a)@2026-01-02T00:00:00Z");
}

static void test_tasks_in_the_other_order_leave_the_manifest_for_the_next_night(void **state)
{
    one_tagged(state, "2026-01-05T00:00:00Z");
    policy_text(state, "[p]\n"
                       "acr purge --untagged-only --ago 0d\n"
                       "acr purge --filter 'app:.*' --ago 0d\n");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z");
    assert_string_equal(dels(state, pol(rr, "p")), "tag(app:v1)@2026-01-02T00:00:00Z manifest(app@a)@2026-01-03T00:00:00Z");
}

static void test_cron_timers_of_one_task_matching_the_same_minute_fire_once(void **state)
{
    one_tagged(state, "2026-01-05T00:00:00Z");
    quick(state, "same=az acr task create --name p --registry myreg --schedule \"0 0 * * *\" "
                 "--schedule \"0 0 1-31 * *\" --cmd \"acr purge --filter 'app:^none$' --ago 0d\" --context /dev/null");
    quick(state, "two=az acr task create --name p --registry myreg --schedule \"0 0 * * *\" "
                 "--schedule \"0 12 * * *\" --cmd \"acr purge --filter 'app:^none$' --ago 0d\" --context /dev/null");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z");
    /* midnights Jan 1..5: 5 runs, not 10 */
    assert_int_equal(pol(rr, "same")->runs, 5);
    /* distinct minutes do fire separately: 5 midnights and 4 noons */
    assert_int_equal(pol(rr, "two")->runs, 9);
}

static void test_task_schedule_fires_at_its_cron_minutes(void **state)
{
    one_tagged(state, "2026-01-10T00:00:00Z");
    quick(state, "p=az acr task create --name p --registry myreg --schedule \"30 6 * * 1\" "
                 "--cmd \"acr purge --filter 'app:.*' --ago 0d --untagged\" --context /dev/null");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z");
    /* 2026-01-05 is the first Monday */
    assert_string_equal(dels(state, pol(rr, "p")), "tag(app:v1)@2026-01-05T06:30:00Z manifest(app@a)@2026-01-05T06:30:00Z");
    assert_int_equal(pol(rr, "p")->runs, 1);
}

/* ======================================================================================
 * the overlay
 * ====================================================================================== */

static void test_purged_tag_stays_purged(void **state)
{
    struct model *m = new_model(state, "2026-01-10T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_tag(m, "app", "v1", "a", "2026-01-01T00:00:00Z", false);
    fx_manifest(m, "app", "b", "2026-01-05T00:00:00Z", 50, V2);
    fx_tag(m, "app", "v2", "b", "2026-01-05T00:00:00Z", false);
    policy_text(state, "[p]\n"
                       "acr purge --filter 'app:^v1$' --ago 1d\n"
                       "az acr task create --name late --registry myreg --schedule \"0 0 8 1 *\" "
                       "--cmd \"acr purge --untagged-only --ago 0d\" --context /dev/null\n");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z");
    const struct replay_policy *p = pol(rr, "p");
    /* v1 is deleted once (Jan 3 00:00, first run where it is older than a day); no later
     * nightly run sees it again, and on Jan 8 a is still untagged, so it goes */
    assert_string_equal(dels(state, p), "tag(app:v1)@2026-01-03T00:00:00Z manifest(app@a)@2026-01-08T00:00:00Z");
    assert_int_equal(p->tags_deleted, 1);
}

static void test_deleting_a_manifest_removes_its_tags_without_reporting_them(void **state)
{
    struct model *m = new_model(state, "2026-01-06T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "sig", "2026-01-01T00:00:00Z", 10, OCI);
    fx_subject(m, "app", "sig", "a");
    fx_tag(m, "app", "sig-tag", "sig", "2026-01-01T00:00:00Z", false);
    policy_text(state, "[p]\n"
                       "az acr task create --name u --registry myreg --schedule \"0 0 2 1 *\" "
                       "--cmd \"acr purge --untagged-only --ago 0d\" --context /dev/null\n"
                       "acr purge --filter 'app:.*' --ago 0d\n");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-06T00:00:00Z");
    const struct replay_policy *p = pol(rr, "p");
    /* Jan 1: the nightly tag purge keeps sig-tag (set at 00:00, not before the cutoff).
     * Jan 2: the first task deletes a; the registry cascades sig with its tag, which is not a
     * tag deletion; the nightly tag purge after it finds no tag left, then or later. */
    assert_string_equal(dels(state, p), "manifest(app@a)@2026-01-02T00:00:00Z cascade(app@sig)@2026-01-02T00:00:00Z");
    assert_int_equal(p->tags_deleted, 0);
    assert_int_equal(p->days[1].tags_deleted, 0);
}

static void test_tag_pushed_after_deletion_brings_the_manifest_back(void **state)
{
    struct model *m = new_model(state, "2026-01-10T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    /* a was untagged from its push; on Jan 5 12:00 someone promoted it as `prod` */
    fx_tag(m, "app", "prod", "a", "2026-01-05T12:00:00Z", false);
    policy_text(state, "[p]\n"
                       "acr purge --untagged-only --ago 1d\n");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z");
    const struct replay_policy *p = pol(rr, "p");
    /* Jan 2 00:00: a is untagged and a day old, so it goes. Jan 5 12:00: the tag push after
     * the deletion pushes a again (sim/REPLAY.md); it is tagged from then on, so it stays. */
    assert_string_equal(dels(state, p), "manifest(app@a)@2026-01-02T00:00:00Z");
    static const uint64_t want[] = {100, 0, 0, 0, 100, 100, 100, 100, 100, 100};
    assert_days(rr, p, want, N_OF(want));
}

static void test_revived_manifest_can_be_deleted_again(void **state)
{
    struct model *m = new_model(state, "2026-01-10T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_tag(m, "app", "old", "a", "2026-01-01T06:00:00Z", false);
    policy_text(state, "[p]\n"
                       "acr purge --filter 'app:.*' --ago 0d --untagged\n");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z");
    const struct replay_policy *p = pol(rr, "p");
    /* Jan 1 00:00: a, pushed that instant and untagged until 06:00, is exactly at the cutoff,
     * which is old enough: it goes. 06:00: the tag pushed after the deletion brings it back.
     * Jan 2 00:00: the tag is older than the cutoff, so it goes, and then a, untagged. */
    assert_string_equal(dels(state, p), "manifest(app@a)@2026-01-01T00:00:00Z tag(app:old)@2026-01-02T00:00:00Z "
                                        "manifest(app@a)@2026-01-02T00:00:00Z");
    static const uint64_t want[] = {100, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_days(rr, p, want, N_OF(want));
}

static void test_cascade_of_referrers_is_reported_as_cascade_with_bytes(void **state)
{
    struct model *m = new_model(state, "2026-01-03T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "sig", "2026-01-01T00:00:01Z", 7, OCI);
    fx_subject(m, "app", "sig", "a");
    fx_manifest(m, "app", "sigsig", "2026-01-01T00:00:02Z", 3, ARTIFACT);
    fx_subject(m, "app", "sigsig", "sig");
    fx_lock_manifest(m, "app", "sigsig", false, false);   /* locks do not stop the registry */
    fx_manifest(m, "app", "keep", "2026-01-01T00:00:00Z", 1000, V2);
    fx_tag(m, "app", "v1", "keep", "2026-01-01T00:00:00Z", false);
    quick(state, "p=az acr task create --name u --registry myreg --schedule \"0 6 2 1 *\" "
                 "--cmd \"acr purge --untagged-only --ago 1h\" --context /dev/null");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z");
    const struct replay_policy *p = pol(rr, "p");
    assert_string_equal(dels(state, p), "manifest(app@a)@2026-01-02T06:00:00Z cascade(app@sig)@2026-01-02T06:00:00Z "
                                        "cascade(app@sigsig)@2026-01-02T06:00:00Z");
    assert_int_equal(p->days[1].manifests_deleted, 1);
    assert_int_equal(p->days[1].cascade_deleted, 2);
    assert_int_equal(p->cascade_deleted, 2);
    /* 1110 stored; a (100) + sig (7) + sigsig (3) go */
    const uint64_t want[] = {1110, 1000, 1000};
    assert_days(rr, p, want, N_OF(want));
}

static void test_manifest_the_run_selects_is_no_cascade_when_its_subject_goes_too(void **state)
{
    struct model *m = new_model(state, "2026-01-03T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    /* a Docker v2 manifest is deleted without its body being read: its subject is not checked */
    fx_manifest(m, "app", "d", "2026-01-01T00:00:00Z", 5, V2);
    fx_subject(m, "app", "d", "a");
    quick(state, "p=acr purge --untagged-only --ago 1h");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z");
    assert_string_equal(dels(state, pol(rr, "p")), "manifest(app@a)@2026-01-02T00:00:00Z manifest(app@d)@2026-01-02T00:00:00Z");
}

static void test_failed_run_keeps_deletions_made_before_the_error(void **state)
{
    struct model *m = new_model(state, "2026-01-03T00:00:00Z");
    fx_manifest(m, "a-app", "a", "2025-12-01T00:00:00Z", 100, V2);
    fx_tag(m, "a-app", "v1", "a", "2025-12-01T00:00:00Z", false);
    fx_manifest(m, "b-bad", "b", "2026-01-01T00:00:00Z", 100, V2);
    fx_tag(m, "b-bad", "v1", "b", "garbage", false);
    fx_manifest(m, "c-app", "c", "2025-12-01T00:00:00Z", 100, V2);
    fx_tag(m, "c-app", "v1", "c", "2025-12-01T00:00:00Z", false);
    quick(state, "p=az acr task create --name u --registry myreg --schedule \"0 6 * * *\" "
                 "--cmd \"acr purge --filter '.*:.*' --ago 1d --untagged\" --context /dev/null");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z");
    const struct replay_policy *p = pol(rr, "p");
    /* Jan 1 06:00: a-app's tag and manifest go (repositories in name order), then b-bad's
     * unreadable tag time aborts the run; c-app is never reached. Jan 2: the same failure. */
    assert_string_equal(dels(state, p), "tag(a-app:v1)@2026-01-01T06:00:00Z manifest(a-app@a)@2026-01-01T06:00:00Z");
    assert_int_equal(p->n_fail, 2);
    assert_int_equal(p->fail[0].t_ns, fx_ns("2026-01-01T06:00:00Z"));
    assert_int_equal(p->fail[1].t_ns, fx_ns("2026-01-02T06:00:00Z"));
    assert_int_equal(p->fail[0].task, 0);
    if (strncmp(p->fail[0].error, "failed to purge tags: parsing time \"garbage\"", 44) != 0)
        fail_msg("unexpected error text: %s", p->fail[0].error);
    const uint64_t want[] = {200, 200, 200};
    assert_days(rr, p, want, N_OF(want));
}

static void test_tag_delete_touches_manifest_option_delays_its_deletion(void **state)
{
    one_tagged(state, "2026-01-06T00:00:00Z");
    policy_text(state, "[p]\n"
                       "az acr task create --name t --registry myreg --schedule \"0 0 3 1 *\" "
                       "--cmd \"acr purge --filter 'app:.*' --ago 1d\" --context /dev/null\n"
                       "acr purge --untagged-only --ago 1d\n");
    struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-06T00:00:00Z");
    /* off: a (updated Jan 1) is older than the cutoff right after its tag goes */
    assert_string_equal(dels(state, pol(rr, "p")), "tag(app:v1)@2026-01-03T00:00:00Z manifest(app@a)@2026-01-03T00:00:00Z");
    replay_result_free(rr);
    /* on: the tag deletion sets a's lastUpdateTime to Jan 3 00:00; a is a day old on Jan 4 */
    rr = replay_opts(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-06T00:00:00Z", true, 1);
    assert_string_equal(dels(state, pol(rr, "p")), "tag(app:v1)@2026-01-03T00:00:00Z manifest(app@a)@2026-01-04T00:00:00Z");
}

/* ======================================================================================
 * retention timers
 * ====================================================================================== */

#define RETENTION(days) "az acr config retention update --registry myreg --days " days " --type UntaggedManifests --status enabled"

static void test_retention_deletes_manifest_n_days_after_it_lost_its_last_tag(void **state)
{
    struct model *m = new_model(state, "2026-01-10T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "b", "2026-01-02T06:00:00Z", 50, V2);
    fx_tag(m, "app", "latest", "b", "2026-01-02T06:00:00Z", false);
    quick(state, "ret=" RETENTION("3"));
    const struct replay_result *rr = replay(state, UNTAG_NEXT_PUSH, "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z");
    const struct replay_policy *p = pol(rr, "ret");
    /* latest left a at b's push (Jan 2 06:00): a goes 3 days later, Jan 5 06:00 */
    assert_string_equal(dels(state, p), "retention(app@a)@2026-01-05T06:00:00Z");
    const uint64_t want[] = {100, 150, 150, 150, 50, 50, 50, 50, 50, 50};
    assert_days(rr, p, want, N_OF(want));
    assert_int_equal(p->runs, 0);
    assert_int_equal(p->days[4].manifests_deleted, 1);
}

static void test_retention_tag_set_before_expiry_cancels_the_timer(void **state)
{
    struct model *m = new_model(state, "2026-01-10T00:00:00Z");
    /* pushed untagged Jan 1, tagged Jan 3 (its tag's lastUpdateTime): 2 days untagged */
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_tag(m, "app", "v1", "a", "2026-01-03T00:00:00Z", false);
    quick(state, "ret=" RETENTION("3"));
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z");
    assert_string_equal(dels(state, pol(rr, "ret")), "");
}

static void test_retention_restarts_when_the_manifest_is_untagged_again(void **state)
{
    struct model *m = new_model(state, "2026-01-20T00:00:00Z");
    /* a is pushed untagged Jan 1 (timer for Jan 4), tagged v1 Jan 2, and untagged again when
     * a purge deletes v1 on Jan 3 (timer for Jan 6). On Jan 4 a is untagged, but that first
     * timer was cancelled by the tag: only the second one deletes it. */
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_tag(m, "app", "v1", "a", "2026-01-02T00:00:00Z", false);
    policy_text(state, "[p]\n"
                       "az acr task create --name t --registry myreg --schedule \"0 0 3 1 *\" "
                       "--cmd \"acr purge --filter 'app:.*' --ago 12h\" --context /dev/null\n"
                       RETENTION("3") "\n");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-20T00:00:00Z");
    assert_string_equal(dels(state, pol(rr, "p")), "tag(app:v1)@2026-01-03T00:00:00Z retention(app@a)@2026-01-06T00:00:00Z");
}

static void test_retention_counts_from_the_last_time_the_manifest_lost_its_tag(void **state)
{
    struct model *m = new_model(state, "2026-01-20T00:00:00Z");
    /* own-update model: a carried the moving tag from its push (Jan 1) to its lastUpdateTime
     * (Jan 5); the 3 days run from Jan 5 */
    fx_manifest(m, "app", "a", "2026-01-05T00:00:00Z", 100, V2);
    fx_created(m, "app", "a", "2026-01-01T00:00:00Z");
    fx_manifest(m, "app", "b", "2026-01-05T00:00:00Z", 50, V2);
    fx_tag(m, "app", "latest", "b", "2026-01-05T00:00:00Z", false);
    quick(state, "ret=" RETENTION("3"));
    const struct replay_result *rr = replay(state, UNTAG_OWN_UPDATE, "2026-01-01T00:00:00Z", "2026-01-20T00:00:00Z");
    assert_string_equal(dels(state, pol(rr, "ret")), "retention(app@a)@2026-01-08T00:00:00Z");
}

static void test_retention_skips_manifests_with_delete_disabled(void **state)
{
    struct model *m = new_model(state, "2026-01-10T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_lock_manifest(m, "app", "a", false, true);
    fx_manifest(m, "app", "w", "2026-01-01T00:00:00Z", 100, V2);
    fx_lock_manifest(m, "app", "w", true, false);   /* only deleteEnabled matters */
    quick(state, "ret=" RETENTION("1"));
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z");
    assert_string_equal(dels(state, pol(rr, "ret")), "retention(app@w)@2026-01-02T00:00:00Z");
}

static void test_retention_ignores_manifests_untagged_before_it_was_enabled(void **state)
{
    struct model *m = new_model(state, "2026-01-20T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "b", "2026-01-02T00:00:00Z", 100, V2);   /* a untagged Jan 2 */
    fx_manifest(m, "app", "c", "2026-01-04T00:00:00Z", 100, V2);   /* b untagged Jan 4 */
    fx_tag(m, "app", "latest", "c", "2026-01-04T00:00:00Z", false);
    quick(state, "ret=" RETENTION("2") " --enabled-at 2026-01-03");
    const struct replay_result *rr = replay(state, UNTAG_NEXT_PUSH, "2026-01-01T00:00:00Z", "2026-01-20T00:00:00Z");
    assert_string_equal(dels(state, pol(rr, "ret")), "retention(app@b)@2026-01-06T00:00:00Z");
}

static void test_retention_is_enabled_at_the_window_start_by_default(void **state)
{
    struct model *m = new_model(state, "2026-01-20T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "b", "2026-01-02T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "c", "2026-01-04T00:00:00Z", 100, V2);
    fx_tag(m, "app", "latest", "c", "2026-01-04T00:00:00Z", false);
    quick(state, "ret=" RETENTION("2"));
    const struct replay_result *rr = replay(state, UNTAG_NEXT_PUSH, "2026-01-03T00:00:00Z", "2026-01-20T00:00:00Z");
    assert_string_equal(dels(state, pol(rr, "ret")), "retention(app@b)@2026-01-06T00:00:00Z");
}

static void test_retention_starts_when_a_purge_deletes_the_last_tag(void **state)
{
    one_tagged(state, "2026-01-10T00:00:00Z");
    policy_text(state, "[p]\n"
                       "az acr task create --name t --registry myreg --schedule \"0 0 3 1 *\" "
                       "--cmd \"acr purge --filter 'app:.*' --ago 1d\" --context /dev/null\n"
                       RETENTION("2") "\n");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z");
    assert_string_equal(dels(state, pol(rr, "p")), "tag(app:v1)@2026-01-03T00:00:00Z retention(app@a)@2026-01-05T00:00:00Z");
}

static void test_retention_deletes_referrers_with_their_subject(void **state)
{
    struct model *m = new_model(state, "2026-01-10T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "sig", "2026-01-01T00:00:00Z", 5, OCI);
    fx_subject(m, "app", "sig", "a");
    quick(state, "ret=" RETENTION("1"));
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z");
    const struct replay_policy *p = pol(rr, "ret");
    /* the referrer has no timer of its own: it goes with its subject */
    assert_string_equal(dels(state, p), "retention(app@a)@2026-01-02T00:00:00Z cascade(app@sig)@2026-01-02T00:00:00Z");
    assert_int_equal(p->days[1].cascade_deleted, 1);
}

/* ======================================================================================
 * soft delete
 * ====================================================================================== */

/* a (100) untagged, b (50) tagged; a purge at `cron` deletes a; soft delete for `days`. */
static void soft_setup(void **state, const char *cron, const char *days)
{
    struct model *m = new_model(state, "2026-01-07T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_layer(m, "app", "a", "only-a", 60);
    fx_layer(m, "app", "a", "shared", 40);
    fx_manifest(m, "app", "b", "2026-01-01T00:00:00Z", 50, V2);
    fx_layer(m, "app", "b", "shared", 40);
    fx_layer(m, "app", "b", "only-b", 10);
    fx_tag(m, "app", "v1", "b", "2026-01-01T00:00:00Z", false);
    char text[1024];
    snprintf(text, sizeof text,
             "[soft]\n"
             "az acr task create --name u --registry myreg --schedule \"%s\" "
             "--cmd \"acr purge --untagged-only --ago 1d\" --context /dev/null\n"
             "az acr config soft-delete update --registry myreg --days %s --status enabled\n",
             cron, days);
    policy_text(state, text);
}

static void test_soft_delete_bills_until_first_sweep_after_n_days(void **state)
{
    soft_setup(state, "0 12 3 1 *", "2");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-07T00:00:00Z");
    const struct replay_policy *p = pol(rr, "soft");
    assert_string_equal(dels(state, p), "manifest(app@a)@2026-01-03T12:00:00Z");
    /* a leaves the stored bytes on Jan 3 12:00; it expires Jan 5 12:00 and the daily sweep
     * at or after that is Jan 6 00:00, so it is still billed at the end of Jan 3, 4 and 5 */
    const uint64_t stored[] = {150, 150, 50, 50, 50, 50, 50};
    const uint64_t soft[] = {0, 0, 100, 100, 100, 0, 0};
    assert_days(rr, p, stored, N_OF(stored));
    assert_soft_days(rr, p, soft, N_OF(soft));
}

static void test_soft_delete_at_midnight_is_swept_exactly_n_days_later(void **state)
{
    soft_setup(state, "0 0 3 1 *", "2");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-07T00:00:00Z");
    const struct replay_policy *p = pol(rr, "soft");
    /* deleted Jan 3 00:00, expires Jan 5 00:00: the Jan 5 00:00 sweep takes it (and a sweep
     * at midnight belongs to the day it starts): billed on Jan 3 and Jan 4 */
    const uint64_t soft[] = {0, 0, 100, 100, 0, 0, 0};
    assert_soft_days(rr, p, soft, N_OF(soft));
}

static void test_soft_deleted_dedup_bytes_are_blobs_only_deleted_manifests_keep(void **state)
{
    soft_setup(state, "0 12 3 1 *", "2");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-07T00:00:00Z");
    const struct replay_policy *p = pol(rr, "soft");
    /* Jan 3: b keeps shared + only-b = 50 stored; only-a (60) is billed for a alone */
    assert_int_equal(p->days[2].stored_bytes_dedup, 50);
    assert_int_equal(p->days[2].soft_deleted_bytes_dedup, 60);
    assert_int_equal(p->days[5].soft_deleted_bytes_dedup, 0);
    assert_int_equal(p->days[1].stored_bytes_dedup, 110);
}

static void test_without_soft_delete_deleted_bytes_leave_at_once(void **state)
{
    struct model *m = new_model(state, "2026-01-05T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    quick(state, "p=az acr task create --name u --registry myreg --schedule \"0 12 3 1 *\" "
                 "--cmd \"acr purge --untagged-only --ago 1d\" --context /dev/null");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z");
    const uint64_t soft[] = {0, 0, 0, 0, 0};
    assert_soft_days(rr, pol(rr, "p"), soft, N_OF(soft));
    const uint64_t stored[] = {100, 100, 0, 0, 0};
    assert_days(rr, pol(rr, "p"), stored, N_OF(stored));
}

static void test_soft_deleted_cascade_bytes_stay_billed_too(void **state)
{
    struct model *m = new_model(state, "2026-01-07T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, V2);
    fx_manifest(m, "app", "sig", "2026-01-01T00:00:00Z", 5, OCI);
    fx_subject(m, "app", "sig", "a");
    policy_text(state, "[soft]\n"
                       "az acr task create --name u --registry myreg --schedule \"0 0 2 1 *\" "
                       "--cmd \"acr purge --untagged-only --ago 1d\" --context /dev/null\n"
                       "az acr config soft-delete update --registry myreg --days 1 --status enabled\n");
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-01-01T00:00:00Z", "2026-01-07T00:00:00Z");
    const struct replay_policy *p = pol(rr, "soft");
    assert_string_equal(dels(state, p), "manifest(app@a)@2026-01-02T00:00:00Z cascade(app@sig)@2026-01-02T00:00:00Z");
    const uint64_t soft[] = {0, 105, 0, 0, 0, 0, 0};
    assert_soft_days(rr, p, soft, N_OF(soft));
}

/* ======================================================================================
 * dry-run consistency: one replayed run at T deletes what purge_run selects at T
 * ====================================================================================== */

#define T_SNAP "2026-11-01T00:00:00Z"

/* T_SNAP minus `hours`, as RFC 3339 text in a rotating buffer. */
static const char *hago(long long hours)
{
    static char bufs[32][48];
    static size_t next;
    char *b = bufs[next++ % 32];
    return timeu_format(fx_ns(T_SNAP) - hours * 3600 * TIMEU_NS_PER_SEC, b, sizeof bufs[0]);
}

static void rich_snapshot(struct model *m)
{
    /* app: tags of several ages, locks, old and young untagged manifests */
    fx_manifest(m, "app", "m1", hago(24 * 30), 101, V2);
    fx_manifest(m, "app", "m2", hago(24 * 20), 102, V2);
    fx_manifest(m, "app", "m3", hago(24 * 10), 103, V2);
    fx_manifest(m, "app", "m4", hago(24 * 5), 104, V2);
    fx_manifest(m, "app", "m5", hago(12), 105, V2);
    fx_tag(m, "app", "v1", "m1", hago(24 * 29), false);
    fx_tag(m, "app", "v2", "m2", hago(24 * 19), false);
    fx_tag(m, "app", "v3", "m3", hago(24 * 9), false);
    fx_tag(m, "app", "v4", "m4", hago(24 * 4), false);
    fx_tag(m, "app", "latest", "m5", hago(12), false);
    fx_tag(m, "app", "pinned", "m1", hago(24 * 28), true);
    fx_tag(m, "app", "half", "m2", hago(24 * 18), false);
    fx_tag_flags(m, "app", "half", true, false);
    fx_manifest(m, "app", "o1", hago(24 * 40), 11, V2);
    fx_manifest(m, "app", "o2", hago(24 * 35), 12, OCI);
    fx_manifest(m, "app", "o3", hago(24 * 25), 13, V2);
    fx_manifest(m, "app", "o4", hago(24 * 3), 14, V2);
    fx_manifest(m, "app", "young", hago(2), 15, V2);
    fx_manifest(m, "app", "lk", hago(24 * 50), 16, V2);
    fx_lock_manifest(m, "app", "lk", false, true);
    fx_manifest(m, "app", "nomedia", hago(24 * 50), 17, NOMEDIA);
    fx_manifest(m, "app", "notime", NULL, 18, V2);
    fx_created(m, "app", "notime", hago(24 * 50));

    /* multi: indexes, children, a locked index, a nested index */
    fx_manifest(m, "multi", "idx", hago(24 * 10), 2, INDEX);
    fx_manifest(m, "multi", "c1", hago(24 * 10 + 1), 201, OCI);
    fx_manifest(m, "multi", "c2", hago(24 * 10 + 1), 202, OCI);
    fx_children(m, "multi", "idx", "c1", "c2", NULL);
    fx_manifest(m, "multi", "tidx", hago(24 * 8), 3, LIST);
    fx_manifest(m, "multi", "c3", hago(24 * 8 + 1), 203, V2);
    fx_children(m, "multi", "tidx", "c3", NULL);
    fx_tag(m, "multi", "stable", "tidx", hago(24 * 7), false);
    fx_manifest(m, "multi", "lidx", hago(24 * 9), 4, INDEX);
    fx_manifest(m, "multi", "c4", hago(24 * 9 + 1), 204, OCI);
    fx_children(m, "multi", "lidx", "c4", NULL);
    fx_lock_manifest(m, "multi", "lidx", false, false);
    fx_manifest(m, "multi", "outer", hago(24 * 6), 5, INDEX);
    fx_manifest(m, "multi", "inner", hago(24 * 6 + 1), 6, INDEX);
    fx_manifest(m, "multi", "c5", hago(24 * 6 + 2), 205, OCI);
    fx_children(m, "multi", "outer", "inner", NULL);
    fx_children(m, "multi", "inner", "c5", NULL);
    fx_tag(m, "multi", "nested", "outer", hago(24 * 6), false);

    /* signed: referrers, nested referrers, a locked referrer, a tagged image's signature */
    fx_manifest(m, "signed", "s1", hago(24 * 10), 301, OCI);
    fx_manifest(m, "signed", "sig1", hago(24 * 10 - 1), 31, OCI);
    fx_subject(m, "signed", "sig1", "s1");
    fx_manifest(m, "signed", "sig1b", hago(24 * 10 - 2), 32, ARTIFACT);
    fx_subject(m, "signed", "sig1b", "sig1");
    fx_manifest(m, "signed", "lsig", hago(24 * 10 - 1), 33, OCI);
    fx_subject(m, "signed", "lsig", "s1");
    fx_lock_manifest(m, "signed", "lsig", false, false);
    fx_manifest(m, "signed", "s2", hago(24 * 10), 302, OCI);
    fx_tag(m, "signed", "v1", "s2", hago(24 * 10), false);
    fx_manifest(m, "signed", "sig2", hago(24 * 10 - 1), 34, OCI);
    fx_subject(m, "signed", "sig2", "s2");
    fx_manifest(m, "signed", "dsig", hago(24 * 10 - 1), 35, V2);   /* Docker v2: body not read */
    fx_subject(m, "signed", "dsig", "s2");
    fx_manifest(m, "signed", "orphan", hago(24 * 10 - 1), 36, OCI);
    fx_subject(m, "signed", "orphan", "gone");

    /* zz-bad: a tag whose time cannot be read (any run reading it fails) */
    fx_manifest(m, "zz-bad", "z1", hago(24 * 10), 401, V2);
    fx_tag(m, "zz-bad", "broken", "z1", "garbage", false);
    fx_manifest(m, "zz-bad", "z2", hago(24 * 10), 402, V2);
}

/* The dry run's deletions at T, in the replay's words. */
static void purge_words(const struct model *m, const struct purge_result *res, char *buf)
{
    buf[0] = '\0';
    for (size_t i = 0; i < res->n_ev; i++) {
        const struct purge_event *e = &res->ev[i];
        const struct repo *rp = &m->repos[e->repo];
        char w[256];
        if (e->kind == PEV_TAG) snprintf(w, sizeof w, "tag(%s:%s)", rp->name, rp->tags[e->item].name);
        else if (e->kind == PEV_MANIFEST)
            snprintf(w, sizeof w, "manifest(%s@%s)", rp->name, fx_label(&rp->manifests[e->item].digest));
        else if (e->kind == PEV_CASCADE)
            snprintf(w, sizeof w, "cascade(%s@%s)", rp->name, fx_label(&rp->manifests[e->item].digest));
        else continue;
        put_word(buf, w);
    }
}

static const char *const CONSISTENCY_RULES[] = {
    "acr purge --filter 'app:.*' --ago 3d --keep 2 --untagged",
    "acr purge --filter 'app:^v' --ago 1d",
    "acr purge --filter 'app:.*' --filter 'multi:.*' --filter 'signed:.*' --ago 0d --untagged",
    "acr purge --untagged-only --ago 2d",
    "acr purge --untagged-only --ago 0d --keep 3",
    "acr purge --filter 'app:.*' --filter 'multi:.*' --ago 0d --untagged --include-locked",
    "acr purge --filter 'multi:.*' --ago 1d --untagged --keep 1",
    "acr purge --filter 'multi:^nested$' --ago 1d --untagged",
    "acr purge --filter 'signed:.*' --ago 0d --untagged",
    "acr purge --filter 'signed:.*' --ago 0d --untagged-only --include-locked",
    "acr purge --filter '.*:.*' --ago 0d --untagged",   /* fails at zz-bad after the others */
};
#define N_RULES N_OF(CONSISTENCY_RULES)

static void test_one_replayed_run_deletes_what_the_dry_run_selects(void **state)
{
    struct tc *c = *state;
    struct model *m = new_model(state, T_SNAP);
    rich_snapshot(m);
    for (size_t k = 0; k < N_RULES; k++) {
        char spec[1024];
        snprintf(spec, sizeof spec,
                 "r%zu=az acr task create --name p --registry myreg --schedule \"0 0 1 11 *\" "
                 "--cmd \"%s\" --context /dev/null",
                 k, CONSISTENCY_RULES[k]);
        quick(state, spec);
    }
    const struct replay_result *rr = replay(state, UNTAG_NEVER_TAGGED, "2026-10-25T00:00:00Z", T_SNAP);
    int64_t t = fx_ns(T_SNAP);
    char *want = malloc(STR_CAP), *got = malloc(STR_CAP);
    assert_non_null(want);
    assert_non_null(got);
    size_t nonempty = 0, failed = 0;
    for (size_t k = 0; k < N_RULES; k++) {
        char name[16];
        snprintf(name, sizeof name, "r%zu", k);
        const struct replay_policy *p = pol(rr, name);
        struct fx_run *run = c->run;
        fx_run_cur(run, m, CONSISTENCY_RULES[k], T_SNAP);
        purge_words(m, &run->res, want);
        got[0] = '\0';
        for (size_t i = 0; i < p->n_del; i++) {
            char w[256];
            del_word(c->h, &p->del[i], w, sizeof w);
            put_word(got, w);
            assert_int_equal(p->del[i].t_ns, t);
        }
        bool same = !strcmp(want, got);
        bool fail_same = (p->n_fail == 1) == run->res.failed &&
                         (!run->res.failed || !strcmp(p->fail[0].error, run->res.error));
        nonempty += want[0] != '\0';
        failed += run->res.failed;
        size_t runs = p->runs;
        fx_run_free(run);
        if (!same || !fail_same || runs != 1) {
            char msg[600];
            snprintf(msg, sizeof msg, "rule %s", CONSISTENCY_RULES[k]);
            print_error("%s\n  dry run: %s\n  replay:  %s\n", msg, want, got);
            free(want);
            free(got);
            fail_msg("%s: the replay differs from the dry run (runs %zu)", msg, runs);
        }
    }
    free(want);
    free(got);
    /* every rule but the tag-only one on `nested` selects something; one fails */
    assert_true(nonempty >= N_RULES - 1);
    assert_int_equal(failed, 1);
}

static void test_dry_run_consistency_cascades_and_locks_are_exercised(void **state)
{
    /* guards the model above: the rules must reach cascades, locked manifests and children */
    struct tc *c = *state;
    struct model *m = new_model(state, T_SNAP);
    rich_snapshot(m);
    fx_finish(m);
    fx_run_cur(c->run, m, "acr purge --filter 'signed:.*' --ago 0d --untagged", T_SNAP);
    assert_true(fx_manifest_deleted(c->run, "signed", "s1"));
    assert_true(fx_manifest_cascaded(c->run, "signed", "sig1"));
    assert_true(fx_manifest_cascaded(c->run, "signed", "sig1b"));
    assert_true(fx_manifest_cascaded(c->run, "signed", "lsig"));
    fx_run_free(c->run);
    fx_run_cur(c->run, m, "acr purge --filter 'multi:^none$' --ago 0d --untagged", T_SNAP);
    assert_true(fx_manifest_deleted(c->run, "multi", "c4"));     /* a locked index protects nothing */
    assert_false(fx_manifest_deleted(c->run, "multi", "c3"));    /* a tagged index protects */
    assert_false(fx_manifest_deleted(c->run, "multi", "c5"));    /* ... through nested indexes */
    assert_true(fx_manifest_deleted(c->run, "multi", "idx"));
    assert_true(fx_manifest_deleted(c->run, "multi", "c1"));
    fx_run_free(c->run);
}

/* ======================================================================================
 * properties over generated registries
 * ====================================================================================== */

/* Generates a bundle into a temp file and ingests it. */
static struct model *generated(void **state, enum generate_scale scale, uint64_t seed)
{
    struct tc *c = *state;
    struct generate_opts go;
    generate_opts_default(&go);
    go.scale = scale;
    go.seed = seed;
    go.days = scale == GENERATE_SCALE_TINY ? 60 : 120;
    char tmpl[] = "/tmp/purgesim-gen-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    snprintf(c->path, sizeof c->path, "%s", tmpl);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    int rc = generate_bundle(fp, &go, NULL);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(rc, PS_OK);
    struct ingest_opts io = {NULL, NULL, 0, 0};
    if (ingest_load(c->path, &io, &c->m, &c->d) != PS_OK) fail_with_diag(c, "ingest");
    assert_true(c->m->has_exported_at);
    return c->m;
}

static struct replay_result *replay_generated(void **state, int jobs)
{
    struct tc *c = *state;
    if (!c->h) assert_int_equal(history_build(c->m, UNTAG_NEXT_PUSH, &c->h), PS_OK);
    policy_add_baseline(c->ps);
    struct replay_opts o;
    memset(&o, 0, sizeof o);
    o.from_ns = c->h->first_push_ns;
    o.to_ns = c->h->end_ns;
    o.jobs = jobs;
    assert_int_equal(replay_run(c->h, c->ps, &o, &c->rr), PS_OK);
    return &c->rr;
}

struct keep_rule {
    const char *spec;     /* NAME=COMMAND */
    const char *tag_re;   /* the rule's (single) tag filter */
    long long keep;
};

static const struct keep_rule KEEP_RULES[] = {
    {"k1=acr purge --filter '.*:.*' --ago 0d --keep 1 --untagged", ".*", 1},
    {"k3=acr purge --filter '.*:.*' --ago 7d --keep 3 --untagged", ".*", 3},
    {"kv=az acr task create --name p --registry r --schedule \"0 3 * * 0\" "
     "--cmd \"acr purge --filter '.*:^v?[0-9]' --ago 1d --keep 2\" --context /dev/null",
     "^v?[0-9]", 2},
    {"k5=az acr task create --name p --registry r --schedule \"0 */6 * * *\" "
     "--cmd \"acr purge --filter '.*:^(main|pr-|dev)' --ago 0d --keep 5 --untagged\" --context /dev/null",
     "^(main|pr-|dev)", 5},
    {"k0=acr purge --filter '.*:.*' --ago 2d --untagged", ".*", 0},
};
#define N_KEEP N_OF(KEEP_RULES)

static void add_keep_policies(void **state)
{
    for (size_t k = 0; k < N_KEEP; k++) quick(state, KEEP_RULES[k].spec);
}

/* The baseline: no runs, no deletions, bytes only grow, and the end is the whole snapshot. */
static void check_baseline(const struct model *m, const struct replay_result *rr)
{
    const struct replay_policy *b = &rr->pol[0];
    assert_string_equal(b->p->name, "baseline");
    assert_int_equal(b->n_del, 0);
    assert_int_equal(b->n_fail, 0);
    assert_int_equal(b->runs, 0);
    uint64_t all = 0;
    for (size_t r = 0; r < m->n_repos; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) all += m->repos[r].manifests[i].size_bytes;
    for (size_t d = 1; d < rr->n_days; d++) {
        assert_true(b->days[d].stored_bytes >= b->days[d - 1].stored_bytes);
        assert_int_equal(b->days[d].soft_deleted_bytes, 0);
        assert_int_equal(b->days[d].manifests_deleted + b->days[d].tags_deleted + b->days[d].cascade_deleted, 0);
    }
    assert_int_equal(b->days[rr->n_days - 1].stored_bytes, all);
}

/* The bytes reclaimed at the end are the imageSize of the manifests gone at the end, and the
 * deduplicated bytes reclaimed are the blobs no remaining manifest references. */
static void check_reclaimed(const struct replay_result *rr, const struct replay_policy *p, const uint8_t *gone)
{
    const struct history *h = rr->h;
    const struct model *m = h->m;
    uint32_t *refs_base = calloc(m->n_blobs + 1, sizeof *refs_base), *refs = calloc(m->n_blobs + 1, sizeof *refs);
    assert_true(refs_base && refs);
    uint64_t deleted = 0, blobs_freed = 0;
    for (size_t r = 0; r < m->n_repos; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
            const struct manifest *mf = &m->repos[r].manifests[i];
            bool g = gone[h->repo_base[r] + i];
            if (g) deleted += mf->size_bytes;
            for (uint32_t k = 0; k < mf->n_layers; k++) {
                refs_base[mf->layers[k]]++;
                if (!g) refs[mf->layers[k]]++;
            }
        }
    for (size_t b = 0; b < m->n_blobs; b++)
        if (refs_base[b] && !refs[b]) blobs_freed += m->blobs[b].size_bytes;
    free(refs_base);
    free(refs);
    const struct replay_day *pe = &p->days[rr->n_days - 1], *be = &rr->pol[0].days[rr->n_days - 1];
    assert_int_equal(be->stored_bytes - pe->stored_bytes, deleted);
    assert_int_equal(be->stored_bytes_dedup - pe->stored_bytes_dedup, blobs_freed);
}

/* Replays the natural events and p's deletions in time order and checks, at each instant where
 * p deleted something, that every repository the rule selects keeps at least min(keep, what
 * it had just before) live tags matching the tag regex; then the same at the window's end
 * against the baseline's count. Also checks every deleted tag was live and every deleted
 * manifest present, and the bytes reclaimed at the end. */
static void check_keep(const struct replay_result *rr, const struct replay_policy *p, const struct keep_rule *kr)
{
    const struct history *h = rr->h;
    const struct model *m = h->m;
    char err[256];
    void *re = purgecmd_compile_regex(kr->tag_re, err, sizeof err);
    if (!re) fail_msg("%s", err);
    const struct purge_rule *rule = &p->p->tasks[0].rule;
    uint8_t *selected = calloc(m->n_repos + 1, 1);
    uint8_t *matches = calloc(h->n_inst + 1, 1);
    uint8_t *live = calloc(h->n_inst + 1, 1), *gone = calloc(h->n_ids + 1, 1), *present = calloc(h->n_ids + 1, 1);
    int64_t *gone_at = calloc(h->n_ids + 1, sizeof *gone_at);
    size_t *count = calloc(m->n_repos + 1, sizeof *count), *before = calloc(m->n_repos + 1, sizeof *before);
    size_t *base_count = calloc(m->n_repos + 1, sizeof *base_count);
    assert_true(selected && matches && live && gone && gone_at && present && count && before && base_count);
    for (size_t r = 0; r < m->n_repos; r++)
        for (size_t f = 0; f < rule->n_filters; f++)
            if (purgecmd_regex_match(rule->filters[f].repo_code, m->repos[r].name) == 1) selected[r] = 1;
    for (size_t i = 0; i < h->n_inst; i++) {
        matches[i] = purgecmd_regex_match(re, h->inst[i].name) == 1;
        if (matches[i] && h->inst[i].unset_ns == INT64_MAX) base_count[h->inst[i].repo]++;
    }
    size_t ei = 0, di = 0;
    char where[512] = "";
    while (ei < h->n_ev || di < p->n_del) {
        int64_t te = ei < h->n_ev && h->ev[ei].t_ns <= h->end_ns ? h->ev[ei].t_ns : INT64_MAX;
        int64_t td = di < p->n_del ? p->del[di].t_ns : INT64_MAX;
        if (te == INT64_MAX && td == INT64_MAX) break;
        if (te <= td) {   /* natural events at an instant come before that instant's runs */
            const struct hist_event *e = &h->ev[ei++];
            if (e->kind == HEV_PUSH) {
                present[e->item] = 1;
                continue;
            }
            const struct tag_instance *ti = &h->inst[e->item];
            size_t id = h->repo_base[ti->repo] + ti->manifest;
            /* a tag pushed after the manifest's deletion pushes it again (sim/REPLAY.md) */
            if (e->kind == HEV_TAG_SET && gone[id] && ti->updated_state == TIME_OK && ti->updated_ns > gone_at[id])
                gone[id] = 0;
            bool now = e->kind == HEV_TAG_SET && !gone[id];
            if (e->kind == HEV_TAG_UNSET && !live[e->item]) continue;
            if (now != (bool)live[e->item] && matches[e->item]) count[ti->repo] += now ? 1 : (size_t)-1;
            live[e->item] = now;
            continue;
        }
        memcpy(before, count, m->n_repos * sizeof *count);
        for (; di < p->n_del && p->del[di].t_ns == td; di++) {
            const struct replay_deletion *d = &p->del[di];
            if (d->kind == RDEL_TAG) {
                if (!live[d->item]) fail_msg("[%s] deleted tag instance %u that was not live", p->p->name, d->item);
                live[d->item] = 0;
                if (matches[d->item]) count[d->repo]--;
                continue;
            }
            size_t id = h->repo_base[d->repo] + d->item;
            if (!present[id] || gone[id]) fail_msg("[%s] deleted manifest id %zu that was not there", p->p->name, id);
            gone[id] = 1;
            gone_at[id] = d->t_ns;
            for (size_t i = 0; i < h->n_inst; i++)
                if (live[i] && h->inst[i].repo == d->repo && h->inst[i].manifest == d->item) {
                    live[i] = 0;
                    if (matches[i]) count[d->repo]--;
                }
        }
        for (size_t r = 0; r < m->n_repos; r++) {
            size_t need = before[r] < (size_t)kr->keep ? before[r] : (size_t)kr->keep;
            if (selected[r] && count[r] < need) {
                snprintf(where, sizeof where, "[%s] run at %lld: %s kept %zu matching tags of %zu", p->p->name,
                         (long long)td, m->repos[r].name, count[r], before[r]);
                break;
            }
        }
        if (where[0]) break;
    }
    if (!where[0])
        for (size_t r = 0; r < m->n_repos; r++) {
            size_t need = base_count[r] < (size_t)kr->keep ? base_count[r] : (size_t)kr->keep;
            if (selected[r] && count[r] < need) {
                snprintf(where, sizeof where, "[%s] at the end %s has %zu matching tags, baseline %zu",
                         p->p->name, m->repos[r].name, count[r], base_count[r]);
                break;
            }
        }
    purgecmd_regex_free(re);
    if (!where[0]) check_reclaimed(rr, p, gone);
    free(selected);
    free(matches);
    free(live);
    free(gone);
    free(gone_at);
    free(present);
    free(count);
    free(before);
    free(base_count);
    if (where[0]) fail_msg("%s", where);
}

static void run_properties(void **state, enum generate_scale scale, uint64_t seed)
{
    struct model *m = generated(state, scale, seed);
    add_keep_policies(state);
    const struct replay_result *rr = replay_generated(state, 1);
    assert_int_equal(rr->n_pol, N_KEEP + 1);
    check_baseline(m, rr);
    for (size_t k = 0; k < N_KEEP; k++) {
        const struct replay_policy *p = &rr->pol[k + 1];
        assert_int_equal(p->n_fail, 0);
        check_keep(rr, p, &KEEP_RULES[k]);
    }
    /* something was exercised */
    assert_true(rr->pol[1].tags_deleted > 0 || rr->pol[1].manifests_deleted > 0);
}

static void test_property_tiny_registries_baseline_and_keep(void **state)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        run_properties(state, GENERATE_SCALE_TINY, seed);
        struct tc *c = *state;
        replay_result_free(&c->rr);
        history_free(c->h);
        c->h = NULL;
        model_free(c->m);
        c->m = NULL;
        policy_set_free(c->ps);
        c->ps = policy_set_new();
        unlink(c->path);
        c->path[0] = '\0';
    }
}

static void test_property_small_registry_baseline_and_keep(void **state)
{
    run_properties(state, GENERATE_SCALE_SMALL, 7);
}

static void test_thread_count_does_not_change_the_replay(void **state)
{
    struct tc *c = *state;
    generated(state, GENERATE_SCALE_TINY, 3);
    add_keep_policies(state);
    replay_generated(state, 1);
    c->rr2 = c->rr;
    memset(&c->rr, 0, sizeof c->rr);
    replay_generated(state, 4);
    assert_int_equal(c->rr.n_pol, c->rr2.n_pol);
    for (size_t i = 0; i < c->rr.n_pol; i++) {
        const struct replay_policy *a = &c->rr.pol[i], *b = &c->rr2.pol[i];
        assert_int_equal(a->n_del, b->n_del);
        for (size_t d = 0; d < c->rr.n_days; d++) {
            const struct replay_day *x = &a->days[d], *y = &b->days[d];
            assert_int_equal(x->stored_bytes, y->stored_bytes);
            assert_int_equal(x->stored_bytes_dedup, y->stored_bytes_dedup);
            assert_int_equal(x->tags_deleted + x->manifests_deleted + x->cascade_deleted,
                             y->tags_deleted + y->manifests_deleted + y->cascade_deleted);
        }
        /* field by field: the structs have padding */
        for (size_t k = 0; k < a->n_del; k++) {
            assert_int_equal(a->del[k].t_ns, b->del[k].t_ns);
            assert_int_equal(a->del[k].repo, b->del[k].repo);
            assert_int_equal(a->del[k].item, b->del[k].item);
            assert_int_equal(a->del[k].kind, b->del[k].kind);
        }
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_nightly_untagged_purge_daily_stored_bytes),
        T(test_nightly_keep_1_daily_stored_bytes),
        T(test_baseline_deletes_nothing_and_stores_every_push),
        T(test_history_before_the_window_is_in_the_first_day),
        T(test_run_sees_events_at_its_own_instant),
        T(test_events_at_midnight_belong_to_the_next_day),
        T(test_runs_fire_only_inside_the_window),
        T(test_dedup_bytes_count_shared_blobs_once),
        T(test_dedup_is_unknown_when_an_image_has_no_layers),
        T(test_repository_end_bytes_and_byte_days),
        T(test_tasks_due_at_the_same_minute_run_in_file_order),
        T(test_tasks_in_the_other_order_leave_the_manifest_for_the_next_night),
        T(test_cron_timers_of_one_task_matching_the_same_minute_fire_once),
        T(test_task_schedule_fires_at_its_cron_minutes),
        T(test_purged_tag_stays_purged),
        T(test_deleting_a_manifest_removes_its_tags_without_reporting_them),
        T(test_tag_pushed_after_deletion_brings_the_manifest_back),
        T(test_revived_manifest_can_be_deleted_again),
        T(test_cascade_of_referrers_is_reported_as_cascade_with_bytes),
        T(test_manifest_the_run_selects_is_no_cascade_when_its_subject_goes_too),
        T(test_failed_run_keeps_deletions_made_before_the_error),
        T(test_tag_delete_touches_manifest_option_delays_its_deletion),
        T(test_retention_deletes_manifest_n_days_after_it_lost_its_last_tag),
        T(test_retention_tag_set_before_expiry_cancels_the_timer),
        T(test_retention_restarts_when_the_manifest_is_untagged_again),
        T(test_retention_counts_from_the_last_time_the_manifest_lost_its_tag),
        T(test_retention_skips_manifests_with_delete_disabled),
        T(test_retention_ignores_manifests_untagged_before_it_was_enabled),
        T(test_retention_is_enabled_at_the_window_start_by_default),
        T(test_retention_starts_when_a_purge_deletes_the_last_tag),
        T(test_retention_deletes_referrers_with_their_subject),
        T(test_soft_delete_bills_until_first_sweep_after_n_days),
        T(test_soft_delete_at_midnight_is_swept_exactly_n_days_later),
        T(test_soft_deleted_dedup_bytes_are_blobs_only_deleted_manifests_keep),
        T(test_without_soft_delete_deleted_bytes_leave_at_once),
        T(test_soft_deleted_cascade_bytes_stay_billed_too),
        T(test_one_replayed_run_deletes_what_the_dry_run_selects),
        T(test_dry_run_consistency_cascades_and_locks_are_exercised),
        T(test_property_tiny_registries_baseline_and_keep),
        T(test_property_small_registry_baseline_and_keep),
        T(test_thread_count_does_not_change_the_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
