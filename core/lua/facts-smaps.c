/*
 * b.mappings: /proc/PID/smaps summed per file and the largest mappings,
 * so rules can name the file that holds the RSS (and whether its pages
 * are shared or private, clean or dirty) and see huge pages per mapping.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/facts-internal.h"
#include "parse/smaps.h"

#define MAPPINGS_FILES_MAX 50	/* files kept in b.mappings.files, by RSS */
#define MAPPINGS_LARGEST_MAX 30	/* mappings kept in b.mappings.largest, by RSS */

struct file_sum {
	const char *path;
	uint64_t mappings, size, rss, pss, shared_clean, shared_dirty, private_clean, private_dirty, swap;
	int writable, shared, exec;
};

static int by_path(const void *a, const void *b)
{
	const struct smaps_mapping *x = *(const struct smaps_mapping *const *)a;
	const struct smaps_mapping *y = *(const struct smaps_mapping *const *)b;

	return strcmp(x->path, y->path);
}

static int by_rss_desc(uint64_t x, uint64_t y)
{
	return x < y ? 1 : x > y ? -1 : 0;
}

static int file_by_rss(const void *a, const void *b)
{
	const struct file_sum *x = a, *y = b;
	int c = by_rss_desc(x->rss, y->rss);

	return c ? c : strcmp(x->path, y->path);
}

static int mapping_by_rss(const void *a, const void *b)
{
	const struct smaps_mapping *x = *(const struct smaps_mapping *const *)a;
	const struct smaps_mapping *y = *(const struct smaps_mapping *const *)b;
	int c = by_rss_desc(x->rss, y->rss);

	return c ? c : (x->start < y->start ? -1 : x->start > y->start);
}

static void push_file(lua_State *L, const struct file_sum *f)
{
	lua_newtable(L);
	tbl_set_str(L, "path", f->path);
	tbl_set_int(L, "mappings", (int64_t)f->mappings);
	tbl_set_int(L, "size", (int64_t)f->size);
	tbl_set_int(L, "rss", (int64_t)f->rss);
	tbl_set_int(L, "pss", (int64_t)f->pss);
	tbl_set_int(L, "shared_clean", (int64_t)f->shared_clean);
	tbl_set_int(L, "shared_dirty", (int64_t)f->shared_dirty);
	tbl_set_int(L, "private_clean", (int64_t)f->private_clean);
	tbl_set_int(L, "private_dirty", (int64_t)f->private_dirty);
	tbl_set_int(L, "swap", (int64_t)f->swap);
	tbl_set_bool(L, "writable", f->writable);
	tbl_set_bool(L, "shared", f->shared);
	tbl_set_bool(L, "exec", f->exec);
}

static void push_mapping(lua_State *L, const struct smaps_mapping *m)
{
	char start[24];

	lua_newtable(L);
	snprintf(start, sizeof(start), "%llx", (unsigned long long)m->start);
	tbl_set_str(L, "start", start);
	tbl_set_str(L, "perms", m->perms);
	if (m->path)
		tbl_set_str(L, "path", m->path);
	tbl_set_int(L, "size", (int64_t)m->size);
	tbl_set_int(L, "rss", (int64_t)m->rss);
	tbl_set_int(L, "anonymous", (int64_t)m->anonymous);
	tbl_set_int(L, "anon_huge", (int64_t)m->anon_huge);
	tbl_set_int(L, "private_dirty", (int64_t)m->private_dirty);
}

int push_smaps(lua_State *L, const struct bundle_file *f, struct strbuf *why)
{
	struct smaps s;
	const struct smaps_mapping **v = NULL;
	struct file_sum *files = NULL;
	size_t i, nv = 0, nf = 0;

	if (smaps_parse(&s, (const char *)f->data, f->len, why) < 0) {
		smaps_release(&s);
		return -1;
	}
	v = xcalloc(s.nr ? s.nr : 1, sizeof(*v));
	for (i = 0; i < s.nr; i++)
		if (smaps_is_file(&s.items[i]))
			v[nv++] = &s.items[i];
	qsort(v, nv, sizeof(*v), by_path);
	files = xcalloc(nv ? nv : 1, sizeof(*files));
	for (i = 0; i < nv; i++) {
		const struct smaps_mapping *m = v[i];
		struct file_sum *fs;

		if (!nf || strcmp(files[nf - 1].path, m->path)) {
			fs = &files[nf++];
			fs->path = m->path;
		} else {
			fs = &files[nf - 1];
		}
		fs->mappings++;
		fs->size += m->size;
		fs->rss += m->rss;
		fs->pss += m->pss;
		fs->shared_clean += m->shared_clean;
		fs->shared_dirty += m->shared_dirty;
		fs->private_clean += m->private_clean;
		fs->private_dirty += m->private_dirty;
		fs->swap += m->swap;
		fs->writable |= m->perms[1] == 'w';
		fs->shared |= m->perms[3] == 's';
		fs->exec |= m->perms[2] == 'x';
	}
	qsort(files, nf, sizeof(*files), file_by_rss);

	lua_newtable(L);
	tbl_set_int(L, "count", (int64_t)s.nr_mappings);
	tbl_set_bool(L, "truncated", s.truncated);
	tbl_set_int(L, "skipped", (int64_t)s.nr_skipped);
	tbl_set_int(L, "rss", (int64_t)s.rss);
	tbl_set_int(L, "pss", (int64_t)s.pss);
	tbl_set_int(L, "anonymous", (int64_t)s.anonymous);
	tbl_set_int(L, "anon_huge", (int64_t)s.anon_huge);
	tbl_set_int(L, "swap", (int64_t)s.swap);
	tbl_set_int(L, "file_rss", (int64_t)s.file_rss);
	lua_newtable(L);
	for (i = 0; i < nf && i < MAPPINGS_FILES_MAX; i++) {
		push_file(L, &files[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "files");

	for (i = 0; i < s.nr; i++)
		v[i] = &s.items[i];
	qsort(v, s.nr, sizeof(*v), mapping_by_rss);
	lua_newtable(L);
	for (i = 0; i < s.nr && i < MAPPINGS_LARGEST_MAX; i++) {
		push_mapping(L, v[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "largest");
	free(files);
	free(v);
	smaps_release(&s);
	return 0;
}
