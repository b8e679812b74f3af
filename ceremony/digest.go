package ceremony

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Digest is the SHA-256 of a plan's canonical bytes: the one value every
// custodian checks and approves.
type Digest [32]byte

func digestOf(b []byte) Digest { return Digest(sha256.Sum256(b)) }

// String is "sha256:" + lowercase hex.
func (d Digest) String() string { return "sha256:" + hex.EncodeToString(d[:]) }

// HexGroups is the hex digest in 16 groups of four, for reading from a
// screen.
func (d Digest) HexGroups() string {
	h := hex.EncodeToString(d[:])
	groups := make([]string, 0, len(h)/4)
	for i := 0; i < len(h); i += 4 {
		groups = append(groups, h[i:i+4])
	}
	return strings.Join(groups, " ")
}

// Words is the digest as 32 PGP words, for reading aloud.
func (d Digest) Words() []string { return PGPWords(d[:]) }

// ParseDigest reads the "sha256:<hex>" form.
func ParseDigest(s string) (Digest, error) {
	var d Digest
	h, ok := strings.CutPrefix(s, "sha256:")
	b, err := hex.DecodeString(h)
	if !ok || err != nil || len(b) != len(d) || strings.ToLower(h) != h {
		return d, fmt.Errorf("%q is not sha256:<64 lowercase hex digits>", s)
	}
	copy(d[:], b)
	return d, nil
}
