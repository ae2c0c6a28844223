/* pricing.c - load the price table (small: read whole with cJSON). */
#include "pricing.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"

#define PRICING_MAX_BYTES (4u << 20)
/* The default table, below the source tree and below the installed data directory */
#define PRICING_TABLE_REL_SRC "data/pricing/acr-aud.json"
#define PRICING_TABLE_REL_DATA "pricing/acr-aud.json"

/* Where pricing_default_path() looked the last time it found nothing, for pricing_load()'s
 * message: the path it returned and the places it tried, one per line. One lookup per run,
 * made before any thread starts. */
static char missing_default[4096];
static char looked_places[8192];

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
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (missing_default[0] && !strcmp(path, missing_default))
            diag_msg(d, "purgesim: no pricing table found (give --pricing FILE or set "
                        "PURGESIM_PRICING); looked for:%s", looked_places);
        else
            diag_error(d, path, 0, 0, NULL, "cannot open pricing table: %s", strerror(errno));
        return ERR_IO;
    }
    char *buf = xmalloc(PRICING_MAX_BYTES + 1);
    size_t n = fread(buf, 1, PRICING_MAX_BYTES + 1, fp);
    fclose(fp);
    if (n > PRICING_MAX_BYTES) {
        free(buf);
        diag_error(d, path, 0, 0, NULL, "pricing table larger than 4 MiB");
        return ERR_INPUT;
    }
    cJSON *root = cJSON_ParseWithLength(buf, n);
    free(buf);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        diag_error(d, path, 0, 0, NULL, "malformed JSON in pricing table");
        return ERR_INPUT;
    }
    int rc = ERR_INPUT;
    p->currency = get_string(root, "currency");
    p->date = get_string(root, "date");
    p->source = get_string(root, "source");
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

const char *pricing_default_path(char *buf, size_t len)
{
    const char *env = getenv("PURGESIM_PRICING");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return buf;
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
        snprintf(places[n_places++], sizeof places[0], "%s/%s", dir, PRICING_TABLE_REL_SRC);
        slash = strrchr(dir, '/');
        if (slash) {
            *slash = '\0';
            /* a build directory below the repository root (build-san/purgesim), and PREFIX/bin
             * of an installed tree, also after it was moved */
            snprintf(places[n_places++], sizeof places[0], "%s/%s", dir, PRICING_TABLE_REL_SRC);
            snprintf(places[n_places++], sizeof places[0], "%s/share/purgesim/%s", dir,
                     PRICING_TABLE_REL_DATA);
        }
    }
    fallback = n_places;
#ifdef PURGESIM_DATADIR
    /* PREFIX/share/purgesim of the build: where `make install` puts it */
    snprintf(places[n_places++], sizeof places[0], "%s/%s", PURGESIM_DATADIR,
             PRICING_TABLE_REL_DATA);
#endif
    /* the current directory, for tools run from the repository root (unit tests) */
    snprintf(places[n_places++], sizeof places[0], "%s", PRICING_TABLE_REL_SRC);
    for (size_t i = 0; i < n_places; i++) {
        if (access(places[i], R_OK) == 0) {
            snprintf(buf, len, "%s", places[i]);
            return buf;
        }
    }
    size_t used = 0;
    looked_places[0] = '\0';
    for (size_t i = 0; i < n_places && used < sizeof looked_places; i++) {
        int w = snprintf(looked_places + used, sizeof looked_places - used, "\n  %s", places[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
    /* the installed place when there is one, as the most likely to be meant */
    snprintf(buf, len, "%s", places[fallback]);
    snprintf(missing_default, sizeof missing_default, "%s", buf);
    return buf;
}

void pricing_free(struct pricing *p)
{
    if (!p) return;
    free(p->currency);
    free(p->unit);
    free(p->date);
    free(p->source);
    for (int i = 0; i < p->n_skus; i++) free(p->skus[i].name);
    memset(p, 0, sizeof *p);
}

const char *pricing_default_path_for(const char *date, char *buf, size_t len)
{
    (void)date;   /* one table so far: dated tables are being added */
    return pricing_default_path(buf, len);
}
