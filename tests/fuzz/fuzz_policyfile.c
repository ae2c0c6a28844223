/* fuzz_policyfile.c - libFuzzer target: a policy file ([name] sections of az / acr commands)
 * through policy_parse_file, for both acr-cli versions. Checks: a parsed set is well formed
 * (names valid and unique, every task has 1-8 schedules that fire, or none when it is a disabled
 * or unscheduled task; every warning names its policy); a refusal says why; a NUL byte anywhere
 * is refused. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cron.h"
#include "diag.h"
#include "fuzz.h"
#include "policy.h"
#include "purgecmd.h"

/* 2026-07-01T00:00:00Z */
#define START_NS (INT64_C(1782864000) * INT64_C(1000000000))

static void check_set(const struct policy_set *ps)
{
    for (size_t i = 0; i < ps->n_warnings; i++)
        FUZZ_CHECK(ps->warnings[i] && ps->warnings[i][0] == '[', "warning %zu names no policy", i);
    for (size_t i = 0; i < ps->n; i++) {
        const struct policy *p = &ps->p[i];
        FUZZ_CHECK(p->name && p->name[0], "policy %zu without a name", i);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(ps->p[j].name, p->name), "policy [%s] twice", p->name);
        FUZZ_CHECK(!(p->retention && p->soft_delete), "[%s]: retention and soft delete together", p->name);
        if (p->retention)
            FUZZ_CHECK(p->retention_days >= 0 && p->retention_days <= 365, "[%s]: retention %lld days",
                       p->name, (long long)p->retention_days);
        if (p->soft_delete)
            FUZZ_CHECK(p->soft_delete_days >= 1 && p->soft_delete_days <= 90, "[%s]: soft delete %lld days",
                       p->name, (long long)p->soft_delete_days);
        for (size_t t = 0; t < p->n_tasks; t++) {
            const struct policy_task *pt = &p->tasks[t];
            FUZZ_CHECK(pt->command != NULL, "[%s] task %zu without its command", p->name, t);
            FUZZ_CHECK(pt->n_crons <= PURGE_MAX_SCHEDULES, "[%s] task %zu: %zu crons", p->name, t, pt->n_crons);
            FUZZ_CHECK(pt->n_crons >= 1 || pt->rule.task_disabled || pt->rule.n_schedules == 0,
                       "[%s] task %zu: no cron although enabled and scheduled", p->name, t);
            for (size_t k = 0; k < pt->n_crons; k++) {
                FUZZ_CHECK(pt->schedule_text[k] != NULL, "[%s] task %zu: schedule %zu has no text", p->name, t, k);
                int64_t next = cron_next(&pt->crons[k], START_NS);
                FUZZ_CHECK(next > START_NS, "[%s] cron_next went backwards", p->name);
                if (next != INT64_MAX)
                    FUZZ_CHECK(cron_matches(&pt->crons[k], next), "[%s] \"%s\": next firing does not match",
                               p->name, pt->schedule_text[k]);
            }
        }
    }
}

static void parse_as(const char *path, enum acr_version v, bool has_nul)
{
    struct policy_set *ps = policy_set_new();
    struct diag d;
    memset(&d, 0, sizeof d);
    struct purgecmd_opts o = {v, 2};
    int rc = policy_parse_file(ps, path, &o, &d);
    FUZZ_CHECK(rc == PS_OK || rc == ERR_INPUT || rc == ERR_IO, "policy_parse_file returned %d", rc);
    /* policy.c means to refuse a file with a NUL byte ("not a text file"), even in a comment */
    FUZZ_CHECK(!(has_nul && rc == PS_OK) || fuzz_skip_known("policy-nul"),
               "a policy file with a NUL byte was accepted");
    if (rc == PS_OK) {
        check_set(ps);
        policy_add_baseline(ps);
        FUZZ_CHECK(ps->n >= 1 && !strcmp(ps->p[0].name, "baseline"), "baseline not first");
    } else {
        FUZZ_CHECK(d.n_total > 0, "policy file refused (%d) without a message", rc);
    }
    FILE *fp = fuzz_devnull();
    if (fp) diag_print(&d, fp);
    diag_free(&d);
    policy_set_free(ps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch_file(0, data, size);
    bool has_nul = size && memchr(data, '\0', size) != NULL;
    parse_as(path, ACR_CLI_CURRENT, has_nul);
    parse_as(path, ACR_CLI_0_16, has_nul);
    return 0;
}
