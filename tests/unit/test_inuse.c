/* test_inuse.c - unit tests for inuse.h: in-use image references from a plain list and from
 * kubectl's pod JSON, the registry rules, deduplication and the exact message of each malformed
 * input. Run from the repository's root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "inuse.h"
#include "model.h"

#define LOGIN "myreg.azurecr.io"
#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

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

static void load_file(struct inuse_list *l, const char *path, const char *login)
{
    struct diag d;
    memset(&d, 0, sizeof d);
    int rc = inuse_load(l, path, login, &d);
    char *msgs = messages(&d);
    assert_string_equal(msgs, "");
    assert_int_equal(rc, PS_OK);
    free(msgs);
}

static int load_text(struct inuse_list *l, const char *text, const char *file, const char *login, char **msgs)
{
    struct diag d;
    memset(&d, 0, sizeof d);
    int rc = inuse_load_mem(l, text, strlen(text), file, login, &d);
    *msgs = messages(&d);
    return rc;
}

static void expect_error(const char *text, const char *file, const char *want)
{
    struct inuse_list l;
    memset(&l, 0, sizeof l);
    char *msgs = NULL;
    int rc = load_text(&l, text, file, LOGIN, &msgs);
    size_t n = strlen(msgs);
    if (n && msgs[n - 1] == '\n') msgs[n - 1] = '\0';
    assert_string_equal(msgs, want);
    assert_int_equal(rc, ERR_INPUT);
    assert_int_equal(l.n, 0);
    free(msgs);
    inuse_free(&l);
}

static void expect_ref(const struct inuse_ref *r, const char *formatted, const char *source)
{
    char buf[256];
    assert_string_equal(inuse_format(r, buf, sizeof buf), formatted);
    if (source) assert_string_equal(r->source, source);
}

static void test_list_shape(void **state)
{
    (void)state;
    struct inuse_list l;
    memset(&l, 0, sizeof l);
    load_file(&l, "tests/inuse/list.txt", LOGIN);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.other_registry, 3);
    assert_int_equal(l.duplicates, 1);
    expect_ref(&l.refs[0], "team/app:v1", "tests/inuse/list.txt:2");
    expect_ref(&l.refs[1], "team/app@sha256:" HEX_A, "tests/inuse/list.txt:4");
    expect_ref(&l.refs[2], "team/api:2.0@sha256:" HEX_B, "tests/inuse/list.txt:5");
    assert_string_equal(l.refs[2].tag, "2.0");
    assert_true(l.refs[2].has_digest);
    /* a bare repository is :latest, as in Docker */
    expect_ref(&l.refs[3], "team/worker:latest", "tests/inuse/list.txt:10");
    inuse_free(&l);
}

static void test_list_without_login_server_keeps_all(void **state)
{
    (void)state;
    struct inuse_list l;
    memset(&l, 0, sizeof l);
    load_file(&l, "tests/inuse/list.txt", NULL);
    /* the other registries' references are kept, under their repository names (two of them
     * are then the same as ours) */
    assert_int_equal(l.other_registry, 0);
    assert_int_equal(l.n, 5);
    assert_int_equal(l.duplicates, 3);
    expect_ref(&l.refs[3], "library/nginx:1.25", "tests/inuse/list.txt:8");
    inuse_free(&l);
}

static void test_kubectl_shape(void **state)
{
    (void)state;
    struct inuse_list l;
    memset(&l, 0, sizeof l);
    load_file(&l, "tests/inuse/pods.json", LOGIN);
    assert_int_equal(l.n, 4);
    /* nginx:1.25 (Docker Hub, no registry), docker.io/library/nginx:1.25 and its imageID */
    assert_int_equal(l.other_registry, 3);
    assert_int_equal(l.duplicates, 5);
    expect_ref(&l.refs[0], "team/app:v1", "tests/inuse/pods.json: items[0].spec.containers[0].image");
    /* the digest that runs, from imageID with its docker-pullable:// prefix */
    expect_ref(&l.refs[1], "team/app@sha256:" HEX_A, "tests/inuse/pods.json: items[0].status.containerStatuses[0].imageID");
    expect_ref(&l.refs[2], "team/migrate@sha256:" HEX_B, "tests/inuse/pods.json: items[0].spec.initContainers[0].image");
    expect_ref(&l.refs[3], "team/api:2.0", "tests/inuse/pods.json: items[2].spec.containers[0].image");
    inuse_free(&l);
}

/* A list and the pods: duplicates across files are dropped too. */
static void test_files_accumulate_and_dedupe(void **state)
{
    (void)state;
    struct inuse_list l;
    memset(&l, 0, sizeof l);
    load_file(&l, "tests/inuse/list.txt", LOGIN);
    load_file(&l, "tests/inuse/pods.json", LOGIN);
    /* the pods add team/migrate@B only; team/api:2.0 differs from team/api:2.0@B */
    assert_int_equal(l.n, 6);
    expect_ref(&l.refs[4], "team/migrate@sha256:" HEX_B, NULL);
    expect_ref(&l.refs[5], "team/api:2.0", NULL);
    inuse_free(&l);
}

static void test_registry_rule(void **state)
{
    (void)state;
    /* the first component is a registry only with a '.', a ':' or as localhost */
    struct inuse_list l;
    memset(&l, 0, sizeof l);
    char *msgs = NULL;
    const char *text;
    text = "\xEF\xBB\xBFteam/app:v1\r\n"
           "myreg.azurecr.io/app:v1\r\n"
           "localhost/app:v1\n"
           "myreg:443/app:v1\n"
           "a/b/c:1  # a comment\n"
           "   # only a comment\n"
           "Team/App:V1\n";
    assert_int_equal(load_text(&l, text, "r.txt", LOGIN, &msgs), PS_OK);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_int_equal(l.other_registry, 2);
    assert_int_equal(l.n, 4);
    expect_ref(&l.refs[0], "team/app:v1", "r.txt:1");
    expect_ref(&l.refs[1], "app:v1", "r.txt:2");
    expect_ref(&l.refs[2], "a/b/c:1", "r.txt:5");
    /* repository names are lower case in a registry; tags keep their case */
    expect_ref(&l.refs[3], "team/app:V1", "r.txt:7");
    inuse_free(&l);
}

static void test_empty_inputs(void **state)
{
    (void)state;
    struct inuse_list l;
    memset(&l, 0, sizeof l);
    char *msgs = NULL;
    assert_int_equal(load_text(&l, "", "e.txt", LOGIN, &msgs), PS_OK);
    free(msgs);
    assert_int_equal(load_text(&l, "# nothing\n\n", "e.txt", LOGIN, &msgs), PS_OK);
    free(msgs);
    assert_int_equal(load_text(&l, "{\"items\": []}", "p.json", LOGIN, &msgs), PS_OK);
    free(msgs);
    assert_int_equal(l.n, 0);
    /* accepted, and remembered for the warning that the file lists no image */
    assert_int_equal(l.n_empty_files, 3);
    assert_string_equal(l.empty_files[0], "e.txt");
    assert_string_equal(l.empty_files[2], "p.json");
    /* a file that lists only other registries' images lists some: no warning of this kind */
    assert_int_equal(load_text(&l, "docker.io/library/nginx:1.25\n", "o.txt", LOGIN, &msgs), PS_OK);
    free(msgs);
    /* nor a file that fails */
    assert_int_equal(load_text(&l, "# x\n\nbad ref\n", "b.txt", LOGIN, &msgs), ERR_INPUT);
    free(msgs);
    assert_int_equal(l.n_empty_files, 3);
    inuse_free(&l);
}

#define EXPECTED "an in-use list (image references, one a line, or kubectl get pods -A -o json)"

/* Another kind of input given as the list: one message naming it, whatever its size. */
static void test_error_other_kinds(void **state)
{
    (void)state;
    expect_error("[\n  {\"TableName\": \"PrimaryResult\", \"TimeGenerated\": \"2026-07-06T10:12:40Z\", "
                 "\"OperationName\": \"Pull\"}\n]\n", "ev.json",
                 "ev.json: this is an event log (OperationName, TimeGenerated), not " EXPECTED ": give it with --events");
    expect_error("{\"tables\": [{\"name\": \"PrimaryResult\", \"columns\": [], \"rows\": []}]}", "rest.json",
                 "rest.json: this is an event log (the tables of a Log Analytics query), not " EXPECTED
                 ": give it with --events");
    expect_error("TimeGenerated [UTC],OperationName,Repository\n\"2/25/2025, 9:19:25.391 AM\",Pull,team/app\n",
                 "ev.csv",
                 "ev.csv: this is an event log (CSV with TimeGenerated and OperationName columns), not " EXPECTED
                 ": give it with --events");
    expect_error("{\"registry\": \"myreg\", \"exportedAt\": \"2026-11-01T00:00:00Z\", \"repositories\": []}",
                 "export.json", "export.json: this is a registry export, not " EXPECTED ": an export goes with -i");
    expect_error("[{\"digest\": \"sha256:" HEX_A "\", \"imageSize\": 1}]", "manifests.json",
                 "manifests.json: this is a listing of manifests or tags (digest), not " EXPECTED
                 ": an export goes with -i");
    expect_error("{\"currency\": \"AUD\", \"overage_per_gb_day\": 0.005, \"skus\": {}}", "prices.json",
                 "prices.json: this is a price table (currency, skus, overage_per_gb_day), not " EXPECTED
                 ": give it with --pricing");
    expect_error("# nightly purge\n\n[keep3]\nacr purge --filter 'app:.*' --ago 0d --keep 3\n", "p.ini",
                 "p.ini: this is a policy file ([name] sections, az or acr command lines), not " EXPECTED
                 ": give it with -p");
    expect_error("[\"team/app:v1\"]", "refs.json", "refs.json: expected " EXPECTED ", got a JSON array");
}

/* Past the first reference, a line that looks like another input's is a bad line of the list
 * like any other: the file is a list. */
static void test_error_other_kind_after_a_reference(void **state)
{
    (void)state;
    expect_error("team/app:v1\n[keep3]\n", "inuse.txt",
                 "inuse.txt:2: expected an image reference ([registry/]repository[:tag][@sha256:digest]), got "
                 "\"[keep3]\": a repository name has only letters, digits, '.', '_', '-' and '/'");
}

/* ---- malformed input: exact messages --------------------------------------------------- */

static void test_error_bad_list_lines(void **state)
{
    (void)state;
    expect_error("team/app:v1\nteam/app:v1 team/api:2\n", "inuse.txt",
                 "inuse.txt:2: expected an image reference ([registry/]repository[:tag][@sha256:digest]), got "
                 "\"team/app:v1 team/api:2\": one reference a line");
    expect_error("team/app@sha256:abc\n", "inuse.txt",
                 "inuse.txt:1: expected an image reference ([registry/]repository[:tag][@sha256:digest]), got "
                 "\"team/app@sha256:abc\": expected sha256: and 64 hex digits after '@'");
    expect_error("team/app:\n", "inuse.txt",
                 "inuse.txt:1: expected an image reference ([registry/]repository[:tag][@sha256:digest]), got "
                 "\"team/app:\": a tag has 1 to 128 characters");
    expect_error("team/app:v!\n", "inuse.txt",
                 "inuse.txt:1: expected an image reference ([registry/]repository[:tag][@sha256:digest]), got "
                 "\"team/app:v!\": a tag has only letters, digits, '.', '_' and '-'");
    expect_error("myreg.azurecr.io/:v1\n", "inuse.txt",
                 "inuse.txt:1: expected an image reference ([registry/]repository[:tag][@sha256:digest]), got "
                 "\"myreg.azurecr.io/:v1\": no repository name");
    expect_error("te$m/app\n", "inuse.txt",
                 "inuse.txt:1: expected an image reference ([registry/]repository[:tag][@sha256:digest]), got "
                 "\"te$m/app\": a repository name has only letters, digits, '.', '_', '-' and '/'");
}

/* expect_error for text with NUL bytes in it (n bytes) */
static void expect_bytes_error(const char *text, size_t n, const char *want)
{
    struct inuse_list l;
    memset(&l, 0, sizeof l);
    struct diag d;
    memset(&d, 0, sizeof d);
    assert_int_equal(inuse_load_mem(&l, text, n, "inuse.txt", LOGIN, &d), ERR_INPUT);
    char *msgs = messages(&d);
    assert_string_equal(msgs, want);
    assert_int_equal(l.n, 0);
    free(msgs);
    inuse_free(&l);
}

/* Bytes of a binary file: escaped in a message, never raw; a NUL byte ends the file with one
 * message, also past the block the loader sniffs first. */
static void test_error_binary_bytes(void **state)
{
    (void)state;
    expect_error("te\x1b[2Jm/app\xff:v1\n", "inuse.txt",
                 "inuse.txt:1: expected an image reference ([registry/]repository[:tag][@sha256:digest]), got "
                 "\"te\\x1b[2Jm/app\\xff:v1\": a repository name has only letters, digits, '.', '_', '-' and '/'");
    static const char png[] = "team/app:v1\n\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    expect_bytes_error(png, sizeof png - 1, "inuse.txt: not a text file (NUL byte at line 4)\n");
    char text[6000];
    size_t n = 0;
    while (n + 13 < sizeof text) n += (size_t)snprintf(text + n, sizeof text - n, "team/app:v%zu\n", n % 10);
    memcpy(text + n, "x\0y\n", 4);
    expect_bytes_error(text, n + 4, "inuse.txt: not a text file (NUL byte at line 500)\n");
}

static void test_error_bad_kubectl(void **state)
{
    (void)state;
    expect_error("{\"items\": [\n  {\"spec\": {\"containers\": [{\"image\": \"myreg.azurecr.io/app:\"}]}}]}", "pods.json",
                 "pods.json:2:3: items[0].spec.containers[0].image: expected an image reference, got "
                 "\"myreg.azurecr.io/app:\": a tag has 1 to 128 characters");
    expect_error("{\"items\": [{\"spec\": {\"containers\": [{\"image\": 7}]}}]}", "pods.json",
                 "pods.json:1:12: items[0].spec.containers[0].image: expected a string");
    expect_error("{\"items\": [3]}", "pods.json", "pods.json:1:12: items[0]: expected an object (a pod)");
    expect_error("{\"kind\": \"List\"}", "pods.json",
                 "pods.json: expected an \"items\" array (the output of kubectl get pods -A -o json)");
    expect_error("{\"items\": [{}}", "pods.json", "pods.json:1:14: items: expected ',' or ']', got '}'");
}

static void test_error_long_line(void **state)
{
    (void)state;
    size_t big = (1u << 20) + 1;
    char *text = malloc(big + 32);
    assert_non_null(text);
    memcpy(text, "a:1\n", 4);
    memset(text + 4, 'a', big);
    strcpy(text + 4 + big, "\n");
    expect_error(text, "inuse.txt", "inuse.txt:2: line longer than 1 MiB");
    free(text);
}

static void test_errors_keep_earlier_files(void **state)
{
    (void)state;
    struct inuse_list l;
    memset(&l, 0, sizeof l);
    load_file(&l, "tests/inuse/list.txt", LOGIN);
    char *msgs = NULL;
    assert_int_equal(load_text(&l, "new/one:1\nbad ref\nteam/app:v1\n", "x.txt", LOGIN, &msgs), ERR_INPUT);
    free(msgs);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.duplicates, 1);
    /* the dedup set forgot x.txt's references */
    assert_int_equal(load_text(&l, "new/one:1\n", "y.txt", LOGIN, &msgs), PS_OK);
    free(msgs);
    assert_int_equal(l.n, 5);
    inuse_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_shape),
        cmocka_unit_test(test_list_without_login_server_keeps_all),
        cmocka_unit_test(test_kubectl_shape),
        cmocka_unit_test(test_files_accumulate_and_dedupe),
        cmocka_unit_test(test_registry_rule),
        cmocka_unit_test(test_empty_inputs),
        cmocka_unit_test(test_error_other_kinds),
        cmocka_unit_test(test_error_other_kind_after_a_reference),
        cmocka_unit_test(test_error_bad_list_lines),
        cmocka_unit_test(test_error_binary_bytes),
        cmocka_unit_test(test_error_bad_kubectl),
        cmocka_unit_test(test_error_long_line),
        cmocka_unit_test(test_errors_keep_earlier_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
