#ifndef TRIAGE_QUANTITY_H
#define TRIAGE_QUANTITY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Byte sizes and durations, as people write and read them. Two formats on
 * purpose: reports round ("8.03 MiB": a reader compares magnitudes), limits
 * are exact ("1 GiB", "1000 bytes": a reader copies them into a flag).
 */

/* "8.03 MiB", "512 B", "-1.50 GiB": three significant digits, IEC units. */
void format_bytes(char *buf, size_t len, int64_t n);
/* "1 GiB", "512 MiB", "12 KiB", "10 bytes": exact, the largest unit that divides n. */
void format_size(char *buf, size_t len, uint64_t n);
/* Parses "1G", "512M", "64k", "1000", "2GiB" (binary multiples); -1 when malformed. */
int parse_size(const char *s, uint64_t *out);
/*
 * Parses a duration: "10" (seconds), "10s", "500ms", "2m", "1h", "1.5s".
 * -1 when malformed, negative or beyond a year.
 */
int parse_duration_ms(const char *s, int64_t *out_ms);
/* Parses a whole decimal number in [min, max]; -1 otherwise. */
int parse_long_range(const char *s, long min, long max, long *out);
/*
 * Exactly len bytes of decimal digits, as fields cut out of a line are
 * (not NUL-terminated, so strtoull does not fit): no sign, no space, no
 * overflow; -1 otherwise. The _i64 one takes an optional '+' or '-'.
 */
int parse_u64_n(const char *s, size_t len, uint64_t *out);
int parse_i64_n(const char *s, size_t len, int64_t *out);

#endif
