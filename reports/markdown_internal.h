/* markdown_internal.h - what the Markdown renderers share (markdown.c: dry-run, simulate,
 * report; md_forecast.c: forecast): names cut and escaped as the text tables cut them, table
 * delimiter rows, the SKU terms. Not for other modules: they use render.h. */
#ifndef PURGESIM_MARKDOWN_INTERNAL_H
#define PURGESIM_MARKDOWN_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "cost.h"
#include "replay.h"
#include "simulation.h"

#define MD_LIST_BUDGET 32000     /* bytes of a <details> list (a comment holds 65,536 chars) */

/* A name cut as the text tables cut it (render_ellipsize), then escaped. */
size_t md_name(FILE *fp, const char *name, size_t max);
/* Policy i's name, cut and escaped. */
void md_policy(FILE *fp, const struct replay_result *rr, size_t i);
/* The delimiter row: a cell per character of align ('l' text, 'r' a number, right-aligned),
 * then more_right number cells. */
void md_delimiter_row(FILE *fp, const char *align, size_t more_right);
const char *md_plural(size_t n, const char *one, const char *many);
/* The money terms simulate's and forecast's reports end with: the SKU, its included storage
 * and replicas, the storage basis and unit, the overage price and "(table, date" of the price
 * table; the caller closes the parenthesis. */
void md_money_terms(FILE *fp, const struct simulation *s, const struct cost_result *c);

#endif
