// Package render is a stand-in for the image/PDF/QR generation of the
// services in triage's incident case 4 (seeds/003): every job reads a few
// large assets (fonts, templates) from disk, writes its output file, reads
// it back to upload it, and old outputs are pruned later. All I/O goes
// through small pooled buffers, so the Go heap stays small; the files'
// pages stay in the page cache and are charged to the memory cgroup, and
// assets read again and again sit on the active list.
package render

import (
	"fmt"
	"hash/crc32"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
)

var bufPool = sync.Pool{New: func() interface{} { b := make([]byte, 256<<10); return &b }}

// Renderer renders jobs in Dir.
type Renderer struct {
	Dir     string
	Assets  []string
	Keep    int // outputs kept on disk
	outputs []string
	rnd     *rand.Rand
	n       int
}

// New creates assetsMB of asset files in dir.
func New(dir string, assetsMB, keep int) (*Renderer, error) {
	r := &Renderer{Dir: dir, Keep: keep, rnd: rand.New(rand.NewSource(1))}
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "out"), 0o755); err != nil {
		return nil, err
	}
	const assetMB = 4
	for i := 0; i < assetsMB/assetMB; i++ {
		name := filepath.Join(dir, "assets", fmt.Sprintf("font-%02d.ttf", i))
		if err := r.write(name, assetMB<<20, byte(i)); err != nil {
			return nil, err
		}
		r.Assets = append(r.Assets, name)
	}
	return r, nil
}

func (r *Renderer) write(name string, size int, seed byte) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for i := range buf {
		buf[i] = seed + byte(i*7)
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	for written := 0; written < size; written += len(buf) {
		buf[0], buf[1] = byte(written>>16), byte(written>>8)
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

func (r *Renderer) read(name string) (uint32, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h := crc32.NewIEEE()
	_, err = io.CopyBuffer(h, f, *bp)
	return h.Sum32(), err
}

// Job renders one document: reads three assets, writes the output, reads
// it back for the upload and prunes the oldest outputs.
func (r *Renderer) Job() error {
	var sum uint32
	for i := 0; i < 3; i++ {
		s, err := r.read(r.Assets[r.rnd.Intn(len(r.Assets))])
		if err != nil {
			return err
		}
		sum ^= s
	}
	name := filepath.Join(r.Dir, "out", fmt.Sprintf("doc-%06d.pdf", r.n))
	r.n++
	if err := r.write(name, (1+r.rnd.Intn(3))<<20, byte(sum)); err != nil {
		return err
	}
	if _, err := r.read(name); err != nil { // upload
		return err
	}
	r.outputs = append(r.outputs, name)
	for len(r.outputs) > r.Keep {
		os.Remove(r.outputs[0])
		r.outputs = r.outputs[1:]
	}
	return nil
}
