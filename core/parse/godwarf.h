#ifndef TRIAGE_GODWARF_H
#define TRIAGE_GODWARF_H

#include <stddef.h>
#include <stdint.h>

struct elf_file;
struct strbuf;

/*
 * The few facts the goroutine census needs from a Go binary's DWARF: the
 * offsets of runtime.g's fields, of runtime.gobuf's and runtime.stack's,
 * and the addresses of runtime.allgs and the runtime's name tables.
 *
 * A general DWARF library decompresses every debug section whole before it
 * answers anything: 50-100 MB for a large Go service, in the memory of a
 * collector that may share the target's cgroup. This reader streams
 * .debug_info through zlib one compilation unit at a time, keeps only the
 * units Go names "runtime", and so needs about the size of the largest of
 * those (a few hundred KB), whatever the binary's size.
 *
 * Input is hostile: every length is checked against its unit, every count
 * is capped, unknown forms end the unit, decompression is capped at the
 * size the section header declares.
 */

#define GODWARF_NONE UINT32_MAX
#define GODWARF_MAX_UNIT ((size_t)64 << 20)	/* one "runtime" unit read whole */
#define GODWARF_MAX_ABBREV ((size_t)16 << 20)
#define GODWARF_MAX_SECTION ((uint64_t)4 << 30)

struct godwarf_struct {
	uint32_t byte_size;	/* GODWARF_NONE when not given */
	int found;
	/* member offsets, GODWARF_NONE when absent; the names are godwarf.c's lists */
	uint32_t off[16];
};

struct godwarf_var {
	uint64_t addr;		/* 0 when absent */
	uint32_t count;		/* elements of an array variable; 0 when not known */
};

struct godwarf {
	struct godwarf_struct g, gobuf, stack;
	struct godwarf_var allgs, wait_reasons, status_names;
	size_t units, runtime_units;	/* compilation units seen, of them "runtime" */
};

/* The member names godwarf.c looks up; index i is off[i]. */
enum { GW_G_GOID, GW_G_GOPC, GW_G_STARTPC, GW_G_ATOMICSTATUS, GW_G_WAITREASON,
       GW_G_WAITSINCE, GW_G_LOCKEDM, GW_G_SCHED, GW_G_STACK, GW_G_NR };
enum { GW_GOBUF_PC, GW_GOBUF_SP, GW_GOBUF_BP, GW_GOBUF_NR };
enum { GW_STACK_LO, GW_STACK_HI, GW_STACK_NR };

/* Fills gw from ef's .debug_info and .debug_abbrev; -1 with err when it cannot. */
int godwarf_read(struct elf_file *ef, struct godwarf *gw, struct strbuf *err);

#endif
