/* fuzz_grid.c - libFuzzer target: tune's grid files (tune_grid_load over the default grid,
 * sim/TUNE.md). Checks: a refusal is ERR_INPUT with one message naming the file; a grid read
 * holds only values tune can use (counts within bounds, every --ago an acr purge duration,
 * every --keep and retention in range, every schedule a cron that parses, a filter with its
 * colon and no quotes) and at least one candidate. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cron.h"
#include "diag.h"
#include "duration.h"
#include "fuzz.h"
#include "tune.h"

static void check_grid(const struct tune_grid *g)
{
    FUZZ_CHECK(g->n_keep <= TUNE_MAX_VALUES && g->n_ago <= TUNE_MAX_VALUES && g->n_sched <= TUNE_MAX_VALUES &&
                   g->n_retention <= TUNE_MAX_VALUES,
               "counts past the bounds");
    for (size_t i = 0; i < g->n_keep; i++) FUZZ_CHECK(g->keep[i] >= 0 && g->keep[i] <= 1000000, "keep %lld", g->keep[i]);
    for (size_t i = 0; i < g->n_ago; i++) {
        struct duration_result r;
        FUZZ_CHECK(duration_parse_ago(g->ago[i], &r) == DURATION_OK && r.ns >= 0, "ago \"%s\"", g->ago[i]);
    }
    for (size_t i = 0; i < g->n_sched; i++) {
        struct cron c;
        char err[200];
        FUZZ_CHECK(cron_parse(g->sched[i].cron, &c, err, sizeof err), "schedule \"%s\": %s", g->sched[i].cron, err);
        FUZZ_CHECK(g->sched[i].name[0], "schedule %zu without a name", i);
    }
    for (size_t i = 0; i < g->n_retention; i++)
        FUZZ_CHECK(g->retention_days[i] >= 0 && g->retention_days[i] <= 365, "retention %d", g->retention_days[i]);
    FUZZ_CHECK(strchr(g->filter, ':') && !strchr(g->filter, '\'') && !strchr(g->filter, '"'), "filter \"%s\"",
               g->filter);
    bool any_mode = g->mode[0] || g->mode[1] || g->mode[2];
    FUZZ_CHECK((any_mode && g->n_keep && g->n_ago && g->n_sched) || g->n_retention, "a grid with no candidate");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch_file(0, data, size);
    struct tune_grid g;
    tune_grid_default(&g);
    struct diag d;
    memset(&d, 0, sizeof d);
    int rc = tune_grid_load(&g, path, &d);
    if (rc == PS_OK) {
        FUZZ_CHECK(d.n_total == 0, "a grid read with %zu messages", d.n_total);
        check_grid(&g);
    } else {
        FUZZ_CHECK(rc == ERR_INPUT, "tune_grid_load: rc %d", rc);
        FUZZ_CHECK(d.n_total == 1, "a refusal with %zu messages", d.n_total);
    }
    diag_free(&d);
    return 0;
}
