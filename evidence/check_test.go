package evidence_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"signbox/bundle"
	"signbox/evidence"
	"signbox/evidence/evidencetest"
)

// demoBundle builds the demo bundle with real signed images (RSA-3072
// Secure Boot key, ECDSA release key), writes it, verifies it and reads it
// back.
func demoBundle(t testing.TB, edit func(map[string][]byte)) (string, *bundle.Result, map[string][]byte) {
	t.Helper()
	b, err := evidencetest.Build(loadKey(t, "release"), loadKey(t, "rsa3072-a"), t.TempDir(), edit)
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
	files, err := evidence.ReadBundle(dir, res)
	if err != nil {
		t.Fatal(err)
	}
	return dir, res, files
}

func report(rep *evidence.Report) string {
	var out strings.Builder
	_ = rep.Write(&out)
	return out.String()
}

func TestCheckDemoBundle(t *testing.T) {
	_, res, files := demoBundle(t, nil)
	rep := evidence.Check(res, files)
	out := report(rep)
	t.Log("\n" + out)
	if !rep.Pass() {
		t.Fatalf("demo bundle fails its evidence check:\n%s", out)
	}
	if got, want := len(rep.Rows), len(evidence.RowIDs())+1; got != want {
		t.Fatalf("%d rows, want %d", got, want)
	}
	for _, want := range []string{"evidence PASS: infusion-pump 2.5.0", "FDA-SBOM          pass", "IEC81001-6.3.3    pass",
		"security version raised 3 → 4", "4 vulnerabilities: 1 fixed, 2 not affected, 1 affected"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// TestCheckFailsOnRemovedOrAlteredFile: every bundle file, removed or
// altered after verification, fails the check, and every row naming it
// says so.
func TestCheckFailsOnRemovedOrAlteredFile(t *testing.T) {
	_, res, files := demoBundle(t, nil)
	var referenced []string
	for _, r := range evidence.Check(res, files).Rows {
		for _, f := range r.Row.Files {
			if f != evidence.ManifestName && !slices.Contains(referenced, f) {
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
				rep := evidence.Check(res, c)
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

// TestCheckFailsOnResignedBundle: even a bundle signed by the release key
// fails when a document is missing or says the wrong thing.
func TestCheckFailsOnResignedBundle(t *testing.T) {
	tests := []struct {
		name, row, want string
		edit            func(map[string][]byte)
	}{
		{"no notice", "IEC81001-6.1", "NOTICE.md", func(d map[string][]byte) { d[evidence.NoticeName] = nil }},
		{"no rollout plan", "FDA-ANTIROLLBACK", "rollout.json", func(d map[string][]byte) { d[evidence.RolloutName] = nil }},
		{"no advisory", "FDA-VULN", "no file under csaf/", func(d map[string][]byte) { d[advisoryPath] = nil }},
		{"no evidence.json", evidence.PackRowID, "evidence.json", func(d map[string][]byte) { d[evidence.PackName] = nil }},
		{"notice without rollback", "IEC81001-6.1", `"## Roll back" missing`, func(d map[string][]byte) {
			d[evidence.NoticeName] = []byte(strings.Replace(string(d[evidence.NoticeName]), "## Roll back", "## Later", 1))
		}},
		{"EVIDENCE.md edited", evidence.PackRowID, "EVIDENCE.md does not match evidence.json", func(d map[string][]byte) {
			d[evidence.TableName] = append(d[evidence.TableName], "| EXTRA | | | | | |\n"...)
		}},
		{"advisory says affected", "FDA-VULN", "CVE-2024-28755 is known_affected, the VEX says fixed", func(d map[string][]byte) {
			d[advisoryPath] = []byte(strings.Replace(string(d[advisoryPath]), `"fixed": [`, `"known_affected": [`, 1))
		}},
		{"rollout claims another security version", "FDA-ANTIROLLBACK", "rollout.json: security version 3 → 5", func(d map[string][]byte) {
			d[evidence.RolloutName] = []byte(strings.Replace(string(d[evidence.RolloutName]), `"new": 4`, `"new": 5`, 1))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, res, files := demoBundle(t, tt.edit)
			rep := evidence.Check(res, files)
			if rep.Pass() {
				t.Fatal("check passed")
			}
			i := slices.IndexFunc(rep.Rows, func(r evidence.Result) bool { return r.Row.ID == tt.row })
			if i < 0 || rep.Rows[i].Pass || !strings.Contains(rep.Rows[i].Detail, tt.want) {
				t.Fatalf("row %s should fail naming %q:\n%s", tt.row, tt.want, report(rep))
			}
		})
	}
}

// TestRemovedFromDisk: bundle.Verify runs first and refuses the bundle.
func TestRemovedFromDisk(t *testing.T) {
	dir, _, _ := demoBundle(t, nil)
	if err := os.Remove(filepath.Join(dir, evidence.NoticeName)); err != nil {
		t.Fatal(err)
	}
	_, err := bundle.Verify(dir, loadKey(t, "release").Public(), bundle.VerifyOptions{})
	if !errors.Is(err, bundle.ErrMissing) {
		t.Fatalf("got %v, want bundle.ErrMissing", err)
	}
}
