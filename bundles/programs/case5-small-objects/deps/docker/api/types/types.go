// Package types is a stand-in for github.com/docker/docker/api/types,
// written for the triage incident corpus (case 5, seeds/004): the shape of
// a container inspect, which decodes into many small objects.
package types

// ContainerState is the container's state.
type ContainerState struct {
	Status     string
	Running    bool
	Paused     bool
	Restarting bool
	OOMKilled  bool
	Dead       bool
	Pid        int
	ExitCode   int
	Error      string
	StartedAt  string
	FinishedAt string
	Health     *Health `json:",omitempty"`
}

// Health is the healthcheck state.
type Health struct {
	Status        string
	FailingStreak int
	Log           []*HealthcheckResult
}

// HealthcheckResult is one probe run.
type HealthcheckResult struct {
	Start    string
	End      string
	ExitCode int
	Output   string
}

// MountPoint is a mount in the container.
type MountPoint struct {
	Type        string `json:",omitempty"`
	Name        string `json:",omitempty"`
	Source      string
	Destination string
	Driver      string `json:",omitempty"`
	Mode        string
	RW          bool
	Propagation string
}

// GraphDriverData is the storage driver's data.
type GraphDriverData struct {
	Name string
	Data map[string]string
}

// LogConfig is the log driver's configuration.
type LogConfig struct {
	Type   string
	Config map[string]string
}

// HostConfig is the host-dependent configuration.
type HostConfig struct {
	Binds         []string
	NetworkMode   string
	RestartPolicy map[string]interface{}
	LogConfig     LogConfig
	CapAdd        []string
	DNS           []string `json:"Dns"`
	DNSSearch     []string `json:"DnsSearch"`
	SecurityOpt   []string
	CgroupParent  string
	Memory        int64
	CPUShares     int64 `json:"CpuShares"`
	CPUQuota      int64 `json:"CpuQuota"`
	Sysctls       map[string]string
	MaskedPaths   []string
	ReadonlyPaths []string
}

// Config is the portable container configuration.
type Config struct {
	Hostname     string
	User         string
	ExposedPorts map[string]struct{} `json:",omitempty"`
	Env          []string
	Cmd          []string
	Healthcheck  map[string]interface{} `json:",omitempty"`
	Image        string
	WorkingDir   string
	Entrypoint   []string
	Labels       map[string]string
	StopSignal   string `json:",omitempty"`
}

// PortBinding is a host port.
type PortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}

// EndpointSettings is one network attachment.
type EndpointSettings struct {
	NetworkID   string
	EndpointID  string
	Gateway     string
	IPAddress   string
	IPPrefixLen int
	MacAddress  string
	Aliases     []string
}

// NetworkSettings is the container's networking.
type NetworkSettings struct {
	Bridge     string
	SandboxID  string
	SandboxKey string
	Ports      map[string][]PortBinding
	Networks   map[string]*EndpointSettings
}

// ContainerJSON is what ContainerInspect returns.
type ContainerJSON struct {
	ID              string `json:"Id"`
	Created         string
	Path            string
	Args            []string
	State           *ContainerState
	Image           string
	ResolvConfPath  string
	HostnamePath    string
	HostsPath       string
	LogPath         string
	Name            string
	RestartCount    int
	Driver          string
	Platform        string
	MountLabel      string
	ProcessLabel    string
	AppArmorProfile string
	ExecIDs         []string
	HostConfig      *HostConfig
	GraphDriver     GraphDriverData
	Mounts          []MountPoint
	Config          *Config
	NetworkSettings *NetworkSettings
}

// ContainerExecInspect is what ContainerExecInspect returns.
type ContainerExecInspect struct {
	ExecID      string
	ContainerID string
	Running     bool
	ExitCode    int
	Pid         int
}

// IDResponse is the answer to a create.
type IDResponse struct {
	ID string `json:"Id"`
}
