/* test_cost.c - unit tests for cost.h: billed units, soft-deleted bytes in the bill, storage money
 * per day, per month and against the baseline, units (GiB and GB), SKU fee and included storage,
 * per-repository figures (data/pricing/README.md). The replay results are built by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cost.h"
#include "fixtures.h"
#include "history.h"
#include "pricing.h"
#include "replay.h"
#include "timeu.h"

#define GIB 1073741824.0
#define GB 1e9
#define MAX_POL 4
#define MAX_DAYS 8
#define MAX_REPOS 12

#define assert_near(a, b) assert_near_msg((a), (b), __LINE__)
static void assert_near_msg(double got, double want, int line)
{
    if (fabs(got - want) > 1e-9 * (fabs(want) > 1 ? fabs(want) : 1))
        fail_msg("line %d: got %.12g, want %.12g", line, got, want);
}

/* ---- a replay result built by hand ---- */

struct tc {
    struct model *m;
    struct history h;
    struct policy pols[MAX_POL];
    struct replay_policy rp[MAX_POL];
    struct replay_day days[MAX_POL][MAX_DAYS];
    uint64_t end[MAX_POL][MAX_REPOS];
    double byte_days[MAX_POL][MAX_REPOS];
    struct replay_result rr;
    struct pricing price;
    struct pricing_sku sku;
    struct cost_opts o;
    struct cost_result cr;
};

static char AUD[] = "AUD", UNIT_GIB[] = "GiB", UNIT_GB[] = "GB", BASIC[] = "Basic";

static int setup(void **state)
{
    struct tc *c = calloc(1, sizeof *c);
    if (!c) return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct tc *c = *state;
    cost_result_free(&c->cr);
    model_free(c->m);
    free(c);
    return 0;
}

/* `n_pol` policies (policy 0 is the baseline) over `n_days` days from 2026-01-01, on a
 * registry with repositories repo-00 .. repo-NN; price 0.01 AUD per GiB per day, no SKU. */
static struct tc *fake(void **state, size_t n_pol, size_t n_days, size_t n_repos)
{
    struct tc *c = *state;
    assert_true(n_pol <= MAX_POL && n_days <= MAX_DAYS && n_repos <= MAX_REPOS);
    c->m = fx_model(NULL);
    for (size_t r = 0; r < n_repos; r++) {
        char name[32];
        snprintf(name, sizeof name, "repo-%02zu", r);
        fx_repo(c->m, name);
    }
    fx_finish(c->m);
    c->h.m = c->m;
    c->rr.h = &c->h;
    c->rr.n_days = n_days;
    c->rr.first_day_ns = fx_ns("2026-01-01T00:00:00Z");
    c->rr.from_ns = c->rr.first_day_ns;
    c->rr.to_ns = c->rr.first_day_ns + (int64_t)(n_days - 1) * TIMEU_NS_PER_DAY;
    c->rr.n_pol = n_pol;
    c->rr.pol = c->rp;
    for (size_t i = 0; i < n_pol; i++) {
        static char names[MAX_POL][16];
        snprintf(names[i], sizeof names[i], i ? "p%zu" : "baseline", i);
        c->pols[i].name = names[i];
        c->rp[i].p = &c->pols[i];
        c->rp[i].days = c->days[i];
        c->rp[i].repo_end_bytes = c->end[i];
        c->rp[i].repo_byte_days = c->byte_days[i];
        for (size_t d = 0; d < n_days; d++) c->days[i][d].day_ns = c->rr.first_day_ns + (int64_t)d * TIMEU_NS_PER_DAY;
    }
    c->price.currency = AUD;
    c->price.unit = UNIT_GIB;
    c->price.unit_bytes = GIB;
    c->price.overage_per_unit_day = 0.01;
    c->o.price = &c->price;
    c->o.replicas = 1;
    return c;
}

/* Sets every day of policy i to `gib` GiB stored (imageSize and deduplicated alike). */
static void flat(struct tc *c, size_t i, double gib)
{
    for (size_t d = 0; d < c->rr.n_days; d++) {
        c->days[i][d].stored_bytes = (uint64_t)(gib * GIB);
        c->days[i][d].stored_bytes_dedup = (uint64_t)(gib * GIB);
    }
}

static void compute(struct tc *c)
{
    assert_int_equal(cost_compute(&c->rr, &c->o, &c->cr), 0);
}

/* ======================================================================================
 * cost_billed_units and cost_day_bytes
 * ====================================================================================== */

static void test_billed_units_subtract_included_storage(void **state)
{
    (void)state;
    /* 25 GiB on a SKU with 10 GiB included: 15 GiB billed */
    assert_near(cost_billed_units((uint64_t)(25 * GIB), GIB, 10, 1), 15.0);
    assert_near(cost_billed_units((uint64_t)(25 * GIB), GIB, 0, 1), 25.0);
}

static void test_billed_units_are_multiplied_by_replicas(void **state)
{
    (void)state;
    /* each geo-replica is billed again, included storage too: (25 - 10) x 3 */
    assert_near(cost_billed_units((uint64_t)(25 * GIB), GIB, 10, 3), 45.0);
}

static void test_billed_units_are_never_negative(void **state)
{
    (void)state;
    assert_near(cost_billed_units((uint64_t)(5 * GIB), GIB, 10, 1), 0.0);
    assert_near(cost_billed_units((uint64_t)(10 * GIB), GIB, 10, 2), 0.0);
    assert_near(cost_billed_units(0, GIB, 10, 1), 0.0);
}

static void test_billed_units_with_replicas_below_one_count_once(void **state)
{
    (void)state;
    assert_near(cost_billed_units((uint64_t)(12 * GIB), GIB, 10, 0), 2.0);
    assert_near(cost_billed_units((uint64_t)(12 * GIB), GIB, 10, -3), 2.0);
}

static void test_billed_units_in_gb_and_gib_differ(void **state)
{
    (void)state;
    /* 25e9 bytes are 25 GB but only 23.28 GiB */
    assert_near(cost_billed_units(25000000000ULL, GB, 10, 1), 15.0);
    assert_near(cost_billed_units(25000000000ULL, GIB, 10, 1), 25e9 / GIB - 10);
    assert_near(cost_billed_units(25000000000ULL, GIB, 10, 1), 13.28306437);
}

static void test_pricing_worked_example_basic_25_gb(void **state)
{
    (void)state;
    /* data/pricing/README.md: Basic holding 25 GB costs 0.167 + 15 x 0.003 = 0.212 per day */
    double units = cost_billed_units(25000000000ULL, GB, 10, 1);
    assert_near(0.167 + units * 0.003, 0.212);
}

static void test_day_bytes_include_soft_deleted_bytes(void **state)
{
    (void)state;
    struct replay_day d;
    memset(&d, 0, sizeof d);
    d.stored_bytes = 1000;
    d.soft_deleted_bytes = 300;
    d.stored_bytes_dedup = 700;
    d.soft_deleted_bytes_dedup = 50;
    assert_int_equal(cost_day_bytes(&d, false), 1300);
    assert_int_equal(cost_day_bytes(&d, true), 750);
}

/* ======================================================================================
 * cost_compute
 * ====================================================================================== */

static void test_storage_cost_per_day_is_billed_units_times_price(void **state)
{
    struct tc *c = fake(state, 1, 3, 1);
    c->days[0][0].stored_bytes = (uint64_t)(2 * GIB);
    c->days[0][1].stored_bytes = (uint64_t)(4 * GIB);
    c->days[0][2].stored_bytes = (uint64_t)(4 * GIB);
    compute(c);
    const struct cost_policy *p = &c->cr.pol[0];
    assert_near(p->billed_units[0], 2.0);
    assert_near(p->billed_units[1], 4.0);
    assert_near(p->storage_cost[0], 0.02);
    assert_near(p->storage_cost[1], 0.04);
    assert_near(p->storage_cost[2], 0.04);
    assert_near(p->storage_total, 0.10);
    assert_string_equal(c->cr.currency, "AUD");
    assert_string_equal(c->cr.unit, "GiB");
    assert_false(c->cr.dedup);
}

static void test_per_month_is_total_over_days_times_30_4375(void **state)
{
    struct tc *c = fake(state, 1, 3, 1);
    c->days[0][0].stored_bytes = (uint64_t)(2 * GIB);
    c->days[0][1].stored_bytes = (uint64_t)(4 * GIB);
    c->days[0][2].stored_bytes = (uint64_t)(4 * GIB);
    compute(c);
    /* 0.10 over 3 days: 0.0333... per day, 1.0145833... per average month (365.25 / 12 days) */
    assert_near(c->cr.pol[0].per_month, 0.10 / 3 * 30.4375);
    assert_near(PRICING_DAYS_PER_MONTH, 365.25 / 12);
}

static void test_soft_deleted_bytes_are_billed(void **state)
{
    struct tc *c = fake(state, 1, 2, 1);
    flat(c, 0, 1);
    c->days[0][1].soft_deleted_bytes = (uint64_t)(3 * GIB);
    compute(c);
    assert_near(c->cr.pol[0].billed_units[0], 1.0);
    assert_near(c->cr.pol[0].billed_units[1], 4.0);
    assert_near(c->cr.pol[0].peak_units, 4.0);
    assert_near(c->cr.pol[0].end_units, 4.0);
}

static void test_included_storage_and_fee_come_from_the_sku(void **state)
{
    struct tc *c = fake(state, 1, 2, 1);
    flat(c, 0, 12);
    c->sku.name = BASIC;
    c->sku.fee_per_day = 0.25;
    c->sku.included_units = 10;
    c->o.sku = &c->sku;
    c->o.replicas = 2;
    compute(c);
    /* (12 - 10) x 2 replicas = 4 GiB billed a day; the fee is per replica too */
    assert_near(c->cr.pol[0].billed_units[0], 4.0);
    assert_near(c->cr.pol[0].storage_cost[0], 0.04);
    assert_near(c->cr.sku_fee_per_day, 0.5);
    assert_near(c->cr.included_units, 10);
    assert_int_equal(c->cr.replicas, 2);
    assert_string_equal(c->cr.sku_name, "Basic");
    /* what is stored is not what is billed */
    assert_near(c->cr.pol[0].end_units, 12.0);
}

static void test_without_sku_nothing_is_included_and_there_is_no_fee(void **state)
{
    struct tc *c = fake(state, 1, 2, 1);
    flat(c, 0, 3);
    c->o.replicas = 0;
    compute(c);
    assert_near(c->cr.pol[0].billed_units[0], 3.0);
    assert_near(c->cr.sku_fee_per_day, 0);
    assert_near(c->cr.included_units, 0);
    assert_null(c->cr.sku_name);
    assert_int_equal(c->cr.replicas, 1);
}

static void test_storage_below_the_included_amount_costs_nothing(void **state)
{
    struct tc *c = fake(state, 1, 2, 1);
    flat(c, 0, 8);
    c->sku.name = BASIC;
    c->sku.included_units = 10;
    c->o.sku = &c->sku;
    compute(c);
    assert_near(c->cr.pol[0].storage_total, 0.0);
    assert_near(c->cr.pol[0].per_month, 0.0);
}

static void test_gb_unit_bills_decimal_gigabytes(void **state)
{
    struct tc *c = fake(state, 1, 1, 1);
    c->days[0][0].stored_bytes = 25000000000ULL;
    c->price.unit = UNIT_GB;
    c->price.unit_bytes = GB;
    c->price.overage_per_unit_day = 0.003;
    c->sku.name = BASIC;
    c->sku.included_units = 10;
    c->sku.fee_per_day = 0.167;
    c->o.sku = &c->sku;
    compute(c);
    assert_string_equal(c->cr.unit, "GB");
    assert_near(c->cr.pol[0].billed_units[0], 15.0);
    assert_near(c->cr.sku_fee_per_day + c->cr.pol[0].storage_cost[0], 0.212);
}

static void test_gib_unit_bills_binary_gigabytes(void **state)
{
    struct tc *c = fake(state, 1, 1, 1);
    c->days[0][0].stored_bytes = 25000000000ULL;
    compute(c);
    assert_near(c->cr.unit_bytes, 1073741824.0);
    assert_near(c->cr.pol[0].billed_units[0], 25e9 / GIB);
}

static void test_pricing_set_unit_switches_between_gib_and_gb(void **state)
{
    (void)state;
    struct pricing p;
    memset(&p, 0, sizeof p);
    assert_true(pricing_set_unit(&p, "GB"));
    assert_string_equal(p.unit, "GB");
    assert_near(p.unit_bytes, 1e9);
    assert_true(pricing_set_unit(&p, "GiB"));
    assert_string_equal(p.unit, "GiB");
    assert_near(p.unit_bytes, 1073741824.0);
    assert_false(pricing_set_unit(&p, "gb"));
    assert_string_equal(p.unit, "GiB");
    free(p.unit);
}

static void test_price_and_currency_overrides(void **state)
{
    struct tc *c = fake(state, 1, 1, 1);
    flat(c, 0, 10);
    c->o.price_override = 0.5;
    c->o.currency_override = "USD";
    compute(c);
    assert_near(c->cr.price_per_unit_day, 0.5);
    assert_near(c->cr.pol[0].storage_cost[0], 5.0);
    assert_string_equal(c->cr.currency, "USD");
}

static void test_deduplicated_bytes_are_used_when_known(void **state)
{
    struct tc *c = fake(state, 1, 1, 1);
    c->rr.dedup_known = true;
    c->days[0][0].stored_bytes = (uint64_t)(10 * GIB);
    c->days[0][0].stored_bytes_dedup = (uint64_t)(4 * GIB);
    c->days[0][0].soft_deleted_bytes = (uint64_t)(5 * GIB);
    c->days[0][0].soft_deleted_bytes_dedup = (uint64_t)(1 * GIB);
    compute(c);
    assert_true(c->cr.dedup);
    assert_near(c->cr.pol[0].billed_units[0], 5.0);
}

static void test_end_average_and_peak_units(void **state)
{
    struct tc *c = fake(state, 1, 4, 1);
    const double gib[] = {1, 5, 3, 2};
    for (size_t d = 0; d < 4; d++) c->days[0][d].stored_bytes = (uint64_t)(gib[d] * GIB);
    compute(c);
    assert_near(c->cr.pol[0].end_units, 2.0);
    assert_near(c->cr.pol[0].avg_units, 11.0 / 4);
    assert_near(c->cr.pol[0].peak_units, 5.0);
}

static void test_saving_is_against_the_baseline(void **state)
{
    struct tc *c = fake(state, 3, 2, 1);
    flat(c, 0, 10);
    flat(c, 1, 4);
    flat(c, 2, 12);
    compute(c);
    /* 10 GiB x 0.01 a day = 0.1 a day = 3.04375 a month */
    assert_near(c->cr.pol[0].per_month, 3.04375);
    assert_near(c->cr.pol[0].saving_per_month, 0.0);
    assert_near(c->cr.pol[1].saving_per_month, 3.04375 - 1.2175);
    assert_near(c->cr.pol[1].reclaimed_end_units, 6.0);
    /* a policy that keeps more than the baseline saves a negative amount */
    assert_near(c->cr.pol[2].saving_per_month, 3.04375 - 3.6525);
    assert_near(c->cr.pol[2].reclaimed_end_units, -2.0);
    assert_int_equal(c->cr.best, 1);
}

static void test_best_policy_breaks_saving_ties_by_reclaimed_storage(void **state)
{
    struct tc *c = fake(state, 3, 1, 1);
    flat(c, 0, 10);
    flat(c, 1, 8);
    flat(c, 2, 6);
    c->sku.name = BASIC;
    c->sku.included_units = 20;   /* nothing is billed: every saving is 0 */
    c->o.sku = &c->sku;
    compute(c);
    assert_near(c->cr.pol[1].saving_per_month, 0.0);
    assert_int_equal(c->cr.best, 2);
}

static void test_repository_reclaimed_bytes_are_against_the_baseline_and_never_negative(void **state)
{
    struct tc *c = fake(state, 2, 1, 2);
    flat(c, 0, 1);
    flat(c, 1, 1);
    c->end[0][0] = 1000;
    c->end[1][0] = 400;
    c->end[0][1] = 100;
    c->end[1][1] = 150;
    compute(c);
    assert_int_equal(c->cr.pol[1].repos[0].end_bytes, 400);
    assert_int_equal(c->cr.pol[1].repos[0].reclaimed_bytes, 600);
    assert_int_equal(c->cr.pol[1].repos[1].reclaimed_bytes, 0);
    assert_int_equal(c->cr.pol[0].repos[0].reclaimed_bytes, 0);
}

static void test_top_repositories_are_by_reclaimed_bytes_then_name(void **state)
{
    struct tc *c = fake(state, 2, 1, 12);
    flat(c, 0, 10);
    flat(c, 1, 5);
    /* reclaimed under p1 (the best): repo-r reclaims rec[r] */
    const uint64_t rec[12] = {5, 0, 50, 7, 50, 1, 2, 3, 4, 6, 8, 9};
    for (size_t r = 0; r < 12; r++) {
        c->end[0][r] = 100;
        c->end[1][r] = 100 - rec[r];
    }
    compute(c);
    assert_int_equal(c->cr.best, 1);
    /* ten at most, largest first, ties in name order; repo-01 reclaims nothing */
    const uint32_t want[10] = {2, 4, 11, 10, 3, 9, 0, 8, 7, 6};
    assert_int_equal(c->cr.n_top, 10);
    for (size_t k = 0; k < 10; k++)
        if (c->cr.top[k] != want[k]) fail_msg("top[%zu] = %u, want %u", k, c->cr.top[k], want[k]);
}

static void test_top_repositories_leave_out_those_reclaiming_nothing(void **state)
{
    struct tc *c = fake(state, 2, 1, 3);
    flat(c, 0, 10);
    flat(c, 1, 5);
    c->end[0][1] = 100;
    c->end[1][1] = 40;
    compute(c);
    assert_int_equal(c->cr.n_top, 1);
    assert_int_equal(c->cr.top[0], 1);
}

static void test_repository_cost_share_follows_byte_days_of_the_accounted_days(void **state)
{
    struct tc *c = fake(state, 1, 4, 2);
    flat(c, 0, 3);   /* 0.03 a day */
    /* a report's month: days 1 and 2 are accounted */
    c->rr.acct_from_ns = c->days[0][1].day_ns;
    c->rr.acct_to_ns = c->days[0][3].day_ns;
    c->byte_days[0][0] = 3000;
    c->byte_days[0][1] = 1000;
    compute(c);
    /* the accounted money is 2 x 0.03 = 0.06, split 3:1 */
    assert_near(c->cr.pol[0].repos[0].cost_share, 0.045);
    assert_near(c->cr.pol[0].repos[1].cost_share, 0.015);
    /* the window's figures are unchanged */
    assert_near(c->cr.pol[0].storage_total, 0.12);
}

static void test_repository_cost_share_is_zero_without_byte_days(void **state)
{
    struct tc *c = fake(state, 1, 2, 2);
    flat(c, 0, 3);
    compute(c);
    assert_near(c->cr.pol[0].repos[0].cost_share, 0.0);
    assert_near(c->cr.pol[0].repos[1].cost_share, 0.0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_billed_units_subtract_included_storage),
        T(test_billed_units_are_multiplied_by_replicas),
        T(test_billed_units_are_never_negative),
        T(test_billed_units_with_replicas_below_one_count_once),
        T(test_billed_units_in_gb_and_gib_differ),
        T(test_pricing_worked_example_basic_25_gb),
        T(test_day_bytes_include_soft_deleted_bytes),
        T(test_storage_cost_per_day_is_billed_units_times_price),
        T(test_per_month_is_total_over_days_times_30_4375),
        T(test_soft_deleted_bytes_are_billed),
        T(test_included_storage_and_fee_come_from_the_sku),
        T(test_without_sku_nothing_is_included_and_there_is_no_fee),
        T(test_storage_below_the_included_amount_costs_nothing),
        T(test_gb_unit_bills_decimal_gigabytes),
        T(test_gib_unit_bills_binary_gigabytes),
        T(test_pricing_set_unit_switches_between_gib_and_gb),
        T(test_price_and_currency_overrides),
        T(test_deduplicated_bytes_are_used_when_known),
        T(test_end_average_and_peak_units),
        T(test_saving_is_against_the_baseline),
        T(test_best_policy_breaks_saving_ties_by_reclaimed_storage),
        T(test_repository_reclaimed_bytes_are_against_the_baseline_and_never_negative),
        T(test_top_repositories_are_by_reclaimed_bytes_then_name),
        T(test_top_repositories_leave_out_those_reclaiming_nothing),
        T(test_repository_cost_share_follows_byte_days_of_the_accounted_days),
        T(test_repository_cost_share_is_zero_without_byte_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
