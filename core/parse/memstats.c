/*
 * runtime.MemStats from heap?debug=1 text or JSON; see memstats.h.
 *
 * One table describes every field once (Go name, kind, where it lives in
 * struct memstats), in the order of Go's struct, so the two readers and
 * the writer cannot drift apart.
 */
#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/memstats.h"
#include "base/json.h"
#include "base/quantity.h"
#include "base/strbuf.h"

enum field_kind {
	KIND_U64,
	KIND_F64,
	KIND_BOOL,
	KIND_ARRAY,
};

struct field_desc {
	const char *name;
	enum memstats_field field;
	enum field_kind kind;
	size_t off;		/* of the value (array: of its first element) */
	size_t nr_off;		/* arrays only: of the element count */
};

#define U64(name, f, member) { name, f, KIND_U64, offsetof(struct memstats, member), 0 }

static const struct field_desc fields[] = {
	U64("Alloc", MEMSTATS_ALLOC, alloc),
	U64("TotalAlloc", MEMSTATS_TOTAL_ALLOC, total_alloc),
	U64("Sys", MEMSTATS_SYS, sys),
	U64("Lookups", MEMSTATS_LOOKUPS, lookups),
	U64("Mallocs", MEMSTATS_MALLOCS, mallocs),
	U64("Frees", MEMSTATS_FREES, frees),
	U64("HeapAlloc", MEMSTATS_HEAP_ALLOC, heap_alloc),
	U64("HeapSys", MEMSTATS_HEAP_SYS, heap_sys),
	U64("HeapIdle", MEMSTATS_HEAP_IDLE, heap_idle),
	U64("HeapInuse", MEMSTATS_HEAP_INUSE, heap_inuse),
	U64("HeapReleased", MEMSTATS_HEAP_RELEASED, heap_released),
	U64("HeapObjects", MEMSTATS_HEAP_OBJECTS, heap_objects),
	U64("StackInuse", MEMSTATS_STACK_INUSE, stack_inuse),
	U64("StackSys", MEMSTATS_STACK_SYS, stack_sys),
	U64("MSpanInuse", MEMSTATS_MSPAN_INUSE, mspan_inuse),
	U64("MSpanSys", MEMSTATS_MSPAN_SYS, mspan_sys),
	U64("MCacheInuse", MEMSTATS_MCACHE_INUSE, mcache_inuse),
	U64("MCacheSys", MEMSTATS_MCACHE_SYS, mcache_sys),
	U64("BuckHashSys", MEMSTATS_BUCK_HASH_SYS, buck_hash_sys),
	U64("GCSys", MEMSTATS_GC_SYS, gc_sys),
	U64("OtherSys", MEMSTATS_OTHER_SYS, other_sys),
	U64("NextGC", MEMSTATS_NEXT_GC, next_gc),
	U64("LastGC", MEMSTATS_LAST_GC, last_gc),
	U64("PauseTotalNs", MEMSTATS_PAUSE_TOTAL_NS, pause_total_ns),
	{ "PauseNs", MEMSTATS_PAUSE_NS, KIND_ARRAY, offsetof(struct memstats, pause_ns),
	  offsetof(struct memstats, nr_pause_ns) },
	{ "PauseEnd", MEMSTATS_PAUSE_END, KIND_ARRAY, offsetof(struct memstats, pause_end),
	  offsetof(struct memstats, nr_pause_end) },
	U64("NumGC", MEMSTATS_NUM_GC, num_gc),
	U64("NumForcedGC", MEMSTATS_NUM_FORCED_GC, num_forced_gc),
	{ "GCCPUFraction", MEMSTATS_GC_CPU_FRACTION, KIND_F64,
	  offsetof(struct memstats, gc_cpu_fraction), 0 },
	{ "EnableGC", MEMSTATS_ENABLE_GC, KIND_BOOL, offsetof(struct memstats, enable_gc), 0 },
	{ "DebugGC", MEMSTATS_DEBUG_GC, KIND_BOOL, offsetof(struct memstats, debug_gc), 0 },
	U64("MaxRSS", MEMSTATS_MAX_RSS, max_rss),
};

#undef U64

#define NR_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* heap?debug=1 prints these pairs as "Name = inuse / sys". */
static const struct {
	const char *name;
	enum memstats_field inuse, sys;
} pairs[] = {
	{ "Stack", MEMSTATS_STACK_INUSE, MEMSTATS_STACK_SYS },
	{ "MSpan", MEMSTATS_MSPAN_INUSE, MEMSTATS_MSPAN_SYS },
	{ "MCache", MEMSTATS_MCACHE_INUSE, MEMSTATS_MCACHE_SYS },
};

/* The whole text is tiny (a few KiB); these only stop hostile input early. */
#define MEMSTATS_MAX_LINE (64 * 1024)
#define MEMSTATS_MAX_JSON (64u << 20)
#define MEMSTATS_JSON_DEPTH 32

void memstats_init(struct memstats *m)
{
	memset(m, 0, sizeof(*m));
}

static const struct field_desc *desc_by_field(enum memstats_field f)
{
	size_t i;

	for (i = 0; i < NR_FIELDS; i++)
		if (fields[i].field == f)
			return &fields[i];
	return NULL;
}

static const struct field_desc *desc_by_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NR_FIELDS; i++)
		if (strlen(fields[i].name) == len && !memcmp(fields[i].name, name, len))
			return &fields[i];
	return NULL;
}

const char *memstats_field_name(enum memstats_field f)
{
	const struct field_desc *d = (unsigned)f < MEMSTATS_NR_FIELDS ? desc_by_field(f) : NULL;

	return d ? d->name : NULL;
}

static uint64_t *u64_at(struct memstats *m, const struct field_desc *d)
{
	return (uint64_t *)((char *)m + d->off);
}

static void set_present(struct memstats *m, enum memstats_field f)
{
	m->present |= (uint64_t)1 << f;
}

/* ---- heap?debug=1 ------------------------------------------------------------ */

static int parse_f64(const char *s, size_t len, double *out)
{
	char buf[64], *end;
	double d;

	/* Go's %v of a float64 needs at most 24 bytes */
	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	d = strtod(buf, &end);
	if (end != buf + len || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

/* "[1 2 3]": keeps the first MEMSTATS_PAUSE_LEN entries, checks them all. */
static int parse_array(const char *s, size_t len, uint64_t *arr, size_t *nr)
{
	const char *p, *end = s + len;
	size_t n = 0;

	if (len < 2 || s[0] != '[' || s[len - 1] != ']')
		return -1;
	p = s + 1;
	end--;
	while (p < end) {
		const char *tok;
		uint64_t v;

		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		tok = p;
		while (p < end && *p != ' ')
			p++;
		if (parse_u64_n(tok, (size_t)(p - tok), &v) < 0)
			return -1;
		if (n < MEMSTATS_PAUSE_LEN)
			arr[n++] = v;
	}
	*nr = n;
	return 0;
}

static int set_from_text(struct memstats *m, const struct field_desc *d,
			 const char *v, size_t len)
{
	uint64_t u;
	double f;

	switch (d->kind) {
	case KIND_U64:
		if (parse_u64_n(v, len, &u) < 0)
			return -1;
		*u64_at(m, d) = u;
		break;
	case KIND_F64:
		if (parse_f64(v, len, &f) < 0)
			return -1;
		m->gc_cpu_fraction = f;
		break;
	case KIND_BOOL: {
		int b;

		if (len == 4 && !memcmp(v, "true", 4))
			b = 1;
		else if (len == 5 && !memcmp(v, "false", 5))
			b = 0;
		else
			return -1;
		*(int *)((char *)m + d->off) = b;
		break;
	}
	case KIND_ARRAY:
		if (parse_array(v, len, u64_at(m, d), (size_t *)((char *)m + d->nr_off)) < 0)
			return -1;
		break;
	}
	set_present(m, d->field);
	return 0;
}

/* "inuse / sys" */
static int set_pair(struct memstats *m, size_t pair, const char *v, size_t len)
{
	const char *slash = memchr(v, '/', len);
	uint64_t inuse, sys;
	size_t a, b;

	if (!slash)
		return -1;
	a = (size_t)(slash - v);
	b = len - a - 1;
	if (a < 2 || v[a - 1] != ' ' || b < 2 || slash[1] != ' ')
		return -1;
	if (parse_u64_n(v, a - 1, &inuse) < 0 || parse_u64_n(slash + 2, b - 1, &sys) < 0)
		return -1;
	*u64_at(m, desc_by_field(pairs[pair].inuse)) = inuse;
	*u64_at(m, desc_by_field(pairs[pair].sys)) = sys;
	set_present(m, pairs[pair].inuse);
	set_present(m, pairs[pair].sys);
	return 0;
}

static int is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/*
 * One trailer line. Returns 1 when it set a known field, 0 when the line is
 * not "# Name = value" or the name is unknown, -1 for a known name with a
 * bad value.
 */
static int trailer_line(struct memstats *m, const char *line, size_t len)
{
	const char *name, *v, *end = line + len;
	size_t name_len, i;

	if (len < 2 || line[0] != '#' || line[1] != ' ')
		return 0;
	name = line + 2;
	for (v = name; v < end && is_name_char(*v); v++)
		;
	name_len = (size_t)(v - name);
	if (!name_len || end - v < 3 || memcmp(v, " = ", 3))
		return 0;
	v += 3;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (strlen(pairs[i].name) == name_len && !memcmp(pairs[i].name, name, name_len))
			return set_pair(m, i, v, (size_t)(end - v)) < 0 ? -1 : 1;
	{
		const struct field_desc *d = desc_by_name(name, name_len);

		if (!d)
			return 0;
		return set_from_text(m, d, v, (size_t)(end - v)) < 0 ? -1 : 1;
	}
}

int memstats_parse_debug1(const char *text, size_t len, struct memstats *m,
			  struct strbuf *err)
{
	static const char marker[] = "# runtime.MemStats";
	const char *p = text, *end = text + len;
	size_t lineno = 0, known = 0;
	int in_trailer = 0;

	memstats_init(m);
	if (!text)
		len = 0, end = p;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t line_len = (size_t)(eol - p);
		int r;

		lineno++;
		while (line_len && (p[line_len - 1] == '\r' || p[line_len - 1] == ' '))
			line_len--;
		/* an overlong line is no field we know; skip it without reading it */
		if (line_len > MEMSTATS_MAX_LINE)
			goto next;
		if (!in_trailer) {
			in_trailer = line_len == sizeof(marker) - 1 && !memcmp(p, marker, line_len);
			goto next;
		}
		r = trailer_line(m, p, line_len);
		if (r < 0) {
			int shown = line_len > 80 ? 80 : (int)line_len;

			memstats_init(m);
			return error_set(err, "heap?debug=1 memstats: line %zu: bad value: '%.*s'",
					 lineno, shown, p);
		}
		known += (size_t)r;
	next:
		p = eol + (nl ? 1 : 0);
	}
	if (!in_trailer)
		return error_set(err, "heap?debug=1 has no '# runtime.MemStats' trailer");
	if (!known)
		return error_set(err, "heap?debug=1 memstats trailer has no known field");
	return 0;
}

/* ---- JSON -------------------------------------------------------------------- */

/*
 * json-c saturates integers beyond uint64 at UINT64_MAX, so that value is
 * taken as overflow: no MemStats counter gets anywhere near it.
 */
static int json_u64(struct json_object *o, uint64_t *out)
{
	uint64_t u;

	if (json_object_get_type(o) != json_type_int || json_object_get_int64(o) < 0)
		return -1;
	u = json_object_get_uint64(o);
	if (u == UINT64_MAX)
		return -1;
	*out = u;
	return 0;
}

static int set_from_json(struct memstats *m, const struct field_desc *d, struct json_object *o)
{
	switch (d->kind) {
	case KIND_U64:
		if (json_u64(o, u64_at(m, d)) < 0)
			return -1;
		break;
	case KIND_F64: {
		enum json_type t = json_object_get_type(o);
		double f;

		if (t != json_type_double && t != json_type_int)
			return -1;
		f = json_object_get_double(o);
		if (!isfinite(f))
			return -1;
		m->gc_cpu_fraction = f;
		break;
	}
	case KIND_BOOL:
		if (json_object_get_type(o) != json_type_boolean)
			return -1;
		*(int *)((char *)m + d->off) = json_object_get_boolean(o) ? 1 : 0;
		break;
	case KIND_ARRAY: {
		uint64_t *arr = u64_at(m, d);
		size_t i, n;

		if (json_object_get_type(o) != json_type_array)
			return -1;
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			uint64_t v;

			if (json_u64(json_object_array_get_idx(o, i), &v) < 0)
				return -1;
			if (i < MEMSTATS_PAUSE_LEN)
				arr[i] = v;
		}
		*(size_t *)((char *)m + d->nr_off) = n < MEMSTATS_PAUSE_LEN ? n : MEMSTATS_PAUSE_LEN;
		break;
	}
	}
	set_present(m, d->field);
	return 0;
}

int memstats_parse_json(const char *text, size_t len, struct memstats *m,
			struct strbuf *err)
{
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL, *obj, *inner;
	size_t i, known = 0, off;
	int ret = -1;

	memstats_init(m);
	if (!text || !len) {
		error_set(err, "memstats json is empty");
		goto cleanup;
	}
	if (len > MEMSTATS_MAX_JSON) {
		error_set(err, "memstats json is too large (%zu bytes)", len);
		goto cleanup;
	}
	tok = json_tokener_new_ex(MEMSTATS_JSON_DEPTH);
	if (!tok) {
		error_set(err, "memstats json: out of memory");
		goto cleanup;
	}
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		error_set(err, "memstats json is not valid json: %s",
			  e == json_tokener_continue ? "unexpected end of input"
						     : json_tokener_error_desc(e));
		goto cleanup;
	}
	for (off = json_tokener_get_parse_end(tok); off < len; off++)
		if (!strchr(" \t\r\n", text[off]) || !text[off]) {
			error_set(err, "memstats json has trailing data at byte %zu", off);
			goto cleanup;
		}
	if (json_object_get_type(root) != json_type_object) {
		error_set(err, "memstats json is not an object");
		goto cleanup;
	}
	obj = root;
	inner = json_get_obj(root, "memstats");
	if (inner)
		obj = inner;
	for (i = 0; i < NR_FIELDS; i++) {
		struct json_object *o;

		if (!json_object_object_get_ex(obj, fields[i].name, &o))
			continue;
		if (set_from_json(m, &fields[i], o) < 0) {
			error_set(err, "memstats json: bad value for '%s'", fields[i].name);
			goto cleanup;
		}
		known++;
	}
	if (!known) {
		error_set(err, "memstats json has no known MemStats field");
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (ret < 0)
		memstats_init(m);
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	return ret;
}

void memstats_to_json(const struct memstats *m, struct strbuf *out)
{
	struct json_object *root = json_object_new_object();
	size_t i, j;

	for (i = 0; i < NR_FIELDS; i++) {
		const struct field_desc *d = &fields[i];
		const char *base = (const char *)m + d->off;
		struct json_object *v = NULL;

		if (!MEMSTATS_HAS(m, d->field))
			continue;
		switch (d->kind) {
		case KIND_U64:
			v = json_object_new_uint64(*(const uint64_t *)base);
			break;
		case KIND_F64:
			v = json_object_new_double(m->gc_cpu_fraction);
			break;
		case KIND_BOOL:
			v = json_object_new_boolean(*(const int *)base);
			break;
		case KIND_ARRAY: {
			size_t n = *(const size_t *)((const char *)m + d->nr_off);

			v = json_object_new_array_ext((int)MEMSTATS_PAUSE_LEN);
			for (j = 0; j < n && j < MEMSTATS_PAUSE_LEN; j++)
				json_object_array_add(v, json_object_new_uint64(
					((const uint64_t *)base)[j]));
			break;
		}
		}
		json_object_object_add(root, d->name, v);
	}
	strbuf_addstr(out, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	strbuf_addch(out, '\n');
	json_object_put(root);
}
