/*
 * Source "host": the kernel and machine the target runs on. The same Go
 * program behaves differently under another kernel's THP and overcommit
 * policy, and a cgroup limit only means something next to the host's RAM.
 */
#include "collect/collect.h"

#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

static void collect_uname(struct collection *c)
{
	struct artifact *a = collection_add(c, "host/uname.json", "host");
	struct utsname u;
	struct json_object *o;
	const char *text;

	if (uname(&u) < 0) {
		artifact_fail(a, "uname: %s", strerror(errno));
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "sysname", json_object_new_string(u.sysname));
	json_object_object_add(o, "nodename", json_object_new_string(u.nodename));
	json_object_object_add(o, "release", json_object_new_string(u.release));
	json_object_object_add(o, "version", json_object_new_string(u.version));
	json_object_object_add(o, "machine", json_object_new_string(u.machine));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	artifact_append(c, a, text, strlen(text));
	artifact_append(c, a, "\n", 1);
	artifact_ok(a);
	json_object_put(o);
}

void collect_host(struct collection *c)
{
	static const struct {
		const char *path, *file;
		int optional;	/* absent on some kernels or configs: skipped, not failed */
	} files[] = {
		{ "host/osrelease", "/proc/sys/kernel/osrelease", 0 },
		{ "host/version", "/proc/version", 0 },
		{ "host/meminfo", "/proc/meminfo", 0 },
		{ "host/thp-enabled", "/sys/kernel/mm/transparent_hugepage/enabled", 1 },
		{ "host/thp-defrag", "/sys/kernel/mm/transparent_hugepage/defrag", 1 },
		{ "host/overcommit_memory", "/proc/sys/vm/overcommit_memory", 0 },
		{ "host/pressure-memory", "/proc/pressure/memory", 1 },
	};
	const char *os_release = "/etc/os-release";
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (c->interrupted && *c->interrupted)
			return;
		collect_file(c, files[i].path, "host", files[i].file, files[i].optional);
	}
	if (c->interrupted && *c->interrupted)
		return;
	collect_uname(c);
	/* os-release(5): /etc/os-release first, /usr/lib/os-release when it is absent */
	if (access(os_release, F_OK) < 0 && errno == ENOENT)
		os_release = "/usr/lib/os-release";
	collect_file(c, "host/os-release", "host", os_release, 1);
}
