package main

import (
	"os"
	"path/filepath"

	"signbox/evidence"
	"signbox/evidence/evidencetest"
)

// A test-only command: `signbox testonly evidence-fixture DIR` writes a
// release key and demo bundles with their hospital documents for the
// evidence_*.txtar scripts: good (directory), good.tar, no-notice
// (validly signed but without NOTICE.md), tampered (NOTICE.md changed
// after signing), plus other.pub.pem.
func init() {
	register(&command{path: "testonly evidence-fixture", usage: "DIR", summary: "test only: evidence bundles",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want DIR")
			}
			return writeEvidenceFixture(args[0])
		}})
}

func writeEvidenceFixture(dir string) error {
	release, other, secureBoot := newP256(), newP256(), newP256()
	if err := writePub(filepath.Join(dir, "release.pub.pem"), release.Public()); err != nil {
		return err
	}
	if err := writePub(filepath.Join(dir, "other.pub.pem"), other.Public()); err != nil {
		return err
	}
	scratch, err := os.MkdirTemp(dir, "scratch")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	good, err := evidencetest.Build(release, secureBoot, filepath.Join(scratch, "a"), nil)
	if err != nil {
		return err
	}
	noNotice, err := evidencetest.Build(release, secureBoot, filepath.Join(scratch, "b"),
		func(d map[string][]byte) { d[evidence.NoticeName] = nil })
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return good.WriteDir(filepath.Join(dir, "good")) },
		func() error { return good.WriteTar(filepath.Join(dir, "good.tar")) },
		func() error { return noNotice.WriteDir(filepath.Join(dir, "no-notice")) },
		func() error { return good.WriteDir(filepath.Join(dir, "tampered")) },
		func() error {
			p := filepath.Join(dir, "tampered", evidence.NoticeName)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.Chmod(p, 0o644); err != nil {
				return err
			}
			return os.WriteFile(p, append(b, "\nDowntime: none.\n"...), 0o644)
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}
