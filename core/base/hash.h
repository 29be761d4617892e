#ifndef TRIAGE_HASH_H
#define TRIAGE_HASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * FNV-1a, 64 bit: for hash tables keyed by strings and stacks. Not for
 * anything an attacker must not collide (tables that take hostile keys
 * bound their chains instead).
 */
#define FNV1A64_INIT 0xcbf29ce484222325ull
#define FNV1A64_PRIME 0x100000001b3ull

static inline uint64_t fnv1a64_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * FNV1A64_PRIME;
	return h;
}

/* Mixes one word into h (a pointer, a count) as a single step. */
static inline uint64_t fnv1a64_word(uint64_t h, uint64_t w)
{
	return (h ^ w) * FNV1A64_PRIME;
}

static inline uint64_t fnv1a64(const void *p, size_t n)
{
	return fnv1a64_add(FNV1A64_INIT, p, n);
}

#endif
