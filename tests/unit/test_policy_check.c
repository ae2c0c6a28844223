/* test_policy_check.c - policy_check.h: warnings that need the export or the window (filters that
 * match no repository, a --registry other than the export's, schedules that never fire) and
 * the copy of the parse's own warnings, each once. */
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
#include "policy.h"
#include "policy_check.h"
#include "strv.h"

#define FROM "2026-10-01T00:00:00Z"
#define TO "2026-12-06T00:00:00Z"

struct tc {
    struct policy_set *ps;
    struct model *m;
    struct diag d;
    char path[64];
    char **w;
    size_t n_w;
    char all[4096];
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
    policy_set_free(c->ps);
    model_free(c->m);
    diag_free(&c->d);
    strv_free(c->w, c->n_w);
    if (c->path[0]) unlink(c->path);
    free(c);
    return 0;
}

/* A finished model with repositories app, team-a/api and team-a/web on devreg.azurecr.io. */
static void three_repos(void **state)
{
    struct tc *c = *state;
    c->m = fx_model("devreg.azurecr.io");
    fx_manifest(c->m, "app", "a", "2026-09-01T00:00:00Z", 1, MEDIA_DOCKER_V2);
    fx_manifest(c->m, "team-a/api", "b", "2026-09-01T00:00:00Z", 1, MEDIA_DOCKER_V2);
    fx_manifest(c->m, "team-a/web", "c", "2026-09-01T00:00:00Z", 1, MEDIA_DOCKER_V2);
    fx_finish(c->m);
}

/* Parses the policy file text, runs policy_check over [FROM, TO] and returns the warnings
 * joined by "\n". */
static const char *check(void **state, const char *text)
{
    struct tc *c = *state;
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    fx_temp_file(text, c->path, sizeof c->path);
    if (policy_parse_file(c->ps, c->path, &o, &c->d) != PS_OK)
        fail_msg("did not parse: %s", c->d.n_kept ? c->d.msgs[0] : "(no message)");
    policy_add_baseline(c->ps);
    policy_check(c->ps, c->m, fx_ns(FROM), fx_ns(TO), &c->w, &c->n_w);
    size_t k = 0;
    c->all[0] = '\0';
    for (size_t i = 0; i < c->n_w; i++)
        k += (size_t)snprintf(c->all + k, sizeof c->all - k, "%s%s", i ? "\n" : "", c->w[i]);
    return c->all;
}

static void test_good_policies_get_no_warning(void **state)
{
    three_repos(state);
    assert_string_equal(check(state, "[p]\n"
                                     "az acr task create -n t -r devreg --schedule '0 0 * * *' --cmd \"acr purge "
                                     "--filter 'team-a/.*:.*' -r devreg.azurecr.io --ago 1d\" --context /dev/null\n"
                                     "acr purge --untagged-only --ago 3d\n"
                                     "[r]\naz acr config retention update --registry devreg --status enabled --days 3\n"),
                        "");
}

static void test_filter_matching_no_repository_warns_once_per_policy(void **state)
{
    three_repos(state);
    assert_string_equal(check(state, "[p]\nacr purge --filter 'team-a:.*' --filter 'app:.*' --ago 1d\n"
                                     "acr purge --filter 'team-a:.*' --ago 2d\n"),
                        "[p] --filter 'team-a:.*' matches no repository of the export at any time in the window "
                        "(3 repositories): the repository part must match a whole name");
}

static void test_unexpanded_variable_in_repository_part_is_named(void **state)
{
    three_repos(state);
    assert_string_equal(check(state, "[p]\nacr purge --filter '$REPOSITORY:.*' --ago 1d --untagged\n"),
                        "[p] --filter '$REPOSITORY:.*' matches no repository: $REPOSITORY looks like a shell "
                        "variable left unexpanded (in a regex '$' ends the text)");
}

static void test_registry_other_than_the_exports_warns_once(void **state)
{
    three_repos(state);
    assert_string_equal(check(state, "[p]\n"
                                     "az acr run -r prodreg --cmd \"acr purge --filter 'app:.*' --ago 1d\" /dev/null\n"
                                     "acr purge -r otherreg --filter 'app:.*' --ago 1d\n"
                                     "[q]\nacr purge --registry DEVREG.azurecr.io --filter 'app:.*' --ago 1d\n"
                                     "[t]\nacr purge --registry '{{.Run.Registry}}' --filter 'app:.*' --ago 1d\n"),
                        "[p] --registry prodreg.azurecr.io is not the export's registry devreg.azurecr.io: the policy "
                        "is simulated on the export anyway");
}

static void test_schedule_that_never_fires_in_the_window_warns(void **state)
{
    three_repos(state);
    assert_string_equal(check(state, "[feb31]\naz acr task create -n t --schedule '0 0 31 2 *' --cmd \"acr purge "
                                     "--filter 'app:.*' --ago 1d\" --context /dev/null\n"
                                     "[july]\naz acr task create -n t --schedule '0 0 1 7 *' --schedule '0 0 * 11 *' "
                                     "--cmd \"acr purge --filter 'app:.*' --ago 1d\" --context /dev/null\n"
                                     "[dec]\naz acr task create -n t --schedule '0 0 6 12 *' --cmd \"acr purge "
                                     "--filter 'app:.*' --ago 1d\" --context /dev/null\n"),
                        "[feb31] schedule \"0 0 31 2 *\" never fires from 2026-10-01 to 2026-12-06: the task never runs\n"
                        "[july] schedule \"0 0 1 7 *\" never fires from 2026-10-01 to 2026-12-06");
}

static void test_task_whose_schedules_all_miss_the_window_never_runs(void **state)
{
    three_repos(state);
    assert_string_equal(check(state, "[p]\naz acr task create -n t --schedule '0 0 1 7 *' --schedule '0 0 1 8 *' "
                                     "--cmd \"acr purge --filter 'app:.*' --ago 1d\" --context /dev/null\n"),
                        "[p] schedule \"0 0 1 7 *\" never fires from 2026-10-01 to 2026-12-06\n"
                        "[p] schedule \"0 0 1 8 *\" never fires from 2026-10-01 to 2026-12-06\n"
                        "[p] t: none of its 2 schedules fires in the window: the task never runs");
}

/* The parse's warnings come first, copied once; a task that never fires gets no schedule
 * warning on top. */
static void test_parse_warnings_are_copied_once_before_the_others(void **state)
{
    three_repos(state);
    struct tc *c = *state;
    const char *all = check(state, "[p]\naz acr task create -n t --cmd \"acr purge --filter 'nope:.*' --ago 1d\" "
                                   "--context /dev/null\n");
    assert_int_equal(c->ps->n_warnings, 1);
    assert_int_equal(c->n_w, 2);
    assert_string_equal(c->w[0], c->ps->warnings[0]);
    assert_non_null(strstr(all, "[p] task 't' has no --schedule"));
    assert_string_equal(c->w[1], "[p] --filter 'nope:.*' matches no repository of the export at any time in the "
                                 "window (3 repositories): the repository part must match a whole name");
}

static void test_export_without_registry_skips_the_registry_check(void **state)
{
    struct tc *c = *state;
    c->m = fx_model("devreg.azurecr.io");
    fx_manifest(c->m, "app", "a", "2026-09-01T00:00:00Z", 1, MEDIA_DOCKER_V2);
    fx_finish(c->m);
    c->m->registry = NULL;
    assert_string_equal(check(state, "[p]\nacr purge -r other --filter 'app:.*' --ago 1d\n"), "");
}

/* The one-command form the dry run can use: no window, its own prefix, no de-duplication across
 * commands. */
static void test_rule_check_for_one_command(void **state)
{
    three_repos(state);
    struct tc *c = *state;
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    struct purge_rule r;
    char err[256];
    assert_int_equal(purge_rule_parse_line("az acr run -r devreg --cmd \"acr purge -r prodreg --filter 'nope:.*' "
                                           "--filter 'app:.*' --filter 'nope:.*' --filter '${REPO}:.*' --ago 1d\" /dev/null",
                                           &o, &r, err, sizeof err),
                     PURGECMD_OK);
    policy_check_rule(&r, c->m, "", &c->w, &c->n_w);
    purge_rule_free(&r);
    assert_int_equal(c->n_w, 3);
    assert_string_equal(c->w[0], "--filter 'nope:.*' matches no repository of the export (3 repositories): the "
                                 "repository part must match a whole name");
    assert_string_equal(c->w[1], "--filter '${REPO}:.*' matches no repository: ${REPO} looks like a shell variable "
                                 "left unexpanded (in a regex '$' ends the text)");
    assert_string_equal(c->w[2], "--registry prodreg.azurecr.io is not the export's registry devreg.azurecr.io: the "
                                 "command is simulated on the export anyway");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_good_policies_get_no_warning),
        T(test_filter_matching_no_repository_warns_once_per_policy),
        T(test_unexpanded_variable_in_repository_part_is_named),
        T(test_registry_other_than_the_exports_warns_once),
        T(test_schedule_that_never_fires_in_the_window_warns),
        T(test_task_whose_schedules_all_miss_the_window_never_runs),
        T(test_parse_warnings_are_copied_once_before_the_others),
        T(test_export_without_registry_skips_the_registry_check),
        T(test_rule_check_for_one_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
