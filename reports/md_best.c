/* md_best.c - which policies a Markdown headline names as the ones that save the most (simulate's
 * and report's, against the baseline and against `current`), and how it names them.
 *
 * The rule for a tie: two savings tie when they print the same at the two decimals every
 * headline and table prints them with. The reader sees "0.18" in both rows, so naming one of
 * them as the one that "saves the most" would rest on a difference the report does not show;
 * and exact equality would be float noise (two policies that both end under the included
 * storage save the same money, but sums taken over other days in another order need not be
 * equal to the last bit). Every headline that names a best policy goes through md_best_find(). */
#include "markdown_internal.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define MD_BEST_NAMES 4          /* tied policies a headline names before "and N more" */

/* a and b print the same with %.2f */
bool md_same_money(double a, double b)
{
    char x[48], y[48];
    snprintf(x, sizeof x, "%.2f", a);
    snprintf(y, sizeof y, "%.2f", b);
    return !strcmp(x, y);
}

/* The order the tied policies are named in: those breaking nothing first (the one to pick
 * when the money is the same), then the least stored at the end, then the policy file's. */
static bool named_before(size_t i, size_t j, const double *end, const bool *safe)
{
    if (safe && safe[i] != safe[j]) return safe[i];
    if (end[i] != end[j]) return end[i] < end[j];
    return i < j;
}

void md_best_find(size_t n_pol, size_t skip, const double *saving, const double *end, const bool *safe,
                  struct md_best *b)
{
    memset(b, 0, sizeof *b);
    b->pol = xcalloc(n_pol + 1, sizeof *b->pol);
    bool any = false;
    for (size_t i = 0; i < n_pol; i++) {
        if (i == skip) continue;
        if (!any || saving[i] > b->saving) b->saving = saving[i];
        any = true;
    }
    /* below half a cent it prints as 0.00: nothing saves anything worth a headline */
    if (!any || b->saving < 0.005) return;
    for (size_t i = 0; i < n_pol; i++) {
        if (i == skip || !md_same_money(saving[i], b->saving)) continue;
        /* insertion: a handful of policies */
        size_t k = b->n++;
        while (k > 0 && named_before(i, b->pol[k - 1], end, safe)) {
            b->pol[k] = b->pol[k - 1];
            k--;
        }
        b->pol[k] = i;
        if (safe && safe[i]) b->n_safe++;
    }
}

void md_best_free(struct md_best *b)
{
    free(b->pol);
    memset(b, 0, sizeof *b);
}

void md_policy_list(FILE *fp, const struct replay_result *rr, const size_t *pol, size_t n)
{
    size_t shown = n <= MD_BEST_NAMES ? n : MD_BEST_NAMES;
    for (size_t j = 0; j < shown; j++) {
        if (j) fputs(j + 1 == n ? " and " : ", ", fp);
        fputs("**", fp);
        md_policy(fp, rr, pol[j]);
        fputs("**", fp);
    }
    if (shown < n) fprintf(fp, " and %zu more", n - shown);
}

void md_best_range(FILE *fp, const struct md_best *b, const double *v, const char *unit)
{
    if (!b->n) return;
    double lo = v[b->pol[0]], hi = lo;
    for (size_t j = 1; j < b->n; j++) {
        if (v[b->pol[j]] < lo) lo = v[b->pol[j]];
        if (v[b->pol[j]] > hi) hi = v[b->pol[j]];
    }
    if (md_same_money(lo, hi)) fprintf(fp, "**%.2f %s**", lo, unit);
    else fprintf(fp, "**%.2f to %.2f %s**", lo, hi, unit);
}
