package airgap

import (
	"archive/tar"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"signbox/airgap/envelope"
)

// hostileCase is one entry of the hostile-media corpus: a change to a
// valid release request and the refusal it must produce. Each case runs
// against the tar form and, where a directory can express it, the
// directory form.
type hostileCase struct {
	name    string
	edit    func(t testing.TB, ms []member) []member
	want    error // nil: must verify
	tarOnly bool  // names a directory cannot hold (absolute, "..", duplicates)
	limits  *Limits
	opts    func(t testing.TB, ms []member) VerifyOptions
}

func replace(ms []member, name string, m member) []member {
	out := slices.Clone(ms)
	for i := range out {
		if out[i].name == name {
			out[i] = m
		}
	}
	return out
}

func without(ms []member, name string) []member {
	return slices.DeleteFunc(slices.Clone(ms), func(m member) bool { return m.name == name })
}

func add(ms []member, extra ...member) []member { return append(slices.Clone(ms), extra...) }

func keep(_ testing.TB, ms []member) []member { return ms }

var buildKey, otherKey = mustKey(), mustKey()

func mustKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func signed(k *ecdsa.PrivateKey, payload func(ms []member) []byte) func(t testing.TB, ms []member) []member {
	return func(t testing.TB, ms []member) []member {
		env, err := envelope.Sign(k, PayloadTypeRequest, payload(ms))
		if err != nil {
			t.Fatal(err)
		}
		return add(ms, member{name: RequestSignature, data: env})
	}
}

func manifestOf(ms []member) []byte { return ms[0].data }

func pinned(_ testing.TB, _ []member) VerifyOptions {
	return VerifyOptions{BuildKeys: []crypto.PublicKey{buildKey.Public()}}
}

var hostileCases = []hostileCase{
	{name: "valid", edit: keep},
	{name: "valid signed", edit: signed(buildKey, manifestOf), opts: pinned},
	{name: "symlink file", want: ErrLink, edit: func(_ testing.TB, ms []member) []member {
		return replace(ms, "images/app.bin", member{name: "images/app.bin", typ: tar.TypeSymlink, link: "/etc/passwd"})
	}},
	{name: "symlink dir", want: ErrLink, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "more", typ: tar.TypeSymlink, link: "images"})
	}},
	{name: "dangling symlink", want: ErrLink, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "x", typ: tar.TypeSymlink, link: "../../nowhere"})
	}},
	{name: "hard link", want: ErrLink, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "copy.bin", typ: tar.TypeLink, link: "images/app.bin"})
	}},
	{name: "absolute path", want: ErrUnsafePath, tarOnly: true, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "/etc/cron.d/evil", data: []byte("x")})
	}},
	{name: "dot-dot", want: ErrUnsafePath, tarOnly: true, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "../evil", data: []byte("x")})
	}},
	{name: "inner dot-dot", want: ErrUnsafePath, tarOnly: true, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "images/../../evil", data: []byte("x")})
	}},
	{name: "backslash", want: ErrUnsafePath, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: `images\app.bin`, data: []byte("x")})
	}},
	{name: "hidden file", want: ErrUnsafePath, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: ".hidden", data: []byte("x")})
	}},
	{name: "non-ascii", want: ErrUnsafePath, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "ımages", data: []byte("x")})
	}},
	{name: "fifo", want: ErrSpecialFile, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "pipe", typ: tar.TypeFifo})
	}},
	{name: "char device", want: ErrSpecialFile, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "null", typ: tar.TypeChar})
	}},
	{name: "block device", want: ErrSpecialFile, tarOnly: true, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "sda", typ: tar.TypeBlock})
	}},
	{name: "pax global header", want: ErrSpecialFile, tarOnly: true, edit: func(_ testing.TB, ms []member) []member {
		return append([]member{{name: "pax_global_header", typ: tar.TypeXGlobalHeader}}, ms...)
	}},
	{name: "duplicate", want: ErrDuplicate, tarOnly: true, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "images/app.bin", data: []byte("second copy")})
	}},
	{name: "file and dir", want: ErrDuplicate, tarOnly: true, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "sbom.cdx.json/x", data: []byte("x")})
	}},
	{name: "case collision", want: ErrCaseCollision, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "images/APP.bin", data: []byte("x")})
	}},
	{name: "case collision dir", want: ErrCaseCollision, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "Images/x.bin", data: []byte("x")})
	}},
	{name: "oversize file", want: ErrLimit, limits: &Limits{MaxEntries: 32, MaxManifestBytes: 4096, MaxFileBytes: 20, MaxTotalBytes: 1 << 20}, edit: keep},
	{name: "oversize manifest", want: ErrLimit, limits: &Limits{MaxEntries: 32, MaxManifestBytes: 100, MaxFileBytes: 1 << 20, MaxTotalBytes: 1 << 20}, edit: keep},
	{name: "oversize total", want: ErrLimit, limits: &Limits{MaxEntries: 32, MaxManifestBytes: 4096, MaxFileBytes: 4096, MaxTotalBytes: 200}, edit: keep},
	{name: "too many entries", want: ErrLimit, limits: &Limits{MaxEntries: 3, MaxManifestBytes: 4096, MaxFileBytes: 4096, MaxTotalBytes: 1 << 20}, edit: keep},
	{name: "extra file", want: ErrNotListed, edit: func(_ testing.TB, ms []member) []member {
		return add(ms, member{name: "README.txt", data: []byte("hi")})
	}},
	{name: "missing file", want: ErrMissing, edit: func(_ testing.TB, ms []member) []member {
		return without(ms, "images/bootloader.bin")
	}},
	{name: "missing manifest", want: ErrMissing, edit: func(_ testing.TB, ms []member) []member {
		return without(ms, RequestManifest)
	}},
	{name: "hash mismatch", want: ErrDigest, edit: func(_ testing.TB, ms []member) []member {
		b := slices.Clone(ms[3].data)
		b[0] ^= 1
		return replace(ms, "images/app.bin", member{name: "images/app.bin", data: b})
	}},
	{name: "size mismatch", want: ErrSize, edit: func(_ testing.TB, ms []member) []member {
		return replace(ms, "images/app.bin", member{name: "images/app.bin", data: append(slices.Clone(ms[3].data), 0)})
	}},
	{name: "swapped images", want: ErrSize, edit: func(_ testing.TB, ms []member) []member {
		out := replace(ms, "images/app.bin", member{name: "images/app.bin", data: ms[2].data})
		return replace(out, "images/bootloader.bin", member{name: "images/bootloader.bin", data: ms[3].data})
	}},
	{name: "manifest unknown field", want: ErrManifest, edit: func(_ testing.TB, ms []member) []member {
		m := slices.Clone(ms[0].data)
		m = append([]byte(`{"debug":true,`), m[1:]...)
		return replace(ms, RequestManifest, member{name: RequestManifest, data: m})
	}},
	{name: "manifest of a feed", want: ErrManifest, edit: func(_ testing.TB, ms []member) []member {
		return replace(ms, RequestManifest, member{name: RequestManifest, data: []byte(`{"kind":"` + KindFeed + `"}`)})
	}},
	{name: "unsigned but key pinned", want: ErrSignature, edit: keep, opts: pinned},
	{name: "signed by other key", want: ErrSignature, edit: signed(otherKey, manifestOf), opts: pinned},
	{name: "signature over other bytes", want: ErrSignature, opts: pinned, edit: signed(buildKey, func(ms []member) []byte {
		return append(slices.Clone(ms[0].data), ' ')
	})},
}

func TestHostileMedia(t *testing.T) {
	for _, tc := range hostileCases {
		for _, form := range []Form{FormTar, FormDir} {
			if form == FormDir && tc.tarOnly {
				continue
			}
			t.Run(tc.name+"/"+form.String(), func(t *testing.T) {
				ms := tc.edit(t, validRequest(t))
				path := filepath.Join(t.TempDir(), "media")
				if form == FormTar {
					path += ".tar"
					writeTestTar(t, path, ms)
				} else if !writeDir(t, path, ms) {
					t.Skip("cannot create this file type here (device nodes need root)")
				}
				lim := RequestLimits
				if tc.limits != nil {
					lim = *tc.limits
				}
				var opts VerifyOptions
				if tc.opts != nil {
					opts = tc.opts(t, ms)
				}
				v, err := VerifyRequestLimits(path, opts, lim)
				checkVerdict(t, err, tc.want)
				if err == nil && v.Request.Product != "infusion-pump" {
					t.Errorf("product = %q", v.Request.Product)
				}
			})
		}
	}
}

func checkVerdict(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	var me *MediaError
	if !errors.As(err, &me) || me.Path == "" {
		t.Fatalf("error %v does not name the offending path", err)
	}
	t.Logf("refused: %v", err)
}

// TestMediaRootSymlink: the media path itself being a symlink (to a valid
// request directory or tar) is refused as a link, by name, before anything
// under it is read — not merely tripped over later as some other error.
func TestMediaRootSymlink(t *testing.T) {
	for _, form := range []Form{FormTar, FormDir} {
		t.Run(form.String(), func(t *testing.T) {
			dir := t.TempDir()
			real := filepath.Join(dir, "real")
			if form == FormTar {
				real += ".tar"
				writeTestTar(t, real, validRequest(t))
			} else {
				writeDir(t, real, validRequest(t))
			}
			if _, err := VerifyRequest(real, VerifyOptions{}); err != nil {
				t.Fatalf("the real path: %v", err)
			}
			link := filepath.Join(dir, "media")
			if err := os.Symlink(real, link); err != nil {
				t.Fatal(err)
			}
			_, err := VerifyRequest(link, VerifyOptions{})
			checkVerdict(t, err, ErrLink)
			if !strings.Contains(err.Error(), "the media path itself is a symlink") {
				t.Fatalf("error does not say the media path is the link: %v", err)
			}
		})
	}
}
