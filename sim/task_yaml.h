/* task_yaml.h - an ACR task's YAML: fill in its {{.Values.x}} references and find its one
 * acr purge step (libyaml). Ownership: *cmd is the caller's to free. */
#ifndef PURGESIM_TASK_YAML_H
#define PURGESIM_TASK_YAML_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* Renders `content` with step.values `set_values` (az's --set; may be NULL) before the values
 * YAML `values` (may be NULL), and reads its one step. Returns 1 with *cmd set (owned) to the
 * step's acr purge command; 0 when the task is one purgesim skips, or -1 when its YAML cannot
 * be read, each with why set to the reason. */
int task_yaml_command(const char *content, const char *values, const cJSON *set_values, char **cmd,
                      char *why, size_t whylen);

#endif
