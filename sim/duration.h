/* duration.h - acr purge's --ago value, read exactly as acr-cli reads it
 * (see sim/RULES.md §2): "<int>d<go-duration>" scanned like sscanf("%dd%s"),
 * or a plain Go duration; invalid Go durations and values over 150 years are capped. */
#ifndef PURGESIM_DURATION_H
#define PURGESIM_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DURATION_CAP_NS (INT64_C(150) * 365 * 24 * 3600 * 1000000000)

enum duration_status {
    DURATION_OK = 0,     /* *ns holds the value (possibly capped; see capped) */
    DURATION_ERROR,      /* err holds Go's error text, e.g. time: missing unit in duration "5" */
};

struct duration_result {
    int64_t ns;          /* the ago duration in ns (may be negative, e.g. "-1d") */
    bool capped;         /* acr-cli printed its 150-year capping warning */
    bool wrapped;        /* 0.16/0.17 parse: days * 24h (or days plus the duration) overflowed
                            Go's int64 and wrapped, e.g. "999999d" (acr-cli issue 560) */
    char err[256];       /* with DURATION_ERROR: the error text, without "Error: " */
};

/* Current acr-cli (v0.17+): parse `text` as --ago. Capping rules of §2 apply; a capping
 * warning is signalled by res->capped (it may accompany DURATION_ERROR, as for "60000d5"). */
enum duration_status duration_parse_ago(const char *text, struct duration_result *res);

/* acr-cli v0.16 and v0.17 (and every release before 0.18): same scan, but no cap and no
 * warning; invalid Go durations are errors; an overflow wraps as Go's int64 does (res->wrapped). */
enum duration_status duration_parse_ago_v016(const char *text, struct duration_result *res);

/* Go's time.ParseDuration on `s` (NUL-terminated). Returns true and sets *ns, or false with
 * Go's message in err (e.g. `time: invalid duration "abc"`). Overflow is an invalid duration. */
bool duration_parse_go(const char *s, int64_t *ns, char *err, size_t errlen);

/* Plain day counts for purgesim's own options ("7", "7d"). Returns true on success. */
bool duration_parse_days(const char *s, int64_t *days);

#endif
