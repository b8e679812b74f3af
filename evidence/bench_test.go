package evidence_test

import (
	"path/filepath"
	"testing"

	"signbox/bundle"
	"signbox/evidence"
	"signbox/evidence/evidencetest"
)

// BenchmarkGenerate writes every document of the demo release.
func BenchmarkGenerate(b *testing.B) {
	in, err := evidencetest.Inputs(evidencetest.GoldenImages, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := evidence.Generate(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck compares the evidence rows with the bundle verification
// that precedes them (the peer: what `signbox bundle verify` already costs).
func BenchmarkCheck(b *testing.B) {
	bu, err := evidencetest.Build(loadKey(b, "release"), loadKey(b, "rsa3072-a"), b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "bundle")
	if err := bu.WriteDir(dir); err != nil {
		b.Fatal(err)
	}
	pub := loadKey(b, "release").Public()
	res, err := bundle.Verify(dir, pub, bundle.VerifyOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("bundle.Verify", func(b *testing.B) {
		for b.Loop() {
			if _, err := bundle.Verify(dir, pub, bundle.VerifyOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReadBundle+Check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			files, err := evidence.ReadBundle(dir, res)
			if err != nil {
				b.Fatal(err)
			}
			if !evidence.Check(res, files).Pass() {
				b.Fatal("check failed")
			}
		}
	})
}
