/* fuzz_import.c - libFuzzer target: Azure's JSON for tasks and registry settings (az acr task
 * list/show, az acr config ... show, az acr show, ARM templates, terraform show -json) through
 * policy_import_json, alone and into a group, and through policy_parse_file as -p reads it.
 * Checks: a parsed set is well formed (names valid and unique, every task has at most 8
 * schedules that fire, none when disabled; settings in range; every warning names its policy);
 * a refusal says why; a group import leaves exactly one policy. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cron.h"
#include "diag.h"
#include "fuzz.h"
#include "policy.h"
#include "policy_import.h"
#include "purgecmd.h"

/* 2026-07-01T00:00:00Z */
#define START_NS (INT64_C(1782864000) * INT64_C(1000000000))

static void check_set(const struct policy_set *ps)
{
    for (size_t i = 0; i < ps->n_warnings; i++)
        FUZZ_CHECK(ps->warnings[i] && ps->warnings[i][0] == '[', "warning %zu names no policy", i);
    for (size_t i = 0; i < ps->n; i++) {
        const struct policy *p = &ps->p[i];
        FUZZ_CHECK(p->name && policy_name_valid(p->name), "policy %zu: name not valid", i);
        FUZZ_CHECK(strcmp(p->name, "baseline"), "an imported policy is named baseline");
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(ps->p[j].name, p->name), "policy [%s] twice", p->name);
        FUZZ_CHECK(!(p->retention && p->soft_delete), "[%s]: retention and soft delete together", p->name);
        if (p->retention)
            FUZZ_CHECK(p->retention_days >= 0 && p->retention_days <= 365, "[%s]: retention %lld days", p->name,
                       (long long)p->retention_days);
        if (p->soft_delete)
            FUZZ_CHECK(p->soft_delete_days >= 1 && p->soft_delete_days <= 90, "[%s]: soft delete %lld days",
                       p->name, (long long)p->soft_delete_days);
        for (size_t t = 0; t < p->n_tasks; t++) {
            const struct policy_task *pt = &p->tasks[t];
            FUZZ_CHECK(pt->command != NULL, "[%s] task %zu without its command", p->name, t);
            FUZZ_CHECK(pt->n_crons <= PURGE_MAX_SCHEDULES, "[%s] task %zu: %zu crons", p->name, t, pt->n_crons);
            FUZZ_CHECK(!pt->rule.task_disabled || pt->n_crons == 0, "[%s] task %zu: disabled but fires", p->name, t);
            FUZZ_CHECK(pt->timeout_seconds >= 0, "[%s] task %zu: negative timeout", p->name, t);
            for (size_t k = 0; k < pt->n_crons; k++) {
                int64_t next = cron_next(&pt->crons[k], START_NS);
                FUZZ_CHECK(next > START_NS, "[%s] cron_next went backwards", p->name);
            }
        }
    }
}

static void import_as(const uint8_t *data, size_t size, const char *group)
{
    struct policy_set *ps = policy_set_new();
    struct diag d;
    memset(&d, 0, sizeof d);
    struct purgecmd_opts o = {ACR_CLI_CURRENT, 2};
    struct policy_import_opts io = {group};
    int rc = policy_import_json(ps, "fuzz.json", (const char *)data, size, &o, &io, &d);
    FUZZ_CHECK(rc == PS_OK || rc == ERR_INPUT, "policy_import_json returned %d", rc);
    if (rc == PS_OK) {
        check_set(ps);
        FUZZ_CHECK(d.n_total == 0, "PS_OK with %zu messages", d.n_total);
        if (group) FUZZ_CHECK(ps->n == 1 && !strcmp(ps->p[0].name, group), "a group import made %zu policies", ps->n);
        else FUZZ_CHECK(ps->n >= 1, "an import that succeeded added no policy");
    } else {
        FUZZ_CHECK(d.n_total > 0, "import refused without a message");
    }
    FILE *fp = fuzz_devnull();
    if (fp) diag_print(&d, fp);
    diag_free(&d);
    policy_set_free(ps);
}

static void parse_file(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch_file(0, data, size);
    struct policy_set *ps = policy_set_new();
    struct diag d;
    memset(&d, 0, sizeof d);
    struct purgecmd_opts o = {ACR_CLI_0_16, 2};
    int rc = policy_parse_file(ps, path, &o, &d);
    FUZZ_CHECK(rc == PS_OK || rc == ERR_INPUT || rc == ERR_IO, "policy_parse_file returned %d", rc);
    if (rc == PS_OK) check_set(ps);
    else FUZZ_CHECK(d.n_total > 0, "policy file refused (%d) without a message", rc);
    diag_free(&d);
    policy_set_free(ps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    import_as(data, size, NULL);
    import_as(data, size, "current");
    parse_file(data, size);
    return 0;
}
