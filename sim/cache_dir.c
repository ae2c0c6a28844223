/* cache_dir.c - the model cache's directory (cache_dir.h): made on first use, kept to a budget
 * by removing the images used least recently. */
#include "cache_dir.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "timeu.h"

/* mkdir -p, private to the user. */
static bool make_dirs(char *path)
{
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p) continue;
        char c = *p;
        *p = '\0';
        bool ok = mkdir(path, 0700) == 0 || errno == EEXIST;
        *p = c;
        if (!ok) return false;
        if (!c) return true;
    }
}

bool cache_dir_open(const char *override, char *buf, size_t len, char *why, size_t whylen)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int k;
    if (override) k = snprintf(buf, len, "%s", override);
    else if (xdg && xdg[0] == '/') k = snprintf(buf, len, "%s/purgesim", xdg);   /* XDG: absolute only */
    else if (home && home[0] == '/') k = snprintf(buf, len, "%s/.cache/purgesim", home);
    else {
        snprintf(why, whylen, "neither XDG_CACHE_HOME nor HOME is set");
        return false;
    }
    if (k <= 0 || (size_t)k >= len) {
        snprintf(why, whylen, "cache directory path too long");
        return false;
    }
    if (!make_dirs(buf) || access(buf, W_OK | X_OK) != 0) {
        snprintf(why, whylen, "%.400s: %s", buf, strerror(errno));
        return false;
    }
    return true;
}

#define CACHE_BUDGET_DEFAULT "2G"
#define CACHE_TMP_AGE_NS TIMEU_NS_PER_DAY   /* a write's leftover: it was interrupted */

/* "N", "NK", "NM" or "NG" (powers of 1024) as bytes; false for anything else. */
static bool parse_size(const char *v, uint64_t *out)
{
    if (!(*v >= '0' && *v <= '9')) return false;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10;
    else if (*end == 'M' || *end == 'm') shift = 20;
    else if (*end == 'G' || *end == 'g') shift = 30;
    if (shift) end++;
    if (errno || *end || n > (UINT64_MAX >> shift)) return false;
    *out = (uint64_t)n << shift;
    return true;
}

/* The directory's budget in bytes, from $PURGESIM_CACHE_MAX (else CACHE_BUDGET_DEFAULT); `label`
 * gets its text for messages. */
static uint64_t cache_budget(char label[32])
{
    const char *v = getenv("PURGESIM_CACHE_MAX");
    uint64_t b;
    if (v && *v && parse_size(v, &b)) {
        snprintf(label, 32, "%s", v);
        return b;
    }
    if (v && *v)
        fprintf(stderr, "purgesim: PURGESIM_CACHE_MAX: expected a size such as 500M or 2G, got '%.40s'; using %s\n", v,
                CACHE_BUDGET_DEFAULT);
    snprintf(label, 32, "%s", CACHE_BUDGET_DEFAULT);
    parse_size(CACHE_BUDGET_DEFAULT, &b);
    return b;
}

struct cache_entry {
    char *name;
    int64_t used_ns;               /* mtime: written, or last hit */
    uint64_t bytes;
};

static int entry_newest_first(const void *a, const void *b)
{
    const struct cache_entry *x = a, *y = b;
    if (x->used_ns != y->used_ns) return x->used_ns > y->used_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

/* Each export read leaves an image (about 350 MB for 1M manifests), and monthly exports to new
 * paths would fill the disk. Files that are not images are never touched. */
size_t cache_dir_prune(const char *dir, const char *keep, char budget_text[32])
{
    budget_text[0] = '\0';
    DIR *dp = opendir(dir);
    if (!dp) return 0;
    struct cache_entry *e = NULL;
    size_t n = 0, cap = 0;
    struct timespec now_ts;
    clock_gettime(CLOCK_REALTIME, &now_ts);
    int64_t now = timeu_timespec_ns(now_ts);
    char path[4400];
    for (struct dirent *de; (de = readdir(dp));) {
        bool image = ends_with(de->d_name, ".model"), tmp = strstr(de->d_name, ".model.tmp.") != NULL;
        struct stat st;
        if (!image && !tmp) continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (tmp) {
            if (timeu_timespec_ns(st.st_mtim) < now - CACHE_TMP_AGE_NS) unlink(path);
            continue;
        }
        xgrow((void **)&e, &cap, n + 1, sizeof *e);
        char *copy = strdup(de->d_name);
        if (!copy) break;   /* out of memory: prune what is listed */
        e[n++] = (struct cache_entry){copy, timeu_timespec_ns(st.st_mtim), (uint64_t)st.st_size};
    }
    closedir(dp);
    if (n > 1) qsort(e, n, sizeof *e, entry_newest_first);
    uint64_t budget = cache_budget(budget_text), total = 0;
    size_t removed = 0;
    for (size_t i = 0; i < n; i++) if (!strcmp(e[i].name, keep)) total += e[i].bytes;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(e[i].name, keep)) continue;
        if (total + e[i].bytes <= budget) {
            total += e[i].bytes;
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, e[i].name);
        if (unlink(path) == 0) removed++;
    }
    for (size_t i = 0; i < n; i++) free(e[i].name);
    free(e);
    return removed;
}
