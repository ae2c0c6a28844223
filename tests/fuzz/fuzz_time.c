/* fuzz_time.c - libFuzzer target: RFC 3339 times (timeu_parse_rfc3339, timeu_parse_user and
 * the message for what it refuses, timeu_user_error) and --ago durations (duration_parse_ago,
 * duration_parse_ago_v016, duration_parse_go, duration_parse_days) on the input. Checks: a
 * parsed time is in the saturated range and survives timeu_format -> parse; failures carry Go's
 * message; a plain Go duration reads the same through all three duration parsers (capping
 * aside, sim/RULES.md §2). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "fuzz.h"
#include "timeu.h"

static void check_time(const uint8_t *data, size_t size, const char *s, bool has_nul)
{
    int64_t ns = 0, again = 0;
    struct timeu_error err;
    memset(&err, 0, sizeof err);
    /* the exact bytes, not NUL-terminated: ASan sees any read past them */
    bool ok = timeu_parse_rfc3339((const char *)data, size, &ns, &err);
    if (ok) {
        FUZZ_CHECK(ns >= TIMEU_MIN_NS && ns <= TIMEU_MAX_NS, "time %lld outside the saturated range", (long long)ns);
        char buf[64], date[32];
        timeu_format(ns, buf, sizeof buf);
        struct timeu_error err2;
        FUZZ_CHECK(timeu_parse_rfc3339(buf, strlen(buf), &again, &err2), "formatted time \"%s\" does not parse: %s",
                   buf, err2.text);
        FUZZ_CHECK(again == ns, "round trip: %lld -> \"%s\" -> %lld", (long long)ns, buf, (long long)again);
        timeu_format_date(ns, date, sizeof date);
        FUZZ_CHECK(strlen(date) == 10 && !strncmp(date, buf, 10), "date \"%s\" is not the start of \"%s\"", date, buf);
        if (!has_nul) {
            int64_t user = 0;
            FUZZ_CHECK(timeu_parse_user(s, &user) && user == ns, "timeu_parse_user disagrees on \"%s\"", s);
        }
    } else {
        FUZZ_CHECK(!strncmp(err.text, "parsing time \"", 14), "error without Go's prefix: %s", err.text);
        FUZZ_CHECK(memchr(err.text, '\0', sizeof err.text) != NULL, "error text not terminated");
        FUZZ_CHECK(!timeu_parse_rfc3339((const char *)data, size, &again, NULL), "parse differs without err");
    }
    int64_t user = 0;
    if (!has_nul && !timeu_parse_user(s, &user)) {
        /* a refused --from/--to/--at: the date named, or the forms it takes */
        char why[512];
        timeu_user_error(s, why, sizeof why);
        FUZZ_CHECK(!strncmp(why, "the date ", 9) || !strncmp(why, "expected YYYY-MM-DD", 19),
                   "user error for \"%s\": %s", s, why);
    }
}

/* Plain ASCII without spaces and without 'd': acr-cli's scan passes it to Go unchanged. */
static bool plain_go_word(const char *s)
{
    if (!*s) return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == 'd') return false;
    return true;
}

static void check_durations(const char *s)
{
    struct duration_result cur, old;
    int64_t go = 0, days = 0;
    char goerr[256];
    goerr[0] = '\0';
    enum duration_status sc = duration_parse_ago(s, &cur);
    enum duration_status so = duration_parse_ago_v016(s, &old);
    bool gok = duration_parse_go(s, &go, goerr, sizeof goerr);
    if (sc != DURATION_OK) FUZZ_CHECK(cur.err[0] != '\0', "--ago '%s' refused without a message", s);
    if (so != DURATION_OK) FUZZ_CHECK(old.err[0] != '\0', "0.16 --ago '%s' refused without a message", s);
    FUZZ_CHECK(!old.capped, "0.16 capped --ago '%s'", s);
    if (!gok) FUZZ_CHECK(!strncmp(goerr, "time: ", 6), "Go duration error without \"time: \": %s", goerr);
    if (sc == DURATION_OK && !strchr(s, '-'))
        FUZZ_CHECK(cur.ns <= DURATION_CAP_NS, "--ago '%s' = %lld exceeds the 150-year cap", s, (long long)cur.ns);
    if (plain_go_word(s)) {
        if (gok) {
            FUZZ_CHECK(so == DURATION_OK && old.ns == go, "0.16 --ago '%s' = %lld, Go says %lld", s,
                       (long long)old.ns, (long long)go);
            int64_t want = go > DURATION_CAP_NS ? DURATION_CAP_NS : go;
            FUZZ_CHECK(sc == DURATION_OK && cur.ns == want && cur.capped == (go > DURATION_CAP_NS),
                       "--ago '%s' = %lld (capped %d), Go says %lld", s, (long long)cur.ns, cur.capped,
                       (long long)go);
        } else {
            FUZZ_CHECK(so != DURATION_OK && !strcmp(old.err, goerr), "0.16 --ago '%s': \"%s\", Go: \"%s\"", s,
                       old.err, goerr);
            bool capped = strstr(goerr, "invalid duration") || strstr(goerr, "overflow");
            if (capped)
                FUZZ_CHECK(sc == DURATION_OK && cur.capped && cur.ns == DURATION_CAP_NS,
                           "--ago '%s': invalid Go duration not capped", s);
            else
                FUZZ_CHECK(sc != DURATION_OK && !strcmp(cur.err, goerr), "--ago '%s': \"%s\", Go: \"%s\"", s,
                           cur.err, goerr);
        }
    }
    if (duration_parse_days(s, &days)) FUZZ_CHECK(days >= 0 && days <= 36500, "days %lld", (long long)days);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size);
    bool has_nul = strlen(s) != size;
    check_time(data, size, s, has_nul);
    check_durations(s);
    free(s);
    return 0;
}
