/*
 * Key/value text files from /proc and the cgroup filesystem; see kvfile.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/kvfile.h"
#include "base/quantity.h"
#include "base/strbuf.h"

void kvtable_init(struct kvtable *t)
{
	t->items = NULL;
	t->nr = t->alloc = 0;
	t->nr_skipped = 0;
}

void kvtable_release(struct kvtable *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		free(t->items[i].key);
		free(t->items[i].str);
	}
	free(t->items);
	kvtable_init(t);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* "123" or "123 kB" (KV_COLON only) into bytes; -1 when not a number or out of range. */
static int parse_value(const char *v, size_t len, enum kv_format fmt, int64_t *out)
{
	if (fmt == KV_COLON && len > 3 && !memcmp(v + len - 2, "kB", 2) && is_space(v[len - 3])) {
		int64_t n;

		len -= 3;
		while (len && is_space(v[len - 1]))
			len--;
		if (parse_i64_n(v, len, &n) < 0)
			return -1;
		if (n > INT64_MAX / 1024 || n < INT64_MIN / 1024)
			return -1;
		*out = n * 1024;
		return 0;
	}
	return parse_i64_n(v, len, out);
}

/* Splits one line into key and value; -1 when it is not a pair. */
static int split_line(const char *line, size_t len, enum kv_format fmt,
		      const char **key, size_t *key_len, const char **val, size_t *val_len)
{
	const char *k, *v, *end = line + len;
	size_t i;

	while (line < end && is_space(*line))
		line++;
	while (end > line && is_space(end[-1]))
		end--;
	if (line == end)
		return -1;
	k = line;
	if (fmt == KV_COLON) {
		const char *colon = memchr(line, ':', (size_t)(end - line));

		if (!colon || colon == k)
			return -1;
		*key_len = (size_t)(colon - k);
		v = colon + 1;
	} else {
		for (v = line; v < end && !is_space(*v); v++)
			;
		if (v == end)
			return -1;
		*key_len = (size_t)(v - k);
	}
	/* a key with white space inside is a header or prose, not a key */
	for (i = 0; i < *key_len; i++)
		if (is_space(k[i]))
			return -1;
	while (v < end && is_space(*v))
		v++;
	*key = k;
	*val = v;
	*val_len = (size_t)(end - v);
	return 0;
}

int kvfile_parse(struct kvtable *t, const char *text, size_t len, enum kv_format fmt,
		 const char *name, struct strbuf *err)
{
	const char *p = text, *end = text + len;

	if (!text)
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t line_len = (size_t)(eol - p);
		const char *key, *val;
		size_t key_len, val_len;
		struct kv *kv;

		if (!line_len)
			goto next;
		if (line_len > KV_MAX_LINE || memchr(p, '\0', line_len) ||
		    split_line(p, line_len, fmt, &key, &key_len, &val, &val_len) < 0) {
			t->nr_skipped++;
			goto next;
		}
		if (t->nr >= KV_MAX_ENTRIES) {
			kvtable_release(t);
			return error_set(err, "cannot parse '%s': more than %d entries",
					 name, KV_MAX_ENTRIES);
		}
		ALLOC_GROW(t->items, t->nr + 1, t->alloc);
		kv = &t->items[t->nr++];
		kv->key = xstrndup(key, key_len);
		kv->str = xstrndup(val, val_len);
		kv->value = 0;
		kv->numeric = parse_value(val, val_len, fmt, &kv->value) == 0;
	next:
		p = eol + (nl ? 1 : 0);
	}
	return 0;
}

static const struct kv *kv_find(const struct kvtable *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->items[i].key, key))
			return &t->items[i];
	return NULL;
}

int kv_get(const struct kvtable *t, const char *key, int64_t *out)
{
	const struct kv *kv = kv_find(t, key);

	if (!kv || !kv->numeric)
		return -1;
	*out = kv->value;
	return 0;
}

int kv_get_str(const struct kvtable *t, const char *key, const char **out)
{
	const struct kv *kv = kv_find(t, key);

	if (!kv)
		return -1;
	*out = kv->str;
	return 0;
}
