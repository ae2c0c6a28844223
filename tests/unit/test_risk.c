/* test_risk.c - unit tests for pulls.h and risk.h: pulls of an event log checked against each
 * policy's replay on small hand-made histories, where which pull breaks, and when its
 * reference was deleted, is worked out in each test; in-use references deleted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "events.h"
#include "fixtures.h"
#include "history.h"
#include "inuse.h"
#include "policy.h"
#include "pulls.h"
#include "replay.h"
#include "risk.h"
#include "timeu.h"

#define LOGIN "myreg.azurecr.io"

struct tc {
    struct model *m;
    struct history *h;
    struct policy_set *ps;
    struct event_log log;
    struct inuse_list inuse;
    struct pull_index px;
    struct inuse_target *targets;
    struct replay_result rr;
    struct risk risk;
    struct diag d;
};

static int setup(void **state)
{
    struct tc *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->ps = policy_set_new();
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct tc *c = *state;
    risk_free(&c->risk);
    replay_result_free(&c->rr);
    pulls_free(&c->px);
    free(c->targets);
    events_free(&c->log);
    inuse_free(&c->inuse);
    policy_set_free(c->ps);
    history_free(c->h);
    model_free(c->m);
    diag_free(&c->d);
    free(c);
    return 0;
}

/* One row of `az monitor log-analytics query -o json`: every value a string. */
static void row(char *buf, size_t len, const char *t, const char *op, const char *repo, const char *tag,
                const char *digest, const char *status)
{
    size_t n = strlen(buf);
    snprintf(buf + n, len - n,
             "%s{\"TableName\": \"PrimaryResult\", \"TimeGenerated\": \"%s\", \"OperationName\": \"%s\", "
             "\"Repository\": \"%s\", \"Tag\": \"%s\", \"Digest\": \"%s\", \"Size\": \"None\", "
             "\"LoginServer\": \"" LOGIN "\", \"ResultType\": \"HttpStatusCode\", \"ResultDescription\": \"%s\"}",
             n > 1 ? ",\n" : "", t, op, repo, tag, digest, status);
}

static void pull_tag(char *buf, size_t len, const char *t, const char *tag)
{
    row(buf, len, t, "Pull", "app", tag, "None", "200");
}

/* A pull by digest: the digest in the Tag column, the Digest column "<nil>", as seen. */
static void pull_digest(char *buf, size_t len, const char *t, const char *label)
{
    row(buf, len, t, "Pull", "app", fx_digest_str(label), "<nil>", "200");
}

/* Three images pushed a day apart, each tagged v1, v2, v3 as pushed; the snapshot on day 10. */
static void three_images(struct tc *c)
{
    c->m = fx_model(NULL);
    fx_exported_at(c->m, "2026-01-10T00:00:00Z");
    fx_manifest(c->m, "app", "a", "2026-01-01T12:00:00Z", 100, MEDIA_OCI_MANIFEST);
    fx_manifest(c->m, "app", "b", "2026-01-02T12:00:00Z", 100, MEDIA_OCI_MANIFEST);
    fx_manifest(c->m, "app", "c", "2026-01-03T12:00:00Z", 100, MEDIA_OCI_MANIFEST);
    fx_tag(c->m, "app", "v1", "a", "2026-01-01T12:00:00Z", false);
    fx_tag(c->m, "app", "v2", "b", "2026-01-02T12:00:00Z", false);
    fx_tag(c->m, "app", "v3", "c", "2026-01-03T12:00:00Z", false);
}

static void quick(struct tc *c, const char *spec)
{
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    if (policy_parse_quick(c->ps, spec, &o, &c->d) != PS_OK) fail_msg("%s: %s", spec, c->d.msgs[0]);
}

/* Replays every policy over [from, to] with the log's pulls and the in-use text (may be NULL). */
static void run(struct tc *c, const char *log_rows, const char *inuse_text, const char *from, const char *to)
{
    fx_finish(c->m);
    assert_int_equal(history_build(c->m, UNTAG_NEXT_PUSH, &c->h), PS_OK);
    policy_add_baseline(c->ps);
    char text[16384];
    snprintf(text, sizeof text, "[%s]", log_rows);
    if (events_load_mem(&c->log, text, strlen(text), "log.json", LOGIN, &c->d) != PS_OK)
        fail_msg("log: %s", c->d.msgs[0]);
    events_finish(&c->log);
    struct replay_opts o;
    memset(&o, 0, sizeof o);
    o.from_ns = fx_ns(from);
    o.to_ns = fx_ns(to);
    o.jobs = 1;
    pulls_build(&c->log, c->h, o.from_ns, o.to_ns, &c->px);
    o.pulls = &c->px;
    if (inuse_text) {
        if (inuse_load_mem(&c->inuse, inuse_text, strlen(inuse_text), "in-use.txt", LOGIN, &c->d) != PS_OK)
            fail_msg("in-use: %s", c->d.msgs[0]);
        c->targets = pulls_resolve_inuse(&c->inuse, c->h);
    }
    assert_int_equal(replay_run(c->h, c->ps, &o, &c->rr), PS_OK);
    risk_compute(&c->rr, &c->px, inuse_text ? c->targets : NULL, c->inuse.n, &c->risk);
}

/* Policy i's broken pulls as "reference@deleted_at" lines. */
static const char *broken(struct tc *c, size_t i)
{
    static char out[2048];
    out[0] = '\0';
    const struct replay_policy *rp = &c->rr.pol[i];
    for (size_t k = 0; k < rp->n_broken; k++) {
        const struct replay_pull *pl = &c->px.p[rp->broken[k].pull];
        char ref[200], t[48], at[48];
        risk_pull_reference(&c->px, pl, ref, sizeof ref);
        /* digests of labels are long: show the label */
        const char *at_sign = strchr(ref, '@');
        if (at_sign) snprintf(ref + (at_sign - ref), sizeof ref - (size_t)(at_sign - ref), "@%s", fx_label(&c->log.ev[pl->event].digest));
        size_t n = strlen(out);
        snprintf(out + n, sizeof out - n, "%s %s deleted %s\n", timeu_format(pl->t_ns, t, sizeof t), ref,
                 timeu_format(rp->broken[k].deleted_at, at, sizeof at));
    }
    return out;
}

static void test_a_tag_deleted_by_keep_breaks_its_pulls(void **state)
{
    struct tc *c = *state;
    three_images(c);
    quick(c, "k2=acr purge --filter 'app:.*' --ago 0d --keep 2");
    char log[8192] = "";
    pull_tag(log, sizeof log, "2026-01-03T23:00:00Z", "v1");   /* before the window: not counted */
    pull_tag(log, sizeof log, "2026-01-04T06:00:00Z", "v1");   /* the first run (00:00) deleted v1 */
    pull_tag(log, sizeof log, "2026-01-04T06:00:01Z", "v3");   /* kept */
    pull_tag(log, sizeof log, "2026-01-05T06:00:00Z", "v1");
    run(c, log, NULL, "2026-01-04T00:00:00Z", "2026-01-06T00:00:00Z");
    assert_int_equal(c->px.pulls, 3);
    assert_string_equal(broken(c, 0), "");   /* the baseline never breaks a pull */
    assert_string_equal(broken(c, 1), "2026-01-04T06:00:00Z app:v1 deleted 2026-01-04T00:00:00Z\n"
                                      "2026-01-05T06:00:00Z app:v1 deleted 2026-01-04T00:00:00Z\n");
    assert_int_equal(c->risk.pol[1].broken_pulls, 2);
    assert_int_equal(c->risk.pol[1].broken_refs, 1);
    assert_true(c->risk.pol[1].first_broken_ns == fx_ns("2026-01-04T06:00:00Z"));
}

static void test_a_digest_deleted_as_untagged_breaks_its_pulls(void **state)
{
    struct tc *c = *state;
    three_images(c);
    /* the tag phase untags a (v1), the manifest phase deletes it, in the same run (a --keep
     * would apply again to untagged manifests and spare it: sim/RULES.md §4.11) */
    quick(c, "v1u=acr purge --filter 'app:v1' --ago 0d --untagged");
    quick(c, "tags=acr purge --filter 'app:v1' --ago 0d");
    char log[8192] = "";
    pull_digest(log, sizeof log, "2026-01-04T07:00:00Z", "a");
    pull_digest(log, sizeof log, "2026-01-04T07:00:01Z", "c");
    run(c, log, NULL, "2026-01-04T00:00:00Z", "2026-01-06T00:00:00Z");
    assert_string_equal(broken(c, 1), "2026-01-04T07:00:00Z app@a deleted 2026-01-04T00:00:00Z\n");
    /* deleting only the tag leaves the manifest pullable by digest */
    assert_string_equal(broken(c, 2), "");
}

static void test_a_pull_before_the_first_run_does_not_break(void **state)
{
    struct tc *c = *state;
    three_images(c);
    /* a nightly run at 02:00: the 01:00 pull of day 4 comes before it */
    quick(c, "late=az acr task create --name t --schedule '0 2 * * *' --cmd \"acr purge --filter 'app:.*' --ago 0d "
             "--keep 2\" --context /dev/null");
    char log[8192] = "";
    pull_tag(log, sizeof log, "2026-01-04T01:00:00Z", "v1");
    pull_tag(log, sizeof log, "2026-01-04T02:00:00Z", "v1");   /* the run's instant: sees the registry before it */
    pull_tag(log, sizeof log, "2026-01-04T02:00:00.000000001Z", "v1");
    run(c, log, NULL, "2026-01-04T00:00:00Z", "2026-01-06T00:00:00Z");
    assert_string_equal(broken(c, 1), "2026-01-04T02:00:00.000000001Z app:v1 deleted 2026-01-04T02:00:00Z\n");
}

static void test_an_index_by_tag_and_its_child_by_digest(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, "2026-01-10T00:00:00Z");
    fx_manifest(c->m, "app", "amd", "2026-01-01T12:00:00Z", 100, MEDIA_OCI_MANIFEST);
    fx_manifest(c->m, "app", "arm", "2026-01-01T12:00:00Z", 100, MEDIA_OCI_MANIFEST);
    fx_manifest(c->m, "app", "idx", "2026-01-01T12:00:01Z", 0, MEDIA_OCI_INDEX);
    fx_children(c->m, "app", "idx", "amd", "arm", NULL);
    fx_tag(c->m, "app", "multi", "idx", "2026-01-01T12:00:01Z", false);
    quick(c, "all=acr purge --filter 'app:multi' --ago 0d --untagged");
    char log[8192] = "";
    pull_tag(log, sizeof log, "2026-01-04T06:00:00Z", "multi");
    pull_digest(log, sizeof log, "2026-01-04T06:00:01Z", "arm");
    run(c, log, NULL, "2026-01-04T00:00:00Z", "2026-01-05T00:00:00Z");
    assert_string_equal(broken(c, 1), "2026-01-04T06:00:00Z app:multi deleted 2026-01-04T00:00:00Z\n"
                                      "2026-01-04T06:00:01Z app@arm deleted 2026-01-04T00:00:00Z\n");
    assert_int_equal(c->risk.pol[1].broken_refs, 2);
}

static void test_failed_and_unknown_pulls_are_not_counted(void **state)
{
    struct tc *c = *state;
    three_images(c);
    quick(c, "k0=acr purge --filter 'app:.*' --ago 0d");
    char log[8192] = "";
    row(log, sizeof log, "2026-01-04T06:00:00Z", "Pull", "app", "v1", "None", "404");   /* failed in reality */
    pull_tag(log, sizeof log, "2026-01-04T06:00:01Z", "never-pushed");
    pull_tag(log, sizeof log, "2026-01-04T06:00:02Z", "v2");
    run(c, log, NULL, "2026-01-04T00:00:00Z", "2026-01-05T00:00:00Z");
    assert_int_equal(c->px.pulls, 2);        /* the 404 never reaches the index */
    assert_int_equal(c->px.unresolved, 1);   /* never-pushed */
    assert_string_equal(broken(c, 1), "2026-01-04T06:00:02Z app:v2 deleted 2026-01-04T00:00:00Z\n");
}

static void test_in_use_references_deleted_and_when(void **state)
{
    struct tc *c = *state;
    three_images(c);
    quick(c, "v1u=acr purge --filter 'app:v1' --ago 0d --untagged");
    char in_use[512];
    snprintf(in_use, sizeof in_use, "# production\n" LOGIN "/app:v3\napp:v1\napp@%s\nother.io/app:v1\n",
             fx_digest_str("a"));
    run(c, "", in_use, "2026-01-04T00:00:00Z", "2026-01-05T00:00:00Z");
    assert_int_equal(c->inuse.other_registry, 1);
    assert_int_equal(c->risk.pol[0].n_inuse, 0);
    const struct risk_policy *r = &c->risk.pol[1];
    assert_int_equal(r->n_inuse, 2);   /* v1 and a; v3 is kept */
    char ref[200];
    risk_inuse_reference(&c->targets[r->inuse[0].target], ref, sizeof ref);
    assert_string_equal(ref, "app:v1");
    assert_true(r->inuse[0].deleted_at == fx_ns("2026-01-04T00:00:00Z"));
    assert_true(r->inuse[1].deleted_at == fx_ns("2026-01-04T00:00:00Z"));
    assert_true(risk_any(&c->risk, false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_tag_deleted_by_keep_breaks_its_pulls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_digest_deleted_as_untagged_breaks_its_pulls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_pull_before_the_first_run_does_not_break, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_index_by_tag_and_its_child_by_digest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_and_unknown_pulls_are_not_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_use_references_deleted_and_when, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
