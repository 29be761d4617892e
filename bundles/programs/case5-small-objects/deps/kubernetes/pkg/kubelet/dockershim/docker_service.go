// Package dockershim is a stand-in for k8s.io/kubernetes/pkg/kubelet/dockershim
// as of v1.19, written for the triage incident corpus (case 5, seeds/004).
// ExecSync (exec probes) inspects the container with the docker client,
// which decodes the daemon's JSON into a types.ContainerJSON: tens of small
// strings, slices and maps, plus one 64-byte string per exec ID the daemon
// lists. The exec handler keeps every exec, with the container inspect it
// ran against, until the daemon reports the exec finished; a runtime that
// never reports that (the vendor blamed containerd v1.4.0) makes the
// records, and millions of small objects, pile up.
//
// What held the objects in the real kubelet was never found (the write-up
// stops at the allocation sites); the exec records here are this corpus's
// way to keep them, chosen so the allocation sites match the write-up.
package dockershim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
)

// ExecSyncRequest is the CRI request.
type ExecSyncRequest struct {
	ContainerId string
	Cmd         []string
	Timeout     int64
}

// ExecSyncResponse is the CRI response.
type ExecSyncResponse struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int32
}

type dockerService struct {
	client           *client.Client
	streamingRuntime *streamingRuntime
}

// DockerService is the CRI runtime service.
type DockerService interface {
	ExecSync(ctx context.Context, req *ExecSyncRequest) (*ExecSyncResponse, error)
	TrackedExecs() int
}

// NewDockerService returns the dockershim service.
func NewDockerService(c *client.Client) DockerService {
	h := &NativeExecHandler{execs: map[string]*execRecord{}}
	go h.reap(c, 5*time.Second)
	return &dockerService{client: c, streamingRuntime: &streamingRuntime{client: c, execHandler: h}}
}

// ExecSync executes a command in the container, and returns the stdout output.
func (ds *dockerService) ExecSync(ctx context.Context, req *ExecSyncRequest) (*ExecSyncResponse, error) {
	timeout := time.Duration(req.Timeout) * time.Second
	var stdoutBuffer, stderrBuffer bytes.Buffer
	err := ds.streamingRuntime.exec(ctx, req.ContainerId, req.Cmd, &stdoutBuffer, &stderrBuffer, timeout)
	if err != nil {
		return nil, err
	}
	return &ExecSyncResponse{Stdout: stdoutBuffer.Bytes(), Stderr: stderrBuffer.Bytes()}, nil
}

func (ds *dockerService) TrackedExecs() int { return ds.streamingRuntime.execHandler.tracked() }

type streamingRuntime struct {
	client      *client.Client
	execHandler *NativeExecHandler
}

// Internal version of Exec to allow timeout enforcement.
func (r *streamingRuntime) exec(ctx context.Context, containerID string, cmd []string, stdout, stderr io.Writer, timeout time.Duration) error {
	container, err := checkContainerStatus(ctx, r.client, containerID)
	if err != nil {
		return err
	}
	return r.execHandler.ExecInContainer(ctx, r.client, container, cmd, stdout, stderr, timeout)
}

func checkContainerStatus(ctx context.Context, c *client.Client, containerID string) (*types.ContainerJSON, error) {
	container, err := c.ContainerInspect(ctx, containerID)
	if err != nil {
		return nil, err
	}
	if !container.State.Running {
		return nil, fmt.Errorf("container not running (%s)", container.ID)
	}
	return &container, nil
}

type execRecord struct {
	container *types.ContainerJSON
	started   time.Time
}

// NativeExecHandler executes commands in Docker containers using Docker's exec API.
type NativeExecHandler struct {
	mu    sync.Mutex
	execs map[string]*execRecord
}

// ExecInContainer runs cmd and copies its output.
func (h *NativeExecHandler) ExecInContainer(ctx context.Context, c *client.Client, container *types.ContainerJSON, cmd []string, stdout, stderr io.Writer, timeout time.Duration) error {
	execObj, err := c.ContainerExecCreate(ctx, container.ID, cmd)
	if err != nil {
		return fmt.Errorf("failed to exec in container - Exec setup failed - %v", err)
	}
	h.mu.Lock()
	h.execs[execObj.ID] = &execRecord{container: container, started: time.Now()}
	h.mu.Unlock()
	out, err := c.ContainerExecAttach(ctx, execObj.ID)
	if err != nil {
		return err
	}
	_, err = stdcopy.StdCopy(stdout, stderr, out)
	return err
}

// reap forgets the execs the daemon reports finished.
func (h *NativeExecHandler) reap(c *client.Client, every time.Duration) {
	for range time.Tick(every) {
		h.mu.Lock()
		ids := make([]string, 0, len(h.execs))
		for id := range h.execs {
			ids = append(ids, id)
		}
		h.mu.Unlock()
		for _, id := range ids {
			st, err := c.ContainerExecInspect(context.Background(), id)
			if err != nil || st.Running {
				continue // still running, as far as the runtime says
			}
			h.mu.Lock()
			delete(h.execs, id)
			h.mu.Unlock()
		}
	}
}

func (h *NativeExecHandler) tracked() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.execs)
}
