package main

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"signbox/appliance"
	"signbox/audit"
	"signbox/audit/hsmkeys"
	"signbox/ceremony"
	"signbox/hsm"
)

// testonly audit-fixture DIR soft|hsm writes audit logs for the audit_*
// scripts. soft: software keys; DIR/log is a live log whose last two
// entries are unsealed, DIR/export and DIR/old-export are exports, DIR/vkey
// the pinned key, DIR/other.vkey another appliance's key, DIR/last-seen the
// checkpoint of DIR/export. hsm: a SoftHSM token "appliance" (PIN
// pin-appliance) under DIR/hsm with audit-mac and audit-checkpoint keys,
// the module linked at DIR/libsofthsm2.so, and DIR/hsm-export.
//
// testonly audit-tamper LOGFILE payload|tag N flips a byte of entry N's
// payload or tag and fixes the record CRC, as an attacker would.
func init() {
	register(&command{path: "testonly audit-fixture", usage: "DIR soft|hsm", summary: "test only: audit log fixtures",
		run: func(e *env, args []string) error {
			if len(args) != 2 {
				return usageErr("want DIR MODE")
			}
			if args[1] == "hsm" {
				return writeAuditHSMFixture(e, args[0])
			}
			return writeAuditFixture(args[0])
		}})
	register(&command{path: "testonly audit-tamper", usage: "LOGFILE payload|tag N", summary: "test only: tamper with an audit log",
		run: func(e *env, args []string) error {
			if len(args) != 3 {
				return usageErr("want LOGFILE WHAT N")
			}
			var n int
			if _, err := fmt.Sscan(args[2], &n); err != nil {
				return err
			}
			return tamperAudit(args[0], args[1], n)
		}})
}

const auditFixtureOrigin = "signbox.local/SN0001/audit"

var auditT0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func auditFixtureConfig(dir string, signer crypto.Signer, keys audit.KeyRing) audit.Config {
	return audit.Config{Origin: auditFixtureOrigin, Keys: keys, Signer: signer,
		Floor: audit.FileFloor(filepath.Join(dir, "floor")), CheckpointEvery: 8}
}

func auditEvents(l *audit.Log, n int, from time.Time) error {
	for i := range n {
		p, _ := audit.Fields("slot", "A", "result", "ok")
		if _, err := l.Append(audit.BootResult, p, from.Add(time.Duration(i)*time.Minute)); err != nil {
			return err
		}
	}
	p, _ := audit.Fields("reason", "security version 3 below floor 4")
	_, err := l.Append(audit.UpdateRejected, p, from.Add(time.Hour))
	return err
}

func writeAuditFixture(dir string) error {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	keys, err := audit.NewDerivedKeys(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		return err
	}
	l, err := audit.Create(filepath.Join(dir, "log"), auditFixtureConfig(dir, key, keys), auditT0)
	if err != nil {
		return err
	}
	if err := auditEvents(l, 3, auditT0.Add(time.Minute)); err != nil {
		return err
	}
	if _, err := l.Export(filepath.Join(dir, "old-export"), auditT0.Add(2*time.Hour)); err != nil {
		return err
	}
	if err := l.NewEpoch("session", auditT0.Add(3*time.Hour)); err != nil {
		return err
	}
	if err := auditEvents(l, 4, auditT0.Add(4*time.Hour)); err != nil {
		return err
	}
	sh, err := l.Export(filepath.Join(dir, "export"), auditT0.Add(6*time.Hour))
	if err != nil {
		return err
	}
	if err := auditEvents(l, 1, auditT0.Add(7*time.Hour)); err != nil { // left unsealed
		return err
	}
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, 32))
	otherVKey, _ := audit.NewNoteSigner("signbox.local/SN0002/audit", other)
	return writeFiles(dir, map[string]string{
		"vkey":       l.VerifierKey() + "\n",
		"other.vkey": otherVKey.VerifierKey() + "\n",
		"last-seen":  string(sh.Note),
	})
}

func writeFiles(dir string, files map[string]string) error {
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeAuditHSMFixture(e *env, dir string) error {
	d, err := fixtureHSM(e, dir)
	if err != nil {
		return err
	}
	tok, err := fixtureToken(d, "appliance")
	if err != nil {
		return err
	}
	defer tok.Close()
	if _, err := tok.GenerateKey("audit-mac", hsm.HMACSHA256); err != nil {
		return err
	}
	if _, err := tok.GenerateKey("audit-checkpoint", hsm.Ed25519); err != nil {
		return err
	}
	signer, err := tok.Signer("audit-checkpoint")
	if err != nil {
		return err
	}
	l, err := audit.Create(filepath.Join(dir, "hsm-log"), auditFixtureConfig(dir, signer, hsmkeys.New(tok, "audit-mac")), auditT0)
	if err != nil {
		return err
	}
	if err := auditEvents(l, 2, auditT0.Add(time.Minute)); err != nil {
		return err
	}
	if err := l.NewEpoch("session", auditT0.Add(2*time.Hour)); err != nil {
		return err
	}
	if err := auditEvents(l, 2, auditT0.Add(3*time.Hour)); err != nil {
		return err
	}
	if _, err := l.Export(filepath.Join(dir, "hsm-export"), auditT0.Add(4*time.Hour)); err != nil {
		return err
	}
	if err := l.Close(auditT0.Add(5 * time.Hour)); err != nil {
		return err
	}
	return writeFiles(dir, map[string]string{"hsm.vkey": l.VerifierKey() + "\n"})
}

// tamperAudit flips one byte in entry n's payload (its last byte) or tag
// and recomputes that record's CRC. Record: u32 len | entry | tag[32] | crc.
func tamperAudit(path, what string, n int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	off := 0
	for i := 0; i < n; i++ {
		off += 4 + int(binary.BigEndian.Uint32(b[off:])) + 36
	}
	end := off + 4 + int(binary.BigEndian.Uint32(b[off:])) + 36
	switch what {
	case "payload":
		b[end-36-32-1] ^= 1 // last payload byte, before prev[32]
	case "tag":
		b[end-10] ^= 1
	default:
		return fmt.Errorf("unknown tamper %q", what)
	}
	binary.BigEndian.PutUint32(b[end-4:], crc32.Checksum(b[off:end-4], crc32.MakeTable(crc32.Castagnoli)))
	return os.WriteFile(path, b, 0o644)
}

// TestAuditVerifyExitCodes pins the verdict exit codes scripts rely on.
func TestAuditVerifyExitCodes(t *testing.T) {
	dir := t.TempDir()
	if err := writeAuditFixture(dir); err != nil {
		t.Fatal(err)
	}
	vkey := filepath.Join(dir, "vkey")
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"audit", "verify", "--vkey-file", vkey, filepath.Join(dir, "export")}, 0},
		{[]string{"audit", "verify", "--vkey-file", vkey, "--last-seen", filepath.Join(dir, "last-seen"), filepath.Join(dir, "old-export")}, 1},
		{[]string{"audit", "verify", "--vkey-file", vkey, filepath.Join(dir, "log")}, 4},
		{[]string{"audit", "verify", "--vkey-file", vkey, filepath.Join(dir, "missing")}, 3},
		{[]string{"audit", "verify", "--vkey-file", filepath.Join(dir, "missing"), filepath.Join(dir, "export")}, 3},
		{[]string{"audit", "verify"}, 2},
		{[]string{"audit", "verify", filepath.Join(dir, "export")}, 5},
	} {
		var out bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }, now: time.Now}
		if got := run(e, tc.args); got != tc.want {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args, got, tc.want, out.String())
		}
	}
}

// TestAuditRecorder: ceremony steps become typed entries with every field.
func TestAuditRecorder(t *testing.T) {
	dir := t.TempDir()
	keys, _ := audit.NewDerivedKeys(bytes.Repeat([]byte{7}, 32))
	l, err := audit.Create(filepath.Join(dir, "log"), auditFixtureConfig(dir, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32)), keys), auditT0)
	if err != nil {
		t.Fatal(err)
	}
	rec := appliance.Recorder{Log: l, Now: func() time.Time { return auditT0 }}
	for _, ev := range []ceremony.Event{
		{Ceremony: "0001-release", Kind: "release", Step: "planned", PlanDigest: "sha256:ab"},
		{Ceremony: "0001-release", Kind: "release", Step: "quorum reached", PlanDigest: "sha256:ab",
			Fields: [][2]string{{"approved", "alice sha256:01"}, {"approved", "bob sha256:02"}}},
		{Ceremony: "0001-release", Kind: "release", Step: "aborted", PlanDigest: "sha256:ab", Fields: [][2]string{{"reason", "wrong image"}}},
	} {
		if err := rec.Record(ev); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err = audit.Walk(filepath.Join(dir, "log"), func(e audit.Entry) error {
		got = append(got, e.Type.String()+" "+showPayload(e.Payload))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`CEREMONY_STARTED ceremony=0001-release kind=release step=planned plan=sha256:ab`,
		`CEREMONY_STEP ceremony=0001-release kind=release step="quorum reached" plan=sha256:ab approved="alice sha256:01" approved="bob sha256:02"`,
		`CEREMONY_ABORTED ceremony=0001-release kind=release step=aborted plan=sha256:ab reason="wrong image"`,
	}
	if strings.Join(got[2:], "\n") != strings.Join(want, "\n") {
		t.Fatalf("entries:\n%s\nwant:\n%s", strings.Join(got[2:], "\n"), strings.Join(want, "\n"))
	}
}
