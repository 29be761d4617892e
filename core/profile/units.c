#include "profile/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/satmath.h"

struct unit {
	const char *name;
	const char *aliases[4];
	double factor;
};

struct unit_type {
	const struct unit *units;
	size_t nr;
	struct unit def;
};

static const struct unit memory_units[] = {
	{ "B", { "b", "byte" }, 1 },
	{ "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
	{ "MB", { "mb", "mbyte", "megabyte" }, 1048576.0 },
	{ "GB", { "gb", "gbyte", "gigabyte" }, 1073741824.0 },
	{ "TB", { "tb", "tbyte", "terabyte" }, 1099511627776.0 },
	{ "PB", { "pb", "pbyte", "petabyte" }, 1125899906842624.0 },
};

static const struct unit time_units[] = {
	{ "ns", { "ns", "nanosecond" }, 1 },
	{ "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
	{ "ms", { "ms", "millisecond" }, 1e6 },
	{ "s", { "s", "sec", "second" }, 1e9 },
	{ "hrs", { "hour", "hr" }, 3600e9 },
};

static const struct unit gcu_units[] = {
	{ "n*GCU", { "nanogcu" }, 1e-9 },
	{ "u*GCU", { "microgcu" }, 1e-6 },
	{ "m*GCU", { "milligcu" }, 1e-3 },
	{ "GCU", { "gcu" }, 1 },
	{ "k*GCU", { "kilogcu" }, 1e3 },
	{ "M*GCU", { "megagcu" }, 1e6 },
	{ "G*GCU", { "gigagcu" }, 1e9 },
	{ "T*GCU", { "teragcu" }, 1e12 },
	{ "P*GCU", { "petagcu" }, 1e15 },
};

static const struct unit_type unit_types[] = {
	{ memory_units, 6, { "B", { "b", "byte" }, 1 } },
	{ time_units, 5, { "s", { NULL }, 1e9 } },
	{ gcu_units, 9, { "GCU", { NULL }, 1 } },
};

/* lower-cases and drops a plural "s" (but not from "ms" or "s") */
static const struct unit *sniff(const struct unit_type *ut, const char *name)
{
	char low[64];
	size_t i, n = strlen(name);

	if (n >= sizeof(low))
		return NULL;
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	if (n > 2 && low[n - 1] == 's')
		low[n - 1] = '\0';
	for (i = 0; i < ut->nr; i++) {
		const char *const *a;

		for (a = ut->units[i].aliases; a < ut->units[i].aliases + 4 && *a; a++)
			if (!strcmp(*a, low))
				return &ut->units[i];
	}
	return NULL;
}

static int is_auto(const char *to)
{
	return !strcmp(to, "minimum") || !strcmp(to, "auto");
}

double units_scale(int64_t value, const char *from, const char *to, const char **unit)
{
	size_t t;

	if (value < 0) {
		/* INT64_MIN has no negation: one short of it scales the same in a double */
		double v = units_scale(value == INT64_MIN ? INT64_MAX : -value, from, to, unit);
		return -v;
	}
	for (t = 0; t < sizeof(unit_types) / sizeof(unit_types[0]); t++) {
		const struct unit_type *ut = &unit_types[t];
		const struct unit *fu = sniff(ut, from), *tu;
		double v;

		if (!fu)
			continue;
		v = (double)value * fu->factor;
		if (is_auto(to)) {
			double f = 0;
			const char *name = NULL;
			size_t i;

			for (i = 0; i < ut->nr; i++) {
				if (ut->units[i].factor >= f && v / ut->units[i].factor >= 1.0) {
					f = ut->units[i].factor;
					name = ut->units[i].name;
				}
			}
			if (name) {
				*unit = name;
				return v / f;
			}
			*unit = ut->def.name;
			return v / ut->def.factor;
		}
		tu = sniff(ut, to);
		if (!tu) {
			*unit = ut->def.name;
			return v / ut->def.factor;
		}
		*unit = tu->name;
		return v / tu->factor;
	}
	if (!strcmp(to, "count") || !strcmp(to, "sample") || !strcmp(to, "unit") || is_auto(to))
		*unit = "";
	else
		*unit = to;
	return (double)value;
}

void units_label(char *buf, size_t len, int64_t value, const char *from, const char *to)
{
	const char *u;
	double v = units_scale(value, from, to, &u);
	char num[64];
	size_t n;

	snprintf(num, sizeof(num), "%.2f", v);
	n = strlen(num);
	if (n > 3 && !strcmp(num + n - 3, ".00"))
		num[n - 3] = '\0';
	if (!strcmp(num, "0") || !strcmp(num, "-0")) {
		snprintf(buf, len, "0");
		return;
	}
	if (text_needs_escape(u, strlen(u))) {
		/* a unit pprof does not know is the file's own text */
		struct strbuf tmp = STRBUF_INIT;

		snprintf(buf, len, "%s%s", num, text_safe(&tmp, u));
		strbuf_release(&tmp);
		return;
	}
	snprintf(buf, len, "%s%s", num, u);
}

void units_percentage(char *buf, size_t len, int64_t value, int64_t total)
{
	double r = 0;

	if (total)
		r = fabs((double)value / (double)total) * 100;
	if (r >= 99.95 && r <= 100.05)
		snprintf(buf, len, "  100%%");
	else if (r >= 1.0)
		snprintf(buf, len, "%5.2f%%", r);
	else
		snprintf(buf, len, "%5.2g%%", r);
}

const char *units_select(const int64_t *flat, const int64_t *cum, size_t n, int64_t total,
			 const char *sample_unit)
{
	int64_t minv = 0, maxv = total;
	const char *minu, *maxu, *u;
	size_t i;

	if (!n)
		return "minimum";
	for (i = 0; i < n; i++) {
		int64_t v = sat_abs64(flat[i], NULL);

		if (!v)
			v = sat_abs64(cum[i], NULL);
		if (v > 0 && (!minv || v < minv))
			minv = v;
	}
	if (!minv)
		minv = maxv;
	units_scale(minv, sample_unit, "minimum", &minu);
	units_scale(maxv, sample_unit, "minimum", &maxu);
	u = minu;
	/* minv * 100 < maxv, without overflow for values near INT64_MAX */
	if (strcmp(minu, maxu) && maxv > 0 && minv <= (maxv - 1) / 100)
		units_scale(100 * minv, sample_unit, "minimum", &u);
	return *u ? u : sample_unit;
}
