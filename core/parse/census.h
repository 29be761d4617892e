#ifndef TRIAGE_CENSUS_H
#define TRIAGE_CENSUS_H

#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

/*
 * A goroutine census read from a Go process's memory, from outside.
 *
 * Every way of asking a Go program for its goroutines makes it work: the
 * goroutine profile copies a 256-byte record per goroutine (13 MB of heap
 * at 50k goroutines, plus the key strings: 18-22 MB measured), and
 * goroutine?debug=2 stops the world while it formats every stack. The
 * runtime keeps every goroutine in runtime.allgs, each a runtime.g with
 * its state, wait reason, creator's PC, entry PC and saved registers, so
 * a reader with ptrace rights can count them with no help from the
 * target: no stop, no allocation, nothing for it to do.
 *
 * Where the fields are comes from the executable's DWARF (Go emits it
 * unless built with -ldflags=-w), streamed in bounded memory
 * (core/parse/godwarf.h), function names from its ELF symbol table
 * (unless -s), so no Go version's layout is written down here. On amd64
 * the frames are walked by the saved frame pointers (Go keeps them since
 * 1.7); inlined calls have no frame of their own and do not appear.
 *
 * The result is written in the text format of goroutine?debug=2 (one
 * header, frames, "created by"), which core/parse/goroutines.c reads, so
 * rules see the same groups; frames carry no arguments and no file, and
 * the leading '#' lines say where it came from (docs/bundle-format.md).
 *
 * The memory read is hostile input twice over: a target can change under
 * the reader, and a corrupted one can say anything. Every count is capped
 * (goroutines, frames, name lengths, bytes of stack read), every pointer
 * is only ever passed to the reader, which fails cleanly on a bad one.
 */

#define CENSUS_NONE UINT32_MAX		/* a field the DWARF does not have */
#define CENSUS_MAX_GOROUTINES 2000000	/* as the dump parser's cap */
#define CENSUS_MAX_FRAMES 100		/* as the runtime's own traceback */
#define CENSUS_MAX_STACK_READ (64 * 1024)	/* bytes of one goroutine's stack */
#define CENSUS_MAX_G_SIZE 4096		/* runtime.g is ~400 bytes */
#define CENSUS_MAX_REASONS 256		/* waitReason is a uint8 */
#define CENSUS_MAX_OUTPUT ((size_t)64 << 20)	/* as the runtime caps its dump */

struct census_layout {
	uint64_t allgs;			/* address of runtime.allgs, a []*g */
	uint64_t wait_reasons;		/* runtime.waitReasonStrings, a [N]string; 0 absent */
	uint32_t nr_wait_reasons;
	uint64_t status_names;		/* runtime.gStatusStrings, a [N]string; 0 absent */
	uint32_t nr_status_names;
	uint32_t g_size;		/* bytes of a runtime.g to read */
	/* offsets in runtime.g, CENSUS_NONE when absent */
	uint32_t goid, gopc, startpc, atomicstatus, waitreason, waitsince, lockedm;
	uint32_t sched_pc, sched_sp, sched_bp, stack_lo, stack_hi;
	unsigned frame_pointers : 1;	/* amd64: frames by the saved frame pointers */
	unsigned pie : 1;		/* position independent: loaded at a base of its own */
	uint64_t link_base;		/* the lowest loaded address, as linked (page-aligned) */
	uint64_t bias;			/* where it is loaded minus where it was linked (the
					   caller's, from /proc/PID/maps, for a PIE) */
};

struct census_sym {
	uint64_t addr, size;
	size_t name;			/* offset in census_symbols.names */
};

/* The executable's functions, by address. */
struct census_symbols {
	struct census_sym *items;
	size_t nr, alloc;
	struct strbuf names;
};

void census_symbols_init(struct census_symbols *s);
void census_symbols_release(struct census_symbols *s);
/* The function containing the link-time address pc (offset from its start in *off), NULL if none. */
const char *census_symbol(const struct census_symbols *s, uint64_t pc, uint64_t *off);

/*
 * Reads the layout and the function symbols from an ELF executable (len
 * bytes at data, e.g. a mapped /proc/PID/exe). -1 with err when it has no
 * DWARF for runtime.g or runtime.allgs, or no symbol table.
 */
int census_layout_read(struct census_layout *l, struct census_symbols *s,
		       const void *data, size_t len, struct strbuf *err);
/* The same from an open file (path names it in messages): read in pieces, never whole. */
int census_layout_read_file(struct census_layout *l, struct census_symbols *s,
			    const char *path, int fd, struct strbuf *err);

/* Copies len bytes of the target's memory at addr into buf: 0, or -1 when it cannot. */
typedef int (*census_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);
/* Takes the text as it is written, a goroutine at a time: 0, or -1 to stop. */
typedef int (*census_emit_fn)(void *ctx, const char *text, size_t len);

struct census_stats {
	size_t goroutines;	/* written */
	size_t system;		/* the runtime's own, left out as the dump leaves them out */
	size_t unreadable;	/* whose runtime.g could not be read */
	size_t slots;		/* runtime.allgs' length */
	unsigned truncated : 1;	/* a cap was hit */
};

/*
 * Walks runtime.allgs through rd and writes every user goroutine through
 * emit. now_ns is the target's clock (CLOCK_MONOTONIC, Go's nanotime) for
 * the wait times. -1 with err when allgs cannot be read or emit stops.
 */
int census_walk(const struct census_layout *l, const struct census_symbols *s,
		census_read_fn rd, void *rd_ctx, int64_t now_ns,
		census_emit_fn emit, void *emit_ctx, struct census_stats *st, struct strbuf *err);

#endif
