#ifndef TRIAGE_DEMANGLE_H
#define TRIAGE_DEMANGLE_H

#include <stddef.h>

#include "base/strbuf.h"

/*
 * Function names the way go tool pprof shows them. Its symbolizer runs
 * over every profile, symbolized or not, and for each function whose Name
 * is empty or equal to its SystemName replaces Name with a simplified
 * SystemName: a C++ mangled name is demangled without parameters and
 * without template arguments ("_ZNSt6vectorIiSaIiEE9push_backERKi" ->
 * "std::vector::push_back"), a Rust one (legacy "_ZN...17h<hash>E" or v0
 * "_R...") without its hash; a name that looks like demangled C++ loses
 * its "(...)" and "<...>" groups ("std::map<int, int>::find(int const&)
 * const" -> "std::map::find const"). Go names are left alone. Not handled:
 * clang's block names ("___Z..._block_invoke"), which stay as they are.
 *
 * Names are untrusted: anything longer than DEMANGLE_MAX_NAME bytes, or a
 * demangling longer than DEMANGLE_MAX_OUTPUT, is kept as it is.
 */

#define DEMANGLE_MAX_NAME 4096
#define DEMANGLE_MAX_OUTPUT 65536

/*
 * The name pprof shows for a function whose Name is empty or equal to
 * sys (sys holds len bytes, NUL-terminated). Returns 1 with the new name in
 * out when it differs from sys, 0 when sys is shown as it is.
 */
int demangle_function_name(const char *sys, size_t len, struct strbuf *out);

/*
 * A mangled C++ name demangled without parameters and template arguments
 * (Rust: with its generic arguments, as pprof prints them). Returns 1 with
 * the result in out, 0 if name is not a mangled name the demangler accepts
 * (out is then unspecified).
 */
int demangle_mangled(const char *name, struct strbuf *out);

/* pprof's guess that a name is already-demangled C++ ("a::b", "f<T>", "x[2]"). */
int demangle_looks_like_cxx(const char *s, size_t len);

/*
 * Removes the outermost start..end groups of s (nested ones go with them),
 * as pprof does; an end without a start stops the removal there. Returns
 * the new length; s is rewritten in place and stays NUL-terminated.
 */
size_t demangle_remove_matching(char *s, size_t len, char start, char end);

#endif
