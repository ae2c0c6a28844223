/* pricing.h - the dated, sourced ACR price table (data/pricing/acr-aud.json) -> numbers.
 * Ownership: pricing_load() fills a struct whose strings the caller frees with pricing_free(). */
#ifndef PURGESIM_PRICING_H
#define PURGESIM_PRICING_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

#define PRICING_MAX_SKUS 4

struct pricing_sku {
    char *name;                 /* "Basic", "Standard", "Premium" */
    double fee_per_day;         /* in the table's currency */
    double included_units;      /* included storage, in `unit` */
};

struct pricing {
    char *currency;             /* e.g. "AUD" */
    char *unit;                 /* "GiB" (2^30 bytes) or "GB" (10^9 bytes) */
    double unit_bytes;
    char *date, *source;
    char *label;                /* how reports name the table: the --pricing path as given, or
                                 * data/pricing/NAME for a default table (pricing_default_path_for) */
    double overage_per_unit_day;
    double exchange_rate;       /* USD -> currency used to derive SKU fees (0 if none) */
    struct pricing_sku skus[PRICING_MAX_SKUS];
    int n_skus;
};

/* Average days per month used for "per month" figures (365.25 / 12). */
#define PRICING_DAYS_PER_MONTH 30.4375

/* Reads the table. Returns PS_OK, ERR_IO or ERR_INPUT (message names file and key). */
int pricing_load(const char *path, struct pricing *p, struct diag *d);
/* Sets the unit ("GiB" or "GB"); returns false for anything else. */
bool pricing_set_unit(struct pricing *p, const char *unit);
/* Finds a SKU by case-insensitive name, or NULL. */
const struct pricing_sku *pricing_find_sku(const struct pricing *p, const char *name);
/* The default table in force on `date` (YYYY-MM-DD, or an RFC 3339 time whose day counts; NULL:
 * the newest), written into buf. Tables are data/pricing/acr-aud.json and
 * data/pricing/acr-aud-YYYY-MM-DD.json (data/pricing/README.md); each is in force from its "date"
 * (else the date in its name; an undated acr-aud.json is older than any dated table). They are
 * looked for in the first of these directories that holds any: $PURGESIM_PRICING when it names
 * a directory (when it names a file, that file is returned whatever the date), data/pricing in
 * the executable's directory or the one above it (a source tree), ../share/purgesim/pricing from
 * the executable (an installed tree, moved or not), PURGESIM_DATADIR/pricing (the build's
 * PREFIX/share/purgesim, where `make install` puts them) and data/pricing in the current
 * directory. The newest table dated on or before `date` is returned; on the same date a dated
 * name wins over acr-aud.json. When there is none (no table anywhere, a date before every table,
 * a date that is not one), pricing_load() of the returned path fails with a message that says
 * why: the places looked, or "no price table dated on or before DATE in DIR (tables: ...)"
 * (ERR_USAGE). One lookup per run, before any thread starts (it keeps the answer for
 * pricing_load()'s label and messages). */
const char *pricing_default_path_for(const char *date, char *buf, size_t len);
/* pricing_default_path_for(NULL, buf, len): the newest default table. */
const char *pricing_default_path(char *buf, size_t len);
/* The lookup in one directory: writes DIR/NAME of the newest table dated on or before `date`
 * (NULL: any) into buf and returns 1; returns 0 when DIR holds tables but none that old, -1 when
 * it holds no readable table. `tables` (optional) gets "NAME (DATE), ..." of every table there. */
int pricing_find_table(const char *dir, const char *date, char *buf, size_t len, char *tables,
                       size_t tables_len);
void pricing_free(struct pricing *p);

#endif
