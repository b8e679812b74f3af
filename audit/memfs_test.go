package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// memFS is an in-memory FS that models a disk with a page cache: written
// bytes are visible at once but durable only after Sync; WriteNew and
// Replace are atomic and durable (as atomicfile makes them). It counts
// every write operation so a test can cut the power, or fail with an I/O
// error, at operation k (the MCUboot and libfiu patterns of
// device-and-audit.md A.2).
type memFS struct {
	mu      sync.Mutex
	files   map[string]*memFile
	ops     int
	crashAt int // power cut at this op (1-based); 0: never
	failAt  int // this op returns errIO; 0: never
	dead    bool
}

type memFile struct{ durable, data []byte }

var (
	errPowerCut = errors.New("power cut")
	errIO       = errors.New("injected I/O error")
)

func newMemFS() *memFS { return &memFS{files: map[string]*memFile{}} }

// op counts one write operation and says whether it may proceed.
func (m *memFS) op() error {
	if m.dead {
		return errPowerCut
	}
	m.ops++
	switch m.ops {
	case m.crashAt:
		m.dead = true
		return errPowerCut
	case m.failAt:
		return errIO
	}
	return nil
}

// Unsynced-data fates at a power cut.
const (
	keepNone = iota // only synced bytes survive
	keepHalf        // half the unsynced bytes reach the disk: a torn record
	keepAll         // everything written survives
)

// image returns the disk as a reboot after the cut would find it.
func (m *memFS) image(keep int) *memFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := newMemFS()
	for name, f := range m.files {
		extra := f.data[len(f.durable):]
		switch keep {
		case keepNone:
			extra = nil
		case keepHalf:
			extra = extra[:len(extra)/2]
		}
		b := slices.Concat(f.durable, extra)
		out.files[name] = &memFile{durable: b, data: slices.Clone(b)}
	}
	return out
}

func (m *memFS) ReadFile(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return slices.Clone(f.data), nil
}

func (m *memFS) ReadDir(dir string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for name := range m.files {
		if rest, ok := strings.CutPrefix(name, dir+"/"); ok {
			names = append(names, rest)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: %w", dir, fs.ErrNotExist)
	}
	slices.Sort(names)
	return names, nil
}

func (m *memFS) OpenAppend(name string) (AppendFile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[name]; !ok {
		if err := m.op(); err != nil {
			return nil, err
		}
		m.files[name] = &memFile{}
	}
	return &memAppend{m: m, name: name}, nil
}

func (m *memFS) Truncate(name string, size int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.op(); err != nil {
		return err
	}
	f := m.files[name]
	f.data = f.data[:size]
	f.durable = slices.Clone(f.data)
	return nil
}

func (m *memFS) WriteNew(name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[name]; ok {
		return fmt.Errorf("%s: %w", name, fs.ErrExist)
	}
	if err := m.op(); err != nil {
		return err
	}
	m.files[name] = &memFile{durable: slices.Clone(data), data: slices.Clone(data)}
	return nil
}

func (m *memFS) Replace(name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.op(); err != nil {
		return err
	}
	m.files[name] = &memFile{durable: slices.Clone(data), data: slices.Clone(data)}
	return nil
}

func (m *memFS) Mkdir(string) error { return nil }

type memAppend struct {
	m    *memFS
	name string
}

// Write appends; at a cut or an injected error half the bytes land first,
// as a partially completed write would leave them.
func (a *memAppend) Write(p []byte) (int, error) {
	a.m.mu.Lock()
	defer a.m.mu.Unlock()
	f := a.m.files[a.name]
	if err := a.m.op(); err != nil {
		if !errors.Is(err, errPowerCut) || a.m.ops == a.m.crashAt {
			f.data = append(f.data, p[:len(p)/2]...)
		}
		return len(p) / 2, err
	}
	f.data = append(f.data, p...)
	return len(p), nil
}

func (a *memAppend) Sync() error {
	a.m.mu.Lock()
	defer a.m.mu.Unlock()
	if err := a.m.op(); err != nil {
		return err
	}
	f := a.m.files[a.name]
	f.durable = slices.Clone(f.data)
	return nil
}

func (a *memAppend) Close() error { return nil }

// fsFloor keeps the floor in the same memFS, so it crashes with the log.
type fsFloor struct{ fs *memFS }

func (f fsFloor) Load() (int64, error) {
	b, err := f.fs.ReadFile("floor")
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(b), 10, 64)
}

func (f fsFloor) Raise(n int64) error {
	cur, err := f.Load()
	if err != nil {
		return err
	}
	if n < cur {
		return ErrRollback
	}
	return f.fs.Replace("floor", []byte(strconv.FormatInt(n, 10)))
}
