package emu

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"signbox/internal/atomicfile"
	"signbox/internal/lock"
)

func readState(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	for _, f := range []string{flashFile, efuseFile, runtimeFile} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// TestSaveRefusesChangedState: two library callers open one device; the
// second save would undo the first one's writes, so it is refused and
// writes nothing.
func TestSaveRefusesChangedState(t *testing.T) {
	now := testClock()
	dir := provisionLogged(t, now)
	d1, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d1.SetClock(now)
	d2.SetClock(now)
	mustBoot(t, d1, 0)
	if err := d1.Save(); err != nil {
		t.Fatal(err)
	}
	if _, err := d1.Install(AppImage(app(t, 2, "2.0.0"))); err != nil {
		t.Fatal(err)
	}
	if err := d1.Save(); err != nil {
		t.Fatalf("a device's second save over its own first: %v", err)
	}
	saved := readState(t, dir)
	entries := typesOf(deviceEntries(t, filepath.Join(dir, auditDirName)))

	mustBoot(t, d2, 0)
	mustIs(t, d2.Save(), ErrStateChanged)
	if !bytes.Equal(readState(t, dir), saved) {
		t.Fatal("refused save wrote state")
	}
	if got := typesOf(deviceEntries(t, filepath.Join(dir, auditDirName))); got != entries {
		t.Fatalf("refused save logged: %s, was %s", got, entries)
	}
	// Opened again, the device sees the first caller's install.
	d3, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d3.SetClock(now)
	mustBoot(t, d3, 1)
	if err := d3.Save(); err != nil {
		t.Fatal(err)
	}
}

// TestSaveUnderAnotherHolder: while someone holds the state directory's
// lock, a plain Open+Save and an audit export fail at once naming the
// holder, and write nothing; the holder's own device (OpenLocked) saves.
func TestSaveUnderAnotherHolder(t *testing.T) {
	now := testClock()
	dir := provisionLogged(t, now)
	l, err := lock.Acquire(dir, "signbox device install")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()

	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d.SetClock(now)
	mustBoot(t, d, 0)
	before := readState(t, dir)
	err = d.Save()
	mustIs(t, err, lock.ErrHeld)
	if want := "is in use by PID"; !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Fatalf("error %q", err)
	}
	if !bytes.Equal(readState(t, dir), before) {
		t.Fatal("refused save wrote state")
	}
	_, err = d.ExportAudit(filepath.Join(t.TempDir(), "out"), now())
	mustIs(t, err, lock.ErrHeld)

	h, err := OpenLocked(l)
	if err != nil {
		t.Fatal(err)
	}
	h.SetClock(now)
	mustBoot(t, h, 0)
	if err := h.Save(); err != nil {
		t.Fatalf("save under the caller's lock: %v", err)
	}
	if _, err := h.ExportAudit(filepath.Join(t.TempDir(), "out"), now()); err != nil {
		t.Fatalf("export under the caller's lock: %v", err)
	}
	if !l.Held() {
		t.Fatal("the device released its caller's lock")
	}

	// Released, the lock no longer stands in the first device's way, but
	// the holder saved since that device read the state: refused.
	l.Release()
	mustIs(t, d.Save(), ErrStateChanged)
	if _, err := OpenLocked(l); err == nil {
		t.Fatal("OpenLocked with a released lock")
	}
}

// TestProvisionLocking: a state directory's lock file does not make it
// "not empty"; a held directory is not provisioned by anyone else, and a
// failed provisioning leaves the lock file but nothing else.
func TestProvisionLocking(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dev")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	l, err := lock.Acquire(dir, "signbox device provision")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ProvisionDir(dir, testConfig(t))
	mustIs(t, err, lock.ErrHeld)

	bad := testConfig(t)
	bad.App = []byte("not an image")
	if _, err := ProvisionLocked(l, bad); err == nil {
		t.Fatal("bad app provisioned")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != lock.FileName {
		t.Fatalf("failed provisioning left %v", ents)
	}

	res, err := ProvisionLocked(l, testConfig(t))
	if err != nil {
		t.Fatalf("provision an empty directory holding only its lock file: %v", err)
	}
	mustBoot(t, res.Device, 0)
	if err := res.Device.Save(); err != nil {
		t.Fatal(err)
	}
	l.Release()
	_, err = ProvisionDir(dir, testConfig(t))
	mustIs(t, err, atomicfile.ErrExists)
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
}

// TestProvisionDirRace: provisioners racing for one new directory: one
// wins, the others are refused (in use, or not empty), and the device is
// the winner's.
func TestProvisionDirRace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dev")
	cfg := testConfig(t)
	cfg.Now = func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) }
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := ProvisionDir(dir, cfg)
			errs <- err
		}()
	}
	won := 0
	for range 4 {
		switch err := <-errs; {
		case err == nil:
			won++
		case errors.Is(err, lock.ErrHeld), errors.Is(err, atomicfile.ErrExists):
		default:
			t.Errorf("provisioner: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d provisioners won", won)
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if got := typesOf(deviceEntries(t, filepath.Join(dir, auditDirName))); got != "PROVISIONED" {
		t.Fatalf("log %s", got)
	}
}
