/* cost.c - billed storage and money per policy and day. */
#include "cost.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "strv.h"

uint64_t cost_day_bytes(const struct replay_day *d, bool dedup)
{
    return dedup ? d->stored_bytes_dedup + d->soft_deleted_bytes_dedup
                 : d->stored_bytes + d->soft_deleted_bytes;
}

double cost_billed_units(uint64_t bytes, double unit_bytes, double included_units, int replicas)
{
    double over = (double)bytes / unit_bytes - included_units;
    return over > 0 ? over * (replicas > 0 ? replicas : 1) : 0.0;
}

int cost_prepare(const struct cost_request *rq, const char *export_sku, struct pricing *price,
                 struct cost_opts *co, struct diag *d, char ***warnings, size_t *n_warnings)
{
    char path[4096];
    const char *pp = rq->pricing_path ? rq->pricing_path : pricing_default_path_for(rq->pricing_date, path, sizeof path);
    int rc = pricing_load(pp, price, d);
    if (rc != PS_OK) return rc;
    memset(co, 0, sizeof *co);
    co->price = price;
    co->replicas = rq->replicas > 0 ? rq->replicas : 1;
    co->price_override = rq->price_per_gb_day;
    if (rq->unit && !pricing_set_unit(price, rq->unit)) {
        diag_msg(d, "--unit: expected GiB or GB, got \"%s\"", rq->unit);
        rc = ERR_USAGE;
    } else if (rq->currency && strcasecmp(rq->currency, price->currency) && !(rq->price_per_gb_day > 0)) {
        diag_msg(d, "--currency %s: the price table is in %s; give --price-per-gb-day in %s too (or a table in %s)",
                 rq->currency, price->currency, rq->currency, rq->currency);
        rc = ERR_USAGE;
    }
    if (rc != PS_OK) {
        pricing_free(price);
        return rc;
    }
    co->currency_override = rq->currency && strcasecmp(rq->currency, price->currency) ? rq->currency : NULL;
    const char *sku = rq->sku ? rq->sku : export_sku;
    co->sku = sku ? pricing_find_sku(price, sku) : NULL;
    if (!co->sku && sku && !rq->sku)
        strv_addf(warnings, n_warnings, "the export's SKU \"%s\" is not in the price table: no included storage "
                                        "and no SKU fee are counted (give --sku)", sku);
    else if (!co->sku && sku) {
        diag_msg(d, "--sku %s: not in the price table %s", sku, pp);
        pricing_free(price);
        return ERR_USAGE;
    } else if (!co->sku)
        strv_addf(warnings, n_warnings, "no SKU known (give --sku): no included storage and no SKU fee are counted");
    return PS_OK;
}

void cost_basis_init(const struct cost_opts *o, struct cost_basis *b)
{
    const struct pricing *p = o->price;
    memset(b, 0, sizeof *b);
    b->currency = o->currency_override ? o->currency_override : p->currency;
    b->unit = p->unit;
    b->unit_bytes = p->unit_bytes;
    b->price_per_unit_day = o->price_override > 0 ? o->price_override : p->overage_per_unit_day;
    b->price_given = o->price_override > 0;
    b->replicas = o->replicas > 0 ? o->replicas : 1;
    b->included_units = o->sku ? o->sku->included_units : 0;
    b->sku_fee_per_day = o->sku ? o->sku->fee_per_day * b->replicas : 0;
    b->sku_name = o->sku ? o->sku->name : NULL;
    if (o->currency_override && strcmp(o->currency_override, p->currency)) {
        /* the table's SKU fees are in its own currency: none is known in this one */
        b->sku_fee_unknown = true;
        b->sku_fee_per_day = 0;
    }
}

double cost_storage_per_day(const struct cost_basis *b, uint64_t bytes)
{
    return cost_billed_units(bytes, b->unit_bytes, b->included_units, b->replicas) * b->price_per_unit_day;
}

int cost_compute(const struct replay_result *rr, const struct cost_opts *o, struct cost_result *out)
{
    memset(out, 0, sizeof *out);
    out->rr = rr;
    out->dedup = rr->dedup_known;
    cost_basis_init(o, &out->basis);
    out->currency = out->basis.currency;
    out->unit = out->basis.unit;
    out->unit_bytes = out->basis.unit_bytes;
    out->price_per_unit_day = out->basis.price_per_unit_day;
    out->replicas = out->basis.replicas;
    out->included_units = out->basis.included_units;
    out->sku_fee_per_day = out->basis.sku_fee_per_day;
    out->sku_name = out->basis.sku_name;
    out->sku_fee_unknown = out->basis.sku_fee_unknown;
    out->has_current = o->has_current && o->current < rr->n_pol;
    out->current = out->has_current ? o->current : 0;
    out->n_pol = rr->n_pol;
    out->pol = xcalloc(rr->n_pol + 1, sizeof *out->pol);
    for (size_t i = 0; i < rr->n_pol; i++) {
        const struct replay_policy *rp = &rr->pol[i];
        struct cost_policy *cp = &out->pol[i];
        cp->billed_units = xcalloc(rr->n_days + 1, sizeof *cp->billed_units);
        cp->storage_cost = xcalloc(rr->n_days + 1, sizeof *cp->storage_cost);
        double sum_units = 0;
        for (size_t d = 0; d < rr->n_days; d++) {
            uint64_t bytes = cost_day_bytes(&rp->days[d], out->dedup);
            double units = (double)bytes / out->unit_bytes;
            sum_units += units;
            if (units > cp->peak_units) cp->peak_units = units;
            cp->billed_units[d] = cost_billed_units(bytes, out->unit_bytes, out->included_units, out->replicas);
            cp->storage_cost[d] = cost_storage_per_day(&out->basis, bytes);
            cp->storage_total += cp->storage_cost[d];
        }
        if (rr->n_days) {
            cp->end_units = (double)cost_day_bytes(&rp->days[rr->n_days - 1], out->dedup) / out->unit_bytes;
            cp->avg_units = sum_units / (double)rr->n_days;
            cp->per_month = cp->storage_total / (double)rr->n_days * PRICING_DAYS_PER_MONTH;
        }
    }
    /* savings against the baseline, which the caller puts first */
    for (size_t i = 0; i < out->n_pol; i++) {
        struct cost_policy *cp = &out->pol[i];
        cp->saving_per_month = out->pol[0].per_month - cp->per_month;
        if (out->has_current) cp->saving_vs_current_per_month = out->pol[out->current].per_month - cp->per_month;
        cp->reclaimed_end_units = out->pol[0].end_units - cp->end_units;
        if (cp->saving_per_month > out->pol[out->best].saving_per_month ||
            (cp->saving_per_month == out->pol[out->best].saving_per_month &&
             cp->reclaimed_end_units > out->pol[out->best].reclaimed_end_units))
            out->best = i;
    }
    /* per repository: end bytes, reclaimed against the baseline, share of the money */
    const struct model *m = rr->h->m;
    for (size_t i = 0; i < out->n_pol; i++) {
        const struct replay_policy *rp = &rr->pol[i];
        struct cost_policy *cp = &out->pol[i];
        cp->repos = xcalloc(m->n_repos + 1, sizeof *cp->repos);
        double total_bd = 0, acct_money = 0;
        for (size_t r = 0; r < m->n_repos; r++) total_bd += rp->repo_byte_days[r];
        /* the money of the accounted days: the whole window unless a month was asked for */
        for (size_t d = 0; d < rr->n_days; d++) {
            if (replay_day_accounted(rr->acct_from_ns, rr->acct_to_ns, rp->days[d].day_ns))
                acct_money += cp->storage_cost[d];
        }
        for (size_t r = 0; r < m->n_repos; r++) {
            struct cost_repo *cr = &cp->repos[r];
            cr->end_bytes = rp->repo_end_bytes[r];
            uint64_t base = rr->pol[0].repo_end_bytes[r];
            cr->reclaimed_bytes = base > cr->end_bytes ? base - cr->end_bytes : 0;
            cr->cost_share = total_bd > 0 ? acct_money * rp->repo_byte_days[r] / total_bd : 0;
        }
    }
    out->top = xcalloc(COST_TOP_REPOS + 1, sizeof *out->top);
    const struct cost_repo *best = out->pol[out->best].repos;
    for (size_t r = 0; r < m->n_repos; r++) {
        if (!best[r].reclaimed_bytes) continue;
        /* insertion into a short sorted list; repos are in name order, so ties keep it */
        size_t k = out->n_top < COST_TOP_REPOS ? out->n_top++ : COST_TOP_REPOS;
        if (k == COST_TOP_REPOS && best[out->top[k - 1]].reclaimed_bytes >= best[r].reclaimed_bytes) continue;
        if (k == COST_TOP_REPOS) k--;
        while (k > 0 && best[out->top[k - 1]].reclaimed_bytes < best[r].reclaimed_bytes) {
            out->top[k] = out->top[k - 1];
            k--;
        }
        out->top[k] = (uint32_t)r;
    }
    return 0;
}

void cost_period(const struct cost_result *c, size_t i, struct cost_period *out)
{
    const struct replay_result *rr = c->rr;
    memset(out, 0, sizeof *out);
    double units = 0;
    for (size_t d = 0; d < rr->n_days; d++) {
        if (!replay_day_accounted(rr->acct_from_ns, rr->acct_to_ns, rr->pol[i].days[d].day_ns)) continue;
        out->days++;
        out->storage += c->pol[i].storage_cost[d];
        out->end_units = (double)cost_day_bytes(&rr->pol[i].days[d], c->dedup) / c->unit_bytes;
        units += out->end_units;
    }
    out->avg_units = out->days ? units / (double)out->days : 0;
    out->sku_fee = c->sku_fee_per_day * (double)out->days;
}

void cost_result_free(struct cost_result *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_pol; i++) {
        free(c->pol[i].billed_units);
        free(c->pol[i].storage_cost);
        free(c->pol[i].repos);
    }
    free(c->pol);
    free(c->top);
    memset(c, 0, sizeof *c);
}
