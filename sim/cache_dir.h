/* cache_dir.h - where the model cache's images live, and how many of them stay: the directory
 * ($XDG_CACHE_HOME/purgesim) made on first use, and a budget that keeps it from filling the
 * disk. The images themselves are model_cache.c's. */
#ifndef PURGESIM_CACHE_DIR_H
#define PURGESIM_CACHE_DIR_H

#include <stdbool.h>
#include <stddef.h>

/* The cache directory into buf (made if missing, private to the user): `override` when not
 * NULL, else $XDG_CACHE_HOME/purgesim (an absolute XDG_CACHE_HOME only), else
 * $HOME/.cache/purgesim. False, with why, when there is none or it cannot be written. */
bool cache_dir_open(const char *override, char *buf, size_t len, char *why, size_t whylen);

/* After an image `keep` was written in dir: removes the images (NAME.model) used least
 * recently (by mtime; a hit touches its image) until the rest fit $PURGESIM_CACHE_MAX (a size
 * such as 500M or 2G, default 2G), never `keep`, and a write's temporary file older than a day.
 * Returns how many images it removed; budget gets the budget's text for a message. */
size_t cache_dir_prune(const char *dir, const char *keep, char budget[32]);

#endif
