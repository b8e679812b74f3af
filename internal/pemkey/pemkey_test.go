package pemkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good, err := Marshal(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	g := string(good)
	for _, tc := range []struct{ name, in, want string }{
		{"canonical", g, ""},
		{"whitespace around", "\n\n" + g + "\n\n", ""},
		{"text before", "comment\n" + g, "text before the PEM block"},
		{"empty", "", "not a PEM public key"},
		{"garbage", "nonsense", "not a PEM public key"},
		{"two blocks", g + g, "more than one PEM block"},
		{"text after", g + "trailing", "text after the PEM block"},
		{"private key type", strings.ReplaceAll(g, "PUBLIC KEY", "PRIVATE KEY"), `PEM type is "PRIVATE KEY"`},
		{"headers", strings.Replace(g, "-----\n", "-----\nProc-Type: 4,ENCRYPTED\n\n", 1), "PEM headers are not allowed"},
		{"bad DER", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "parse public key"},
		{"too big", strings.Repeat(" ", MaxBytes+1), "more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pub, err := Parse([]byte(tc.in))
			if tc.want == "" {
				if err != nil || !k.PublicKey.Equal(pub) {
					t.Fatalf("got %v, %v", pub, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := Parse(nil); !errors.Is(err, ErrNoPublicKey) {
		t.Fatalf("no block: %v is not ErrNoPublicKey", err)
	}
}
