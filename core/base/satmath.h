#ifndef TRIAGE_SATMATH_H
#define TRIAGE_SATMATH_H

#include <stdint.h>

/*
 * Saturating int64 arithmetic for sums of values that come from input
 * (pprof sample values are any int64): two samples of INT64_MAX must not
 * wrap into a negative total. Results stick at INT64_MIN/INT64_MAX and
 * *sat (if not NULL) is set, so a caller can say the numbers are absurd.
 */

static inline int64_t sat_add64(int64_t a, int64_t b, int *sat)
{
	int64_t r;

	if (!__builtin_add_overflow(a, b, &r))
		return r;
	if (sat)
		*sat = 1;
	return b > 0 ? INT64_MAX : INT64_MIN;
}

static inline int64_t sat_sub64(int64_t a, int64_t b, int *sat)
{
	int64_t r;

	if (!__builtin_sub_overflow(a, b, &r))
		return r;
	if (sat)
		*sat = 1;
	return b < 0 ? INT64_MAX : INT64_MIN;
}

/* |v|, with |INT64_MIN| saturated to INT64_MAX. */
static inline int64_t sat_abs64(int64_t v, int *sat)
{
	if (v == INT64_MIN) {
		if (sat)
			*sat = 1;
		return INT64_MAX;
	}
	return v < 0 ? -v : v;
}

#endif
