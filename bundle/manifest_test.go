package bundle

import (
	"bytes"
	"strings"
	"testing"
)

func exampleManifest() *Manifest {
	h := func(c string) string { return strings.Repeat(c, 64) }
	return &Manifest{
		Kind: ManifestKind, Product: "infusion-pump", Version: "2.5.0", Chip: "esp32c3", SecurityVersion: 4,
		CeremonyDate: "2026-11-21", PlanDigest: "sha256:" + h("a"),
		// Deliberately unsorted: Encode sorts.
		Images: []Image{{Role: "bootloader", Path: "images/bootloader.bin"}, {Role: "app", Path: "images/app.bin"}},
		Keys:   []Key{{Slot: 1, Path: "keys/b.pub.pem", EfuseDigest: h("2"), Revoked: false}, {Slot: 0, Path: "keys/a.pub.pem", EfuseDigest: h("1"), Revoked: true}},
		Files: []File{
			{Path: "sbom.cdx.json", Role: RoleSBOM, SHA256: h("3"), Size: 10},
			{Path: "images/app.bin", Role: RoleImage, SHA256: h("4"), Size: 8192},
			{Path: "images/bootloader.bin", Role: RoleImage, SHA256: h("5"), Size: 4096},
			{Path: "keys/a.pub.pem", Role: RolePublicKey, SHA256: h("6"), Size: 600},
			{Path: "keys/b.pub.pem", Role: RolePublicKey, SHA256: h("7"), Size: 600},
			{Path: "vex.cdx.json", Role: RoleVEX, SHA256: h("8"), Size: 20},
			{Path: "ceremony/transcript.json", Role: RoleTranscript, SHA256: h("9"), Size: 30},
			{Path: "ceremony/approvals/alice.dsse.json", Role: RoleApproval, SHA256: h("b"), Size: 40},
			{Path: "audit/checkpoint.txt", Role: RoleCheckpoint, SHA256: h("c"), Size: 50},
		},
	}
}

// TestManifestSerialization pins the exact signed bytes. Changing them
// breaks every bundle already in the field: bump ManifestKind instead.
func TestManifestSerialization(t *testing.T) {
	h := func(c string) string { return strings.Repeat(c, 64) }
	want := `{"kind":"signbox.release-bundle/v1",` + // checked before the rest is decoded
		`"product":"infusion-pump","version":"2.5.0","chip":"esp32c3","security_version":4,` +
		`"ceremony_date":"2026-11-21","plan_digest":"sha256:` + h("a") + `",` +
		`"images":[{"role":"app","path":"images/app.bin"},{"role":"bootloader","path":"images/bootloader.bin"}],` + // by role
		`"keys":[{"slot":0,"path":"keys/a.pub.pem","efuse_digest":"` + h("1") + `","revoked":true},` + // by slot
		`{"slot":1,"path":"keys/b.pub.pem","efuse_digest":"` + h("2") + `","revoked":false}],` +
		`"files":[` + // by path, bytewise
		`{"path":"audit/checkpoint.txt","role":"checkpoint","sha256":"` + h("c") + `","size":50},` +
		`{"path":"ceremony/approvals/alice.dsse.json","role":"approval","sha256":"` + h("b") + `","size":40},` +
		`{"path":"ceremony/transcript.json","role":"transcript","sha256":"` + h("9") + `","size":30},` +
		`{"path":"images/app.bin","role":"image","sha256":"` + h("4") + `","size":8192},` +
		`{"path":"images/bootloader.bin","role":"image","sha256":"` + h("5") + `","size":4096},` +
		`{"path":"keys/a.pub.pem","role":"public-key","sha256":"` + h("6") + `","size":600},` +
		`{"path":"keys/b.pub.pem","role":"public-key","sha256":"` + h("7") + `","size":600},` +
		`{"path":"sbom.cdx.json","role":"sbom","sha256":"` + h("3") + `","size":10},` +
		`{"path":"vex.cdx.json","role":"vex","sha256":"` + h("8") + `","size":20}]}` // no trailing newline
	got, err := exampleManifest().Encode()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("encoding changed:\n got %s\nwant %s", got, want)
	}
	m, err := ParseManifest(got)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := m.Encode()
	if !bytes.Equal(again, got) {
		t.Fatal("parse/encode not stable")
	}
}

func TestParseManifestRejects(t *testing.T) {
	good, err := exampleManifest().Encode()
	if err != nil {
		t.Fatal(err)
	}
	s := string(good)
	tests := []struct{ name, in, err string }{
		{"other kind first", strings.Replace(s, ManifestKind, "signbox.release-request/v1", 1), "kind is"},
		{"not canonical", strings.Replace(s, `"product"`, ` "product"`, 1), "canonical"},
		{"unknown field", strings.Replace(s, `"product"`, `"debug":1,"product"`, 1), "unknown field"},
		{"duplicate key", strings.Replace(s, `"product":"infusion-pump"`, `"product":"a","product":"infusion-pump"`, 1), "duplicate key"},
		{"bad chip", strings.Replace(s, "esp32c3", "esp8266", 1), "chip"},
		{"bad date", strings.Replace(s, "2026-11-21", "21/11/2026", 1), "ceremony_date"},
		{"bad digest", strings.Replace(s, "sha256:aaaa", "sha1:aaaa", 1), "plan_digest"},
		{"traversal", strings.Replace(s, "audit/checkpoint.txt", "../checkpoint.txt", 1), "files[0].path"},
		{"image not listed", strings.Replace(s, `"path":"images/app.bin"}`, `"path":"images/other.bin"}`, 1), "images[0].path"},
		{"slot out of range", strings.Replace(s, `"slot":1`, `"slot":3`, 1), "slot"},
		{"trailing", s + "\n", "canonical"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want %q", err, tc.err)
			}
		})
	}
}
