package airgap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"signbox/internal/atomicfile"
)

func smallExport() []ExportFile {
	return []ExportFile{
		{Path: "images/app.bin", Data: bytes.Repeat([]byte{0xA5}, 300)},
		{Path: "keys/k.pem", Data: []byte("-----BEGIN PUBLIC KEY-----\n...\n")},
		{Path: "sbom.cdx.json", Data: []byte(`{"bomFormat":"CycloneDX"}`)},
		{Path: "manifest.dsse.json", Data: []byte(`{"payloadType":"x"}`)},
	}
}

// checkAgainst is a read-back check: the media must hold exactly files.
func checkAgainst(files []ExportFile) func(string) error {
	return func(path string) error {
		m, err := OpenMedia(path, BundleLimits)
		if err != nil {
			return err
		}
		if len(m.Entries()) != len(files) {
			return fmt.Errorf("%d files, want %d", len(m.Entries()), len(files))
		}
		for _, f := range files {
			got, err := m.ReadFile(f.Path)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, f.Data) {
				return fmt.Errorf("%s differs", f.Path)
			}
		}
		return nil
	}
}

func TestExportRoundTrip(t *testing.T) {
	files := smallExport()
	dir := t.TempDir()
	for _, form := range []Form{FormDir, FormTar} {
		x := &Export{Files: files, Check: checkAgainst(files)}
		target := filepath.Join(dir, "out-"+form.String())
		write := map[Form]func(string) error{FormDir: x.WriteDir, FormTar: x.WriteTar}[form]
		if err := write(target); err != nil {
			t.Fatalf("%s: %v", form, err)
		}
		if err := write(target); !errors.Is(err, atomicfile.ErrExists) {
			t.Fatalf("%s: second export: %v, want ErrExists", form, err)
		}
	}
	// An existing empty directory is refused too (rename(2) would replace it).
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := (&Export{Files: files, Check: checkAgainst(files)}).WriteDir(empty); !errors.Is(err, atomicfile.ErrExists) {
		t.Fatalf("export onto empty dir: %v, want ErrExists", err)
	}
	assertOnly(t, dir, "empty", "out-directory", "out-tar")
}

func TestExportReadBackFailureRemovesCopy(t *testing.T) {
	dir := t.TempDir()
	for _, form := range []Form{FormDir, FormTar} {
		x := &Export{Files: smallExport(), Check: func(string) error { return errors.New("bit rot") }}
		write := map[Form]func(string) error{FormDir: x.WriteDir, FormTar: x.WriteTar}[form]
		if err := write(filepath.Join(dir, "out")); !errors.Is(err, ErrReadBack) {
			t.Fatalf("%s: %v, want ErrReadBack", form, err)
		}
	}
	assertOnly(t, dir)
}

// failAfter is a writer shared by every file of one export that fails
// once n bytes in total have been written, like a disk filling up.
type failAfter struct {
	left int
}

func (f *failAfter) wrap(w io.Writer) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		if len(p) > f.left {
			n, _ := w.Write(p[:f.left])
			f.left = 0
			return n, &os.PathError{Op: "write", Path: "media", Err: syscall.ENOSPC}
		}
		f.left -= len(p)
		return w.Write(p)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestExportFaultAtEveryByte cuts the export after every possible number
// of bytes, in both forms: each run must fail and leave the media exactly
// as it was, with no target and no temporary left behind; the run with
// enough room must succeed.
func TestExportFaultAtEveryByte(t *testing.T) {
	files := smallExport()
	total := 0
	for _, f := range files {
		total += len(f.Data)
	}
	for _, form := range []Form{FormDir, FormTar} {
		t.Run(form.String(), func(t *testing.T) {
			dir := t.TempDir()
			step := 1
			if testing.Short() {
				step = 7
			}
			for n := 0; ; n += step {
				fa := &failAfter{left: n}
				x := &Export{Files: files, Check: checkAgainst(files), Wrap: fa.wrap}
				target := filepath.Join(dir, "bundle")
				write := map[Form]func(string) error{FormDir: x.WriteDir, FormTar: x.WriteTar}[form]
				err := write(target)
				if err == nil {
					if n < total {
						t.Fatalf("export succeeded with only %d of %d bytes of room", n, total)
					}
					assertOnly(t, dir, "bundle")
					return
				}
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("n=%d: %v, want ENOSPC", n, err)
				}
				assertOnly(t, dir)
				if n > 1<<16 {
					t.Fatalf("never succeeded")
				}
			}
		})
	}
}

// assertOnly fails unless dir holds exactly names.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}
