/*
 * libFuzzer harness: the /proc and cgroup text parsers, all of them on
 * every input (so seeds are plain files from bundles): key-value files
 * (status, smaps_rollup: "Key: 1 kB"; memory.stat: "key 1"), maps and
 * smaps, the cgroup memory set (v1 and v2; the input split at NUL bytes
 * into memory.stat, usage, limit, high, events, failcnt, max_usage), the
 * kernel release.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "parse/cgroupmem.h"
#include "parse/kernel.h"
#include "parse/kvfile.h"
#include "parse/mapsfile.h"
#include "parse/pod.h"
#include "parse/smaps.h"
#include "watch/watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	const char *text = (const char *)data;
	size_t len = size;
	struct kvtable t;
	struct maps_summary ms;
	struct kernel_version k;
	struct cgroup_mem_input in;
	struct cgroup_mem c;
	const char *field[7] = { NULL };
	int64_t v;
	const char *s;
	char *copy, *p;
	size_t i;
	int fmt, version;

	/* NUL-terminated copy: the cgroup and kernel inputs are C strings */
	copy = malloc(len + 1);
	if (!copy)
		abort();
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (fmt = 0; fmt < 2; fmt++) {
		kvtable_init(&t);
		if (kvfile_parse(&t, text, len, fmt ? KV_SPACE : KV_COLON, "fuzz", &err) == 0) {
			kv_get(&t, "VmRSS", &v);
			kv_get(&t, "anon", &v);
			kv_get_str(&t, "Name", &s);
		}
		kvtable_release(&t);
	}
	maps_summary_init(&ms);
	mapsfile_parse(&ms, text, len, "/app/server", &err);
	{
		/* /proc/PID/smaps, a cgroup path or /proc/PID/cgroup (pods), a kernel log line */
		struct smaps sm;
		struct pod_identity pod;
		struct watch_victim victim;

		smaps_init(&sm);
		smaps_parse(&sm, text, len, &err);
		smaps_release(&sm);
		pod_identity_init(&pod);
		pod_identity_from_path(copy, &pod);
		pod_identity_release(&pod);
		pod_identity_init(&pod);
		pod_identity_from_proc_cgroup(copy, &pod);
		pod_identity_release(&pod);
		watch_kmsg_parse(copy, &victim);
	}
	if (kernel_parse(copy, &k, &err) == 0)
		kernel_at_least(&k, 4, 5);
	/* fields split at NUL; a missing one is NULL, as a missing file is */
	for (i = 0, p = copy; i < 7 && p <= copy + len; i++) {
		field[i] = p;
		p += strlen(p) + 1;
	}
	for (version = 1; version <= 2; version++) {
		memset(&in, 0, sizeof(in));
		in.version = version;
		in.stat = field[0];
		in.usage = field[1];
		in.limit = field[2];
		in.high = field[3];
		in.events = field[4];
		in.failcnt = field[5];
		in.max_usage = field[6];
		cgroup_mem_init(&c);
		cgroupmem_parse(&in, &c, &err);
		cgroup_mem_release(&c);
	}
	free(copy);
	strbuf_release(&err);
	return 0;
}
