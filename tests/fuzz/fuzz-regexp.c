/*
 * libFuzzer harness: a Go (RE2) pattern translated to POSIX and compiled
 * as drop_frames is, then matched against a few names. regcomp must stay
 * fast on whatever the translator lets through: libFuzzer's -timeout
 * catches one that does not.
 */
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/strbuf.h"
#include "profile/re2posix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"runtime.mallocgc", "std::vector<int>::push_back", "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	regex_t re;
	size_t i;

	re2posix_translate((const char *)data, size, &out, &err);
	strbuf_reset(&err);
	if (re2posix_compile_full(&re, (const char *)data, size, &err) == 0) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			re2posix_match(&re, names[i], strlen(names[i]));
		regfree(&re);
	}
	strbuf_release(&out);
	strbuf_release(&err);
	return 0;
}
