package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// A test-only command (compiled into the test binary only):
// `signbox testonly mcuboot-fixture DIR` copies the signed MCUboot images
// kept in device/mcuboot/testdata/vectors into DIR and derives from
// ed25519.bin: padded.bin (followed by 4 KiB of erased flash, like imgtool
// --pad), tampered.bin (one body byte changed) and truncated.bin (cut
// inside the unprotected TLV area).
func init() {
	register(&command{path: "testonly mcuboot-fixture", usage: "DIR", summary: "test only: MCUboot image fixtures",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want DIR")
			}
			return writeMCUbootFixture(args[0])
		}})
}

func writeMCUbootFixture(dir string) error {
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "..", "device", "mcuboot", "testdata", "vectors")
	names, err := filepath.Glob(filepath.Join(src, "*.bin"))
	if err != nil || len(names) == 0 {
		return fmt.Errorf("no vectors in %s", src)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), b, 0o644); err != nil {
			return err
		}
	}
	ed, err := os.ReadFile(filepath.Join(src, "ed25519.bin"))
	if err != nil {
		return err
	}
	tampered := bytes.Clone(ed)
	tampered[0x300] ^= 1
	derived := map[string][]byte{
		"padded.bin":    append(bytes.Clone(ed), bytes.Repeat([]byte{0xff}, 4096)...),
		"tampered.bin":  tampered,
		"truncated.bin": ed[:len(ed)-10],
	}
	for name, b := range derived {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
