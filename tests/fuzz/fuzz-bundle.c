/*
 * libFuzzer harness: a bundle read from memory (bundle_load_mem): gzip,
 * tar, the member checks, the manifest; then what triage show prints of
 * each artifact, escaped.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "base/escape.h"
#include "base/json.h"
#include "bundle/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT, tmp = STRBUF_INIT;
	struct bundle b;
	size_t i;

	if (bundle_load_mem(&b, "fuzz.tgz", data, size, &err) == 0) {
		json_object *arts = b.manifest ? json_get_array(b.manifest, "artifacts") : NULL;

		for (i = 0; i < b.nr; i++)
			bundle_get(&b, b.files[i].path);
		for (i = 0; arts && i < json_object_array_length(arts); i++) {
			json_object *a = json_object_array_get_idx(arts, i);

			text_safe(&tmp, json_get_str(a, "path", "?"));
			text_safe(&tmp, json_get_str(a, "error", ""));
			json_get_int(a, "bytes", 0);
		}
		bundle_release(&b);
	}
	strbuf_release(&tmp);
	strbuf_release(&err);
	return 0;
}
