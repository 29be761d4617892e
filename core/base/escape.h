#ifndef TRIAGE_ESCAPE_H
#define TRIAGE_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

#include "base/strbuf.h"

/*
 * Text from input (function names, manifest fields, member names, rule
 * output built from them) on its way to a terminal or a report: a byte a
 * terminal acts on must not get there raw, or a profile can clear the
 * screen, set the window title, hide text or forge report rows with a
 * newline. C0 controls and DEL are written \xNN (\n \r \t as the two
 * characters "\n", "\r", "\t"), C1 controls in UTF-8 (U+0080..U+009F, an 8-bit CSI
 * among them) \u00NN, and bytes that are not UTF-8 \xNN. Everything else,
 * printable UTF-8 included, is copied as it is, so clean text is unchanged.
 */

/* 1 if the len bytes at s need escaping. */
int text_needs_escape(const char *s, size_t len);

/* Appends the len bytes at s, escaped. */
void strbuf_add_escaped(struct strbuf *sb, const char *s, size_t len);

/*
 * s itself when it is clean (the usual case: no copy), else its escaped
 * form in tmp (reset first); NULL stays NULL. Valid until tmp changes.
 */
const char *text_safe(struct strbuf *tmp, const char *s);

/* Writes the len bytes at s to out, escaped; the number of bytes written. */
size_t fput_escaped(FILE *out, const char *s, size_t len);

#endif
