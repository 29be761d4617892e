/*
 * /proc/PID/smaps, per mapping; see smaps.h.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/smaps.h"
#include "parse/mapsfile.h"
#include "base/quantity.h"
#include "base/strbuf.h"

void smaps_init(struct smaps *s)
{
	memset(s, 0, sizeof(*s));
}

void smaps_release(struct smaps *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		free(s->items[i].path);
	free(s->items);
	smaps_init(s);
}

int smaps_is_file(const struct smaps_mapping *m)
{
	return m->path && m->path[0] == '/';
}

/* "Rss:   1234 kB" -> key "Rss", bytes; -1 when the line is not such a field. */
static int parse_field(const char *p, const char *end, const char **key, size_t *key_len, uint64_t *bytes)
{
	const char *colon = memchr(p, ':', (size_t)(end - p)), *v, *ve;
	uint64_t n;

	if (!colon || colon == p)
		return -1;
	*key = p;
	*key_len = (size_t)(colon - p);
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	ve = v;
	while (ve < end && *ve >= '0' && *ve <= '9')
		ve++;
	if (ve == v || parse_u64_n(v, (size_t)(ve - v), &n) < 0)
		return -1;
	while (ve < end && (*ve == ' ' || *ve == '\t'))
		ve++;
	if (end - ve >= 2 && !memcmp(ve, "kB", 2)) {
		if (n > UINT64_MAX / 1024)
			return -1;
		n *= 1024;
	}
	*bytes = n;
	return 0;
}

static int key_is(const char *k, size_t len, const char *name)
{
	return strlen(name) == len && !memcmp(k, name, len);
}

/* Adds a field to the current mapping (NULL when it is not kept) and the totals. */
static void add_field(struct smaps *s, struct smaps_mapping *m, const char *k, size_t kl, uint64_t v,
		      int is_file)
{
	static const struct { const char *name; size_t off; } fields[] = {
		{ "Size", offsetof(struct smaps_mapping, size) },
		{ "Rss", offsetof(struct smaps_mapping, rss) },
		{ "Pss", offsetof(struct smaps_mapping, pss) },
		{ "Shared_Clean", offsetof(struct smaps_mapping, shared_clean) },
		{ "Shared_Dirty", offsetof(struct smaps_mapping, shared_dirty) },
		{ "Private_Clean", offsetof(struct smaps_mapping, private_clean) },
		{ "Private_Dirty", offsetof(struct smaps_mapping, private_dirty) },
		{ "Anonymous", offsetof(struct smaps_mapping, anonymous) },
		{ "AnonHugePages", offsetof(struct smaps_mapping, anon_huge) },
		{ "Swap", offsetof(struct smaps_mapping, swap) },
		{ "Locked", offsetof(struct smaps_mapping, locked) },
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (key_is(k, kl, fields[i].name))
			break;
	if (i == sizeof(fields) / sizeof(fields[0]))
		return;
	if (m)
		*(uint64_t *)((char *)m + fields[i].off) = v;
	/* the sums saturate rather than wrap on absurd input */
#define ADD_SAT(a, b) ((a) = (a) > UINT64_MAX - (b) ? UINT64_MAX : (a) + (b))
	if (key_is(k, kl, "Rss")) {
		ADD_SAT(s->rss, v);
		if (is_file)
			ADD_SAT(s->file_rss, v);
	} else if (key_is(k, kl, "Pss")) {
		ADD_SAT(s->pss, v);
	} else if (key_is(k, kl, "Anonymous")) {
		ADD_SAT(s->anonymous, v);
	} else if (key_is(k, kl, "AnonHugePages")) {
		ADD_SAT(s->anon_huge, v);
	} else if (key_is(k, kl, "Swap")) {
		ADD_SAT(s->swap, v);
	}
#undef ADD_SAT
}

int smaps_parse(struct smaps *s, const char *text, size_t len, struct strbuf *err)
{
	const char *p = text, *end = text ? text + len : NULL;
	struct smaps_mapping *cur = NULL;
	int cur_file = 0, in_mapping = 0;
	size_t lines = 0;

	smaps_init(s);
	if (!text)
		p = end = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t line_len = (size_t)(eol - p);
		struct maps_line h;
		const char *k;
		size_t kl;
		uint64_t v;

		if (!line_len)
			goto next;
		lines++;
		if (line_len > SMAPS_MAX_LINE || memchr(p, '\0', line_len)) {
			s->nr_skipped++;
			goto next;
		}
		/* a field line "Key: value" never parses as a mapping header, whose first field has a '-' */
		if (mapsfile_line(p, eol, &h) == 0) {
			s->nr_mappings++;
			in_mapping = 1;
			cur_file = h.path && h.path_len && h.path[0] == '/';
			cur = NULL;
			if (s->nr >= SMAPS_MAX_MAPPINGS) {
				s->truncated = 1;
				goto next;
			}
			ALLOC_GROW(s->items, s->nr + 1, s->alloc);
			cur = &s->items[s->nr++];
			memset(cur, 0, sizeof(*cur));
			cur->start = h.start;
			cur->end = h.end;
			memcpy(cur->perms, h.perms, sizeof(cur->perms));
			cur->path = h.path ? xstrndup(h.path, h.path_len) : NULL;
			goto next;
		}
		if (in_mapping && parse_field(p, eol, &k, &kl, &v) == 0)
			add_field(s, cur, k, kl, v, cur_file);
		else if (!(in_mapping && memchr(p, ':', line_len)))
			s->nr_skipped++;	/* VmFlags and other known non-numeric fields pass */
	next:
		p = eol + (nl ? 1 : 0);
	}
	if (!s->nr_mappings && lines)
		return error_set(err, "cannot parse smaps: none of %zu lines is a mapping", lines);
	return 0;
}
