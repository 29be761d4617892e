// Package daemon is a stand-in for dockerd, written for the triage incident
// corpus (case 5, seeds/004). It answers the few API calls dockershim makes
// and, like a daemon on a container runtime that never cleans up finished
// execs (the vendor blamed containerd v1.4.0), it keeps every exec of a
// container and lists all their 64-hex-digit IDs in the container's
// inspect: each inspect is bigger than the last. Its own state is a few
// counters per container; responses are rendered into pooled buffers.
package daemon

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/docker/docker/pkg/stdcopy"
)

type container struct {
	id    string
	name  string
	pod   string
	ns    string
	execs []int64 // serials of every exec ever created in it
}

// Daemon is the fake dockerd.
type Daemon struct {
	ExecOutput []byte // what every exec prints (a health check dumping its status)

	mu         sync.Mutex
	containers map[string]*container
	order      []string
	nextExec   int64
}

var bufPool = sync.Pool{New: func() interface{} { return new(bytes.Buffer) }}

// New starts a daemon with n running containers.
func New(n int) *Daemon {
	d := &Daemon{containers: map[string]*container{}}
	for i := 0; i < n; i++ {
		c := &container{
			id:   hexID(uint64(i), 0x636f6e7461696e),
			name: fmt.Sprintf("k8s_app_game-server-%d-7d9f8b6c5-x%03d_games_%08x-1c2d-4e5f-8a9b-%012x_0", i, i, i*2654435761, i),
			pod:  fmt.Sprintf("game-server-%d-7d9f8b6c5-x%03d", i, i),
			ns:   "games",
		}
		d.containers[c.id] = c
		d.order = append(d.order, c.id)
	}
	return d
}

// Containers lists the container IDs.
func (d *Daemon) Containers() []string { return append([]string(nil), d.order...) }

func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func hexID(a, b uint64) string {
	var sb strings.Builder
	for i := uint64(0); i < 4; i++ {
		fmt.Fprintf(&sb, "%016x", mix(a*4+i+b*0x1000193))
	}
	return sb.String()
}

func writeHexID(w *bytes.Buffer, a, b uint64) {
	var tmp [16]byte
	for i := uint64(0); i < 4; i++ {
		s := strconv.AppendUint(tmp[:0], mix(a*4+i+b*0x1000193), 16)
		for j := len(s); j < 16; j++ {
			w.WriteByte('0')
		}
		w.Write(s)
	}
}

// response is a body from the pool; Close returns it.
type response struct {
	*bytes.Reader
	buf *bytes.Buffer
}

func (r *response) Close() error {
	if r.buf != nil {
		r.buf.Reset()
		bufPool.Put(r.buf)
		r.buf = nil
	}
	return nil
}

func (d *Daemon) lookup(id string) (*container, error) {
	c := d.containers[id]
	if c == nil {
		return nil, fmt.Errorf("Error: No such container: %s", id)
	}
	return c, nil
}

// Serve answers one API call.
func (d *Daemon) Serve(method, path string) (io.ReadCloser, int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	parts := strings.Split(strings.Trim(path, "/"), "/")
	buf := bufPool.Get().(*bytes.Buffer)
	switch {
	case len(parts) == 3 && parts[0] == "containers" && parts[2] == "json":
		c, err := d.lookup(parts[1])
		if err != nil {
			return nil, 404, err
		}
		d.renderInspect(buf, c)
	case len(parts) == 3 && parts[0] == "containers" && parts[2] == "exec":
		c, err := d.lookup(parts[1])
		if err != nil {
			return nil, 404, err
		}
		d.nextExec++
		c.execs = append(c.execs, d.nextExec)
		buf.WriteString(`{"Id":"`)
		writeHexID(buf, uint64(d.nextExec), 0x65786563)
		buf.WriteString(`"}`)
	case len(parts) == 3 && parts[0] == "exec" && parts[2] == "start":
		buf.Write(stdcopy.Frame(1, d.ExecOutput))
	case len(parts) == 3 && parts[0] == "exec" && parts[2] == "json":
		fmt.Fprintf(buf, `{"ID":"%s","Running":true,"ExitCode":0,"Pid":4242}`, parts[1])
	default:
		return nil, 404, fmt.Errorf("page not found: %s %s", method, path)
	}
	return &response{Reader: bytes.NewReader(buf.Bytes()), buf: buf}, 200, nil
}

// serviceEnv is what enableServiceLinks puts in every container of a busy
// namespace: seven variables per service.
var serviceEnv = func() string {
	var sb strings.Builder
	for i := 0; i < 20; i++ {
		svc := fmt.Sprintf("GAME_SHARD_%02d", i)
		ip := fmt.Sprintf("10.100.%d.%d", i/200, 10+i%200)
		fmt.Fprintf(&sb, `"%[1]s_SERVICE_HOST=%[2]s","%[1]s_SERVICE_PORT=7777","%[1]s_PORT=tcp://%[2]s:7777","%[1]s_PORT_7777_TCP=tcp://%[2]s:7777","%[1]s_PORT_7777_TCP_PROTO=tcp","%[1]s_PORT_7777_TCP_PORT=7777","%[1]s_PORT_7777_TCP_ADDR=%[2]s",`, svc, ip)
	}
	return sb.String()
}()

func (d *Daemon) renderInspect(w *bytes.Buffer, c *container) {
	fmt.Fprintf(w, `{"Id":"%s","Created":"2020-12-06T10:21:44.123456789Z","Path":"/usr/local/bin/game-server","Args":["--config","/etc/game/config.yaml","--port","7777","--metrics-port","9090"],`, c.id)
	w.WriteString(`"State":{"Status":"running","Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,"Pid":31337,"ExitCode":0,"Error":"","StartedAt":"2020-12-06T10:21:45.5Z","FinishedAt":"0001-01-01T00:00:00Z"},`)
	fmt.Fprintf(w, `"Image":"sha256:%s","ResolvConfPath":"/var/lib/docker/containers/%s/resolv.conf","HostnamePath":"/var/lib/docker/containers/%s/hostname","HostsPath":"/var/lib/kubelet/pods/%s/etc-hosts","LogPath":"/var/lib/docker/containers/%s/%s-json.log","Name":"/%s","RestartCount":0,"Driver":"overlay2","Platform":"linux","MountLabel":"","ProcessLabel":"","AppArmorProfile":"",`,
		hexID(7, 7), c.id, c.id, c.pod, c.id, c.id, c.name)
	// every exec the runtime never cleaned up
	w.WriteString(`"ExecIDs":[`)
	for i, serial := range c.execs {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteByte('"')
		writeHexID(w, uint64(serial), 0x65786563)
		w.WriteByte('"')
	}
	w.WriteString(`],`)
	fmt.Fprintf(w, `"HostConfig":{"Binds":["/var/lib/kubelet/pods/%[1]s/volumes/kubernetes.io~configmap/config:/etc/game:ro","/var/lib/kubelet/pods/%[1]s/volumes/kubernetes.io~secret/default-token-x7k2p:/var/run/secrets/kubernetes.io/serviceaccount:ro","/var/lib/kubelet/pods/%[1]s/etc-hosts:/etc/hosts","/var/lib/kubelet/pods/%[1]s/containers/app/0a1b2c3d:/dev/termination-log"],`, c.pod)
	w.WriteString(`"NetworkMode":"container:0123456789ab","RestartPolicy":{"Name":"no","MaximumRetryCount":0},"LogConfig":{"Type":"json-file","Config":{"max-file":"5","max-size":"100m"}},"CapAdd":["NET_ADMIN","SYS_PTRACE"],"Dns":["10.100.0.10"],"DnsSearch":["games.svc.cluster.local","svc.cluster.local","cluster.local","cn-north-1.compute.internal"],"SecurityOpt":["seccomp=unconfined"],`)
	fmt.Fprintf(w, `"CgroupParent":"/kubepods/burstable/pod%s","Memory":4294967296,"CpuShares":1024,"CpuQuota":200000,"Sysctls":{"net.core.somaxconn":"4096","net.ipv4.ip_local_port_range":"1024 65535"},`, c.pod)
	w.WriteString(`"MaskedPaths":["/proc/acpi","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware"],"ReadonlyPaths":["/proc/asound","/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]},`)
	fmt.Fprintf(w, `"GraphDriver":{"Name":"overlay2","Data":{"LowerDir":"/var/lib/docker/overlay2/%[1]s-init/diff:/var/lib/docker/overlay2/%[2]s/diff","MergedDir":"/var/lib/docker/overlay2/%[1]s/merged","UpperDir":"/var/lib/docker/overlay2/%[1]s/diff","WorkDir":"/var/lib/docker/overlay2/%[1]s/work"}},`, c.id, hexID(9, 9))
	fmt.Fprintf(w, `"Mounts":[{"Type":"bind","Source":"/var/lib/kubelet/pods/%[1]s/volumes/kubernetes.io~configmap/config","Destination":"/etc/game","Mode":"ro","RW":false,"Propagation":"rprivate"},{"Type":"bind","Source":"/var/lib/kubelet/pods/%[1]s/volumes/kubernetes.io~secret/default-token-x7k2p","Destination":"/var/run/secrets/kubernetes.io/serviceaccount","Mode":"ro","RW":false,"Propagation":"rprivate"},{"Type":"bind","Source":"/var/lib/kubelet/pods/%[1]s/etc-hosts","Destination":"/etc/hosts","Mode":"","RW":true,"Propagation":"rprivate"}],`, c.pod)
	fmt.Fprintf(w, `"Config":{"Hostname":"%s","User":"1000","Env":[`+serviceEnv+`"GAME_MODE=battle","REGION=cn-north-1","KUBERNETES_SERVICE_HOST=10.100.0.1","KUBERNETES_SERVICE_PORT=443","KUBERNETES_PORT=tcp://10.100.0.1:443","KUBERNETES_PORT_443_TCP_ADDR=10.100.0.1","MATCHMAKER_URL=http://matchmaker.games.svc:8080","REDIS_ADDR=redis.games.svc:6379","LOG_LEVEL=info","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],`, c.pod)
	w.WriteString(`"Cmd":null,"Image":"registry.example.com/games/game-server@sha256:4f1e3b7a","WorkingDir":"/srv","Entrypoint":["/usr/local/bin/game-server"],`)
	fmt.Fprintf(w, `"Labels":{"annotation.io.kubernetes.container.hash":"8e1f2c3a","annotation.io.kubernetes.container.restartCount":"0","annotation.io.kubernetes.container.terminationMessagePath":"/dev/termination-log","annotation.io.kubernetes.container.terminationMessagePolicy":"File","annotation.io.kubernetes.pod.terminationGracePeriod":"30","io.kubernetes.container.logpath":"/var/log/pods/games_%[1]s/app/0.log","io.kubernetes.container.name":"app","io.kubernetes.docker.type":"container","io.kubernetes.pod.name":"%[1]s","io.kubernetes.pod.namespace":"games","io.kubernetes.pod.uid":"%[2]s","io.kubernetes.sandbox.id":"%[3]s"}},`, c.pod, hexID(3, 3)[:36], hexID(5, 5))
	fmt.Fprintf(w, `"NetworkSettings":{"Bridge":"","SandboxID":"%s","SandboxKey":"","Ports":{},"Networks":{}}}`, hexID(5, 5))
}
