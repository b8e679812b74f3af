package appliance_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"signbox/appliance"
	"signbox/policy"
)

// TestRunTriageNoFeed: a workspace without an imported feed is refused
// with ErrFeed, which cmd/signbox turns into "import a current snapshot".
func TestRunTriageNoFeed(t *testing.T) {
	_, err := appliance.RunTriage(t.TempDir(), &policy.Policy{}, "sbom.json", "2026-11-21")
	if !errors.Is(err, appliance.ErrFeed) {
		t.Fatalf("RunTriage without a feed: %v, want ErrFeed", err)
	}
}

// TestOpenStoreLayout pins the content store's place in a workspace.
func TestOpenStoreLayout(t *testing.T) {
	root := t.TempDir()
	if _, err := appliance.OpenStore(root); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{appliance.ObjectsDirName, appliance.ImportsDirName} {
		if fi, err := os.Stat(filepath.Join(root, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v", d, err)
		}
	}
}
