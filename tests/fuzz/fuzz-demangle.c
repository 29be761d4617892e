/* libFuzzer harness: C++/Rust demangling and pprof's name simplification. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "profile/demangle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out = STRBUF_INIT;
	char *s;

	/* names are NUL-terminated strings of the string table, at most 64 KiB here */
	if (size > 65536)
		return 0;
	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	demangle_function_name(s, strlen(s), &out);
	strbuf_reset(&out);
	demangle_mangled(s, &out);
	demangle_looks_like_cxx(s, strlen(s));
	demangle_remove_matching(s, strlen(s), '<', '>');
	free(s);
	strbuf_release(&out);
	return 0;
}
