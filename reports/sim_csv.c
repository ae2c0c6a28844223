/* sim_csv.c - simulate --format csv: four files written through libcsv, each atomically. */
#include "render.h"

#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timeu.h"

/* A cell: quoted through libcsv only when needed; text that a spreadsheet would run as a
 * formula (= + - @ tab CR first) gets a leading apostrophe. Numbers are written as numbers. */
static void cell_text(FILE *fp, const char *s, bool last)
{
    char *tmp = NULL;
    if (strchr("=+-@\t\r", s[0]) && s[0]) {
        size_t n = strlen(s) + 2;
        tmp = malloc(n);
        if (tmp) {
            snprintf(tmp, n, "'%s", s);
            s = tmp;
        }
    }
    if (strpbrk(s, ",\"\n\r")) csv_fwrite(fp, s, strlen(s));
    else fputs(s, fp);
    free(tmp);
    fputc(last ? '\n' : ',', fp);
}

static void cell_u64(FILE *fp, uint64_t v, bool last)
{
    fprintf(fp, "%" PRIu64 "%c", v, last ? '\n' : ',');
}

static void cell_f(FILE *fp, double v, bool last)
{
    fprintf(fp, "%.6f%c", v, last ? '\n' : ',');
}

typedef void (*csv_body_fn)(const struct simulation *s, FILE *fp);

static void summary(const struct simulation *s, FILE *fp)
{
    const struct cost_result *c = &s->cost;
    fputs("policy,runs,tags_deleted,manifests_deleted,cascade_deleted,end_units,avg_units,peak_units,"
          "reclaimed_end_units,storage_cost,cost_per_month,saving_per_month,unit,currency,basis\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        const struct replay_policy *rp = &s->rr.pol[i];
        const struct cost_policy *cp = &c->pol[i];
        cell_text(fp, rp->p->name, false);
        cell_u64(fp, rp->runs, false);
        cell_u64(fp, rp->tags_deleted, false);
        cell_u64(fp, rp->manifests_deleted, false);
        cell_u64(fp, rp->cascade_deleted, false);
        cell_f(fp, cp->end_units, false);
        cell_f(fp, cp->avg_units, false);
        cell_f(fp, cp->peak_units, false);
        cell_f(fp, cp->reclaimed_end_units, false);
        cell_f(fp, cp->storage_total, false);
        cell_f(fp, cp->per_month, false);
        cell_f(fp, cp->saving_per_month, false);
        cell_text(fp, c->unit, false);
        cell_text(fp, c->currency, false);
        cell_text(fp, c->dedup ? "dedup" : "imageSize", true);
    }
}

static void daily(const struct simulation *s, FILE *fp)
{
    fputs("date,policy,stored_bytes,stored_bytes_dedup,soft_deleted_bytes,billed_gib,cost,"
          "tags_deleted,manifests_deleted,cascade_deleted\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        const struct replay_policy *rp = &s->rr.pol[i];
        for (size_t d = 0; d < s->rr.n_days; d++) {
            const struct replay_day *day = &rp->days[d];
            char date[24];
            cell_text(fp, timeu_format_date(day->day_ns, date, sizeof date), false);
            cell_text(fp, rp->p->name, false);
            cell_u64(fp, day->stored_bytes, false);
            if (s->rr.dedup_known) cell_u64(fp, day->stored_bytes_dedup, false);
            else fputc(',', fp);
            cell_u64(fp, s->rr.dedup_known ? day->soft_deleted_bytes_dedup : day->soft_deleted_bytes, false);
            cell_f(fp, s->cost.pol[i].billed_units[d], false);
            cell_f(fp, s->cost.pol[i].storage_cost[d], false);
            cell_u64(fp, day->tags_deleted, false);
            cell_u64(fp, day->manifests_deleted, false);
            cell_u64(fp, day->cascade_deleted, true);
        }
    }
}

static void repositories(const struct simulation *s, FILE *fp)
{
    fputs("policy,repository,bytes_at_end,bytes_reclaimed,cost_share\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++)
        for (size_t r = 0; r < s->m->n_repos; r++) {
            const struct cost_repo *cr = &s->cost.pol[i].repos[r];
            cell_text(fp, s->rr.pol[i].p->name, false);
            cell_text(fp, s->m->repos[r].name, false);
            cell_u64(fp, cr->end_bytes, false);
            cell_u64(fp, cr->reclaimed_bytes, false);
            cell_f(fp, cr->cost_share, true);
        }
}

static const char *const KIND[] = {"tag", "manifest", "cascade", "retention"};

static void deletions(const struct simulation *s, FILE *fp)
{
    fputs("run_time,policy,repository,kind,name,bytes\n", fp);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        const struct replay_policy *rp = &s->rr.pol[i];
        for (size_t k = 0; k < rp->n_del; k++) {
            const struct replay_deletion *dl = &rp->del[k];
            const struct repo *repo = &s->m->repos[dl->repo];
            char t[48], dg[80];
            cell_text(fp, timeu_format(dl->t_ns, t, sizeof t), false);
            cell_text(fp, rp->p->name, false);
            cell_text(fp, repo->name, false);
            cell_text(fp, KIND[dl->kind], false);
            if (dl->kind == RDEL_TAG) {
                cell_text(fp, s->h->inst[dl->item].name, false);
                cell_u64(fp, 0, true);
            } else {
                cell_text(fp, digest_format(&repo->manifests[dl->item].digest, dg, sizeof dg), false);
                cell_u64(fp, repo->manifests[dl->item].size_bytes, true);
            }
        }
    }
}

static int write_file(const struct simulation *s, struct output *out, const char *name, csv_body_fn body)
{
    FILE *fp = output_open(out, name);
    if (!fp) return -1;
    body(s, fp);
    return output_close(out, fp);
}

int render_sim_csv(const struct simulation *s, struct output *out)
{
    static const struct {
        const char *name;
        csv_body_fn body;
    } files[] = {{"summary.csv", summary}, {"daily.csv", daily}, {"repositories.csv", repositories},
                 {"deletions.csv", deletions}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (write_file(s, out, files[i].name, files[i].body) != 0) return -1;
    return 0;
}
