/* timeu.h - RFC 3339 times as acr-cli (Go's time.RFC3339Nano) reads them, and UTC formatting.
 * Times are int64_t nanoseconds since 1970-01-01T00:00:00Z (UTC). Years outside the int64
 * range we keep (before about 1823, after about 2116: half of int64's span, so that
 * subtracting a 150-year --ago cannot overflow) saturate to TIMEU_MIN_NS / TIMEU_MAX_NS so they still order
 * correctly against any realistic cutoff. */
#ifndef PURGESIM_TIMEU_H
#define PURGESIM_TIMEU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TIMEU_NS_PER_SEC  INT64_C(1000000000)
#define TIMEU_NS_PER_DAY  (INT64_C(86400) * TIMEU_NS_PER_SEC)
#define TIMEU_MIN_NS      (INT64_MIN / 2)
#define TIMEU_MAX_NS      (INT64_MAX / 2)

/* Why a parse failed, in Go's words: `parsing time "<raw>" as "<layout>": cannot parse
 * "<rest>" as "<element>"` or `parsing time "<raw>": <what> out of range` or `... extra text`. */
struct timeu_error {
    char text[256];
};

/* Parse `s` (length n, need not be NUL-terminated) with Go's RFC3339Nano layout
 * "2006-01-02T15:04:05.999999999Z07:00": 0-9 fractional digits after '.' or ',',
 * 'Z' or a numeric offset. Returns true and sets *out_ns on success; on failure fills *err
 * (when non-NULL) with Go's message shape and leaves *out_ns untouched. */
bool timeu_parse_rfc3339(const char *s, size_t n, int64_t *out_ns, struct timeu_error *err);

/* Parse a user-supplied instant for --at/--from/--to: RFC 3339 as above, or a bare date
 * "YYYY-MM-DD" meaning midnight UTC. Returns true on success. */
bool timeu_parse_user(const char *s, int64_t *out_ns);

/* Why timeu_parse_user() refuses s, as the text after an option's name in a message: "the date
 * 2026-02-30 does not exist (February 2026 has 28 days)" when the form is right and only the
 * date is not in the calendar, else "expected YYYY-MM-DD or an RFC 3339 time, got \"S\"".
 * Writes buf (len bytes) and returns it. */
char *timeu_user_error(const char *s, char *buf, size_t len);

/* Format as "YYYY-MM-DDTHH:MM:SSZ" (fraction appended only when non-zero, trailing zeros
 * trimmed) into buf (>= 40 bytes). Returns buf. */
char *timeu_format(int64_t t_ns, char *buf, size_t len);

/* Format the UTC date "YYYY-MM-DD" of t_ns into buf (>= 16 bytes). Returns buf. */
char *timeu_format_date(int64_t t_ns, char *buf, size_t len);

/* A struct timespec (a file's mtime, a clock reading) as nanoseconds since the epoch. */
static inline int64_t timeu_timespec_ns(struct timespec t)
{
    return (int64_t)t.tv_sec * TIMEU_NS_PER_SEC + t.tv_nsec;
}

/* Seconds on the monotonic clock, and CPU seconds of the calling thread (for timings). */
double timeu_wall_seconds(void);
double timeu_thread_cpu_seconds(void);

/* Civil-date helpers (proleptic Gregorian, UTC). */
int64_t timeu_days_from_civil(int64_t y, unsigned m, unsigned d);
void    timeu_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
