package emu

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// seeds adds every file matching glob and fails if there is none, so a
// renamed testdata directory cannot silently leave a fuzz target unseeded.
func seeds(f *testing.F, glob string) {
	f.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files match %s", glob)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParsePartitionTable(f *testing.F) {
	seeds(f, "testdata/parttable/*.bin")
	f.Fuzz(func(t *testing.T, b []byte) {
		parts, err := ParsePartitionTable(b)
		if err != nil {
			return
		}
		// Whatever parses re-encodes to the same bytes.
		again, err := EncodePartitionTable(parts)
		if err != nil {
			t.Fatalf("parsed table does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatal("round trip changed the table")
		}
		_, _ = mapFromTable(parts, 1<<24)
	})
}

func FuzzParseEFuseFile(f *testing.F) {
	seeds(f, "testdata/efuse/*.bin")
	f.Fuzz(func(t *testing.T, b []byte) {
		chip, bits, err := parseEFuses(b)
		if err != nil {
			return
		}
		again := marshalEFuses(chip, &EFuses{bits: bits})
		if bytes.HasPrefix(b, efuseMagic) && !bytes.Equal(again, b) {
			t.Fatal("round trip changed efuse.bin")
		}
		// A v1 file migrates once; the v2 form is then stable.
		chip2, bits2, err := parseEFuses(again)
		if err != nil || chip2 != chip || bits2 != bits {
			t.Fatalf("migrated efuse.bin does not round-trip: %v", err)
		}
	})
}

func FuzzParseRuntime(f *testing.F) {
	seeds(f, "testdata/runtime/*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		var rt runtimeState
		if err := parseRuntime(b, &rt); err == nil && (rt.Running < -1 || rt.Running > 1) {
			t.Fatalf("accepted running slot %d", rt.Running)
		}
	})
}

func FuzzParseIdentity(f *testing.F) {
	seeds(f, "testdata/secure/*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := parseIdentity(b)
		if err != nil {
			return
		}
		// Whatever parses is one canonical spelling of an identity.
		again, err := parseIdentity(id.marshal())
		if err != nil || again.Serial != id.Serial || !again.CheckpointKey.Equal(id.CheckpointKey) || !bytes.Equal(again.MACSeed, id.MACSeed) {
			t.Fatalf("identity does not round-trip: %v", err)
		}
	})
}
