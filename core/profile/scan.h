#ifndef TRIAGE_PROFILE_SCAN_H
#define TRIAGE_PROFILE_SCAN_H

#include <stdint.h>

#include "base/inflate.h"

struct strbuf;

/*
 * A pprof profile checked as a stream, in constant memory: every top-level
 * field of the Profile message must be one profile.proto defines, with its
 * wire type; every Sample is read (one at a time, at most
 * PROFILE_SCAN_MAX_SAMPLE bytes) for its values and labels; there must be
 * a sample type and the string table must start with "". It is what
 * collect asks of a profile too big to decode whole in its own memory
 * budget: "is this a profile, how many stacks, any labels?" (issue 13);
 * the full decoder (profile.h) stays the reference for everything else.
 */

#define PROFILE_SCAN_MAX_SAMPLE ((uint64_t)1 << 20)

struct profile_scan {
	uint64_t bytes;		/* protobuf bytes (after gunzip) */
	uint64_t samples;	/* Sample messages */
	uint64_t labels;	/* labels over all samples */
	uint64_t str_labels;	/* those with a string value (heap profiles' "bytes" are numbers) */
	uint64_t sample_types;
	uint64_t strings;
	int64_t first_value_sum;	/* of each sample's first value (goroutines) */
	int64_t duration_nanos;
};

/*
 * Reads a gzip-compressed or raw profile from read (inflate.h's reader,
 * with its decompression bounds; max_out replaces them when not 0) and
 * fills out. 0, or -1 with err naming the byte and the problem.
 */
int profile_scan(byte_reader_fn read, void *ctx, const char *name, uint64_t max_out,
		 struct profile_scan *out, struct strbuf *err);

#endif
