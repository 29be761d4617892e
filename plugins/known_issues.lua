-- known_issues: memory problems of widely used Go modules that are fixed in
-- a known version, kept as data. A team adds an entry here (or in its own
-- copy of this plugin) after an incident; the libraries/known-issue rule
-- matches entries against the binary's build info and the profiles.
--
-- Fields: id; module (path, or a list of paths: forks and renames);
-- fixed_in (first good version, or nil when unfixed); affected (a note);
-- signatures (function-name substrings; at least one must carry memory in
-- the heap profile, or goroutines in the goroutine profile); where ("heap",
-- "goroutines" or "any"); title; fix; refs.
local issues = {
  {
    id = "etcd-clientv3-watch-streams",
    module = { "github.com/coreos/etcd", "go.etcd.io/etcd" },
    fixed_in = "v3.2.5",
    affected = "clientv3 keyed watcher streams by fmt.Sprintf(\"%v\", ctx); a context with a deadline prints its remaining time, so the key never repeats",
    signatures = { "clientv3.(*watcher).newWatcherGrpcStream", "newWatcherGrpcStream", "clientv3.(*watcher).Watch" },
    where = "heap",
    title = "etcd clientv3 leaks watch streams keyed by a formatted context",
    fix = "upgrade the etcd client past the release that changed the stream key (etcd-io/etcd PR #8347, 2017); until then, do not pass contexts with deadlines to Watch",
    refs = { "https://github.com/etcd-io/etcd/pull/8347", "shared/casebook.md case 3" },
  },
  {
    id = "rancher-steve-list-cache",
    module = { "github.com/rancher/steve" },
    fixed_in = nil,
    affected = "the proxy store keeps list results in an LRU of up to 1000 entries for 30 minutes; each can be hundreds of KB to MB of JSON",
    signatures = { "steve/pkg/stores/proxy" },
    where = "heap",
    title = "rancher steve's list cache holds large JSON list results",
    fix = "turn the list cache off (the agent's environment switch for the steve cache) or bound its size; upgrade steve to a release with a size-bounded cache",
    refs = { "shared/casebook.md case 1" },
  },
  {
    id = "rancher-remotedialer-session-goroutines",
    module = { "github.com/rancher/remotedialer" },
    fixed_in = nil,
    affected = "each short aggregation request started a serveMessage goroutine that never exited",
    signatures = { "remotedialer.(*Session).serveMessage" },
    where = "goroutines",
    title = "remotedialer session goroutines never exit",
    fix = "upgrade rancher/steve and remotedialer to releases where aggregation closes its sessions",
    refs = { "shared/casebook.md case 1" },
  },
  {
    id = "dockershim-json-small-objects",
    module = { "k8s.io/kubernetes", "github.com/docker/docker" },
    fixed_in = nil,
    affected = "kubelet's dockershim decoded container inspect JSON into many small objects (ExecSync / ContainerInspect)",
    signatures = { "dockershim.(*dockerService).ExecSync", "client.(*Client).ContainerInspect" },
    where = "heap",
    title = "kubelet dockershim JSON decoding creates millions of small objects",
    fix = "move off dockershim to containerd (CRI); reduce exec probes; upgrade containerd past 1.4.0 where the vendor reported the problem",
    refs = { "shared/casebook.md case 5" },
  },
  {
    id = "go-time-after-in-loop",
    module = { "std" },
    fixed_in = "go1.23",
    affected = "before Go 1.23 a time.After/NewTimer not stopped stays in the heap until it fires",
    signatures = { "time.NewTimer", "time.After" },
    where = "heap",
    title = "timers from time.After in a loop stay in the heap until they fire",
    fix = "use time.NewTimer and Stop it, or upgrade to Go 1.23 where unreferenced timers are collected",
    refs = { "https://go.dev/doc/go1.23#timer-changes" },
  },
}

return {
  name = "known_issues",
  description = "known memory issues of Go modules, as data (extend it)",
  build = function(b)
    return issues
  end,
}
