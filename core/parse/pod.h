#ifndef TRIAGE_POD_H
#define TRIAGE_POD_H

/*
 * Which Kubernetes pod and container a cgroup belongs to, read from the
 * cgroup path alone (the kubelet names the cgroups, so no API call is
 * needed and it works on a node without credentials). The kubelet's two
 * cgroup drivers and the common runtimes name them so:
 *
 *   cgroupfs  /kubepods/burstable/pod<uid>/<container id>
 *             /kubepods/pod<uid>/<id>                 (Guaranteed)
 *             /kubepods/besteffort/pod<uid>/crio-<id> (CRI-O)
 *   systemd   /kubepods.slice/kubepods-burstable.slice/
 *               kubepods-burstable-pod<uid_with_underscores>.slice/
 *               cri-containerd-<id>.scope | crio-<id>.scope | docker-<id>.scope
 *             /kubepods.slice/kubepods-pod<uid>.slice/...   (Guaranteed)
 *   containerd's own systemd form: ".../kubepods-...-pod<uid>.slice:cri-containerd:<id>"
 *
 * Anything may come before "kubepods" (k3s nests it, kind puts it under a
 * node's container), so the parser looks for the pod component anywhere.
 */
struct pod_identity {
	char *pod_uid;		/* with dashes, as the API shows it */
	char *qos;		/* "Guaranteed", "Burstable", "BestEffort" (the API's spelling) */
	char *container_id;	/* NULL when the process sits in the pod cgroup itself */
	char *runtime;		/* "containerd", "cri-o", "docker"; NULL when the name does not say */
	char *driver;		/* "cgroupfs" or "systemd" */
};

void pod_identity_init(struct pod_identity *p);
void pod_identity_release(struct pod_identity *p);

/*
 * Fills p from one cgroup path ("/kubepods/..."). 1 when the path is a
 * pod's, 0 when it is not (p stays empty): not being in a pod is no error.
 */
int pod_identity_from_path(const char *path, struct pod_identity *p);

/*
 * The same over the text of /proc/PID/cgroup: the memory controller's line
 * first, then "0::", then any line. 1 when found, 0 when none is a pod's.
 */
int pod_identity_from_proc_cgroup(const char *text, struct pod_identity *p);

#endif
