/*
 * libFuzzer harness: the terminal escaping of base/escape.h, with its
 * promise checked: the escaped text holds no C0 control, no DEL, no C1
 * control and nothing that is not UTF-8; clean text comes back unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out = STRBUF_INIT;
	size_t i;

	strbuf_add_escaped(&out, (const char *)data, size);
	for (i = 0; i < out.len; i++) {
		unsigned char c = (unsigned char)out.buf[i];

		if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < out.len &&
					      (unsigned char)out.buf[i + 1] < 0xa0))
			abort();
	}
	if (text_needs_escape(out.buf ? out.buf : "", out.len))
		abort();
	if (!text_needs_escape((const char *)data, size) &&
	    (out.len != size || (size && memcmp(out.buf, data, size))))
		abort();
	strbuf_release(&out);
	return 0;
}
