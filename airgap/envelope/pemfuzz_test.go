package envelope

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParsePublicKeyPEM: release and Secure Boot public keys arrive as PEM
// files on media. Parsing never panics, and whatever parses marshals back
// to a key that parses to the same thing. Seeds: the espsecure vector keys.
func FuzzParsePublicKeyPEM(f *testing.F) {
	seeds, _ := filepath.Glob("../../device/esp/testdata/vectors/keys/*.pub.pem")
	if len(seeds) == 0 {
		f.Fatal("no PEM seeds")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	own, _ := MarshalPublicKeyPEM(fuzzKey.Public())
	f.Add(own)
	f.Add(append(append([]byte(nil), own...), own...))
	f.Fuzz(func(t *testing.T, b []byte) {
		pub, err := ParsePublicKeyPEM(b)
		if err != nil {
			return
		}
		out, err := MarshalPublicKeyPEM(pub)
		if err != nil {
			t.Fatalf("parsed key does not marshal: %v", err)
		}
		again, err := ParsePublicKeyPEM(out)
		if err != nil {
			t.Fatalf("marshalled key does not parse: %v", err)
		}
		out2, _ := MarshalPublicKeyPEM(again)
		if !bytes.Equal(out, out2) {
			t.Fatal("round trip changed the key")
		}
	})
}
