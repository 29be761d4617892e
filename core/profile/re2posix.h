#ifndef TRIAGE_RE2POSIX_H
#define TRIAGE_RE2POSIX_H

#include <regex.h>
#include <stddef.h>

#include "base/strbuf.h"

/*
 * Go (RE2) regular expressions run with POSIX regcomp/regexec, for the
 * patterns a profile carries (drop_frames, keep_frames). The pattern is
 * rewritten into a POSIX extended one with the same meaning: Perl classes
 * (\d \s \w and negations) become bracket expressions, escapes inside
 * brackets become literals, "(?:" and "(?P<name>" become plain groups,
 * lazy quantifiers become greedy ones (the same strings match), '.' stops
 * matching '\n', and a '{' that starts no repetition is a literal.
 *
 * What Go rejects is rejected (backreferences, unknown escapes, repeat
 * counts over 1000, unbalanced groups). What has no POSIX counterpart is
 * refused with a message rather than guessed: flag groups such as "(?s)"
 * (a "(?i)" that starts the pattern is REG_ICASE), Unicode classes (\pL),
 * negated POSIX classes ([[:^alpha:]]), non-ASCII characters in brackets
 * and in \x or octal escapes. Matching is bytewise ('.' matches one byte
 * where Go matches one UTF-8 character; case folding is ASCII only).
 * Patterns are untrusted: longer than RE2POSIX_MAX_PATTERN bytes, nested
 * deeper than 1000, or expanding (through counted repetition) beyond
 * RE2POSIX_MAX_SIZE atoms, they are refused before regcomp sees them
 * (glibc's regcomp grows with the square of the optional atoms: 4096 of
 * them take about 0.2 s and 70 MB). Matching with glibc is not linear in
 * the worst case either: a crafted pattern can cost microseconds a byte,
 * which callers bound (profile_prune has a time budget).
 */

#define RE2POSIX_MAX_PATTERN 4096
#define RE2POSIX_MAX_SIZE 4096

/* Rewrites an RE2 pattern as a POSIX ERE; -1 with a reason in err. */
int re2posix_translate(const char *re2, size_t len, struct strbuf *out, struct strbuf *err);

/*
 * Compiles "^(" re2 ")$" (a whole-string match, as pprof anchors drop and
 * keep patterns) into re, with REG_EXTENDED | REG_NOSUB. -1 with a reason
 * in err (re then needs no regfree).
 */
int re2posix_compile_full(regex_t *re, const char *re2, size_t len, struct strbuf *err);

/* 1 if the len bytes at s match, 0 if not. */
int re2posix_match(const regex_t *re, const char *s, size_t len);

#endif
