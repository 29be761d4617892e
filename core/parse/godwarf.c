/*
 * runtime.g's layout from a Go binary's DWARF (godwarf.h), streamed.
 *
 * DWARF facts used (DWARF 4 and 5, section 7): a unit header is its
 * length (4 bytes, or 0xffffffff and 8 for 64-bit DWARF), the version,
 * then the abbreviation table's offset and the address size (in v5 the
 * unit type and address size come first). Each entry is a ULEB128
 * abbreviation code (0 ends a list of children) whose abbreviation gives
 * the tag, whether children follow and each attribute's name and form.
 * Go writes version 4 units, one or more per package named after it,
 * struct members with a constant DW_AT_data_member_location and variables
 * with a DW_OP_addr location (in a DW_FORM_block1).
 */
#include "parse/godwarf.h"
#include "parse/elf.h"
#include "base/protowire.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define DW_TAG_array_type 0x01
#define DW_TAG_member 0x0d
#define DW_TAG_structure_type 0x13
#define DW_TAG_subrange_type 0x21
#define DW_TAG_variable 0x34

#define DW_AT_location 0x02
#define DW_AT_name 0x03
#define DW_AT_byte_size 0x0b
#define DW_AT_upper_bound 0x2f
#define DW_AT_count 0x37
#define DW_AT_data_member_location 0x38
#define DW_AT_type 0x49

#define DW_OP_addr 0x03
#define DW_OP_plus_uconst 0x23

#define MAX_ABBREVS 65536
#define MAX_SPECS 256		/* attributes of one abbreviation */
#define MAX_DEPTH 256
#define PREFIX 4096		/* enough of a unit for its own entry's name */

static const char *const g_members[GW_G_NR] = {
	"goid", "gopc", "startpc", "atomicstatus", "waitreason", "waitsince", "lockedm", "sched", "stack",
};
static const char *const gobuf_members[GW_GOBUF_NR] = { "pc", "sp", "bp" };
static const char *const stack_members[GW_STACK_NR] = { "lo", "hi" };

/* ---- a section, decompressed as it is read ---- */

struct secstream {
	struct elf_file *ef;
	const char *name;
	uint64_t off, end;	/* the section's bytes in the file (after a compression header) */
	uint64_t in_pos;	/* next file byte to read, relative to off */
	uint64_t size;		/* uncompressed size, as declared */
	uint64_t pos;		/* uncompressed bytes delivered */
	int z;
	int z_ready;
	z_stream zs;
	unsigned char in[65536];
};

static int sec_open(struct secstream *s, struct elf_file *ef, const char *name, int *found,
		    struct strbuf *err)
{
	struct elf_shdr sh;
	char zname[64];
	unsigned char hdr[24];

	memset(s, 0, sizeof(*s));
	s->ef = ef;
	s->name = name;
	if (elf_find_section(ef, name, &sh, found, err) < 0)
		return -1;
	if (!*found) {
		/* the older GNU form: .zdebug_info, "ZLIB" and a big-endian size */
		snprintf(zname, sizeof(zname), ".z%s", name + 1);
		if (elf_find_section(ef, zname, &sh, found, err) < 0)
			return -1;
		if (!*found)
			return 0;
		if (sh.size < 12 || elf_read(ef, sh.offset, 12, hdr, zname, err) < 0 || memcmp(hdr, "ZLIB", 4))
			return elf_error(ef, err, "%s has no ZLIB header", zname);
		s->size = elf_get_uint(hdr + 4, 8, 1);
		s->z = 1;
		s->off = sh.offset + 12;
		s->end = sh.offset + sh.size;
	} else if (sh.type == ELF_SHT_NOBITS) {
		*found = 0;
		return 0;
	} else if (sh.flags & ELF_SHF_COMPRESSED) {
		/* Elf64_Chdr: type, reserved, size, alignment; Elf32_Chdr: type, size, alignment */
		size_t hl = ef->is64 ? 24 : 12;

		if (sh.size < hl || elf_read(ef, sh.offset, hl, hdr, name, err) < 0)
			return -1;
		if (elf_u32(ef, hdr) != 1)
			return elf_error(ef, err, "%s is compressed with type %llu, not zlib", name,
					 (unsigned long long)elf_u32(ef, hdr));
		s->size = ef->is64 ? elf_addr(ef, hdr + 8) : elf_u32(ef, hdr + 4);
		s->z = 1;
		s->off = sh.offset + hl;
		s->end = sh.offset + sh.size;
	} else {
		s->size = sh.size;
		s->off = sh.offset;
		s->end = sh.offset + sh.size;
	}
	if (s->end < s->off || s->end > ef->size)
		return elf_error(ef, err, "%s runs past the end of the file", name);
	if (s->size > GODWARF_MAX_SECTION)
		return elf_error(ef, err, "%s declares %llu bytes, more than triage reads", name,
				 (unsigned long long)s->size);
	if (s->z) {
		if (inflateInit(&s->zs) != Z_OK)
			return elf_error(ef, err, "zlib: out of memory");
		s->z_ready = 1;
	}
	return 0;
}

static void sec_close(struct secstream *s)
{
	if (s->z_ready)
		inflateEnd(&s->zs);
	s->z_ready = 0;
}

/* Up to len bytes; fewer only at the section's end. -1 on a read or zlib error. */
static ssize_t sec_read(struct secstream *s, void *buf, size_t len, struct strbuf *err)
{
	size_t done = 0;

	/* never past the declared size: a stream that inflates further is cut there */
	if (len > s->size - s->pos)
		len = (size_t)(s->size - s->pos);
	if (!s->z) {
		if (len && elf_read(s->ef, s->off + s->pos, len, buf, s->name, err) < 0)
			return -1;
		s->pos += len;
		return (ssize_t)len;
	}
	s->zs.next_out = buf;
	s->zs.avail_out = (uInt)len;
	while (s->zs.avail_out) {
		int rc;

		if (!s->zs.avail_in) {
			uint64_t left = s->end - s->off - s->in_pos;
			size_t n = left < sizeof(s->in) ? (size_t)left : sizeof(s->in);

			if (!n)
				break;
			if (elf_read(s->ef, s->off + s->in_pos, n, s->in, s->name, err) < 0)
				return -1;
			s->in_pos += n;
			s->zs.next_in = s->in;
			s->zs.avail_in = (uInt)n;
		}
		rc = inflate(&s->zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return elf_error(s->ef, err, "%s: zlib: %s", s->name, s->zs.msg ? s->zs.msg : "corrupt data");
		if (rc == Z_BUF_ERROR && !s->zs.avail_in && s->in_pos >= s->end - s->off)
			break;
	}
	done = len - s->zs.avail_out;
	s->pos += done;
	return (ssize_t)done;
}

static int sec_skip(struct secstream *s, uint64_t n, struct strbuf *err)
{
	unsigned char scratch[16384];

	if (!s->z) {
		if (n > s->size - s->pos)
			return elf_error(s->ef, err, "%s ends inside a unit", s->name);
		s->pos += n;
		return 0;
	}
	while (n) {
		size_t k = n < sizeof(scratch) ? (size_t)n : sizeof(scratch);
		ssize_t got = sec_read(s, scratch, k, err);

		if (got < 0)
			return -1;
		if ((size_t)got < k)
			return elf_error(s->ef, err, "%s ends inside a unit", s->name);
		n -= k;
	}
	return 0;
}

/* ---- a cursor over bytes in memory ---- */

struct cur {
	const unsigned char *p, *end;
	int bad;		/* ran past the end or met what it cannot read */
	int big_endian;
	unsigned offsize, addr_size, version;
	uint64_t unit_off;	/* section offset of the unit, for unit-relative references */
};

/* ULEB128 is the protobuf varint: one reader for both */
static uint64_t uleb(struct cur *c)
{
	uint64_t v = 0;
	int n = c->bad ? -1 : varint_get(c->p, (size_t)(c->end - c->p), &v);

	if (n <= 0) {
		c->bad = 1;
		return 0;
	}
	c->p += n;
	return v;
}

static int64_t sleb(struct cur *c)
{
	int64_t v = 0;
	unsigned shift = 0;
	unsigned char b = 0;

	while (c->p < c->end) {
		b = *c->p++;
		if (shift < 64)
			v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
		shift += 7;
		if (!(b & 0x80)) {
			if (shift < 64 && (b & 0x40))
				v |= (int64_t)(~(uint64_t)0 << shift);
			return v;
		}
	}
	c->bad = 1;
	return 0;
}

static uint64_t fixed(struct cur *c, unsigned n)
{
	uint64_t v;

	if (c->bad || n > 8 || (size_t)(c->end - c->p) < n) {
		c->bad = 1;
		return 0;
	}
	v = elf_get_uint(c->p, n, c->big_endian);
	c->p += n;
	return v;
}

static const unsigned char *bytes(struct cur *c, uint64_t n)
{
	const unsigned char *p = c->p;

	if (c->bad || n > (uint64_t)(c->end - c->p)) {
		c->bad = 1;
		return NULL;
	}
	c->p += n;
	return p;
}

/* ---- abbreviations ---- */

struct spec {
	uint32_t name, form;
	int64_t implicit;
};

struct abbrev {
	uint64_t code;
	uint32_t tag;
	int children;
	size_t first, nr;	/* into specs */
};

struct abbrevs {
	unsigned char *data;
	size_t len;
	int64_t table_off;	/* the table parsed into items, -1 none */
	struct abbrev *items;
	size_t nr, alloc;
	struct spec *specs;
	size_t nr_specs, alloc_specs;
};

static int abbrevs_load(struct abbrevs *a, uint64_t off)
{
	struct cur c = { 0 };

	if ((int64_t)off == a->table_off)
		return 0;
	a->nr = a->nr_specs = 0;
	a->table_off = -1;
	if (off >= a->len)
		return -1;
	c.p = a->data + off;
	c.end = a->data + a->len;
	while (!c.bad) {
		struct abbrev *ab;
		uint64_t code = uleb(&c);

		if (!code)
			break;
		if (a->nr >= MAX_ABBREVS)
			return -1;
		ALLOC_GROW(a->items, a->nr + 1, a->alloc);
		ab = &a->items[a->nr++];
		ab->code = code;
		ab->tag = (uint32_t)uleb(&c);
		ab->children = (int)fixed(&c, 1);
		ab->first = a->nr_specs;
		ab->nr = 0;
		for (;;) {
			uint64_t name = uleb(&c), form = uleb(&c);
			struct spec *sp;

			if (c.bad)
				return -1;
			if (!name && !form)
				break;
			if (ab->nr >= MAX_SPECS)
				return -1;
			ALLOC_GROW(a->specs, a->nr_specs + 1, a->alloc_specs);
			sp = &a->specs[a->nr_specs++];
			sp->name = (uint32_t)name;
			sp->form = (uint32_t)form;
			sp->implicit = form == 0x21 ? sleb(&c) : 0;
			ab->nr++;
		}
	}
	if (c.bad)
		return -1;
	a->table_off = (int64_t)off;
	return 0;
}

static const struct abbrev *abbrev_find(const struct abbrevs *a, uint64_t code)
{
	size_t i;

	/* codes are usually 1..N in order */
	if (code && code <= a->nr && a->items[code - 1].code == code)
		return &a->items[code - 1];
	for (i = 0; i < a->nr; i++)
		if (a->items[i].code == code)
			return &a->items[i];
	return NULL;
}

/* ---- attribute values ---- */

struct val {
	uint64_t u;
	const char *str;		/* DW_FORM_string, NUL-terminated inside the unit */
	const unsigned char *block;
	uint64_t block_len;
	int is_const, is_ref, is_block;
};

/* Reads (or skips) one value of form into v; c->bad on what it cannot read. */
static void read_form(struct cur *c, uint32_t form, int64_t implicit, struct val *v, int depth)
{
	memset(v, 0, sizeof(*v));
	switch (form) {
	case 0x01: v->u = fixed(c, c->addr_size); break;			/* addr */
	case 0x03: v->block_len = fixed(c, 2); goto block;			/* block2 */
	case 0x04: v->block_len = fixed(c, 4); goto block;			/* block4 */
	case 0x05: v->u = fixed(c, 2); v->is_const = 1; break;			/* data2 */
	case 0x06: v->u = fixed(c, 4); v->is_const = 1; break;			/* data4 */
	case 0x07: v->u = fixed(c, 8); v->is_const = 1; break;			/* data8 */
	case 0x08: {								/* string */
		const unsigned char *nul = memchr(c->p, 0, (size_t)(c->end - c->p));

		if (!nul) {
			c->bad = 1;
			break;
		}
		v->str = (const char *)c->p;
		c->p = nul + 1;
		break;
	}
	case 0x09: case 0x18: v->block_len = uleb(c); goto block;		/* block, exprloc */
	case 0x0a: v->block_len = fixed(c, 1); goto block;			/* block1 */
	case 0x0b: v->u = fixed(c, 1); v->is_const = 1; break;			/* data1 */
	case 0x0c: fixed(c, 1); break;						/* flag */
	case 0x0d: v->u = (uint64_t)sleb(c); v->is_const = 1; break;		/* sdata */
	case 0x0f: v->u = uleb(c); v->is_const = 1; break;			/* udata */
	case 0x0e: case 0x17: case 0x1d: case 0x1f:				/* strp, sec_offset, strp_sup, line_strp */
	case 0x1f20: case 0x1f21:						/* GNU_ref_alt, GNU_strp_alt */
		fixed(c, c->offsize); break;
	case 0x10:								/* ref_addr: an offset in the section */
		v->u = fixed(c, c->version <= 2 ? c->addr_size : c->offsize);
		v->is_ref = 1;
		break;
	case 0x11: v->u = c->unit_off + fixed(c, 1); v->is_ref = 1; break;	/* ref1..ref8, ref_udata */
	case 0x12: v->u = c->unit_off + fixed(c, 2); v->is_ref = 1; break;
	case 0x13: v->u = c->unit_off + fixed(c, 4); v->is_ref = 1; break;
	case 0x14: v->u = c->unit_off + fixed(c, 8); v->is_ref = 1; break;
	case 0x15: v->u = c->unit_off + uleb(c); v->is_ref = 1; break;
	case 0x16:								/* indirect: the form comes first */
		if (depth > 4) {
			c->bad = 1;
			break;
		}
		read_form(c, (uint32_t)uleb(c), implicit, v, depth + 1);
		break;
	case 0x19: break;							/* flag_present */
	case 0x1a: case 0x1b: case 0x22: case 0x23:				/* strx, addrx, loclistx, rnglistx */
	case 0x1f01: case 0x1f02:						/* GNU_addr_index, GNU_str_index */
		uleb(c); break;
	case 0x1c: fixed(c, 4); break;						/* ref_sup4 */
	case 0x1e: bytes(c, 16); break;						/* data16 */
	case 0x20: case 0x24: fixed(c, 8); break;				/* ref_sig8, ref_sup8 */
	case 0x21: v->u = (uint64_t)implicit; v->is_const = 1; break;		/* implicit_const */
	case 0x25: case 0x29: fixed(c, 1); break;				/* strx1, addrx1 */
	case 0x26: case 0x2a: fixed(c, 2); break;				/* strx2, addrx2 */
	case 0x27: case 0x2b: fixed(c, 3); break;				/* strx3, addrx3 */
	case 0x28: case 0x2c: fixed(c, 4); break;				/* strx4, addrx4 */
	default: c->bad = 1; break;
	}
	return;
block:
	v->block = bytes(c, v->block_len);
	v->is_block = v->block != NULL;
}

/* ---- the entries of one unit ---- */

struct die {
	uint32_t tag;
	const char *name;
	uint64_t member_off;	/* DW_AT_data_member_location, UINT64_MAX none */
	uint64_t addr;		/* a DW_OP_addr location, 0 none */
	uint64_t type_ref;	/* section offset, UINT64_MAX none */
	uint64_t byte_size;	/* UINT64_MAX none */
	uint64_t count;		/* DW_AT_count or DW_AT_upper_bound + 1, 0 none */
};

static void die_attr(struct cur *c, const struct spec *sp, struct die *d)
{
	struct val v;

	read_form(c, sp->form, sp->implicit, &v, 0);
	if (c->bad)
		return;
	switch (sp->name) {
	case DW_AT_name:
		d->name = v.str;
		break;
	case DW_AT_data_member_location:
		if (v.is_const) {
			d->member_off = v.u;
		} else if (v.is_block && v.block_len >= 2 && v.block[0] == DW_OP_plus_uconst) {
			struct cur b = { v.block + 1, v.block + v.block_len, 0, 0, 0, 0, 0, 0 };

			d->member_off = uleb(&b);
			if (b.bad)
				d->member_off = UINT64_MAX;
		}
		break;
	case DW_AT_location:
		if (v.is_block && v.block_len == 1 + (uint64_t)c->addr_size && v.block[0] == DW_OP_addr)
			d->addr = elf_get_uint(v.block + 1, c->addr_size, c->big_endian);
		break;
	case DW_AT_type:
		if (v.is_ref)
			d->type_ref = v.u;
		break;
	case DW_AT_byte_size:
		if (v.is_const)
			d->byte_size = v.u;
		break;
	case DW_AT_count:
		if (v.is_const)
			d->count = v.u;
		break;
	case DW_AT_upper_bound:
		if (v.is_const && v.u < UINT32_MAX)
			d->count = v.u + 1;
		break;
	}
}

/* Array types of the runtime units seen so far, for the name tables' lengths. */
struct arrays {
	struct { uint64_t off; uint32_t count; } *items;
	size_t nr, alloc;
};

struct walk {
	struct godwarf *gw;
	struct arrays arrays;
	uint64_t wait_reasons_type, status_names_type;
};

static void set_member(struct godwarf_struct *st, const char *const *names, size_t n, const struct die *d)
{
	size_t i;

	if (!d->name || d->member_off > 1u << 20)
		return;
	for (i = 0; i < n; i++)
		if (!strcmp(d->name, names[i]))
			st->off[i] = (uint32_t)d->member_off;
}

static void struct_found(struct godwarf_struct *st, const struct die *d)
{
	st->found = 1;
	st->byte_size = d->byte_size < UINT32_MAX ? (uint32_t)d->byte_size : GODWARF_NONE;
}

/*
 * Walks the entries of one unit's body (len bytes whose first byte is at
 * section offset body_off), recording what godwarf wants. The unit's own
 * entry comes first; its children are the package's top-level entries.
 */
static int walk_unit(struct walk *w, struct abbrevs *ab, struct cur *c, uint64_t body_off,
		     const unsigned char *body, int only_name, const char **unit_name)
{
	struct godwarf_struct *in_struct = NULL;
	const char *const *in_names = NULL;
	size_t in_nr = 0;
	int depth = 0;
	int64_t in_array = -1;	/* index into w->arrays of the array type whose children these are */

	*unit_name = NULL;
	while (c->p < c->end && !c->bad) {
		uint64_t die_off = body_off + (uint64_t)(c->p - body);
		uint64_t code = uleb(c);
		const struct abbrev *a;
		struct die d = { 0, NULL, UINT64_MAX, 0, UINT64_MAX, UINT64_MAX, 0 };
		size_t i;

		if (c->bad)
			break;
		if (!code) {
			if (--depth <= 1) {
				in_struct = NULL;
				in_array = -1;
			}
			if (depth <= 0)
				break;
			continue;
		}
		a = abbrev_find(ab, code);
		if (!a)
			return -1;
		d.tag = a->tag;
		for (i = 0; i < a->nr && !c->bad; i++)
			die_attr(c, &ab->specs[a->first + i], &d);
		if (c->bad)
			return -1;
		if (depth == 0) {
			*unit_name = d.name;
			if (only_name)
				return 0;
		} else if (depth == 1) {
			in_struct = NULL;
			in_array = -1;
			if (!d.name)
				;
			else if (d.tag == DW_TAG_structure_type && !strcmp(d.name, "runtime.g") && !w->gw->g.found) {
				struct_found(in_struct = &w->gw->g, &d);
				in_names = g_members, in_nr = GW_G_NR;
			} else if (d.tag == DW_TAG_structure_type && !strcmp(d.name, "runtime.gobuf") &&
				   !w->gw->gobuf.found) {
				struct_found(in_struct = &w->gw->gobuf, &d);
				in_names = gobuf_members, in_nr = GW_GOBUF_NR;
			} else if (d.tag == DW_TAG_structure_type && !strcmp(d.name, "runtime.stack") &&
				   !w->gw->stack.found) {
				struct_found(in_struct = &w->gw->stack, &d);
				in_names = stack_members, in_nr = GW_STACK_NR;
			} else if (d.tag == DW_TAG_variable && !strcmp(d.name, "runtime.allgs")) {
				w->gw->allgs.addr = d.addr;
			} else if (d.tag == DW_TAG_variable && !strcmp(d.name, "runtime.waitReasonStrings")) {
				w->gw->wait_reasons.addr = d.addr;
				w->wait_reasons_type = d.type_ref;
			} else if (d.tag == DW_TAG_variable && !strcmp(d.name, "runtime.gStatusStrings")) {
				w->gw->status_names.addr = d.addr;
				w->status_names_type = d.type_ref;
			}
		}
		if (depth == 1 && d.tag == DW_TAG_array_type && w->arrays.nr < 1000000) {
			ALLOC_GROW(w->arrays.items, w->arrays.nr + 1, w->arrays.alloc);
			w->arrays.items[w->arrays.nr].off = die_off;
			w->arrays.items[w->arrays.nr].count = 0;
			in_array = (int64_t)w->arrays.nr++;
		} else if (depth == 2 && in_struct && d.tag == DW_TAG_member) {
			set_member(in_struct, in_names, in_nr, &d);
		} else if (depth == 2 && in_array >= 0 && d.tag == DW_TAG_subrange_type && d.count &&
			   d.count < UINT32_MAX) {
			w->arrays.items[in_array].count = (uint32_t)d.count;
		}
		if (a->children) {
			if (++depth > MAX_DEPTH)
				return -1;
		} else if (depth == 1) {
			in_struct = NULL;
			in_array = -1;
		}
	}
	return c->bad ? -1 : 0;
}

static uint32_t array_count(const struct arrays *a, uint64_t off)
{
	size_t i;

	for (i = 0; i < a->nr; i++)
		if (a->items[i].off == off)
			return a->items[i].count;
	return 0;
}

static void struct_init(struct godwarf_struct *s)
{
	size_t i;

	s->found = 0;
	s->byte_size = GODWARF_NONE;
	for (i = 0; i < sizeof(s->off) / sizeof(s->off[0]); i++)
		s->off[i] = GODWARF_NONE;
}

int godwarf_read(struct elf_file *ef, struct godwarf *gw, struct strbuf *err)
{
	struct secstream info, abbrev;
	struct abbrevs ab = { 0 };
	struct walk w = { 0 };
	unsigned char *unit = NULL;
	size_t unit_alloc = 0;
	int found, ret = -1;

	memset(gw, 0, sizeof(*gw));
	struct_init(&gw->g);
	struct_init(&gw->gobuf);
	struct_init(&gw->stack);
	w.gw = gw;
	w.wait_reasons_type = w.status_names_type = UINT64_MAX;
	ab.table_off = -1;
	memset(&info, 0, sizeof(info));
	memset(&abbrev, 0, sizeof(abbrev));

	if (sec_open(&abbrev, ef, ".debug_abbrev", &found, err) < 0)
		goto out;
	if (!found) {
		elf_error(ef, err, "no DWARF (built with -ldflags=-w?)");
		goto out;
	}
	if (abbrev.size > GODWARF_MAX_ABBREV) {
		elf_error(ef, err, ".debug_abbrev is %llu bytes, more than triage reads",
			  (unsigned long long)abbrev.size);
		goto out;
	}
	ab.data = xmalloc(abbrev.size + 1);
	{
		ssize_t n = sec_read(&abbrev, ab.data, (size_t)abbrev.size, err);

		if (n < 0)
			goto out;
		ab.len = (size_t)n;
	}
	if (sec_open(&info, ef, ".debug_info", &found, err) < 0)
		goto out;
	if (!found) {
		elf_error(ef, err, "no DWARF (built with -ldflags=-w?)");
		goto out;
	}

	while (info.pos < info.size) {
		unsigned char h[24];
		struct cur c = { 0 };
		uint64_t unit_off = info.pos, len, body_len, abbrev_off, header_len;
		unsigned offsize = 4;
		size_t have, prefix;
		const char *name;
		ssize_t n;

		if (sec_read(&info, h, 4, err) != 4)
			break;
		len = elf_get_uint(h, 4, ef->big_endian);
		if (len == 0xffffffff) {
			if (sec_read(&info, h, 8, err) != 8)
				break;
			len = elf_get_uint(h, 8, ef->big_endian);
			offsize = 8;
		} else if (len >= 0xfffffff0) {
			elf_error(ef, err, ".debug_info: reserved unit length 0x%llx at %llu",
				  (unsigned long long)len, (unsigned long long)unit_off);
			goto out;
		}
		if (!len)
			continue;
		if (len > info.size - info.pos) {
			elf_error(ef, err, ".debug_info: a unit at %llu runs past the section",
				  (unsigned long long)unit_off);
			goto out;
		}
		/* the rest of the header: version, then (v2-4) abbrev offset and address size */
		header_len = 2 + offsize + 1;
		if (len < header_len || sec_read(&info, h, (size_t)header_len, err) != (ssize_t)header_len)
			break;
		gw->units++;
		c.big_endian = ef->big_endian;
		c.offsize = offsize;
		c.version = (unsigned)elf_get_uint(h, 2, ef->big_endian);
		if (c.version == 5) {
			/* unit type, address size, abbrev offset: only full and partial units */
			unsigned type = h[2];

			c.addr_size = h[3];
			/* one byte longer than v4's: read it, the abbrev offset's last */
			if (len < header_len + 1 || sec_read(&info, h + header_len, 1, err) != 1)
				break;
			header_len++;
			abbrev_off = elf_get_uint(h + 4, offsize, ef->big_endian);
			if (type != 1 && type != 3) {
				if (sec_skip(&info, len - header_len, err) < 0)
					goto out;
				continue;
			}
		} else if (c.version >= 2 && c.version <= 4) {
			abbrev_off = elf_get_uint(h + 2, offsize, ef->big_endian);
			c.addr_size = h[2 + offsize];
		} else {
			if (sec_skip(&info, len - header_len, err) < 0)
				goto out;
			continue;
		}
		if (c.addr_size != 4 && c.addr_size != 8) {
			elf_error(ef, err, ".debug_info: address size %u in the unit at %llu", c.addr_size,
				  (unsigned long long)unit_off);
			goto out;
		}
		body_len = len - header_len;
		c.unit_off = unit_off;
		if (abbrevs_load(&ab, abbrev_off) < 0) {
			elf_error(ef, err, ".debug_abbrev: unreadable table at %llu", (unsigned long long)abbrev_off);
			goto out;
		}
		if (!body_len)
			continue;	/* a unit without entries */
		/* the unit's own entry: its name says whether the rest is worth reading */
		prefix = body_len < PREFIX ? (size_t)body_len : PREFIX;
		ALLOC_GROW(unit, prefix, unit_alloc);
		n = sec_read(&info, unit, prefix, err);
		if (n != (ssize_t)prefix) {
			if (n >= 0)
				elf_error(ef, err, ".debug_info ends inside the unit at %llu", (unsigned long long)unit_off);
			goto out;
		}
		have = prefix;
		c.p = unit;
		c.end = unit + have;
		if (walk_unit(&w, &ab, &c, info.pos - have, unit, 1, &name) < 0 || !name ||
		    strcmp(name, "runtime")) {
			if (sec_skip(&info, body_len - have, err) < 0)
				goto out;
			continue;
		}
		if (body_len > GODWARF_MAX_UNIT) {
			elf_error(ef, err, ".debug_info: the runtime's unit at %llu is %llu bytes, more than"
				  " triage reads", (unsigned long long)unit_off, (unsigned long long)body_len);
			goto out;
		}
		ALLOC_GROW(unit, (size_t)body_len, unit_alloc);
		n = sec_read(&info, unit + have, (size_t)body_len - have, err);
		if (n != (ssize_t)(body_len - have)) {
			if (n >= 0)
				elf_error(ef, err, ".debug_info ends inside the unit at %llu", (unsigned long long)unit_off);
			goto out;
		}
		gw->runtime_units++;
		c.p = unit;
		c.end = unit + body_len;
		c.bad = 0;
		/* an unreadable runtime unit is skipped; what the others hold still counts */
		walk_unit(&w, &ab, &c, info.pos - body_len, unit, 0, &name);
	}
	gw->wait_reasons.count = array_count(&w.arrays, w.wait_reasons_type);
	gw->status_names.count = array_count(&w.arrays, w.status_names_type);
	ret = 0;
out:
	sec_close(&info);
	sec_close(&abbrev);
	free(ab.data);
	free(ab.items);
	free(ab.specs);
	free(w.arrays.items);
	free(unit);
	return ret;
}
