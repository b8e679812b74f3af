package strictjson

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode: whatever Decode accepts, encoding/json accepts too, and
// decoding never panics. Seeds are the release-request seeds.
func FuzzDecode(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/seeds/request/*.json")
	if len(paths) == 0 {
		f.Fatal("no seeds in ../testdata/seeds/request")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v outer
		if Decode(b, &v) != nil {
			return
		}
		var w outer
		if err := json.Unmarshal(b, &w); err != nil {
			t.Fatalf("strict decode accepted what encoding/json rejects: %v", err)
		}
	})
}
