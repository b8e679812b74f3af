package emu

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/audit"
)

// fixedIdentity is an identity from counting bytes, for seeds and tables.
func fixedIdentity(t testing.TB) Identity {
	t.Helper()
	b := make([]byte, 8+32+32)
	for i := range b {
		b[i] = byte(i)
	}
	id, err := newIdentity(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestIdentitySeeds pins the secure storage format and keeps the fuzz
// seed current (regenerate with -update).
func TestIdentitySeeds(t *testing.T) {
	path := filepath.Join("testdata", "secure", "fixed.json")
	want := fixedIdentity(t).marshal()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; run with -update", path)
	}
	id, err := parseIdentity(got)
	if err != nil {
		t.Fatal(err)
	}
	if id.Serial != "emu-0001020304050607" || id.AuditOrigin() != "signbox.local/emu-0001020304050607/audit" {
		t.Fatalf("identity %s / %s", id.Serial, id.AuditOrigin())
	}
}

func TestParseIdentityRefuses(t *testing.T) {
	good := string(fixedIdentity(t).marshal())
	for name, b := range map[string]string{
		"empty":         "",
		"not json":      "serial=emu-1",
		"unknown field": strings.Replace(good, `"serial"`, `"extra": 1, "serial"`, 1),
		"bad serial":    strings.Replace(good, "emu-0001020304050607", "emu-1/../x", 1),
		"upper hex":     strings.Replace(good, "emu-0001020304050607", "emu-000102030405060A", 1),
		"short key":     strings.Replace(good, `"audit_checkpoint_key": "08`, `"audit_checkpoint_key": "`, 1),
		"upper key":     strings.Replace(good, `"audit_mac_seed": "28`, `"audit_mac_seed": "2A`, 1),
		"trailing":      good + "{}",
		"missing seed":  strings.Replace(good, `"audit_mac_seed"`, `"x"`, 1),
	} {
		if _, err := parseIdentity([]byte(b)); !errors.Is(err, ErrStateCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestAuditEntry(t *testing.T) {
	for _, c := range []struct {
		typ, payload string
		want         audit.Type
		fields       string
	}{
		{EventProvision, `{"chip":"ESP32-C6","keys":3,"app_version":"1.0.0"}`, audit.Provisioned,
			"event=device.provision\nresult=ok\nchip=ESP32-C6\nkeys=3\napp_version=1.0.0\n"},
		{EventBoot, `{"slot":-1,"secure_version":0,"efuse_secure_version":1,"error":"no bootable app:\nota_0: bad"}`, audit.BootResult,
			"event=device.boot\nresult=failed\nslot=-1\nsecure_version=0\nefuse_secure_version=1\nreason=no bootable app: ota_0: bad\n"},
		{EventInstall, `{"slot":1,"version":"2.0.0"}`, audit.UpdateAccepted,
			"event=device.install\nresult=ok\nslot=1\nversion=2.0.0\n"},
		{EventInstall, `{"slot":-1,"error":"install: signature check failed"}`, audit.UpdateRejected,
			"event=device.install\nresult=failed\nslot=-1\nreason=install: signature check failed\n"},
		{EventConfirm, `{"slot":1,"efuse_after":2}`, audit.UpdateConfirmed,
			"event=device.confirm\nresult=ok\nslot=1\nefuse_after=2\n"},
		{EventConfirm, `{"slot":-1,"error":"confirm: no app is running"}`, audit.UpdateRejected,
			"event=device.confirm\nresult=failed\nslot=-1\nreason=confirm: no app is running\n"},
		{EventReject, `{"booted_slot":0}`, audit.UpdateRejected,
			"event=device.reject\nresult=ok\nbooted_slot=0\nreason=rejected by the running app; rolled back\n"},
		{EventRevoke, `{"key_slot":0,"lost_fallback":["ota_0","ota_1"]}`, audit.ConfigChange,
			"event=device.revoke\nresult=ok\nkey_slot=0\nlost_fallback=ota_0\nlost_fallback=ota_1\n"},
	} {
		typ, p, err := AuditEntry(c.typ, []byte(c.payload))
		if err != nil || typ != c.want || string(p) != c.fields {
			t.Errorf("%s %s:\n got %v %q %v\nwant %v %q", c.typ, c.payload, typ, p, err, c.want, c.fields)
		}
		if typ == audit.UpdateRejected {
			if _, ok := audit.Field(p, "reason"); !ok {
				t.Errorf("%s: rejection without a reason", c.typ)
			}
		}
	}
	for _, bad := range []struct{ typ, payload string }{
		{"device.unknown", `{}`}, {EventBoot, `[]`}, {EventBoot, `{"a":{"b":1}}`}, {EventBoot, `{"a":[[1]]}`}, {EventBoot, `{"a":1`},
	} {
		if _, _, err := AuditEntry(bad.typ, []byte(bad.payload)); err == nil {
			t.Errorf("%s %s accepted", bad.typ, bad.payload)
		}
	}
}
