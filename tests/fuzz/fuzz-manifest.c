/*
 * libFuzzer harness: the input as a bundle's manifest.json, wrapped in a
 * one-member tar in memory, through bundle_load_mem's manifest checks
 * (bounded JSON parse, type, format_version) and the fields show prints.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/escape.h"
#include "base/json.h"
#include "bundle/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A ustar archive holding manifest.json = data. */
static unsigned char *tar_of(const uint8_t *data, size_t size, size_t *len)
{
	size_t padded = (size + 511) / 512 * 512, i;
	unsigned char *t = calloc(1, 512 + padded + 1024);
	unsigned sum = 0;

	if (!t)
		abort();
	strcpy((char *)t, "manifest.json");
	memcpy(t + 100, "0000644", 7);
	memcpy(t + 108, "0000000", 7);
	memcpy(t + 116, "0000000", 7);
	snprintf((char *)t + 124, 12, "%011zo", size);
	memcpy(t + 136, "00000000000", 11);
	t[156] = '0';
	memcpy(t + 257, "ustar", 6);
	memcpy(t + 263, "00", 2);
	memset(t + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += t[i];
	snprintf((char *)t + 148, 8, "%06o", sum);
	if (size)
		memcpy(t + 512, data, size);
	*len = 512 + padded + 1024;
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT, tmp = STRBUF_INIT;
	struct bundle b;
	unsigned char *tar;
	size_t len;

	if (size > (1 << 20))
		return 0;
	tar = tar_of(data, size, &len);
	if (bundle_load_mem(&b, "fuzz.tar", tar, len, &err) == 0) {
		json_object *m = b.manifest, *t = m ? json_get_obj(m, "target") : NULL;

		text_safe(&tmp, json_get_str(m, "format", "?"));
		text_safe(&tmp, json_get_str(t, "exe", "-"));
		json_get_int(t, "pid", 0);
		bundle_release(&b);
	}
	free(tar);
	strbuf_release(&tmp);
	strbuf_release(&err);
	return 0;
}
