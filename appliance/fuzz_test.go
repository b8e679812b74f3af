package appliance

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"

	"signbox/airgap/envelope"
)

// The workspace config and a backup manifest are outside bytes: a
// workspace file anyone can edit, media anyone can hand over. Neither
// parser may panic, and what they accept must be well formed.

func FuzzReadConfig(f *testing.F) {
	f.Add([]byte(`{"format":"signbox-appliance/v1","id":"0123456789abcdef0123456789abcdef","module":"/m.so","appliance_token":"pkcs11:token=a?module-path=/m.so","audit_token":"pkcs11:token=b?module-path=/m.so"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"format":"signbox-appliance/v1","id":"x","module":"","appliance_token":"pkcs11:token=a;pin-value=1","audit_token":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseConfig(b)
		if err != nil {
			return
		}
		if c.validate() != nil || !applianceIDPattern.MatchString(c.ID) {
			t.Fatalf("accepted an invalid config %+v", c)
		}
	})
}

func FuzzOpenBackupManifest(f *testing.F) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	good, err := envelope.Sign(k, backupPayloadType, []byte(`{"format":"signbox-backup/v1","appliance":"a","date":"2026-11-21","anchor":2,"share_set":"s","keys":[{"label":"k","algorithm":"ecdsa-p256","id":"00"}],"files":{"keys/k.wrapped":"00"}}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"payloadType":"x","payload":"","signatures":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := openBackupManifest(b, k.Public())
		if err != nil {
			return
		}
		if m.Format != backupFormat {
			t.Fatalf("accepted format %q", m.Format)
		}
	})
}
