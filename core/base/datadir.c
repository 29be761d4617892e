/*
 * Where the Lua plugins/ and rules/ are. In order: $TRIAGE_DATADIR; the
 * share/triage directory next to the running binary's prefix (so a relocated
 * install still works); the configured install prefix; and, for a binary run
 * from its build tree, the source tree itself.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "base/datadir.h"
#include "base/io.h"

const char *triage_datadir(void)
{
	static char found[PATH_MAX];
	char exe[PATH_MAX];
	const char *env = getenv("TRIAGE_DATADIR");
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	if (found[0])
		return found;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			/* <prefix>/bin/triage -> <prefix>/share/triage */
			if ((size_t)snprintf(found, sizeof(found), "%s/../share/triage", exe) < sizeof(found) &&
			    is_dir(found))
				return found;
			/* running from the build tree */
			if (!strcmp(exe, TRIAGE_BUILD_DIR) && is_dir(TRIAGE_SOURCE_DIR "/rules")) {
				snprintf(found, sizeof(found), "%s", TRIAGE_SOURCE_DIR);
				return found;
			}
		}
	}
	snprintf(found, sizeof(found), "%s", TRIAGE_INSTALL_DATADIR);
	return found;
}
