/* test_cli.c - unit tests for cli.h: the GNU forms getopt_long gives every option, values
 * checked by the table (ranges, choices in any case, lists), one-line errors, where the
 * options stop, and --help listing exactly each command's options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

/* Parses the words of `line` (spaces only, no quoting) for `mask`. */
static bool parse(const char *line, unsigned mask, struct cli_args *a, char *err, size_t errlen)
{
    static char buf[1024];
    static char *argv[64];
    snprintf(buf, sizeof buf, "cmd %s", line);
    int argc = 0;
    for (char *w = strtok(buf, " "); w && argc < 63; w = strtok(NULL, " ")) argv[argc++] = w;
    argv[argc] = NULL;
    err[0] = '\0';
    return cli_parse(argc, argv, mask, a, err, errlen);
}

static void test_gnu_forms_of_a_value(void **state)
{
    (void)state;
    struct cli_args a;
    char err[256];
    const char *const forms[] = {"--format=json", "--format json", "-fjson", "-f json", "--form json"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (!parse(forms[i], CLI_SIMULATE, &a, err, sizeof err)) fail_msg("%s: %s", forms[i], err);
        assert_string_equal(a.format, "json");
    }
}

static void test_double_dash_ends_options_and_words_stay(void **state)
{
    (void)state;
    struct cli_args a;
    char err[256];
    assert_true(parse("-i reg.json -- acr purge --filter x:y --ago 1d", CLI_DRYRUN, &a, err, sizeof err));
    assert_int_equal(a.inputs.n, 1);
    assert_int_equal(a.n_rest, 6);
    assert_string_equal(a.rest[0], "acr");
    assert_string_equal(a.rest[3], "x:y");
    /* without "--", the first word that is not an option stops the parse too */
    assert_true(parse("-i reg.json acr purge --keep 3", CLI_DRYRUN, &a, err, sizeof err));
    assert_int_equal(a.n_rest, 4);
    assert_string_equal(a.rest[2], "--keep");
}

static void test_repeatable_lists_keep_order(void **state)
{
    (void)state;
    struct cli_args a;
    char err[256];
    assert_true(parse("-i a.json --input b.json -ic.json -p p.ini --policy x=acr", CLI_SIMULATE, &a, err, sizeof err));
    assert_int_equal(a.inputs.n, 3);
    assert_string_equal(a.inputs.v[0], "a.json");
    assert_string_equal(a.inputs.v[2], "c.json");
    assert_int_equal(a.policy_files.n, 1);
    assert_int_equal(a.policies.n, 1);
}

static void test_choices_ignore_case_and_store_the_table_spelling(void **state)
{
    (void)state;
    struct cli_args a;
    char err[256];
    assert_true(parse("--sku PREMIUM --unit gib", CLI_SIMULATE, &a, err, sizeof err));
    assert_string_equal(a.sku, "premium");
    assert_string_equal(a.unit, "GiB");
    assert_false(parse("--sku gold", CLI_SIMULATE, &a, err, sizeof err));
    assert_string_equal(err, "--sku: expected basic, standard or premium, got \"gold\"");
}

static void test_numbers_are_checked_against_their_range(void **state)
{
    (void)state;
    struct cli_args a;
    char err[256];
    assert_true(parse("--replicas 3 --jobs 2 --price-per-gb-day 0.01", CLI_DRYRUN, &a, err, sizeof err));
    assert_int_equal(a.replicas, 3);
    assert_int_equal(a.jobs, 2);
    assert_true(a.price_per_gb_day > 0.0099 && a.price_per_gb_day < 0.0101);
    assert_false(parse("--replicas 0", CLI_DRYRUN, &a, err, sizeof err));
    assert_string_equal(err, "--replicas: expected a whole number from 1 to 100, got \"0\"");
    assert_false(parse("--jobs 2x", CLI_DRYRUN, &a, err, sizeof err));
    assert_false(parse("--price-per-gb-day -1", CLI_DRYRUN, &a, err, sizeof err));
    assert_true(parse("--seed 18446744073709551615", CLI_FORECAST, &a, err, sizeof err));
    assert_true(a.seed_set);
    assert_true(a.seed == UINT64_MAX);
    assert_false(parse("--seed -1", CLI_FORECAST, &a, err, sizeof err));
}

static void test_errors_are_one_line(void **state)
{
    (void)state;
    struct cli_args a;
    char err[256];
    assert_false(parse("--frobnicate", CLI_SIMULATE, &a, err, sizeof err));
    assert_string_equal(err, "unknown option \"--frobnicate\"");
    assert_false(parse("-Z", CLI_SIMULATE, &a, err, sizeof err));
    assert_string_equal(err, "unknown option -Z");
    assert_false(parse("--format", CLI_SIMULATE, &a, err, sizeof err));
    assert_string_equal(err, "option --format needs a value");
    assert_false(parse("-o", CLI_SIMULATE, &a, err, sizeof err));
    assert_string_equal(err, "option -o needs a value");
    assert_null(strchr(err, '\n'));
    assert_false(parse("--pol x", CLI_SIMULATE, &a, err, sizeof err));
    assert_string_equal(err, "ambiguous option \"--pol\" (--policies, --policy, --policy-group?)");
    assert_false(parse("--quiet=1", CLI_SIMULATE, &a, err, sizeof err));
    assert_string_equal(err, "option --quiet takes no value");
}

static void test_an_option_of_another_command_is_unknown(void **state)
{
    (void)state;
    struct cli_args a;
    char err[256];
    assert_false(parse("--month 2026-10", CLI_SIMULATE, &a, err, sizeof err));
    assert_true(parse("--month 2026-10", CLI_REPORT, &a, err, sizeof err));
    assert_false(parse("--policy x=y", CLI_DRYRUN, &a, err, sizeof err));
    assert_false(parse("--concurrency-default 4", CLI_SIMULATE, &a, err, sizeof err));
    assert_false(parse("--days 3", CLI_SIMULATE, &a, err, sizeof err));
    assert_true(parse("--days 3", CLI_FORECAST, &a, err, sizeof err));
    /* the same name may take another range in another command */
    assert_true(parse("--days 3650", CLI_GENERATE, &a, err, sizeof err));
    assert_false(parse("--days 3651", CLI_GENERATE, &a, err, sizeof err));
    assert_true(parse("--days 3660", CLI_FORECAST, &a, err, sizeof err));
}

static void test_a_mistyped_option_is_named_only_when_close(void **state)
{
    (void)state;
    assert_int_equal(cli_edit_distance("polcies", 7, "policies", 2), 1);      /* one left out */
    assert_int_equal(cli_edit_distance("ploicies", 8, "policies", 2), 1);     /* two swapped */
    assert_int_equal(cli_edit_distance("evnts", 5, "events", 2), 1);
    assert_int_equal(cli_edit_distance("jobs", 4, "jobs", 2), 0);
    assert_true(cli_edit_distance("chatty", 6, "cache", 2) > 2);
    struct cli_args a;
    char err[256];
    assert_false(parse("--polcies x.ini", CLI_SIMULATE, &a, err, sizeof err));
    assert_string_equal(err, "unknown option \"--polcies\" (did you mean --policies?)");
    /* nothing near: no guess; an option of another command is not offered */
    assert_false(parse("--chatty", CLI_SIMULATE, &a, err, sizeof err));
    assert_string_equal(err, "unknown option \"--chatty\"");
    assert_false(parse("--mnoth 2026-10", CLI_SIMULATE, &a, err, sizeof err));
    assert_null(strstr(err, "--month"));
    assert_false(parse("--mnoth 2026-10", CLI_REPORT, &a, err, sizeof err));
    assert_non_null(strstr(err, "did you mean --month?"));
}

/* --help's option lines of `mask`, copied into a caller-freed string. */
static char *help_of(unsigned mask)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    cli_print_options(mask, fp);
    long n = ftell(fp);
    assert_true(n > 0);
    char *text = calloc((size_t)n + 1, 1);
    assert_non_null(text);
    rewind(fp);
    assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    return text;
}

/* The option names --help lists for `mask`: the head of each option line. */
static size_t help_names(unsigned mask, char names[][40], size_t max)
{
    char *help = help_of(mask);
    size_t n = 0;
    for (char *line = strtok(help, "\n"); line; line = strtok(NULL, "\n")) {
        const char *head = NULL;
        if (!strncmp(line, "  -", 3) && line[3] != '-' && !strncmp(line + 4, ", --", 4)) head = line + 6;
        else if (!strncmp(line, "      --", 8)) head = line + 6;
        if (!head || n == max) continue;
        size_t k = strspn(head, "-abcdefghijklmnopqrstuvwxyz");
        snprintf(names[n++], 40, "%.*s", (int)k, head);
    }
    free(help);
    return n;
}

static bool accepted(const char *name, unsigned mask)
{
    struct cli_args a;
    char err[256];
    /* a value-less probe: flags parse, options with values report a missing value */
    bool ok = parse(name, mask, &a, err, sizeof err);
    return ok || strstr(err, "needs a value") || strstr(err, "expected");
}

/* Every option --help lists is accepted, and every option of the other commands that it does
 * not list is refused. */
static void test_help_lists_exactly_what_the_command_accepts(void **state)
{
    (void)state;
    const unsigned cmds[] = {CLI_DRYRUN, CLI_SIMULATE, CLI_REPORT, CLI_FORECAST, CLI_GENERATE};
    static char every[128][40], mine[128][40];
    size_t n_every = help_names(CLI_ALL | CLI_GENERATE, every, 128);
    assert_true(n_every > 20);
    for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
        size_t n_mine = help_names(cmds[c], mine, 128);
        assert_true(n_mine > 5);
        for (size_t i = 0; i < n_every; i++) {
            bool listed = false;
            for (size_t k = 0; k < n_mine; k++) listed |= !strcmp(every[i], mine[k]);
            if (listed != accepted(every[i], cmds[c]))
                fail_msg("command %zu: %s listed %d, accepted %d", c, every[i], listed, !listed);
        }
    }
}

/* What a command's --help says about other options names only options it takes (tune's and
 * simulate's -o once spoke of --html, which only report has), and dry-run's -o speaks of no
 * charts or csv, which it does not write. */
static void test_help_mentions_only_the_commands_options(void **state)
{
    (void)state;
    const unsigned cmds[] = {CLI_DRYRUN, CLI_SIMULATE, CLI_REPORT, CLI_FORECAST, CLI_TUNE, CLI_GENERATE};
    for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
        char *help = help_of(cmds[c]);
        for (const char *p = strstr(help, "--"); p; p = strstr(p + 2, "--")) {
            char name[40], line[256];
            size_t k = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
            snprintf(name, sizeof name, "--%.*s", (int)(k < 30 ? k : 30), p + 2);
            /* acr purge's own flags ("acr purge --filter ...") are not purgesim's */
            const char *bol = p;
            while (bol > help && bol[-1] != '\n') bol--;
            snprintf(line, sizeof line, "%.*s", (int)(p - bol), bol);
            if (k && !strstr(line, "acr purge") && !accepted(name, cmds[c]))
                fail_msg("command %zu: --help mentions %s", c, name);
        }
        free(help);
    }
    char *help = help_of(CLI_DRYRUN);
    const char *out = strstr(help, "--output");
    assert_non_null(out);
    const char *next = strstr(out, "\n  -");
    size_t len = next ? (size_t)(next - out) : strlen(out);
    char *text = strndup(out, len);
    assert_null(strstr(text, "csv"));
    assert_null(strstr(text, "chart"));
    assert_non_null(strstr(text, "dry-run.txt"));
    free(text);
    free(help);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gnu_forms_of_a_value),
        cmocka_unit_test(test_double_dash_ends_options_and_words_stay),
        cmocka_unit_test(test_repeatable_lists_keep_order),
        cmocka_unit_test(test_choices_ignore_case_and_store_the_table_spelling),
        cmocka_unit_test(test_numbers_are_checked_against_their_range),
        cmocka_unit_test(test_errors_are_one_line),
        cmocka_unit_test(test_an_option_of_another_command_is_unknown),
        cmocka_unit_test(test_a_mistyped_option_is_named_only_when_close),
        cmocka_unit_test(test_help_lists_exactly_what_the_command_accepts),
        cmocka_unit_test(test_help_mentions_only_the_commands_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
