package bundle

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"signbox/airgap"
	"signbox/internal/atomicfile"
)

func TestBuildWriteVerify(t *testing.T) {
	b := defaultRelease().build(t)
	dir := t.TempDir()
	for _, form := range []string{"dir", "tar"} {
		t.Run(form, func(t *testing.T) {
			p := filepath.Join(dir, "bundle-"+form)
			write := b.WriteDir
			if form == "tar" {
				write = b.WriteTar
			}
			if err := write(p); err != nil {
				t.Fatal(err)
			}
			if err := write(p); !errors.Is(err, atomicfile.ErrExists) {
				t.Fatalf("second write: %v, want ErrExists", err)
			}
			pub := loadKey(t, "release").Public()
			res, err := Verify(p, pub, VerifyOptions{Product: "infusion-pump", LastSeen: &Release{Version: "2.4.1", SecurityVersion: 3}})
			if err != nil {
				t.Fatal(err)
			}
			if !res.ProductChecked || !res.ReplayChecked || len(res.Images) != 2 || res.Manifest.SecurityVersion != 4 {
				t.Fatalf("result = %+v", res)
			}
			if res.Images[0].Slot != 0 || res.ManifestSHA256 != b.ManifestSHA256 || len(res.Images[0].Data) == 0 {
				t.Fatalf("images = %+v", res.Images)
			}
		})
	}
	// The two forms hold the same files.
	d, err := airgap.OpenMedia(filepath.Join(dir, "bundle-dir"), airgap.BundleLimits)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := airgap.OpenMedia(filepath.Join(dir, "bundle-tar"), airgap.BundleLimits)
	if err != nil {
		t.Fatal(err)
	}
	de, te := d.Entries(), tr.Entries()
	if len(de) != len(te) {
		t.Fatalf("dir has %d files, tar %d", len(de), len(te))
	}
	for i := range de {
		if de[i] != te[i] {
			t.Errorf("entry %d: dir %+v, tar %+v", i, de[i], te[i])
		}
	}
}

func TestVerifyMissingPath(t *testing.T) {
	_, err := Verify(filepath.Join(t.TempDir(), "nope"), loadKey(t, "release").Public(), VerifyOptions{})
	var ve *VerifyError
	if !errors.Is(err, os.ErrNotExist) || errors.As(err, &ve) {
		t.Fatalf("err = %v, want a plain not-exist error (could not check, not invalid)", err)
	}
}
