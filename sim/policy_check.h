/* policy_check.h - warnings about policies that need the export or the replay window: a
 * filter that matches no repository at any time, an acr purge or az --registry other than the
 * export's, a schedule that never fires in the window. Pure: reads its inputs, appends strings.
 * Ownership: the warnings appended belong to the caller's list (free with strv_free). */
#ifndef PURGESIM_POLICY_CHECK_H
#define PURGESIM_POLICY_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "policy.h"

/* Appends to *warnings (holding *n_warnings strings; strv_addf's list) first a copy of each
 * of ps->warnings (what the policy parse found), then what needs the model `m` (every
 * repository that exists at any time of the window: with several snapshots, their merge) and
 * the window [from_ns, to_ns] the replay runs over. Each warning starts with "[policy] ".
 * Policies without tasks (the baseline, retention only) get none of the second kind. */
void policy_check(const struct policy_set *ps, const struct model *m, int64_t from_ns, int64_t to_ns,
                  char ***warnings, size_t *n_warnings);

/* The same checks for one acr purge command, for the dry run: each filter that matches no
 * repository of `m` (with the unexpanded-variable hint), and an acr purge or az --registry
 * other than m's login server. Each appended string starts with `prefix` ("" is fine). */
void policy_check_rule(const struct purge_rule *r, const struct model *m, const char *prefix, char ***warnings,
                       size_t *n_warnings);

#endif
