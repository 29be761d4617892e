// Package client is a stand-in for github.com/docker/docker/client,
// written for the triage incident corpus (case 5, seeds/004). Like the real
// one it decodes every answer with encoding/json straight from the
// response body; the transport is an in-process daemon instead of HTTP over
// /var/run/docker.sock.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/daemon"
)

// Client talks to the daemon.
type Client struct {
	version string
	d       *daemon.Daemon
}

// Opt configures a client.
type Opt func(*Client)

// WithDaemon connects the client to an in-process daemon.
func WithDaemon(d *daemon.Daemon) Opt { return func(c *Client) { c.d = d } }

// NewClientWithOpts returns a client.
func NewClientWithOpts(ops ...Opt) (*Client, error) {
	c := &Client{version: "1.40"}
	for _, op := range ops {
		op(c)
	}
	if c.d == nil {
		return nil, fmt.Errorf("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
	}
	return c, nil
}

type serverResponse struct {
	body       io.ReadCloser
	statusCode int
}

func (cli *Client) sendRequest(ctx context.Context, method, path string) (serverResponse, error) {
	if err := ctx.Err(); err != nil {
		return serverResponse{}, err
	}
	body, code, err := cli.d.Serve(method, path)
	return serverResponse{body: body, statusCode: code}, err
}

func ensureReaderClosed(resp serverResponse) {
	if resp.body != nil {
		io.Copy(io.Discard, resp.body)
		resp.body.Close()
	}
}

// ContainerInspect returns the container information.
func (cli *Client) ContainerInspect(ctx context.Context, containerID string) (types.ContainerJSON, error) {
	serverResp, err := cli.sendRequest(ctx, "GET", "/containers/"+containerID+"/json")
	if err != nil {
		return types.ContainerJSON{}, err
	}
	defer ensureReaderClosed(serverResp)

	var response types.ContainerJSON
	err = json.NewDecoder(serverResp.body).Decode(&response)
	return response, err
}

// ContainerExecCreate creates a new exec configuration to run an exec process.
func (cli *Client) ContainerExecCreate(ctx context.Context, container string, cmd []string) (types.IDResponse, error) {
	var response types.IDResponse
	resp, err := cli.sendRequest(ctx, "POST", "/containers/"+container+"/exec")
	if err != nil {
		return response, err
	}
	defer ensureReaderClosed(resp)
	err = json.NewDecoder(resp.body).Decode(&response)
	return response, err
}

// ContainerExecAttach starts the exec and returns its multiplexed output.
func (cli *Client) ContainerExecAttach(ctx context.Context, execID string) (io.Reader, error) {
	resp, err := cli.sendRequest(ctx, "POST", "/exec/"+execID+"/start")
	if err != nil {
		return nil, err
	}
	defer ensureReaderClosed(resp)
	var b bytes.Buffer
	_, err = io.Copy(&b, resp.body)
	return &b, err
}

// ContainerExecInspect returns information about a specific exec process.
func (cli *Client) ContainerExecInspect(ctx context.Context, execID string) (types.ContainerExecInspect, error) {
	var response types.ContainerExecInspect
	resp, err := cli.sendRequest(ctx, "GET", "/exec/"+execID+"/json")
	if err != nil {
		return response, err
	}
	defer ensureReaderClosed(resp)
	err = json.NewDecoder(resp.body).Decode(&response)
	return response, err
}
