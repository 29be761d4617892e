#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/quantity.h"

void format_bytes(char *buf, size_t len, int64_t n)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	/* the magnitude in unsigned arithmetic: -INT64_MIN does not exist */
	uint64_t m = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
	double v = (double)m;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%s%" PRIu64 " B", n < 0 ? "-" : "", m);
	else
		snprintf(buf, len, "%s%.*f %s", n < 0 ? "-" : "", v < 10 ? 2 : (v < 100 ? 1 : 0), v, u[i]);
}

void format_size(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (u < 4 && n >= 1024 && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", n, units[u]);
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	default: return -1;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || (v && mul > UINT64_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}

int parse_duration_ms(const char *s, int64_t *out_ms)
{
	static const struct { const char *suffix; double ms; } units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 }, { "h", 3600000 },
	};
	char *end;
	double v;
	size_t i;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].suffix)) {
			v *= units[i].ms;
			if (v > 366.0 * 86400 * 1000)
				return -1;
			*out_ms = (int64_t)(v + 0.5);
			return 0;
		}
	}
	return -1;
}

int parse_long_range(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_u64_n(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int parse_i64_n(const char *s, size_t len, int64_t *out)
{
	int neg = len && s[0] == '-';
	size_t sign = len && (s[0] == '-' || s[0] == '+');
	uint64_t v;

	if (parse_u64_n(s + sign, len - sign, &v) < 0)
		return -1;
	/* the magnitude of INT64_MIN is one more than INT64_MAX */
	if (v > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		return -1;
	if (!neg)
		*out = (int64_t)v;
	else
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	return 0;
}
