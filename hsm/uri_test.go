package hsm_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/hsm"
)

func TestParseURI(t *testing.T) {
	slot := uint(7)
	tests := []struct {
		in   string
		want hsm.URI
		err  string
	}{
		{in: "pkcs11:token=release?module-path=/usr/lib/softhsm/libsofthsm2.so",
			want: hsm.URI{Token: "release", ModulePath: "/usr/lib/softhsm/libsofthsm2.so"}},
		{in: "pkcs11:token=My%20Token;serial=abc;slot-id=7;object=fw;id=%01%02;type=private?module-path=/m.so&pin-source=file:///run/pin",
			want: hsm.URI{Token: "My Token", Serial: "abc", SlotID: &slot, Object: "fw", ID: []byte{1, 2}, Type: "private", ModulePath: "/m.so", PINSource: "/run/pin"}},
		{in: "pkcs11:token=a;x-vendor=1?x-other=2", want: hsm.URI{Token: "a"}},
		{in: "pkcs11:", want: hsm.URI{}},
		{in: "pkcs11:token=a?pin-value=1234", err: "pin-value in a pkcs11: URI is refused"},
		{in: "pkcs11:token=a;token=b", err: `"token" given twice`},
		{in: "pkcs11:slot-id=x", err: "not a decimal number"},
		{in: "pkcs11:bogus=1", err: `unknown attribute "bogus"`},
		{in: "pkcs11:token", err: "want name=value"},
		{in: "pkcs11:token=%zz", err: "invalid URL escape"},
		{in: "pkcs11:?module-path=lib.so", err: "must be an absolute path"},
		{in: "pkcs12:token=a", err: `must start with "pkcs11:"`},
		{in: "pkcs11:token=a;manufacturer=Thales;model=K7;library-version=2.6?pin-source=file:/run/pin",
			want: hsm.URI{Token: "a", Manufacturer: "Thales", Model: "K7", LibraryVersion: "2.6", PINSource: "/run/pin"}},
		{in: "pkcs11:token=a?pin-source=file://localhost/run/pin", want: hsm.URI{Token: "a", PINSource: "/run/pin"}},
		{in: "pkcs11:token=a?pin-source=run/pin", want: hsm.URI{Token: "a", PINSource: "run/pin"}},
		{in: "pkcs11:token=a?pin-source=file://vault.example/pin", err: "a file on another host"},
		{in: "pkcs11:token=a?pin-source=%7C/usr/bin/get-pin", err: "running a command for the PIN is refused"},
		{in: "pkcs11:token=a?pin-source=https://vault.example/pin", err: "only file: URIs"},
		{in: "pkcs11:token=a?module-name=softhsm2", err: "only by its absolute module-path"},
		{in: "pkcs11:type=key", err: `type "key": not one of`},
		{in: "pkcs11:library-version=two", err: "want M or M.N"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := hsm.ParseURI(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want.String() {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestURIStringRoundTrips(t *testing.T) {
	slot := uint(3)
	u := hsm.URI{Token: "a;b?c&d=e%f g", Serial: "s", SlotID: &slot, Object: "o/p", ID: []byte{0, 0xff}, ModulePath: "/x y/lib.so", PINSource: "/p"}
	back, err := hsm.ParseURI(u.String())
	if err != nil {
		t.Fatal(err)
	}
	if back.String() != u.String() || back.Token != u.Token || !bytes.Equal(back.ID, u.ID) {
		t.Fatalf("%s round-tripped to %s", u, back)
	}
}

// FuzzParseURI: whatever parses must print as a URI that parses to the same
// value, and a PIN value must never be accepted.
func FuzzParseURI(f *testing.F) {
	seeds, err := filepath.Glob("testdata/uri/*.txt")
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seed URIs in testdata/uri (err %v)", err)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.TrimSpace(string(b)))
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := hsm.ParseURI(s)
		if err != nil {
			return
		}
		if strings.Contains(strings.ToLower(s), "pin-value=") && strings.Contains(s, "?") {
			q := s[strings.Index(s, "?"):]
			if strings.Contains(q, "pin-value=") {
				t.Fatalf("accepted pin-value: %q", s)
			}
		}
		back, err := hsm.ParseURI(u.String())
		if err != nil || back.String() != u.String() {
			t.Fatalf("%q -> %q -> %v, %v", s, u.String(), back, err)
		}
	})
}

// TestURISelectsKey: object, id and type filter keys as RFC 7512 §2.3
// defines them; KeyURI names one key so that its own URI selects it.
func TestURISelectsKey(t *testing.T) {
	rsa := hsm.KeyInfo{Label: "fw", ID: []byte{1, 2}, Algorithm: hsm.RSA3072, Public: struct{}{}}
	mac := hsm.KeyInfo{Label: "audit-mac", ID: []byte{3}, Algorithm: hsm.HMACSHA256}
	for uri, want := range map[string][2]bool{
		"pkcs11:token=t":                  {true, true},
		"pkcs11:token=t;object=fw":        {true, false},
		"pkcs11:token=t;id=%01%02":        {true, false},
		"pkcs11:token=t;id=%01":           {false, false},
		"pkcs11:token=t;type=private":     {true, false},
		"pkcs11:token=t;type=public":      {true, false},
		"pkcs11:token=t;type=secret-key":  {false, true},
		"pkcs11:token=t;type=cert":        {false, false},
		"pkcs11:token=t;object=audit-mac": {false, true},
	} {
		u, err := hsm.ParseURI(uri)
		if err != nil {
			t.Fatal(err)
		}
		if got := [2]bool{u.SelectsKey(rsa), u.SelectsKey(mac)}; got != want {
			t.Errorf("%s selects rsa, mac = %v, want %v", uri, got, want)
		}
	}
	ts := hsm.TokenSummary{Label: "release 1", Serial: "ab"}
	got := ts.KeyURI(rsa)
	if got != "pkcs11:token=release%201;serial=ab;object=fw;id=%01%02;type=private" {
		t.Fatalf("KeyURI = %s", got)
	}
	u, err := hsm.ParseURI(got)
	if err != nil || !u.SelectsKey(rsa) || u.SelectsKey(mac) {
		t.Fatalf("KeyURI does not select its own key: %v", err)
	}
}
