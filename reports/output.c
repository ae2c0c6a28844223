/* output.c - writing files whole or not at all (output.h). */
#include "output.h"

#include <assert.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"

#define OUTPUT_MAX_PATH 4096
#define OUTPUT_MAX_CREATED 64   /* parent directories we made, removed again on abort */
#define OUTPUT_MAX_LINKS 40     /* symbolic links followed from one path, as Linux's SYMLOOP_MAX */

struct file_id {
    dev_t dev;
    ino_t ino;
    bool dir;                  /* an export directory: nothing may be written inside it */
};

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* One file being written: where its bytes end up and how they get there. */
struct out_file {
    char *name;    /* OUTPUT_DIR: its name inside the directory; NULL for OUTPUT_FILE */
    char *target;  /* where it ends up, symbolic links followed; NULL: `name` in the staging directory */
    char *stage;   /* the temporary file renamed over target at commit; NULL: target is written in place */
    FILE *fp;      /* from output_open(), to name the file in output_close()'s message */
};

struct output {
    char command[32];                /* whose messages: "purgesim COMMAND: ...", or "purgesim: ..." */
    enum output_kind kind;
    char path[OUTPUT_MAX_PATH];      /* the file, or the directory, as the user named it */
    char target[OUTPUT_MAX_PATH];    /* OUTPUT_DIR, new: where it ends up, symbolic links followed */
    char stage[OUTPUT_MAX_PATH * 2 + 64]; /* OUTPUT_DIR: the staging directory */
    bool dir_existed;                /* OUTPUT_DIR: files are moved into it one by one */
    struct file_id *inputs;
    size_t n_inputs;
    struct out_file file;            /* OUTPUT_FILE */
    struct out_file *files;          /* OUTPUT_DIR: the files opened, in order */
    size_t n_files;
    char *created[OUTPUT_MAX_CREATED];
    size_t n_created;
};

/* One line on stderr in the command line's error style, for what goes wrong after
 * output_begin() (whose own reasons go to the caller, which says them in that style). */
static void say(const struct output *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct output *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "purgesim%s%s: ", o->command[0] ? " " : "", o->command);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool output_is_stdout(const char *path)
{
    return path && !strcmp(path, "-");
}

bool output_path_is_dir(const char *path)
{
    struct stat st;
    size_t n = strlen(path);
    if (output_is_stdout(path)) return false;   /* even beside a directory named "-" */
    return (n && path[n - 1] == '/') || (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

/* Whether path (existing or not) lies inside an input directory: a file written there could be
 * one of the export's files, or be read as one next time. */
static bool inside_input_dir(const struct output *o, const char *path)
{
    char p[OUTPUT_MAX_PATH * 2];
    if (path[0] == '/') {
        snprintf(p, sizeof p, "%s", path);
    } else {
        char cwd[OUTPUT_MAX_PATH];
        if (!getcwd(cwd, sizeof cwd)) return false;
        snprintf(p, sizeof p, "%s/%s", cwd, path);
    }
    /* each ancestor that exists, compared by device and inode: spelling does not matter */
    for (;;) {
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            for (size_t i = 0; i < o->n_inputs; i++)
                if (o->inputs[i].dir && o->inputs[i].dev == st.st_dev && o->inputs[i].ino == st.st_ino) return true;
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) return false;
        *slash = '\0';
    }
}

static bool same_as_input(const struct output *o, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return false;
    for (size_t i = 0; i < o->n_inputs; i++)
        if (o->inputs[i].dev == st.st_dev && o->inputs[i].ino == st.st_ino) return true;
    return false;
}

/* Drops the trailing slashes of path in place ("/" stays): "dir/" names the same directory, or
 * the same symbolic link, as "dir". */
static void strip_slashes(char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') path[--n] = '\0';
}

static bool is_link(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static int follow_links(const char *path, char *buf, size_t len);
static int make_dirs_at(struct output *o, const char *dir, int depth, char *err, size_t errlen);

/* A directory to create that is a dangling symbolic link: the directory it points at is created
 * instead and the link stays, as -o writes through a dangling link to a file. mkdir() on the
 * link would fail with EEXIST, which says nothing of the missing target. `depth` counts the
 * links followed so far: links that point back into themselves end in ELOOP, not recursion. */
static int make_link_target(struct output *o, const char *link, int depth, char *err, size_t errlen)
{
    char target[OUTPUT_MAX_PATH];
    if (depth >= OUTPUT_MAX_LINKS) errno = ELOOP;
    if (depth >= OUTPUT_MAX_LINKS || follow_links(link, target, sizeof target) != 0) {
        snprintf(err, errlen, "%s: cannot create the directory: %s", link, strerror(errno));
        return -1;
    }
    if (inside_input_dir(o, target)) {
        snprintf(err, errlen, "%s: links into an input export directory; write the output elsewhere", link);
        return -1;
    }
    return make_dirs_at(o, target, depth + 1, err, errlen);
}

/* mkdir -p for the directories above and including `dir`, remembering what it made. */
static int make_dirs_at(struct output *o, const char *dir, int depth, char *err, size_t errlen)
{
    char buf[OUTPUT_MAX_PATH];
    snprintf(buf, sizeof buf, "%s", dir);
    strip_slashes(buf);
    for (char *p = buf + 1;; p++) {
        bool end = *p == '\0';
        if (*p != '/' && !end) continue;
        *p = '\0';
        struct stat st;
        bool missing = stat(buf, &st) != 0;
        if (missing && is_link(buf)) {
            if (make_link_target(o, buf, depth, err, errlen) != 0) return -1;
        } else if (missing) {
            if (mkdir(buf, 0777) != 0) {
                snprintf(err, errlen, "%s: cannot create the directory: %s", buf, strerror(errno));
                return -1;
            }
            if (o->n_created < OUTPUT_MAX_CREATED) o->created[o->n_created++] = copy_string(buf);
        } else if (!S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: cannot create it: %s is not a directory", o->path, buf);
            return -1;
        }
        if (end) break;
        *p = '/';
    }
    return 0;
}

static int make_dirs(struct output *o, const char *dir, char *err, size_t errlen)
{
    return make_dirs_at(o, dir, 0, err, errlen);
}

static void remove_created(struct output *o)
{
    while (o->n_created) {
        char *d = o->created[--o->n_created];
        rmdir(d);
        free(d);
    }
}

static void out_file_free(struct out_file *f)
{
    free(f->name);
    free(f->target);
    free(f->stage);
}

static void output_free(struct output *o)
{
    out_file_free(&o->file);
    for (size_t i = 0; i < o->n_files; i++) out_file_free(&o->files[i]);
    free(o->files);
    for (size_t i = 0; i < o->n_created; i++) free(o->created[i]);
    free(o->inputs);
    free(o);
}

/* The directory part of path ("." when it has none). */
static void dir_of(const char *path, char *buf, size_t len)
{
    char tmp[OUTPUT_MAX_PATH];
    snprintf(tmp, sizeof tmp, "%s", path);
    snprintf(buf, len, "%s", dirname(tmp));
}

/* The file `path` names once its chain of symbolic links is followed, into buf. It need not exist
 * (a dangling link is written through, as the shell's > does). Only the last component needs
 * following: a linked directory higher up is the same directory whichever way rename() reaches
 * it. Returns 0, or -1 with errno set. */
static int follow_links(const char *path, char *buf, size_t len)
{
    char cur[OUTPUT_MAX_PATH], link[OUTPUT_MAX_PATH];
    if (strlen(path) >= sizeof cur) return errno = ENAMETOOLONG, -1;
    snprintf(cur, sizeof cur, "%s", path);
    for (int hops = 0;; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) break;
        if (hops == OUTPUT_MAX_LINKS) return errno = ELOOP, -1;
        ssize_t n = readlink(cur, link, sizeof link);
        if (n < 0) return -1;
        if ((size_t)n >= sizeof link) return errno = ENAMETOOLONG, -1;
        link[n] = '\0';
        char dir[OUTPUT_MAX_PATH];
        dir_of(cur, dir, sizeof dir);   /* a relative link is relative to the link's own directory */
        int k = link[0] == '/' ? snprintf(cur, sizeof cur, "%s", link) : snprintf(cur, sizeof cur, "%s/%s", dir, link);
        if (k < 0 || (size_t)k >= sizeof cur) return errno = ENAMETOOLONG, -1;
    }
    if (strlen(cur) >= len) return errno = ENAMETOOLONG, -1;
    snprintf(buf, len, "%s", cur);
    return 0;
}

/* Whether path is (or links to) a device, FIFO or socket. Those are opened and written where
 * they are: renaming a file over one would destroy it (-o /dev/null would leave a regular file
 * there), and what was written to one cannot be staged anyway. */
static bool written_in_place(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* Decides how the file `path` is written (f->target, f->stage): through its symbolic links, in
 * place when it is a device or FIFO, else as a temporary file beside its target (missing parent
 * directories made), renamed over it at commit. Refuses a link into an input directory. */
static int plan_file(struct output *o, const char *path, struct out_file *f, char *err, size_t errlen)
{
    if (written_in_place(path)) {
        /* opened by the name given: open() follows /proc's links too, which readlink() cannot
         * (/dev/stdout on a pipe reads "pipe:[N]") */
        f->target = copy_string(path);
        return 0;
    }
    char target[OUTPUT_MAX_PATH];
    if (follow_links(path, target, sizeof target) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    if (strcmp(target, path) && inside_input_dir(o, target)) {
        snprintf(err, errlen, "%s: links into an input export directory; write the output elsewhere", path);
        return -1;
    }
    f->target = copy_string(target);
    char parent[OUTPUT_MAX_PATH], stage[OUTPUT_MAX_PATH + 32];
    dir_of(target, parent, sizeof parent);
    if (make_dirs(o, parent, err, errlen) != 0) return -1;
    snprintf(stage, sizeof stage, "%s.tmp.%ld", target, (long)getpid());
    f->stage = copy_string(stage);
    return 0;
}

static int begin_file(struct output *o, char *err, size_t errlen)
{
    struct stat st;
    if (same_as_input(o, o->path)) {
        snprintf(err, errlen, "%s: is one of the input files; refusing to overwrite it", o->path);
        return -1;
    }
    if (inside_input_dir(o, o->path)) {
        snprintf(err, errlen, "%s: lies inside an input export directory; write the output elsewhere", o->path);
        return -1;
    }
    if (stat(o->path, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* said before the work, not after it */
        snprintf(err, errlen, "%s: is a directory; this output is one file", o->path);
        return -1;
    }
    return plan_file(o, o->path, &o->file, err, errlen);
}

/* A new output directory (o->target, o->stage): staged beside where it ends up, renamed into
 * place at commit. A dangling symbolic link named as the directory creates the directory it
 * points at and stays a link, as -o FILE writes a dangling link's target; renaming the staging
 * directory over the link itself would fail (ENOTDIR) after all the work. */
static int plan_new_dir(struct output *o, char *err, size_t errlen)
{
    char path[OUTPUT_MAX_PATH], parent[OUTPUT_MAX_PATH], base[OUTPUT_MAX_PATH];
    snprintf(path, sizeof path, "%s", o->path);
    strip_slashes(path);   /* "link/" names the link as "link" does (lstat would follow it) */
    if (follow_links(path, o->target, sizeof o->target) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", o->path, strerror(errno));
        return -1;
    }
    strip_slashes(o->target);   /* a link to "new/": rename() to a name ending in / is unusual */
    if (strcmp(o->target, path) && inside_input_dir(o, o->target)) {
        snprintf(err, errlen, "%s: links into an input export directory; write the output elsewhere", o->path);
        return -1;
    }
    dir_of(o->target, parent, sizeof parent);
    if (make_dirs(o, parent, err, errlen) != 0) return -1;
    snprintf(base, sizeof base, "%s", o->target);
    snprintf(o->stage, sizeof o->stage, "%s/.%s.tmp.%ld", parent, basename(base), (long)getpid());
    return 0;
}

static int begin_dir(struct output *o, char *err, size_t errlen)
{
    struct stat st;
    if (same_as_input(o, o->path) || inside_input_dir(o, o->path)) {
        bool dir = stat(o->path, &st) == 0 && S_ISDIR(st.st_mode);
        snprintf(err, errlen, dir || !same_as_input(o, o->path)
                                  ? "%s: is, or lies inside, an input export directory; write the output elsewhere"
                                  : "%s: is one of the input files; refusing to overwrite it",
                 o->path);
        return -1;
    }
    if (stat(o->path, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: exists and is not a directory (this format writes several files)", o->path);
            return -1;
        }
        o->dir_existed = true;
        snprintf(o->stage, sizeof o->stage, "%s/.purgesim.tmp.%ld", o->path, (long)getpid());
    } else if (errno == ENOTDIR) {
        /* "file/", "file/sub": said now, not by the rename after all the work */
        snprintf(err, errlen, "%s: cannot write: %s", o->path, strerror(errno));
        return -1;
    } else if (plan_new_dir(o, err, errlen) != 0) {
        return -1;
    }
    if (mkdir(o->stage, 0777) != 0) {
        /* the files are written in a directory beside the target (or in it) first */
        int e = errno;
        char dir[OUTPUT_MAX_PATH];
        if (o->dir_existed) snprintf(dir, sizeof dir, "%s", o->path);
        else dir_of(o->target, dir, sizeof dir);
        snprintf(err, errlen, "%s: cannot write: cannot create a temporary directory in %s: %s", o->path, dir,
                 strerror(e));
        return -1;
    }
    return 0;
}

/* Whether `path` can name this output at all, before anything is looked up or created. */
static bool path_usable(const char *path, enum output_kind kind, char *err, size_t errlen)
{
    if (output_is_stdout(path) && kind == OUTPUT_DIR)
        snprintf(err, errlen, "-o -: this output is several files, and standard output takes one: give -o DIR");
    else if (!*path)
        snprintf(err, errlen, "-o: an empty path");
    else if (strlen(path) >= OUTPUT_MAX_PATH - 64)
        snprintf(err, errlen, "%.64s...: the output path is too long", path);
    else
        return true;
    return false;
}

struct output *output_begin(const char *command, const char *path, enum output_kind kind,
                            const char *const *inputs, size_t n_inputs, char *err, size_t errlen)
{
    if (path && !path_usable(path, kind, err, errlen)) return NULL;
    struct output *o = xcalloc(1, sizeof *o);
    snprintf(o->command, sizeof o->command, "%s", command ? command : "");
    /* "-" is standard output, as for most Unix tools; a file named "-" is still ./- */
    o->kind = path && !output_is_stdout(path) ? kind : OUTPUT_STDOUT;
    if (o->kind == OUTPUT_STDOUT) return o;
    snprintf(o->path, sizeof o->path, "%s", path);
    o->inputs = xcalloc(n_inputs ? n_inputs : 1, sizeof *o->inputs);
    for (size_t i = 0; i < n_inputs; i++) {
        struct stat st;
        if (stat(inputs[i], &st) == 0)
            o->inputs[o->n_inputs++] = (struct file_id){st.st_dev, st.st_ino, S_ISDIR(st.st_mode)};
    }
    int rc = o->kind == OUTPUT_FILE ? begin_file(o, err, errlen) : begin_dir(o, err, errlen);
    if (rc != 0) {
        remove_created(o);
        output_free(o);
        return NULL;
    }
    return o;
}

const char *output_path(const struct output *o, const char *name, char *buf, size_t len)
{
    if (o->kind == OUTPUT_STDOUT) snprintf(buf, len, "(standard output)");
    else if (o->kind == OUTPUT_FILE || !name) snprintf(buf, len, "%s", o->path);
    else snprintf(buf, len, "%s%s%s", o->path, o->path[strlen(o->path) - 1] == '/' ? "" : "/", name);
    return buf;
}

/* A file of a directory output: in the staging directory, unless the directory already holds a
 * symbolic link or a device by that name, which is written through as -o FILE would be. */
static struct out_file *add_dir_file(struct output *o, const char *name, const char *final)
{
    struct out_file f = {.name = copy_string(name)};
    struct stat st;
    if (o->dir_existed && lstat(final, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        char err[OUTPUT_MAX_PATH + 128];
        if (plan_file(o, final, &f, err, sizeof err) != 0) {
            say(o, "%s", err);
            out_file_free(&f);
            return NULL;
        }
    }
    o->files = xrealloc(o->files, (o->n_files + 1) * sizeof *o->files);
    o->files[o->n_files] = f;
    return &o->files[o->n_files++];
}

FILE *output_open(struct output *o, const char *name)
{
    if (o->kind == OUTPUT_STDOUT) return stdout;
    char path[OUTPUT_MAX_PATH * 3], final[OUTPUT_MAX_PATH * 3];
    struct out_file *f = &o->file;
    if (o->kind == OUTPUT_DIR) {
        assert(name && !strchr(name, '/'));   /* a plain file name inside the directory */
        output_path(o, name, final, sizeof final);
        if (same_as_input(o, final)) {
            say(o, "%s: is one of the input files; refusing to overwrite it", final);
            return NULL;
        }
        if (!(f = add_dir_file(o, name, final))) return NULL;
    }
    if (f->stage) snprintf(path, sizeof path, "%s", f->stage);
    else if (f->target) snprintf(path, sizeof path, "%s", f->target);
    else snprintf(path, sizeof path, "%s/%s", o->stage, name);
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        /* a file written beside its target first: where that fails (a directory such as /proc
         * that takes no new files), say so rather than blame the target, which may exist */
        int e = errno;
        char dir[OUTPUT_MAX_PATH], where[OUTPUT_MAX_PATH + 64] = "";
        if (f->stage) {
            dir_of(f->target, dir, sizeof dir);
            snprintf(where, sizeof where, "cannot create a temporary file in %s beside it: ", dir);
        }
        say(o, "%s: cannot write: %s%s", output_path(o, name, final, sizeof final), where, strerror(e));
    }
    f->fp = fp;
    return fp;
}

/* Flushes standard output. A failure is said as -o FILE's are: `-o - >full-disk` exiting 3
 * without a word would leave the user guessing. */
static int close_stdout(const struct output *o)
{
    if (fflush(stdout) == 0 && !ferror(stdout)) return 0;
    say(o, "standard output: cannot write: %s", strerror(errno ? errno : EIO));
    return -1;
}

int output_close(struct output *o, FILE *fp)
{
    if (!fp) return -1;
    if (fp == stdout) return close_stdout(o);
    const char *name = NULL;   /* a directory's file is named, not just the directory */
    for (size_t i = 0; i < o->n_files; i++)
        if (o->files[i].fp == fp) {
            name = o->files[i].name;
            o->files[i].fp = NULL;   /* closed: a later stream may get the same address */
        }
    bool bad = ferror(fp) != 0;
    if (fclose(fp) != 0) bad = true;
    char path[OUTPUT_MAX_PATH * 3];
    if (bad)
        say(o, "%s: cannot write: %s", output_path(o, name, path, sizeof path),
                strerror(errno ? errno : EIO));
    return bad ? -1 : 0;
}

/* Removes a file's temporary file, or its copy in the staging directory. What was written in
 * place (a device, a FIFO) cannot be taken back. */
static void remove_file_stage(const struct output *o, const struct out_file *f)
{
    char p[OUTPUT_MAX_PATH * 3];
    if (f->stage) {
        unlink(f->stage);
    } else if (!f->target && f->name) {
        snprintf(p, sizeof p, "%s/%s", o->stage, f->name);
        unlink(p);
    }
}

static void remove_staged(struct output *o)
{
    if (o->kind == OUTPUT_FILE) {
        remove_file_stage(o, &o->file);
    } else if (o->kind == OUTPUT_DIR) {
        for (size_t i = 0; i < o->n_files; i++) remove_file_stage(o, &o->files[i]);
        rmdir(o->stage);
    }
}

/* Moves one file into place: its temporary file over its target, or its copy in the staging
 * directory into the output directory (which existed before the run). */
static int commit_file(const struct output *o, const struct out_file *f)
{
    if (f->stage) return rename(f->stage, f->target);
    if (f->target) return 0;   /* written in place */
    char from[OUTPUT_MAX_PATH * 3], to[OUTPUT_MAX_PATH * 3];
    snprintf(from, sizeof from, "%s/%s", o->stage, f->name);
    snprintf(to, sizeof to, "%s/%s", o->path, f->name);
    return rename(from, to);
}

int output_commit(struct output *o)
{
    int rc = 0;
    if (o->kind == OUTPUT_FILE) {
        rc = commit_file(o, &o->file);
    } else if (o->kind == OUTPUT_DIR && !o->dir_existed) {
        if (rename(o->stage, o->target) != 0) rc = -1;
    } else if (o->kind == OUTPUT_DIR) {
        for (size_t i = 0; i < o->n_files && rc == 0; i++) rc = commit_file(o, &o->files[i]);
        if (rc == 0) rmdir(o->stage);
    }
    if (rc != 0) {
        say(o, "%s: cannot write: %s", o->path, strerror(errno));
        remove_staged(o);
        remove_created(o);
    }
    output_free(o);
    return rc;
}

void output_abort(struct output *o)
{
    if (!o) return;
    remove_staged(o);
    remove_created(o);
    output_free(o);
}
