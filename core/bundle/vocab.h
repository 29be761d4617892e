#ifndef TRIAGE_VOCAB_H
#define TRIAGE_VOCAB_H

/*
 * The words a bundle is made of (docs/bundle-format.md): every artifact
 * path, the profile kinds, the sources, the statuses and the manifest's
 * keys. The writer (core/collect/) and the readers (core/bundle/, the Lua
 * facts, top, show) spell them from here, so a reader cannot drift from
 * what the writer stores and a rename is one edit.
 */

/* ---- the format ---------------------------------------------------------- */

#define BUNDLE_FORMAT "triage.bundle"
#define BUNDLE_FORMAT_MAJOR 1
#define BUNDLE_FORMAT_MINOR 0

/* Always the first entry. */
#define ART_MANIFEST "manifest.json"

/*
 * Samples over time: "samples/NNN/" then the path of a cheap artifact
 * ("samples/002/proc/status"). NNN is 3 digits or more, from 001.
 */
#define ART_SAMPLES_DIR "samples/"
#define ART_SAMPLE_PREFIX_FMT "samples/%03ld/"

/* ---- artifacts, by source ------------------------------------------------ */

/* pprof: profiles exactly as served, under their kind's name */
#define ART_PROFILES_DIR "profiles/"
#define ART_PROFILE_FMT "profiles/%s.pb.gz"	/* takes a PROFILE_KINDS name */
#define ART_PROFILE_HEAP "profiles/heap.pb.gz"
#define ART_PROFILE_ALLOCS "profiles/allocs.pb.gz"
#define ART_PROFILE_GOROUTINE "profiles/goroutine.pb.gz"
#define ART_PROFILE_CPU "profiles/cpu.pb.gz"
#define ART_PROFILE_MUTEX "profiles/mutex.pb.gz"
#define ART_PROFILE_BLOCK "profiles/block.pb.gz"
#define ART_PROFILE_THREADCREATE "profiles/threadcreate.pb.gz"
/* pprof: text dumps, MemStats, expvar and how the endpoint was found */
#define ART_GOROUTINE_DEBUG2 "profiles/goroutine-debug2.txt"
#define ART_HEAP_DEBUG1 "profiles/heap-debug1.txt"
/* goroutines read from the target's memory (core/parse/census.h), in the debug=2 text format */
#define ART_GOROUTINE_CENSUS "runtime/goroutine-census.txt"
#define ART_MEMSTATS "runtime/memstats.json"
#define ART_EXPVAR "runtime/expvar.json"
#define ART_PPROF_ENDPOINT "pprof/endpoint.json"

/* proc: copies of /proc/PID/<name> under ART_PROC_DIR "<name>" */
#define ART_PROC_DIR "proc/"
#define ART_PROC_STATUS "proc/status"
#define ART_PROC_SMAPS_ROLLUP "proc/smaps_rollup"
#define ART_PROC_MAPS "proc/maps"
#define ART_PROC_LIMITS "proc/limits"
#define ART_PROC_CGROUP "proc/cgroup"
#define ART_PROC_MOUNTINFO "proc/mountinfo"
#define ART_PROC_OOM_SCORE "proc/oom_score"
#define ART_PROC_OOM_SCORE_ADJ "proc/oom_score_adj"
#define ART_PROC_STAT "proc/stat"
#define ART_PROC_IO "proc/io"
#define ART_PROC_CMDLINE "proc/cmdline"	/* redacted */
#define ART_PROC_ENVIRON "proc/environ"	/* the Go runtime's variables only */
#define ART_PROC_SMAPS "proc/smaps"	/* per mapping, capped at SMAPS_ARTIFACT_CAP */
#define SMAPS_ARTIFACT_CAP (64u << 20)

/* cgroup: the memory controller's files under ART_CGROUP_DIR "<name>" */
#define ART_CGROUP_DIR "cgroup/"
#define ART_CGROUP_INFO "cgroup/info.json"
#define ART_CGROUP_MEMORY_STAT "cgroup/memory.stat"
#define ART_CGROUP_PROCS "cgroup/cgroup.procs"
#define ART_CGROUP_TASKS "cgroup/tasks"		/* old v1 kernels, instead of cgroup.procs */
/* v2 */
#define ART_CGROUP_MEMORY_CURRENT "cgroup/memory.current"
#define ART_CGROUP_MEMORY_MAX "cgroup/memory.max"
#define ART_CGROUP_MEMORY_HIGH "cgroup/memory.high"
#define ART_CGROUP_MEMORY_LOW "cgroup/memory.low"
#define ART_CGROUP_MEMORY_MIN "cgroup/memory.min"
#define ART_CGROUP_MEMORY_EVENTS "cgroup/memory.events"
#define ART_CGROUP_MEMORY_SWAP_CURRENT "cgroup/memory.swap.current"
#define ART_CGROUP_MEMORY_SWAP_MAX "cgroup/memory.swap.max"
#define ART_CGROUP_MEMORY_PRESSURE "cgroup/memory.pressure"
/* v1 */
#define ART_CGROUP_MEMORY_USAGE "cgroup/memory.usage_in_bytes"
#define ART_CGROUP_MEMORY_LIMIT "cgroup/memory.limit_in_bytes"
#define ART_CGROUP_MEMORY_MAX_USAGE "cgroup/memory.max_usage_in_bytes"
#define ART_CGROUP_MEMORY_FAILCNT "cgroup/memory.failcnt"
#define ART_CGROUP_MEMORY_OOM_CONTROL "cgroup/memory.oom_control"
#define ART_CGROUP_MEMORY_SOFT_LIMIT "cgroup/memory.soft_limit_in_bytes"
#define ART_CGROUP_MEMSW_USAGE "cgroup/memory.memsw.usage_in_bytes"

/* host */
#define ART_HOST_OSRELEASE "host/osrelease"
#define ART_HOST_VERSION "host/version"
#define ART_HOST_UNAME "host/uname.json"
#define ART_HOST_MEMINFO "host/meminfo"
#define ART_HOST_OS_RELEASE "host/os-release"
#define ART_HOST_THP_ENABLED "host/thp-enabled"
#define ART_HOST_THP_DEFRAG "host/thp-defrag"
#define ART_HOST_OVERCOMMIT "host/overcommit_memory"
#define ART_HOST_PRESSURE_MEMORY "host/pressure-memory"
#define ART_HOST_THP_MAX_PTES_NONE "host/thp-khugepaged-max_ptes_none"

/* buildinfo */
#define ART_BUILDINFO_TEXT "buildinfo/go-version-m.txt"
#define ART_BUILDINFO_JSON "buildinfo/buildinfo.json"

/* ---- profile kinds ------------------------------------------------------- */

/*
 * X(name, endpoint, path) for each profile a bundle can hold: the name
 * readers take (top --profile, facts.profiles.<name>), the endpoint under
 * /debug/pprof/ (cpu's takes the seconds appended), and the artifact. In
 * the order readers list them. Expand with a macro of your own:
 *
 *	#define KIND_NAME(name, endpoint, path) name,
 *	static const char *const kinds[] = { PROFILE_KINDS(KIND_NAME) };
 */
#define PROFILE_KINDS(X) \
	X("heap", PPROF_EP_HEAP, ART_PROFILE_HEAP) \
	X("allocs", PPROF_EP_ALLOCS, ART_PROFILE_ALLOCS) \
	X("goroutine", PPROF_EP_GOROUTINE, ART_PROFILE_GOROUTINE) \
	X("cpu", PPROF_EP_CPU, ART_PROFILE_CPU) \
	X("mutex", PPROF_EP_MUTEX, ART_PROFILE_MUTEX) \
	X("block", PPROF_EP_BLOCK, ART_PROFILE_BLOCK) \
	X("threadcreate", PPROF_EP_THREADCREATE, ART_PROFILE_THREADCREATE)

/* go tool pprof's name for the CPU profile; top takes it for "cpu" */
#define PROFILE_KIND_CPU_ALIAS "profile"

/* Where net/http/pprof serves, from the server root. */
#define PPROF_BASE_PATH "/debug/pprof/"
/* Endpoints, relative to the pprof base URL (".../debug/pprof/"). */
#define PPROF_EP_HEAP "heap"
#define PPROF_EP_ALLOCS "allocs"
#define PPROF_EP_GOROUTINE "goroutine"
#define PPROF_EP_CPU "profile?seconds="
#define PPROF_EP_MUTEX "mutex"
#define PPROF_EP_BLOCK "block"
#define PPROF_EP_THREADCREATE "threadcreate"
#define PPROF_EP_GOROUTINE_DEBUG2 "goroutine?debug=2"
#define PPROF_EP_HEAP_DEBUG1 "heap?debug=1"
/* appended to PPROF_EP_HEAP with collect --gc-heap: a GC first, then the profile */
#define PPROF_QUERY_GC "?gc=1"
/* expvar, at the server root beside /debug/pprof/ */
#define PPROF_EP_EXPVAR "/debug/vars"

/* ---- sources and statuses ------------------------------------------------ */

#define SOURCE_PROC "proc"
#define SOURCE_CGROUP "cgroup"
#define SOURCE_HOST "host"
#define SOURCE_PPROF "pprof"
#define SOURCE_BUILDINFO "buildinfo"
#define SOURCE_CENSUS "census"

#define STATUS_OK "ok"
#define STATUS_ERROR "error"
#define STATUS_SKIPPED "skipped"
#define STATUS_DERIVED "derived"	/* a view of another artifact, no member of its own */

/* ---- manifest.json keys -------------------------------------------------- */

#define MF_FORMAT "format"
#define MF_FORMAT_VERSION "format_version"
#define MF_TRIAGE_VERSION "triage_version"
#define MF_TARGET "target"
#define MF_HOST "host"
#define MF_COLLECTION "collection"
#define MF_ARTIFACTS "artifacts"

/* in "target" */
#define MF_TARGET_PID "pid"
#define MF_TARGET_EXE "exe"
#define MF_TARGET_GO_VERSION "go_version"
#define MF_TARGET_MAIN_MODULE "main_module"
#define MF_TARGET_PPROF_URL "pprof_url"
#define MF_TARGET_BUILD_ID "build_id"	/* the binary's Go build ID, when read */
#define MF_TARGET_POD "pod"		/* object, only when the cgroup is a Kubernetes pod's */

/* in "target"."pod" (core/parse/pod.h): from the cgroup path, no API call */
#define MF_POD_UID "uid"
#define MF_POD_QOS "qos_class"		/* Guaranteed, Burstable, BestEffort */
#define MF_POD_CONTAINER_ID "container_id"	/* absent when in the pod cgroup itself */
#define MF_POD_RUNTIME "runtime"	/* containerd, cri-o, docker; absent when unnamed */
#define MF_POD_CGROUP_DRIVER "cgroup_driver"	/* cgroupfs or systemd */

/* in "host" */
#define MF_HOST_HOSTNAME "hostname"
#define MF_HOST_KERNEL "kernel"
#define MF_HOST_MACHINE "machine"

/* in "collection" */
#define MF_COLL_START "start"
#define MF_COLL_END "end"
#define MF_COLL_DURATION_MS "duration_ms"
#define MF_COLL_MODE "mode"
#define MF_COLL_CPU_SECONDS "cpu_seconds"
#define MF_COLL_SAMPLES "samples"
#define MF_COLL_INTERVAL_SECONDS "interval_seconds"
#define MF_COLL_INTERRUPTED "interrupted"
#define MF_COLL_GC_HEAP "gc_heap"	/* true: heap profiles were taken after a forced GC */
/* seconds the CPU profile really covered: shorter than asked when the deadline cut it, 0 when skipped */
#define MF_COLL_CPU_SECONDS_PROFILED "cpu_seconds_profiled"
/* the target's cgroup near its limit: {"percent": P, "threshold": T, "forced": bool} */
#define MF_COLL_NEAR_LIMIT "near_limit"

/* in each of "artifacts" */
#define MF_ART_PATH "path"
#define MF_ART_SOURCE "source"
#define MF_ART_STATUS "status"		/* STATUS_OK, STATUS_ERROR, STATUS_SKIPPED */
#define MF_ART_ERROR "error"
#define MF_ART_BYTES "bytes"
#define MF_ART_SHA256 "sha256"
#define MF_ART_START "start"
#define MF_ART_DURATION_MS "duration_ms"
#define MF_ART_TRUNCATED "truncated"
#define MF_ART_DERIVED_FROM "derived_from"
#define MF_ART_SAMPLE_TYPE "sample_type"
/* what an artifact kept when it kept less than was served ("the MemStats trailer only") */
#define MF_ART_NOTE "note"

#endif
