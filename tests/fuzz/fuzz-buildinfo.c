/*
 * libFuzzer harness: Go build info from an ELF binary, and the input as
 * module-info text alone, each then formatted as "go version -m" does.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "parse/buildinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct buildinfo bi;

	buildinfo_init(&bi);
	if (buildinfo_parse(&bi, data, size, "fuzz", &err) == 0)
		buildinfo_format(&bi, "fuzz", &out);
	buildinfo_release(&bi);
	/* module info is tried only on text-sized inputs: ELF images are large */
	buildinfo_init(&bi);
	strbuf_reset(&out);
	if (size < (1 << 20) && buildinfo_parse_modinfo(&bi, (const char *)data, size, "fuzz", &err) == 0)
		buildinfo_format(&bi, "fuzz", &out);
	buildinfo_release(&bi);
	strbuf_release(&out);
	strbuf_release(&err);
	return 0;
}
