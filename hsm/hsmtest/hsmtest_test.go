package hsmtest_test

import (
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

func TestTokensAreFreshAndSeparate(t *testing.T) {
	a, b := hsmtest.NewToken(t), hsmtest.NewToken(t)
	if a.Info().Label == b.Info().Label {
		t.Fatal("two tokens share a label")
	}
	if _, err := a.GenerateKey("k", hsm.ECDSAP256); err != nil {
		t.Fatal(err)
	}
	if keys, err := b.Keys(); err != nil || len(keys) != 0 {
		t.Fatalf("fresh token has keys %v, %v", keys, err)
	}
}

func TestParallelTests(t *testing.T) {
	for _, name := range []string{"a", "b", "c"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tok := hsmtest.NewToken(t)
			if _, err := tok.GenerateKey(name, hsm.Ed25519); err != nil {
				t.Fatal(err)
			}
		})
	}
}
