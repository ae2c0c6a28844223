/* replay.c - runs one fuzz target's LLVMFuzzerTestOneInput on files, without libFuzzer, so
 * `make test` replays tests/fuzz/regress/<target>/ and tests/fuzz/corpus/<target>/ with any
 * compiler and with or without sanitizers.
 *
 * Usage: replay_<target> NAME PATH...    (PATH: a file, or a directory whose files are replayed
 * in name order; dot files are skipped)
 * Prints "ok fuzz/NAME/FILE" or "FAIL fuzz/NAME/FILE" per file on stdout, and why a file failed
 * on stderr. Each input runs in its own child process, so a crash, an abort from a failed
 * check, a sanitizer report (leaks included) or a hang (FUZZ_REPLAY_TIMEOUT seconds, default
 * 60) fails that file only. Exits 0 when it could run (the lines carry the verdict), 2 on
 * usage errors. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

static unsigned timeout_seconds(void)
{
    const char *s = getenv("FUZZ_REPLAY_TIMEOUT");
    if (!s || !*s) return 60;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v == 0 || v > 86400) return 60;
    return (unsigned)v;
}

/* Reads a whole file into an exactly sized buffer (so ASan sees reads past the input). */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return -1;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(fp);
                return -1;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) break;
    }
    int err = ferror(fp);
    fclose(fp);
    if (err) {
        free(buf);
        return -1;
    }
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    if (n) memcpy(exact, buf, n);
    free(buf);
    *out = exact;
    *len = n;
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Replays one file; returns 1 when it passed. */
static int replay_one(const char *name, const char *path, unsigned timeout)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "fuzz/%s/%s: fork: %s\n", name, base_name(path), strerror(errno));
        printf("FAIL fuzz/%s/%s\n", name, base_name(path));
        return 0;
    }
    if (pid == 0) {
        uint8_t *data;
        size_t len;
        if (read_file(path, &data, &len) != 0) {
            fprintf(stderr, "fuzz/%s/%s: cannot read: %s\n", name, base_name(path), strerror(errno));
            exit(3);
        }
        alarm(timeout);
        LLVMFuzzerTestOneInput(data, len);
        free(data);
        exit(0);   /* not _exit: LeakSanitizer checks at exit */
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            status = -1;
            break;
        }
    int ok = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
        if (status != -1 && WIFSIGNALED(status))
            fprintf(stderr, "fuzz/%s/%s: killed by signal %d%s\n", name, base_name(path), WTERMSIG(status),
                    WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
        else if (status != -1)
            fprintf(stderr, "fuzz/%s/%s: exit status %d\n", name, base_name(path), WEXITSTATUS(status));
    }
    printf("%s fuzz/%s/%s\n", ok ? "ok" : "FAIL", name, base_name(path));
    fflush(stdout);
    return ok;
}

static int skip_dot(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s NAME [FILE|DIR]...\n", argv[0]);
        return 2;
    }
    const char *name = argv[1];
    unsigned timeout = timeout_seconds();
    for (int a = 2; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) != 0) continue;   /* a missing directory has nothing to replay */
        if (!S_ISDIR(st.st_mode)) {
            replay_one(name, argv[a], timeout);
            continue;
        }
        struct dirent **ents;
        int n = scandir(argv[a], &ents, skip_dot, alphasort);
        if (n < 0) {
            fprintf(stderr, "fuzz/%s: cannot list %s: %s\n", name, argv[a], strerror(errno));
            printf("FAIL fuzz/%s/%s\n", name, base_name(argv[a]));
            continue;
        }
        for (int i = 0; i < n; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[a], ents[i]->d_name);
            struct stat fst;
            if (stat(path, &fst) == 0 && S_ISREG(fst.st_mode)) replay_one(name, path, timeout);
            free(ents[i]);
        }
        free(ents);
    }
    return 0;
}
