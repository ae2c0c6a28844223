/* test_output.c - unit tests for output.h: a file or a directory of files appears whole at
 * commit and not at all after an abort (missing parents created, then removed again), and an
 * input is never overwritten, whatever the spelling of its path. A symbolic link is written
 * through (it stays a link) and a FIFO in place (it stays a FIFO); a dangling link named as a
 * new directory creates the directory it points at. "-" is standard output, never a file named
 * "-", and never a directory output. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "output.h"

static char root[256];

static int make_root(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "%s/purgesim-output-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static char *path_of(const char *rel)
{
    static char buf[4][512];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 512, "%s/%s", root, rel);
    return p;
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static size_t entries(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *fp = popen(cmd, "r");
    size_t n = 0;
    assert_int_equal(fscanf(fp, "%zu", &n), 1);
    pclose(fp);
    return n;
}

static void put_file(const char *p, const char *text)
{
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* The first line of file p ("" when it cannot be read). */
static const char *first_line(const char *p)
{
    static char buf[128];
    buf[0] = '\0';
    FILE *fp = fopen(p, "r");
    if (fp) {
        if (!fgets(buf, sizeof buf, fp)) buf[0] = '\0';
        fclose(fp);
    }
    return buf;
}

static bool is_link(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0 && S_ISLNK(st.st_mode);
}

static void write_text(struct output *o, const char *name, const char *text)
{
    FILE *fp = output_open(o, name);
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(output_close(o, fp), 0);
}

static void test_file_appears_only_at_commit(void **state)
{
    (void)state;
    char err[512];
    const char *p = path_of("a/b/report.json");
    struct output *o = output_begin(NULL, p, OUTPUT_FILE, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, NULL, "{}\n");
    assert_false(exists(p));
    assert_int_equal(output_commit(o), 0);
    assert_true(exists(p));
    assert_int_equal(entries(path_of("a/b")), 1);   /* no temporary file left */
}

static void test_aborted_file_leaves_nothing_not_even_parents(void **state)
{
    (void)state;
    char err[512];
    struct output *o = output_begin(NULL, path_of("x/y/z.txt"), OUTPUT_FILE, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, NULL, "half");
    output_abort(o);
    assert_false(exists(path_of("x")));
}

static void test_new_directory_appears_whole(void **state)
{
    (void)state;
    char err[512];
    const char *dir = path_of("new/out");
    struct output *o = output_begin(NULL, dir, OUTPUT_DIR, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, "summary.csv", "a\n");
    write_text(o, "daily.csv", "b\n");
    assert_false(exists(dir));
    assert_int_equal(output_commit(o), 0);
    assert_int_equal(entries(dir), 2);
    assert_int_equal(entries(path_of("new")), 1);   /* the staging directory is gone */
}

static void test_aborted_directory_leaves_nothing(void **state)
{
    (void)state;
    char err[512];
    struct output *o = output_begin(NULL, path_of("gone/out"), OUTPUT_DIR, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, "summary.csv", "a\n");
    output_abort(o);
    assert_false(exists(path_of("gone")));
}

static void test_existing_directory_gets_the_files_and_keeps_others(void **state)
{
    (void)state;
    char err[512];
    const char *dir = path_of("keep");
    assert_int_equal(mkdir(dir, 0777), 0);
    FILE *fp = fopen(path_of("keep/mine.txt"), "w");
    fclose(fp);
    struct output *o = output_begin(NULL, dir, OUTPUT_DIR, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, "stored.svg", "<svg/>");
    assert_false(exists(path_of("keep/stored.svg")));
    assert_int_equal(output_commit(o), 0);
    assert_true(exists(path_of("keep/stored.svg")));
    assert_int_equal(entries(dir), 2);
}

static void test_an_input_is_never_overwritten(void **state)
{
    (void)state;
    char err[512];
    const char *in = path_of("in.json");
    FILE *fp = fopen(in, "w");
    fputs("export", fp);
    fclose(fp);
    const char *inputs[] = {in};
    /* the same file by another spelling, and through a link */
    char other[600];
    snprintf(other, sizeof other, "%s/./sub/../in.json", root);
    assert_int_equal(mkdir(path_of("sub"), 0777), 0);
    assert_null(output_begin(NULL, other, OUTPUT_FILE, inputs, 1, err, sizeof err));
    assert_non_null(strstr(err, "is one of the input files"));
    assert_int_equal(symlink(in, path_of("link.json")), 0);
    assert_null(output_begin(NULL, path_of("link.json"), OUTPUT_FILE, inputs, 1, err, sizeof err));
    /* inside a directory output: the named file is refused when opened */
    struct output *o = output_begin(NULL, root, OUTPUT_DIR, inputs, 1, err, sizeof err);
    assert_non_null(o);
    assert_null(output_open(o, "in.json"));
    output_abort(o);
    fp = fopen(in, "r");
    char buf[16] = "";
    assert_non_null(fgets(buf, sizeof buf, fp));
    fclose(fp);
    assert_string_equal(buf, "export");
}

static void test_an_input_directory_is_not_an_output_directory(void **state)
{
    (void)state;
    char err[512];
    const char *dir = path_of("export-dir");
    assert_int_equal(mkdir(dir, 0777), 0);
    const char *inputs[] = {dir};
    assert_null(output_begin(NULL, dir, OUTPUT_DIR, inputs, 1, err, sizeof err));
    assert_non_null(strstr(err, "input export directory"));
    /* nothing is written inside it either: a file, or a new directory in it */
    assert_null(output_begin(NULL, path_of("export-dir/out.json"), OUTPUT_FILE, inputs, 1, err, sizeof err));
    assert_non_null(strstr(err, "lies inside an input export directory"));
    assert_null(output_begin(NULL, path_of("export-dir/new/sub"), OUTPUT_DIR, inputs, 1, err, sizeof err));
    assert_false(exists(path_of("export-dir/new")));
}

static void test_a_file_in_the_way_is_named(void **state)
{
    (void)state;
    char err[512];
    FILE *fp = fopen(path_of("plain"), "w");
    fclose(fp);
    assert_null(output_begin(NULL, path_of("plain/out.json"), OUTPUT_FILE, NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "is not a directory"));
    assert_null(output_begin(NULL, path_of("plain"), OUTPUT_DIR, NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "is not a directory"));
    /* named as a directory ("plain/"), or through it: refused at the start, not at the commit */
    char named[600];
    snprintf(named, sizeof named, "%s/", path_of("plain"));
    assert_null(output_begin(NULL, named, OUTPUT_DIR, NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "plain/: cannot write: Not a directory"));
    assert_null(output_begin(NULL, path_of("plain/sub"), OUTPUT_DIR, NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "plain/sub: cannot write: Not a directory"));
}

static void test_path_is_dir(void **state)
{
    (void)state;
    assert_true(output_path_is_dir(root));
    assert_true(output_path_is_dir("not-there-yet/"));
    assert_false(output_path_is_dir("not-there-yet"));
}

static void test_a_link_is_written_through(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(mkdir(path_of("ln"), 0777), 0);
    put_file(path_of("ln/target.txt"), "old\n");
    /* a chain of two relative links: each is read relative to its own directory */
    assert_int_equal(symlink("target.txt", path_of("ln/first")), 0);
    assert_int_equal(symlink("ln/first", path_of("second")), 0);
    struct output *o = output_begin(NULL, path_of("second"), OUTPUT_FILE, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, NULL, "new\n");
    assert_string_equal(first_line(path_of("ln/target.txt")), "old\n");   /* nothing before commit */
    assert_int_equal(output_commit(o), 0);
    assert_true(is_link(path_of("second")));
    assert_true(is_link(path_of("ln/first")));
    assert_string_equal(first_line(path_of("ln/target.txt")), "new\n");
    assert_int_equal(entries(path_of("ln")), 2);   /* the temporary file was beside the target, and is gone */
    /* a dangling link: its target is created, missing directories too; an abort leaves none */
    assert_int_equal(symlink("ln/sub/made.txt", path_of("dangling")), 0);
    o = output_begin(NULL, path_of("dangling"), OUTPUT_FILE, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, NULL, "half");
    output_abort(o);
    assert_false(exists(path_of("ln/sub")));
    o = output_begin(NULL, path_of("dangling"), OUTPUT_FILE, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, NULL, "made\n");
    assert_int_equal(output_commit(o), 0);
    assert_true(is_link(path_of("dangling")));
    assert_string_equal(first_line(path_of("ln/sub/made.txt")), "made\n");
}

static void test_a_link_loop_is_an_error(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(symlink("loop-b", path_of("loop-a")), 0);
    assert_int_equal(symlink("loop-a", path_of("loop-b")), 0);
    assert_null(output_begin(NULL, path_of("loop-a"), OUTPUT_FILE, NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "loop-a: cannot write:"));
    assert_true(is_link(path_of("loop-a")));
}

static void test_a_link_into_an_input_directory_is_refused(void **state)
{
    (void)state;
    char err[512];
    char dir[512];   /* path_of() reuses its buffers */
    snprintf(dir, sizeof dir, "%s", path_of("linked-export"));
    assert_int_equal(mkdir(dir, 0777), 0);
    const char *inputs[] = {dir};
    assert_int_equal(symlink("linked-export/new.json", path_of("into-export")), 0);
    assert_null(output_begin(NULL, path_of("into-export"), OUTPUT_FILE, inputs, 1, err, sizeof err));
    assert_non_null(strstr(err, "links into an input export directory"));
    assert_int_equal(entries(dir), 0);
}

/* A FIFO (what a device is to this code, without needing root to make one) is opened and
 * written where it is: the reader gets the bytes, and it is still a FIFO afterwards. */
static void test_a_fifo_is_written_in_place(void **state)
{
    (void)state;
    char err[512];
    char fifo[512];   /* path_of() reuses its buffers */
    snprintf(fifo, sizeof fifo, "%s", path_of("fifo-dir/pipe"));
    assert_int_equal(mkdir(path_of("fifo-dir"), 0777), 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);   /* a reader, so opening it to write does not block */
    assert_true(rd >= 0);
    struct output *o = output_begin(NULL, fifo, OUTPUT_FILE, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, NULL, "through the pipe\n");
    assert_int_equal(output_commit(o), 0);
    char buf[64] = "";
    ssize_t n = read(rd, buf, sizeof buf - 1);
    close(rd);
    assert_int_equal(n, 17);
    assert_string_equal(buf, "through the pipe\n");
    struct stat st;
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(entries(path_of("fifo-dir")), 1);   /* no temporary file beside it */
}

static void test_a_directory_output_writes_through_its_links(void **state)
{
    (void)state;
    char err[512];
    char dir[512];   /* path_of() reuses its buffers */
    snprintf(dir, sizeof dir, "%s", path_of("with-links"));
    assert_int_equal(mkdir(dir, 0777), 0);
    put_file(path_of("elsewhere.csv"), "old\n");
    assert_int_equal(symlink("../elsewhere.csv", path_of("with-links/summary.csv")), 0);
    /* an abort leaves the target as it was and nothing beside it */
    struct output *o = output_begin(NULL, dir, OUTPUT_DIR, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, "summary.csv", "half\n");
    output_abort(o);
    assert_string_equal(first_line(path_of("elsewhere.csv")), "old\n");
    size_t before = entries(root);
    o = output_begin(NULL, dir, OUTPUT_DIR, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, "summary.csv", "new\n");
    write_text(o, "daily.csv", "b\n");
    assert_int_equal(output_commit(o), 0);
    assert_true(is_link(path_of("with-links/summary.csv")));
    assert_string_equal(first_line(path_of("elsewhere.csv")), "new\n");
    assert_string_equal(first_line(path_of("with-links/daily.csv")), "b\n");
    assert_int_equal(entries(dir), 2);
    assert_int_equal(entries(root), before);
}

/* "-" from the current directory: standard output for one document, refused for several
 * files, whether or not a directory named "-" is there; nothing is created either way. */
static void test_dash_is_standard_output(void **state)
{
    (void)state;
    char err[512], cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(mkdir(path_of("dash"), 0777), 0);
    assert_int_equal(chdir(path_of("dash")), 0);
    assert_true(output_is_stdout("-"));
    assert_false(output_is_stdout(NULL));
    assert_false(output_is_stdout("./-"));
    struct output *o = output_begin(NULL, "-", OUTPUT_FILE, NULL, 0, err, sizeof err);
    assert_non_null(o);
    FILE *fp = output_open(o, NULL);
    assert_ptr_equal(fp, stdout);
    assert_int_equal(output_close(o, fp), 0);
    assert_int_equal(output_commit(o), 0);
    assert_null(output_begin(NULL, "-", OUTPUT_DIR, NULL, 0, err, sizeof err));
    assert_string_equal(err, "-o -: this output is several files, and standard output takes one: give -o DIR");
    assert_int_equal(entries("."), 0);
    /* a directory named "-" is reached as ./-, and does not make "-" a directory output */
    assert_int_equal(mkdir("-", 0777), 0);
    assert_false(output_path_is_dir("-"));
    assert_true(output_path_is_dir("./-"));
    assert_null(output_begin(NULL, "-", OUTPUT_DIR, NULL, 0, err, sizeof err));
    assert_int_equal(entries("-"), 0);
    assert_int_equal(chdir(cwd), 0);
}

/* A dangling symbolic link named as a new directory (with or without a trailing /): the
 * directory it points at is created at commit, missing parents too, and the link stays; an
 * abort leaves the link dangling and creates nothing. */
static void test_a_dangling_link_is_a_new_directory(void **state)
{
    (void)state;
    char err[512], link[512];
    snprintf(link, sizeof link, "%s", path_of("dir-link"));
    assert_int_equal(symlink("made/sub", link), 0);
    struct output *o = output_begin(NULL, link, OUTPUT_DIR, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, "summary.csv", "a\n");
    output_abort(o);
    assert_false(exists(path_of("made")));
    assert_true(is_link(link));
    strcat(link, "/");
    o = output_begin(NULL, link, OUTPUT_DIR, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, "summary.csv", "a\n");
    write_text(o, "daily.csv", "b\n");
    assert_false(exists(path_of("made/sub")));
    assert_int_equal(output_commit(o), 0);
    assert_true(is_link(path_of("dir-link")));
    assert_int_equal(entries(path_of("made/sub")), 2);
    assert_int_equal(entries(path_of("made")), 1);   /* the staging directory is gone */
    assert_string_equal(first_line(path_of("dir-link/daily.csv")), "b\n");
}

/* A dangling link higher up the path (-o LINK/deeper/out.json) is created through as well. */
static void test_a_dangling_link_in_the_path_is_created_through(void **state)
{
    (void)state;
    char err[512], out[512];
    snprintf(out, sizeof out, "%s", path_of("mid-link/deeper/out.json"));
    assert_int_equal(symlink("mid-target", path_of("mid-link")), 0);
    struct output *o = output_begin(NULL, out, OUTPUT_FILE, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, NULL, "half");
    output_abort(o);
    assert_false(exists(path_of("mid-target")));
    o = output_begin(NULL, out, OUTPUT_FILE, NULL, 0, err, sizeof err);
    assert_non_null(o);
    write_text(o, NULL, "{}\n");
    assert_int_equal(output_commit(o), 0);
    assert_true(is_link(path_of("mid-link")));
    assert_string_equal(first_line(path_of("mid-target/deeper/out.json")), "{}\n");
}

/* Links that cannot be created through are refused with a one-line reason naming the path:
 * into an input export directory, or into themselves. */
static void test_a_dangling_directory_link_is_refused_when_it_must_be(void **state)
{
    (void)state;
    char err[512], dir[512];
    snprintf(dir, sizeof dir, "%s", path_of("export-2"));
    assert_int_equal(mkdir(dir, 0777), 0);
    const char *inputs[] = {dir};
    assert_int_equal(symlink("export-2/new", path_of("into-export-2")), 0);
    assert_null(output_begin(NULL, path_of("into-export-2"), OUTPUT_DIR, inputs, 1, err, sizeof err));
    assert_non_null(strstr(err, "into-export-2: links into an input export directory"));
    assert_int_equal(symlink("export-2/new", path_of("mid-into-export-2")), 0);
    assert_null(output_begin(NULL, path_of("mid-into-export-2/out"), OUTPUT_DIR, inputs, 1, err, sizeof err));
    assert_non_null(strstr(err, "mid-into-export-2: links into an input export directory"));
    assert_int_equal(entries(dir), 0);
    assert_int_equal(symlink("self-loop/x", path_of("self-loop")), 0);
    assert_null(output_begin(NULL, path_of("self-loop"), OUTPUT_DIR, NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "self-loop: cannot create the directory: Too many levels of symbolic links"));
    assert_true(is_link(path_of("self-loop")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_appears_only_at_commit),
        cmocka_unit_test(test_aborted_file_leaves_nothing_not_even_parents),
        cmocka_unit_test(test_new_directory_appears_whole),
        cmocka_unit_test(test_aborted_directory_leaves_nothing),
        cmocka_unit_test(test_existing_directory_gets_the_files_and_keeps_others),
        cmocka_unit_test(test_an_input_is_never_overwritten),
        cmocka_unit_test(test_an_input_directory_is_not_an_output_directory),
        cmocka_unit_test(test_a_file_in_the_way_is_named),
        cmocka_unit_test(test_path_is_dir),
        cmocka_unit_test(test_a_link_is_written_through),
        cmocka_unit_test(test_a_link_loop_is_an_error),
        cmocka_unit_test(test_a_link_into_an_input_directory_is_refused),
        cmocka_unit_test(test_a_fifo_is_written_in_place),
        cmocka_unit_test(test_a_directory_output_writes_through_its_links),
        cmocka_unit_test(test_dash_is_standard_output),
        cmocka_unit_test(test_a_dangling_link_is_a_new_directory),
        cmocka_unit_test(test_a_dangling_link_in_the_path_is_created_through),
        cmocka_unit_test(test_a_dangling_directory_link_is_refused_when_it_must_be),
    };
    return cmocka_run_group_tests(tests, make_root, remove_root);
}
