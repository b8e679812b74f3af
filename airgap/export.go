package airgap

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"signbox/internal/atomicfile"
)

// ExportFile is one file of an export. Bundles are at most a few tens of
// MiB, so contents are held in memory.
type ExportFile struct {
	Path string // slash path, checked with CheckPath
	Data []byte
}

// Export writes a set of files to removable media, as a directory or a
// single tar file, and reads the result back before reporting success.
type Export struct {
	// Files in writing order. Put the file that makes the set look
	// complete (a signed manifest) last, so that even a temporary copy
	// interrupted midway never contains it.
	Files []ExportFile
	// ModTime is stamped on tar members (the ceremony date keeps tars
	// reproducible); zero means the Unix epoch.
	ModTime time.Time
	// Check verifies the written copy at path by reading it back. It is
	// required: an export that was not read back is not done.
	Check func(path string) error
	// Wrap, if set, wraps every file writer. It exists for fault
	// injection (a writer that fails after N bytes, a full disk).
	Wrap func(io.Writer) io.Writer
}

// ErrReadBack reports that the written copy did not verify; it has been
// removed again.
var ErrReadBack = errors.New("read-back verification failed")

func (x *Export) validate() error {
	if x.Check == nil {
		return errors.New("export: no read-back check given")
	}
	if len(x.Files) == 0 {
		return errors.New("export: no files")
	}
	seen := map[string]bool{}
	for _, f := range x.Files {
		if err := CheckPath(f.Path); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if seen[foldKey(f.Path)] {
			return fmt.Errorf("export: %q twice (names compared ignoring case)", f.Path)
		}
		seen[foldKey(f.Path)] = true
	}
	return nil
}

func (x *Export) writer(w io.Writer) io.Writer {
	if x.Wrap != nil {
		return x.Wrap(w)
	}
	return w
}

// readBack runs Check and removes the copy if it fails: a copy that does
// not verify must not stay on the media looking finished.
func (x *Export) readBack(target string) error {
	if err := x.Check(target); err != nil {
		rmErr := os.RemoveAll(target)
		if rmErr != nil {
			return fmt.Errorf("%w: %v (and removing %s failed: %v)", ErrReadBack, err, target, rmErr)
		}
		return fmt.Errorf("%w: %v (copy removed)", ErrReadBack, err)
	}
	return nil
}

// WriteTar writes the files as one tar file at target, which must not
// exist: a temporary name, fsync, link to the final name, fsync of the
// directory (atomicfile.CreateNew), then the read-back check.
func (x *Export) WriteTar(target string) error {
	if err := x.validate(); err != nil {
		return err
	}
	err := atomicfile.CreateNew(target, 0o444, func(w io.Writer) error {
		return writeTar(x.writer(w), x.Files, x.ModTime)
	})
	if err != nil {
		return err
	}
	return x.readBack(target)
}

// WriteDir writes the files into a new directory target: first into a
// hidden temporary directory beside it, every file and directory fsynced,
// then the directory is renamed into place (refusing an existing target),
// the parent fsynced, and the copy read back.
func (x *Export) WriteDir(target string) error {
	if err := x.validate(); err != nil {
		return err
	}
	target = filepath.Clean(target)
	if _, err := os.Lstat(target); err == nil {
		return fmt.Errorf("%s: %w", target, atomicfile.ErrExists)
	}
	parent, base := filepath.Split(target)
	if parent == "" {
		parent = "."
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary directory for %s: %w", target, err)
	}
	if err := x.fillDir(tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := renameNoReplace(tmp, target); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := atomicfile.SyncDir(parent); err != nil {
		return err
	}
	return x.readBack(target)
}

// fillDir writes every file under dir and fsyncs all of it.
func (x *Export) fillDir(dir string) error {
	made := map[string]bool{"": true}
	for _, f := range x.Files {
		sub := filepath.Dir(filepath.FromSlash(f.Path))
		if err := mkdirs(dir, sub, made); err != nil {
			return err
		}
		if err := x.writeFile(filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data); err != nil {
			return err
		}
	}
	// Children before parents, so each name is durable before its parent.
	subs := make([]string, 0, len(made))
	for d := range made {
		subs = append(subs, d)
	}
	sortDeepestFirst(subs)
	for _, d := range subs {
		if err := atomicfile.SyncDir(filepath.Join(dir, d)); err != nil {
			return err
		}
	}
	return nil
}

func mkdirs(root, sub string, made map[string]bool) error {
	if sub == "." {
		return nil
	}
	parts := strings.Split(sub, string(filepath.Separator))
	for i := range parts {
		p := filepath.Join(parts[:i+1]...)
		if made[p] {
			continue
		}
		if err := os.Mkdir(filepath.Join(root, p), 0o755); err != nil {
			return fmt.Errorf("create directory %s: %w", p, err)
		}
		made[p] = true
	}
	return nil
}

func (x *Export) writeFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := x.writer(f).Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

// sortDeepestFirst orders directory paths so every child precedes its
// parent; "" (the root) comes last.
func sortDeepestFirst(dirs []string) {
	depth := func(s string) int {
		if s == "" {
			return -1
		}
		return strings.Count(s, string(filepath.Separator))
	}
	slices.SortFunc(dirs, func(a, b string) int { return depth(b) - depth(a) })
}
