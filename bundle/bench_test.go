package bundle

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkExportVerify16MiB exports a bundle with a 16 MiB app (tar and
// directory) including the read-back verification, and reports the time
// as a ratio to `sha256sum` over the same files, measured in the same
// process: the floor for any export that reads its copy back.
func BenchmarkExportVerify16MiB(b *testing.B) {
	r := defaultRelease()
	r.appSize = 16 << 20
	bun := r.build(b)
	ref := filepath.Join(b.TempDir(), "ref")
	if err := bun.WriteDir(ref); err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, f := range bun.Manifest.Files {
		size += f.Size
	}
	for _, form := range []string{"tar", "dir"} {
		b.Run(form, func(b *testing.B) {
			base := sha256sumTime(b, ref) // re-measured per run: the machine is shared
			dir := b.TempDir()
			b.SetBytes(size)
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				p := filepath.Join(dir, form+strconv.Itoa(i))
				var err error
				if form == "tar" {
					err = bun.WriteTar(p)
				} else {
					err = bun.WriteDir(p)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			per := time.Since(start) / time.Duration(b.N)
			if base > 0 {
				b.ReportMetric(float64(per)/float64(base), "x-sha256sum")
			}
		})
	}
}

// sha256sumTime runs the system sha256sum over every file under dir, the
// best of three, or 0 if there is no sha256sum.
func sha256sumTime(b *testing.B, dir string) time.Duration {
	bin, err := exec.LookPath("sha256sum")
	if err != nil {
		b.Log("no sha256sum; ratio not reported")
		return 0
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	best := time.Duration(0)
	for i := 0; i < 3; i++ {
		start := time.Now()
		if out, err := exec.Command(bin, files...).CombinedOutput(); err != nil {
			b.Fatalf("sha256sum: %v: %s", err, out)
		}
		if d := time.Since(start); best == 0 || d < best {
			best = d
		}
	}
	b.Logf("sha256sum over %d files: %v", len(files), best)
	return best
}
