/* Escaping untrusted text for terminals and reports: see escape.h. */
#include "base/escape.h"

#include <string.h>

/*
 * The length of the character at s: 1 for printable ASCII, the sequence's
 * length for a printable UTF-8 character, 0 for a byte that must be
 * escaped (*c1 set for a C1 control, which is two bytes).
 */
static size_t clean_char(const unsigned char *s, size_t left, int *c1)
{
	unsigned char c = s[0];
	size_t n, i;

	*c1 = 0;
	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;	/* C0, DEL, a stray continuation byte, an overlong or too-large lead */
	n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong three- and four-byte forms, surrogates, beyond U+10FFFF */
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
		return 0;
	if (c == 0xc2 && s[1] < 0xa0) {
		*c1 = 1;
		return 0;
	}
	return n;
}

int text_needs_escape(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int c1;

	while (i < len) {
		size_t n = clean_char(p + i, len - i, &c1);

		if (!n)
			return 1;
		i += n;
	}
	return 0;
}

void strbuf_add_escaped(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		int c1;
		size_t n = clean_char(p + i, len - i, &c1);

		if (n) {
			strbuf_add(sb, p + i, n);
			i += n;
		} else if (c1) {
			strbuf_addf(sb, "\\u%04x", p[i + 1]);
			i += 2;
		} else {
			switch (p[i]) {
			case '\n': strbuf_addstr(sb, "\\n"); break;
			case '\r': strbuf_addstr(sb, "\\r"); break;
			case '\t': strbuf_addstr(sb, "\\t"); break;
			default: strbuf_addf(sb, "\\x%02x", p[i]);
			}
			i++;
		}
	}
}

const char *text_safe(struct strbuf *tmp, const char *s)
{
	size_t len;

	if (!s)
		return NULL;
	len = strlen(s);
	if (!text_needs_escape(s, len))
		return s;
	strbuf_reset(tmp);
	strbuf_addstr(tmp, "");
	strbuf_add_escaped(tmp, s, len);
	return tmp->buf;
}

size_t fput_escaped(FILE *out, const char *s, size_t len)
{
	struct strbuf tmp = STRBUF_INIT;
	size_t n;

	if (!text_needs_escape(s, len))
		return fwrite(s, 1, len, out);
	strbuf_add_escaped(&tmp, s, len);
	n = fwrite(tmp.buf, 1, tmp.len, out);
	strbuf_release(&tmp);
	return n;
}
