/* test_policy.c - unit tests for policy.h: policy files ([name] sections of az / acr commands),
 * the --policy NAME=COMMAND quick form, retention and soft-delete settings, and the baseline. */
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
#include "timeu.h"

/* ---- per-test state: freed in teardown even when an assertion fails ---- */

struct tc {
    struct policy_set *ps;
    struct diag d;
    char path[64];
    char want[2048];
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
    diag_free(&c->d);
    if (c->path[0]) unlink(c->path);
    free(c);
    return 0;
}

/* Parses `text` as a policy file (current acr-cli) and returns the status. */
static int parse_ver(void **state, const char *text, enum acr_version v)
{
    struct tc *c = *state;
    struct purgecmd_opts o = {v, 2};
    fx_temp_file(text, c->path, sizeof c->path);
    return policy_parse_file(c->ps, c->path, &o, &c->d);
}

static int parse(void **state, const char *text)
{
    return parse_ver(state, text, ACR_CLI_CURRENT);
}

static int quick(void **state, const char *spec)
{
    struct tc *c = *state;
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    return policy_parse_quick(c->ps, spec, &o, &c->d);
}

static void assert_parses(void **state, const char *text)
{
    struct tc *c = *state;
    if (parse(state, text) != PS_OK) fail_msg("did not parse: %s", c->d.n_kept ? c->d.msgs[0] : "(no message)");
    assert_int_equal(c->d.n_total, 0);
}

/* The first message, which must be the only one. */
static const char *only_msg(void **state)
{
    struct tc *c = *state;
    if (c->d.n_total != 1) {
        for (size_t i = 0; i < c->d.n_kept; i++) print_error("message: %s\n", c->d.msgs[i]);
        fail_msg("expected one message, got %zu", c->d.n_total);
    }
    return c->d.msgs[0];
}

/* "PATH:" + rest, in the state's buffer. */
static const char *at(void **state, const char *rest)
{
    struct tc *c = *state;
    snprintf(c->want, sizeof c->want, "%s:%s", c->path, rest);
    return c->want;
}

static const struct policy *named(void **state, const char *name)
{
    struct tc *c = *state;
    for (size_t i = 0; i < c->ps->n; i++)
        if (!strcmp(c->ps->p[i].name, name)) return &c->ps->p[i];
    fail_msg("no policy [%s]", name);
    return NULL;
}

#define EXPECTED_COMMANDS                                                                            \
    "(expected az acr task create, az acr run, acr purge, az acr config retention update or az acr " \
    "config soft-delete update)"

/* ======================================================================================
 * the file format
 * ====================================================================================== */

static void test_sections_comments_and_blank_lines(void **state)
{
    struct tc *c = *state;
    assert_parses(state, "# a comment\n"
                         "\n"
                         "; another comment\n"
                         "[nightly]\n"
                         "  # indented comment\n"
                         "acr purge --filter '.*:.*' --ago 1d --untagged\n"
                         "\n"
                         "   \t\n"
                         "[ weekly ]\n"
                         "  az acr run --cmd \"acr purge --filter 'a:.*' --ago 7d\" /dev/null   \n"
                         "acr purge --untagged-only --ago 3d\n");
    assert_int_equal(c->ps->n, 2);
    const struct policy *a = &c->ps->p[0], *b = &c->ps->p[1];
    assert_string_equal(a->name, "nightly");
    assert_int_equal(a->n_tasks, 1);
    assert_int_equal(a->line, 4);
    assert_string_equal(a->file, c->path);
    assert_string_equal(b->name, "weekly");   /* blanks inside the brackets are trimmed */
    assert_int_equal(b->n_tasks, 2);
    assert_int_equal(b->line, 9);
    /* the command as written, trimmed */
    assert_string_equal(b->tasks[0].command, "az acr run --cmd \"acr purge --filter 'a:.*' --ago 7d\" /dev/null");
    assert_int_equal(b->tasks[0].rule.ago_ns, 7 * TIMEU_NS_PER_DAY);
    assert_true(b->tasks[1].rule.untagged_only);
}

static void test_crlf_line_ends_and_utf8_bom_are_accepted(void **state)
{
    struct tc *c = *state;
    assert_parses(state, "\xEF\xBB\xBF[p]\r\nacr purge --filter 'a:.*' --ago 1d\r\n");
    assert_int_equal(c->ps->n, 1);
    assert_string_equal(c->ps->p[0].name, "p");
    assert_int_equal(c->ps->p[0].tasks[0].rule.n_filters, 1);
}

static void test_empty_section_is_a_policy_without_rules(void **state)
{
    struct tc *c = *state;
    assert_parses(state, "[nothing]\n[p]\nacr purge --filter 'a:.*' --ago 1d\n");
    assert_int_equal(c->ps->n, 2);
    assert_int_equal(named(state, "nothing")->n_tasks, 0);
}

static void test_bare_acr_purge_runs_nightly(void **state)
{
    assert_parses(state, "[p]\nacr purge --filter 'a:.*' --ago 1d\n");
    const struct policy_task *t = &named(state, "p")->tasks[0];
    assert_int_equal(t->n_crons, 1);
    assert_string_equal(t->schedule_text[0], POLICY_NIGHTLY);
    assert_true(cron_matches(&t->crons[0], fx_ns("2026-03-04T00:00:00Z")));
    assert_false(cron_matches(&t->crons[0], fx_ns("2026-03-04T00:01:00Z")));
}

static void test_az_acr_run_runs_nightly(void **state)
{
    assert_parses(state, "[p]\naz acr run --registry myreg --cmd \"acr purge --filter 'a:.*' --ago 1d\" /dev/null\n");
    const struct policy_task *t = &named(state, "p")->tasks[0];
    assert_int_equal(t->n_crons, 1);
    assert_string_equal(t->schedule_text[0], "0 0 * * *");
}

static void test_task_create_uses_its_schedule(void **state)
{
    assert_parses(state, "[p]\naz acr task create --name purge --registry myreg --schedule \"30 3 * * 0\" "
                         "--cmd \"acr purge --filter 'a:.*' --ago 1d\" --context /dev/null\n");
    const struct policy_task *t = &named(state, "p")->tasks[0];
    assert_int_equal(t->n_crons, 1);
    assert_string_equal(t->schedule_text[0], "30 3 * * 0");
    assert_true(cron_matches(&t->crons[0], fx_ns("2026-03-01T03:30:00Z")));    /* a Sunday */
    assert_false(cron_matches(&t->crons[0], fx_ns("2026-03-02T03:30:00Z")));
    assert_string_equal(t->rule.task_name, "purge");
}

static void test_task_create_with_two_schedules_has_two_timers(void **state)
{
    assert_parses(state, "[p]\naz acr task create --name purge --registry myreg --schedule \"0 1 * * *\" "
                         "--schedule=\"0 13 * * 1-5\" --cmd \"acr purge --filter 'a:.*' --ago 1d\" --context /dev/null\n");
    const struct policy_task *t = &named(state, "p")->tasks[0];
    assert_int_equal(t->n_crons, 2);
    assert_string_equal(t->schedule_text[0], "0 1 * * *");
    assert_string_equal(t->schedule_text[1], "0 13 * * 1-5");
    assert_true(cron_matches(&t->crons[1], fx_ns("2026-03-02T13:00:00Z")));    /* a Monday */
    assert_false(cron_matches(&t->crons[1], fx_ns("2026-03-01T13:00:00Z")));   /* a Sunday */
}

static void test_tasks_keep_file_order(void **state)
{
    assert_parses(state, "[p]\n"
                         "acr purge --filter 'first:.*' --ago 1d\n"
                         "az acr config retention update --registry r --days 3 --type UntaggedManifests --status enabled\n"
                         "acr purge --filter 'second:.*' --ago 1d\n");
    const struct policy *p = named(state, "p");
    assert_int_equal(p->n_tasks, 2);
    assert_string_equal(p->tasks[0].rule.filters[0].repo_re, "first");
    assert_string_equal(p->tasks[1].rule.filters[0].repo_re, "second");
    assert_true(p->retention);
}

static void test_acr_cli_version_applies_to_every_command(void **state)
{
    struct tc *c = *state;
    assert_int_equal(parse_ver(state, "[p]\nacr purge --untagged-only --ago 1d\n", ACR_CLI_0_16), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] acr purge: unknown flag: --untagged-only"));
    assert_int_equal(c->ps->n, 1);
}

/* ======================================================================================
 * errors
 * ====================================================================================== */

static void test_unknown_command_names_file_line_and_policy(void **state)
{
    assert_int_equal(parse(state, "[p]\n# comment\nkubectl delete pod x\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "3: [p] unknown command \"kubectl delete pod x\" " EXPECTED_COMMANDS));
}

static void test_unknown_command_is_shortened_to_60_characters(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr repository delete --name myreg --image app:v1 --yes --subscription 0000-1111\n"),
                     ERR_INPUT);
    assert_string_equal(only_msg(state),
                        /* the first 60 characters of the line */
                        at(state, "2: [p] unknown command \"az acr repository delete --name myreg --image app:v1 --yes -\" " EXPECTED_COMMANDS));
}

static void test_bad_cron_names_the_expression(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr task create --name t --registry r --schedule \"0 25 * * *\" "
                                  "--cmd \"acr purge --filter 'a:.*' --ago 1d\" --context /dev/null\n"),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] cron \"0 25 * * *\": hour 25 out of range 0-23"));
    assert_int_equal(named(state, "p")->n_tasks, 0);
}

static void test_second_bad_cron_fails_the_task(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr task create --name t --registry r --schedule \"0 1 * * *\" "
                                  "--schedule \"61 * * * *\" --cmd \"acr purge --filter 'a:.*' --ago 1d\" --context /dev/null\n"),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] cron \"61 * * * *\": minute 61 out of range 0-59"));
    assert_int_equal(named(state, "p")->n_tasks, 0);
}

static void test_invalid_acr_purge_command_gives_acr_purges_error(void **state)
{
    assert_int_equal(parse(state, "[p]\nacr purge --ago 1d\n"), ERR_INPUT);
    assert_string_equal(only_msg(state),
                        at(state, "2: [p] acr purge: at least one of the flags in the group [filter untagged-only] is required"));
}

static void test_acr_purge_without_ago_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p]\nacr purge --filter 'a:.*'\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] acr purge: --ago is required when not using --untagged-only"));
}

static void test_az_acr_run_without_purge_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr run --cmd \"echo hello\" /dev/null\n"), ERR_INPUT);
    const char *msg = only_msg(state);
    const char *want = at(state, "2: [p] not an acr purge command");
    if (strncmp(msg, want, strlen(want)) != 0) fail_msg("\"%s\" does not start with \"%s\"", msg, want);
}

static void test_unterminated_quote_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p]\nacr purge --filter 'a:.*\n"), ERR_INPUT);
    const char *msg = only_msg(state);
    const char *want = at(state, "2: [p] ");
    assert_true(strncmp(msg, want, strlen(want)) == 0);
}

static void test_command_outside_a_section_is_an_error(void **state)
{
    assert_int_equal(parse(state, "# header\nacr purge --filter 'a:.*' --ago 1d\n[p]\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: command outside a [policy] section"));
}

/* The commands under a section line that is an error belong to that section: they are not
 * reported again as outside one, even with no policy at all. */
static void test_malformed_section_line_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p\nacr purge --filter 'a:.*' --ago 1d\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "1: expected a section line \"[name]\""));
}

static void test_bad_section_name_is_one_error(void **state)
{
    struct tc *c = *state;
    assert_int_equal(parse(state, "[no spaces]\nacr purge --filter 'a:.*' --ago 1d\n[baseline]\nacr purge "
                                  "--filter 'a:.*' --ago 1d\n[ok]\n[ok]\nacr purge --filter 'a:.*' --ago 1d\n"),
                     ERR_INPUT);
    assert_int_equal(c->d.n_total, 3);
    assert_non_null(strstr(c->d.msgs[0], ":1: policy name \"no spaces\" must be"));
    assert_non_null(strstr(c->d.msgs[1], ":3: policy name \"baseline\" is reserved"));
    assert_non_null(strstr(c->d.msgs[2], ":6: policy [ok] is defined twice"));
}

static void test_commands_under_a_rejected_section_are_not_reported_again(void **state)
{
    assert_int_equal(parse(state, "[a]\nacr purge --filter 'a:.*' --ago 1d\n[b\nacr purge --filter 'b:.*' --ago 1d\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "3: expected a section line \"[name]\""));
    /* and they do not go to the policy before */
    assert_int_equal(named(state, "a")->n_tasks, 1);
}

static void test_text_after_section_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p] # comment\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "1: expected a section line \"[name]\""));
}

static void test_invalid_policy_name_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[two words]\n"), ERR_INPUT);
    assert_string_equal(only_msg(state),
                        at(state, "1: policy name \"two words\" must be 1-63 letters, digits, '-', '_', '.' or '+'"));
}

static void test_empty_policy_name_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[]\n# a section line, not JSON\n"), ERR_INPUT);
    assert_string_equal(only_msg(state),
                        at(state, "1: policy name \"\" must be 1-63 letters, digits, '-', '_', '.' or '+'"));
}

/* "[]" alone is what az acr task list prints for a registry without tasks */
static void test_empty_json_list_is_an_empty_task_list(void **state)
{
    assert_int_equal(parse(state, "[ ]\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, " an empty list: no ACR task to import"));
}

static void test_duplicate_policy_names_are_an_error(void **state)
{
    struct tc *c = *state;
    assert_int_equal(parse(state, "[p]\nacr purge --filter 'a:.*' --ago 1d\n[q]\n[p]\nacr purge --filter 'b:.*' --ago 1d\n"),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "4: policy [p] is defined twice"));
    /* the second [p]'s command is not added to the first */
    assert_int_equal(named(state, "p")->n_tasks, 1);
    assert_int_equal(c->ps->n, 2);
}

static void test_every_error_is_reported(void **state)
{
    struct tc *c = *state;
    assert_int_equal(parse(state, "[p]\nfoo\nacr purge --ago 1d\nacr purge --filter 'a:.*' --ago 1d\n[q]\nbar\n"), ERR_INPUT);
    assert_int_equal(c->d.n_total, 3);
    assert_true(strstr(c->d.msgs[0], ":2: [p] unknown command \"foo\"") != NULL);
    assert_true(strstr(c->d.msgs[1], ":3: [p] acr purge: ") != NULL);
    assert_true(strstr(c->d.msgs[2], ":6: [q] unknown command \"bar\"") != NULL);
    assert_int_equal(named(state, "p")->n_tasks, 1);
}

static void test_empty_file_is_an_error(void **state)
{
    assert_int_equal(parse(state, ""), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, " empty policy file"));
}

static void test_file_without_sections_is_an_error(void **state)
{
    assert_int_equal(parse(state, "# only a comment\n\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, " no [policy] sections"));
}

/* An in-use list, a CSV: no line of it is meant as a policy line, so one message, not one a line */
static void test_file_without_policy_lines_is_one_error(void **state)
{
    assert_int_equal(parse(state, "some notes\nmore notes\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, " not a policy file: no [name] section line and no az or acr "
                                                   "command line (an in-use list goes with --in-use, an event log "
                                                   "with --events)"));
}

/* ... and one another input purgesim reads names it, and the option it goes with */
static void test_other_input_is_named(void **state)
{
    assert_int_equal(parse(state, "# images in use\nteam/app:v1\nteam/api:v2\nteam/web:v3\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, " this is an in-use list (image references, one a line), not a "
                                                   "policy file ([name] sections, az or acr command lines): give it "
                                                   "with --in-use"));
}

/* ... but a file with a policy line has its stray lines reported, each in its place */
static void test_stray_lines_before_a_section_are_each_an_error(void **state)
{
    struct tc *c = *state;
    assert_int_equal(parse(state, "foo\n[p]\nacr purge --filter 'a:.*' --ago 1d\nbar\n"), ERR_INPUT);
    assert_int_equal(c->d.n_total, 2);
    assert_string_equal(c->d.msgs[0], at(state, "1: command outside a [policy] section"));
    assert_true(strstr(c->d.msgs[1], ":4: [p] unknown command \"bar\"") != NULL);
}

/* Parses n bytes (NUL bytes and all) as a policy file. */
static int parse_bytes(void **state, const char *text, size_t n)
{
    struct tc *c = *state;
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    fx_temp_file("", c->path, sizeof c->path);
    FILE *fp = fopen(c->path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
    return policy_parse_file(c->ps, c->path, &o, &c->d);
}

/* A binary file (an image given with -p): one message at its first NUL byte, and reading stops
 * there; errors of the lines before it stay when the NUL byte is past the first block. */
static void test_nul_byte_ends_the_file_with_one_error(void **state)
{
    struct tc *c = *state;
    static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\nfoo\n";
    assert_int_equal(parse_bytes(state, png, sizeof png - 1), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, " not a text file (NUL byte at line 3)"));
    diag_free(&c->d);
    policy_set_free(c->ps);
    c->ps = policy_set_new();
    char text[1024];
    int n = snprintf(text, sizeof text, "[p]\nfoo\n# %0600d\n", 0);
    memcpy(text + n, "\0\nbar\n", 6);
    assert_int_equal(parse_bytes(state, text, (size_t)n + 6), ERR_INPUT);
    assert_int_equal(c->d.n_total, 2);
    assert_true(strstr(c->d.msgs[0], ":2: [p] unknown command \"foo\"") != NULL);
    assert_string_equal(c->d.msgs[1], at(state, " not a text file (NUL byte at line 4)"));
}

static void test_directory_is_an_io_error(void **state)
{
    struct tc *c = *state;
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    assert_int_equal(policy_parse_file(c->ps, "/", &o, &c->d), ERR_IO);
    assert_string_equal(only_msg(state), "/: cannot open: Is a directory");
}

static void test_missing_file_is_an_io_error(void **state)
{
    struct tc *c = *state;
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    assert_int_equal(policy_parse_file(c->ps, "/nonexistent/policies.ini", &o, &c->d), ERR_IO);
    assert_string_equal(only_msg(state), "/nonexistent/policies.ini: cannot open: No such file or directory");
}

/* ======================================================================================
 * retention and soft delete
 * ====================================================================================== */

static void test_retention_update_enables_the_retention_policy(void **state)
{
    assert_parses(state, "[p]\naz acr config retention update --registry r --days 30 --type UntaggedManifests --status enabled\n");
    const struct policy *p = named(state, "p");
    assert_true(p->retention);
    assert_int_equal(p->retention_days, 30);
    assert_false(p->retention_enabled_at_set);
    assert_false(p->soft_delete);
    assert_int_equal(p->n_tasks, 0);
}

static void test_retention_days_default_to_7(void **state)
{
    assert_parses(state, "[p]\naz acr config retention update --registry r --type UntaggedManifests --status enabled\n");
    assert_int_equal(named(state, "p")->retention_days, 7);
}

static void test_retention_days_range_0_to_365(void **state)
{
    assert_parses(state, "[a]\naz acr config retention update --registry r --days 0 --type UntaggedManifests --status enabled\n"
                         "[b]\naz acr config retention update --registry r --days=365 --type UntaggedManifests --status enabled\n");
    assert_int_equal(named(state, "a")->retention_days, 0);
    assert_int_equal(named(state, "b")->retention_days, 365);
}

static void test_retention_days_above_365_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr config retention update --registry r --days 366 --type UntaggedManifests --status enabled\n"),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] az acr config retention update: --days must be 0-365, got 366"));
    assert_false(named(state, "p")->retention);
}

static void test_retention_days_not_a_number_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr config retention update --registry r --days -1 --type UntaggedManifests --status enabled\n"),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] az acr config retention update: --days: expected a whole number of days, got \"-1\""));
}

static void test_retention_type_must_be_untagged_manifests(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr config retention update --registry r --days 3 --type Tags --status enabled\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] az acr config retention update: --type must be UntaggedManifests, got \"Tags\""));
}

static void test_retention_status_is_required(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr config retention update --registry r --days 3 --type UntaggedManifests\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] az acr config retention update: --status enabled|disabled is required"));
}

static void test_retention_disabled_changes_nothing(void **state)
{
    assert_parses(state, "[p]\naz acr config retention update --registry r --days 3 --type UntaggedManifests --status disabled\n");
    assert_false(named(state, "p")->retention);
}

static void test_retention_enabled_at_is_read(void **state)
{
    assert_parses(state, "[p]\naz acr config retention update --registry r --days 3 --type UntaggedManifests --status enabled "
                         "--enabled-at 2026-05-01\n");
    const struct policy *p = named(state, "p");
    assert_true(p->retention_enabled_at_set);
    assert_int_equal(p->retention_enabled_at_ns, fx_ns("2026-05-01T00:00:00Z"));
}

static void test_retention_bad_enabled_at_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr config retention update --registry r --days 3 --type UntaggedManifests --status enabled "
                                  "--enabled-at yesterday\n"),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] --enabled-at: expected YYYY-MM-DD or an RFC 3339 time, got \"yesterday\""));
}

static void test_soft_delete_update_enables_soft_delete(void **state)
{
    assert_parses(state, "[p]\naz acr config soft-delete update --registry r --days 14 --status enabled\n");
    const struct policy *p = named(state, "p");
    assert_true(p->soft_delete);
    assert_int_equal(p->soft_delete_days, 14);
    assert_false(p->retention);
}

static void test_soft_delete_days_default_to_7(void **state)
{
    assert_parses(state, "[p]\naz acr config soft-delete update --registry r --status enabled\n");
    assert_int_equal(named(state, "p")->soft_delete_days, 7);
}

static void test_soft_delete_days_range_1_to_90(void **state)
{
    assert_parses(state, "[a]\naz acr config soft-delete update --registry r --days 1 --status enabled\n"
                         "[b]\naz acr config soft-delete update --registry r --days 90 --status enabled\n");
    assert_int_equal(named(state, "a")->soft_delete_days, 1);
    assert_int_equal(named(state, "b")->soft_delete_days, 90);
}

static void test_soft_delete_days_0_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr config soft-delete update --registry r --days 0 --status enabled\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] az acr config soft-delete update: --days must be 1-90, got 0"));
}

static void test_soft_delete_days_91_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p]\naz acr config soft-delete update --registry r --days 91 --status enabled\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "2: [p] az acr config soft-delete update: --days must be 1-90, got 91"));
}

static void test_soft_delete_with_retention_is_an_error(void **state)
{
    assert_int_equal(parse(state, "[p]\n"
                                  "az acr config retention update --registry r --days 3 --type UntaggedManifests --status enabled\n"
                                  "az acr config soft-delete update --registry r --days 7 --status enabled\n"),
                     ERR_INPUT);
    assert_string_equal(only_msg(state),
                        at(state, "3: [p] soft delete cannot be enabled together with the retention policy for untagged manifests"));
}

static void test_retention_with_soft_delete_is_an_error_in_either_order(void **state)
{
    assert_int_equal(parse(state, "[p]\n"
                                  "az acr config soft-delete update --registry r --days 7 --status enabled\n"
                                  "az acr config retention update --registry r --days 3 --type UntaggedManifests --status enabled\n"),
                     ERR_INPUT);
    assert_string_equal(only_msg(state),
                        at(state, "3: [p] soft delete cannot be enabled together with the retention policy for untagged manifests"));
}

static void test_retention_and_soft_delete_in_different_policies_are_fine(void **state)
{
    assert_parses(state, "[a]\naz acr config retention update --registry r --days 3 --type UntaggedManifests --status enabled\n"
                         "[b]\naz acr config soft-delete update --registry r --days 7 --status enabled\n");
    assert_true(named(state, "a")->retention);
    assert_false(named(state, "a")->soft_delete);
    assert_true(named(state, "b")->soft_delete);
    assert_false(named(state, "b")->retention);
}

/* ======================================================================================
 * the --policy quick form
 * ====================================================================================== */

static void test_quick_form_adds_one_policy(void **state)
{
    struct tc *c = *state;
    assert_int_equal(quick(state, "keep3=acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged"), PS_OK);
    assert_int_equal(c->ps->n, 1);
    const struct policy *p = named(state, "keep3");
    assert_int_equal(p->n_tasks, 1);
    assert_int_equal(p->tasks[0].rule.keep, 3);
    assert_string_equal(p->tasks[0].command, "acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged");
    assert_string_equal(p->file, "--policy");
    assert_string_equal(p->tasks[0].schedule_text[0], POLICY_NIGHTLY);
}

static void test_quick_form_splits_at_the_first_equals_sign(void **state)
{
    assert_int_equal(quick(state, "t=az acr task create --name=x --registry r --schedule \"0 2 * * *\" "
                                  "--cmd \"acr purge --filter 'a:.*' --ago=2d\" --context /dev/null"),
                     PS_OK);
    const struct policy *p = named(state, "t");
    assert_string_equal(p->tasks[0].schedule_text[0], "0 2 * * *");
    assert_int_equal(p->tasks[0].rule.ago_ns, 2 * TIMEU_NS_PER_DAY);
}

static void test_quick_form_takes_retention_and_soft_delete(void **state)
{
    assert_int_equal(quick(state, "ret=az acr config retention update --registry r --days 2 --type UntaggedManifests --status enabled"),
                     PS_OK);
    assert_int_equal(quick(state, "soft=az acr config soft-delete update --registry r --days 9 --status enabled"), PS_OK);
    assert_int_equal(named(state, "ret")->retention_days, 2);
    assert_int_equal(named(state, "soft")->soft_delete_days, 9);
}

static void test_quick_form_without_equals_is_an_error(void **state)
{
    assert_int_equal(quick(state, "acr purge --ago 1d"), ERR_USAGE);
    assert_string_equal(only_msg(state), "--policy \"acr purge --ago 1d\": expected NAME=COMMAND");
}

static void test_quick_form_with_empty_name_is_an_error(void **state)
{
    assert_int_equal(quick(state, "=acr purge --filter 'a:.*' --ago 1d"), ERR_USAGE);
    assert_string_equal(only_msg(state), "--policy \"=acr purge --filter 'a:.*' --ago 1d\": expected NAME=COMMAND");
}

static void test_quick_form_with_invalid_name_is_an_error(void **state)
{
    assert_int_equal(quick(state, "a b=acr purge --filter 'a:.*' --ago 1d"), ERR_USAGE);
    assert_string_equal(only_msg(state), "--policy: policy name \"a b\" must be 1-63 letters, digits, '-', '_', '.' or '+'");
}

static void test_quick_form_with_bad_command_names_the_policy(void **state)
{
    assert_int_equal(quick(state, "p=acr purge --ago 1d"), ERR_USAGE);
    assert_string_equal(only_msg(state),
                        "--policy [p] acr purge: at least one of the flags in the group [filter untagged-only] is required");
}

static void test_quick_form_name_taken_by_the_file_is_an_error(void **state)
{
    assert_parses(state, "[p]\nacr purge --filter 'a:.*' --ago 1d\n");
    assert_int_equal(quick(state, "p=acr purge --filter 'b:.*' --ago 1d"), ERR_USAGE);
    assert_string_equal(only_msg(state), "--policy: policy [p] is defined twice");
}

/* ======================================================================================
 * the baseline
 * ====================================================================================== */

static void test_baseline_is_added_first_without_rules(void **state)
{
    struct tc *c = *state;
    assert_parses(state, "[a]\nacr purge --filter 'a:.*' --ago 1d\n[b]\nacr purge --filter 'b:.*' --ago 1d\n");
    policy_add_baseline(c->ps);
    assert_int_equal(c->ps->n, 3);
    const struct policy *b = &c->ps->p[0];
    assert_string_equal(b->name, "baseline");
    assert_int_equal(b->n_tasks, 0);
    assert_false(b->retention);
    assert_false(b->soft_delete);
    /* the others keep their order (and their rules) */
    assert_string_equal(c->ps->p[1].name, "a");
    assert_string_equal(c->ps->p[2].name, "b");
    assert_string_equal(c->ps->p[2].tasks[0].rule.filters[0].repo_re, "b");
}

static void test_baseline_is_present_once(void **state)
{
    struct tc *c = *state;
    assert_int_equal(quick(state, "a=acr purge --filter 'a:.*' --ago 1d"), PS_OK);
    policy_add_baseline(c->ps);
    policy_add_baseline(c->ps);
    assert_int_equal(c->ps->n, 2);
    assert_string_equal(c->ps->p[0].name, "baseline");
    assert_string_equal(c->ps->p[1].name, "a");
}

static void test_baseline_alone_in_an_empty_set(void **state)
{
    struct tc *c = *state;
    policy_add_baseline(c->ps);
    assert_int_equal(c->ps->n, 1);
    assert_string_equal(c->ps->p[0].name, "baseline");
}

static void test_baseline_is_a_reserved_policy_name_in_files(void **state)
{
    struct tc *c = *state;
    assert_int_equal(parse(state, "[a]\nacr purge --filter 'a:.*' --ago 1d\n[baseline]\nacr purge --filter '.*:.*' --ago 0d\n"),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "3: policy name \"baseline\" is reserved for the baseline that deletes nothing"));
    policy_add_baseline(c->ps);
    assert_string_equal(c->ps->p[0].name, "baseline");
    assert_int_equal(c->ps->p[0].n_tasks, 0);
}

static void test_baseline_is_a_reserved_policy_name_in_the_quick_form(void **state)
{
    assert_int_equal(quick(state, "baseline=acr purge --filter 'a:.*' --ago 1d"), ERR_USAGE);
    assert_string_equal(only_msg(state), "--policy: policy name \"baseline\" is reserved for the baseline that deletes nothing");
}

/* ======================================================================================
 * what cannot run as written: warnings, tasks that never fire, runs that delete nothing
 * ====================================================================================== */

/* The warnings joined by "\n" ("" when none), in the state's buffer. */
static const char *warnings(void **state)
{
    struct tc *c = *state;
    size_t k = 0;
    c->want[0] = '\0';
    for (size_t i = 0; i < c->ps->n_warnings; i++)
        k += (size_t)snprintf(c->want + k, sizeof c->want - k, "%s%s", i ? "\n" : "", c->ps->warnings[i]);
    return c->want;
}

#define TASK(sched, cmd) "az acr task create --name purge --registry devreg " sched " --cmd \"" cmd "\" --context /dev/null\n"

static void test_backslash_continuation_joins_lines(void **state)
{
    assert_parses(state, "[p]\n"
                         "az acr task create --name purge \\\n"
                         "    --schedule '0 3 * * *' \\\r\n"
                         "    --cmd \"acr purge --filter 'a:.*' --ago 7d\" \\\n"
                         "    --context /dev/null\n"
                         "[q]\n"
                         "acr purge --filter 'b:.*' --ago 1d\n");
    const struct policy *p = named(state, "p");
    assert_int_equal(p->n_tasks, 1);
    assert_int_equal(p->tasks[0].n_crons, 1);
    assert_string_equal(p->tasks[0].schedule_text[0], "0 3 * * *");
    assert_int_equal(p->tasks[0].rule.ago_ns, 7 * TIMEU_NS_PER_DAY);
    assert_int_equal(named(state, "q")->line, 6);
    assert_string_equal(warnings(state), "");
}

static void test_even_backslashes_and_comments_do_not_continue(void **state)
{
    struct tc *c = *state;
    /* "\\" at the end is an escaped backslash; a comment's backslash ends with the comment */
    assert_int_equal(parse(state, "[p]\n# a comment \\\n"
                                  "acr purge --filter 'a:.*' --ago 1d\n"
                                  "acr purge --filter 'b:x\\\\' --ago 1d \\\\\n"
                                  "acr purge --filter 'c:.*' --ago 1d\n"),
                     PS_OK);
    assert_int_equal(c->d.n_total, 0);
    assert_int_equal(named(state, "p")->n_tasks, 3);
}

static void test_error_in_continued_line_names_its_first_line(void **state)
{
    assert_int_equal(parse(state, "[p]\n\nacr purge --filter 'a:.*' \\\n  --ago 1d --bogus\n"), ERR_INPUT);
    assert_string_equal(only_msg(state), at(state, "3: [p] acr purge: unknown flag: --bogus"));
}

static void test_continuation_on_the_last_line_ends_there(void **state)
{
    assert_parses(state, "[p]\nacr purge --filter 'a:.*' --ago 1d \\");
    assert_int_equal(named(state, "p")->n_tasks, 1);
}

static void test_task_create_without_schedule_never_fires(void **state)
{
    assert_parses(state, "[p]\n" TASK("", "acr purge --filter 'a:.*' --ago 1d"));
    const struct policy_task *t = &named(state, "p")->tasks[0];
    assert_int_equal(t->n_crons, 0);
    assert_string_equal(warnings(state), "[p] task 'purge' has no --schedule: without a timer an ACR task runs only "
                                         "when started by hand (az acr task run) or by a source or base-image "
                                         "trigger, none of which is replayed: it never runs here");
}

static void test_bare_acr_purge_and_az_acr_run_stay_nightly_without_warning(void **state)
{
    assert_parses(state, "[p]\nacr purge --filter 'a:.*' --ago 1d\n"
                         "az acr run --registry devreg --cmd \"acr purge --filter 'a:.*' --ago 1d\" /dev/null\n");
    const struct policy *p = named(state, "p");
    assert_int_equal(p->tasks[0].n_crons, 1);
    assert_int_equal(p->tasks[1].n_crons, 1);
    assert_string_equal(warnings(state), "");
}

static void test_disabled_task_never_fires(void **state)
{
    assert_parses(state, "[p]\n" TASK("--schedule '0 0 * * *' --status Disabled", "acr purge --filter 'a:.*' --ago 1d"));
    const struct policy_task *t = &named(state, "p")->tasks[0];
    assert_int_equal(t->n_crons, 0);
    assert_string_equal(warnings(state), "[p] task 'purge' is created with --status Disabled: it never runs");
}

static void test_disabled_task_still_has_its_cron_checked(void **state)
{
    assert_int_equal(parse(state, "[p]\n" TASK("--schedule '0 25 * * *' --status disabled", "acr purge --filter 'a:.*' --ago 1d")),
                     ERR_INPUT);
}

static void test_enabled_status_fires(void **state)
{
    assert_parses(state, "[p]\n" TASK("--schedule '0 0 * * *' --status enabled", "acr purge --filter 'a:.*' --ago 1d"));
    assert_int_equal(named(state, "p")->tasks[0].n_crons, 1);
    assert_string_equal(warnings(state), "");
}

static void test_schedule_may_carry_a_timer_name(void **state)
{
    assert_parses(state, "[p]\n" TASK("--schedule 'nightly:0 2 * * *'", "acr purge --filter 'a:.*' --ago 1d"));
    const struct policy_task *t = &named(state, "p")->tasks[0];
    assert_int_equal(t->n_crons, 1);
    assert_string_equal(t->schedule_text[0], "nightly:0 2 * * *");
    assert_true(cron_matches(&t->crons[0], fx_ns("2026-03-04T02:00:00Z")));
}

static void test_dry_run_deletes_nothing_and_warns_once_per_policy(void **state)
{
    assert_parses(state, "[p]\nacr purge --filter 'a:.*' --ago 1d --dry-run\n"
                         "acr purge --filter 'b:.*' --ago 1d --dry-run\n"
                         "acr purge --filter 'c:.*' --ago 1d\n"
                         "[q]\n" TASK("--schedule '0 0 * * *'", "acr purge --filter 'a:.*' --ago 1d --dry-run"));
    const struct policy *p = named(state, "p");
    assert_true(p->tasks[0].rule.deletes_nothing);
    assert_true(p->tasks[1].rule.deletes_nothing);
    assert_false(p->tasks[2].rule.deletes_nothing);
    assert_int_equal(p->tasks[0].n_crons, 1);   /* the run still happens */
    assert_true(named(state, "q")->tasks[0].rule.deletes_nothing);
    assert_string_equal(warnings(state),
                        "[p] acr purge --dry-run deletes nothing: its runs are simulated, and delete nothing\n"
                        "[q] acr purge --dry-run deletes nothing: its runs are simulated, and delete nothing");
}

static void test_empty_section_warns(void **state)
{
    struct tc *c = *state;
    assert_parses(state, "[nothing]\n# only a comment\n[p]\nacr purge --filter 'a:.*' --ago 1d\n[last]\n");
    snprintf(c->want, sizeof c->want,
             "[nothing] %s:1: the section has no commands, so the policy deletes nothing\n"
             "[last] %s:5: the section has no commands, so the policy deletes nothing", c->path, c->path);
    char want[sizeof c->want];
    memcpy(want, c->want, sizeof want);
    assert_string_equal(warnings(state), want);
}

static void test_unexpanded_variable_in_tag_part_gets_a_hint(void **state)
{
    assert_parses(state, "[p]\nacr purge --filter 'svc:$TAG' --ago 1d\nacr purge --filter '$REPO:.*' --ago 1d\n");
    /* the repository part's variable is policy_check()'s (it matches no repository) */
    assert_string_equal(warnings(state), "[p] --filter 'svc:$TAG': $TAG looks like a shell variable left unexpanded; "
                                         "in a regex '$' ends the text, so this filter matches no tag");
}

static void test_capped_and_wrapped_ago_warn(void **state)
{
    assert_parses(state, "[p]\nacr purge --filter 'a:.*' --ago 1day\n");
    assert_string_equal(warnings(state), "[p] --ago '1day' is read as more than 150 years and capped: nothing younger "
                                         "than 150 years is deleted (acr purge takes days as '1d', not '1day')");
    struct tc *c = *state;
    policy_set_free(c->ps);
    c->ps = policy_set_new();
    unlink(c->path);
    assert_int_equal(parse_ver(state, "[p]\nacr purge --filter 'a:.*' --ago 999999d --untagged\n", ACR_CLI_0_17), PS_OK);
    assert_true(named(state, "p")->tasks[0].rule.ago_wrapped);
    assert_string_equal(warnings(state), "[p] --ago '999999d' overflows in acr-cli 0.17 and older: it wraps to 184.9 "
                                         "years in the future, so every tag the filter matches is deleted whatever "
                                         "its age (acr-cli issue 560, fixed in 0.18)");
}

static void test_disabled_retention_warns(void **state)
{
    assert_parses(state, "[p]\naz acr config retention update --registry r --status disabled --type UntaggedManifests\n");
    assert_string_equal(warnings(state), "[p] az acr config retention update --status disabled changes nothing");
}

static void test_quick_form_warns_too(void **state)
{
    assert_int_equal(quick(state, "q=" TASK("", "acr purge --filter 'a:.*' --ago 1d --dry-run")), PS_OK);
    assert_int_equal(named(state, "q")->tasks[0].n_crons, 0);
    assert_int_equal(((struct tc *)*state)->ps->n_warnings, 2);
}

static void test_v017_policy_has_include_locked_but_no_untagged_only(void **state)
{
    assert_int_equal(parse_ver(state, "[p]\nacr purge --filter 'a:.*' --ago 1d --include-locked\n", ACR_CLI_0_17), PS_OK);
    assert_true(named(state, "p")->tasks[0].rule.include_locked);
    unlink(((struct tc *)*state)->path);
    assert_int_equal(parse_ver(state, "[q]\nacr purge --untagged-only --ago 1d\n", ACR_CLI_0_17), ERR_INPUT);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sections_comments_and_blank_lines),
        T(test_crlf_line_ends_and_utf8_bom_are_accepted),
        T(test_empty_section_is_a_policy_without_rules),
        T(test_bare_acr_purge_runs_nightly),
        T(test_az_acr_run_runs_nightly),
        T(test_task_create_uses_its_schedule),
        T(test_task_create_with_two_schedules_has_two_timers),
        T(test_tasks_keep_file_order),
        T(test_acr_cli_version_applies_to_every_command),
        T(test_unknown_command_names_file_line_and_policy),
        T(test_unknown_command_is_shortened_to_60_characters),
        T(test_bad_cron_names_the_expression),
        T(test_second_bad_cron_fails_the_task),
        T(test_invalid_acr_purge_command_gives_acr_purges_error),
        T(test_acr_purge_without_ago_is_an_error),
        T(test_az_acr_run_without_purge_is_an_error),
        T(test_unterminated_quote_is_an_error),
        T(test_command_outside_a_section_is_an_error),
        T(test_malformed_section_line_is_an_error),
        T(test_bad_section_name_is_one_error),
        T(test_commands_under_a_rejected_section_are_not_reported_again),
        T(test_text_after_section_is_an_error),
        T(test_invalid_policy_name_is_an_error),
        T(test_empty_policy_name_is_an_error),
        T(test_empty_json_list_is_an_empty_task_list),
        T(test_duplicate_policy_names_are_an_error),
        T(test_every_error_is_reported),
        T(test_empty_file_is_an_error),
        T(test_file_without_sections_is_an_error),
        T(test_file_without_policy_lines_is_one_error),
        T(test_other_input_is_named),
        T(test_stray_lines_before_a_section_are_each_an_error),
        T(test_nul_byte_ends_the_file_with_one_error),
        T(test_directory_is_an_io_error),
        T(test_missing_file_is_an_io_error),
        T(test_retention_update_enables_the_retention_policy),
        T(test_retention_days_default_to_7),
        T(test_retention_days_range_0_to_365),
        T(test_retention_days_above_365_is_an_error),
        T(test_retention_days_not_a_number_is_an_error),
        T(test_retention_type_must_be_untagged_manifests),
        T(test_retention_status_is_required),
        T(test_retention_disabled_changes_nothing),
        T(test_retention_enabled_at_is_read),
        T(test_retention_bad_enabled_at_is_an_error),
        T(test_soft_delete_update_enables_soft_delete),
        T(test_soft_delete_days_default_to_7),
        T(test_soft_delete_days_range_1_to_90),
        T(test_soft_delete_days_0_is_an_error),
        T(test_soft_delete_days_91_is_an_error),
        T(test_soft_delete_with_retention_is_an_error),
        T(test_retention_with_soft_delete_is_an_error_in_either_order),
        T(test_retention_and_soft_delete_in_different_policies_are_fine),
        T(test_quick_form_adds_one_policy),
        T(test_quick_form_splits_at_the_first_equals_sign),
        T(test_quick_form_takes_retention_and_soft_delete),
        T(test_quick_form_without_equals_is_an_error),
        T(test_quick_form_with_empty_name_is_an_error),
        T(test_quick_form_with_invalid_name_is_an_error),
        T(test_quick_form_with_bad_command_names_the_policy),
        T(test_quick_form_name_taken_by_the_file_is_an_error),
        T(test_baseline_is_added_first_without_rules),
        T(test_baseline_is_present_once),
        T(test_baseline_alone_in_an_empty_set),
        T(test_baseline_is_a_reserved_policy_name_in_files),
        T(test_baseline_is_a_reserved_policy_name_in_the_quick_form),
        T(test_backslash_continuation_joins_lines),
        T(test_even_backslashes_and_comments_do_not_continue),
        T(test_error_in_continued_line_names_its_first_line),
        T(test_continuation_on_the_last_line_ends_there),
        T(test_task_create_without_schedule_never_fires),
        T(test_bare_acr_purge_and_az_acr_run_stay_nightly_without_warning),
        T(test_disabled_task_never_fires),
        T(test_disabled_task_still_has_its_cron_checked),
        T(test_enabled_status_fires),
        T(test_schedule_may_carry_a_timer_name),
        T(test_dry_run_deletes_nothing_and_warns_once_per_policy),
        T(test_empty_section_warns),
        T(test_unexpanded_variable_in_tag_part_gets_a_hint),
        T(test_capped_and_wrapped_ago_warn),
        T(test_disabled_retention_warns),
        T(test_quick_form_warns_too),
        T(test_v017_policy_has_include_locked_but_no_untagged_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
