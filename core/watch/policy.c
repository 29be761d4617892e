/*
 * When to collect: pure functions of the samples and the clock, so
 * tests/unit-watch.c can drive them with made-up numbers.
 *
 * A threshold fires once per rise: after it fired it stays quiet until the
 * working set falls hysteresis points below it, or a service hovering at
 * 70% would collect on every wobble. A climb that jumps several levels at
 * once fires one collection, for the highest.
 */
#include <stdlib.h>
#include <string.h>

#include "watch/watch.h"

#define HOUR_MS (3600LL * 1000)

void watch_policy_init(struct watch_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->levels[0] = 70;
	p->levels[1] = 85;
	p->levels[2] = 95;
	p->nr_levels = 3;
	p->hysteresis = 5;
	p->danger = 90;
	p->growth_window_ms = 60 * 1000;
	p->min_interval_ms = 60 * 1000;
	p->max_per_hour = 12;
	p->last_level = -1;
	p->last_start_ms = -1;
	p->growth_fired_ms = -1;
}

int watch_policy_set_levels(struct watch_policy *p, const char *list, struct strbuf *err)
{
	const char *s = list;
	int n = 0;

	while (*s) {
		char *end;
		double v = strtod(s, &end);

		if (end == s || (*end && *end != ',') || !(v > 0 && v <= 100))
			return error_set(err, "thresholds are percentages of the limit in (0, 100], like 70,85,95, not '%s'", list);
		if (n == WATCH_MAX_LEVELS)
			return error_set(err, "at most %d thresholds, not '%s'", WATCH_MAX_LEVELS, list);
		if (n && v <= p->levels[n - 1])
			return error_set(err, "thresholds must ascend, not '%s'", list);
		p->levels[n++] = v;
		s = *end ? end + 1 : end;
	}
	if (!n)
		return error_set(err, "no thresholds in '%s'", list);
	p->nr_levels = n;
	p->fired = 0;
	return 0;
}

int watch_policy_threshold(struct watch_policy *p, double pct)
{
	int i, hit = -1;

	if (pct < 0)
		return -1;
	for (i = 0; i < p->nr_levels; i++) {
		unsigned bit = 1u << i;

		if (pct < p->levels[i] - p->hysteresis)
			p->fired &= ~bit;
		else if (pct >= p->levels[i] && !(p->fired & bit))
			hit = i;
	}
	/* the levels below the one hit count as fired too: one collection per jump */
	for (i = 0; i <= hit; i++)
		if (pct >= p->levels[i])
			p->fired |= 1u << i;
	return hit;
}

/* The newest sample at least window old, NULL when the history is shorter. */
static int reference(const struct watch_policy *p, int64_t now_ms, int64_t *t, int64_t *ws)
{
	int i, n = (int)(sizeof(p->hist) / sizeof(p->hist[0]));

	for (i = 0; i < p->hist_nr; i++) {
		int k = (p->hist_head - 1 - i + n) % n;

		if (now_ms - p->hist[k].t >= p->growth_window_ms) {
			*t = p->hist[k].t;
			*ws = p->hist[k].ws;
			return 0;
		}
	}
	return -1;
}

int watch_policy_growth(struct watch_policy *p, int64_t now_ms, int64_t ws, double *rate)
{
	int n = (int)(sizeof(p->hist) / sizeof(p->hist[0]));
	int64_t spacing = p->growth_window_ms / (n / 2), t0, ws0;

	*rate = 0;
	if (p->growth_per_min <= 0 || ws < 0)
		return 0;
	/* spaced so that the ring always reaches back a whole window */
	if (spacing < 1000)
		spacing = 1000;
	if (!p->hist_nr || now_ms - p->hist[(p->hist_head - 1 + n) % n].t >= spacing) {
		p->hist[p->hist_head].t = now_ms;
		p->hist[p->hist_head].ws = ws;
		p->hist_head = (p->hist_head + 1) % n;
		if (p->hist_nr < n)
			p->hist_nr++;
	}
	if (reference(p, now_ms, &t0, &ws0) < 0 || now_ms <= t0)
		return 0;
	*rate = (double)(ws - ws0) * 60000.0 / (double)(now_ms - t0);
	if (*rate < (double)p->growth_per_min)
		return 0;
	if (p->growth_fired_ms >= 0 && now_ms - p->growth_fired_ms < p->growth_window_ms)
		return 0;
	p->growth_fired_ms = now_ms;
	return 1;
}

int watch_policy_admit(struct watch_policy *p, int64_t now_ms, double level, const char **why)
{
	int i, n = (int)(sizeof(p->starts) / sizeof(p->starts[0])), recent = 0;

	for (i = 0; i < p->nr_starts; i++)
		if (now_ms - p->starts[(p->starts_head - 1 - i + n) % n] < HOUR_MS)
			recent++;
	if (recent >= p->max_per_hour) {
		*why = "the cap of collections per hour is reached";
		return 0;
	}
	if (p->last_start_ms < 0 || now_ms - p->last_start_ms >= p->min_interval_ms)
		return 1;
	/* a climb to a higher level is what watch is for; the levels bound it */
	if (level >= 0 && level > p->last_level)
		return 1;
	*why = "the minimum interval since the last collection has not passed";
	return 0;
}

void watch_policy_started(struct watch_policy *p, int64_t now_ms, double level)
{
	int n = (int)(sizeof(p->starts) / sizeof(p->starts[0]));

	p->starts[p->starts_head] = now_ms;
	p->starts_head = (p->starts_head + 1) % n;
	if (p->nr_starts < n)
		p->nr_starts++;
	/* within the interval the level only climbs; after it, any level may start again */
	if (p->last_start_ms < 0 || now_ms - p->last_start_ms >= p->min_interval_ms || level > p->last_level)
		p->last_level = level;
	p->last_start_ms = now_ms;
}

void watch_policy_new_target(struct watch_policy *p)
{
	/* a restarted service climbs again from the bottom: its levels are new */
	p->fired = 0;
	p->hist_nr = 0;
	p->hist_head = 0;
	p->growth_fired_ms = -1;
	p->last_level = -1;
}
