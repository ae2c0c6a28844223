/* markdown_internal.h - what the Markdown renderers share (markdown.c: simulate and report;
 * md_dryrun.c: dry-run; md_forecast.c: forecast; md_best.c: the policies a headline names as
 * saving the most): names cut and escaped as the text tables cut them, table delimiter rows,
 * the SKU terms, the order of per-repository tables. Not for other modules: they use render.h. */
#ifndef PURGESIM_MARKDOWN_INTERNAL_H
#define PURGESIM_MARKDOWN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cost.h"
#include "replay.h"
#include "simulation.h"

#define MD_LIST_BUDGET 32000     /* bytes of a <details> list (a comment holds 65,536 chars) */
#define MD_REPO_MAX 60           /* repository names in summary tables, as the text tables */
#define MD_TOP 10                /* rows of a per-repository table */
#define MD_RISK_LIST 20          /* rows of a table of references a policy breaks */

/* A name cut as the text tables cut it (render_ellipsize), then escaped. */
size_t md_name(FILE *fp, const char *name, size_t max);
/* Policy i's name, cut and escaped. */
void md_policy(FILE *fp, const struct replay_result *rr, size_t i);
/* The delimiter row: a cell per character of align ('l' text, 'r' a number, right-aligned),
 * then more_right number cells. */
void md_delimiter_row(FILE *fp, const char *align, size_t more_right);
const char *md_plural(size_t n, const char *one, const char *many);
/* The SKU, its included storage and its replicas, as the money terms say them. */
void md_sku_terms(FILE *fp, const char *sku, double included, const char *unit, int replicas);

/* A row of a per-repository table and what orders it (md_by_rank, for qsort): largest key1
 * first, then largest key2, then the given order. */
struct md_ranked {
    double key1;
    uint64_t key2;
    size_t index;
};
int md_by_rank(const void *a, const void *b);
/* The money terms simulate's and forecast's reports end with: the SKU, its included storage
 * and replicas, the storage basis and unit, the overage price and "(table, date" of the price
 * table; the caller closes the parenthesis. */
void md_money_terms(FILE *fp, const struct simulation *s, const struct cost_result *c);

/* The policies a headline names as saving the most against one policy (md_best.c, which says
 * why a tie is a tie): those whose saving prints as the largest does, at two decimals. */
struct md_best {
    size_t *pol;                     /* in the order named: breaking nothing first, then the least
                                        stored at the end, then file order */
    size_t n;                        /* 0: the largest saving is below 0.005 (prints as 0.00) */
    size_t n_safe;                   /* pol[0..n_safe) break nothing (0 when safe is NULL) */
    double saving;                   /* the largest saving */
};

/* a and b print the same at two decimals. */
bool md_same_money(double a, double b);
/* Among policies 0..n_pol-1 but `skip` (the one they are compared with): saving[i] and end[i]
 * per policy, safe[i] whether it breaks nothing (NULL: not known). Free with md_best_free(). */
void md_best_find(size_t n_pol, size_t skip, const double *saving, const double *end, const bool *safe,
                  struct md_best *b);
void md_best_free(struct md_best *b);
/* "**a**", "**a** and **b**", "**a**, **b** and **c**"; past four names "… and N more". */
void md_policy_list(FILE *fp, const struct replay_result *rr, const size_t *pol, size_t n);
/* v over the tied policies, bold: "**6.15 GiB**", or "**6.15 to 7.83 GiB**" when they differ
 * at two decimals. */
void md_best_range(FILE *fp, const struct md_best *b, const double *v, const char *unit);

#endif
