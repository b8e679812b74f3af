package audit

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"signbox/internal/atomicfile"
)

// FS is the log directory as the log uses it. Every write goes through it
// so tests can crash or fail at any single write (see package
// audit/faultfs); production uses [DirFS].
type FS interface {
	// ReadFile returns the file's contents; a missing file wraps fs.ErrNotExist.
	ReadFile(name string) ([]byte, error)
	// ReadDir lists file names in a subdirectory, sorted.
	ReadDir(name string) ([]string, error)
	// OpenAppend opens name for appending, creating it if needed.
	OpenAppend(name string) (AppendFile, error)
	// Truncate cuts name to size bytes and makes that durable.
	Truncate(name string, size int64) error
	// WriteNew creates name durably with data; an existing name is an error.
	WriteNew(name string, data []byte) error
	// Replace atomically and durably replaces name with data.
	Replace(name string, data []byte) error
	// Mkdir creates a subdirectory durably; an existing one is fine.
	Mkdir(name string) error
}

// AppendFile is an open append-only file.
type AppendFile interface {
	io.Writer
	Sync() error
	Close() error
}

// DirFS is the real filesystem rooted at a directory.
type DirFS string

func (d DirFS) path(name string) string { return filepath.Join(string(d), filepath.FromSlash(name)) }

func (d DirFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(d.path(name)) }

func (d DirFS) ReadDir(name string) ([]string, error) {
	ents, err := os.ReadDir(d.path(name))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func (d DirFS) OpenAppend(name string) (AppendFile, error) {
	f, err := os.OpenFile(d.path(name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	// A newly created file's name must be durable before anything counts
	// as appended to it.
	if err := atomicfile.SyncDir(filepath.Dir(d.path(name))); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (d DirFS) Truncate(name string, size int64) error {
	f, err := os.OpenFile(d.path(name), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

func (d DirFS) WriteNew(name string, data []byte) error {
	return atomicfile.WriteNew(d.path(name), data, 0o644)
}

func (d DirFS) Replace(name string, data []byte) error {
	return atomicfile.Replace(d.path(name), data, 0o644)
}

func (d DirFS) Mkdir(name string) error {
	err := os.Mkdir(d.path(name), 0o755)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return atomicfile.SyncDir(filepath.Dir(d.path(name)))
}
