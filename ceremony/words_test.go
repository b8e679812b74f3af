package ceremony

import (
	"strings"
	"testing"
)

// Vectors from the PGP word list table (en.wikipedia.org/wiki/PGP_word_list)
// and its worked example "E582 94F2 E9A2 2748 6E8B 061B 31CC 528F D7FA 3F19".
func TestPGPWords(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want string
	}{
		{[]byte{0x00, 0x00}, "aardvark adroitness"},
		{[]byte{0xff, 0xff}, "zulu yucatan"},
		{[]byte{0xdc, 0x0d, 0x33}, "sweatband asteroid chisel"},
		{[]byte{0xE5, 0x82, 0x94, 0xF2, 0xE9, 0xA2, 0x27, 0x48, 0x6E, 0x8B, 0x06, 0x1B, 0x31, 0xCC, 0x52, 0x8F, 0xD7, 0xFA, 0x3F, 0x19},
			"topmost istanbul pluto vagabond treadmill pacific brackish dictator goldfish medusa afflict bravado chatter revolver dupont midsummer stopwatch whimsical cowbell bottomless"},
	} {
		if got := strings.Join(PGPWords(tc.in), " "); got != tc.want {
			t.Errorf("%x:\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestDigestForms(t *testing.T) {
	d := digestOf([]byte("abc"))
	if d.String() != "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatal(d.String())
	}
	if d.HexGroups() != "ba78 16bf 8f01 cfea 4141 40de 5dae 2223 b003 61a3 9617 7a9c b410 ff61 f200 15ad" {
		t.Fatal(d.HexGroups())
	}
	if w := d.Words(); len(w) != 32 || w[0] != "shadow" {
		t.Fatal(w)
	}
	back, err := ParseDigest(d.String())
	if err != nil || back != d {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "sha256:", "sha256:BA78", d.String()[7:], "sha256:" + strings.ToUpper(d.String()[7:])} {
		if _, err := ParseDigest(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
