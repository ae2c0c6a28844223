/* cron.h - standard five-field cron expressions (minute hour day-of-month month day-of-week),
 * evaluated in UTC as ACR Tasks do: lists, ranges, steps, '*', month and day names
 * (JAN-DEC, SUN-SAT, case-insensitive), 7 as Sunday, and the usual rule that when both
 * day-of-month and day-of-week are restricted a day matches if either matches. */
#ifndef PURGESIM_CRON_H
#define PURGESIM_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cron {
    uint64_t minutes;    /* bit i set: minute i (0-59) */
    uint32_t hours;      /* bits 0-23 */
    uint32_t mdays;      /* bits 1-31 */
    uint16_t months;     /* bits 1-12 */
    uint8_t  wdays;      /* bits 0-6, 0 = Sunday */
    bool     mday_star;  /* day-of-month field was '*' (or '?'), for the OR rule */
    bool     wday_star;  /* day-of-week field was '*' (or '?') */
};

/* Parse `expr`. Returns true and fills *out, or false with a one-line reason in err,
 * e.g. `cron "0 25 * * *": hour 25 out of range 0-23`. */
bool cron_parse(const char *expr, struct cron *out, char *err, size_t errlen);

/* The first firing instant strictly after `after_ns` (UTC ns, firing at whole minutes),
 * or INT64_MAX when the expression never fires (e.g. "0 0 31 2 *") within 8 years. */
int64_t cron_next(const struct cron *c, int64_t after_ns);

/* True when the whole minute containing t_ns matches. */
bool cron_matches(const struct cron *c, int64_t t_ns);

#endif
