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
/* The default table path, written into buf: $PURGESIM_PRICING when set, else the first
 * readable of data/pricing/acr-aud.json in the executable's directory or the one above it (a
 * source tree), ../share/purgesim/pricing/acr-aud.json from the executable (an installed tree,
 * moved or not), PURGESIM_DATADIR/pricing/acr-aud.json (the build's PREFIX/share/purgesim,
 * where `make install` puts it) and data/pricing/acr-aud.json in the current directory.
 * When none is, pricing_load() of the returned path fails with a message that lists the
 * places looked. */
const char *pricing_default_path(char *buf, size_t len);
/* The default table in force on `date` (YYYY-MM-DD; NULL: the newest): the newest dated table
 * (pricing/acr-aud-YYYY-MM-DD.json or the undated acr-aud.json, whose "date" says) on or before
 * it, looked for where pricing_default_path() looks. */
const char *pricing_default_path_for(const char *date, char *buf, size_t len);
void pricing_free(struct pricing *p);

#endif
