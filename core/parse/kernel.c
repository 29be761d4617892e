/*
 * Kernel release strings; see kernel.h.
 */
#include <string.h>

#include "parse/kernel.h"
#include "base/strbuf.h"

/* No kernel version component is anywhere near this; it only bounds the parse. */
#define KERNEL_PART_MAX 100000

static int parse_part(const char **p, int *out)
{
	const char *s = *p;
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		if (v > KERNEL_PART_MAX)
			return -1;
		(*p)++;
	}
	if (*p == s)
		return -1;
	*out = v;
	return 0;
}

int kernel_parse(const char *release, struct kernel_version *k, struct strbuf *err)
{
	const char *p = release ? release : "";

	memset(k, 0, sizeof(*k));
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (parse_part(&p, &k->major) < 0 || *p++ != '.' || parse_part(&p, &k->minor) < 0)
		goto bad;
	/* "4.4" and "4.4-rc1" have no patch level */
	if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
		p++;
		if (parse_part(&p, &k->patch) < 0)
			goto bad;
	}
	return 0;
bad:
	memset(k, 0, sizeof(*k));
	return error_set(err, "cannot parse kernel release '%.64s'", release ? release : "");
}

int kernel_at_least(const struct kernel_version *k, int major, int minor)
{
	return k->major > major || (k->major == major && k->minor >= minor);
}
