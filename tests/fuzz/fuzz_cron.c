/* fuzz_cron.c - libFuzzer target: cron_parse on the input; for an expression that parses,
 * cron_next from a few instants must give whole minutes, strictly increasing, each matching
 * (cron_matches), with no matching minute skipped in between (checked by brute force over the
 * first hours). A refusal must say why. The input ends at its first NUL byte. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "fuzz.h"

#define NS_PER_MIN    INT64_C(60000000000)
#define BRUTE_MINUTES 600   /* minutes scanned one by one after each start */
#define STEPS         4     /* cron_next calls chained from each start */

/* clang-format off */
static const int64_t STARTS[] = {
    INT64_C(1782864000) * 1000000000,              /* 2026-07-01T00:00:00Z */
    INT64_C(1709164799) * 1000000000 + 999999999,  /* 2024-02-28T23:59:59.999999999Z */
    INT64_C(4107542340) * 1000000000,              /* 2100-02-28T23:59:00Z (not a leap year) */
    -INT64_C(1),                                   /* 1969-12-31T23:59:59.999999999Z */
    -INT64_C(2208988800) * 1000000000,             /* 1900-01-01T00:00:00Z */
};
/* clang-format on */

static void check_from(const struct cron *c, const char *expr, int64_t start)
{
    int64_t after = start;
    for (int step = 0; step < STEPS; step++) {
        int64_t next = cron_next(c, after);
        if (next == INT64_MAX) {
            /* never fires within 8 years: nothing in the first minutes may match either */
            if (step == 0)
                for (int64_t k = 1; k <= BRUTE_MINUTES; k++) {
                    int64_t t = (after / NS_PER_MIN + k) * NS_PER_MIN;
                    FUZZ_CHECK(!cron_matches(c, t), "\"%s\": cron_next says never after %lld, but %lld matches",
                               expr, (long long)after, (long long)t);
                }
            return;
        }
        FUZZ_CHECK(next > after, "\"%s\": cron_next(%lld) = %lld is not after it", expr, (long long)after,
                   (long long)next);
        FUZZ_CHECK(next % NS_PER_MIN == 0, "\"%s\": cron_next gave %lld, not a whole minute", expr,
                   (long long)next);
        FUZZ_CHECK(cron_matches(c, next), "\"%s\": cron_next gave %lld, which does not match", expr,
                   (long long)next);
        FUZZ_CHECK(next - after <= INT64_C(8) * 367 * 1440 * NS_PER_MIN, "\"%s\": next firing more than 8 years on",
                   expr);
        if (step == 0) {
            /* the first whole minute strictly after `after`, floor-aligned for negative times */
            int64_t q = after / NS_PER_MIN - (after % NS_PER_MIN < 0);
            for (int64_t k = 1; k <= BRUTE_MINUTES; k++) {
                int64_t t = (q + k) * NS_PER_MIN;
                if (t >= next) break;
                FUZZ_CHECK(!cron_matches(c, t), "\"%s\": cron_next(%lld) = %lld skips the match at %lld", expr,
                           (long long)after, (long long)next, (long long)t);
            }
        }
        after = next;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *expr = fuzz_strndup(data, size);
    struct cron c;
    char err[256];
    err[0] = '\0';
    if (cron_parse(expr, &c, err, sizeof err)) {
        FUZZ_CHECK(c.minutes >> 60 == 0 && c.hours >> 24 == 0 && (c.mdays & 1) == 0 && (c.months & 0xe001) == 0 &&
                       c.wdays >> 7 == 0,
                   "\"%s\": bits outside the field ranges", expr);
        struct cron again;
        char err2[256];
        FUZZ_CHECK(cron_parse(expr, &again, err2, sizeof err2) && again.minutes == c.minutes &&
                       again.hours == c.hours && again.mdays == c.mdays && again.months == c.months &&
                       again.wdays == c.wdays && again.mday_star == c.mday_star && again.wday_star == c.wday_star,
                   "\"%s\": a second parse differs", expr);
        for (size_t s = 0; s < sizeof STARTS / sizeof STARTS[0]; s++) check_from(&c, expr, STARTS[s]);
    } else {
        FUZZ_CHECK(err[0] != '\0', "cron_parse refused \"%s\" without a reason", expr);
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL, "reason not terminated");
    }
    free(expr);
    return 0;
}
