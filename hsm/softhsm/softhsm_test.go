package softhsm_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
	"signbox/hsm/softhsm"
)

func TestNewDir(t *testing.T) {
	root := t.TempDir()
	d, err := softhsm.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(d.ConfPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"directories.tokendir = " + filepath.Join(root, "tokens"), "objectstore.backend = file", "slots.mechanisms = ALL"} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("softhsm2.conf lacks %q:\n%s", want, conf)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, "tokens")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("token dir: %v %v", fi, err)
	}
	if _, err := softhsm.NewDir(root); err != nil {
		t.Errorf("reopening the same dir: %v", err)
	}
	if _, err := softhsm.NewDir(root, softhsm.WithMechanisms("-,CKM_EDDSA")); err == nil || !strings.Contains(err.Error(), "not overwriting") {
		t.Errorf("NewDir over a different config: %v", err)
	}
}

// One test drives the whole process-wide lifecycle, because the first Dir
// that inits a token owns SOFTHSM2_CONF for the rest of the process.
func TestInitToken(t *testing.T) {
	hsmtest.Require(t)
	d, err := softhsm.NewDir(t.TempDir(), softhsm.WithModule(hsmtest.Module()))
	if err != nil {
		t.Fatal(err)
	}
	info, err := d.InitToken("ceremony", []byte("user-pin"), []byte("so-pin"))
	if err != nil {
		t.Fatal(err)
	}
	if info.ConfPath != d.ConfPath() || os.Getenv("SOFTHSM2_CONF") != d.ConfPath() || string(info.UserPIN) != "user-pin" {
		t.Errorf("TokenInfo = %+v, SOFTHSM2_CONF=%s", info, os.Getenv("SOFTHSM2_CONF"))
	}
	if strings.Contains(info.URI, "pin") && !strings.Contains(info.URI, "module-path") {
		t.Errorf("URI %s", info.URI)
	}
	tok, err := hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
	if err != nil {
		t.Fatal(err)
	}
	tok.Close()
	if _, err := d.InitToken("ceremony", []byte("a"), []byte("b")); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second token with the same label: %v", err)
	}
	if _, err := d.InitToken(strings.Repeat("l", 33), []byte("a"), []byte("b")); err == nil || !strings.Contains(err.Error(), "1 to 32 bytes") {
		t.Errorf("33-byte label: %v", err)
	}
	other, err := softhsm.NewDir(t.TempDir(), softhsm.WithModule(hsmtest.Module()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.InitToken("x", []byte("a"), []byte("b")); err == nil || !strings.Contains(err.Error(), "read once per process") {
		t.Errorf("second Dir in one process: %v", err)
	}
}
