package emu

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and fuzz seeds under testdata")

// TestSeeds checks the committed fuzz seeds are what the encoders produce
// today (regenerate with -update).
func TestSeeds(t *testing.T) {
	table, err := EncodePartitionTable(testLayout.partitions())
	if err != nil {
		t.Fatal(err)
	}
	def, _ := EncodePartitionTable(DefaultLayout.partitions())
	e := &EFuses{}
	e.bits[offFlags] = byte(SecureBootEn | DisPadJTAG)
	e.bits[offSecVer] = 0x07
	golden := map[string][]byte{
		"parttable/test-layout.bin":    table,
		"parttable/default-layout.bin": def,
		"efuse/blank.bin":              marshalEFuses(uint16(testChip), &EFuses{}),
		"efuse/provisioned.bin":        marshalEFuses(uint16(testChip), e),
		"runtime/running-1.json":       []byte("{\"running\":1}\n"),
		"runtime/off.json":             []byte("{\"running\":-1}\n"),
	}
	for name, want := range golden {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from the encoder's output (run with -update)", path)
		}
	}
}
