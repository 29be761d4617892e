#ifndef TRIAGE_UNITS_H
#define TRIAGE_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Value formatting that matches go tool pprof's text reports to the byte:
 * memory in B/kB/MB/GB/TB/PB (powers of 1024), time in ns/us/ms/s/hrs,
 * other units as plain numbers, two decimals with ".00" dropped. Users
 * compare triage's tables with pprof's, so "1.50MB" must read the same.
 */

/* Scales value from unit `from` to `to` ("minimum"/"auto" choose); *unit gets the unit name. */
double units_scale(int64_t value, const char *from, const char *to, const char **unit);
/* pprof's ScaledLabel */
void units_label(char *buf, size_t len, int64_t value, const char *from, const char *to);
/* pprof's Percentage: "  100%", "45.20%", " 0.12%" */
void units_percentage(char *buf, size_t len, int64_t value, int64_t total);
/*
 * The single unit a table is printed in, chosen from its smallest non-zero
 * value and its total the way pprof does; returns sample_unit when the unit
 * is not one pprof scales, "minimum" when there are no values.
 */
const char *units_select(const int64_t *flat, const int64_t *cum, size_t n, int64_t total,
			 const char *sample_unit);

#endif
