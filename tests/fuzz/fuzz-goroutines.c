/* libFuzzer harness: a goroutine dump (debug=2) parsed and grouped. */
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "parse/goroutines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct goroutine_dump d;
	struct goroutine_groups g;

	goroutine_dump_init(&d);
	goroutine_groups_init(&g);
	if (goroutines_parse(&d, (const char *)data, size, &err) == 0)
		goroutines_group(&d, &g);
	goroutine_groups_release(&g);
	goroutine_dump_release(&d);
	strbuf_release(&err);
	return 0;
}
