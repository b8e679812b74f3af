package airgap

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSurveySaysWhatIsThere(t *testing.T) {
	root := t.TempDir()
	mk := func(p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk("usb/request-1.0.0/request.json")
	mk("usb/request-1.1.0/request.json")
	mk("usb/notes.txt")
	mk("feeds/a.zip")
	mk("good/request.json")
	if err := os.Mkdir(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dir, want string }{
		{"usb", "no request.json in " + root + "/usb; found request-1.0.0/ and request-1.1.0/ (holding request.json) and other entries"},
		{"feeds", "no request.json in " + root + "/feeds; found a.zip"},
		{"empty", "no request.json in " + root + "/empty; the directory is empty"},
		{"gone", root + "/gone does not exist (is the media mounted?)"},
	} {
		err := Survey(filepath.Join(root, tc.dir), RequestManifest)
		if err == nil || err.Error() != tc.want || !errors.Is(err, ErrNoManifest) {
			t.Errorf("%s: got %v\nwant %s", tc.dir, err, tc.want)
		}
	}
	if err := Survey(filepath.Join(root, "good"), RequestManifest); err != nil {
		t.Errorf("media holding request.json: %v", err)
	}
	if err := Survey(filepath.Join(root, "usb/notes.txt"), RequestManifest); err != nil {
		t.Errorf("a file (tar media) is the verifier's to read: %v", err)
	}
}
