/*
 * RE2 patterns for POSIX regcomp: see re2posix.h.
 *
 * The rewrite is one pass over the pattern. Character classes are parsed
 * into a set of ASCII bytes and written back in a canonical POSIX form, so
 * the differences between the two bracket syntaxes (escapes, where ']',
 * '-' and '^' may stand) never reach regcomp.
 */
#include "profile/re2posix.h"

#include <stdlib.h>
#include <string.h>

#include "base/hex.h"

#define MAX_DEPTH 1000
/* Go's bound on a repeat count, and on the product of nested ones */
#define MAX_REPEAT 1000
/*
 * glibc's regcomp is about cubic in the copies of empty-matchable
 * subexpressions that counted repetition makes: (a?){1,64} four times
 * takes 0.5 s, (a?){1,50} twenty times exhausts 2 GB, (){1,1000} never
 * ends. Copies of such items, weighted by their size, are capped over the
 * whole pattern: at 100, the worst case compiles in about 30 ms.
 */
#define MAX_NULLABLE_COPIES 100

struct xlate {
	const char *s, *end;
	struct strbuf *out;
	struct strbuf *err;
	/* size estimate: atoms per open group, and the last atom's size */
	size_t cur[MAX_DEPTH + 2], last[MAX_DEPTH + 2];
	/*
	 * Per open group, for the checks that keep regcomp bounded: whether
	 * the alternatives closed so far include one that matches empty, the
	 * current alternative before its last item matches empty, and the last
	 * item does; the largest product of nested repeat counts in the group
	 * and in its last item (Go's repeatIsValid).
	 */
	unsigned char alt_null[MAX_DEPTH + 2], prefix_null[MAX_DEPTH + 2], last_null[MAX_DEPTH + 2];
	unsigned short inner_rep[MAX_DEPTH + 2], last_rep[MAX_DEPTH + 2];
	size_t nullable_copies;
	size_t depth;
	int can_repeat;		/* the last item is something a quantifier applies to */
	int repeated;		/* the last item is a quantifier */
	/*
	 * The last item is an empty-width assertion (^ $ \b \B), written at
	 * out[assert_at]. Go lets one be repeated, POSIX does not: "\b+" is
	 * "\b", and "\b*" or "\b?" always match, so they are dropped.
	 */
	int after_assert;
	size_t assert_at;
};

static int fail(struct xlate *x, const char *what)
{
	return error_set(x->err, "%s", what);
}

/* A new item ends the previous one: the alternative so far absorbs it. */
static void next_item(struct xlate *x, int nullable, unsigned rep)
{
	size_t d = x->depth;

	x->prefix_null[d] = x->prefix_null[d] && x->last_null[d];
	x->last_null[d] = (unsigned char)nullable;
	x->last_rep[d] = (unsigned short)rep;
	if (rep > x->inner_rep[d])
		x->inner_rep[d] = (unsigned short)rep;
}

/* A group or alternation level starts: empty so far, so it matches empty. */
static void open_level(struct xlate *x, size_t d)
{
	x->cur[d] = x->last[d] = 0;
	x->alt_null[d] = 0;
	x->prefix_null[d] = x->last_null[d] = 1;
	x->inner_rep[d] = x->last_rep[d] = 1;
}

static int atom_full(struct xlate *x, size_t size, int nullable, unsigned rep)
{
	next_item(x, nullable, rep);
	x->cur[x->depth] += size;
	x->last[x->depth] = size;
	x->can_repeat = 1;
	x->repeated = x->after_assert = 0;
	if (x->cur[x->depth] > RE2POSIX_MAX_SIZE)
		return fail(x, "expression too large");
	return 0;
}

/* A single character or class: never empty, never repeated. */
static int atom(struct xlate *x, size_t size)
{
	return atom_full(x, size, 0, 1);
}

static void truncate_out(struct xlate *x, size_t len)
{
	x->out->len = len;
	x->out->buf[len] = '\0';
}

/* An empty-width assertion is about to be written. */
static void assertion(struct xlate *x)
{
	next_item(x, 1, 1);
	x->can_repeat = x->repeated = 0;
	x->after_assert = 1;
	x->assert_at = x->out->len;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A literal byte outside brackets, in a form POSIX reads as that byte. */
static void put_literal(struct strbuf *out, unsigned char c)
{
	switch (c) {
	case '^':
	case '\\':
		strbuf_addch(out, '\\');
		strbuf_addch(out, (char)c);
		break;
	case '.': case '[': case '(': case ')': case '*': case '+':
	case '?': case '{': case '}': case '|': case '$':
		strbuf_addch(out, '[');
		strbuf_addch(out, (char)c);
		strbuf_addch(out, ']');
		break;
	default:
		strbuf_addch(out, (char)c);
	}
}

typedef unsigned char byteset[128];

static void set_range(byteset set, int lo, int hi)
{
	int c;

	for (c = lo; c <= hi; c++)
		set[c] = 1;
}

/* Perl classes \d \s \w (lower case); 0 if c names none. */
static int perl_class(int c, byteset set)
{
	switch (c) {
	case 'd':
		set_range(set, '0', '9');
		return 1;
	case 's':
		set['\t'] = set['\n'] = set['\f'] = set['\r'] = set[' '] = 1;
		return 1;
	case 'w':
		set_range(set, '0', '9');
		set_range(set, 'A', 'Z');
		set_range(set, 'a', 'z');
		set['_'] = 1;
		return 1;
	}
	return 0;
}

/* POSIX classes as Go defines them ([:word:] and [:ascii:] included). */
static int named_class(const char *name, size_t len, byteset set)
{
	static const struct { const char *name; const char *ranges; } classes[] = {
		{ "alnum", "09AZaz" }, { "alpha", "AZaz" }, { "ascii", "\001\177" },
		{ "blank", "\t\t  " }, { "cntrl", "\001\037\177\177" }, { "digit", "09" },
		{ "graph", "!~" }, { "lower", "az" }, { "print", " ~" },
		{ "punct", "!/:@[`{~" }, { "space", "\t\r  " }, { "upper", "AZ" },
		{ "word", "09AZaz__" }, { "xdigit", "09AFaf" },
	};
	size_t i;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		const char *r;

		if (strlen(classes[i].name) != len || strncmp(classes[i].name, name, len))
			continue;
		for (r = classes[i].ranges; *r; r += 2)
			set_range(set, (unsigned char)r[0], (unsigned char)r[1]);
		return 1;
	}
	return 0;
}

/*
 * An escape's byte value (after the backslash, at x->s): punctuation,
 * \a \f \t \n \r \v, \x.., octal. -1 with err set if the escape is not a
 * single ASCII byte; -2 (err not set) if it is something else (a class,
 * an assertion) the caller handles.
 */
static int escape_byte(struct xlate *x)
{
	const char *s = x->s;
	int c = (unsigned char)*s, v;

	if (c < 0x80 && !is_alnum(c)) {
		x->s++;
		return c;
	}
	switch (c) {
	case 'a': x->s++; return 7;
	case 'f': x->s++; return '\f';
	case 't': x->s++; return '\t';
	case 'n': x->s++; return '\n';
	case 'r': x->s++; return '\r';
	case 'v': x->s++; return '\v';
	case 'x':
		s++;
		if (s < x->end && *s == '{') {
			v = 0;
			for (s++; s < x->end && hex_value(*s) >= 0; s++) {
				v = v * 16 + hex_value(*s);
				if (v > 0x10ffff)
					return fail(x, "invalid escape sequence");
			}
			if (s >= x->end || *s != '}' || s == x->s + 2)
				return fail(x, "invalid escape sequence");
			s++;
		} else {
			if (x->end - s < 2 || hex_value(s[0]) < 0 || hex_value(s[1]) < 0)
				return fail(x, "invalid escape sequence");
			v = hex_value(s[0]) * 16 + hex_value(s[1]);
			s += 2;
		}
		if (v >= 0x80)
			return fail(x, "non-ASCII \\x escapes are not supported");
		x->s = s;
		return v;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		/* Go: \0 and \1x.. are octal; \1 to \7 alone are backreferences */
		if (c != '0' && (x->end - s < 2 || s[1] < '0' || s[1] > '7'))
			return fail(x, "invalid escape sequence (backreferences are not RE2)");
		for (v = 0; s < x->end && s - x->s < 3 && *s >= '0' && *s <= '7'; s++)
			v = v * 8 + (*s - '0');
		if (v >= 0x80)
			return fail(x, "non-ASCII octal escapes are not supported");
		x->s = s;
		return v;
	}
	return -2;
}

static void put_set(struct strbuf *out, const byteset set, int negate)
{
	int c, special_caret = set['^'] && !negate;
	size_t start = out->len;

	strbuf_addch(out, '[');
	if (negate)
		strbuf_addch(out, '^');
	if (set[']'])
		strbuf_addch(out, ']');
	for (c = 1; c < 128; c++) {
		int hi;

		if (!set[c] || c == ']' || c == '^' || c == '-' || c == '[')
			continue;
		for (hi = c; hi + 1 < 128 && set[hi + 1] && hi + 1 != ']' && hi + 1 != '^' &&
			     hi + 1 != '-' && hi + 1 != '['; hi++)
			;
		strbuf_addch(out, (char)c);
		if (hi > c + 1)
			strbuf_addch(out, '-');
		if (hi > c)
			strbuf_addch(out, (char)hi);
		c = hi;
	}
	if (set['['])
		strbuf_addch(out, '[');
	if (set['^']) {
		if (special_caret && out->len == start + 1) {
			/* '^' first would negate: lead with '-', or write it bare */
			if (set['-']) {
				strbuf_addstr(out, "-^]");
				return;
			}
			out->len = start;
			out->buf[out->len] = '\0';
			strbuf_addstr(out, "\\^");
			return;
		}
		strbuf_addch(out, '^');
	}
	if (set['-'])
		strbuf_addch(out, '-');
	strbuf_addch(out, ']');
}

static int class_byte(struct xlate *x, int *out)
{
	unsigned char c = (unsigned char)*x->s;

	if (c == '\\') {
		int v;

		x->s++;
		if (x->s >= x->end)
			return fail(x, "trailing backslash at end of expression");
		v = escape_byte(x);
		if (v == -2)
			return fail(x, "invalid escape sequence in a character class");
		if (v < 0)
			return -1;
		*out = v;
		return 0;
	}
	if (c >= 0x80)
		return fail(x, "non-ASCII characters in a character class are not supported");
	x->s++;
	*out = c;
	return 0;
}

/* A character class; x->s is just past '['. */
static int parse_class(struct xlate *x)
{
	byteset set;
	int negate = 0, first = 1, c;

	memset(set, 0, sizeof(set));
	if (x->s < x->end && *x->s == '^') {
		negate = 1;
		x->s++;
	}
	for (;;) {
		int lo, hi;

		if (x->s >= x->end)
			return fail(x, "missing closing ]");
		if (*x->s == ']' && !first)
			break;
		first = 0;
		if (x->end - x->s > 2 && x->s[0] == '[' && x->s[1] == ':') {
			const char *e = x->s + 2;

			while (e + 1 < x->end && !(e[0] == ':' && e[1] == ']'))
				e++;
			if (e + 1 < x->end) {
				if (x->s[2] == '^')
					return fail(x, "negated POSIX classes are not supported");
				if (!named_class(x->s + 2, (size_t)(e - x->s - 2), set))
					return fail(x, "invalid character class range");
				x->s = e + 2;
				continue;
			}
		}
		if (x->s[0] == '\\' && x->end - x->s > 1) {
			unsigned char e = (unsigned char)x->s[1];

			if (e == 'p' || e == 'P')
				return fail(x, "Unicode classes (\\p, \\P) are not supported");
			if (e == 'D' || e == 'S' || e == 'W')
				return fail(x, "negated Perl classes inside [...] are not supported");
			if (perl_class(e, set)) {
				x->s += 2;
				continue;
			}
		}
		if (class_byte(x, &lo) < 0)
			return -1;
		hi = lo;
		if (x->end - x->s >= 2 && x->s[0] == '-' && x->s[1] != ']') {
			x->s++;
			if (class_byte(x, &hi) < 0)
				return -1;
			if (hi < lo)
				return fail(x, "invalid character class range");
		}
		if (lo == 0)
			lo = 1;	/* NUL cannot reach regcomp; names hold none */
		if (lo <= hi)
			set_range(set, lo, hi);
	}
	x->s++;	/* ']' */
	for (c = 1; c < 128 && !set[c]; c++)
		;
	if (c == 128) {
		if (!negate)
			return fail(x, "empty character classes are not supported");
		/* [^\x00]: any byte, newline included (POSIX '.' without REG_NEWLINE) */
		strbuf_addch(x->out, '.');
	} else {
		put_set(x->out, set, negate);
	}
	return atom(x, 1);
}

/* After '{' at x->s: a repeat count, if this is one (1), else 0; -1 bad. */
static int parse_repeat(struct xlate *x)
{
	const char *s = x->s + 1;
	long lo = 0, hi;
	int digits = 0;
	size_t n;

	while (s < x->end && is_digit(*s) && digits < 8) {
		lo = lo * 10 + (*s++ - '0');
		digits++;
	}
	if (!digits)
		return 0;
	hi = lo;
	if (s < x->end && *s == ',') {
		s++;
		hi = -1;
		digits = 0;
		while (s < x->end && is_digit(*s) && digits < 8) {
			hi = (hi < 0 ? 0 : hi * 10) + (*s++ - '0');
			digits++;
		}
	}
	if (s >= x->end || *s != '}')
		return 0;
	s++;
	if (lo > MAX_REPEAT || hi > MAX_REPEAT || (hi >= 0 && hi < lo))
		return fail(x, "invalid repeat count");
	if (x->after_assert) {
		if (!lo)
			truncate_out(x, x->assert_at);
		x->s = s;
		return 1;
	}
	if (!x->can_repeat)
		return fail(x, x->repeated ? "invalid nested repetition operator"
				 : "missing argument to repetition operator");
	strbuf_add(x->out, x->s, (size_t)(s - x->s));
	x->s = s;
	/* as Go: x{2}{3}-like nesting may not make more than 1000 copies */
	if (hi != 0) {
		unsigned m = (unsigned)(hi > 0 ? hi : lo), d = (unsigned)x->depth;

		if (m && (unsigned long)m * x->last_rep[d] > MAX_REPEAT)
			return fail(x, "invalid repeat count (nested repetition makes over 1000 copies)");
		if (m) {
			x->last_rep[d] = (unsigned short)(m * x->last_rep[d]);
			if (x->last_rep[d] > x->inner_rep[d])
				x->inner_rep[d] = x->last_rep[d];
		}
	}
	/* {n} copies the atom n times, {n,} n+1, {n,m} m */
	n = (size_t)(hi >= 0 ? hi : lo + 1);
	if (n > 1 && x->last_null[x->depth]) {
		size_t w = x->last[x->depth] ? x->last[x->depth] : 1;

		if (w > MAX_NULLABLE_COPIES || n * w > MAX_NULLABLE_COPIES - x->nullable_copies)
			return fail(x, "counted repetition of an expression that can match empty is too large for regcomp");
		x->nullable_copies += n * w;
	}
	if (!lo)
		x->last_null[x->depth] = 1;
	if (n > 1 && x->last[x->depth] > RE2POSIX_MAX_SIZE / n)
		return fail(x, "expression too large");
	if (n > 1) {
		x->cur[x->depth] += x->last[x->depth] * (n - 1);
		if (x->cur[x->depth] > RE2POSIX_MAX_SIZE)
			return fail(x, "expression too large");
	}
	return 1;
}

static int quantifier_done(struct xlate *x)
{
	x->can_repeat = x->after_assert = 0;
	x->repeated = 1;
	/* a lazy marker changes which match is found, not whether one is */
	if (x->s < x->end && *x->s == '?')
		x->s++;
	return 0;
}

static int translate_one(struct xlate *x)
{
	unsigned char c = (unsigned char)*x->s++;
	int v;

	switch (c) {
	case '(':
		if (x->s < x->end && *x->s == '?') {
			if (x->end - x->s >= 2 && x->s[1] == ')') {
				/* "(?)": flags that set nothing, and no group */
				x->s += 2;
				return 0;
			} else if (x->end - x->s >= 2 && x->s[1] == ':') {
				x->s += 2;
			} else if (x->end - x->s >= 3 && x->s[1] == 'P' && x->s[2] == '<') {
				const char *e = x->s + 3;

				while (e < x->end && (is_alnum((unsigned char)*e) || *e == '_'))
					e++;
				if (e >= x->end || *e != '>' || e == x->s + 3)
					return fail(x, "invalid named capture");
				x->s = e + 1;
			} else {
				return fail(x, "flag groups such as (?i) are not supported");
			}
		}
		if (x->depth >= MAX_DEPTH)
			return fail(x, "expression nests too deeply");
		x->depth++;
		open_level(x, x->depth);
		x->can_repeat = x->repeated = x->after_assert = 0;
		strbuf_addch(x->out, '(');
		return 0;
	case ')': {
		size_t size, d = x->depth;
		int nullable;

		if (!x->depth)
			return fail(x, "unexpected )");
		size = x->cur[d] + 1;
		nullable = x->alt_null[d] || (x->prefix_null[d] && x->last_null[d]);
		x->depth--;
		strbuf_addch(x->out, ')');
		return atom_full(x, size, nullable, x->inner_rep[d]);
	}
	case '|': {
		size_t d = x->depth;

		x->alt_null[d] = x->alt_null[d] || (x->prefix_null[d] && x->last_null[d]);
		x->prefix_null[d] = x->last_null[d] = 1;
		x->last[d] = 0;
		x->can_repeat = x->repeated = x->after_assert = 0;
		strbuf_addch(x->out, '|');
		return 0;
	}
	case '*':
	case '+':
	case '?':
		if (x->after_assert) {
			if (c != '+')
				truncate_out(x, x->assert_at);
			return quantifier_done(x);
		}
		if (!x->can_repeat)
			return fail(x, x->repeated ? "invalid nested repetition operator"
					 : "missing argument to repetition operator");
		if (c != '+')
			x->last_null[x->depth] = 1;
		strbuf_addch(x->out, (char)c);
		return quantifier_done(x);
	case '{':
		x->s--;
		v = parse_repeat(x);
		if (v < 0)
			return -1;
		if (v)
			return quantifier_done(x);
		x->s++;
		put_literal(x->out, '{');
		return atom(x, 1);
	case '^':
	case '$':
		assertion(x);
		strbuf_addch(x->out, (char)c);
		return 0;
	case '.':
		strbuf_addstr(x->out, "[^\n]");
		return atom(x, 1);
	case '[':
		return parse_class(x);
	case '\\':
		break;
	default:
		if (c >= 0x80) {
			/* a UTF-8 character is one atom: group its bytes */
			int n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1, i;

			if (n < 0 || c >= 0xf8 || x->end - x->s < n)
				return fail(x, "invalid UTF-8");
			for (i = 0; i < n; i++)
				if (((unsigned char)x->s[i] & 0xc0) != 0x80)
					return fail(x, "invalid UTF-8");
			strbuf_addch(x->out, '(');
			strbuf_addch(x->out, (char)c);
			strbuf_add(x->out, x->s, (size_t)n);
			strbuf_addch(x->out, ')');
			x->s += n;
			return atom(x, 1);
		}
		put_literal(x->out, c);
		return atom(x, 1);
	}

	/* an escape */
	if (x->s >= x->end)
		return fail(x, "trailing backslash at end of expression");
	c = (unsigned char)*x->s;
	switch (c) {
	case 'd': case 's': case 'w': case 'D': case 'S': case 'W': {
		byteset set;
		int lower = c | 0x20;

		memset(set, 0, sizeof(set));
		perl_class(lower, set);
		put_set(x->out, set, c != lower);
		x->s++;
		return atom(x, 1);
	}
	case 'b':
	case 'B':
		/* GNU regex has both, with the same ASCII notion of a word */
		assertion(x);
		strbuf_addch(x->out, '\\');
		strbuf_addch(x->out, (char)c);
		x->s++;
		return 0;
	case 'A':
	case 'z':
		assertion(x);
		strbuf_addch(x->out, c == 'A' ? '^' : '$');
		x->s++;
		return 0;
	case 'Q': {
		const char *e;

		x->s++;
		for (e = x->s; e < x->end && !(e[0] == '\\' && e + 1 < x->end && e[1] == 'E'); e++)
			;
		for (; x->s < e; x->s++) {
			if ((unsigned char)*x->s >= 0x80)
				return fail(x, "non-ASCII characters in \\Q...\\E are not supported");
			put_literal(x->out, (unsigned char)*x->s);
			if (atom(x, 1) < 0)
				return -1;
		}
		if (x->s < x->end)
			x->s += 2;	/* \E */
		return 0;
	}
	case 'p':
	case 'P':
		return fail(x, "Unicode classes (\\p, \\P) are not supported");
	}
	v = escape_byte(x);
	if (v == -2)
		return fail(x, "invalid escape sequence");
	if (v < 0)
		return -1;
	if (v == 0)
		return fail(x, "NUL in a pattern is not supported");
	put_literal(x->out, (unsigned char)v);
	return atom(x, 1);
}

int re2posix_translate(const char *re2, size_t len, struct strbuf *out, struct strbuf *err)
{
	struct xlate *x;	/* 16 KiB of counters: not on the stack */
	int ret = 0;

	if (len > RE2POSIX_MAX_PATTERN)
		return error_set(err, "pattern longer than %d bytes", RE2POSIX_MAX_PATTERN);
	if (memchr(re2, '\0', len))
		return error_set(err, "NUL in a pattern is not supported");
	x = xcalloc(1, sizeof(*x));
	x->s = re2;
	x->end = re2 + len;
	x->out = out;
	x->err = err;
	open_level(x, 0);
	strbuf_reset(out);
	strbuf_addstr(out, "");
	while (x->s < x->end && !ret)
		ret = translate_one(x);
	if (!ret && x->depth)
		ret = error_set(err, "missing closing )");
	free(x);
	return ret;
}

int re2posix_compile_full(regex_t *re, const char *re2, size_t len, struct strbuf *err)
{
	struct strbuf full = STRBUF_INIT, ere = STRBUF_INIT;
	int rc, ret = -1, flags = REG_EXTENDED | REG_NOSUB;

	if (len > RE2POSIX_MAX_PATTERN) {
		error_set(err, "pattern longer than %d bytes", RE2POSIX_MAX_PATTERN);
		goto out;
	}
	/* a leading (?i) covers the whole pattern: that much regcomp can do */
	if (len >= 4 && !memcmp(re2, "(?i)", 4)) {
		flags |= REG_ICASE;
		re2 += 4;
		len -= 4;
	}
	/* anchored as text, as pprof does: "a)|(b" is legal there */
	strbuf_addstr(&full, "^(");
	strbuf_add(&full, re2, len);
	strbuf_addstr(&full, ")$");
	if (re2posix_translate(full.buf, full.len, &ere, err) < 0)
		goto out;
	rc = regcomp(re, ere.buf, flags);
	if (rc) {
		char msg[256];

		regerror(rc, re, msg, sizeof(msg));
		error_set(err, "%s", msg);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&full);
	strbuf_release(&ere);
	return ret;
}

int re2posix_match(const regex_t *re, const char *s, size_t len)
{
	regmatch_t m;

	m.rm_so = 0;
	m.rm_eo = (regoff_t)len;
	return regexec(re, s, 1, &m, REG_STARTEND) == 0;
}
