// Package stdcopy is a stand-in for github.com/docker/docker/pkg/stdcopy:
// demultiplexing of a container's stdout and stderr from one stream.
package stdcopy

import (
	"encoding/binary"
	"fmt"
	"io"
)

// StdCopy copies frames from src to dstout or dsterr by their stream byte.
func StdCopy(dstout, dsterr io.Writer, src io.Reader) (written int64, err error) {
	var hdr [8]byte
	buf := make([]byte, 32*1024)
	for {
		if _, err := io.ReadFull(src, hdr[:]); err != nil {
			if err == io.EOF {
				return written, nil
			}
			return written, err
		}
		n := int(binary.BigEndian.Uint32(hdr[4:]))
		if n > len(buf) {
			buf = make([]byte, n)
		}
		if _, err := io.ReadFull(src, buf[:n]); err != nil {
			return written, err
		}
		var out io.Writer
		switch hdr[0] {
		case 1:
			out = dstout
		case 2:
			out = dsterr
		default:
			return written, fmt.Errorf("unrecognized input header: %d", hdr[0])
		}
		m, err := out.Write(buf[:n])
		written += int64(m)
		if err != nil {
			return written, err
		}
	}
}

// Frame returns data framed for stream (1 stdout, 2 stderr).
func Frame(stream byte, data []byte) []byte {
	out := make([]byte, 8+len(data))
	out[0] = stream
	binary.BigEndian.PutUint32(out[4:], uint32(len(data)))
	copy(out[8:], data)
	return out
}
