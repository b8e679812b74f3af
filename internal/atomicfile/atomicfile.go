// Package atomicfile writes files so that a crash, a full disk or a failing
// write never leaves a half-written file under the final name.
//
// Every write goes to a temporary name in the target's directory, is
// fsynced, and only then takes the final name; the directory is fsynced
// afterwards so the new name itself survives a power cut.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists reports that a write-once output is already present. signbox
// never overwrites an output.
var ErrExists = errors.New("output already exists")

// WriteNew writes data to path, which must not exist yet. The file appears
// complete or not at all.
func WriteNew(path string, data []byte, perm fs.FileMode) error {
	return CreateNew(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// CreateNew streams fill's output to path, which must not exist yet.
// The final name is claimed with link(2), which fails rather than replace
// an existing file, so two writers racing for one name cannot both win.
func CreateNew(path string, perm fs.FileMode, fill func(io.Writer) error) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	tmp, err := writeTemp(path, perm, fill)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, ErrExists)
		}
		return fmt.Errorf("claim %s: %w", path, err)
	}
	if err := os.Remove(tmp); err != nil {
		return fmt.Errorf("remove temporary %s: %w", tmp, err)
	}
	return SyncDir(filepath.Dir(path))
}

// Replace atomically replaces path (or creates it) with data. It is for
// state files that are meant to change, such as checkpoints and workspace
// state; outputs handed to people use WriteNew.
func Replace(path string, data []byte, perm fs.FileMode) error {
	tmp, err := writeTemp(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename %s: %w", path, err)
	}
	return SyncDir(filepath.Dir(path))
}

// writeTemp writes to a fresh temporary file beside path and fsyncs it.
// On any error the temporary file is removed.
func writeTemp(path string, perm fs.FileMode, fill func(io.Writer) error) (string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("create temporary for %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(tmp)
		return "", err
	}
	if err := fill(f); err != nil {
		return fail(fmt.Errorf("write %s: %w", path, err))
	}
	if err := f.Chmod(perm); err != nil {
		return fail(fmt.Errorf("chmod %s: %w", path, err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("fsync %s: %w", path, err))
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("close %s: %w", path, err)
	}
	return tmp, nil
}

// SyncDir fsyncs a directory so that names created or renamed in it are
// durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	return nil
}
