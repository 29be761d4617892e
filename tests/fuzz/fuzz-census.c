/*
 * libFuzzer harness: the goroutine census (core/parse/census.c). The input
 * is read as a target's memory (tests/census-image.h lays out the seed)
 * and walked with the Go 1.19 layout, so every pointer, length, status and
 * frame pointer in it is hostile; an input that is an ELF file also goes
 * through the layout reader (ELF headers, runtime.g's DWARF streamed
 * through zlib, the symbol table: core/parse/godwarf.c, census.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "parse/census.h"
#include "parse/goroutines.h"

#include "../census-image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int emit(void *ctx, const char *text, size_t len)
{
	strbuf_add(ctx, text, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_reader rd = { data, size, 0 };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct census_layout l;
	struct census_symbols s;
	struct census_stats st;

	if (size >= 4 && !memcmp(data, "\177ELF", 4)) {
		census_symbols_init(&s);
		census_layout_read(&l, &s, data, size, &err);
		census_symbols_release(&s);
	}
	img_layout(&l);
	img_symbols(&s);
	if (census_walk(&l, &s, img_read, &rd, 1000000000000000LL, emit, &out, &st, &err) == 0) {
		struct goroutine_dump d;

		/* what it writes, the dump parser must take */
		goroutine_dump_init(&d);
		if (goroutines_parse(&d, out.buf, out.len, &err) < 0 && out.len)
			abort();
		goroutine_dump_release(&d);
	}
	census_symbols_release(&s);
	strbuf_release(&out);
	strbuf_release(&err);
	return 0;
}
