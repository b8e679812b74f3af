package bundle

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"testing"
)

// FuzzVerify runs bundle.Verify end to end on hostile media: the fuzzed
// bytes are written as a tar file, or (asDir) unpacked into a directory
// with whatever symlinks, hard links and directories the tar names —
// inside an os.Root, so nothing is written outside the test's directory.
// Verify never panics, never succeeds on media the release key did not
// sign, and a success accounts for every listed file. Seeds: the
// committed corruption corpus (good and bad bundles).
func FuzzVerify(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.tar"))
	if len(seeds) == 0 {
		f.Fatal("no corpus tars (run go test ./bundle -run TestCorruptCorpus -update)")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
		if filepath.Base(p) == "good.tar" || filepath.Base(p) == "symlink-member.tar" {
			f.Add(b, true)
		}
	}
	pub := loadKey(f, "release").Public()
	f.Fuzz(func(t *testing.T, b []byte, asDir bool) {
		dir := t.TempDir()
		p := filepath.Join(dir, "bundle.tar")
		if asDir {
			p = filepath.Join(dir, "bundle")
			if !unpackHostile(t, p, b) {
				return
			}
		} else if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Verify(p, pub, VerifyOptions{})
		if err != nil {
			return
		}
		if res.Files != len(res.Manifest.Files) || len(res.Images) == 0 {
			t.Fatalf("verified with %d of %d files checked, %d images", res.Files, len(res.Manifest.Files), len(res.Images))
		}
	})
}

// unpackHostile writes the members of tar b under dir through an os.Root:
// regular files, directories, symlinks (any target) and hard links. It
// reports false when b is not a tar it can unpack.
func unpackHostile(t *testing.T, dir string, b []byte) bool {
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	tr := tar.NewReader(bytes.NewReader(b))
	for n := 0; n < 64; n++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil || !filepath.IsLocal(h.Name) {
			return n > 0
		}
		name := path.Clean(h.Name)
		_ = root.MkdirAll(path.Dir(name), 0o755)
		switch h.Typeflag {
		case tar.TypeReg:
			w, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				continue
			}
			_, _ = io.Copy(w, io.LimitReader(tr, 1<<20))
			w.Close()
		case tar.TypeDir:
			_ = root.MkdirAll(name, 0o755)
		case tar.TypeSymlink:
			_ = root.Symlink(h.Linkname, name)
		case tar.TypeLink:
			if filepath.IsLocal(h.Linkname) {
				_ = root.Link(h.Linkname, name)
			}
		}
	}
	return true
}
