package evidence

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"signbox/bundle"
)

// demoBundle builds and writes the demo bundle with real signed images and
// the generated documents, then verifies it.
func demoBundle(t *testing.T, editDocs func(map[string][]byte)) (string, *bundle.Result, map[string][]byte) {
	t.Helper()
	boot, app := signedImages(t)
	in := demoInputs(t, map[string]string{"bootloader.bin": sha(boot), "app.bin": sha(app)})
	docs, err := Generate(in)
	if err != nil {
		t.Fatal(err)
	}
	if editDocs != nil {
		editDocs(docs)
	}
	b, err := bundle.Build(demoContents(t, boot, app, in, docs), loadKey(t, "release"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := b.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	res, err := bundle.Verify(dir, loadKey(t, "release").Public(), bundle.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := ReadBundle(dir, res)
	if err != nil {
		t.Fatal(err)
	}
	return dir, res, files
}

func TestCheckDemoBundle(t *testing.T) {
	_, res, files := demoBundle(t, nil)
	rep := Check(res, files)
	var out strings.Builder
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	if !rep.Pass() {
		t.Fatalf("demo bundle fails its evidence check:\n%s", out.String())
	}
	if got := len(rep.Rows); got != len(rowDefs())+1 {
		t.Fatalf("%d rows, want %d", got, len(rowDefs())+1)
	}
	for _, want := range []string{"evidence PASS: infusion-pump 2.5.0", "FDA-SBOM          pass", "IEC81001-6.3.3    pass",
		"security version raised 3 → 4", "4 vulnerabilities: 1 fixed, 2 not affected, 1 affected"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestCheckFailsOnRemovedOrAlteredFile: every file any row names, removed
// or altered after verification, fails the check, and the rows naming it
// say so.
func TestCheckFailsOnRemovedOrAlteredFile(t *testing.T) {
	_, res, files := demoBundle(t, nil)
	var referenced []string
	for _, r := range Check(res, files).Rows {
		for _, f := range r.Row.Files {
			if f != ManifestName && !slices.Contains(referenced, f) {
				referenced = append(referenced, f)
			}
		}
	}
	if len(referenced) != len(res.Manifest.Files) {
		t.Fatalf("rows reference %d files, the bundle has %d: %v", len(referenced), len(res.Manifest.Files), referenced)
	}
	for _, f := range referenced {
		for _, mode := range []string{"removed", "altered"} {
			t.Run(mode+" "+f, func(t *testing.T) {
				c := map[string][]byte{}
				for k, v := range files {
					c[k] = v
				}
				if mode == "removed" {
					delete(c, f)
				} else {
					c[f] = append(slices.Clone(c[f]), ' ')
				}
				rep := Check(res, c)
				if rep.Pass() {
					t.Fatal("check passed")
				}
				for _, r := range rep.Rows {
					if slices.Contains(r.Row.Files, f) && (r.Pass || !strings.Contains(r.Detail, f)) {
						t.Errorf("row %s: pass=%v detail %q does not name %s", r.Row.ID, r.Pass, r.Detail, f)
					}
				}
			})
		}
	}
}

// TestCheckFailsOnResignedBundle: even a bundle re-signed by the release
// key fails when a document is missing or says the wrong thing.
func TestCheckFailsOnResignedBundle(t *testing.T) {
	tests := []struct {
		name, row, want string
		edit            func(map[string][]byte)
	}{
		{"no notice", "IEC81001-6.1", "NOTICE.md", func(d map[string][]byte) { delete(d, NoticeName) }},
		{"no rollout plan", "FDA-ANTIROLLBACK", "rollout.json", func(d map[string][]byte) { delete(d, RolloutName) }},
		{"no advisory", "FDA-VULN", "advisory.csaf.json", func(d map[string][]byte) { delete(d, AdvisoryName) }},
		{"no evidence.json", PackRowID, "evidence.json", func(d map[string][]byte) { delete(d, PackName) }},
		{"notice without rollback", "IEC81001-6.1", `"## Roll back" missing`, func(d map[string][]byte) {
			d[NoticeName] = []byte(strings.Replace(string(d[NoticeName]), "## Roll back", "## Later", 1))
		}},
		{"EVIDENCE.md edited", PackRowID, "EVIDENCE.md does not match evidence.json", func(d map[string][]byte) {
			d[TableName] = append(d[TableName], "| EXTRA | | | | | |\n"...)
		}},
		{"advisory says affected", "FDA-VULN", "CVE-2024-28755 is known_affected, the VEX says fixed", func(d map[string][]byte) {
			d[AdvisoryName] = []byte(strings.Replace(string(d[AdvisoryName]), `"fixed": [`, `"known_affected": [`, 1))
		}},
		{"rollout lowers security version", "FDA-ANTIROLLBACK", "security version", func(d map[string][]byte) {
			d[RolloutName] = []byte(strings.Replace(string(d[RolloutName]), `"new": 4`, `"new": 5`, 1))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, res, files := demoBundle(t, tt.edit)
			rep := Check(res, files)
			if rep.Pass() {
				t.Fatal("check passed")
			}
			i := slices.IndexFunc(rep.Rows, func(r Result) bool { return r.Row.ID == tt.row })
			if i < 0 || rep.Rows[i].Pass || !strings.Contains(rep.Rows[i].Detail, tt.want) {
				var out strings.Builder
				_ = rep.Write(&out)
				t.Fatalf("row %s should fail naming %q:\n%s", tt.row, tt.want, out.String())
			}
		})
	}
}

// TestRemovedFromDisk: bundle.Verify runs first and refuses the bundle.
func TestRemovedFromDisk(t *testing.T) {
	dir, _, _ := demoBundle(t, nil)
	if err := os.Remove(filepath.Join(dir, NoticeName)); err != nil {
		t.Fatal(err)
	}
	_, err := bundle.Verify(dir, loadKey(t, "release").Public(), bundle.VerifyOptions{})
	if !errors.Is(err, bundle.ErrMissing) {
		t.Fatalf("got %v, want bundle.ErrMissing", err)
	}
}
