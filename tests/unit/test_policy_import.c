/* test_policy_import.c - unit tests for policy_import.h: Azure's JSON for tasks and registry
 * settings (tests/import/NAME.json) gives the same policies as the hand-written policy files next
 * to them (tests/import/NAME.ini); templates, CRLF, disabled tasks and timers, skipped tasks,
 * grouping, and the errors. Run from the repository root (as tests/run-all.sh does). */
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
#include "policy_import.h"

struct tc {
    struct policy_set *ps, *hand;   /* imported, and written by hand */
    struct diag d;
    char path[64];
};

static int setup(void **state)
{
    struct tc *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->ps = policy_set_new();
    c->hand = policy_set_new();
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct tc *c = *state;
    policy_set_free(c->ps);
    policy_set_free(c->hand);
    diag_free(&c->d);
    if (c->path[0]) unlink(c->path);
    free(c);
    return 0;
}

static const struct purgecmd_opts OPTS = {ACR_CLI_CURRENT, 2};

static void show_msgs(const struct tc *c)
{
    for (size_t i = 0; i < c->d.n_kept; i++) print_error("message: %s\n", c->d.msgs[i]);
}

/* Imports one JSON text (label "doc.json"); group may be NULL. */
static int import_text(void **state, const char *text, const char *group)
{
    struct tc *c = *state;
    struct policy_import_opts io = {group};
    return policy_import_json(c->ps, "doc.json", text, strlen(text), &OPTS, &io, &c->d);
}

static void import_ok(void **state, const char *text, const char *group)
{
    struct tc *c = *state;
    if (import_text(state, text, group) != PS_OK) {
        show_msgs(c);
        fail_msg("did not import");
    }
}

/* Reads a fixture file through policy_parse_file_grouped, as -p does. */
static void import_file(void **state, const char *path, const char *group)
{
    struct tc *c = *state;
    if (policy_parse_file_grouped(c->ps, path, &OPTS, group, &c->d) != PS_OK) {
        show_msgs(c);
        fail_msg("%s did not import", path);
    }
}

static void parse_hand(void **state, const char *path)
{
    struct tc *c = *state;
    struct diag d;
    memset(&d, 0, sizeof d);
    int rc = policy_parse_file(c->hand, path, &OPTS, &d);
    for (size_t i = 0; i < d.n_kept; i++) print_error("message: %s\n", d.msgs[i]);
    diag_free(&d);
    assert_int_equal(rc, PS_OK);
}

static const struct policy *named(const struct policy_set *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].name, name)) return &ps->p[i];
    fail_msg("no policy [%s]", name);
    return NULL;
}

static bool has_warning(const struct policy_set *ps, const char *part)
{
    for (size_t i = 0; i < ps->n_warnings; i++)
        if (strstr(ps->warnings[i], part)) return true;
    return false;
}

static void assert_warning(const struct policy_set *ps, const char *part)
{
    if (has_warning(ps, part)) return;
    for (size_t i = 0; i < ps->n_warnings; i++) print_error("warning: %s\n", ps->warnings[i]);
    fail_msg("no warning with \"%s\"", part);
}

static void assert_same_str(const char *a, const char *b)
{
    if (!a || !b) assert_ptr_equal(a, b);
    else assert_string_equal(a, b);
}

/* The same replay: every policy of `hand` is in `got`, in the same order, with the same tasks
 * (rule fields and schedules) and settings; and got has no other policy. */
static void assert_same_policies(const struct policy_set *hand, const struct policy_set *got)
{
    assert_int_equal(got->n, hand->n);
    for (size_t i = 0; i < hand->n; i++) {
        const struct policy *h = &hand->p[i], *g = &got->p[i];
        assert_string_equal(g->name, h->name);
        assert_int_equal(g->retention, h->retention);
        assert_int_equal(g->retention_days, h->retention_days);
        assert_int_equal(g->soft_delete, h->soft_delete);
        assert_int_equal(g->soft_delete_days, h->soft_delete_days);
        assert_int_equal(g->n_tasks, h->n_tasks);
        for (size_t t = 0; t < h->n_tasks; t++) {
            const struct purge_rule *hr = &h->tasks[t].rule, *gr = &g->tasks[t].rule;
            assert_int_equal(gr->version, hr->version);
            assert_int_equal(gr->n_filters, hr->n_filters);
            for (size_t f = 0; f < hr->n_filters; f++) {
                assert_string_equal(gr->filters[f].repo_re, hr->filters[f].repo_re);
                assert_string_equal(gr->filters[f].tag_re, hr->filters[f].tag_re);
            }
            assert_same_str(gr->ago_text, hr->ago_text);
            assert_int_equal(gr->ago_ns, hr->ago_ns);
            assert_int_equal(gr->keep, hr->keep);
            assert_int_equal(gr->untagged, hr->untagged);
            assert_int_equal(gr->untagged_only, hr->untagged_only);
            assert_int_equal(gr->include_locked, hr->include_locked);
            assert_int_equal(gr->dry_run, hr->dry_run);
            assert_int_equal(gr->deletes_nothing, hr->deletes_nothing);
            assert_int_equal(gr->filter_timeout_seconds, hr->filter_timeout_seconds);
            assert_int_equal(gr->task_disabled, hr->task_disabled);
            assert_same_str(gr->task_name, hr->task_name);
            assert_same_str(gr->registry, hr->registry);
            assert_int_equal(g->tasks[t].n_crons, h->tasks[t].n_crons);
            for (size_t k = 0; k < h->tasks[t].n_crons; k++)
                assert_string_equal(g->tasks[t].schedule_text[k], h->tasks[t].schedule_text[k]);
        }
    }
}

static void assert_like_hand(void **state, const char *json, const char *ini, const char *group)
{
    struct tc *c = *state;
    import_file(state, json, group);
    parse_hand(state, ini);
    assert_same_policies(c->hand, c->ps);
}

/* The only error message. */
static const char *only_msg(void **state)
{
    struct tc *c = *state;
    if (c->d.n_total != 1) {
        show_msgs(c);
        fail_msg("expected one message, got %zu", c->d.n_total);
    }
    return c->d.msgs[0];
}

static char *b64(const char *s)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), o = 0;
    char *out = malloc((n + 2) / 3 * 4 + 1);
    assert_non_null(out);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)(unsigned char)s[i] << 16;
        if (i + 1 < n) v |= (unsigned)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)s[i + 2];
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

/* An az acr task show document for one task whose YAML is `yaml` (base64-encoded here). */
static char *task_doc(const char *name, const char *yaml, const char *extra)
{
    char *enc = b64(yaml);
    size_t n = strlen(enc) + strlen(extra) + 512;
    char *doc = malloc(n);
    assert_non_null(doc);
    snprintf(doc, n,
             "{\"name\": \"%s\", \"status\": \"Enabled\", \"timeout\": 3600, \"step\": {\"type\": \"EncodedTask\", "
             "\"encodedTaskContent\": \"%s\"%s}, \"trigger\": {\"timerTriggers\": [{\"name\": \"t1\", \"schedule\": "
             "\"0 0 * * *\", \"status\": \"Enabled\"}]}}",
             name, enc, extra);
    free(enc);
    return doc;
}

static void import_task_yaml(void **state, const char *name, const char *yaml, const char *extra)
{
    char *doc = task_doc(name, yaml, extra);
    import_ok(state, doc, NULL);
    free(doc);
}

/* Imports a list of the task and a plain purge task "ok" (a document that only skips is an
 * error of its own). */
static void import_beside_ok(void **state, const char *name, const char *yaml, const char *extra)
{
    char *doc = task_doc(name, yaml, extra);
    char *ok = task_doc("ok", "steps:\n- cmd: acr purge --filter 'a:.*' --ago 1d\n", "");
    size_t n = strlen(doc) + strlen(ok) + 8;
    char *list = malloc(n);
    assert_non_null(list);
    snprintf(list, n, "[%s,\n%s]", doc, ok);
    free(doc);
    free(ok);
    import_ok(state, list, NULL);
    free(list);
}

/* ---- every shape gives what the hand-written file gives ---- */

static void test_task_list_is_the_hand_written_file(void **state)
{
    assert_like_hand(state, "tests/import/task-list.json", "tests/import/task-list.ini", NULL);
}

static void test_task_show_with_set_values_and_crlf(void **state)
{
    assert_like_hand(state, "tests/import/task-show.json", "tests/import/task-show.ini", NULL);
}

static void test_retention_show(void **state)
{
    assert_like_hand(state, "tests/import/retention-show.json", "tests/import/retention-show.ini", NULL);
}

static void test_soft_delete_show(void **state)
{
    assert_like_hand(state, "tests/import/soft-delete-show.json", "tests/import/soft-delete-show.ini", NULL);
}

static void test_acr_show_policies(void **state)
{
    assert_like_hand(state, "tests/import/acr-show.json", "tests/import/acr-show.ini", NULL);
}

static void test_arm_template_from_bicep(void **state)
{
    assert_like_hand(state, "tests/import/arm-template.json", "tests/import/arm-template.ini", NULL);
}

static void test_terraform_show_current_and_older_blocks(void **state)
{
    struct tc *c = *state;
    assert_like_hand(state, "tests/import/terraform-show.json", "tests/import/tasks.ini", NULL);
    /* the older block's state holds a SHA-1 of the task, not the task */
    assert_warning(c->ps, "encoded_task_step: task 'purge-legacy' has only a SHA-1 hash of its task_content");
    assert_warning(c->ps, "task 'build-app' has a docker_step, not an encoded acr purge step: skipped");
}

static void test_group_puts_every_task_in_one_policy(void **state)
{
    assert_like_hand(state, "tests/import/task-list.json", "tests/import/task-list-grouped.ini", "current");
}

static void test_group_is_appended_to_by_later_documents(void **state)
{
    struct tc *c = *state;
    import_file(state, "tests/import/task-show.json", "current");
    import_file(state, "tests/import/retention-show.json", "current");
    assert_int_equal(c->ps->n, 1);
    const struct policy *p = named(c->ps, "current");
    assert_int_equal(p->n_tasks, 1);
    assert_true(p->retention);
    assert_int_equal(p->retention_days, 7);
}

/* ---- what the task list holds besides purge tasks ---- */

static void test_skipped_tasks_are_reported(void **state)
{
    struct tc *c = *state;
    import_file(state, "tests/import/task-list.json", NULL);
    assert_warning(c->ps, "[build-app] tests/import/task-list.json: [0].step: task 'build-app' has a step of type "
                          "Docker, not an encoded acr purge step: skipped");
    assert_warning(c->ps, "task 'purge-two-steps' has 2 steps");
    assert_warning(c->ps, "task 'hello' runs \"mcr.microsoft.com/hello-world\", not acr purge: skipped");
}

static void test_disabled_timer_is_dropped(void **state)
{
    struct tc *c = *state;
    import_file(state, "tests/import/task-list.json", NULL);
    const struct policy *p = named(c->ps, "purge-weekly");
    assert_int_equal(p->tasks[0].n_crons, 1);
    assert_string_equal(p->tasks[0].schedule_text[0], "0 3 * * 0");
    assert_warning(c->ps, "[purge-weekly] tests/import/task-list.json: [2].trigger.timerTriggers[1]: timer 'lunch' "
                          "of task 'purge-weekly' is disabled: it never fires");
}

static void test_disabled_task_never_fires(void **state)
{
    struct tc *c = *state;
    import_file(state, "tests/import/task-list.json", NULL);
    const struct policy *p = named(c->ps, "purge-paused");
    assert_int_equal(p->tasks[0].n_crons, 0);
    assert_true(p->tasks[0].rule.task_disabled);
    assert_warning(c->ps, "[purge-paused] task 'purge-paused' has status Disabled: it never runs");
}

static void test_task_without_enabled_timer_never_fires(void **state)
{
    struct tc *c = *state;
    import_ok(state,
              "{\"name\": \"by-hand\", \"step\": {\"type\": \"EncodedTask\", \"encodedTaskContent\": "
              "\"c3RlcHM6CiAgLSBjbWQ6IGFjciBwdXJnZSAtLWZpbHRlciAnYTouKicgLS1hZ28gMWQK\"}, \"trigger\": "
              "{\"timerTriggers\": [{\"name\": \"t1\", \"schedule\": \"0 0 * * *\", \"status\": \"Disabled\"}]}}",
              NULL);
    assert_int_equal(named(c->ps, "by-hand")->tasks[0].n_crons, 0);
    assert_warning(c->ps, "[by-hand] task 'by-hand' has no enabled timer trigger");
}

static void test_timeout_is_kept(void **state)
{
    struct tc *c = *state;
    import_file(state, "tests/import/task-list.json", NULL);
    assert_int_equal(named(c->ps, "purge-weekly")->tasks[0].timeout_seconds, 7200);
    assert_int_equal(named(c->ps, "purge-nightly")->tasks[0].timeout_seconds, 3600);
}

static void test_imported_command_is_the_az_command(void **state)
{
    struct tc *c = *state;
    import_file(state, "tests/import/task-show.json", NULL);
    assert_string_equal(named(c->ps, "purge-nightly")->tasks[0].command,
                        "az acr task create --name purge-nightly --schedule '0 0 * * *' --cmd 'acr purge --filter "
                        "'\\''.*:.*'\\'' --ago 0d --keep 3 --untagged' --context /dev/null");
}

/* ---- templates ---- */

static void test_old_template_with_encoded_values(void **state)
{
    struct tc *c = *state;
    char *values = b64("command: acr purge --filter 'web:.*' --ago 2d\ntimeout: 3600\n");
    char extra[256];
    snprintf(extra, sizeof extra, ", \"encodedValuesContent\": \"%s\"", values);
    free(values);
    import_task_yaml(state, "old",
                     "version: v1.1.0\r\nsteps: \r\n  - cmd: {{ .Values.command }}\r\n    timeout: {{ .Values.timeout }}\r\n",
                     extra);
    const struct policy *p = named(c->ps, "old");
    assert_string_equal(p->tasks[0].rule.filters[0].repo_re, "web");
    assert_string_equal(p->tasks[0].rule.ago_text, "2d");
}

static void test_set_values_win_over_the_values_file(void **state)
{
    struct tc *c = *state;
    char *values = b64("ago: 9d\n");
    char extra[512];
    snprintf(extra, sizeof extra,
             ", \"encodedValuesContent\": \"%s\", \"values\": [{\"name\": \"ago\", \"value\": \"3d\", \"isSecret\": "
             "false}]",
             values);
    free(values);
    import_task_yaml(state, "t", "steps:\n- cmd: acr purge --filter 'a:.*' --ago {{.Values.ago}}\n", extra);
    assert_string_equal(named(c->ps, "t")->tasks[0].rule.ago_text, "3d");
}

static void test_unknown_template_is_skipped(void **state)
{
    struct tc *c = *state;
    import_beside_ok(state, "run-id", "steps:\n- cmd: acr purge --filter 'a:{{.Run.ID}}' --ago 1d\n", "");
    assert_warning(c->ps, "task 'run-id' uses the template {{.Run.ID}}, which purgesim cannot fill in: skipped");
    assert_int_equal(c->ps->n, 1);
}

static void test_missing_value_is_skipped(void **state)
{
    struct tc *c = *state;
    import_beside_ok(state, "v", "steps:\n- cmd: {{ .Values.command }}\n", "");
    assert_warning(c->ps, "uses {{.Values.command}}, which has no value");
}

static void test_several_commands_in_one_step_are_skipped(void **state)
{
    struct tc *c = *state;
    import_beside_ok(state, "two",
                     "steps:\n- cmd: acr purge --filter 'a:.*' --ago 1d && acr purge --filter 'b:.*' --ago 1d\n", "");
    /* a ';' inside quotes is part of the filter */
    import_task_yaml(state, "semi", "steps:\n- cmd: acr purge --filter 'a;b:.*' --ago 1d\n", "");
    assert_warning(c->ps, "task 'two' runs several commands in one step");
    assert_int_equal(c->ps->n, 2);
}

static void test_build_step_is_skipped(void **state)
{
    struct tc *c = *state;
    import_beside_ok(state, "b", "steps:\n- build: -t app:1 .\n", "");
    assert_warning(c->ps, "task 'b' has a step that is not a cmd");
}

static void test_folded_command_is_one_line(void **state)
{
    struct tc *c = *state;
    import_task_yaml(state, "f", "steps:\n  - cmd: acr purge --filter 'api:.*'\n      --ago 30d --untagged --keep 10\n", "");
    const struct purge_rule *r = &named(c->ps, "f")->tasks[0].rule;
    assert_int_equal(r->keep, 10);
    assert_true(r->untagged);
}

/* ---- names ---- */

static void test_names_are_made_valid_and_unique(void **state)
{
    struct tc *c = *state;
    import_task_yaml(state, "purge old/images", "steps:\n- cmd: acr purge --filter 'a:.*' --ago 1d\n", "");
    import_task_yaml(state, "purge old images", "steps:\n- cmd: acr purge --filter 'a:.*' --ago 1d\n", "");
    import_task_yaml(state, "baseline", "steps:\n- cmd: acr purge --filter 'a:.*' --ago 1d\n", "");
    assert_int_equal(c->ps->n, 3);
    assert_string_equal(c->ps->p[0].name, "purge-old-images");
    assert_string_equal(c->ps->p[1].name, "purge-old-images-2");
    assert_string_equal(c->ps->p[2].name, "baseline-task");
    assert_string_equal(c->ps->p[0].tasks[0].rule.task_name, "purge old/images");
}

static void test_bad_group_name_is_an_error(void **state)
{
    assert_int_equal(import_text(state, "{\"days\": 7, \"status\": \"enabled\"}", "no spaces"), ERR_INPUT);
    assert_string_equal(only_msg(state), "--policy-group: \"no spaces\" must be 1-63 letters, digits, '-', '_', "
                                         "'.' or '+', and not baseline");
}

/* ---- errors ---- */

static void test_malformed_base64_is_an_error(void **state)
{
    assert_int_equal(import_text(state,
                                 "[{\"name\": \"p\", \"step\": {\"type\": \"EncodedTask\", \"encodedTaskContent\": "
                                 "\"c3RlcHM6!\"}}]",
                                 NULL),
                     ERR_INPUT);
    assert_string_equal(only_msg(state),
                        "doc.json: [0].step.encodedTaskContent: malformed base64: unexpected character at offset 8");
}

static void test_yaml_that_is_not_a_mapping_is_an_error(void **state)
{
    char *doc = task_doc("p", "- acr purge --ago 1d\n", "");
    assert_int_equal(import_text(state, doc, NULL), ERR_INPUT);
    free(doc);
    assert_string_equal(only_msg(state), "doc.json: task 'p': the task YAML is not a mapping (version:, steps:)");
}

static void test_yaml_syntax_error_names_its_line(void **state)
{
    char *doc = task_doc("p", "steps:\n- cmd: 'acr purge\n", "");
    assert_int_equal(import_text(state, doc, NULL), ERR_INPUT);
    free(doc);
    assert_non_null(strstr(only_msg(state), "doc.json: task 'p': YAML line "));
}

static void test_task_without_step_is_an_error(void **state)
{
    assert_int_equal(import_text(state, "[{\"name\": \"p\", \"trigger\": {}}]", NULL), ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json: [0].step: task 'p' has no step");
}

static void test_export_is_an_error(void **state)
{
    assert_int_equal(import_text(state, "{\"registry\": \"r.azurecr.io\", \"repositories\": []}", NULL), ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json: this is a registry export, not a policy file or an Azure "
                                         "task/configuration: an export goes with -i");
}

/* A list with no task in it is some other file: one message saying which, not one an element */
static void test_list_without_tasks_is_one_error(void **state)
{
    struct tc *c = *state;
    assert_int_equal(import_text(state, "[{\"TimeGenerated\": \"2026-07-06T10:12:40Z\", \"OperationName\": \"Push\"}, "
                                        "{\"TimeGenerated\": \"2026-07-06T10:13:40Z\", \"OperationName\": \"Pull\"}]", NULL),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json: this is an event log (OperationName, TimeGenerated), not a policy "
                                         "file or a list of ACR tasks: give it with --events");
    diag_free(&c->d);
    assert_int_equal(import_text(state, "[1, \"two\", {}]", NULL), ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json: a list of 3 elements, none of them an ACR task (as az acr task "
                                         "list -o json prints them: objects with a step or a trigger)");
    /* with a task in it, each other element is an error of its own */
    diag_free(&c->d);
    assert_int_equal(import_text(state, "[1, {\"name\": \"p\", \"trigger\": {}}]", NULL), ERR_INPUT);
    assert_int_equal(c->d.n_total, 2);
    assert_string_equal(c->d.msgs[0], "doc.json: [0]: expected an ACR task (as az acr task list -o json prints them)");
}

static void test_price_table_is_an_error(void **state)
{
    assert_int_equal(import_text(state, "{\"currency\": \"AUD\", \"overage_per_gb_day\": 0.005, \"skus\": {}}", NULL),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json: this is a price table (currency, skus, overage_per_gb_day), not a "
                                         "policy file or an Azure task/configuration: give it with --pricing");
}

static void test_unknown_json_is_an_error(void **state)
{
    assert_int_equal(import_text(state, "{\"hello\": 1}", NULL), ERR_INPUT);
    assert_non_null(strstr(only_msg(state), "doc.json: JSON that is neither a policy file nor"));
}

/* Broken JSON says where and why, as the export reader does (the same strict check). */
static void test_invalid_json_names_its_line_column_and_reason(void **state)
{
    struct tc *c = *state;
    assert_int_equal(import_text(state, "{\n\"days\": 7,\n}", NULL), ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json:3:1: expected a key string, got '}'");
    diag_free(&c->d);
    /* a task list cut short */
    assert_int_equal(import_text(state, "[\n  {\n    \"name\": \"purge\",\n    \"step\": {\"type\": \"Encod", NULL),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json:4:28: expected '\"', got end of file");
    diag_free(&c->d);
    assert_int_equal(import_text(state, "[{\"name\": \"purge\", \"trigger\": {}},\n", NULL), ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json:1:35: expected a value, got end of file");
    diag_free(&c->d);
    /* only white space may follow the document */
    assert_int_equal(import_text(state, "{\"days\": 7, \"status\": \"enabled\"}\n\n x\n", NULL), ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json:3:2: expected the end of the value, got 'x'");
    diag_free(&c->d);
    assert_int_equal(import_text(state, "{\"days\": 07, \"status\": \"enabled\"}", NULL), ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json:1:10: invalid number");
    diag_free(&c->d);
    /* white space after it is fine */
    import_ok(state, "\xEF\xBB\xBF{\"days\": 7, \"status\": \"enabled\"}\r\n\t \n", NULL);
}

/* Another input cut short is named, not located: it is no policy file, broken or not. */
static void test_broken_other_input_is_named(void **state)
{
    struct tc *c = *state;
    assert_int_equal(import_text(state, "{\"registry\": \"r.azurecr.io\", \"exportedAt\": \"2026-01-01T00:00:00Z\", "
                                        "\"repositories\": [{\"name\": \"a", NULL),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json: this is a registry export, not a policy file or an Azure "
                                         "task/configuration: an export goes with -i");
    diag_free(&c->d);
    assert_int_equal(import_text(state, "[{\"TimeGenerated\": \"2026-07-06T10:13:40Z\", \"OperationName\": \"Pull\"},\n"
                                        "{\"TimeGenerated\": \"2026-07-06T10:", NULL),
                     ERR_INPUT);
    assert_string_equal(only_msg(state), "doc.json: this is an event log (OperationName, TimeGenerated), not a policy "
                                         "file or a list of ACR tasks: give it with --events");
}

static void test_only_skipped_tasks_is_an_error_without_group(void **state)
{
    char *doc = task_doc("b", "steps:\n- build: .\n", "");
    assert_int_equal(import_text(state, doc, NULL), ERR_INPUT);
    free(doc);
    assert_string_equal(only_msg(state), "doc.json: no acr purge task (1 skipped) and no registry setting to import");
}

static void test_only_skipped_tasks_in_a_group_is_a_policy_that_deletes_nothing(void **state)
{
    struct tc *c = *state;
    char *doc = task_doc("b", "steps:\n- build: .\n", "");
    import_ok(state, doc, "current");
    free(doc);
    assert_int_equal(c->ps->n, 1);
    assert_int_equal(named(c->ps, "current")->n_tasks, 0);
}

static void test_retention_out_of_range_is_an_error(void **state)
{
    assert_int_equal(import_text(state, "{\"days\": 400, \"status\": \"enabled\"}", NULL), ERR_INPUT);
    assert_string_equal(only_msg(state),
                        "doc.json: az acr config retention update: --days must be 0-365, got 400");
}

static void test_disabled_retention_warns(void **state)
{
    struct tc *c = *state;
    import_ok(state, "{\"days\": 7, \"status\": \"disabled\"}", NULL);
    assert_false(named(c->ps, "retention")->retention);
    assert_warning(c->ps, "[retention] doc.json: : status disabled");
}

static void test_arm_unsupported_expression_is_an_error(void **state)
{
    assert_int_equal(import_text(state,
                                 "{\"$schema\": \"x\", \"resources\": [{\"type\": "
                                 "\"Microsoft.ContainerRegistry/registries/tasks\", \"name\": \"r/p\", \"properties\": "
                                 "{\"status\": \"[if(parameters('on'), 'Enabled', 'Disabled')]\", \"step\": {}}}]}",
                                 NULL),
                     ERR_INPUT);
    assert_non_null(strstr(only_msg(state), "doc.json: resources[0].properties.status: the ARM expression is not"));
}

static void test_terraform_plain_and_base64_content(void **state)
{
    struct tc *c = *state;
    import_ok(state,
              "{\"format_version\": \"1.0\", \"values\": {\"root_module\": {\"resources\": [{\"type\": "
              "\"azurerm_container_registry_task\", \"mode\": \"managed\", \"values\": {\"name\": \"p\", \"enabled\": "
              "false, \"encoded_step\": [{\"task_content\": \"steps:\\n- cmd: acr purge --filter 'a:.*' --ago 1d\\n\"}], "
              "\"timer_trigger\": [{\"name\": \"t1\", \"schedule\": \"0 0 * * *\", \"enabled\": true}]}}]}}}",
              NULL);
    assert_true(named(c->ps, "p")->tasks[0].rule.task_disabled);
    assert_int_equal(named(c->ps, "p")->tasks[0].n_crons, 0);
}

/* -p: a JSON file is imported, a section line that starts with '[' is not JSON */
static void test_parse_file_detects_json(void **state)
{
    struct tc *c = *state;
    fx_temp_file("\xEF\xBB\xBF  [\n {\"name\": \"x\", \"step\": {\"type\": \"Docker\"}},\n"
                 "{\"name\": \"y\", \"step\": {\"type\": \"EncodedTask\", \"encodedTaskContent\": "
                 "\"c3RlcHM6CiAgLSBjbWQ6IGFjciBwdXJnZSAtLWZpbHRlciAnYTouKicgLS1hZ28gMWQK\"}}]\n",
                 c->path, sizeof c->path);
    assert_int_equal(policy_parse_file(c->ps, c->path, &OPTS, &c->d), PS_OK);
    assert_int_equal(c->ps->n, 1);
    assert_string_equal(c->ps->p[0].name, "y");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_task_list_is_the_hand_written_file),
        T(test_task_show_with_set_values_and_crlf),
        T(test_retention_show),
        T(test_soft_delete_show),
        T(test_acr_show_policies),
        T(test_arm_template_from_bicep),
        T(test_terraform_show_current_and_older_blocks),
        T(test_group_puts_every_task_in_one_policy),
        T(test_group_is_appended_to_by_later_documents),
        T(test_skipped_tasks_are_reported),
        T(test_disabled_timer_is_dropped),
        T(test_disabled_task_never_fires),
        T(test_task_without_enabled_timer_never_fires),
        T(test_timeout_is_kept),
        T(test_imported_command_is_the_az_command),
        T(test_old_template_with_encoded_values),
        T(test_set_values_win_over_the_values_file),
        T(test_unknown_template_is_skipped),
        T(test_missing_value_is_skipped),
        T(test_several_commands_in_one_step_are_skipped),
        T(test_build_step_is_skipped),
        T(test_folded_command_is_one_line),
        T(test_names_are_made_valid_and_unique),
        T(test_bad_group_name_is_an_error),
        T(test_malformed_base64_is_an_error),
        T(test_yaml_that_is_not_a_mapping_is_an_error),
        T(test_yaml_syntax_error_names_its_line),
        T(test_task_without_step_is_an_error),
        T(test_export_is_an_error),
        T(test_list_without_tasks_is_one_error),
        T(test_price_table_is_an_error),
        T(test_unknown_json_is_an_error),
        T(test_invalid_json_names_its_line_column_and_reason),
        T(test_broken_other_input_is_named),
        T(test_only_skipped_tasks_is_an_error_without_group),
        T(test_only_skipped_tasks_in_a_group_is_a_policy_that_deletes_nothing),
        T(test_retention_out_of_range_is_an_error),
        T(test_disabled_retention_warns),
        T(test_arm_unsupported_expression_is_an_error),
        T(test_terraform_plain_and_base64_content),
        T(test_parse_file_detects_json),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
