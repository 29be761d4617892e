/*
 * libFuzzer harness: MemStats as text (heap?debug=1's trailer) and as JSON
 * (runtime/memstats.json, expvar), both tried on every input, and written
 * back as JSON.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "parse/memstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct memstats m;

	if (memstats_parse_json((const char *)data, size, &m, &err) == 0)
		memstats_to_json(&m, &out);
	strbuf_reset(&out);
	if (memstats_parse_debug1((const char *)data, size, &m, &err) == 0)
		memstats_to_json(&m, &out);
	strbuf_release(&out);
	strbuf_release(&err);
	return 0;
}
