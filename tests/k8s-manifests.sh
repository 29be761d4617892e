#!/usr/bin/env bash
# The Kubernetes manifests of docs/k8s/ parse as YAML (python3-yaml), each
# document has apiVersion, kind and metadata.name, docs/kubernetes.md links
# every file, and each pod template meets the Pod Security level the docs
# claim for it: the node agent and node debug pod need privileged (hostPID,
# hostPath, SYS_PTRACE) but no more than their documented capabilities; the
# fleet Job and the app pod pass restricted. Where kubectl can dry-run
# (it needs an API server for the resource types), each is validated too.
set -u
: "${SRCDIR:?}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
python3 -c 'import yaml' 2>/dev/null || { echo "skip: no python3-yaml (apt-get install python3-yaml)"; exit 77; }

python3 - "$SRCDIR/docs/k8s" "$SRCDIR/docs/kubernetes.md" <<'PY' || exit 1
import glob, os, sys, yaml

kdir, doc = sys.argv[1], open(sys.argv[2]).read()
BASELINE_CAPS = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                 "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
AGENT_CAPS = {"SYS_PTRACE", "SYS_ADMIN", "DAC_READ_SEARCH"}
failures = []

def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)

def pod_spec(d):
    k = d["kind"]
    if k == "Pod":
        return d["spec"]
    if k in ("DaemonSet", "Deployment", "StatefulSet", "Job"):
        return d["spec"]["template"]["spec"]
    return None

def level(spec):
    """The strictest Pod Security level the pod spec meets (a subset of the rules)."""
    containers = spec.get("containers", []) + spec.get("initContainers", []) + spec.get("ephemeralContainers", [])
    baseline = not any(spec.get(h) for h in ("hostPID", "hostNetwork", "hostIPC"))
    baseline &= not any("hostPath" in v for v in spec.get("volumes", []))
    psc = spec.get("securityContext", {})
    restricted = baseline
    for c in containers:
        sc = c.get("securityContext", {})
        caps = sc.get("capabilities", {})
        add = set(caps.get("add", []))
        if sc.get("privileged") or not add <= BASELINE_CAPS:
            baseline = restricted = False
        if add - {"NET_BIND_SERVICE"} or "ALL" not in caps.get("drop", []):
            restricted = False
        if sc.get("allowPrivilegeEscalation") is not False:
            restricted = False
        if not (sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True):
            restricted = False
        if sc.get("runAsUser", psc.get("runAsUser")) == 0:
            restricted = False
        seccomp = sc.get("seccompProfile", psc.get("seccompProfile", {})).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            restricted = False
    return "restricted" if restricted else "baseline" if baseline else "privileged"

want_level = {"daemonset-watch.yaml": "privileged", "node-debug-pod.yaml": "privileged",
              "job-fleet.yaml": "restricted", "debug-target-pod.yaml": "restricted"}
files = sorted(glob.glob(os.path.join(kdir, "*.yaml")))
if len(files) < 5:
    fail("expected at least 5 manifests, found %d" % len(files))
for f in files:
    name = os.path.basename(f)
    if "k8s/" + name not in doc:
        fail("docs/kubernetes.md does not link k8s/" + name)
    try:
        docs = [d for d in yaml.safe_load_all(open(f)) if d is not None]
    except yaml.YAMLError as e:
        fail("%s: %s" % (name, e))
        continue
    for d in docs:
        for key in ("apiVersion", "kind"):
            if key not in d:
                fail("%s: a document without %s" % (name, key))
        if not d.get("metadata", {}).get("name"):
            fail("%s: %s without metadata.name" % (name, d.get("kind")))
        spec = pod_spec(d)
        if spec is None:
            print("ok   %s: %s %s" % (name, d.get("kind"), d.get("metadata", {}).get("name")))
            continue
        got = level(spec)
        if name in want_level and got != want_level[name]:
            fail("%s: %s is Pod Security %s, the docs say %s" % (name, d["kind"], got, want_level[name]))
        for c in spec.get("containers", []):
            add = set(c.get("securityContext", {}).get("capabilities", {}).get("add", []))
            if not add <= AGENT_CAPS:
                fail("%s: container %s adds %s beyond the documented %s" % (name, c["name"], add, AGENT_CAPS))
            if c.get("securityContext", {}).get("privileged"):
                fail("%s: container %s is privileged" % (name, c["name"]))
        if d["kind"] == "DaemonSet":
            if not spec.get("hostPID"):
                fail("daemonset: no hostPID")
            for c in spec["containers"]:
                for m in c.get("volumeMounts", []):
                    if m["mountPath"] in ("/sys/fs/cgroup", "/host/proc") and not m.get("readOnly"):
                        fail("daemonset: %s is not read-only" % m["mountPath"])
        print("ok   %s: %s %s, Pod Security %s" % (name, d["kind"], d["metadata"]["name"], got))
sys.exit(1 if failures else 0)
PY
status=$?

# kubectl's client dry run still asks an API server for the resource
# types; without one (as here and in CI) it cannot say anything
if command -v kubectl >/dev/null &&
	kubectl create --dry-run=client -o name -f "$SRCDIR/docs/k8s/job-fleet.yaml" >/dev/null 2>&1; then
	for f in "$SRCDIR"/docs/k8s/*.yaml; do
		kubectl create --dry-run=client -o name -f "$f" >/dev/null 2>&1 ||
			{ echo "FAIL: kubectl --dry-run=client $f"; status=1; }
	done
else
	echo "note: kubectl --dry-run=client unusable here (no kubectl, or no API server to ask); checked with python3-yaml only"
fi
[ $status = 0 ] && echo "k8s-manifests: all passed"
exit $status
