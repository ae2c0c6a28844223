/* png_stable.h - libplot's PNGs made reproducible: it stamps each with the wall clock (a tEXt
 * chunk "Creation Time"), so two runs on the same inputs would write different bytes. */
#ifndef PURGESIM_PNG_STABLE_H
#define PURGESIM_PNG_STABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes the PNG in buf[0 .. n) to `to` without its "Creation Time" text chunks; every other
 * chunk is copied as it is (each chunk carries its own CRC, so dropping one leaves the rest
 * valid). Anything that does not parse as PNG chunks is copied whole. Returns false on a write
 * error. */
bool png_write_stable(const unsigned char *buf, size_t n, FILE *to);

#endif
