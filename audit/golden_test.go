package audit

import (
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/golden-export from the current code")

// goldenDir holds a deterministic export (fixed keys, times and events).
// It pins the on-disk format and seeds the fuzz targets.
const goldenDir = "testdata/golden-export"

func TestGoldenExport(t *testing.T) {
	f := newFixture(t) // writes <tmp>/export deterministically
	if *update {
		require.NoError(t, os.RemoveAll(goldenDir))
		require.NoError(t, os.CopyFS(goldenDir, os.DirFS(f.export)))
	}
	err := filepath.WalkDir(f.export, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(f.export, p)
		got, _ := os.ReadFile(p)
		want, err := os.ReadFile(filepath.Join(goldenDir, rel))
		require.NoError(t, err, "golden file missing; run go test ./audit -run Golden -update")
		require.Equal(t, want, got, "%s changed: the format moved", rel)
		return nil
	})
	require.NoError(t, err)
	r, err := Verify(goldenDir, VerifyOptions{Trusted: trusted(t, testOrigin, testKey(1)), Keys: testKeys(t)})
	require.NoError(t, err)
	require.Equal(t, OK, r.Verdict)
}

// TestEntryEncoding pins the canonical bytes of one entry field by field.
func TestEntryEncoding(t *testing.T) {
	e := Entry{Origin: "o", Seq: 2, Epoch: 3, Time: at(0), Type: UpdateRejected, Payload: []byte("reason=x\n")}
	e.Prev[0], e.Prev[31] = 0xaa, 0xbb
	got, err := e.MarshalBinary()
	require.NoError(t, err)
	want := "53424131" + // "SBA1"
		"01" + "6f" + // origin length, "o"
		"0000000000000002" + // seq
		"00000003" + // epoch
		"18ea03d18c73a000" + // 2026-11-21T09:00:00Z = 1795251600 s in Unix nanoseconds
		"0032" + // type 50 UPDATE_REJECTED
		"00000009" + "726561736f6e3d780a" + // payload length, "reason=x\n"
		"aa" + "000000000000000000000000000000000000000000000000000000000000" + "bb" // prev
	require.Equal(t, want, hex.EncodeToString(got))
	back, err := ParseEntry(got)
	require.NoError(t, err)
	require.True(t, back.Time.Equal(e.Time))
	back.Time = e.Time
	require.Equal(t, e, back)
}
