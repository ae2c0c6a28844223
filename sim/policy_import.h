/* policy_import.h - the purge setup as Azure describes it, as policies: the JSON of `az acr
 * task list/show`, `az acr config retention|soft-delete show`, `az acr show`, an ARM template
 * (so Bicep after `az bicep build`) and `terraform show -json`. See sim/IMPORT.md.
 * Ownership: everything is copied into the policy set; the inputs are borrowed. */
#ifndef PURGESIM_POLICY_IMPORT_H
#define PURGESIM_POLICY_IMPORT_H

#include <stddef.h>

#include "diag.h"
#include "policy.h"
#include "purgecmd.h"

struct policy_import_opts {
    /* non-NULL: every task and configuration imported goes into ONE policy of this name
     * (created on first use, appended to by later calls); NULL: each task becomes a policy
     * named after it, and configuration without a task a policy named after the document */
    const char *group;
};

/* Adds the purge setup described by one JSON document (any shape above, detected by its keys)
 * to ps. label names the source in messages (a path, "tasks.json", "bundle tasks") and must
 * outlive ps. Returns PS_OK, or ERR_INPUT with "LABEL: JSON.PATH: message" errors in d. Tasks
 * skipped (not acr purge, several steps, another step type, a template value missing) and
 * tasks or timers that never fire become warnings in ps->warnings. */
int policy_import_json(struct policy_set *ps, const char *label, const char *text, size_t len,
                       const struct purgecmd_opts *o, const struct policy_import_opts *io, struct diag *d);

#endif
