/* md_text.h - text into GitHub-flavoured Markdown so that no table breaks and nothing renders
 * as HTML, a link or a mention: escaped text and code spans. Each writes to fp when it is not
 * NULL and returns the bytes the text takes (callers measure first to keep lists in a budget). */
#ifndef PURGESIM_MD_TEXT_H
#define PURGESIM_MD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* s as it is. */
size_t md_put(FILE *fp, const char *s);
/* s as Markdown text (the rules are at the definition). */
size_t md_escape(FILE *fp, const char *s);
/* s as one code span; '|' escaped inside a table cell. */
size_t md_code(FILE *fp, const char *s, bool in_table);
/* The report's warnings as a "**Warnings**" list after a blank line (nothing when n is 0): each
 * warning escaped, the list cut with "… and N more" past a few thousand bytes. Every command's
 * Markdown ends with it, so the warnings the text report prints are never lost. */
void md_warnings(FILE *fp, char *const *w, size_t n);

#endif
