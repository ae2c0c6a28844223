/* test_purgecmd.c - acr purge command lines: quoting, az wrappers, flags, validation order,
 * --ago capping, filter splitting (sim/RULES.md §1-3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "duration.h"
#include "purgecmd.h"

static const struct purgecmd_opts CURRENT = {ACR_CLI_CURRENT, 2};
static const struct purgecmd_opts V016 = {ACR_CLI_0_16, 2};
static const struct purgecmd_opts V017 = {ACR_CLI_0_17, 2};

static char err[1024];

static enum purgecmd_status parse(const char *line, const struct purgecmd_opts *o, struct purge_rule *r)
{
    err[0] = '\0';
    return purge_rule_parse_line(line, o, r, err, sizeof err);
}

/* Parses, expects PURGECMD_INVALID with exactly `msg`. */
static void expect_invalid(const char *line, const struct purgecmd_opts *o, const char *msg)
{
    struct purge_rule r;
    assert_int_equal(parse(line, o, &r), PURGECMD_INVALID);
    assert_string_equal(err, msg);
    purge_rule_free(&r);
}

static void test_split_handles_single_double_quotes_and_backslashes(void **state)
{
    (void)state;
    char **w;
    int n = purgecmd_split("acr purge --filter 'a b:.*' \"x\\\"y\" z\\ w", &w, err, sizeof err);
    assert_int_equal(n, 6);
    assert_string_equal(w[3], "a b:.*");
    assert_string_equal(w[4], "x\"y");
    assert_string_equal(w[5], "z w");
    purgecmd_free_words(w, n);
}

static void test_split_rejects_unterminated_quote(void **state)
{
    (void)state;
    char **w = NULL;
    assert_int_equal(purgecmd_split("acr purge --filter 'abc", &w, err, sizeof err), -1);
    assert_string_equal(err, "unterminated single quote");
}

static void test_plain_command_parses_all_flags(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter 'svc:.*' -f other:v1 --ago 1d --keep 3 --untagged --dry-run", &CURRENT, &r),
                     PURGECMD_OK);
    assert_int_equal(r.n_filters, 2);
    assert_string_equal(r.filters[0].repo_re, "svc");
    assert_string_equal(r.filters[0].tag_re, ".*");
    assert_string_equal(r.filters[1].repo_re, "other");
    assert_int_equal(r.keep, 3);
    assert_true(r.untagged);
    assert_true(r.dry_run);
    assert_true(r.ago_ns == INT64_C(86400000000000));
    purge_rule_free(&r);
}

static void test_flag_equals_forms_and_shorthand_cluster(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter=svc:.* -fother:x --ago=2h --keep=1", &CURRENT, &r), PURGECMD_OK);
    assert_int_equal(r.n_filters, 2);
    assert_string_equal(r.filters[1].repo_re, "other");
    assert_true(r.ago_ns == INT64_C(7200000000000));
    purge_rule_free(&r);
}

static void test_az_acr_run_wrapper_is_unwrapped(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("az acr run --registry myreg --cmd \"acr purge --filter 'hello:.*' --untagged --ago 1d\" /dev/null",
                           &CURRENT, &r), PURGECMD_OK);
    assert_int_equal(r.n_filters, 1);
    assert_string_equal(r.filters[0].repo_re, "hello");
    assert_true(r.untagged);
    purge_rule_free(&r);
}

static void test_az_task_create_keeps_every_schedule(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("az acr task create --name purge -r myreg --schedule \"0 0 * * *\" --schedule '0 12 * * *' "
                           "--cmd \"acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged\" --context /dev/null",
                           &CURRENT, &r), PURGECMD_OK);
    assert_int_equal(r.n_schedules, 2);
    assert_string_equal(r.schedules[0], "0 0 * * *");
    assert_string_equal(r.schedules[1], "0 12 * * *");
    assert_string_equal(r.task_name, "purge");
    purge_rule_free(&r);
}

static void test_not_a_purge_command_is_reported(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr tag list", &CURRENT, &r), PURGECMD_NOT_PURGE);
    purge_rule_free(&r);
}

static void test_missing_filter_and_untagged_only_is_a_group_error(void **state)
{
    (void)state;
    expect_invalid("acr purge --ago 1d", &CURRENT,
                   "at least one of the flags in the group [filter untagged-only] is required");
}

static void test_untagged_with_untagged_only_is_exclusive_group_error(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter a:b --ago 1d --untagged --untagged-only", &CURRENT,
                   "if any flags in the group [untagged untagged-only] are set none of the others can be; "
                   "[untagged untagged-only] were all set");
}

static void test_group_check_comes_before_missing_ago(void **state)
{
    (void)state;
    expect_invalid("acr purge --untagged --untagged-only", &CURRENT,
                   "if any flags in the group [untagged untagged-only] are set none of the others can be; "
                   "[untagged untagged-only] were all set");
}

static void test_filter_without_ago_is_an_error(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter a:b", &CURRENT, "--ago is required when not using --untagged-only");
}

static void test_empty_ago_counts_as_not_given(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter a:b --ago ''", &CURRENT, "--ago is required when not using --untagged-only");
}

static void test_untagged_only_false_reaches_filter_required(void **state)
{
    (void)state;
    expect_invalid("acr purge --untagged-only=false", &CURRENT,
                   "--filter is required when not using --untagged-only");
}

static void test_untagged_only_needs_no_ago_and_cutoff_is_now(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --untagged-only", &CURRENT, &r), PURGECMD_OK);
    assert_true(r.ago_ns == 0);
    assert_int_equal(r.n_filters, 0);
    purge_rule_free(&r);
}

static void test_ago_1day_is_capped_with_warning(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter a:b --ago 1day", &CURRENT, &r), PURGECMD_OK);
    assert_true(r.ago_capped);
    assert_true(r.ago_ns == DURATION_CAP_NS);
    purge_rule_free(&r);
}

static void test_capped_ago_then_error_keeps_warning_flag(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter a:b --ago 60000d5", &CURRENT, &r), PURGECMD_INVALID);
    assert_true(r.ago_capped);
    assert_string_equal(err, "time: missing unit in duration \"5\"");
    purge_rule_free(&r);
}

static void test_ago_error_comes_before_filter_errors(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter nocolon --ago 5", &CURRENT, "time: missing unit in duration \"5\"");
}

static void test_filter_without_colon_cannot_be_parsed(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter nocolon --ago 1d", &CURRENT, "unable to correctly parse filter flag");
}

static void test_filter_with_two_splitting_colons_cannot_be_parsed(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter a:b:c --ago 1d", &CURRENT, "unable to correctly parse filter flag");
}

static void test_filter_empty_repo_part(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter :v1 --ago 1d", &CURRENT, "missing repository name/expression");
}

static void test_filter_empty_tag_part(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter repo: --ago 1d", &CURRENT, "missing tag name/expression");
}

static void test_filter_colons_in_groups_and_classes_do_not_split(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter '(?:a|b):[[:alpha:]]+' -f '(?i:x):(?-s:y)' -f 'r:[^:]' --ago 1d",
                           &CURRENT, &r), PURGECMD_OK);
    assert_string_equal(r.filters[0].repo_re, "(?:a|b)");
    assert_string_equal(r.filters[0].tag_re, "[[:alpha:]]+");
    assert_string_equal(r.filters[1].repo_re, "(?i:x)");
    assert_string_equal(r.filters[1].tag_re, "(?-s:y)");
    assert_string_equal(r.filters[2].tag_re, "[^:]");
    purge_rule_free(&r);
}

static void test_filter_question_x_colon_splits(void **state)
{
    (void)state;
    /* "(?x:" is not a flag group acr recognises, so its colon splits: two colons in all */
    expect_invalid("acr purge --filter '(?x:a):b' --ago 1d", &CURRENT, "unable to correctly parse filter flag");
}

static void test_bad_repo_regex_shows_anchored_pattern(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter 'a(b:.*' --ago 1d", &CURRENT, &r), PURGECMD_INVALID);
    assert_non_null(strstr(err, "error parsing regexp: "));
    assert_non_null(strstr(err, " in `^a(b$`"));
    purge_rule_free(&r);
}

static void test_first_failing_filter_is_reported(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter a:b -f nocolon -f :x --ago 1d", &CURRENT,
                   "unable to correctly parse filter flag");
}

static void test_bad_tag_regex_is_not_a_parse_error(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter 'a:v(' --ago 1d", &CURRENT, &r), PURGECMD_OK);
    purge_rule_free(&r);
}

static void test_keep_not_an_integer_uses_pflag_message(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter a:b --ago 1d --keep abc", &CURRENT,
                   "invalid argument \"abc\" for \"--keep\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax");
}

static void test_unknown_flag(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter a:b --ago 1d --keep-last 3", &CURRENT, "unknown flag: --keep-last");
}

static void test_flag_needs_an_argument(void **state)
{
    (void)state;
    expect_invalid("acr purge --ago 1d --filter", &CURRENT, "flag needs an argument: --filter");
}

static void test_concurrency_warnings(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter a:b --ago 1d --concurrency 64", &CURRENT, &r), PURGECMD_OK);
    assert_string_equal(r.concurrency_warning, "Specified concurrency value too large. Set to maximum value: 32 ");
    purge_rule_free(&r);
    assert_int_equal(parse("acr purge --filter a:b --ago 1d --concurrency 0", &CURRENT, &r), PURGECMD_OK);
    assert_string_equal(r.concurrency_warning, "Specified concurrency value invalid. Set to default value: 2 ");
    purge_rule_free(&r);
    assert_int_equal(parse("acr purge --filter a:b --ago 1d --concurrency 8", &CURRENT, &r), PURGECMD_OK);
    assert_null(r.concurrency_warning);
    purge_rule_free(&r);
}

static void test_registry_flag_becomes_login_server(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge -r myreg --filter a:b --ago 1d", &CURRENT, &r), PURGECMD_OK);
    assert_string_equal(r.registry, "myreg.azurecr.io");
    purge_rule_free(&r);
    assert_int_equal(parse("acr purge --registry my.example.io --filter a:b --ago 1d", &CURRENT, &r), PURGECMD_OK);
    assert_string_equal(r.registry, "my.example.io");
    purge_rule_free(&r);
}

static void test_v016_has_no_untagged_only(void **state)
{
    (void)state;
    expect_invalid("acr purge --untagged-only", &V016, "unknown flag: --untagged-only");
    expect_invalid("acr purge --filter a:b --ago 1d --include-locked", &V016, "unknown flag: --include-locked");
}

static void test_v016_requires_ago_and_filter(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter a:b", &V016, "required flag(s) \"ago\" not set");
    expect_invalid("acr purge --ago 1d", &V016, "required flag(s) \"filter\" not set");
    expect_invalid("acr purge --untagged", &V016, "required flag(s) \"ago\", \"filter\" not set");
}

static void test_v016_ago_is_not_capped_and_errors_at_run_time(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter a:b --ago 60000d", &V016, &r), PURGECMD_OK);
    assert_false(r.ago_capped);
    assert_true(r.ago_ns == INT64_C(60000) * 86400 * 1000000000);
    purge_rule_free(&r);
    assert_int_equal(parse("acr purge --filter a:b --ago 1day", &V016, &r), PURGECMD_OK);
    assert_true(r.ago_error);
    assert_false(r.ago_capped);
    purge_rule_free(&r);
}

static void test_regex_match_is_unanchored_and_case_sensitive(void **state)
{
    (void)state;
    void *re = purgecmd_compile_regex("v1", err, sizeof err);
    assert_non_null(re);
    assert_int_equal(purgecmd_regex_match(re, "v1.2"), 1);
    assert_int_equal(purgecmd_regex_match(re, "dev-v1"), 1);
    assert_int_equal(purgecmd_regex_match(re, "av1x"), 1);
    assert_int_equal(purgecmd_regex_match(re, "V1"), 0);
    purgecmd_regex_free(re);
}

static void test_catastrophic_regex_hits_match_limit(void **state)
{
    (void)state;
    void *re = purgecmd_compile_regex("^(a+)+$", err, sizeof err);
    assert_non_null(re);
    assert_int_equal(purgecmd_regex_match(re, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"), -1);
    purgecmd_regex_free(re);
}


static void expect_version(const char *text, enum acr_version want)
{
    enum acr_version v = want == ACR_CLI_CURRENT ? ACR_CLI_0_16 : ACR_CLI_CURRENT;
    if (!purgecmd_version_parse(text, &v)) fail_msg("\"%s\" was refused", text);
    assert_int_equal(v, want);
}

static void test_version_parse_maps_each_release_to_its_family(void **state)
{
    (void)state;
    expect_version("current", ACR_CLI_CURRENT);
    expect_version("Current", ACR_CLI_CURRENT);   /* values are read in any case, as Azure's */
    expect_version("0.11", ACR_CLI_0_16);
    expect_version("0.13", ACR_CLI_0_16);
    expect_version("0.16", ACR_CLI_0_16);
    expect_version("0.17", ACR_CLI_0_17);
    expect_version("0.18", ACR_CLI_CURRENT);
    expect_version("0.19", ACR_CLI_CURRENT);
    expect_version("v0.18.1", ACR_CLI_CURRENT);
    expect_version("0.16.0", ACR_CLI_0_16);
    expect_version("v0.17", ACR_CLI_0_17);
}

static void test_version_parse_refuses_what_it_cannot_model(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "0.10", "0.20", "0.9", "1.0", "0.1", "0.016", "0.17.", "0.17.01",
                                      "0.17x", "V0.17", "vcurrent", " 0.17", "0.17 ", "0.-17", "0.1a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum acr_version v = ACR_CLI_0_17;
        if (purgecmd_version_parse(bad[i], &v)) fail_msg("\"%s\" was accepted", bad[i]);
        assert_int_equal(v, ACR_CLI_0_17);   /* untouched */
    }
    assert_false(purgecmd_version_parse(NULL, &(enum acr_version){ACR_CLI_CURRENT}));
    assert_non_null(strstr(purgecmd_versions_supported(), "0.11"));
    assert_non_null(strstr(purgecmd_versions_supported(), "0.19"));
    assert_non_null(strstr(purgecmd_versions_supported(), "current"));
    assert_string_equal(purgecmd_version_name(ACR_CLI_0_17), "0.17");
    assert_string_equal(purgecmd_version_name(ACR_CLI_0_16), "0.11-0.16");
    assert_string_equal(purgecmd_version_name(ACR_CLI_CURRENT), "current");
}

/* acr-cli 0.17 added --include-locked (PR #479) but not --untagged-only (0.18, PR #489). */
static void test_v017_has_include_locked_but_no_untagged_only(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter a:b --ago 1d --include-locked", &V017, &r), PURGECMD_OK);
    assert_true(r.include_locked);
    purge_rule_free(&r);
    expect_invalid("acr purge --untagged-only", &V017, "unknown flag: --untagged-only");
    expect_invalid("acr purge --filter a:b --ago 1d --untagged-only", &V017, "unknown flag: --untagged-only");
}

/* 0.17 still marks --filter and --ago required (cobra), like 0.16. */
static void test_v017_requires_ago_and_filter(void **state)
{
    (void)state;
    expect_invalid("acr purge --filter a:b", &V017, "required flag(s) \"ago\" not set");
    expect_invalid("acr purge --ago 1d --untagged", &V017, "required flag(s) \"filter\" not set");
}

/* 0.17 parses --ago as 0.16 does: no cap, no warning, errors in the run; "999999d" wraps. */
static void test_v017_ago_is_parsed_as_in_v016(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("acr purge --filter a:b --ago 60000d", &V017, &r), PURGECMD_OK);
    assert_false(r.ago_capped);
    assert_false(r.ago_wrapped);
    assert_true(r.ago_ns == INT64_C(60000) * 86400 * 1000000000);
    purge_rule_free(&r);
    assert_int_equal(parse("acr purge --filter a:b --ago 1day", &V017, &r), PURGECMD_OK);
    assert_true(r.ago_error);
    assert_false(r.ago_capped);
    assert_string_equal(r.ago_err, "time: invalid duration \"ay\"");
    purge_rule_free(&r);
    /* acr-cli issue 560: 999999 days of ns wrap to about -184.9 years */
    assert_int_equal(parse("acr purge --filter a:b --ago 999999d --untagged", &V017, &r), PURGECMD_OK);
    assert_true(r.ago_wrapped);
    assert_false(r.ago_error);
    assert_true(r.ago_ns == INT64_C(-5833806768547758080));
    purge_rule_free(&r);
    assert_int_equal(parse("acr purge --filter a:b --ago 999999d", &V016, &r), PURGECMD_OK);
    assert_true(r.ago_wrapped);
    purge_rule_free(&r);
    /* '' is taken, and fails in the run */
    assert_int_equal(parse("acr purge --filter a:b --ago ''", &V017, &r), PURGECMD_OK);
    assert_true(r.ago_error);
    purge_rule_free(&r);
    /* today the same value is capped, not wrapped */
    assert_int_equal(parse("acr purge --filter a:b --ago 999999d", &CURRENT, &r), PURGECMD_OK);
    assert_true(r.ago_capped);
    assert_false(r.ago_wrapped);
    purge_rule_free(&r);
}

static void test_task_create_status_and_az_registry(void **state)
{
    (void)state;
    struct purge_rule r;
    assert_int_equal(parse("az acr task create -n t -r devreg --status disabled --schedule '0 0 * * *' "
                           "--cmd \"acr purge --filter a:b --ago 1d\" --context /dev/null", &CURRENT, &r),
                     PURGECMD_OK);
    assert_true(r.task_disabled);
    assert_string_equal(r.az_registry, "devreg.azurecr.io");
    purge_rule_free(&r);
    assert_int_equal(parse("az acr task create -n t --status Enabled --cmd \"acr purge --filter a:b --ago 1d\" "
                           "--context /dev/null", &CURRENT, &r), PURGECMD_OK);
    assert_false(r.task_disabled);
    assert_null(r.az_registry);
    purge_rule_free(&r);
    assert_int_equal(parse("az acr run --registry other.example.com --cmd \"acr purge --filter a:b --ago 1d\" /dev/null",
                           &CURRENT, &r), PURGECMD_OK);
    assert_string_equal(r.az_registry, "other.example.com");
    assert_false(r.task_disabled);
    purge_rule_free(&r);
}

static void test_shell_variable_is_found(void **state)
{
    (void)state;
    char name[64];
    assert_true(purgecmd_shell_variable("$REPOSITORY:.*", name, sizeof name));
    assert_string_equal(name, "$REPOSITORY");
    assert_true(purgecmd_shell_variable("team/${repo}", name, sizeof name));
    assert_string_equal(name, "${repo}");
    assert_true(purgecmd_shell_variable("a|$_x1", name, sizeof name));
    assert_string_equal(name, "$_x1");
    assert_false(purgecmd_shell_variable("v1$", name, sizeof name));
    assert_false(purgecmd_shell_variable("^(a|b)$|c$", name, sizeof name));
    assert_false(purgecmd_shell_variable("${9}", name, sizeof name));
    assert_false(purgecmd_shell_variable("${open", name, sizeof name));
    assert_true(purgecmd_shell_variable("$x", NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_handles_single_double_quotes_and_backslashes),
        cmocka_unit_test(test_split_rejects_unterminated_quote),
        cmocka_unit_test(test_plain_command_parses_all_flags),
        cmocka_unit_test(test_flag_equals_forms_and_shorthand_cluster),
        cmocka_unit_test(test_az_acr_run_wrapper_is_unwrapped),
        cmocka_unit_test(test_az_task_create_keeps_every_schedule),
        cmocka_unit_test(test_not_a_purge_command_is_reported),
        cmocka_unit_test(test_missing_filter_and_untagged_only_is_a_group_error),
        cmocka_unit_test(test_untagged_with_untagged_only_is_exclusive_group_error),
        cmocka_unit_test(test_group_check_comes_before_missing_ago),
        cmocka_unit_test(test_filter_without_ago_is_an_error),
        cmocka_unit_test(test_empty_ago_counts_as_not_given),
        cmocka_unit_test(test_untagged_only_false_reaches_filter_required),
        cmocka_unit_test(test_untagged_only_needs_no_ago_and_cutoff_is_now),
        cmocka_unit_test(test_ago_1day_is_capped_with_warning),
        cmocka_unit_test(test_capped_ago_then_error_keeps_warning_flag),
        cmocka_unit_test(test_ago_error_comes_before_filter_errors),
        cmocka_unit_test(test_filter_without_colon_cannot_be_parsed),
        cmocka_unit_test(test_filter_with_two_splitting_colons_cannot_be_parsed),
        cmocka_unit_test(test_filter_empty_repo_part),
        cmocka_unit_test(test_filter_empty_tag_part),
        cmocka_unit_test(test_filter_colons_in_groups_and_classes_do_not_split),
        cmocka_unit_test(test_filter_question_x_colon_splits),
        cmocka_unit_test(test_bad_repo_regex_shows_anchored_pattern),
        cmocka_unit_test(test_first_failing_filter_is_reported),
        cmocka_unit_test(test_bad_tag_regex_is_not_a_parse_error),
        cmocka_unit_test(test_keep_not_an_integer_uses_pflag_message),
        cmocka_unit_test(test_unknown_flag),
        cmocka_unit_test(test_flag_needs_an_argument),
        cmocka_unit_test(test_concurrency_warnings),
        cmocka_unit_test(test_registry_flag_becomes_login_server),
        cmocka_unit_test(test_v016_has_no_untagged_only),
        cmocka_unit_test(test_v016_requires_ago_and_filter),
        cmocka_unit_test(test_v016_ago_is_not_capped_and_errors_at_run_time),
        cmocka_unit_test(test_version_parse_maps_each_release_to_its_family),
        cmocka_unit_test(test_version_parse_refuses_what_it_cannot_model),
        cmocka_unit_test(test_v017_has_include_locked_but_no_untagged_only),
        cmocka_unit_test(test_v017_requires_ago_and_filter),
        cmocka_unit_test(test_v017_ago_is_parsed_as_in_v016),
        cmocka_unit_test(test_task_create_status_and_az_registry),
        cmocka_unit_test(test_shell_variable_is_found),
        cmocka_unit_test(test_regex_match_is_unanchored_and_case_sensitive),
        cmocka_unit_test(test_catastrophic_regex_hits_match_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
