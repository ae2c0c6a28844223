/* test_tune.c - unit tests for tune's grid (tune_grid.c, sim/TUNE.md "The grid"): the default
 * grid's values; a grid file's first line for a key replaces the default, later lines add;
 * commas and spaces both separate; schedules get their names; retention in a file is tried on
 * any SKU; errors name the file and line; another input given as the grid file is named in one
 * line, and a file without a setting is refused. Run from the repository root (it reads the
 * sample files under data/). tune_run itself is checked end to end by
 * tests/test-tune.sh (every candidate against simulate). */
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
#include "tune.h"

static char *write_grid(const char *text)
{
    char *path = strdup("/tmp/test_tune_grid.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

/* Loads text over the default grid; returns the rc and the first message (caller frees). */
static int load(struct tune_grid *g, const char *text, char **msg)
{
    tune_grid_default(g);
    char *path = write_grid(text);
    struct diag d;
    memset(&d, 0, sizeof d);
    int rc = tune_grid_load(g, path, &d);
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    diag_print(&d, fp);
    fclose(fp);
    diag_free(&d);
    /* the message names the temporary file: keep only what follows its name */
    char *colon = out ? strstr(out, path) : NULL;
    *msg = strdup(colon ? colon + strlen(path) : (out ? out : ""));
    free(out);
    unlink(path);
    free(path);
    return rc;
}

static void test_default_grid(void **state)
{
    (void)state;
    struct tune_grid g;
    tune_grid_default(&g);
    assert_int_equal(g.n_keep, 7);
    assert_int_equal(g.keep[0], 0);
    assert_int_equal(g.keep[6], 20);
    assert_int_equal(g.n_ago, 8);
    assert_string_equal(g.ago[0], "0d");
    assert_string_equal(g.ago[7], "90d");
    assert_true(g.mode[TUNE_TAGS] && g.mode[TUNE_UNTAGGED] && g.mode[TUNE_UNTAGGED_ONLY]);
    assert_int_equal(g.n_sched, 2);
    assert_string_equal(g.sched[0].name, "nightly");
    assert_string_equal(g.sched[0].cron, "0 0 * * *");
    assert_string_equal(g.sched[1].name, "weekly");
    assert_int_equal(g.n_retention, 4);
    assert_false(g.retention_any_sku);
    assert_string_equal(g.filter, ".*:.*");
    /* 7 x 8 x 3 x 2 purge candidates */
    assert_int_equal(g.n_keep * g.n_ago * 3 * g.n_sched, 336);
}

static void test_first_line_replaces_later_lines_add(void **state)
{
    (void)state;
    struct tune_grid g;
    char *msg;
    assert_int_equal(load(&g, "# a comment\n\nkeep = 3\nkeep = 5, 10\nago = 1d6h,12h\nmode = untagged-only\n"
                              "schedule = 0 */6 * * *\nschedule = 0 0 * * *\n",
                          &msg),
                     PS_OK);
    free(msg);
    assert_int_equal(g.n_keep, 3);
    assert_int_equal(g.keep[0], 3);
    assert_int_equal(g.keep[2], 10);
    assert_int_equal(g.n_ago, 2);
    assert_string_equal(g.ago[0], "1d6h");
    assert_false(g.mode[TUNE_TAGS]);
    assert_false(g.mode[TUNE_UNTAGGED]);
    assert_true(g.mode[TUNE_UNTAGGED_ONLY]);
    assert_int_equal(g.n_sched, 2);
    assert_string_equal(g.sched[0].name, "cron1");
    assert_string_equal(g.sched[1].name, "nightly");
    /* keys not named keep the default */
    assert_int_equal(g.n_retention, 4);
    assert_false(g.retention_any_sku);
}

static void test_retention_in_file_any_sku(void **state)
{
    (void)state;
    struct tune_grid g;
    char *msg;
    assert_int_equal(load(&g, "retention = 7 none 30\nfilter = team-a/.*:v.*\n", &msg), PS_OK);
    free(msg);
    assert_int_equal(g.n_retention, 2);
    assert_int_equal(g.retention_days[0], 7);
    assert_int_equal(g.retention_days[1], 30);
    assert_true(g.retention_any_sku);
    assert_string_equal(g.filter, "team-a/.*:v.*");
}

static void expect_error(const char *text, const char *want)
{
    struct tune_grid g;
    char *msg;
    assert_int_equal(load(&g, text, &msg), ERR_INPUT);
    assert_string_equal(msg, want);
    free(msg);
}

static void test_errors_name_the_line(void **state)
{
    (void)state;
    expect_error("keep = 1\nkeeps = 2\n",
                 ":2: unknown key \"keeps\" (expected keep, ago, mode, schedule, retention or filter)\n");
    expect_error("ago = 7 days\n", ":1: ago: expected an acr purge duration such as 0d, 7d or 12h, got \"7\"\n");
    expect_error("keep = -1\n", ":1: keep: expected a whole number 0-1000000, got \"-1\"\n");
    expect_error("\n\nschedule = 0 0 * *\n",
                 ":3: schedule: expected one five-field cron (UTC), e.g. 0 0 * * *, got \"0 0 * *\"\n");
    expect_error("mode =\n", ":1: mode: no value\n");
    expect_error("retention = 366\n", ":1: retention: expected days 0-365 or none, got \"366\"\n");
    expect_error("filter = app\n",
                 ":1: filter: expected one acr purge filter REPO-REGEX:TAG-REGEX without quotes, got \"app\"\n");
}

/* A file's error names it by its path: the whole message, for files of the repository. */
static void expect_file_error(const char *path, const char *want)
{
    struct tune_grid g;
    tune_grid_default(&g);
    struct diag d;
    memset(&d, 0, sizeof d);
    assert_int_equal(tune_grid_load(&g, path, &d), ERR_INPUT);
    assert_int_equal(d.n_total, 1);
    assert_string_equal(d.msgs[0], want);
    diag_free(&d);
}

#define NOT_A_GRID "not a grid file (KEY = VALUES lines: keep, ago, mode, schedule, retention, filter)"

static void test_another_input_is_named(void **state)
{
    (void)state;
    expect_file_error("data/sample/devreg.json",
                      "data/sample/devreg.json: this is a registry export, " NOT_A_GRID ": an export goes with -i");
    expect_file_error("data/policies/example.ini", "data/policies/example.ini: this is a policy file ([name] sections, "
                                                   "az or acr command lines), " NOT_A_GRID ": give it with -p");
    expect_file_error("data/sample/in-use.txt", "data/sample/in-use.txt: this is an in-use list (image references, "
                                                "one a line), " NOT_A_GRID ": give it with --in-use");
    expect_file_error("data/sample/devreg-events.json", "data/sample/devreg-events.json: this is an event log "
                                                        "(OperationName, TimeGenerated), " NOT_A_GRID
                                                        ": give it with --events");
    expect_file_error("data/pricing/acr-aud.json", "data/pricing/acr-aud.json: this is a price table (currency, skus, "
                                                   "overage_per_gb_day), " NOT_A_GRID ": give it with --pricing");
    /* a grid's own line gone wrong keeps its line's error, even where it reads as a reference */
    expect_error("keep:3\n", ":1: expected KEY = VALUES, got \"keep:3\"\n");
    expect_error("; a comment\nkeep = 3\n", ":1: expected KEY = VALUES, got \"; a comment\"\n");
    expect_error("{\"keep\": 3}\n", ":1: expected KEY = VALUES, got \"{\"keep\": 3}\"\n");
    /* only the first line is asked about: later ones are the grid's */
    expect_error("keep = 3\n[nightly]\n", ":2: expected KEY = VALUES, got \"[nightly]\"\n");
}

/* An empty grid would be the default grid: the user asked for another, so it is an error. */
static void test_grid_without_a_setting(void **state)
{
    (void)state;
    const char *want = ": no KEY = VALUES line: the grid would be the default; leave --grid out for that\n";
    expect_error("", want);
    expect_error("# only a comment\n\n   \n", want);
}

static void test_setting_line(void **state)
{
    (void)state;
    assert_true(tune_grid_line_is_setting("keep = 3", 8));
    assert_true(tune_grid_line_is_setting("  schedule\t= 0 0 * * *", 23));
    assert_true(tune_grid_line_is_setting("filter=a:b", 10));
    assert_false(tune_grid_line_is_setting("keeps = 3", 9));
    assert_false(tune_grid_line_is_setting("keep 3", 6));
    assert_false(tune_grid_line_is_setting("team-a/web:1", 12));
    assert_false(tune_grid_line_is_setting("keep", 4));
}

static void test_missing_file(void **state)
{
    (void)state;
    struct tune_grid g;
    tune_grid_default(&g);
    struct diag d;
    memset(&d, 0, sizeof d);
    assert_int_equal(tune_grid_load(&g, "/nonexistent/grid.txt", &d), ERR_IO);
    assert_true(d.n_total > 0);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_grid),
        cmocka_unit_test(test_first_line_replaces_later_lines_add),
        cmocka_unit_test(test_retention_in_file_any_sku),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_another_input_is_named),
        cmocka_unit_test(test_grid_without_a_setting),
        cmocka_unit_test(test_setting_line),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
