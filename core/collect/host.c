/*
 * Source "host": the kernel and machine the target runs on. The same Go
 * program behaves differently under another kernel's THP and overcommit
 * policy, and a cgroup limit only means something next to the host's RAM.
 */
#include "collect/collect.h"
#include "bundle/vocab.h"

#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

static void collect_uname(struct collection *c)
{
	struct artifact *a = collection_add(c, ART_HOST_UNAME, SOURCE_HOST);
	struct utsname u;
	struct json_object *o;

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
	artifact_add_json(c, a, o);
	json_object_put(o);
}

void collect_host(struct collection *c)
{
	static const struct {
		const char *path, *file;
		int optional;	/* absent on some kernels or configs: skipped, not failed */
	} files[] = {
		{ ART_HOST_OSRELEASE, "/proc/sys/kernel/osrelease", 0 },
		{ ART_HOST_VERSION, "/proc/version", 0 },
		{ ART_HOST_MEMINFO, "/proc/meminfo", 0 },
		{ ART_HOST_THP_ENABLED, "/sys/kernel/mm/transparent_hugepage/enabled", 1 },
		{ ART_HOST_THP_DEFRAG, "/sys/kernel/mm/transparent_hugepage/defrag", 1 },
		{ ART_HOST_OVERCOMMIT, "/proc/sys/vm/overcommit_memory", 0 },
		{ ART_HOST_PRESSURE_MEMORY, "/proc/pressure/memory", 1 },
		{ ART_HOST_THP_MAX_PTES_NONE, "/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none", 1 },
	};
	const char *os_release = "/etc/os-release";
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (collection_interrupted(c))
			return;
		collect_file(c, files[i].path, SOURCE_HOST, files[i].file, files[i].optional);
	}
	if (collection_interrupted(c))
		return;
	collect_uname(c);
	/* os-release(5): /etc/os-release first, /usr/lib/os-release when it is absent */
	if (access(os_release, F_OK) < 0 && errno == ENOENT)
		os_release = "/usr/lib/os-release";
	collect_file(c, ART_HOST_OS_RELEASE, SOURCE_HOST, os_release, 1);
}
