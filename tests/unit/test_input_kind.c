/* test_input_kind.c - unit tests for input_kind.h: which signs name an export, an event log, a
 * price table, a policy file, tasks, an in-use list and kubectl's pods; that anything else
 * stays unknown (a bare word, an invalid reference, JSON of no known kind); and the one-line
 * message. Run from the repository root (it reads the sample files under data/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "input_kind.h"

static enum input_kind of_json(const char *text)
{
    return input_kind_of_json(NULL, text, strlen(text));
}

static enum input_kind of_line(const char *line)
{
    return input_kind_of_line(line, strlen(line));
}

static void test_keys(void **state)
{
    (void)state;
    assert_int_equal(input_kind_of_key("repositories"), INPUT_EXPORT);
    assert_int_equal(input_kind_of_key("exportedAt"), INPUT_EXPORT);
    assert_int_equal(input_kind_of_key("skus"), INPUT_PRICES);
    assert_int_equal(input_kind_of_key("tables"), INPUT_EVENTS_REST);
    assert_int_equal(input_kind_of_key("step"), INPUT_TASKS);
    assert_int_equal(input_kind_of_key("items"), INPUT_PODS);
    /* keys every kind may have decide nothing */
    assert_int_equal(input_kind_of_key("currency"), INPUT_UNKNOWN);
    assert_int_equal(input_kind_of_key("registry"), INPUT_UNKNOWN);
    assert_int_equal(input_kind_of_key("apiVersion"), INPUT_UNKNOWN);
}

static void test_lines(void **state)
{
    (void)state;
    assert_int_equal(of_line("[nightly-keep3]"), INPUT_POLICIES);
    assert_int_equal(of_line("  [weekly_30d.v2+x]  \r\n"), INPUT_POLICIES);
    assert_int_equal(of_line("az acr task create --name purge"), INPUT_POLICIES);
    assert_int_equal(of_line("acr\tpurge --filter 'a:.*'"), INPUT_POLICIES);
    assert_int_equal(of_line("TimeGenerated [UTC],OperationName,Repository,Tag"), INPUT_EVENTS_CSV);
    /* a valid in-use reference with a '/', ':' or '@' is an in-use list's line */
    assert_int_equal(of_line("team-a/web:1.4.2"), INPUT_INUSE_LIST);
    assert_int_equal(of_line("acr/app:v1"), INPUT_INUSE_LIST);
    assert_int_equal(of_line("localhost:5000/app  # a comment"), INPUT_INUSE_LIST);
    assert_int_equal(of_line("app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), INPUT_INUSE_LIST);
    /* a tune grid's setting: a grid key, then '=' */
    assert_int_equal(of_line("keep = 1 3 5"), INPUT_GRID);
    assert_int_equal(of_line("  schedule=0 0 * * *\r\n"), INPUT_GRID);
    /* a bare word, an invalid reference or a line of JSON is no kind (the in-use list asks
     * about its own bad lines: they must not be named as an in-use list) */
    assert_int_equal(of_line("true"), INPUT_UNKNOWN);
    assert_int_equal(of_line("app # a/b"), INPUT_UNKNOWN);
    assert_int_equal(of_line("team-a/web:"), INPUT_UNKNOWN);
    assert_int_equal(of_line("team/app:v1 team/api:2"), INPUT_UNKNOWN);
    assert_int_equal(of_line("https://example.com/x"), INPUT_UNKNOWN);
    assert_int_equal(of_line("{\"a\":\"b.c/d"), INPUT_UNKNOWN);
    assert_int_equal(of_line("az"), INPUT_UNKNOWN);
    assert_int_equal(of_line("[a b]"), INPUT_UNKNOWN);
    assert_int_equal(of_line("[]"), INPUT_UNKNOWN);
    assert_int_equal(of_line("TimeGenerated,Repository"), INPUT_UNKNOWN);
    assert_int_equal(of_line("keeps = 3"), INPUT_UNKNOWN);
    assert_int_equal(of_line("name = value"), INPUT_UNKNOWN);
    assert_int_equal(of_line(""), INPUT_UNKNOWN);
}

/* The export reader asks about the head of its unread text, the line sniff about a whole line. */
static void test_section_len(void **state)
{
    (void)state;
    assert_int_equal(input_kind_section_len("[keep3]", 7), 7);
    assert_int_equal(input_kind_section_len("[weekly_30d.v2+x] ; old\n[a]", 27), 17);
    assert_int_equal(input_kind_section_len("[keep3", 6), 0);
    assert_int_equal(input_kind_section_len("[]", 2), 0);
    assert_int_equal(input_kind_section_len("[a b]", 5), 0);
    assert_int_equal(input_kind_section_len("[a\0b]", 5), 0);
    assert_int_equal(input_kind_section_len("{\"a\": 1}", 8), 0);
    assert_int_equal(input_kind_section_len("", 0), 0);
}

static void test_text_first_significant_line(void **state)
{
    (void)state;
    const char *ini = "\xEF\xBB\xBF# policies\n; old comment\n\n  \t\n[keep3]\nacr purge --ago 0d\n";
    assert_int_equal(input_kind_of_text(ini, strlen(ini)), INPUT_POLICIES);
    const char *list = "# in use\nteam-a/web:1\n[keep3]\n";
    assert_int_equal(input_kind_of_text(list, strlen(list)), INPUT_INUSE_LIST);
    const char *word = "# in use\nweb\n[keep3]\n";
    assert_int_equal(input_kind_of_text(word, strlen(word)), INPUT_UNKNOWN);
    assert_int_equal(input_kind_of_text("", 0), INPUT_UNKNOWN);
    assert_int_equal(input_kind_of_text("# only\n", 7), INPUT_UNKNOWN);
    const char *grid = "# nightly only\nschedule = 0 0 * * *\n";
    assert_int_equal(input_kind_of_text(grid, strlen(grid)), INPUT_GRID);
}

static void test_json(void **state)
{
    (void)state;
    assert_int_equal(of_json("{\"registry\": \"r\", \"exportedAt\": \"2026-01-01T00:00:00Z\"}"), INPUT_EXPORT);
    assert_int_equal(of_json("{\"imageName\": \"app\", \"manifests\": []}"), INPUT_EXPORT);
    assert_int_equal(of_json("{\"currency\": \"AUD\", \"unit\": \"GiB\", \"skus\": {}}"), INPUT_PRICES);
    assert_int_equal(of_json("{\"tables\": [{\"name\": \"PrimaryResult\"}]}"), INPUT_EVENTS_REST);
    assert_int_equal(of_json("{\"apiVersion\": \"v1\", \"items\": []}"), INPUT_PODS);
    assert_int_equal(of_json("\xEF\xBB\xBF [\n {\"TimeGenerated\": \"t\", \"OperationName\": \"Pull\"}]"), INPUT_EVENTS);
    assert_int_equal(of_json("[{\"digest\": \"sha256:x\", \"imageSize\": 1}]"), INPUT_LISTING);
    assert_int_equal(of_json("[{\"name\": \"purge\", \"step\": {}}]"), INPUT_TASKS);
    /* JSON of no known kind, also cut short or malformed */
    assert_int_equal(of_json("{\"kind\": \"List\"}"), INPUT_JSON);
    assert_int_equal(of_json("[]"), INPUT_JSON);
    assert_int_equal(of_json("[\"team-a/web:1\"]"), INPUT_JSON);
    assert_int_equal(of_json("[{\"a\": 1}]"), INPUT_JSON);
    assert_int_equal(of_json("[{\"digest\": "), INPUT_JSON);
    assert_int_equal(of_json("[-1]"), INPUT_JSON);
    /* not JSON */
    assert_int_equal(of_json("[nightly]\nacr purge --ago 0d\n"), INPUT_UNKNOWN);
    assert_int_equal(of_json("team-a/web:1\n"), INPUT_UNKNOWN);
    assert_int_equal(of_json(""), INPUT_UNKNOWN);
}

/* A value past the sniff's limit ends the search: the file is JSON, of no kind seen. */
static void test_json_value_limit(void **state)
{
    (void)state;
    size_t big = (2u << 20);
    char *text = malloc(big + 64);
    assert_non_null(text);
    size_t n = (size_t)sprintf(text, "{\"comment\": \"");
    memset(text + n, 'a', big);
    n += big;
    n += (size_t)sprintf(text + n, "\", \"skus\": {}}");
    assert_int_equal(input_kind_of_json(NULL, text, n), INPUT_JSON);
    free(text);
}

static void test_files(void **state)
{
    (void)state;
    assert_int_equal(input_kind_of_json("data/sample/devreg.json", NULL, 0), INPUT_EXPORT);
    assert_int_equal(input_kind_of_json("data/sample/devreg-events.json", NULL, 0), INPUT_EVENTS);
    assert_int_equal(input_kind_of_json("data/pricing/acr-aud.json", NULL, 0), INPUT_PRICES);
    assert_int_equal(input_kind_of_json("data/policies/example.ini", NULL, 0), INPUT_UNKNOWN);
    assert_int_equal(input_kind_of_json("no/such/file", NULL, 0), INPUT_UNKNOWN);
}

static void test_message(void **state)
{
    (void)state;
    struct diag d;
    memset(&d, 0, sizeof d);
    assert_false(input_kind_mixup(&d, "f", INPUT_UNKNOWN, "a thing"));
    assert_false(input_kind_mixup(&d, "f", INPUT_JSON, "a thing"));
    assert_int_equal(d.n_total, 0);
    assert_true(input_kind_mixup(&d, "f.json", INPUT_EVENTS, "a thing (what it holds)"));
    assert_int_equal(d.n_total, 1);
    assert_string_equal(d.msgs[0], "f.json: this is an event log (OperationName, TimeGenerated), not a thing (what it "
                                   "holds): give it with --events");
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_section_len),
        cmocka_unit_test(test_text_first_significant_line),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_value_limit),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
