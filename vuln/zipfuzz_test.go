package vuln

import (
	"testing"
)

// FuzzFeedZip: the OSV ecosystem zips inside a feed snapshot come from
// the connected side. Reading one never panics, and every record kept is
// one that parsed, under the zip's record limit.
func FuzzFeedZip(f *testing.F) {
	f.Add(dirZip(f, "testdata/real/crates.io"))
	f.Add(dirZip(f, "testdata/real/Go"))
	f.Add(zipOf(f, map[string]string{"X.json": `{"id":"X"}`, "dir/Y.json": `{}`, "Z.txt": "z"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := &collector{byID: map[string]*Record{}}
		if err := c.zip("crates.io", "crates.io.zip", b, "sum"); err != nil {
			return
		}
		if len(c.stats) != 1 || len(c.byID) > MaxRecords {
			t.Fatalf("%d stats, %d records", len(c.stats), len(c.byID))
		}
		for id, r := range c.byID {
			if r == nil || r.ID != id {
				t.Fatalf("record %q kept as %+v", id, r)
			}
		}
	})
}
