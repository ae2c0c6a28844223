/* fuzz_command.c - libFuzzer target: one command line (`acr purge ...`, `az acr run --cmd ...`,
 * `az acr task create ... --schedule ... --cmd ...`, shell quoting) through purgecmd_split,
 * purge_rule_parse_line for both acr-cli versions, and policy_parse_quick("x=" + line).
 * Checks: splitting is stable under re-quoting; an accepted rule is consistent (§1-3); a
 * refusal always says why. The input ends at its first NUL byte, as a C string does. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cron.h"
#include "diag.h"
#include "duration.h"
#include "fuzz.h"
#include "policy.h"
#include "purgecmd.h"

/* Joins words single-quoted ('it'\''s'), so splitting the result must give them back. */
static char *requote(char **w, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++) len += 4 * strlen(w[i]) + 3;
    char *s = xmalloc(len), *p = s;
    for (int i = 0; i < n; i++) {
        if (i) *p++ = ' ';
        *p++ = '\'';
        for (const char *c = w[i]; *c; c++) {
            if (*c == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else {
                *p++ = *c;
            }
        }
        *p++ = '\'';
    }
    *p = '\0';
    return s;
}

static void check_split(const char *line)
{
    char **w, **w2, err[128] = "";
    int n = purgecmd_split(line, &w, err, sizeof err);
    if (n < 0) {
        FUZZ_CHECK(err[0] != '\0', "purgecmd_split failed without a reason");
        return;
    }
    char *again = requote(w, n);
    int n2 = purgecmd_split(again, &w2, err, sizeof err);
    FUZZ_CHECK(n2 == n, "re-quoted line splits into %d words, not %d: %s", n2, n, again);
    for (int i = 0; i < n; i++)
        FUZZ_CHECK(!strcmp(w[i], w2[i]), "word %d changes when re-quoted: \"%s\" -> \"%s\"", i, w[i], w2[i]);
    FUZZ_CHECK(w[n] == NULL, "word list not NULL-terminated");
    purgecmd_free_words(w, n);
    purgecmd_free_words(w2, n2);
    free(again);
}

static void check_rule(const struct purge_rule *r, enum acr_version v)
{
    FUZZ_CHECK(r->version == v, "rule version %d, asked for %d", r->version, v);
    FUZZ_CHECK(!(r->untagged && r->untagged_only), "--untagged and --untagged-only both accepted");
    FUZZ_CHECK(r->n_filters > 0 || r->untagged_only, "accepted without --filter or --untagged-only");
    FUZZ_CHECK(r->ago_text || r->untagged_only || v == ACR_CLI_0_16, "accepted a filter without --ago");
    if (v == ACR_CLI_0_16) {
        FUZZ_CHECK(!r->untagged_only && !r->include_locked, "0.16 accepted a current-only flag");
        FUZZ_CHECK(r->n_filters > 0, "0.16 accepted without --filter");
        /* cobra's required flag is satisfied by `--ago ''`; the run then fails to parse it
         * (sim/RULES.md §2 "blank text fails", §4 "older releases") */
        FUZZ_CHECK(r->ago_text || fuzz_skip_known("v016-empty-ago"),
                   "0.16 accepted --ago '' as no --ago at all (so as 0: everything matching is old enough)");
        FUZZ_CHECK(!r->ago_capped, "0.16 caps --ago");
    }
    for (size_t f = 0; f < r->n_filters; f++) {
        const struct purge_filter *pf = &r->filters[f];
        FUZZ_CHECK(pf->text && pf->repo_re && pf->tag_re && pf->repo_code, "filter %zu incomplete", f);
        size_t lr = strlen(pf->repo_re), lt = strlen(pf->tag_re);
        FUZZ_CHECK(lr > 0 && lt > 0, "filter \"%s\": empty half", pf->text);
        FUZZ_CHECK(strlen(pf->text) == lr + 1 + lt && !strncmp(pf->text, pf->repo_re, lr) &&
                       pf->text[lr] == ':' && !strcmp(pf->text + lr + 1, pf->tag_re),
                   "filter \"%s\" split into \"%s\" and \"%s\"", pf->text, pf->repo_re, pf->tag_re);
    }
    if (r->ago_text) {
        if (v == ACR_CLI_CURRENT) FUZZ_CHECK(r->ago_text[0] != '\0', "--ago '' kept as given");
        struct duration_result dr;
        if (v == ACR_CLI_CURRENT) {
            FUZZ_CHECK(duration_parse_ago(r->ago_text, &dr) == DURATION_OK && dr.ns == r->ago_ns &&
                           dr.capped == r->ago_capped,
                       "--ago '%s' gives %lld in the rule, %lld parsed again", r->ago_text,
                       (long long)r->ago_ns, (long long)dr.ns);
        } else if (duration_parse_ago_v016(r->ago_text, &dr) == DURATION_OK) {
            FUZZ_CHECK(!r->ago_error && dr.ns == r->ago_ns, "0.16 --ago '%s' differs", r->ago_text);
        } else {
            FUZZ_CHECK(r->ago_error && r->ago_err[0], "0.16 --ago '%s' fails without ago_error", r->ago_text);
        }
    } else {
        FUZZ_CHECK(r->ago_ns == 0, "ago_ns %lld without --ago", (long long)r->ago_ns);
    }
    FUZZ_CHECK(r->n_schedules <= PURGE_MAX_SCHEDULES, "%zu schedules", r->n_schedules);
    for (size_t s = 0; s < r->n_schedules; s++) FUZZ_CHECK(r->schedules[s] != NULL, "schedule %zu NULL", s);
    FUZZ_CHECK(r->filter_timeout_seconds > 0, "filter timeout %lld", r->filter_timeout_seconds);
}

/* `acr purge ... --help` (or -h, also in a shorthand cluster) prints cobra's help and purges
 * nothing. Walks the words as pflag does, skipping the values of the flags that take one. */
static bool asks_for_help(const char *line)
{
    static const char *const LONG_VALUE[] = {"--filter", "--ago", "--keep", "--concurrency",
                                             "--repository-page-size", "--filter-timeout-seconds",
                                             "--registry", "--username", "--password", "--config"};
    char **w, err[128];
    int n = purgecmd_split(line, &w, err, sizeof err);
    bool help = false;
    if (n >= 2 && !strcmp(w[1], "purge") && (!strcmp(w[0], "acr") || strstr(w[0], "/acr"))) {
        for (int i = 2; i < n && strcmp(w[i], "--"); i++) {
            const char *a = w[i];
            if (a[0] != '-' || !a[1]) continue;
            if (a[1] == '-') {
                if (!strcmp(a, "--help") || !strcmp(a, "--help=true") || !strcmp(a, "--help=1")) help = true;
                for (size_t k = 0; k < sizeof LONG_VALUE / sizeof LONG_VALUE[0]; k++)
                    if (!strcmp(a, LONG_VALUE[k])) i++;   /* its value is the next word */
                continue;
            }
            for (const char *c = a + 1; *c && *c != '='; c++) {
                if (*c == 'h') help |= c[1] != '=' || !strcmp(c + 1, "=true") || !strcmp(c + 1, "=1");
                if (strchr("frup", *c)) {
                    if (!c[1]) i++;                       /* -f VALUE */
                    break;                                /* -fVALUE, -f=VALUE */
                }
            }
        }
    }
    if (n >= 0) purgecmd_free_words(w, n);
    return help;
}

static void check_parse(const char *line, enum acr_version v)
{
    struct purgecmd_opts o = {v, 2};
    struct purge_rule rule;
    char err[1024];
    err[0] = '\0';
    enum purgecmd_status st = purge_rule_parse_line(line, &o, &rule, err, sizeof err);
    FUZZ_CHECK(st == PURGECMD_OK || st == PURGECMD_INVALID || st == PURGECMD_NOT_PURGE, "status %d", st);
    FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL, "error text not terminated");
    if (st == PURGECMD_OK) {
        check_rule(&rule, v);
        FUZZ_CHECK(!asks_for_help(line) || fuzz_skip_known("purge-help"),
                   "`acr purge --help` accepted as a purge (cobra prints the help and deletes nothing)");
    }
    else FUZZ_CHECK(err[0] != '\0', "command refused (%d) without a message", st);
    purge_rule_free(&rule);
}

static void check_quick(const char *line)
{
    size_t n = strlen(line);
    char *spec = xmalloc(n + 3);
    memcpy(spec, "x=", 2);
    memcpy(spec + 2, line, n + 1);
    struct policy_set *ps = policy_set_new();
    struct diag d;
    memset(&d, 0, sizeof d);
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    int rc = policy_parse_quick(ps, spec, &o, &d);
    FUZZ_CHECK(ps->n == 1, "--policy added %zu policies", ps->n);
    if (rc == PS_OK) {
        const struct policy *p = &ps->p[0];
        FUZZ_CHECK(!strcmp(p->name, "x"), "policy name \"%s\"", p->name);
        for (size_t t = 0; t < p->n_tasks; t++) {
            const struct policy_task *pt = &p->tasks[t];
            FUZZ_CHECK(pt->n_crons <= PURGE_MAX_SCHEDULES, "task with %zu crons", pt->n_crons);
            FUZZ_CHECK(pt->n_crons >= 1 || pt->rule.task_disabled || pt->rule.n_schedules == 0,
                       "no cron although enabled and scheduled");
            for (size_t k = 0; k < pt->n_crons; k++) {
                struct cron c;
                char cerr[256];
                FUZZ_CHECK(pt->schedule_text[k] != NULL, "schedule %zu has no text", k);
                /* az's --schedule is "CRON" or "TIMER_NAME:CRON" */
                const char *colon = strchr(pt->schedule_text[k], ':');
                const char *expr = colon ? colon + 1 : pt->schedule_text[k];
                FUZZ_CHECK(cron_parse(expr, &c, cerr, sizeof cerr), "schedule %zu does not parse again", k);
            }
            check_rule(&pt->rule, ACR_CLI_CURRENT);
        }
        policy_add_baseline(ps);
        FUZZ_CHECK(ps->n == 2 && !strcmp(ps->p[0].name, "baseline"), "baseline not first");
    } else {
        FUZZ_CHECK(d.n_total > 0, "--policy refused without a message");
    }
    policy_set_free(ps);
    diag_free(&d);
    free(spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = fuzz_strndup(data, size);
    check_split(line);
    check_parse(line, ACR_CLI_CURRENT);
    check_parse(line, ACR_CLI_0_16);
    check_quick(line);
    free(line);
    return 0;
}
