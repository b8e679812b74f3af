package airgap

import (
	"archive/tar"
	"fmt"
	"io"
	"path"
	"time"
)

// writeTar writes files as a plain ustar/PAX stream: directories first
// as they are needed, regular files read-only, no owner names, one fixed
// time, so the same bundle always yields the same bytes.
func writeTar(w io.Writer, files []ExportFile, mod time.Time) error {
	if mod.IsZero() {
		mod = time.Unix(0, 0)
	}
	mod = mod.UTC()
	tw := tar.NewWriter(w)
	made := map[string]bool{}
	for _, f := range files {
		if err := tarDirs(tw, path.Dir(f.Path), mod, made); err != nil {
			return err
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: f.Path, Size: int64(len(f.Data)), Mode: 0o444, ModTime: mod, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("tar %s: %w", f.Path, err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return fmt.Errorf("tar %s: %w", f.Path, err)
		}
	}
	return tw.Close()
}

func tarDirs(tw *tar.Writer, dir string, mod time.Time, made map[string]bool) error {
	if dir == "." || made[dir] {
		return nil
	}
	if err := tarDirs(tw, path.Dir(dir), mod, made); err != nil {
		return err
	}
	made[dir] = true
	h := &tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: mod, Format: tar.FormatUSTAR}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("tar %s/: %w", dir, err)
	}
	return nil
}
