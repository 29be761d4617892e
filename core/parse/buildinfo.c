/*
 * Go build info from an ELF binary; see buildinfo.h for the API. The
 * format is the one Go's debug/buildinfo package reads, summarised here.
 *
 * The Go linker writes a 32-byte header starting with the magic
 * "\xff Go buildinf:" at a 16-byte aligned address, in the .go.buildinfo
 * section (or, without section headers, near the start of the first
 * writable data segment). Byte 14 is the pointer size, byte 15 flags. Since
 * Go 1.18 the two strings (Go version, module info) follow the header
 * inline, each prefixed by a uvarint length; before that the header held
 * the addresses of two Go string headers {data pointer, length}, which we
 * map back to file offsets through the PT_LOAD segments.
 *
 * Everything here reads hostile input: all reads go through elf_read(),
 * which checks the range against the input size, and every count or length
 * taken from the input is capped before anything is allocated for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse/buildinfo.h"
#include "base/hex.h"
#include "base/io.h"
#include "base/strbuf.h"
#include "parse/elf.h"

#define BI_MAGIC "\xff Go buildinf:"
#define BI_MAGIC_LEN 14
#define BI_HEADER_LEN 32
#define BI_ALIGN 16
#define BI_FLAG_BIG_ENDIAN 0x1
#define BI_FLAG_INLINE 0x2
/* The linker puts the header at the very start of its area; Go looks no further. */
#define BI_SCAN_MAX (64 * 1024)
/* Real module info is tens of KiB for the largest programs. */
#define BI_STRING_MAX (16u << 20)
/* The module info is framed by two 16-byte sentinels. */
#define BI_SENTINEL_LEN 16

/* Where a run of bytes (the header search area, a string) lives in the file. */
struct file_range {
	uint64_t offset;
	uint64_t size;
};

/* Where to look for the header: the .go.buildinfo section, else the data segment. */
static int find_search_area(struct elf_file *ef, struct file_range *area, struct strbuf *err)
{
	struct elf_shdr sh;
	int found;
	size_t i;

	if (elf_find_section(ef, ".go.buildinfo", &sh, &found, err) < 0)
		return -1;
	if (found && sh.type != ELF_SHT_NOBITS) {
		if (sh.offset > ef->size || sh.size > ef->size - sh.offset)
			return elf_error(ef, err, "section .go.buildinfo (offset %llu, %llu bytes) past end of file (%llu bytes)",
					(unsigned long long)sh.offset,
					(unsigned long long)sh.size,
					(unsigned long long)ef->size);
		area->offset = sh.offset;
		area->size = sh.size;
		return 0;
	}
	for (i = 0; i < ef->nr_loads; i++) {
		const struct elf_load *l = &ef->loads[i];

		if ((l->flags & (ELF_PF_X | ELF_PF_W)) != ELF_PF_W)
			continue;
		if (l->offset > ef->size || l->filesz > ef->size - l->offset)
			return elf_error(ef, err, "data segment (offset %llu, %llu bytes) past end of file (%llu bytes)",
					(unsigned long long)l->offset,
					(unsigned long long)l->filesz,
					(unsigned long long)ef->size);
		area->offset = l->offset;
		area->size = l->filesz;
		return 0;
	}
	return elf_error(ef, err, "not a Go binary (no .go.buildinfo section and no data segment)");
}

static int find_header(struct elf_file *ef, unsigned char hdr[BI_HEADER_LEN],
		       uint64_t *hdr_offset, struct strbuf *err)
{
	struct file_range area = { 0, 0 };
	unsigned char *buf = NULL;
	size_t len, i;
	int ret = -1;

	if (find_search_area(ef, &area, err) < 0)
		return -1;
	len = area.size < BI_SCAN_MAX ? (size_t)area.size : BI_SCAN_MAX;
	buf = xmalloc(len ? len : 1);
	if (elf_read(ef, area.offset, len, buf, "build info area", err) < 0)
		goto cleanup;
	for (i = 0; len >= BI_HEADER_LEN && i <= len - BI_HEADER_LEN; i += BI_ALIGN) {
		if (memcmp(buf + i, BI_MAGIC, BI_MAGIC_LEN))
			continue;
		memcpy(hdr, buf + i, BI_HEADER_LEN);
		*hdr_offset = area.offset + i;
		ret = 0;
		goto cleanup;
	}
	elf_error(ef, err, "not a Go binary (no build info magic)");
cleanup:
	free(buf);
	return ret;
}

/* Reads len bytes at off into a new NUL-terminated string. */
static int read_string_at(struct elf_file *ef, uint64_t off, uint64_t len,
			  const char *what, char **out, size_t *out_len,
			  struct strbuf *err)
{
	char *s;

	if (len > BI_STRING_MAX)
		return elf_error(ef, err, "%s length %llu over the %u byte limit",
				what, (unsigned long long)len, BI_STRING_MAX);
	s = xmalloc((size_t)len + 1);
	if (elf_read(ef, off, (size_t)len, s, what, err) < 0) {
		free(s);
		return -1;
	}
	s[len] = '\0';
	*out = s;
	*out_len = (size_t)len;
	return 0;
}

/* Go >= 1.18: a uvarint length at *pos, then the bytes; advances *pos. */
static int read_inline_string(struct elf_file *ef, uint64_t *pos, const char *what,
			      char **out, size_t *out_len, struct strbuf *err)
{
	unsigned char buf[10];
	size_t avail, i;
	uint64_t len = 0;

	if (*pos >= ef->size)
		return elf_error(ef, err, "%s past end of file", what);
	avail = ef->size - *pos < sizeof(buf) ? (size_t)(ef->size - *pos) : sizeof(buf);
	if (elf_read(ef, *pos, avail, buf, what, err) < 0)
		return -1;
	for (i = 0; i < avail; i++) {
		/* the tenth byte may only carry the 64th bit */
		if (i == 9 && buf[i] > 1)
			break;
		len |= (uint64_t)(buf[i] & 0x7f) << (7 * i);
		if (!(buf[i] & 0x80)) {
			*pos += i + 1;
			if (read_string_at(ef, *pos, len, what, out, out_len, err) < 0)
				return -1;
			*pos += len;
			return 0;
		}
	}
	return elf_error(ef, err, "malformed %s length", what);
}

/* Before Go 1.18: addr is that of a Go string header {data pointer, length}. */
static int read_pointed_string(struct elf_file *ef, uint64_t addr, unsigned ptrsize,
			       int big_endian, const char *what,
			       char **out, size_t *out_len, struct strbuf *err)
{
	unsigned char hdr[16];
	uint64_t off, data, len;

	if (elf_vaddr_to_offset(ef, addr, 2 * ptrsize, &off) < 0)
		return elf_error(ef, err, "%s header address 0x%llx is not in the file",
				what, (unsigned long long)addr);
	if (elf_read(ef, off, 2 * ptrsize, hdr, what, err) < 0)
		return -1;
	data = elf_get_uint(hdr, ptrsize, big_endian);
	len = elf_get_uint(hdr + ptrsize, ptrsize, big_endian);
	if (!len) {
		*out = xstrdup("");
		*out_len = 0;
		return 0;
	}
	if (len > BI_STRING_MAX)
		return elf_error(ef, err, "%s length %llu over the %u byte limit",
				what, (unsigned long long)len, BI_STRING_MAX);
	if (elf_vaddr_to_offset(ef, data, len, &off) < 0)
		return elf_error(ef, err, "%s address 0x%llx (%llu bytes) is not in the file",
				what, (unsigned long long)data, (unsigned long long)len);
	return read_string_at(ef, off, len, what, out, out_len, err);
}

/*
 * The Go build ID from the .note.go.buildid note (namesz 4, "Go\0\0", type
 * 4, then the ID as text): what tells two builds of one version apart. A
 * binary without the note (stripped of it, built with -buildid= or not by
 * cmd/go) has none, which is not an error; NULL then.
 */
static char *read_go_build_id(struct elf_file *ef)
{
	struct strbuf ignored = STRBUF_INIT;
	struct elf_shdr sh;
	unsigned char note[16 + 1024];
	uint64_t namesz, descsz;
	char *id = NULL;
	int found = 0;

	if (elf_find_section(ef, ".note.go.buildid", &sh, &found, &ignored) < 0 || !found ||
	    sh.type == ELF_SHT_NOBITS || sh.size < 16 || sh.size > sizeof(note) ||
	    sh.offset > ef->size || sh.size > ef->size - sh.offset ||
	    elf_read(ef, sh.offset, (size_t)sh.size, note, "build ID note", &ignored) < 0)
		goto out;
	namesz = elf_u32(ef, note);
	descsz = elf_u32(ef, note + 4);
	if (namesz != 4 || elf_u32(ef, note + 8) != 4 || memcmp(note + 12, "Go\0\0", 4) ||
	    !descsz || descsz > sh.size - 16)
		goto out;
	id = xstrndup((const char *)note + 16, (size_t)descsz);
out:
	strbuf_release(&ignored);
	return id;
}

static int read_buildinfo(struct buildinfo *bi, struct elf_file *ef, struct strbuf *err)
{
	unsigned char hdr[BI_HEADER_LEN];
	uint64_t hdr_offset, pos;
	char *vers = NULL, *mod = NULL;
	size_t vers_len = 0, mod_len = 0;
	const char *text = "";
	size_t text_len = 0;
	int ret = -1;

	buildinfo_release(bi);
	if (elf_read_header(ef, err) < 0 ||
	    elf_read_segments(ef, err) < 0 ||
	    find_header(ef, hdr, &hdr_offset, err) < 0)
		goto cleanup;

	if (hdr[15] & BI_FLAG_INLINE) {
		pos = hdr_offset + BI_HEADER_LEN;
		if (read_inline_string(ef, &pos, "go version", &vers, &vers_len, err) < 0 ||
		    read_inline_string(ef, &pos, "module info", &mod, &mod_len, err) < 0)
			goto cleanup;
	} else {
		unsigned ptrsize = hdr[14];
		int big = hdr[15] & BI_FLAG_BIG_ENDIAN;

		if (ptrsize != 4 && ptrsize != 8) {
			elf_error(ef, err, "unsupported pointer size %u in build info header", ptrsize);
			goto cleanup;
		}
		if (read_pointed_string(ef, elf_get_uint(hdr + 16, ptrsize, big), ptrsize, big,
					"go version", &vers, &vers_len, err) < 0 ||
		    read_pointed_string(ef, elf_get_uint(hdr + 16 + ptrsize, ptrsize, big),
					ptrsize, big, "module info", &mod, &mod_len, err) < 0)
			goto cleanup;
	}
	if (!vers_len) {
		elf_error(ef, err, "not a Go binary (empty go version)");
		goto cleanup;
	}

	/*
	 * Without both sentinels the text is not module info we understand;
	 * like the Go toolchain, report the binary as having none.
	 */
	if (mod_len >= 2 * BI_SENTINEL_LEN + 1 && mod[mod_len - BI_SENTINEL_LEN - 1] == '\n') {
		text = mod + BI_SENTINEL_LEN;
		text_len = mod_len - 2 * BI_SENTINEL_LEN;
	}
	if (buildinfo_parse_modinfo(bi, text, text_len, ef->name, err) < 0)
		goto cleanup;
	bi->go_version = vers;
	vers = NULL;
	bi->build_id = read_go_build_id(ef);
	ret = 0;
cleanup:
	free(vers);
	free(mod);
	if (ret < 0)
		buildinfo_release(bi);
	return ret;
}

int buildinfo_parse(struct buildinfo *bi, const unsigned char *data, size_t len,
		    const char *name, struct strbuf *err)
{
	struct elf_file ef;
	int ret;

	elf_file_init(&ef, name, "build info");
	ef.mem = data;
	ef.size = data ? len : 0;
	ret = read_buildinfo(bi, &ef, err);
	elf_file_release(&ef);
	return ret;
}

int buildinfo_read_file(struct buildinfo *bi, const char *path, struct strbuf *err)
{
	struct elf_file ef;
	struct stat st;
	int ret = -1;

	elf_file_init(&ef, path, "build info");
	buildinfo_release(bi);
	ef.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ef.fd < 0) {
		elf_error(&ef, err, "%s", strerror(errno));
		goto cleanup;
	}
	if (fstat(ef.fd, &st) < 0) {
		elf_error(&ef, err, "%s", strerror(errno));
		goto cleanup;
	}
	/* A FIFO or device has no size to bound our reads by. */
	if (!S_ISREG(st.st_mode)) {
		elf_error(&ef, err, "not a regular file");
		goto cleanup;
	}
	ef.size = (uint64_t)st.st_size;
	ret = read_buildinfo(bi, &ef, err);
cleanup:
	if (ef.fd >= 0)
		close(ef.fd);
	elf_file_release(&ef);
	return ret;
}

/* --- module info text ------------------------------------------------ */

static void module_release(struct buildinfo_module *m)
{
	free(m->path);
	free(m->version);
	free(m->sum);
	if (m->replace) {
		module_release(m->replace);
		free(m->replace);
	}
	memset(m, 0, sizeof(*m));
}

void buildinfo_init(struct buildinfo *bi)
{
	memset(bi, 0, sizeof(*bi));
}

/* Everything but go_version, which the module info does not carry. */
static void buildinfo_release_modinfo(struct buildinfo *bi)
{
	size_t i;

	free(bi->path);
	bi->path = NULL;
	module_release(&bi->main);
	for (i = 0; i < bi->nr_deps; i++)
		module_release(&bi->deps[i]);
	free(bi->deps);
	bi->deps = NULL;
	bi->nr_deps = bi->alloc_deps = 0;
	for (i = 0; i < bi->nr_settings; i++) {
		free(bi->settings[i].key);
		free(bi->settings[i].value);
	}
	free(bi->settings);
	bi->settings = NULL;
	bi->nr_settings = bi->alloc_settings = 0;
}

void buildinfo_release(struct buildinfo *bi)
{
	buildinfo_release_modinfo(bi);
	free(bi->go_version);
	free(bi->build_id);
	buildinfo_init(bi);
}

static int has_prefix(const char *s, size_t len, const char *prefix, size_t *skip)
{
	size_t n = strlen(prefix);

	if (len < n || memcmp(s, prefix, n))
		return 0;
	*skip = n;
	return 1;
}

/*
 * Fills m from "path<TAB>version[<TAB>sum]"; a replacement ("=>" line)
 * must have all three columns. Returns -1 with the reason in why.
 */
static int parse_module(struct buildinfo_module *m, const char *s, size_t len,
			int need_sum, const char **why)
{
	const char *col[3];
	size_t col_len[3];
	size_t nr = 0, i, start = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '\t')
			continue;
		if (nr == 3) {
			nr++;
			break;
		}
		col[nr] = s + start;
		col_len[nr] = i - start;
		nr++;
		start = i + 1;
	}
	if (need_sum && nr != 3) {
		*why = "expected 3 columns for replacement";
		return -1;
	}
	if (nr != 2 && nr != 3) {
		*why = "expected 2 or 3 columns";
		return -1;
	}
	m->path = xstrndup(col[0], col_len[0]);
	m->version = xstrndup(col[1], col_len[1]);
	m->sum = nr == 3 ? xstrndup(col[2], col_len[2]) : xstrdup("");
	return 0;
}

static void add_utf8(struct strbuf *sb, uint32_t r)
{
	if (r < 0x80) {
		strbuf_addch(sb, (char)r);
	} else if (r < 0x800) {
		strbuf_addch(sb, (char)(0xc0 | (r >> 6)));
		strbuf_addch(sb, (char)(0x80 | (r & 0x3f)));
	} else if (r < 0x10000) {
		strbuf_addch(sb, (char)(0xe0 | (r >> 12)));
		strbuf_addch(sb, (char)(0x80 | ((r >> 6) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (r & 0x3f)));
	} else {
		strbuf_addch(sb, (char)(0xf0 | (r >> 18)));
		strbuf_addch(sb, (char)(0x80 | ((r >> 12) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | ((r >> 6) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (r & 0x3f)));
	}
}

/*
 * Decodes the Go string literal ("..." with escapes, or `...`) at the start
 * of s into out; *used is the literal's length. The toolchain quotes build
 * setting keys and values that hold spaces, tabs, quotes or newlines.
 */
static int go_unquote_prefix(const char *s, size_t len, size_t *used, struct strbuf *out)
{
	size_t i;

	strbuf_reset(out);
	if (!len)
		return -1;
	if (s[0] == '`') {
		for (i = 1; i < len && s[i] != '`'; i++)
			if (s[i] != '\r')	/* raw literals drop carriage returns */
				strbuf_addch(out, s[i]);
		if (i == len)
			return -1;
		*used = i + 1;
		return 0;
	}
	if (s[0] != '"')
		return -1;
	for (i = 1; i < len; ) {
		char c = s[i];
		unsigned digits = 0, j;
		uint32_t v = 0;

		if (c == '"') {
			*used = i + 1;
			return 0;
		}
		if (c == '\n')
			return -1;
		if (c != '\\') {
			strbuf_addch(out, c);
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		c = s[i + 1];
		i += 2;
		switch (c) {
		case 'a': strbuf_addch(out, '\a'); continue;
		case 'b': strbuf_addch(out, '\b'); continue;
		case 'f': strbuf_addch(out, '\f'); continue;
		case 'n': strbuf_addch(out, '\n'); continue;
		case 'r': strbuf_addch(out, '\r'); continue;
		case 't': strbuf_addch(out, '\t'); continue;
		case 'v': strbuf_addch(out, '\v'); continue;
		case '\\': strbuf_addch(out, '\\'); continue;
		case '"': strbuf_addch(out, '"'); continue;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default:
			if (c < '0' || c > '7')
				return -1;
			/* three octal digits, the first already consumed */
			v = (uint32_t)(c - '0');
			for (j = 0; j < 2; j++, i++) {
				if (i >= len || s[i] < '0' || s[i] > '7')
					return -1;
				v = v * 8 + (uint32_t)(s[i] - '0');
			}
			if (v > 255)
				return -1;
			strbuf_addch(out, (char)v);
			continue;
		}
		for (j = 0; j < digits; j++, i++) {
			int h = i < len ? hex_value(s[i]) : -1;

			if (h < 0)
				return -1;
			v = v * 16 + (uint32_t)h;
		}
		if (digits == 2) {
			strbuf_addch(out, (char)v);
			continue;
		}
		if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return -1;
		add_utf8(out, v);
	}
	return -1;
}

static int needs_quote(const char *s, size_t len, const char *specials)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] && strchr(specials, s[i]))
			return 1;
	return 0;
}

#define KEY_SPECIALS "= \t\r\n\"`"
#define VALUE_SPECIALS " \t\r\n\"`"

/* "build KEY=VALUE", either side possibly a quoted Go literal. */
static int parse_setting(struct buildinfo *bi, const char *kv, size_t len, const char **why)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	struct buildinfo_setting *set;
	const char *raw;
	size_t raw_len, used;
	int ret = -1;

	if (!len) {
		*why = "build line missing '='";
		goto cleanup;
	}
	if (kv[0] == '=') {
		*why = "build line with missing key";
		goto cleanup;
	}
	if (kv[0] == '"' || kv[0] == '`') {
		if (go_unquote_prefix(kv, len, &used, &key) < 0) {
			*why = "invalid quoted key in build line";
			goto cleanup;
		}
		if (used == len || kv[used] != '=') {
			*why = "build line missing '=' after quoted key";
			goto cleanup;
		}
	} else {
		const char *eq = memchr(kv, '=', len);

		if (!eq) {
			*why = "build line missing '=' after key";
			goto cleanup;
		}
		used = (size_t)(eq - kv);
		if (needs_quote(kv, used, KEY_SPECIALS)) {
			*why = "unquoted key must be quoted";
			goto cleanup;
		}
		strbuf_add(&key, kv, used);
	}
	raw = kv + used + 1;
	raw_len = len - used - 1;
	if (raw_len && (raw[0] == '"' || raw[0] == '`')) {
		if (go_unquote_prefix(raw, raw_len, &used, &value) < 0 || used != raw_len) {
			*why = "invalid quoted value in build line";
			goto cleanup;
		}
	} else {
		if (needs_quote(raw, raw_len, VALUE_SPECIALS)) {
			*why = "unquoted value must be quoted";
			goto cleanup;
		}
		strbuf_add(&value, raw, raw_len);
	}
	ALLOC_GROW(bi->settings, bi->nr_settings + 1, bi->alloc_settings);
	set = &bi->settings[bi->nr_settings++];
	set->key = strbuf_detach(&key, NULL);
	set->value = strbuf_detach(&value, NULL);
	ret = 0;
cleanup:
	strbuf_release(&key);
	strbuf_release(&value);
	return ret;
}

int buildinfo_parse_modinfo(struct buildinfo *bi, const char *text, size_t len,
			    const char *name, struct strbuf *err)
{
	/* the module a "=>" line replaces: none, the main module or a dep */
	enum { LAST_NONE, LAST_MAIN, LAST_DEP } last = LAST_NONE;
	const char *why = NULL;
	size_t lineno = 1, skip;

	buildinfo_release_modinfo(bi);
	while (len) {
		const char *nl = memchr(text, '\n', len);
		const char *line = text;
		size_t n;

		/* an unterminated last line is not part of the info */
		if (!nl)
			break;
		n = (size_t)(nl - text);
		text = nl + 1;
		len -= n + 1;

		if (has_prefix(line, n, "path\t", &skip)) {
			free(bi->path);
			bi->path = xstrndup(line + skip, n - skip);
		} else if (has_prefix(line, n, "mod\t", &skip)) {
			module_release(&bi->main);
			if (parse_module(&bi->main, line + skip, n - skip, 0, &why) < 0)
				goto fail;
			last = LAST_MAIN;
		} else if (has_prefix(line, n, "dep\t", &skip)) {
			struct buildinfo_module *dep;

			ALLOC_GROW(bi->deps, bi->nr_deps + 1, bi->alloc_deps);
			dep = &bi->deps[bi->nr_deps];
			memset(dep, 0, sizeof(*dep));
			if (parse_module(dep, line + skip, n - skip, 0, &why) < 0)
				goto fail;
			bi->nr_deps++;
			last = LAST_DEP;
		} else if (has_prefix(line, n, "=>\t", &skip)) {
			struct buildinfo_module *m, *rep;

			if (last == LAST_NONE) {
				why = "replacement with no module on previous line";
				goto fail;
			}
			m = last == LAST_MAIN ? &bi->main : &bi->deps[bi->nr_deps - 1];
			rep = xcalloc(1, sizeof(*rep));
			if (parse_module(rep, line + skip, n - skip, 1, &why) < 0) {
				free(rep);
				goto fail;
			}
			m->replace = rep;
			last = LAST_NONE;
		} else if (has_prefix(line, n, "build\t", &skip)) {
			if (parse_setting(bi, line + skip, n - skip, &why) < 0)
				goto fail;
		}
		/* other lines are ignored: newer toolchains may add kinds */
		lineno++;
	}
	return 0;
fail:
	buildinfo_release(bi);
	if (err)
		error_set(err, "cannot parse build info in '%s': line %zu: %s",
			  name, lineno, why);
	return -1;
}

/* --- output as "go version -m" prints it ------------------------------ */

/*
 * Whether the Go runtime would print rune r as is. An approximation of
 * unicode.IsPrint good enough for build settings: controls, format
 * characters and noncharacters are escaped, everything else printed.
 */
static int go_is_print(uint32_t r)
{
	if (r < 0xa0)
		return 0;
	if (r == 0xad || (r >= 0x200b && r <= 0x200f) || (r >= 0x2028 && r <= 0x202e) ||
	    (r >= 0x2060 && r <= 0x206f) || r == 0xfeff || (r >= 0xfff9 && r <= 0xfffb) ||
	    (r & 0xfffe) == 0xfffe || (r >= 0xfdd0 && r <= 0xfdef) ||
	    (r >= 0xe000 && r <= 0xf8ff) || r >= 0xf0000)
		return 0;
	return 1;
}

/* Length of the valid UTF-8 sequence at s (decoded into *r), 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *r)
{
	size_t n, i;
	uint32_t v, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2; v = s[0] & 0x1f; min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3; v = s[0] & 0x0f; min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4; v = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*r = v;
	return n;
}

/* Appends s as Go's strconv.Quote writes it. */
static void go_quote(struct strbuf *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str), i = 0;

	strbuf_addch(out, '"');
	while (i < len) {
		unsigned char c = s[i];
		uint32_t r;
		size_t n;

		if (c < 0x80) {
			switch (c) {
			case '"': strbuf_addstr(out, "\\\""); break;
			case '\\': strbuf_addstr(out, "\\\\"); break;
			case '\a': strbuf_addstr(out, "\\a"); break;
			case '\b': strbuf_addstr(out, "\\b"); break;
			case '\f': strbuf_addstr(out, "\\f"); break;
			case '\n': strbuf_addstr(out, "\\n"); break;
			case '\r': strbuf_addstr(out, "\\r"); break;
			case '\t': strbuf_addstr(out, "\\t"); break;
			case '\v': strbuf_addstr(out, "\\v"); break;
			default:
				if (c < 0x20 || c == 0x7f)
					strbuf_addf(out, "\\x%02x", c);
				else
					strbuf_addch(out, (char)c);
			}
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &r);
		if (!n) {
			strbuf_addf(out, "\\x%02x", c);
			i++;
		} else {
			if (go_is_print(r))
				strbuf_add(out, s + i, n);
			else if (r < 0x10000)
				strbuf_addf(out, "\\u%04x", (unsigned)r);
			else
				strbuf_addf(out, "\\U%08x", (unsigned)r);
			i += n;
		}
	}
	strbuf_addch(out, '"');
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

static void format_module(struct strbuf *out, const char *word,
			  const struct buildinfo_module *m)
{
	strbuf_addf(out, "\t%s\t%s\t%s", word, str_or_empty(m->path),
		    str_or_empty(m->version));
	if (m->replace) {
		strbuf_addch(out, '\n');
		format_module(out, "=>", m->replace);
		/*
		 * Go 1.19's formatter ends a replaced module with one newline
		 * too many, which "go version -m" shows as a line holding a
		 * lone tab; we are diffed against it, so we do the same.
		 */
		strbuf_addstr(out, "\t\n");
	} else {
		strbuf_addf(out, "\t%s\n", str_or_empty(m->sum));
	}
}

static int module_is_set(const struct buildinfo_module *m)
{
	return (m->path && *m->path) || (m->version && *m->version) ||
	       (m->sum && *m->sum) || m->replace;
}

void buildinfo_format(const struct buildinfo *bi, const char *name, struct strbuf *out)
{
	size_t i;

	strbuf_addf(out, "%s: %s\n", name, str_or_empty(bi->go_version));
	if (bi->path && *bi->path)
		strbuf_addf(out, "\tpath\t%s\n", bi->path);
	if (module_is_set(&bi->main))
		format_module(out, "mod", &bi->main);
	for (i = 0; i < bi->nr_deps; i++)
		format_module(out, "dep", &bi->deps[i]);
	for (i = 0; i < bi->nr_settings; i++) {
		const char *key = bi->settings[i].key;
		const char *value = bi->settings[i].value;

		strbuf_addstr(out, "\tbuild\t");
		if (!*key || needs_quote(key, strlen(key), KEY_SPECIALS))
			go_quote(out, key);
		else
			strbuf_addstr(out, key);
		strbuf_addch(out, '=');
		if (needs_quote(value, strlen(value), VALUE_SPECIALS))
			go_quote(out, value);
		else
			strbuf_addstr(out, value);
		strbuf_addch(out, '\n');
	}
}
