package bundle

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// budget fails every write once n bytes in total have been written: a
// full disk or a failing stick, anywhere in the export.
type budget struct{ left int }

func (b *budget) wrap(w io.Writer) io.Writer { return budgetWriter{b, w} }

type budgetWriter struct {
	b *budget
	w io.Writer
}

func (bw budgetWriter) Write(p []byte) (int, error) {
	if len(p) > bw.b.left {
		n, _ := bw.w.Write(p[:bw.b.left])
		bw.b.left = 0
		return n, syscall.ENOSPC
	}
	bw.b.left -= len(p)
	return bw.w.Write(p)
}

// TestExportFaults cuts a real bundle export (both forms) after n bytes
// for n stepping through the whole bundle: every failed export leaves the
// media empty, so nothing that looks like a bundle is ever left behind.
// (airgap's TestExportFaultAtEveryByte covers every single n on a smaller
// file set.)
func TestExportFaults(t *testing.T) {
	b := defaultRelease().build(t)
	step := 127
	if testing.Short() {
		step = 997
	}
	for _, form := range []string{"dir", "tar"} {
		t.Run(form, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, "bundle")
			for n := 0; ; n += step {
				b.wrap = (&budget{left: n}).wrap
				write := b.WriteDir
				if form == "tar" {
					write = b.WriteTar
				}
				err := write(target)
				ents, _ := os.ReadDir(dir)
				if err == nil {
					if len(ents) != 1 {
						t.Fatalf("n=%d: success but media holds %d entries", n, len(ents))
					}
					return
				}
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("n=%d: %v", n, err)
				}
				if len(ents) != 0 {
					t.Fatalf("n=%d: failed export left %s behind", n, ents[0].Name())
				}
				if n > 1<<20 {
					t.Fatal("never succeeded")
				}
			}
		})
	}
}
