/* jstream_internal.h - what jstream.c and jstream_check.c share: the nesting limit both
 * enforce, how a byte is named in messages, and the strict check's entry points. Not for other
 * modules: they use jstream.h.
 *   jstream.c        the stream: reading, capturing an element, copying a span, parsing
 *   jstream_check.c  the strict RFC 8259 check of an element's text, before cJSON parses it */
#ifndef PURGESIM_JSTREAM_INTERNAL_H
#define PURGESIM_JSTREAM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* Deepest nesting of objects and arrays that capture and the check accept. */
#define JS_MAX_DEPTH 512

/* Byte c as a message names it: "'x'", "byte 0x01", "a NUL byte", or "end of file" for c < 0.
 * The result is buf or a constant. */
const char *js_describe_byte(int c, char *buf, size_t n);

/* The check js_capture's fast path runs on the text at the read position: one value at the
 * start of text[0, len) that is valid RFC 8259, its strings' bytes checked as capture checks
 * them (no control bytes, UTF-8 per RFC 3629). True with *end just past the value (whether what
 * follows may end it is the caller's to judge). False when it is not valid or not whole in len,
 * without a message: the caller then captures the long way, whose messages users see. */
bool js_check_element(const char *text, size_t len, size_t *end);

/* The check of a whole text: exactly one valid value, with whitespace around it. Strings'
 * bytes are not checked here (js_capture checks them as it reads). False with the offset of
 * the first wrong byte in *bad_at and why in msg. */
bool js_check_text(const char *text, size_t len, size_t *bad_at, char *msg, size_t msg_size);

#endif
