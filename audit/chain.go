package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"

	"golang.org/x/mod/sumdb/tlog"
)

// chainDomain separates chain hashes from every other SHA-256 in signbox.
const chainDomain = "signbox-audit-chain-v1"

// chainNext returns c_i = SHA-256(domain ‖ c_{i-1} ‖ leaf_i), where leaf_i
// = tlog.RecordHash(entry) is the same leaf the Merkle tree uses. The chain
// makes sequential checks trivial; the tree gives short proofs.
func chainNext(prev, leaf tlog.Hash) tlog.Hash {
	// A stack buffer and Sum256 keep this allocation-free.
	var buf [len(chainDomain) + 2*tlog.HashSize]byte
	copy(buf[:], chainDomain)
	copy(buf[len(chainDomain):], prev[:])
	copy(buf[len(chainDomain)+tlog.HashSize:], leaf[:])
	return sha256.Sum256(buf[:])
}

// tagSize is the HMAC-SHA256 output length stored in each record.
const tagSize = sha256.Size

// macTag returns HMAC(K_epoch, c_i). The tag covers the chain hash, which
// covers every earlier entry, so one good tag vouches for the prefix.
// h is reused across entries of one epoch (Reset, not a new HMAC each
// time: key setup was half the cost of MAC verification).
func macTag(h hash.Hash, chain tlog.Hash) ([tagSize]byte, error) {
	h.Reset()
	h.Write(chain[:])
	var t [tagSize]byte
	sum, err := sumErr(h)
	if err != nil {
		return t, err
	}
	if len(sum) != tagSize {
		return t, errTagSize(len(sum))
	}
	copy(t[:], sum)
	return t, nil
}

func tagEqual(a, b [tagSize]byte) bool { return hmac.Equal(a[:], b[:]) }

// sumErr prefers a MAC's error-returning Sum (an HSM-backed hash.Hash
// panics in Sum when the token fails), so a token failure becomes an
// append error instead of a crash.
func sumErr(h hash.Hash) ([]byte, error) {
	if e, ok := h.(interface{ SumErr([]byte) ([]byte, error) }); ok {
		return e.SumErr(nil)
	}
	return h.Sum(nil), nil
}
