/* test_events.c - unit tests for events.h: the event log in its three shapes (az JSON array,
 * Log Analytics REST body, portal CSV), the rows that are counted and skipped, time formats,
 * the exact message of each malformed input, and the one line that names another input given as
 * the log. Run from the repository's root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "events.h"
#include "events_gen.h"
#include "model.h"
#include "timeu.h"

#define LOGIN "myreg.azurecr.io"
#define DIG_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIG_B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* diag_print's text, malloc'd; frees d. */
static char *messages(struct diag *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    assert_non_null(fp);
    diag_print(d, fp);
    assert_int_equal(fclose(fp), 0);
    diag_free(d);
    return text;
}

/* Loads text named `file`; returns rc and sets *msgs (caller frees). */
static int load_text(struct event_log *log, const char *text, const char *file, const char *login, char **msgs)
{
    struct diag d;
    memset(&d, 0, sizeof d);
    int rc = events_load_mem(log, text, strlen(text), file, login, &d);
    *msgs = messages(&d);
    return rc;
}

/* The single message of a text that must fail, compared exactly (without the newline). */
static void expect_error(const char *text, const char *file, const char *want)
{
    struct event_log log;
    memset(&log, 0, sizeof log);
    char *msgs = NULL;
    int rc = load_text(&log, text, file, LOGIN, &msgs);
    size_t n = strlen(msgs);
    if (n && msgs[n - 1] == '\n') msgs[n - 1] = '\0';
    assert_string_equal(msgs, want);
    assert_int_equal(rc, ERR_INPUT);
    assert_int_equal(log.n, 0);
    free(msgs);
    events_free(&log);
}

static int64_t t(const char *rfc3339)
{
    int64_t ns = 0;
    assert_true(timeu_parse_rfc3339(rfc3339, strlen(rfc3339), &ns, NULL));
    return ns;
}

static struct digest dg(const char *s)
{
    struct digest d;
    assert_true(digest_parse(s, strlen(s), &d));
    return d;
}

static void expect_event(const struct event *e, const char *when, enum event_op op, const char *repo,
                         const char *tag, const char *digest, uint64_t size, unsigned status)
{
    assert_int_equal(e->t_ns, t(when));
    assert_int_equal(e->op, op);
    assert_string_equal(e->repo, repo);
    if (tag) assert_string_equal(e->tag, tag);
    else assert_null(e->tag);
    assert_int_equal(e->has_digest, digest != NULL);
    if (digest) {
        struct digest want = dg(digest);
        assert_memory_equal(&e->digest, &want, sizeof want);
    }
    assert_int_equal(e->size_bytes, size);
    assert_int_equal(e->status, status);
}

/* The rows of tests/events/three*: nine rows, of which one is another registry's, one an
 * unknown operation (Login) and one a failed pull (404). */
static void expect_three(struct event_log *log)
{
    assert_int_equal(log->rows, 9);
    assert_int_equal(log->other_registry, 1);
    assert_int_equal(log->unknown_op, 1);
    assert_int_equal(log->failed_status, 1);
    assert_int_equal(log->n, 6);
    expect_event(&log->ev[0], "2025-02-25T09:19:25.391Z", EVENT_PUSH, "team/app", "v1", DIG_A, 1234, 201);
    expect_event(&log->ev[1], "2025-02-25T09:30:00.25Z", EVENT_PULL, "team/app", NULL, DIG_A, 0, 200);
    assert_true(log->ev[1].digest_in_tag);
    /* two rows at 10:00: file order */
    expect_event(&log->ev[2], "2025-02-25T10:00:00Z", EVENT_PULL, "team/app", "v1", NULL, 0, 200);
    expect_event(&log->ev[3], "2025-02-25T10:00:00Z", EVENT_DELETE, "team/old", NULL, DIG_B, 99, 202);
    expect_event(&log->ev[4], "2025-02-25T12:00:00Z", EVENT_UNTAG, "team/app", "v1", NULL, 0, 202);
    expect_event(&log->ev[5], "2025-02-25T12:30:00.5Z", EVENT_DELETE, "team/app", NULL, DIG_A, 0, 202);
    /* repository names are interned once per log */
    assert_ptr_equal(log->ev[0].repo, log->ev[5].repo);
}

static void load_file(struct event_log *log, const char *path, const char *login)
{
    struct diag d;
    memset(&d, 0, sizeof d);
    int rc = events_load(log, path, login, &d);
    char *msgs = messages(&d);
    assert_string_equal(msgs, "");
    assert_int_equal(rc, PS_OK);
    free(msgs);
}

static void test_az_json_shape(void **state)
{
    (void)state;
    struct event_log log;
    memset(&log, 0, sizeof log);
    load_file(&log, "tests/events/three-az.json", LOGIN);
    events_finish(&log);
    expect_three(&log);
    events_free(&log);
}

static void test_rest_body_shape(void **state)
{
    (void)state;
    struct event_log log;
    memset(&log, 0, sizeof log);
    load_file(&log, "tests/events/three-rest.json", LOGIN);
    events_finish(&log);
    expect_three(&log);
    events_free(&log);
}

static void test_portal_csv_shape(void **state)
{
    (void)state;
    struct event_log log;
    memset(&log, 0, sizeof log);
    load_file(&log, "tests/events/three.csv", LOGIN);
    events_finish(&log);
    expect_three(&log);
    events_free(&log);
}

static void assert_logs_equal(const struct event_log *a, const struct event_log *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->rows, b->rows);
    assert_int_equal(a->other_registry, b->other_registry);
    assert_int_equal(a->unknown_op, b->unknown_op);
    assert_int_equal(a->failed_status, b->failed_status);
    for (size_t i = 0; i < a->n; i++) {
        const struct event *x = &a->ev[i], *y = &b->ev[i];
        assert_int_equal(x->t_ns, y->t_ns);
        assert_int_equal(x->op, y->op);
        assert_string_equal(x->repo, y->repo);
        if (x->tag || y->tag) assert_string_equal(x->tag ? x->tag : "(null)", y->tag ? y->tag : "(null)");
        assert_int_equal(x->has_digest, y->has_digest);
        assert_int_equal(x->digest_in_tag, y->digest_in_tag);
        assert_memory_equal(&x->digest, &y->digest, sizeof x->digest);
        assert_int_equal(x->size_bytes, y->size_bytes);
        assert_int_equal(x->status, y->status);
    }
}

/* The same rows in the three shapes give the same log, with and without a login server. */
static void test_three_shapes_give_identical_logs(void **state)
{
    (void)state;
    static const char *const FILES[] = {"tests/events/three-az.json", "tests/events/three-rest.json",
                                        "tests/events/three.csv"};
    for (int k = 0; k < 2; k++) {
        struct event_log logs[3];
        for (int i = 0; i < 3; i++) {
            memset(&logs[i], 0, sizeof logs[i]);
            load_file(&logs[i], FILES[i], k ? NULL : LOGIN);
            events_finish(&logs[i]);
        }
        assert_logs_equal(&logs[0], &logs[1]);
        assert_logs_equal(&logs[0], &logs[2]);
        for (int i = 0; i < 3; i++) events_free(&logs[i]);
    }
}

static void test_no_login_server_keeps_every_registry(void **state)
{
    (void)state;
    struct event_log log;
    memset(&log, 0, sizeof log);
    load_file(&log, "tests/events/three-az.json", NULL);
    events_finish(&log);
    assert_int_equal(log.other_registry, 0);
    assert_int_equal(log.n, 7);
    expect_event(&log.ev[0], "2025-02-25T00:10:00Z", EVENT_PUSH, "other", "x", DIG_B, 10, 201);
    events_free(&log);
}

static void test_login_server_matches_in_any_case(void **state)
{
    (void)state;
    struct event_log log;
    memset(&log, 0, sizeof log);
    load_file(&log, "tests/events/three-rest.json", "MyReg.AzureCR.io");
    assert_int_equal(log.n, 6);
    assert_int_equal(log.other_registry, 1);
    events_free(&log);
}

/* Several files accumulate; events_finish sorts them together, stably (file order). */
static void test_files_accumulate_and_sort_stably(void **state)
{
    (void)state;
    struct event_log log;
    memset(&log, 0, sizeof log);
    load_file(&log, "tests/events/three.csv", LOGIN);
    load_file(&log, "tests/events/three-az.json", LOGIN);
    events_finish(&log);
    assert_int_equal(log.files, 2);
    assert_int_equal(log.rows, 18);
    assert_int_equal(log.n, 12);
    for (size_t i = 1; i < log.n; i++) assert_true(log.ev[i - 1].t_ns <= log.ev[i].t_ns);
    /* the two files' push at 09:19:25.391, then the two pulls by digest */
    expect_event(&log.ev[1], "2025-02-25T09:19:25.391Z", EVENT_PUSH, "team/app", "v1", DIG_A, 1234, 201);
    expect_event(&log.ev[2], "2025-02-25T09:30:00.25Z", EVENT_PULL, "team/app", NULL, DIG_A, 0, 200);
    /* at 10:00 the csv's pull, the csv's purge, then the same from the az file */
    assert_int_equal(log.ev[4].op, EVENT_PULL);
    assert_int_equal(log.ev[5].op, EVENT_DELETE);
    assert_int_equal(log.ev[6].op, EVENT_PULL);
    assert_int_equal(log.ev[7].op, EVENT_DELETE);
    events_free(&log);
}

/* Many rows in reverse time order come out sorted; equal times keep their file order. */
static void test_rows_out_of_order_are_sorted(void **state)
{
    (void)state;
    size_t n = 3000, cap = n * 160 + 16, k = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    k += (size_t)snprintf(text + k, cap - k, "TimeGenerated,OperationName,Repository,Tag,ResultDescription\n");
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(text + k, cap - k, "2025-03-01T00:%02zu:00Z,Pull,r,t%zu,200\n", (n - 1 - i) / 60 % 60, i);
    struct event_log log;
    memset(&log, 0, sizeof log);
    char *msgs = NULL;
    assert_int_equal(load_text(&log, text, "many.csv", NULL, &msgs), PS_OK);
    free(msgs);
    events_finish(&log);
    assert_int_equal(log.n, n);
    for (size_t i = 1; i < n; i++) {
        assert_true(log.ev[i - 1].t_ns <= log.ev[i].t_ns);
        if (log.ev[i - 1].t_ns == log.ev[i].t_ns)
            assert_true(atoi(log.ev[i - 1].tag + 1) < atoi(log.ev[i].tag + 1));
    }
    events_free(&log);
    free(text);
}

static void test_operation_names(void **state)
{
    (void)state;
    const char *text =
        "[{\"TimeGenerated\":\"2025-01-01T00:00:00Z\",\"OperationName\":\"PUSH\",\"Repository\":\"r\",\"Tag\":\"a\"},\n"
        " {\"TimeGenerated\":\"2025-01-01T00:00:01Z\",\"OperationName\":\"Untag\",\"Repository\":\"r\",\"Tag\":\"a\"},\n"
        " {\"TimeGenerated\":\"2025-01-01T00:00:02Z\",\"OperationName\":\"Delete Manifest\",\"Repository\":\"r\",\"Digest\":\"" DIG_A "\"},\n"
        " {\"TimeGenerated\":\"2025-01-01T00:00:03Z\",\"OperationName\":\"Purge Tag\",\"Repository\":\"r\",\"Tag\":\"b\"},\n"
        " {\"TimeGenerated\":\"2025-01-01T00:00:04Z\",\"OperationName\":\"PurgeManifest\",\"Repository\":\"r\",\"Digest\":\"" DIG_B "\"},\n"
        " {\"TimeGenerated\":\"2025-01-01T00:00:05Z\",\"OperationName\":\"pull\",\"Repository\":\"r\",\"Tag\":\"a\"},\n"
        " {\"TimeGenerated\":\"2025-01-01T00:00:06Z\",\"OperationName\":\"Import\",\"Repository\":\"r\",\"Tag\":\"a\"},\n"
        " {\"TimeGenerated\":\"2025-01-01T00:00:07Z\",\"OperationName\":\"Purge\",\"Repository\":\"r\"},\n"
        " {\"TimeGenerated\":\"2025-01-01T00:00:08Z\",\"OperationName\":\"Delete\",\"Repository\":\"gone\"}]\n";
    struct event_log log;
    memset(&log, 0, sizeof log);
    char *msgs = NULL;
    assert_int_equal(load_text(&log, text, "ops.json", NULL, &msgs), PS_OK);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_int_equal(log.n, 7);
    assert_int_equal(log.unknown_op, 2);
    static const enum event_op WANT[] = {EVENT_PUSH, EVENT_UNTAG, EVENT_DELETE, EVENT_UNTAG, EVENT_DELETE, EVENT_PULL, EVENT_DELETE};
    for (size_t i = 0; i < 7; i++) assert_int_equal(log.ev[i].op, WANT[i]);
    /* a delete with neither tag nor digest: the whole repository */
    assert_string_equal(log.ev[6].repo, "gone");
    assert_null(log.ev[6].tag);
    assert_false(log.ev[6].has_digest);
    assert_string_equal(events_op_name(EVENT_UNTAG), "untag");
    events_free(&log);
}

/* Status: 2xx took effect; absent means it did; "404 Not Found" is read as 404. */
static void test_statuses(void **state)
{
    (void)state;
    const char *text = "TimeGenerated,OperationName,Repository,ResultDescription\n"
                       "2025-01-01T00:00:00Z,Pull,r,200\n"
                       "2025-01-01T00:00:00Z,Pull,r,404 Not Found\n"
                       "2025-01-01T00:00:00Z,Pull,r,\n"
                       "2025-01-01T00:00:00Z,Pull,r,299\n"
                       "2025-01-01T00:00:00Z,Pull,r,301\n"
                       "2025-01-01T00:00:00Z,Pull,r,500\n";
    struct event_log log;
    memset(&log, 0, sizeof log);
    char *msgs = NULL;
    assert_int_equal(load_text(&log, text, "st.csv", NULL, &msgs), PS_OK);
    free(msgs);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.failed_status, 3);
    assert_int_equal(log.ev[1].status, 0);
    events_free(&log);
}

static void test_time_formats(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } OK[] = {
        {"2025-02-25T09:19:25.391Z", "2025-02-25T09:19:25.391Z"},
        {"2025-02-25T09:19:25Z", "2025-02-25T09:19:25Z"},
        {"2025-02-25T09:19:25.3910000Z", "2025-02-25T09:19:25.391Z"},
        {"2025-02-25 09:19:25.391000+00:00", "2025-02-25T09:19:25.391Z"},
        {"2025-02-25 09:19:25", "2025-02-25T09:19:25Z"},
        {"2025-02-25T10:19:25+01:00", "2025-02-25T09:19:25Z"},
        {"2/25/2025, 9:19:25.391 AM", "2025-02-25T09:19:25.391Z"},
        {"2/25/2025, 12:05:00.000 AM", "2025-02-25T00:05:00Z"},
        {"2/25/2025, 12:05:00.000 PM", "2025-02-25T12:05:00Z"},
        {"12/31/2024, 11:59:59.999 PM", "2024-12-31T23:59:59.999Z"},
        {"02/29/2024 13:00:01", "2024-02-29T13:00:01Z"},
        {"2/25/2025, 9:19 pm", "2025-02-25T21:19:00Z"},
    };
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++) {
        int64_t ns = 0;
        if (!events_parse_time(OK[i].in, strlen(OK[i].in), &ns)) fail_msg("\"%s\" does not parse", OK[i].in);
        assert_int_equal(ns, t(OK[i].want));
    }
    static const char *const BAD[] = {"yesterday", "", "2/29/2025, 1:00:00 AM", "13/1/2025, 1:00 AM",
                                      "2/25/2025, 0:00:00 AM", "2/25/2025, 13:00 PM", "2/25/25, 9:00 AM",
                                      "2025-02-30T00:00:00Z", "2/25/2025, 9:19:25.391 XM"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        int64_t ns = 0;
        if (events_parse_time(BAD[i], strlen(BAD[i]), &ns)) fail_msg("\"%s\" parses", BAD[i]);
    }
}

/* Absent values: <nil>, None, "" and null; a Tag that is a digest; a Size as a number or text. */
static void test_absent_values_and_digest_tags(void **state)
{
    (void)state;
    const char *text =
        "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"TimeGenerated\",\"type\":\"datetime\"},"
        "{\"name\":\"OperationName\",\"type\":\"string\"},{\"name\":\"Repository\",\"type\":\"string\"},"
        "{\"name\":\"Tag\",\"type\":\"string\"},{\"name\":\"Digest\",\"type\":\"string\"},{\"name\":\"Size\",\"type\":\"long\"}],\n"
        "\"rows\":[[\"2025-01-01T00:00:00Z\",\"Pull\",\"r\",\"" DIG_B "\",\"<nil>\",null],\n"
        "[\"2025-01-01T00:00:01Z\",\"Push\",\"r\",\"None\",\"" DIG_A "\",12345678901],\n"
        "[\"2025-01-01T00:00:02Z\",\"Pull\",\"r\",\"" DIG_B "\",\"" DIG_A "\",\"7\"]]}]}";
    struct event_log log;
    memset(&log, 0, sizeof log);
    char *msgs = NULL;
    assert_int_equal(load_text(&log, text, "abs.json", NULL, &msgs), PS_OK);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_int_equal(log.n, 3);
    expect_event(&log.ev[0], "2025-01-01T00:00:00Z", EVENT_PULL, "r", NULL, DIG_B, 0, 0);
    expect_event(&log.ev[1], "2025-01-01T00:00:01Z", EVENT_PUSH, "r", NULL, DIG_A, 12345678901u, 0);
    /* both: the Digest column's digest */
    expect_event(&log.ev[2], "2025-01-01T00:00:02Z", EVENT_PULL, "r", NULL, DIG_A, 7, 0);
    assert_false(log.ev[2].digest_in_tag);
    events_free(&log);
}

static void test_empty_inputs(void **state)
{
    (void)state;
    struct event_log log;
    memset(&log, 0, sizeof log);
    char *msgs = NULL;
    assert_int_equal(load_text(&log, "[]", "e.json", NULL, &msgs), PS_OK);
    free(msgs);
    assert_int_equal(load_text(&log, "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[],\"rows\":[]}]}", "e.json",
                               NULL, &msgs), PS_OK);
    free(msgs);
    assert_int_equal(load_text(&log, "TimeGenerated [UTC],OperationName,Repository\r\n", "e.csv", NULL, &msgs), PS_OK);
    free(msgs);
    assert_int_equal(log.n, 0);
    assert_int_equal(log.files, 3);
    events_free(&log);
}

/* ---- malformed input: exact messages --------------------------------------------------- */

static void test_error_bad_time_az(void **state)
{
    (void)state;
    expect_error("[{\"TimeGenerated\":\"2025-01-01T00:00:00Z\",\"OperationName\":\"Push\",\"Repository\":\"a\"},\n"
                 " {\"TimeGenerated\":\"yesterday\",\"OperationName\":\"Push\",\"Repository\":\"a\"}]",
                 "events.json", "events.json:2:2: row 2: TimeGenerated: expected a time, got \"yesterday\"");
}

static void test_error_bad_time_csv_names_line(void **state)
{
    (void)state;
    expect_error("TimeGenerated [UTC],OperationName,Repository\n"
                 "\"2/25/2025, 9:19:25.391 AM\",Push,a\n"
                 "\n"
                 "\"2/30/2025, 9:19:25.391 AM\",Push,a\n",
                 "events.csv", "events.csv:4: TimeGenerated: expected a time, got \"2/30/2025, 9:19:25.391 AM\"");
}

static void test_error_missing_column(void **state)
{
    (void)state;
    expect_error("[{\"TimeGenerated\":\"2025-01-01T00:00:00Z\",\"Repository\":\"a\"}]", "events.json",
                 "events.json: no OperationName column (an event log has TimeGenerated, OperationName and Repository)");
    expect_error("[{\"time\":\"2025-01-01T00:00:00Z\",\"operationName\":\"Push\",\"properties\":{\"repository\":\"a\"}}]",
                 "diag.json",
                 "diag.json: these are raw diagnostic records (\"time\", \"operationName\", \"properties\"); give the rows "
                 "of the Log Analytics table ContainerRegistryRepositoryEvents instead");
    expect_error("TimeGenerated [UTC],OperationName,Repo\n", "events.csv",
                 "events.csv:1: no Repository column (an event log has TimeGenerated, OperationName and Repository)");
    expect_error("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"OperationName\"},{\"name\":\"Repository\"}],\"rows\":[[\"Push\",\"a\"]]}]}",
                 "events.json",
                 "events.json: no TimeGenerated column (an event log has TimeGenerated, OperationName and Repository)");
}

static void test_error_missing_key_in_a_later_row(void **state)
{
    (void)state;
    expect_error("[{\"TimeGenerated\":\"2025-01-01T00:00:00Z\",\"OperationName\":\"Push\",\"Repository\":\"a\"},"
                 "{\"TimeGenerated\":\"2025-01-01T00:00:00Z\",\"OperationName\":\"Push\"}]",
                 "events.json", "events.json:1:83: row 2: Repository: missing");
}

static void test_error_bad_size(void **state)
{
    (void)state;
    expect_error("TimeGenerated,OperationName,Repository,Size\n2025-01-01T00:00:00Z,Push,a,12GB\n", "events.csv",
                 "events.csv:2: Size: expected a non-negative integer, got \"12GB\"");
    expect_error("{\"tables\":[{\"columns\":[{\"name\":\"TimeGenerated\"},{\"name\":\"OperationName\"},"
                 "{\"name\":\"Repository\"},{\"name\":\"Size\"}],\n\"rows\":[\n[\"2025-01-01T00:00:00Z\",\"Push\",\"a\",-1]]}]}",
                 "events.json", "events.json:3:1: row 1: Size: expected a non-negative integer, got -1");
}

static void test_error_bad_digest_and_status(void **state)
{
    (void)state;
    expect_error("TimeGenerated,OperationName,Repository,Digest\n2025-01-01T00:00:00Z,Push,a,sha256:abc\n", "events.csv",
                 "events.csv:2: Digest: expected a sha256 digest, got \"sha256:abc\"");
    expect_error("TimeGenerated,OperationName,Repository,Tag\n2025-01-01T00:00:00Z,Pull,a,sha256:xyz\n", "events.csv",
                 "events.csv:2: Tag: expected a tag or a sha256 digest, got \"sha256:xyz\"");
    expect_error("TimeGenerated,OperationName,Repository,ResultDescription\n2025-01-01T00:00:00Z,Pull,a,OK\n", "events.csv",
                 "events.csv:2: ResultDescription: expected an HTTP status, got \"OK\"");
}

static void test_error_wrong_value_kind(void **state)
{
    (void)state;
    expect_error("[{\"TimeGenerated\":\"2025-01-01T00:00:00Z\",\"OperationName\":\"Push\",\"Repository\":true}]",
                 "events.json", "events.json:1:2: row 1: Repository: expected a string, got true");
    expect_error("[[\"2025-01-01T00:00:00Z\"]]", "events.json",
                 "events.json:1:2: row 1: expected an object (one row of the event log)");
}

static void test_error_rest_row_length(void **state)
{
    (void)state;
    expect_error("{\"tables\":[{\"columns\":[{\"name\":\"TimeGenerated\"},{\"name\":\"OperationName\"},"
                 "{\"name\":\"Repository\"}],\n\"rows\":[[\"2025-01-01T00:00:00Z\",\"Push\"]]}]}",
                 "events.json", "events.json:2:9: row 1: expected 3 values (one per column), got 2");
    expect_error("{\"statistics\":{}}", "events.json",
                 "events.json: expected a \"tables\" array (the body of a Log Analytics query)");
}

static void test_error_csv_field_count_and_quotes(void **state)
{
    (void)state;
    expect_error("TimeGenerated,OperationName,Repository\n2025-01-01T00:00:00Z,Push\n", "events.csv",
                 "events.csv:2: expected 3 fields (as in the header), got 2");
    expect_error("TimeGenerated,OperationName,Repository\n2025-01-01T00:00:00Z,Push,a\"b\n", "events.csv",
                 "events.csv:2: malformed CSV (a quote inside an unquoted field, or text after a closing quote)");
    expect_error("TimeGenerated,OperationName,Repository\n2025-01-01T00:00:00Z,Push,\"a\n", "events.csv",
                 "events.csv:2: malformed CSV (a quoted field is not closed)");
}

static void test_error_json_syntax(void **state)
{
    (void)state;
    expect_error("[{\"TimeGenerated\":\"2025-01-01T00:00:00Z\",\"OperationName\":\"Push\",\"Repository\":\"a\"}\n"
                 "{\"TimeGenerated\":\"x\"}]",
                 "events.json", "events.json:2:1: expected ',' or ']', got '{'");
}

#define NOT_A_LOG "not an event log (ContainerRegistryRepositoryEvents as az JSON, REST JSON or portal CSV)"

/* Another input given as the log: one line saying what it is, whatever shape it was read in. */
static void test_another_input_is_named(void **state)
{
    (void)state;
    /* JSON objects, by their first decisive key before "tables" */
    expect_error("{\"registry\": \"r.azurecr.io\", \"exportedAt\": \"2026-01-01T00:00:00Z\", \"repositories\": [",
                 "x.json", "x.json: this is a registry export, " NOT_A_LOG ": an export goes with -i");
    expect_error("{\"currency\": \"AUD\", \"skus\": {}, \"overage_per_gb_day\": 0.005}", "p.json",
                 "p.json: this is a price table (currency, skus, overage_per_gb_day), " NOT_A_LOG ": give it with --pricing");
    expect_error("{\"apiVersion\": \"v1\", \"items\": []}", "pods.json",
                 "pods.json: this is kubectl's list of pods (items), " NOT_A_LOG ": give it with --in-use");
    /* JSON arrays, by their first element */
    expect_error("[{\"digest\": \"" DIG_A "\", \"imageSize\": 1}]", "m.json",
                 "m.json: this is a listing of manifests or tags (digest), " NOT_A_LOG ": an export goes with -i");
    expect_error("[{\"name\": \"purge\", \"step\": {}, \"trigger\": {}}]", "t.json",
                 "t.json: this is Azure's description of ACR tasks (step, trigger), " NOT_A_LOG ": give it with -p");
    /* line files, by their first line that is not a comment */
    expect_error("# policies\n[keep3]\nacr purge --filter 'a:.*' --ago 0d\n", "p.ini",
                 "p.ini: this is a policy file ([name] sections, az or acr command lines), " NOT_A_LOG ": give it with -p");
    expect_error("# in use\nteam-a/web:1.4.2\n", "in-use.txt",
                 "in-use.txt: this is an in-use list (image references, one a line), " NOT_A_LOG ": give it with --in-use");
    expect_error("keep = 1 3\nago = 0d\n", "g.grid",
                 "g.grid: this is a tune grid file (KEY = VALUES lines), " NOT_A_LOG ": give it to tune with --grid");
}

/* An event log with a mistake keeps its own error, however it was cut. */
static void test_broken_log_keeps_its_error(void **state)
{
    (void)state;
    expect_error("TimeGenerated [UTC],OperationName,Repo\n", "e.csv",
                 "e.csv:1: no Repository column (an event log has TimeGenerated, OperationName and Repository)");
    expect_error("[{\"TimeGenerated\": \"2025-01-01T00:00:00Z\", \"OperationName\": \"Push\"}]", "e.json",
                 "e.json: no Repository column (an event log has TimeGenerated, OperationName and Repository)");
    expect_error("{\"tables\": [{\"columns\": [], \"rows\": [[1]]}], \"skus\": {}}", "e.json",
                 "e.json: no TimeGenerated column (an event log has TimeGenerated, OperationName and Repository)");
    expect_error("[{\"TimeGenerated\": \"2025-01-01T00:00:00Z\", \"OperationName\": \"Pu", "e.json",
                 "e.json:1:64: row 1: unterminated string");
}

static void test_error_row_over_one_mib(void **state)
{
    (void)state;
    size_t big = (1u << 20) + 10;
    char *text = malloc(big + 200);
    assert_non_null(text);
    int k = snprintf(text, 200, "TimeGenerated,OperationName,Repository\n2025-01-01T00:00:00Z,Push,");
    memset(text + k, 'a', big);
    strcpy(text + k + big, "\n");
    expect_error(text, "events.csv", "events.csv:2: line longer than 1 MiB");
    k = snprintf(text, 200, "[{\"TimeGenerated\":\"2025-01-01T00:00:00Z\",\"OperationName\":\"Push\",\"Repository\":\"");
    memset(text + k, 'a', big);
    strcpy(text + k + big, "\"}]");
    expect_error(text, "events.json", "events.json:1:2: row 1: element larger than 1 MiB");
    free(text);
}

/* Several malformed rows: every one reported; none of the file's rows kept, earlier files' are. */
static void test_errors_keep_earlier_files(void **state)
{
    (void)state;
    struct event_log log;
    memset(&log, 0, sizeof log);
    load_file(&log, "tests/events/three-az.json", LOGIN);
    char *msgs = NULL;
    int rc = load_text(&log, "TimeGenerated,OperationName,Repository,Size\n"
                             "2025-01-01T00:00:00Z,Push,a,1\n"
                             "never,Push,a,1\n"
                             "2025-01-01T00:00:00Z,Push,a,x\n", "bad.csv", LOGIN, &msgs);
    assert_int_equal(rc, ERR_INPUT);
    assert_string_equal(msgs, "bad.csv:3: TimeGenerated: expected a time, got \"never\"\n"
                              "bad.csv:4: Size: expected a non-negative integer, got \"x\"\n");
    free(msgs);
    assert_int_equal(log.n, 6);
    assert_int_equal(log.rows, 9);
    assert_int_equal(log.files, 1);
    events_free(&log);
}

static void test_utf8_bom_and_utf16(void **state)
{
    (void)state;
    struct event_log log;
    memset(&log, 0, sizeof log);
    char *msgs = NULL;
    assert_int_equal(load_text(&log, "\xEF\xBB\xBF[{\"TimeGenerated\":\"2025-01-01T00:00:00Z\",\"OperationName\":\"Push\","
                                     "\"Repository\":\"a\"}]", "bom.json", NULL, &msgs), PS_OK);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_int_equal(log.n, 1);
    events_free(&log);
    struct diag d;
    memset(&d, 0, sizeof d);
    static const char U16[] = "\xFF\xFE[\0{\0";
    assert_int_equal(events_load_mem(&log, U16, sizeof U16 - 1, "u16.json", NULL, &d), ERR_INPUT);
    msgs = messages(&d);
    assert_string_equal(msgs, "u16.json: file is UTF-16 encoded; save it as UTF-8 (PowerShell: -Encoding utf8)\n");
    free(msgs);
    events_free(&log);
}

/* The bench's generator writes a log the reader takes whole, the same for the same seed. */
static void test_generated_log_reads(void **state)
{
    (void)state;
    char *text[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        FILE *fp = open_memstream(&text[k], &len[k]);
        assert_non_null(fp);
        assert_int_equal(events_gen_write(fp, 5000, 7, LOGIN), 0);
        assert_int_equal(fclose(fp), 0);
    }
    assert_int_equal(len[0], len[1]);
    assert_memory_equal(text[0], text[1], len[0]);
    struct event_log log;
    memset(&log, 0, sizeof log);
    char *msgs = NULL;
    assert_int_equal(load_text(&log, text[0], "gen.json", LOGIN, &msgs), PS_OK);
    assert_string_equal(msgs, "");
    free(msgs);
    events_finish(&log);
    assert_int_equal(log.rows, 5000);
    assert_int_equal(log.unknown_op, 0);
    assert_true(log.failed_status > 0 && log.other_registry > 0);
    assert_int_equal(log.n + log.failed_status + log.other_registry, 5000);
    size_t by_digest = 0;
    for (size_t i = 0; i < log.n; i++) by_digest += log.ev[i].digest_in_tag;
    assert_true(by_digest > 0);
    events_free(&log);
    free(text[0]);
    free(text[1]);
}

static void test_missing_file_is_io_error(void **state)
{
    (void)state;
    struct event_log log;
    memset(&log, 0, sizeof log);
    struct diag d;
    memset(&d, 0, sizeof d);
    assert_int_equal(events_load(&log, "tests/events/no-such-file.json", NULL, &d), ERR_IO);
    char *msgs = messages(&d);
    assert_string_equal(msgs, "tests/events/no-such-file.json: cannot open: No such file or directory\n");
    free(msgs);
    events_free(&log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_az_json_shape),
        cmocka_unit_test(test_rest_body_shape),
        cmocka_unit_test(test_portal_csv_shape),
        cmocka_unit_test(test_three_shapes_give_identical_logs),
        cmocka_unit_test(test_no_login_server_keeps_every_registry),
        cmocka_unit_test(test_login_server_matches_in_any_case),
        cmocka_unit_test(test_files_accumulate_and_sort_stably),
        cmocka_unit_test(test_rows_out_of_order_are_sorted),
        cmocka_unit_test(test_operation_names),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_time_formats),
        cmocka_unit_test(test_absent_values_and_digest_tags),
        cmocka_unit_test(test_empty_inputs),
        cmocka_unit_test(test_error_bad_time_az),
        cmocka_unit_test(test_error_bad_time_csv_names_line),
        cmocka_unit_test(test_error_missing_column),
        cmocka_unit_test(test_error_missing_key_in_a_later_row),
        cmocka_unit_test(test_error_bad_size),
        cmocka_unit_test(test_error_bad_digest_and_status),
        cmocka_unit_test(test_error_wrong_value_kind),
        cmocka_unit_test(test_error_rest_row_length),
        cmocka_unit_test(test_error_csv_field_count_and_quotes),
        cmocka_unit_test(test_error_json_syntax),
        cmocka_unit_test(test_another_input_is_named),
        cmocka_unit_test(test_broken_log_keeps_its_error),
        cmocka_unit_test(test_error_row_over_one_mib),
        cmocka_unit_test(test_errors_keep_earlier_files),
        cmocka_unit_test(test_utf8_bom_and_utf16),
        cmocka_unit_test(test_generated_log_reads),
        cmocka_unit_test(test_missing_file_is_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
