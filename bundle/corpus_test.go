package bundle

import (
	"archive/tar"
	"bytes"
	"crypto"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"signbox/airgap"
	"signbox/device/esp"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus and golden files")

// tarMember is one member of a corpus tar.
type tarMember struct {
	name string
	typ  byte
	data []byte
	link string
}

func readTar(t testing.TB, b []byte) []tarMember {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	var out []tarMember
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tarMember{name: h.Name, typ: h.Typeflag, data: data, link: h.Linkname})
	}
}

func makeTar(t testing.TB, ms []tarMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Mode: 0o444, Size: int64(len(m.data)), Linkname: m.link, ModTime: ceremonyDate, Format: tar.FormatUSTAR}
		if m.typ != tar.TypeReg {
			h.Size, h.Mode = 0, 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(m.data[:h.Size]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func bundleTar(t testing.TB, b *Bundle) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "b.tar")
	// No read-back check: some corpus bundles are invalid on purpose
	// (WriteTar itself would refuse to leave them on the media).
	x := b.export()
	x.Check = func(string) error { return nil }
	if err := x.WriteTar(p); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func edit(ms []tarMember, name string, f func(m *tarMember)) []tarMember {
	out := slices.Clone(ms)
	for i := range out {
		if out[i].name == name {
			m := out[i]
			m.data = slices.Clone(m.data)
			f(&m)
			out[i] = m
		}
	}
	return out
}

func drop(ms []tarMember, name string) []tarMember {
	return slices.DeleteFunc(slices.Clone(ms), func(m tarMember) bool { return m.name == name })
}

// corpusCase is one corrupt (or good) bundle and its expected verdict.
type corpusCase struct {
	name string // also the corpus file, unless file is set
	file string
	want error // nil: verifies
	opts VerifyOptions
	key  string // release key to verify with; default "release"
}

// buildCorpus makes every corpus bundle as tar bytes, keyed by file name,
// with its verdict.
func buildCorpus(t testing.TB) (map[string][]byte, []corpusCase) {
	good := bundleTar(t, defaultRelease().build(t))
	members := readTar(t, good)
	files := map[string][]byte{}
	var cases []corpusCase
	add := func(name string, b []byte, want error, opts VerifyOptions, key string) {
		files[name+".tar"] = b
		cases = append(cases, corpusCase{name: name + ".tar", want: want, opts: opts, key: key})
	}
	add("good", good, nil, VerifyOptions{Product: "infusion-pump", LastSeen: &Release{"2.4.1", 3}}, "")
	// A bit flip in every regular member.
	for _, m := range members {
		if m.typ != tar.TypeReg {
			continue
		}
		want := ErrDigest
		if m.name == airgap.BundleManifest {
			want = ErrSignature
		}
		flipped := edit(members, m.name, func(m *tarMember) { m.data[len(m.data)/2] ^= 0x10 })
		add("flip-"+strings.NewReplacer("/", "-", ".", "-").Replace(m.name), makeTar(t, flipped), want, VerifyOptions{}, "")
	}
	add("truncated-app", makeTar(t, edit(members, "images/app.bin", func(m *tarMember) { m.data = m.data[:len(m.data)-100] })), ErrSize, VerifyOptions{}, "")
	add("truncated-manifest", makeTar(t, edit(members, airgap.BundleManifest, func(m *tarMember) { m.data = m.data[:len(m.data)/2] })), ErrSignature, VerifyOptions{}, "")
	add("truncated-tar", good[:len(good)/2], ErrMedia, VerifyOptions{}, "")
	add("extra-member", makeTar(t, append(slices.Clone(members), tarMember{name: "README.txt", typ: tar.TypeReg, data: []byte("hi")})), ErrExtra, VerifyOptions{}, "")
	add("missing-sbom", makeTar(t, drop(members, "sbom.cdx.json")), ErrMissing, VerifyOptions{}, "")
	add("missing-notice", makeTar(t, drop(members, "NOTICE.md")), ErrMissing, VerifyOptions{}, "")
	add("missing-manifest", makeTar(t, drop(members, airgap.BundleManifest)), ErrMissing, VerifyOptions{}, "")
	add("symlink-member", makeTar(t, append(slices.Clone(members), tarMember{name: "link", typ: tar.TypeSymlink, link: "/etc/passwd"})), ErrMedia, VerifyOptions{}, "")
	add("swapped-images", makeTar(t, swapImages(members)), ErrDigest, VerifyOptions{}, "")
	// The good bundle under the wrong expectations.
	alias := func(name string, want error, opts VerifyOptions, key string) {
		cases = append(cases, corpusCase{name: name, file: "good.tar", want: want, opts: opts, key: key})
	}
	alias("good+wrong-release-key", ErrSignature, VerifyOptions{}, "other-release")
	alias("good+other-product", ErrProduct, VerifyOptions{Product: "ventilator"}, "")
	alias("good+device-revoked-slot0", ErrRevoked, VerifyOptions{Revoked: [3]bool{true}}, "")
	alias("good+device-efuse-mismatch", ErrImageSignature, VerifyOptions{EfuseDigests: [3][32]byte{keyDigest(t, "rsa3072-c")}}, "")

	old := defaultRelease()
	old.version, old.sv, old.imageSV = "2.4.1", 3, 3
	oldTar := bundleTar(t, old.build(t))
	add("older-release-replayed", oldTar, ErrReplay, VerifyOptions{LastSeen: &Release{"2.5.0", 4}}, "")
	add("older-release-below-floor", oldTar, ErrReplay, VerifyOptions{MinSecurityVersion: 4}, "")
	oldManifest := readTar(t, oldTar)
	add("older-manifest-in-new-bundle", makeTar(t, edit(members, airgap.BundleManifest, func(m *tarMember) {
		m.data = memberData(oldManifest, airgap.BundleManifest)
	})), ErrDigest, VerifyOptions{}, "")

	rev := defaultRelease()
	rev.revoked = map[string]bool{"rsa3072-a": true}
	add("signed-by-revoked-key", bundleTar(t, rev.build(t)), ErrRevoked, VerifyOptions{}, "")
	rot := rev
	rot.signers = []string{"rsa3072-a", "rsa3072-b"}
	add("rotated-after-revocation", bundleTar(t, rot.build(t)), nil, VerifyOptions{}, "")
	untrusted := defaultRelease()
	untrusted.signers = []string{"rsa3072-c"}
	add("signed-by-unlisted-key", bundleTar(t, untrusted.build(t)), ErrImageSignature, VerifyOptions{}, "")
	wrongSV := defaultRelease()
	wrongSV.imageSV = 2
	add("app-secure-version-mismatch", bundleTar(t, wrongSV.build(t)), ErrImage, VerifyOptions{}, "")
	add("key-digest-mismatch", bundleTar(t, wrongDigestBundle(t)), ErrKeyDigest, VerifyOptions{}, "")
	return files, cases
}

func memberData(ms []tarMember, name string) []byte {
	for _, m := range ms {
		if m.name == name {
			return m.data
		}
	}
	return nil
}

func swapImages(ms []tarMember) []tarMember {
	app, boot := memberData(ms, "images/app.bin"), memberData(ms, "images/bootloader.bin")
	out := edit(ms, "images/app.bin", func(m *tarMember) { m.data = boot })
	return edit(out, "images/bootloader.bin", func(m *tarMember) { m.data = app })
}

func keyDigest(t testing.TB, name string) [32]byte {
	d, err := esp.KeyDigest(loadKey(t, name).Public())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// wrongDigestBundle is validly signed by the release key but lists key b's
// digest for key a's file: a manifest bug the verifier must catch.
func wrongDigestBundle(t testing.TB) *Bundle {
	c := defaultRelease().contents(t)
	b, err := Build(c, loadKey(t, "release"))
	if err != nil {
		t.Fatal(err)
	}
	m := *b.Manifest
	m.Keys = slices.Clone(m.Keys)
	m.Keys[0].EfuseDigest, m.Keys[1].EfuseDigest = m.Keys[1].EfuseDigest, m.Keys[0].EfuseDigest
	out, err := seal(&m, b.files[:len(b.files)-1], loadKey(t, "release"), ceremonyDate)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func verdictName(err error) string {
	if err == nil {
		return "ok"
	}
	for _, v := range []error{ErrMedia, ErrSignature, ErrManifest, ErrMissing, ErrExtra, ErrSize, ErrDigest,
		ErrKeyDigest, ErrImage, ErrImageSignature, ErrRevoked, ErrProduct, ErrReplay} {
		if errors.Is(err, v) {
			return v.Error()
		}
	}
	return "unexpected: " + err.Error()
}

func runCorpusCase(t *testing.T, path string, c corpusCase) {
	key := c.key
	if key == "" {
		key = "release"
	}
	var pub crypto.PublicKey = loadKey(t, key).Public()
	_, err := Verify(path, pub, c.opts)
	if got, want := verdictName(err), verdictName(c.want); got != want {
		t.Fatalf("verdict %q, want %q (err: %v)", got, want, err)
	}
	if err != nil {
		t.Logf("%v", err)
	}
}

// TestCorruptCorpus verifies the committed corpus (testdata/corpus, one
// tar per case, verdicts in VERDICTS) in tar and directory form, and a
// freshly generated one, so both the format and the generator are pinned.
func TestCorruptCorpus(t *testing.T) {
	files, cases := buildCorpus(t)
	dir := filepath.Join("testdata", "corpus")
	if *update {
		writeCorpus(t, dir, files, cases)
	}
	checkVerdictsFile(t, dir, cases)
	fresh := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(fresh, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cases {
		file := c.name
		if c.file != "" {
			file = c.file
		}
		t.Run("committed/"+c.name, func(t *testing.T) { runCorpusCase(t, filepath.Join(dir, file), c) })
		t.Run("fresh/"+c.name, func(t *testing.T) { runCorpusCase(t, filepath.Join(fresh, file), c) })
		t.Run("dir/"+c.name, func(t *testing.T) {
			p, ok := extractForTest(t, files[file])
			if !ok {
				t.Skip("not expressible as a directory")
			}
			runCorpusCase(t, p, c)
		})
	}
}

func writeCorpus(t *testing.T, dir string, files map[string][]byte, cases []corpusCase) {
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "VERDICTS"), []byte(verdictsText(cases)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func verdictsText(cases []corpusCase) string {
	var lines []string
	for _, c := range cases {
		lines = append(lines, fmt.Sprintf("%-44s %s", c.name, verdictName(c.want)))
	}
	sort.Strings(lines)
	return "# case (file, or good.tar+expectation)  expected verdict of bundle.Verify; options in corpus_test.go\n" + strings.Join(lines, "\n") + "\n"
}

func checkVerdictsFile(t *testing.T, dir string, cases []corpusCase) {
	got, err := os.ReadFile(filepath.Join(dir, "VERDICTS"))
	if err != nil {
		t.Fatalf("%v (run go test ./bundle -run TestCorruptCorpus -update)", err)
	}
	if string(got) != verdictsText(cases) {
		t.Fatalf("testdata/corpus/VERDICTS is stale; run with -update")
	}
}

// extractForTest writes a tar's regular members as a directory, the way a
// careful person would copy the bundle onto media. Members that are not
// regular files or directories, and tars that do not parse, are skipped.
func extractForTest(t *testing.T, b []byte) (string, bool) {
	root := filepath.Join(t.TempDir(), "bundle")
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return root, true
		}
		if err != nil || (h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeDir) {
			return "", false
		}
		p := filepath.Join(root, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeDir {
			continue
		}
		data, _ := io.ReadAll(tr)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
