/*
 * Unit test of pod identity (core/parse/pod.h) on cgroup paths as the
 * kubelet's two drivers and the runtimes name them. The UIDs and IDs are
 * made up; tests/pod-e2e.sh creates real cgroups with such names.
 */
#include <stdio.h>
#include <stdlib.h>

#include "parse/pod.h"
#include "check.h"

#define UID "0b3a4c5d-1111-2222-3333-444455556666"
#define UID_ "0b3a4c5d_1111_2222_3333_444455556666"
#define CID "f00dfacecafe0123456789abcdef0123456789abcdef0123456789abcdef0123"

static void expect(int line, const char *path, int found, const char *uid, const char *qos,
		   const char *cid, const char *runtime, const char *driver)
{
	struct pod_identity p;
	int r = pod_identity_from_path(path, &p);

	CHECK(r == found, "line %d: '%s' found %d, want %d", line, path, r, found);
	CHECK_STR(p.pod_uid, uid);
	CHECK_STR(p.qos, qos);
	CHECK_STR(p.container_id, cid);
	CHECK_STR(p.runtime, runtime);
	CHECK_STR(p.driver, driver);
	pod_identity_release(&p);
}

#define EXPECT(path, found, uid, qos, cid, rt, drv) expect(__LINE__, path, found, uid, qos, cid, rt, drv)

int main(void)
{
	struct pod_identity p;

	/* cgroupfs driver: containerd and docker leave the bare ID */
	EXPECT("/kubepods/burstable/pod" UID "/" CID, 1, UID, "Burstable", CID, NULL, "cgroupfs");
	EXPECT("/kubepods/besteffort/pod" UID "/" CID, 1, UID, "BestEffort", CID, NULL, "cgroupfs");
	EXPECT("/kubepods/pod" UID "/" CID, 1, UID, "Guaranteed", CID, NULL, "cgroupfs");
	EXPECT("/kubepods/burstable/pod" UID "/crio-" CID, 1, UID, "Burstable", CID, "cri-o", "cgroupfs");
	/* the pod cgroup itself: no container */
	EXPECT("/kubepods/burstable/pod" UID, 1, UID, "Burstable", NULL, NULL, "cgroupfs");
	/* k3s and kind nest kubepods under something */
	EXPECT("/k3s/kubepods/burstable/pod" UID "/" CID, 1, UID, "Burstable", CID, NULL, "cgroupfs");

	/* systemd driver */
	EXPECT("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	       1, UID, "Burstable", CID, "containerd", "systemd");
	EXPECT("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/crio-" CID ".scope",
	       1, UID, "BestEffort", CID, "cri-o", "systemd");
	EXPECT("/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" CID ".scope",
	       1, UID, "Guaranteed", CID, "docker", "systemd");
	EXPECT("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-conmon-" CID ".scope",
	       1, UID, "Burstable", CID, "cri-o (conmon)", "systemd");
	EXPECT("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice",
	       1, UID, "Burstable", NULL, NULL, "systemd");
	/* containerd's own systemd cgroup path form */
	EXPECT("/system.slice/containerd.service/kubepods-burstable-pod" UID_ ".slice:cri-containerd:" CID,
	       1, UID, "Burstable", CID, "containerd", "systemd");

	/* not pods */
	EXPECT("/", 0, NULL, NULL, NULL, NULL, NULL);
	EXPECT("/user.slice/user-1000.slice/session-2.scope", 0, NULL, NULL, NULL, NULL, NULL);
	EXPECT("/system.slice/docker-" CID ".scope", 0, NULL, NULL, NULL, NULL, NULL);
	EXPECT("/kubepods.slice/kubepods-burstable.slice", 0, NULL, NULL, NULL, NULL, NULL);
	EXPECT("/kubepods/burstable/podnot-a-uid!/" CID, 0, NULL, NULL, NULL, NULL, NULL);
	EXPECT("/pod" UID "/" CID, 0, NULL, NULL, NULL, NULL, NULL);	/* no kubepods above it */
	EXPECT("/kubepods/weird/pod" UID, 0, NULL, NULL, NULL, NULL, NULL);
	EXPECT("/kubepods-pod.slice", 0, NULL, NULL, NULL, NULL, NULL);
	EXPECT("", 0, NULL, NULL, NULL, NULL, NULL);

	/* /proc/PID/cgroup: the memory line wins over the others */
	CHECK(pod_identity_from_proc_cgroup("12:cpu,cpuacct:/\n"
					    "4:memory:/kubepods/besteffort/pod" UID "/" CID "\n"
					    "0::/\n", &p) == 1, "proc cgroup v1");
	CHECK_STR(p.qos, "BestEffort");
	pod_identity_release(&p);
	CHECK(pod_identity_from_proc_cgroup("0::/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" CID ".scope\n",
					    &p) == 1, "proc cgroup v2");
	CHECK_STR(p.runtime, "containerd");
	pod_identity_release(&p);
	/* a cgroup namespace hides the path: nothing to say, no error */
	CHECK(pod_identity_from_proc_cgroup("0::/\n", &p) == 0, "namespaced");
	CHECK(pod_identity_from_proc_cgroup("garbage", &p) == 0, "garbage");
	pod_identity_release(&p);

	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
