#ifndef TRIAGE_OPT_H
#define TRIAGE_OPT_H

#include <stdint.h>

/*
 * Numbers given to command-line flags. Each parses arg with the base
 * parsers (base/quantity.h) and, when arg is malformed or out of range,
 * prints the usual usage error naming the command, the flag and the
 * accepted range, and returns -1; 0 with *out set otherwise. A caller
 * turns -1 into EXIT_USAGE, so no command writes its own number parsing.
 *
 *	if (opt_long("collect", "--samples", optarg, 1, 1000, &a->samples))
 *		return EXIT_USAGE;
 *
 * LONG_MAX or UINT64_MAX as max means "no upper bound" and leaves it
 * out of the message.
 */

/* A whole number: "--samples wants a number from 1 to 1000, not 'x'". */
int opt_long(const char *cmd, const char *flag, const char *arg, long min, long max, long *out);
/* A whole number of seconds: "--timeout wants seconds from 1 to 3600, not 'x'". */
int opt_seconds(const char *cmd, const char *flag, const char *arg, long min, long max, long *out);
/* A byte size as parse_size() reads it ("64M", "1G", "1000"). */
int opt_size(const char *cmd, const char *flag, const char *arg, uint64_t min, uint64_t max, uint64_t *out);
/* A duration as parse_duration_ms() reads it ("10", "500ms", "2m"), in ms. */
int opt_duration(const char *cmd, const char *flag, const char *arg, int64_t min_ms, int64_t max_ms,
		 int64_t *out_ms);

#endif
