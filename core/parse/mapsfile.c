/*
 * /proc/PID/maps summary; see mapsfile.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/mapsfile.h"
#include "base/hex.h"
#include "base/strbuf.h"

struct mapping {
	uint64_t start, end;
	char perms[5];
	uint64_t offset;
	const char *path;	/* into the line, not NUL-terminated; NULL when anonymous */
	size_t path_len;
};

void maps_summary_init(struct maps_summary *s)
{
	memset(s, 0, sizeof(*s));
}

/* Hex number of at most 16 digits at *p; advances *p. */
static int parse_hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int d;

	while (*p < end && (d = hex_value(**p)) >= 0) {
		if (*p - s >= 16)
			return -1;
		v = (v << 4) | (uint64_t)d;
		(*p)++;
	}
	if (*p == s)
		return -1;
	*out = v;
	return 0;
}

static int skip_field(const char **p, const char *end)
{
	const char *s = *p;

	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	return *p == s ? -1 : 0;
}

static void skip_blanks(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

static int parse_line(const char *p, const char *end, struct mapping *m)
{
	const char *perms;

	if (parse_hex(&p, end, &m->start) < 0 || p == end || *p++ != '-' ||
	    parse_hex(&p, end, &m->end) < 0 || m->end < m->start)
		return -1;
	skip_blanks(&p, end);
	perms = p;
	if (skip_field(&p, end) < 0 || p - perms != 4)
		return -1;
	memcpy(m->perms, perms, 4);
	m->perms[4] = '\0';
	skip_blanks(&p, end);
	if (parse_hex(&p, end, &m->offset) < 0)
		return -1;
	skip_blanks(&p, end);
	if (skip_field(&p, end) < 0)	/* dev */
		return -1;
	skip_blanks(&p, end);
	if (skip_field(&p, end) < 0)	/* inode */
		return -1;
	skip_blanks(&p, end);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	m->path = p < end ? p : NULL;
	m->path_len = (size_t)(end - p);
	return 0;
}

static void count(struct maps_bucket *b, const struct mapping *m)
{
	b->count++;
	b->bytes += m->end - m->start;
}

static int path_is(const struct mapping *m, const char *s)
{
	size_t n = strlen(s);

	return m->path_len == n && !memcmp(m->path, s, n);
}

static int path_starts(const struct mapping *m, const char *s)
{
	size_t n = strlen(s);

	return m->path_len >= n && !memcmp(m->path, s, n);
}

/* The path without the " (deleted)" the kernel appends to unlinked files. */
static size_t live_path_len(const struct mapping *m)
{
	static const char deleted[] = " (deleted)";
	size_t n = sizeof(deleted) - 1;

	if (m->path_len > n && !memcmp(m->path + m->path_len - n, deleted, n))
		return m->path_len - n;
	return m->path_len;
}

/* "libc.so.6", "libfoo.so", "libc-2.31.so": ".so" ending the name or before a '.' */
static int is_shared_object(const char *path, size_t len)
{
	const char *base = path, *p;
	size_t i;

	for (i = 0; i < len; i++)
		if (path[i] == '/')
			base = path + i + 1;
	for (p = base; p + 3 <= path + len; p++)
		if (!memcmp(p, ".so", 3) && (p + 3 == path + len || p[3] == '.'))
			return 1;
	return 0;
}

static void classify(struct maps_summary *s, const struct mapping *m,
		     const char *exe, size_t exe_len)
{
	count(&s->total, m);
	if (!m->path || path_starts(m, "[anon:") || path_is(m, "[heap]")) {
		if (m->path && path_is(m, "[heap]")) {
			count(&s->brk_heap, m);
		} else if (!strcmp(m->perms, "rw-p") && m->start >= MAPS_GO_ARENA_START &&
			   m->start < MAPS_GO_ARENA_END) {
			count(&s->go_heap, m);
			return;
		}
		if (!strncmp(m->perms, "---", 3))
			count(&s->prot_none, m);
		count(&s->anon_other, m);
	} else if (path_is(m, "[stack]") || path_starts(m, "[stack:")) {
		count(&s->stack, m);
	} else if (m->path[0] == '[') {
		count(&s->special, m);
	} else {
		size_t n = live_path_len(m);

		if (exe && n == exe_len && !memcmp(m->path, exe, n))
			count(&s->file_exe, m);
		else if (is_shared_object(m->path, n))
			count(&s->file_lib, m);
		else
			count(&s->file_other, m);
	}
}

int mapsfile_parse(struct maps_summary *s, const char *text, size_t len, const char *exe,
		   struct strbuf *err)
{
	const char *p = text, *end = text + len;
	char *guessed = NULL;
	size_t exe_len = exe ? strlen(exe) : 0, parsed = 0;
	int ret = -1;

	maps_summary_init(s);
	/* readlink of /proc/PID/exe says " (deleted)" too when the binary was replaced */
	if (exe_len > 10 && !strcmp(exe + exe_len - 10, " (deleted)"))
		exe_len -= 10;
	if (!text)
		p = end = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t line_len = (size_t)(eol - p);
		struct mapping m;

		if (!line_len)
			goto next;
		if (s->nr_lines >= MAPS_MAX_LINES) {
			s->truncated = 1;
			break;
		}
		s->nr_lines++;
		if (line_len > MAPS_MAX_LINE || memchr(p, '\0', line_len) ||
		    parse_line(p, eol, &m) < 0) {
			s->nr_skipped++;
			goto next;
		}
		/* the kernel maps the executable first, at file offset 0 */
		if (!exe && m.path && m.path[0] == '/' && m.offset == 0) {
			guessed = xstrndup(m.path, live_path_len(&m));
			exe = guessed;
			exe_len = strlen(guessed);
		}
		classify(s, &m, exe, exe_len);
		parsed++;
	next:
		p = eol + (nl ? 1 : 0);
	}
	if (!parsed && s->nr_lines) {
		error_set(err, "cannot parse maps: none of %zu lines is a mapping", s->nr_lines);
		goto cleanup;
	}
	ret = 0;
cleanup:
	free(guessed);
	return ret;
}

int mapsfile_line(const char *p, const char *end, struct maps_line *out)
{
	struct mapping m;

	if (!p || end <= p || (size_t)(end - p) > MAPS_MAX_LINE || memchr(p, '\0', (size_t)(end - p)) ||
	    parse_line(p, end, &m) < 0)
		return -1;
	out->start = m.start;
	out->end = m.end;
	out->offset = m.offset;
	memcpy(out->perms, m.perms, sizeof(out->perms));
	out->path = m.path;
	out->path_len = m.path_len;
	return 0;
}
