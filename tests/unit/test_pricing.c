/* test_pricing.c - unit tests for pricing.h: the dated tables (data/pricing/README.md, "Dated
 * tables") found by pricing_find_table() and pricing_default_path_for() in temporary
 * directories, the label reports print, the messages when no table fits, pricing_load() of
 * a table as data/pricing/refresh-prices.py writes it, and the one line pricing_load() gives for
 * a file that is no table (where and why its JSON breaks, empty, binary, not an object). */
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
#include "pricing.h"

struct tc {
    char dir[256];
    char path[4096];
    char tables[4096];
    struct diag d;
    struct pricing p;
};

static int setup(void **state)
{
    struct tc *c = calloc(1, sizeof *c);
    if (!c) return -1;
    snprintf(c->dir, sizeof c->dir, "%s/test_pricing.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(c->dir)) {
        free(c);
        return -1;
    }
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct tc *c = *state;
    char cmd[512];
    pricing_free(&c->p);
    diag_free(&c->d);
    unsetenv("PURGESIM_PRICING");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->dir);
    int rc = system(cmd);
    free(c);
    return rc == 0 ? 0 : -1;
}

/* Writes DIR/name: a valid table dated `date` (NULL: no "date") whose Basic fee is `fee`. */
static void table(struct tc *c, const char *name, const char *date, double fee)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "{\"currency\": \"AUD\", \"unit\": \"GiB\",%s%s%s \"source\": \"test\",\n"
                " \"overage_per_gb_day\": 0.005,\n"
                " \"skus\": {\"Basic\": {\"fee_per_day\": %g, \"included_gb\": 10}}}\n",
            date ? " \"date\": \"" : "", date ? date : "", date ? "\"," : "", fee);
    fclose(fp);
}

/* The file name part of c->path */
static const char *base(const struct tc *c)
{
    const char *s = strrchr(c->path, '/');
    return s ? s + 1 : c->path;
}

/* The only message in c->d */
static const char *msg(const struct tc *c)
{
    assert_int_equal(c->d.n_total, 1);
    return c->d.msgs[0];
}

static void test_newest_when_no_date(void **state)
{
    struct tc *c = *state;
    table(c, "acr-aud.json", "2024-12-01", 1);
    table(c, "acr-aud-2026-07-17.json", "2026-07-17", 2);
    table(c, "acr-aud-2025-06-01.json", "2025-06-01", 3);
    assert_int_equal(pricing_find_table(c->dir, NULL, c->path, sizeof c->path, c->tables, sizeof c->tables), 1);
    assert_string_equal(base(c), "acr-aud-2026-07-17.json");
    /* every table is listed with its date */
    assert_non_null(strstr(c->tables, "acr-aud.json (2024-12-01)"));
    assert_non_null(strstr(c->tables, "acr-aud-2025-06-01.json (2025-06-01)"));
    assert_non_null(strstr(c->tables, "acr-aud-2026-07-17.json (2026-07-17)"));
}

static void test_newest_on_or_before_date(void **state)
{
    struct tc *c = *state;
    table(c, "acr-aud.json", "2024-12-01", 1);
    table(c, "acr-aud-2025-06-01.json", "2025-06-01", 3);
    table(c, "acr-aud-2026-07-17.json", "2026-07-17", 2);
    assert_int_equal(pricing_find_table(c->dir, "2026-07-16", c->path, sizeof c->path, NULL, 0), 1);
    assert_string_equal(base(c), "acr-aud-2025-06-01.json");
    /* on the day itself */
    assert_int_equal(pricing_find_table(c->dir, "2025-06-01", c->path, sizeof c->path, NULL, 0), 1);
    assert_string_equal(base(c), "acr-aud-2025-06-01.json");
    assert_int_equal(pricing_find_table(c->dir, "2025-05-31", c->path, sizeof c->path, NULL, 0), 1);
    assert_string_equal(base(c), "acr-aud.json");
    assert_int_equal(pricing_find_table(c->dir, "2030-01-01", c->path, sizeof c->path, NULL, 0), 1);
    assert_string_equal(base(c), "acr-aud-2026-07-17.json");
}

static void test_date_before_every_table(void **state)
{
    struct tc *c = *state;
    table(c, "acr-aud.json", "2024-12-01", 1);
    table(c, "acr-aud-2026-07-17.json", "2026-07-17", 2);
    assert_int_equal(pricing_find_table(c->dir, "2024-11-30", c->path, sizeof c->path, c->tables, sizeof c->tables), 0);
    /* through the default lookup: pricing_load() fails naming the date and the tables */
    setenv("PURGESIM_PRICING", c->dir, 1);
    const char *pp = pricing_default_path_for("2024-11-30", c->path, sizeof c->path);
    assert_int_equal(pricing_load(pp, &c->p, &c->d), ERR_USAGE);
    const char *m = msg(c);
    assert_non_null(strstr(m, "no price table dated on or before 2024-11-30"));
    assert_non_null(strstr(m, "acr-aud.json (2024-12-01)"));
    assert_non_null(strstr(m, "acr-aud-2026-07-17.json (2026-07-17)"));
}

static void test_content_date_counts_and_undated_is_oldest(void **state)
{
    struct tc *c = *state;
    /* acr-aud.json's "date" says it is the newest: it wins over an older dated file */
    table(c, "acr-aud.json", "2027-01-01", 1);
    table(c, "acr-aud-2026-07-17.json", "2026-07-17", 2);
    assert_int_equal(pricing_find_table(c->dir, NULL, c->path, sizeof c->path, NULL, 0), 1);
    assert_string_equal(base(c), "acr-aud.json");
    /* without a "date", acr-aud.json is older than any dated table, and in force on any date */
    table(c, "acr-aud.json", NULL, 1);
    assert_int_equal(pricing_find_table(c->dir, NULL, c->path, sizeof c->path, c->tables, sizeof c->tables), 1);
    assert_string_equal(base(c), "acr-aud-2026-07-17.json");
    assert_non_null(strstr(c->tables, "acr-aud.json (undated)"));
    assert_int_equal(pricing_find_table(c->dir, "1999-01-01", c->path, sizeof c->path, NULL, 0), 1);
    assert_string_equal(base(c), "acr-aud.json");
    /* a dated file without "date" is in force from the date in its name */
    table(c, "acr-aud-2026-08-01.json", NULL, 4);
    assert_int_equal(pricing_find_table(c->dir, "2026-08-01", c->path, sizeof c->path, NULL, 0), 1);
    assert_string_equal(base(c), "acr-aud-2026-08-01.json");
}

static void test_same_date_dated_name_wins(void **state)
{
    struct tc *c = *state;
    table(c, "acr-aud.json", "2026-07-17", 1);
    table(c, "acr-aud-2026-07-17.json", "2026-07-17", 2);
    assert_int_equal(pricing_find_table(c->dir, NULL, c->path, sizeof c->path, NULL, 0), 1);
    assert_string_equal(base(c), "acr-aud-2026-07-17.json");
}

static void test_other_files_ignored(void **state)
{
    struct tc *c = *state;
    table(c, "acr-usd.json", "2030-01-01", 1);
    table(c, "acr-aud-2030-01-01.json.bak", "2030-01-01", 1);
    table(c, "acr-aud-latest.json", "2030-01-01", 1);
    assert_int_equal(pricing_find_table(c->dir, NULL, c->path, sizeof c->path, NULL, 0), -1);
    table(c, "acr-aud-2025-01-01.json", "2025-01-01", 1);
    assert_int_equal(pricing_find_table(c->dir, NULL, c->path, sizeof c->path, NULL, 0), 1);
    assert_string_equal(base(c), "acr-aud-2025-01-01.json");
    /* no such directory */
    char gone[300];
    snprintf(gone, sizeof gone, "%s/nope", c->dir);
    assert_int_equal(pricing_find_table(gone, NULL, c->path, sizeof c->path, NULL, 0), -1);
}

static void test_env_directory_label_and_load(void **state)
{
    struct tc *c = *state;
    table(c, "acr-aud.json", "2024-12-01", 1);
    table(c, "acr-aud-2026-07-17.json", "2026-07-17", 2.5);
    setenv("PURGESIM_PRICING", c->dir, 1);
    const char *pp = pricing_default_path_for("2026-07-17T08:00:00Z", c->path, sizeof c->path);
    assert_int_equal(pricing_load(pp, &c->p, &c->d), PS_OK);
    assert_string_equal(c->p.date, "2026-07-17");
    assert_true(c->p.skus[0].fee_per_day == 2.5);
    /* the label names the table used */
    assert_non_null(strstr(c->p.label, "acr-aud-2026-07-17.json"));
    pricing_free(&c->p);
    pp = pricing_default_path_for("2025-01-01", c->path, sizeof c->path);
    assert_int_equal(pricing_load(pp, &c->p, &c->d), PS_OK);
    assert_string_equal(c->p.date, "2024-12-01");
    assert_non_null(strstr(c->p.label, "acr-aud.json"));
    pricing_free(&c->p);
    /* a path given as --pricing is its own label */
    char given[512];
    snprintf(given, sizeof given, "%s/acr-aud.json", c->dir);
    assert_int_equal(pricing_load(given, &c->p, &c->d), PS_OK);
    assert_string_equal(c->p.label, given);
}

static void test_env_file_wins_over_date(void **state)
{
    struct tc *c = *state;
    char f[512];
    table(c, "acr-aud-2026-07-17.json", "2026-07-17", 2);
    snprintf(f, sizeof f, "%s/acr-aud-2026-07-17.json", c->dir);
    setenv("PURGESIM_PRICING", f, 1);
    assert_string_equal(pricing_default_path_for("2020-01-01", c->path, sizeof c->path), f);
    assert_int_equal(pricing_load(c->path, &c->p, &c->d), PS_OK);
    assert_string_equal(c->p.label, f);
}

static void test_bad_date_is_usage_error(void **state)
{
    struct tc *c = *state;
    table(c, "acr-aud.json", "2024-12-01", 1);
    setenv("PURGESIM_PRICING", c->dir, 1);
    const char *pp = pricing_default_path_for("01/12/2024", c->path, sizeof c->path);
    assert_int_equal(pricing_load(pp, &c->p, &c->d), ERR_USAGE);
    assert_non_null(strstr(msg(c), "--pricing-date: expected a date YYYY-MM-DD, got \"01/12/2024\""));
}

static void test_empty_env_directory_is_io_error(void **state)
{
    struct tc *c = *state;
    setenv("PURGESIM_PRICING", c->dir, 1);
    const char *pp = pricing_default_path_for(NULL, c->path, sizeof c->path);
    assert_int_equal(pricing_load(pp, &c->p, &c->d), ERR_IO);
    assert_non_null(strstr(msg(c), "no pricing table found"));
    assert_non_null(strstr(msg(c), c->dir));
}

static void test_default_without_env_is_a_source_table(void **state)
{
    struct tc *c = *state;
    (void)c;
    /* from the repository root (run-all.sh) or wherever: the lookup never returns NULL, and a
     * table it finds is named data/pricing/NAME in reports */
    unsetenv("PURGESIM_PRICING");
    const char *pp = pricing_default_path_for(NULL, c->path, sizeof c->path);
    assert_non_null(pp);
    if (access(pp, R_OK) == 0) {
        assert_int_equal(pricing_load(pp, &c->p, &c->d), PS_OK);
        assert_int_equal(strncmp(c->p.label, "data/pricing/acr-aud", 20), 0);
    }
}

/* The shape data/pricing/refresh-prices.py writes: fees from the API, no exchange_rate */
static void test_refreshed_table_loads(void **state)
{
    struct tc *c = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/acr-aud-2026-07-17.json", c->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\n  \"currency\": \"AUD\",\n  \"unit\": \"GiB\",\n  \"date\": \"2026-07-17\",\n"
          "  \"source\": \"https://prices.azure.com/api/retail/prices?x\",\n"
          "  \"overage_per_gb_day\": 0.004760574,\n"
          "  \"overage_source\": \"Data Stored 0.1449 AUD per 1 GB/Month / 30.4375\",\n"
          "  \"skus\": {\n    \"Basic\": {\"fee_per_day\": 0.2414, \"included_gb\": 10},\n"
          "    \"Standard\": {\"fee_per_day\": 0.9656, \"included_gb\": 100},\n"
          "    \"Premium\": {\"fee_per_day\": 2.4139, \"included_gb\": 500}\n  },\n"
          "  \"refresh\": \"data/pricing/refresh-prices.py\"\n}\n",
          fp);
    fclose(fp);
    assert_int_equal(pricing_load(path, &c->p, &c->d), PS_OK);
    assert_int_equal(c->p.n_skus, 3);
    assert_true(c->p.exchange_rate == 0);
    assert_non_null(pricing_find_sku(&c->p, "premium"));
    assert_true(pricing_find_sku(&c->p, "basic")->fee_per_day == 0.2414);
}

/* Writes DIR/name with text (repeated `times` times between head and tail) and returns its path. */
static const char *write_input(struct tc *c, const char *name, const char *head, const char *text, size_t times,
                               const char *tail)
{
    snprintf(c->path, sizeof c->path, "%s/%s", c->dir, name);
    FILE *fp = fopen(c->path, "w");
    assert_non_null(fp);
    fputs(head, fp);
    for (size_t i = 0; i < times; i++) fputs(text, fp);
    fputs(tail, fp);
    fclose(fp);
    return c->path;
}

#define NOT_A_TABLE "not a price table (a JSON object with currency, skus and overage_per_gb_day)"

/* Another input given as the table is named in one message, also past the 4 MiB the table may
 * have; a table with a mistake still gets the message for its mistake. */
static void test_other_inputs_named(void **state)
{
    struct tc *c = *state;
    char want[8192];
    const char *path = write_input(c, "export.json", "{\"registry\": \"r\", \"exportedAt\": \"2026-01-01T00:00:00Z\", "
                                   "\"repositories\": [", "", 0, "]}\n");
    assert_int_equal(pricing_load(path, &c->p, &c->d), ERR_INPUT);
    snprintf(want, sizeof want, "%s: this is a registry export, " NOT_A_TABLE ": an export goes with -i", path);
    assert_string_equal(msg(c), want);
    diag_free(&c->d);
    pricing_free(&c->p);

    path = write_input(c, "big.json", "{\"exportedAt\": \"2026-01-01T00:00:00Z\", \"repositories\": [",
                       "{\"name\": \"app\", \"manifests\": []},\n", 200000, "{\"name\": \"z\"}]}\n");
    assert_int_equal(pricing_load(path, &c->p, &c->d), ERR_INPUT);
    snprintf(want, sizeof want, "%s: this is a registry export, " NOT_A_TABLE ": an export goes with -i", path);
    assert_string_equal(msg(c), want);
    diag_free(&c->d);
    pricing_free(&c->p);

    path = write_input(c, "events.csv", "\xEF\xBB\xBFTimeGenerated [UTC],OperationName,Repository\n", "", 0, "");
    assert_int_equal(pricing_load(path, &c->p, &c->d), ERR_INPUT);
    assert_non_null(strstr(msg(c), "this is an event log (CSV with TimeGenerated and OperationName columns), " NOT_A_TABLE));
    diag_free(&c->d);
    pricing_free(&c->p);

    path = write_input(c, "typo.json", "{\"curency\": \"AUD\", \"overage_per_gb_day\": 0.1, \"skus\": {}}", "", 0, "");
    assert_int_equal(pricing_load(path, &c->p, &c->d), ERR_INPUT);
    assert_non_null(strstr(msg(c), "currency: expected a currency code"));
    diag_free(&c->d);
    pricing_free(&c->p);

    path = write_input(c, "in-use.txt", "# running now\nteam-a/web:1.4.2  # the web tier\n", "", 0, "");
    assert_int_equal(pricing_load(path, &c->p, &c->d), ERR_INPUT);
    snprintf(want, sizeof want, "%s: this is an in-use list (image references, one a line), " NOT_A_TABLE
             ": give it with --in-use", path);
    assert_string_equal(msg(c), want);
    diag_free(&c->d);
    pricing_free(&c->p);

    /* text of no known kind, and JSON that is not an object, are not a table: no guess */
    path = write_input(c, "word.txt", "true\n", "", 0, "");
    assert_int_equal(pricing_load(path, &c->p, &c->d), ERR_INPUT);
    snprintf(want, sizeof want, "%s: expected a JSON object, got true (a price table is an object with currency, "
             "skus and overage_per_gb_day)", path);
    assert_string_equal(msg(c), want);
    diag_free(&c->d);
    pricing_free(&c->p);

    /* a table cut short after its skus is a broken table, not another input */
    path = write_input(c, "cut.json", "{\"currency\": \"AUD\",\n \"skus\": {\"Basic\": {", "", 0, "");
    assert_int_equal(pricing_load(path, &c->p, &c->d), ERR_INPUT);
    snprintf(want, sizeof want, "%s:2:21: expected a key string, got end of file", path);
    assert_string_equal(msg(c), want);
}

/* c->path written with n bytes of text, loaded: the one message, after the path */
static const char *load_bytes(struct tc *c, const char *text, size_t n)
{
    snprintf(c->path, sizeof c->path, "%s/t.json", c->dir);
    FILE *fp = fopen(c->path, "w");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, n, fp), n);
    fclose(fp);
    diag_free(&c->d);
    pricing_free(&c->p);
    assert_int_equal(pricing_load(c->path, &c->p, &c->d), ERR_INPUT);
    const char *m = msg(c);
    assert_memory_equal(m, c->path, strlen(c->path));
    return m + strlen(c->path);
}

static const char *load_text(struct tc *c, const char *text)
{
    return load_bytes(c, text, strlen(text));
}

/* A file that is no table says where and why in one line, as the other readers do. */
static void test_broken_tables_say_where_and_why(void **state)
{
    struct tc *c = *state;
    assert_string_equal(load_text(c, ""), ": empty file, " NOT_A_TABLE);
    assert_string_equal(load_text(c, "\xEF\xBB\xBF \n\t\n"), ": empty file, " NOT_A_TABLE);
    assert_string_equal(load_bytes(c, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), ": not a text file (NUL byte at line 3)");
    assert_string_equal(load_bytes(c, "{\0\"\0", 4), ": file is UTF-16 encoded; save it as UTF-8 (PowerShell: -Encoding utf8)");
    assert_string_equal(load_text(c, "[]\n"), ": expected a JSON object, got an array (a price table is an object with "
                                             "currency, skus and overage_per_gb_day)");
    assert_string_equal(load_text(c, "{\"currency\": \"AUD\",\n \"unit\": \"GiB\"\n \"skus\": {}}\n"),
                        ":3:2: expected ',' or '}', got '\"'");
    assert_string_equal(load_text(c, "{\"currency\": \"AUD\", \"skus\": {}, \"overage_per_gb_day\": 0.1}\n}\n"),
                        ":2:1: expected the end of the value, got '}'");
    assert_string_equal(load_text(c, "{\"currency\": \"AUD\", \"skus\": {}, \"overage_per_gb_day\": 01}"),
                        ":1:55: invalid number");
    /* a byte order mark is no mistake: the table loads */
    snprintf(c->path, sizeof c->path, "%s/bom.json", c->dir);
    FILE *fp = fopen(c->path, "w");
    assert_non_null(fp);
    fputs("\xEF\xBB\xBF{\"currency\": \"AUD\", \"overage_per_gb_day\": 0.1, \"skus\": {}}\n", fp);
    fclose(fp);
    diag_free(&c->d);
    pricing_free(&c->p);
    assert_int_equal(pricing_load(c->path, &c->p, &c->d), PS_OK);
    assert_string_equal(c->p.currency, "AUD");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_newest_when_no_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newest_on_or_before_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_date_before_every_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_date_counts_and_undated_is_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_date_dated_name_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_files_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_directory_label_and_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_file_wins_over_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_date_is_usage_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_env_directory_is_io_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_without_env_is_a_source_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refreshed_table_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_inputs_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_tables_say_where_and_why, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
