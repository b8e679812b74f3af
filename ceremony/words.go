package ceremony

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// pgpwords.txt is the PGP word list (Juola & Zimmermann, 1995; see
// https://en.wikipedia.org/wiki/PGP_word_list): for each byte value a
// two-syllable word used at even positions and a three-syllable word used
// at odd positions, so a swapped or dropped word is heard as wrong.
//
//go:embed pgpwords.txt
var pgpWordsFile string

var evenWords, oddWords = loadWords(pgpWordsFile)

func loadWords(file string) (even, odd [256]string) {
	n := 0
	for _, line := range strings.Split(file, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		b, err := strconv.ParseUint(f[0], 16, 8)
		if len(f) != 3 || err != nil || int(b) != n {
			panic(fmt.Sprintf("ceremony: pgpwords.txt line for byte %d is malformed", n))
		}
		even[n], odd[n] = f[1], f[2]
		n++
	}
	if n != 256 {
		panic("ceremony: pgpwords.txt does not have 256 entries")
	}
	return even, odd
}

// PGPWords encodes b with the PGP word list: even-position bytes use the
// two-syllable list, odd-position bytes the three-syllable list.
func PGPWords(b []byte) []string {
	out := make([]string, len(b))
	for i, x := range b {
		if i%2 == 0 {
			out[i] = evenWords[x]
		} else {
			out[i] = oddWords[x]
		}
	}
	return out
}
