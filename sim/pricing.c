/* pricing.c - load the price table (small: read whole with cJSON). */
#include "pricing.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "input_kind.h"
#include "jstream.h"
#include "textfile.h"

#define PRICING_MAX_BYTES (4u << 20)
/* The default tables' directory below the source tree and below the installed data directory,
 * and the names of the tables in it: the undated acr-aud.json and acr-aud-YYYY-MM-DD.json */
#define PRICING_DIR_REL_SRC "data/pricing"
#define PRICING_DIR_REL_DATA "pricing"
#define PRICING_UNDATED "acr-aud.json"
#define PRICING_DATED_PREFIX "acr-aud-"
/* what --pricing takes, for the messages about a file that is not one */
#define PRICING_EXPECTED "a price table (a JSON object with currency, skus and overage_per_gb_day)"

/* What the last default lookup (one per run, made before any thread starts) returned, for
 * pricing_load(): the path and the label reports print for it, and, when it found no table,
 * the message and status pricing_load() gives for that path instead of opening it. */
static char default_path[4096];
static char default_label[4096];
static char missing_msg[12288];
static int missing_rc;

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

static bool get_number(const cJSON *o, const char *key, double *out, const char *file, struct diag *d)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0) {
        diag_error(d, file, 0, 0, key, "expected a non-negative number");
        return false;
    }
    *out = v->valuedouble;
    return true;
}

static char *get_string(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return dupstr(cJSON_IsString(v) ? v->valuestring : "");
}

/* A table has skus or overage_per_gb_day (a table missing either is still one, with an error
 * naming the key). */
static bool is_price_table(const cJSON *root)
{
    return cJSON_IsObject(root) && (cJSON_GetObjectItemCaseSensitive(root, "skus") ||
                                    cJSON_GetObjectItemCaseSensitive(root, "overage_per_gb_day"));
}

/* Says, when the head of the file (buf[0..n), perhaps cut at the size limit) is another input
 * (an export, an event log, a policy file ...), what it is in one message, and returns true:
 * "currency: expected a currency code" or "malformed JSON" would name a symptom, not the
 * mix-up. */
static bool other_input(const char *path, const char *buf, size_t n, struct diag *d)
{
    enum input_kind k = input_kind_of(buf, n);
    /* a table cut short or broken after its skus: its own error, not "a price table, not a price table" */
    if (k == INPUT_PRICES) return false;
    return input_kind_mixup(d, path, k, PRICING_EXPECTED);
}

/* A JSON value's kind, for "expected a JSON object, got ...". */
static const char *json_kind(const cJSON *v)
{
    return cJSON_IsArray(v) ? "an array" : cJSON_IsString(v) ? "a string" : cJSON_IsNumber(v) ? "a number"
         : cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false" : "null";
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\r\n", s[i]) || !s[i]) return false;
    return true;
}

/* The table's JSON object from the file's bytes buf[0..n) (n past PRICING_MAX_BYTES: too big),
 * or NULL with one message saying what is wrong, as every other input's reader says it: binary
 * or UTF-16 text, an empty file, another input (named), "FILE:LINE:COL: what" for JSON that
 * breaks off or goes wrong, JSON that is no object. */
static cJSON *parse_table(const char *path, const char *buf, size_t n, struct diag *d)
{
    if (!textfile_is_text(buf, n < 4096 ? n : 4096, 1, path, d)) return NULL;
    size_t bom = n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
    if (blank(buf + bom, n - bom)) {
        diag_msg(d, "%s: empty file, not %s", path, PRICING_EXPECTED);
        return NULL;
    }
    struct js_parse_error err;
    cJSON *root = n <= PRICING_MAX_BYTES ? js_parse_text(buf + bom, n - bom, 1, 1, &err) : NULL;
    if (!is_price_table(root) && other_input(path, buf, n, d)) {
        cJSON_Delete(root);
        return NULL;
    }
    if (n > PRICING_MAX_BYTES) diag_error(d, path, 0, 0, NULL, "pricing table larger than 4 MiB");
    else if (!root) diag_error(d, path, err.line, err.col, NULL, "%s", err.msg);
    else if (!cJSON_IsObject(root))
        diag_msg(d, "%s: expected a JSON object, got %s (a price table is an object with currency, skus and "
                    "overage_per_gb_day)", path, json_kind(root));
    else return root;
    cJSON_Delete(root);
    return NULL;
}

bool pricing_set_unit(struct pricing *p, const char *unit)
{
    double b;
    if (!strcmp(unit, "GiB")) b = 1073741824.0;
    else if (!strcmp(unit, "GB")) b = 1e9;
    else return false;
    free(p->unit);
    p->unit = dupstr(unit);
    p->unit_bytes = b;
    return true;
}

int pricing_load(const char *path, struct pricing *p, struct diag *d)
{
    memset(p, 0, sizeof *p);
    if (missing_msg[0] && !strcmp(path, default_path)) {
        diag_msg(d, "%s", missing_msg);
        return missing_rc;
    }
    FILE *fp = textfile_fopen(path);
    if (!fp) {
        diag_error(d, path, 0, 0, NULL, "cannot open pricing table: %s", strerror(errno));
        return ERR_IO;
    }
    char *buf = xmalloc(PRICING_MAX_BYTES + 1);
    size_t n = fread(buf, 1, PRICING_MAX_BYTES + 1, fp);
    bool read_error = ferror(fp);
    int err = errno;
    fclose(fp);
    if (read_error) {
        free(buf);
        diag_error(d, path, 0, 0, NULL, "cannot read pricing table: %s", strerror(err));
        return ERR_IO;
    }
    cJSON *root = parse_table(path, buf, n, d);
    free(buf);
    if (!root) return ERR_INPUT;
    int rc = ERR_INPUT;
    p->currency = get_string(root, "currency");
    p->date = get_string(root, "date");
    p->source = get_string(root, "source");
    p->label = dupstr(default_path[0] && !strcmp(path, default_path) ? default_label : path);
    char *unit = get_string(root, "unit");
    bool unit_ok = pricing_set_unit(p, *unit ? unit : "GiB");
    free(unit);
    if (!unit_ok) {
        diag_error(d, path, 0, 0, "unit", "expected \"GiB\" or \"GB\"");
        goto out;
    }
    if (!*p->currency) {
        diag_error(d, path, 0, 0, "currency", "expected a currency code");
        goto out;
    }
    if (!get_number(root, "overage_per_gb_day", &p->overage_per_unit_day, path, d)) goto out;
    const cJSON *fx = cJSON_GetObjectItemCaseSensitive(root, "exchange_rate");
    const cJSON *rate = fx ? cJSON_GetObjectItemCaseSensitive(fx, "rate") : NULL;
    if (cJSON_IsNumber(rate)) p->exchange_rate = rate->valuedouble;
    const cJSON *skus = cJSON_GetObjectItemCaseSensitive(root, "skus"), *s;
    if (!cJSON_IsObject(skus)) {
        diag_error(d, path, 0, 0, "skus", "expected an object of SKUs");
        goto out;
    }
    cJSON_ArrayForEach(s, skus)
    {
        if (p->n_skus == PRICING_MAX_SKUS) break;
        struct pricing_sku *k = &p->skus[p->n_skus];
        char key[96];
        snprintf(key, sizeof key, "skus.%s", s->string);
        if (!cJSON_IsObject(s)) {
            diag_error(d, path, 0, 0, key, "expected an object");
            goto out;
        }
        if (!get_number(s, "fee_per_day", &k->fee_per_day, path, d) ||
            !get_number(s, "included_gb", &k->included_units, path, d))
            goto out;
        k->name = dupstr(s->string);
        p->n_skus++;
    }
    rc = PS_OK;
out:
    cJSON_Delete(root);
    return rc;
}

const struct pricing_sku *pricing_find_sku(const struct pricing *p, const char *name)
{
    for (int i = 0; name && i < p->n_skus; i++)
        if (!strcasecmp(p->skus[i].name, name)) return &p->skus[i];
    return NULL;
}

/* "YYYY-MM-DD" (digits and dashes where a date has them) at s */
static bool is_ymd(const char *s)
{
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-') return false;
        } else if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

/* The table file names the lookup considers: acr-aud.json and acr-aud-YYYY-MM-DD.json */
static bool is_table_name(const char *name)
{
    if (!strcmp(name, PRICING_UNDATED)) return true;
    size_t np = strlen(PRICING_DATED_PREFIX);
    return !strncmp(name, PRICING_DATED_PREFIX, np) && is_ymd(name + np) && !strcmp(name + np + 10, ".json");
}

/* The date a table is in force from, into out[11]: its "date" when that is YYYY-MM-DD, else
 * the date in its file name, else "" (an undated acr-aud.json: older than every dated table).
 * False when the file cannot be read. */
static bool table_date(const char *path, const char *name, char out[11])
{
    out[0] = '\0';
    FILE *fp = textfile_fopen(path);
    if (!fp) return false;
    char *buf = xmalloc(PRICING_MAX_BYTES + 1);
    size_t n = fread(buf, 1, PRICING_MAX_BYTES + 1, fp);
    fclose(fp);
    cJSON *root = n <= PRICING_MAX_BYTES ? cJSON_ParseWithLength(buf, n) : NULL;
    free(buf);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "date");
    if (cJSON_IsString(v) && strlen(v->valuestring) >= 10 && is_ymd(v->valuestring)) {
        memcpy(out, v->valuestring, 10);
        out[10] = '\0';
    } else if (strcmp(name, PRICING_UNDATED)) {
        memcpy(out, name + strlen(PRICING_DATED_PREFIX), 10);
        out[10] = '\0';
    }
    cJSON_Delete(root);
    return true;
}

/* Whether table (when, name) is preferred to (best_when, best_name): a later date, then a dated
 * file name over acr-aud.json, then the later name (readdir's order must not matter) */
static bool table_newer(const char *when, const char *name, const char *best_when, const char *best_name)
{
    int c = strcmp(when, best_when);
    if (c) return c > 0;
    bool dated = strcmp(name, PRICING_UNDATED) != 0, best_dated = strcmp(best_name, PRICING_UNDATED) != 0;
    if (dated != best_dated) return dated;
    return strcmp(name, best_name) > 0;
}

int pricing_find_table(const char *dir, const char *date, char *buf, size_t len, char *tables,
                       size_t tables_len)
{
    if (tables && tables_len) tables[0] = '\0';
    DIR *dh = opendir(dir);
    if (!dh) return -1;
    char best_date[11] = "", best_name[256] = "";
    int found = 0, eligible = 0;
    size_t used = 0;
    struct dirent *e;
    /* readdir's order is the file system's: the choice below does not depend on it */
    while ((e = readdir(dh))) {
        if (!is_table_name(e->d_name) || strlen(e->d_name) >= sizeof best_name) continue;
        char path[4096], when[11];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
        if (access(path, R_OK) != 0 || !table_date(path, e->d_name, when)) continue;
        found++;
        if (tables && used < tables_len) {
            int w = snprintf(tables + used, tables_len - used, "%s%s (%s)", used ? ", " : "", e->d_name,
                             when[0] ? when : "undated");
            if (w > 0) used += (size_t)w;
        }
        if (date && strcmp(when, date) > 0) continue;
        /* the newest; on the same date a dated file name wins over acr-aud.json */
        if (!eligible || table_newer(when, e->d_name, best_date, best_name)) {
            snprintf(best_date, sizeof best_date, "%s", when);
            snprintf(best_name, sizeof best_name, "%s", e->d_name);
        }
        eligible++;
    }
    closedir(dh);
    if (!found) return -1;
    if (!eligible) return 0;
    snprintf(buf, len, "%s/%s", dir, best_name);
    return 1;
}

/* Sets what pricing_load() says for the path the lookup returns when it found nothing */
static const char *lookup_failed(char *buf, size_t len, const char *path, int rc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static const char *lookup_failed(char *buf, size_t len, const char *path, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(missing_msg, sizeof missing_msg, fmt, ap);
    va_end(ap);
    missing_rc = rc;
    snprintf(buf, len, "%s", path);
    snprintf(default_path, sizeof default_path, "%s", buf);
    snprintf(default_label, sizeof default_label, "%s", buf);
    return buf;
}

const char *pricing_default_path_for(const char *date, char *buf, size_t len)
{
    char day[11] = "";
    missing_msg[0] = default_path[0] = default_label[0] = '\0';
    if (date) {
        if (strlen(date) < 10 || !is_ymd(date) || (date[10] && date[10] != 'T' && date[10] != ' '))
            return lookup_failed(buf, len, "(--pricing-date)", ERR_USAGE,
                                 "--pricing-date: expected a date YYYY-MM-DD, got \"%s\"", date);
        memcpy(day, date, 10);
    }
    char tables[4096];
    const char *env = getenv("PURGESIM_PRICING");
    if (env && *env) {
        struct stat st;
        if (stat(env, &st) != 0 || !S_ISDIR(st.st_mode)) {
            /* a file: that table, whatever the date */
            snprintf(buf, len, "%s", env);
            snprintf(default_path, sizeof default_path, "%s", buf);
            snprintf(default_label, sizeof default_label, "%s", buf);
            return buf;
        }
        int r = pricing_find_table(env, date ? day : NULL, buf, len, tables, sizeof tables);
        if (r > 0) {
            snprintf(default_path, sizeof default_path, "%s", buf);
            snprintf(default_label, sizeof default_label, "%s", buf);
            return buf;
        }
        if (r == 0)
            return lookup_failed(buf, len, env, ERR_USAGE,
                                 "no price table dated on or before %s in %s (tables: %s)", day, env,
                                 tables);
        return lookup_failed(buf, len, env, ERR_IO,
                             "purgesim: no pricing table found: PURGESIM_PRICING names the directory %s, "
                             "which holds no readable " PRICING_UNDATED " or " PRICING_DATED_PREFIX
                             "YYYY-MM-DD.json",
                             env);
    }
    char places[6][4096];
    size_t n_places = 0, fallback;
    char dir[4096 - 64];   /* room for the suffixes below in a place */
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n > 0) {
        dir[n] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash) *slash = '\0';
        /* the repository root (./purgesim) */
        snprintf(places[n_places++], sizeof places[0], "%s/%s", dir, PRICING_DIR_REL_SRC);
        slash = strrchr(dir, '/');
        if (slash) {
            *slash = '\0';
            /* a build directory below the repository root (build-san/purgesim), and PREFIX/bin
             * of an installed tree, also after it was moved */
            snprintf(places[n_places++], sizeof places[0], "%s/%s", dir, PRICING_DIR_REL_SRC);
            snprintf(places[n_places++], sizeof places[0], "%s/share/purgesim/%s", dir, PRICING_DIR_REL_DATA);
        }
    }
    fallback = n_places;
#ifdef PURGESIM_DATADIR
    /* PREFIX/share/purgesim of the build: where `make install` puts it */
    snprintf(places[n_places++], sizeof places[0], "%s/%s", PURGESIM_DATADIR, PRICING_DIR_REL_DATA);
#endif
    /* the current directory, for tools run from the repository root (unit tests) */
    snprintf(places[n_places++], sizeof places[0], "%s", PRICING_DIR_REL_SRC);
    /* the first place that holds any table decides; tables of different places are not mixed */
    for (size_t i = 0; i < n_places; i++) {
        int r = pricing_find_table(places[i], date ? day : NULL, buf, len, tables, sizeof tables);
        if (r > 0) {
            snprintf(default_path, sizeof default_path, "%s", buf);
            /* reports name the table as it lies in the source tree */
            snprintf(default_label, sizeof default_label, "%s/%s", PRICING_DIR_REL_SRC, strrchr(buf, '/') + 1);
            return buf;
        }
        if (r == 0)
            return lookup_failed(buf, len, places[i], ERR_USAGE,
                                 "no price table dated on or before %s in %s (tables: %s)", day,
                                 places[i], tables);
    }
    char looked[8192];
    size_t used = 0;
    looked[0] = '\0';
    for (size_t i = 0; i < n_places && used < sizeof looked; i++) {
        int w = snprintf(looked + used, sizeof looked - used, "\n  %s/%s", places[i], PRICING_UNDATED);
        if (w < 0) break;
        used += (size_t)w;
    }
    /* the installed place when there is one, as the most likely to be meant */
    char path[4096 + 32];
    snprintf(path, sizeof path, "%.4000s/%s", places[fallback], PRICING_UNDATED);
    return lookup_failed(buf, len, path, ERR_IO,
                         "purgesim: no pricing table found (give --pricing FILE or set PURGESIM_PRICING); "
                         "looked for " PRICING_UNDATED " or " PRICING_DATED_PREFIX "YYYY-MM-DD.json in each of:%s",
                         looked);
}

const char *pricing_default_path(char *buf, size_t len)
{
    return pricing_default_path_for(NULL, buf, len);
}

void pricing_free(struct pricing *p)
{
    if (!p) return;
    free(p->currency);
    free(p->unit);
    free(p->date);
    free(p->source);
    free(p->label);
    for (int i = 0; i < p->n_skus; i++) free(p->skus[i].name);
    memset(p, 0, sizeof *p);
}
