/* markdown.c - --format markdown (render.h). Being written: every function reports that the
 * format is not available yet. */
#include "render.h"

static int not_yet(FILE *fp)
{
    (void)fp;
    fputs("purgesim: --format markdown is not available yet\n", stderr);
    return -1;
}

int render_dryrun_markdown(const struct dryrun_report *r, const char *command, FILE *fp)
{
    (void)r;
    (void)command;
    return not_yet(fp);
}

int render_sim_markdown(const struct simulation *s, FILE *fp)
{
    (void)s;
    return not_yet(fp);
}

int render_month_markdown(const struct simulation *s, FILE *fp)
{
    (void)s;
    return not_yet(fp);
}

int render_forecast_markdown(const struct simulation *s, const struct forecast_report *f, FILE *fp)
{
    (void)s;
    (void)f;
    return not_yet(fp);
}
