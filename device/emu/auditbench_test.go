package emu

import (
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSaveBootEvent is what the device's own audit log adds to one
// CLI command: a boot event queued, then Save (three state files replaced)
// followed by the log's open, append (fsync), shutdown checkpoint and
// close. BenchmarkSaveNoLog is the same save on a device without a log.
func BenchmarkSaveBootEvent(b *testing.B) { benchSave(b, true) }

func BenchmarkSaveNoLog(b *testing.B) { benchSave(b, false) }

func benchSave(b *testing.B, logged bool) {
	dir := filepath.Join(b.TempDir(), "dev")
	cfg := testConfig(b)
	t0 := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	n := 0
	now := func() time.Time { n++; return t0.Add(time.Duration(n) * time.Millisecond) }
	if logged {
		cfg.Now = now
	}
	if _, err := ProvisionDir(dir, cfg); err != nil {
		b.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	d.SetClock(now)
	for b.Loop() {
		if _, err := d.Boot(); err != nil {
			b.Fatal(err)
		}
		if err := d.Save(); err != nil {
			b.Fatal(err)
		}
	}
}
