package emu

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"signbox/audit"
)

// testClock is a fixed clock that advances one second per reading, so
// entries have distinct, ordered times without any wall clock.
func testClock() func() time.Time {
	t := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

// provisionLogged provisions a device with its own audit log in a fresh
// state directory.
func provisionLogged(t *testing.T, now func() time.Time) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dev")
	cfg := testConfig(t)
	cfg.Now = now
	if _, err := ProvisionDir(dir, cfg); err != nil {
		t.Fatal(err)
	}
	return dir
}

// cmd opens the device, runs op and saves, as each CLI command does.
func cmd(t *testing.T, dir string, now func() time.Time, op func(d *Device) error) error {
	t.Helper()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if now != nil {
		d.SetClock(now)
	}
	opErr := op(d)
	if err := d.Save(); err != nil {
		t.Fatalf("save: %v", err)
	}
	return opErr
}

func mustCmd(t *testing.T, dir string, now func() time.Time, op func(d *Device) error) {
	t.Helper()
	if err := cmd(t, dir, now, op); err != nil {
		t.Fatal(err)
	}
}

func boot(d *Device) error { _, err := d.Boot(); return err }

func exportLog(t *testing.T, dir string, now func() time.Time) (string, string) {
	t.Helper()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "export")
	if _, err := d.ExportAudit(out, now()); err != nil {
		t.Fatal(err)
	}
	vkey, err := d.AuditVerifierKey()
	if err != nil {
		t.Fatal(err)
	}
	return out, vkey
}

func verifier(t *testing.T, vkey string) note.Verifier {
	t.Helper()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// deviceEntries lists the device events of a log or export (log
// housekeeping left out).
func deviceEntries(t *testing.T, dir string) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	if err := audit.Walk(dir, func(e audit.Entry) error {
		if e.Type >= audit.BootResult {
			out = append(out, e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func typesOf(es []audit.Entry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.Type.String())
	}
	return strings.Join(s, " ")
}

func field(t *testing.T, e audit.Entry, key string) string {
	t.Helper()
	v, ok := audit.Field(e.Payload, key)
	if !ok {
		t.Fatalf("entry %d (%v) has no %s: %q", e.Seq, e.Type, key, e.Payload)
	}
	return v
}

func tampered(t *testing.T, b []byte) []byte {
	b = slices.Clone(b)
	b[len(b)/2] ^= 0x01
	return b
}

// TestDeviceAuditLifecycle: provision, boot, install, boot, confirm and a
// refused tampered image leave a log whose export verifies OK with the
// device's key (MACs included) and lists the events in order.
func TestDeviceAuditLifecycle(t *testing.T) {
	now := testClock()
	dir := provisionLogged(t, now)
	mustCmd(t, dir, now, boot)
	mustCmd(t, dir, now, func(d *Device) error { _, err := d.Install(AppImage(app(t, 2, "2.0.0"))); return err })
	mustCmd(t, dir, now, boot)
	mustCmd(t, dir, now, func(d *Device) error { _, err := d.Confirm(); return err })
	err := cmd(t, dir, now, func(d *Device) error { _, err := d.Install(AppImage(tampered(t, app(t, 3, "3.0.0")))); return err })
	mustIs(t, err, ErrSignature)

	out, vkey := exportLog(t, dir, now)
	id, _, err := loadIdentity(dir)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := audit.NewDerivedKeys(id.MACSeed)
	r, err := audit.Verify(out, audit.VerifyOptions{Trusted: verifier(t, vkey), Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != audit.OK || !r.Checks.KeyPinned || !r.Checks.MACs || len(r.Warnings) > 0 {
		t.Fatalf("verdict %v (%s), checks %+v, warnings %v", r.Verdict, r.Reason, r.Checks, r.Warnings)
	}
	if r.Origin != id.AuditOrigin() || !strings.HasPrefix(r.Origin, "signbox.local/emu-") {
		t.Fatalf("origin %q", r.Origin)
	}
	es := deviceEntries(t, out)
	want := "PROVISIONED BOOT_RESULT UPDATE_ACCEPTED BOOT_RESULT UPDATE_CONFIRMED UPDATE_REJECTED"
	if got := typesOf(es); got != want {
		t.Fatalf("device entries\n got %s\nwant %s", got, want)
	}
	if v := field(t, es[2], "version"); v != "2.0.0" {
		t.Errorf("accepted version %q", v)
	}
	if v := field(t, es[4], "efuse_after"); v != "2" {
		t.Errorf("confirm efuse_after %q", v)
	}
	rej := es[5]
	if r := field(t, rej, "reason"); !strings.Contains(r, "signature check failed") {
		t.Errorf("rejection reason %q", r)
	}
	if v := field(t, rej, "result"); v != "failed" {
		t.Errorf("rejection result %q", v)
	}
	for _, e := range es {
		if _, stale := audit.Field(e.Payload, "clock"); stale {
			t.Errorf("entry %d stamped without a clock", e.Seq)
		}
	}
	// The refusal also has a standalone inclusion proof in the export.
	p, err := os.ReadFile(filepath.Join(out, "inclusion", strconv.FormatInt(rej.Seq, 10)+".tlog-proof"))
	if err != nil {
		t.Fatal(err)
	}
	if e, _, err := audit.VerifyInclusion(p, verifier(t, vkey)); err != nil || e.Type != audit.UpdateRejected {
		t.Fatalf("inclusion proof: %v %v", e.Type, err)
	}
}

// TestDeviceAuditOriginsDiffer: each device names its own log, and one
// device's key or checkpoint says nothing about another's log.
func TestDeviceAuditOriginsDiffer(t *testing.T) {
	now := testClock()
	a, b := provisionLogged(t, now), provisionLogged(t, now)
	outA, vkeyA := exportLog(t, a, now)
	outB, vkeyB := exportLog(t, b, now)
	idA, _, _ := loadIdentity(a)
	idB, _, _ := loadIdentity(b)
	if idA.AuditOrigin() == idB.AuditOrigin() || vkeyA == vkeyB {
		t.Fatalf("two devices share origin %s or key", idA.AuditOrigin())
	}
	// A's checkpoint does not open under B's key...
	cpA, err := os.ReadFile(filepath.Join(outA, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := audit.OpenCheckpoint(cpA, verifier(t, vkeyB)); !errors.Is(err, audit.ErrUntrustedNote) {
		t.Fatalf("A's checkpoint under B's key: %v", err)
	}
	// ...B's export does not verify with A's key...
	r, err := audit.Verify(outB, audit.VerifyOptions{Trusted: verifier(t, vkeyA)})
	if err == nil && r.Verdict == audit.OK {
		t.Fatal("B's log verified OK with A's key")
	}
	// ...and A's checkpoint is no last-seen evidence for B's log.
	r, err = audit.Verify(outB, audit.VerifyOptions{Trusted: verifier(t, vkeyB), LastSeen: cpA})
	if err == nil && r.Verdict == audit.OK {
		t.Fatal("B's log verified OK against A's checkpoint")
	}
}

// TestDeviceAuditPowerCut: an install cut short by power loss is not in
// the log (the device never finished it); the reboot after it is.
func TestDeviceAuditPowerCut(t *testing.T) {
	now := testClock()
	dir := provisionLogged(t, now)
	mustCmd(t, dir, now, boot)
	err := cmd(t, dir, now, func(d *Device) error {
		d.Power().CutAt(3, true)
		_, err := d.Install(AppImage(app(t, 2, "2.0.0")))
		return err
	})
	mustIs(t, err, ErrPowerCut)
	mustCmd(t, dir, now, boot)
	out, vkey := exportLog(t, dir, now)
	if got, want := typesOf(deviceEntries(t, out)), "PROVISIONED BOOT_RESULT BOOT_RESULT"; got != want {
		t.Fatalf("entries %s, want %s", got, want)
	}
	if r, err := audit.Verify(out, audit.VerifyOptions{Trusted: verifier(t, vkey)}); err != nil || r.Verdict != audit.OK {
		t.Fatalf("verify: %v %+v", err, r)
	}
}

// TestDeviceAuditPowerCutEveryWrite: whichever write of an install the
// power fails at, the log holds an UPDATE_ACCEPTED exactly when the
// install completed, and a BOOT_RESULT for the reboot after it.
func TestDeviceAuditPowerCutEveryWrite(t *testing.T) {
	now := testClock()
	base := provisionLogged(t, now)
	mustCmd(t, base, now, boot)
	update := AppImage(app(t, 2, "2.0.0"))
	d, _ := Open(base)
	before := d.Power().Writes()
	if _, err := d.Install(update); err != nil {
		t.Fatal(err)
	}
	writes := d.Power().Writes() - before
	for n := 1; n <= writes+1; n++ {
		for _, tear := range []bool{false, true} {
			dir := filepath.Join(t.TempDir(), "dev")
			if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
				t.Fatal(err)
			}
			err := cmd(t, dir, now, func(d *Device) error {
				d.Power().CutAt(n, tear)
				_, err := d.Install(update)
				return err
			})
			mustCmd(t, dir, now, boot)
			want := "PROVISIONED BOOT_RESULT BOOT_RESULT"
			if err == nil {
				want = "PROVISIONED BOOT_RESULT UPDATE_ACCEPTED BOOT_RESULT"
			} else if !errors.Is(err, ErrPowerCut) {
				t.Fatalf("cut at write %d: %v", n, err)
			}
			if got := typesOf(deviceEntries(t, filepath.Join(dir, auditDirName))); got != want {
				t.Errorf("cut at write %d (tear %v): log %s, want %s", n, tear, got, want)
			}
		}
	}
}

// TestDeviceAuditSaveOrder: when the log cannot be written, the device
// state is saved without the event, Save says so, and the event reaches
// the log at the next save. The log lacks an event for a while; it never
// has one the state does not.
func TestDeviceAuditSaveOrder(t *testing.T) {
	now := testClock()
	dir := provisionLogged(t, now)
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d.SetClock(now)
	mustBoot(t, d, 0)
	// Someone else holds the log (say, an export running).
	id, _, _ := loadIdentity(dir)
	holder := &auditSink{id: id}
	l, err := holder.open(dir, now())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Save(); !errors.Is(err, audit.ErrLocked) {
		t.Fatalf("save with the log held: %v", err)
	}
	if got := typesOf(deviceEntries(t, filepath.Join(dir, auditDirName))); got != "PROVISIONED" {
		t.Fatalf("log has %s before the event was written", got)
	}
	if again, err := Open(dir); err != nil || again.Running() != 0 {
		t.Fatalf("state not saved: %v", err)
	}
	if s := d.Status(); s.Audit == nil || s.Audit.Pending != 1 {
		t.Fatalf("status %+v", s.Audit)
	}
	if err := l.Close(now()); err != nil {
		t.Fatal(err)
	}
	if err := d.Save(); err != nil {
		t.Fatal(err)
	}
	if got := typesOf(deviceEntries(t, filepath.Join(dir, auditDirName))); got != "PROVISIONED BOOT_RESULT" {
		t.Fatalf("log after the retry: %s", got)
	}
}

// TestDeviceAuditWithoutClock: a device opened by a caller that sets no
// clock (the appliance's rehearsal) still logs, with the newest time in
// its log as a lower bound and the entry marked.
func TestDeviceAuditWithoutClock(t *testing.T) {
	now := testClock()
	dir := provisionLogged(t, now)
	mustCmd(t, dir, nil, boot)
	es := deviceEntries(t, filepath.Join(dir, auditDirName))
	if typesOf(es) != "PROVISIONED BOOT_RESULT" {
		t.Fatalf("entries %s", typesOf(es))
	}
	if field(t, es[1], "clock") != "last-known" || es[1].Time.Before(es[0].Time) {
		t.Fatalf("boot entry %v %q", es[1].Time, es[1].Payload)
	}
	out, vkey := exportLog(t, dir, now)
	if r, err := audit.Verify(out, audit.VerifyOptions{Trusted: verifier(t, vkey)}); err != nil || r.Verdict != audit.OK {
		t.Fatalf("verify: %v %+v", err, r)
	}
}

// TestDeviceAuditRemovedLog: a device whose log was deleted refuses to
// save events rather than starting a new log, and a restored older copy
// is caught by the floor.
func TestDeviceAuditRemovedLog(t *testing.T) {
	now := testClock()
	dir := provisionLogged(t, now)
	logDir := filepath.Join(dir, auditDirName)
	old := filepath.Join(t.TempDir(), "old")
	if err := os.CopyFS(old, os.DirFS(logDir)); err != nil {
		t.Fatal(err)
	}
	mustCmd(t, dir, now, boot)
	if err := os.RemoveAll(logDir); err != nil {
		t.Fatal(err)
	}
	d, _ := Open(dir)
	d.SetClock(now)
	mustBoot(t, d, 0)
	if err := d.Save(); !errors.Is(err, audit.ErrNoLog) {
		t.Fatalf("save without a log: %v", err)
	}
	os.RemoveAll(logDir)
	if err := os.CopyFS(logDir, os.DirFS(old)); err != nil {
		t.Fatal(err)
	}
	if err := d.Save(); !errors.Is(err, audit.ErrRollback) {
		t.Fatalf("save onto an older log copy: %v", err)
	}
}

// TestDeviceWithoutIdentity: a device provisioned without a clock (as
// before device logs) has no log, and says so.
func TestDeviceWithoutIdentity(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dev")
	res, err := ProvisionDir(dir, testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Device.Status().Audit != nil {
		t.Fatal("status shows an audit log")
	}
	if _, err := res.Device.ExportAudit(filepath.Join(dir, "x"), time.Unix(1, 0)); !errors.Is(err, ErrNoAuditLog) {
		t.Fatalf("export: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, secureFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("secure storage written: %v", err)
	}
}

func TestSecureStorageIsPrivate(t *testing.T) {
	dir := provisionLogged(t, testClock())
	fi, err := os.Stat(filepath.Join(dir, secureFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s mode %v", secureFile, fi.Mode().Perm())
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Status()
	if s.Audit == nil || s.Audit.Entries < 3 || !strings.Contains(s.String(), "audit vkey:       "+s.Audit.Origin+"+") {
		t.Fatalf("status:\n%s", s)
	}
}
