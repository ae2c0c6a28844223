/* events_gen.h - a synthetic event log in the az JSON shape, for benchmarks and tests.
 * Ownership: writes to a caller's stream; keeps nothing. */
#ifndef PURGESIM_EVENTS_GEN_H
#define PURGESIM_EVENTS_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes `rows` rows of `az monitor log-analytics query -o json` (every value a string, "None"
 * for null) to fp: pushes, pulls by tag and by digest, untags, deletes and a few failed pulls
 * across 50 repositories, about a minute apart from 2025-01-01 in shuffled order (as Log
 * Analytics returns them), one row in 200 for another login server. The same seed gives the
 * same bytes. Returns 0, or -1 when writing failed. */
int events_gen_write(FILE *fp, size_t rows, uint64_t seed, const char *login_server);

#endif
