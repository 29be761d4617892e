/*
 * pprof's function name simplification: see demangle.h.
 *
 * Mangled names go to libiberty's demangler (the one binutils and gdb use),
 * asked for no parameters; go tool pprof's own demangler prints C++ names
 * without template arguments too, so those are taken out of libiberty's
 * result afterwards (on 121,601 C++ symbols of libstdc++, LLVM, ICU,
 * protobuf and node, 15 differ from pprof's: local names inside lambdas
 * and constructors of unnamed types, where the two demanglers disagree). Names that are not mangled get pprof's heuristic for
 * already-demangled C++.
 */
#include "profile/demangle.h"

#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

int demangle_looks_like_cxx(const char *s, size_t len)
{
	int found = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '<':
			/* Java "class.<init>" */
			if (i && s[i - 1] == '.')
				return 0;
			found = 1;
			break;
		case ']':
			/* Go "pkg.(*T[...]).Method" */
			if (i + 2 < len && s[i + 1] == ')' && s[i + 2] == '.')
				return 0;
			found = 1;
			break;
		case '>':
		case '[':
			found = 1;
			break;
		case ':':
			if (i + 1 < len && s[i + 1] == ':')
				found = 1;
			break;
		}
	}
	return found;
}

size_t demangle_remove_matching(char *s, size_t len, char start, char end)
{
	size_t i, out = 0, first = 0, nesting = 0;

	/*
	 * One pass, writing the kept bytes at out: a group closing at depth 0
	 * is removed by moving out back to where it opened. A closing byte
	 * with nothing open stops the work and keeps the rest as it is.
	 */
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == end) {
			if (!nesting) {
				memmove(s + out, s + i, len - i);
				out += len - i;
				break;
			}
			if (!--nesting) {
				out = first;
				continue;
			}
		} else if (c == start && !nesting++) {
			first = out;
		}
		s[out++] = c;
	}
	s[out] = '\0';
	return out;
}

static int is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$';
}

/*
 * Length of the operator symbol after "operator" at s, for the symbols
 * that hold '<', '>' or '-' (which would otherwise be taken for template
 * brackets); 0 for any other.
 */
static size_t operator_symbol(const char *s)
{
	static const char *const ops[] = {
		"<=>", "<<=", ">>=", "->*", "<<", ">>", "<=", ">=", "->", "<", ">", NULL,
	};
	const char *const *o;

	for (o = ops; *o; o++)
		if (!strncmp(s, *o, strlen(*o)))
			return strlen(*o);
	return 0;
}

/*
 * Copies a demangled name without its template argument lists. Inside an
 * argument list, parentheses hide '<' and '>' (libiberty prints an
 * expression such as "(a)>(b)" in them), and "operator<" and the like are
 * names, not brackets. Returns -1 if the brackets do not balance.
 */
static int strip_template_args(const char *in, struct strbuf *out)
{
	size_t depth = 0, parens = 0;
	const char *s = in;

	strbuf_reset(out);
	while (*s) {
		char c = *s;

		if (c == 'o' && !strncmp(s, "operator", 8) && (s == in || !is_ident(s[-1]))) {
			size_t n = operator_symbol(s + 8);

			if (n) {
				if (!depth)
					strbuf_add(out, s, 8 + n);
				s += 8 + n;
				continue;
			}
		}
		s++;
		if (depth) {
			if (c == '(') {
				parens++;
			} else if (c == ')') {
				if (parens)
					parens--;
			} else if (!parens) {
				if (c == '<')
					depth++;
				else if (c == '>')
					depth--;
			}
			continue;
		}
		if (c == '<') {
			/* "operator< <int>": the space only kept the two apart */
			if (out->len >= 2 && out->buf[out->len - 1] == ' ' && out->buf[out->len - 2] == '<')
				out->buf[--out->len] = '\0';
			depth = 1;
			parens = 0;
			continue;
		}
		if (c == '>')
			return -1;
		strbuf_addch(out, c);
	}
	return depth ? -1 : 0;
}

int demangle_mangled(const char *name, struct strbuf *out)
{
	char *d;
	int ret = 0;

	/* the prefixes both demanglers know: C++ (and legacy Rust), Rust v0, global ctors */
	if (name[0] != '_' ||
	    (name[1] != 'Z' && name[1] != 'R' && strncmp(name, "_GLOBAL_", 8)))
		return 0;
	if (strlen(name) > DEMANGLE_MAX_NAME)
		return 0;
	/*
	 * What cplus_demangle(name, DMGL_NO_OPTS) does, in two steps: Rust
	 * first (legacy "_ZN...17h<hash>E" looks like C++ too), then C++.
	 * pprof keeps Rust's generic arguments ("<Vec<T> as Drop>::drop").
	 */
	d = rust_demangle(name, DMGL_NO_OPTS);
	if (d) {
		if (strlen(d) <= DEMANGLE_MAX_OUTPUT) {
			strbuf_reset(out);
			strbuf_addstr(out, d);
			ret = 1;
		}
	} else if (name[1] != 'R') {
		d = cplus_demangle_v3(name, DMGL_NO_OPTS);
		if (d && strlen(d) <= DEMANGLE_MAX_OUTPUT && !strip_template_args(d, out))
			ret = 1;
	}
	free(d);
	return ret;
}

int demangle_function_name(const char *sys, size_t len, struct strbuf *out)
{
	if (len > DEMANGLE_MAX_NAME)
		return 0;
	if (sys[0] == '_' && demangle_mangled(sys, out))
		return out->len != len || memcmp(out->buf, sys, len) != 0;
	if (!demangle_looks_like_cxx(sys, len))
		return 0;
	strbuf_reset(out);
	strbuf_add(out, sys, len);
	out->len = demangle_remove_matching(out->buf, out->len, '(', ')');
	out->len = demangle_remove_matching(out->buf, out->len, '<', '>');
	return out->len != len || memcmp(out->buf, sys, len) != 0;
}
