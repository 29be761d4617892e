/*
 * Number flags for every command, so that "wants ... not 'x'" reads the
 * same everywhere and the range in the message is the one enforced.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include "base/quantity.h"
#include "base/strbuf.h"
#include "cmd/cmd.h"
#include "cmd/opt.h"

/* "from 1 to 1000", "of at least 1000": the range, as the message says it. */
static void range_long(struct strbuf *sb, long min, long max)
{
	if (max == LONG_MAX)
		strbuf_addf(sb, "of at least %ld", min);
	else
		strbuf_addf(sb, "from %ld to %ld", min, max);
}

static int long_in_range(const char *cmd, const char *flag, const char *arg, long min, long max,
			 const char *what, long *out)
{
	struct strbuf range = STRBUF_INIT;

	if (!parse_long_range(arg, min, max, out))
		return 0;
	range_long(&range, min, max);
	command_usage_error(cmd, "%s wants %s %s, not '%s'", flag, what, range.buf, arg);
	strbuf_release(&range);
	return -1;
}

int opt_long(const char *cmd, const char *flag, const char *arg, long min, long max, long *out)
{
	return long_in_range(cmd, flag, arg, min, max, "a number", out);
}

int opt_seconds(const char *cmd, const char *flag, const char *arg, long min, long max, long *out)
{
	return long_in_range(cmd, flag, arg, min, max, "seconds", out);
}

int opt_size(const char *cmd, const char *flag, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	char lo[32], hi[32];
	uint64_t v;

	if (!parse_size(arg, &v) && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	/* exact units: someone copies the bound back into the flag */
	format_size(lo, sizeof(lo), min);
	format_size(hi, sizeof(hi), max);
	if (min <= 1 && max == UINT64_MAX)
		command_usage_error(cmd, "%s wants a size above 0, like 64M, not '%s'", flag, arg);
	else if (max == UINT64_MAX)
		command_usage_error(cmd, "%s wants a size of at least %s, like 64M, not '%s'", flag, lo, arg);
	else
		command_usage_error(cmd, "%s wants a size from %s to %s, like 64M, not '%s'", flag, lo, hi, arg);
	return -1;
}

int opt_duration(const char *cmd, const char *flag, const char *arg, int64_t min_ms, int64_t max_ms,
		 int64_t *out_ms)
{
	int64_t v;

	if (!parse_duration_ms(arg, &v) && v >= min_ms && v <= max_ms) {
		*out_ms = v;
		return 0;
	}
	command_usage_error(cmd, "%s wants a duration like 10s or 500ms from %" PRId64 "ms to %" PRId64
			    "ms, not '%s'", flag, min_ms, max_ms, arg);
	return -1;
}
