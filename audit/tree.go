package audit

import (
	"crypto/sha256"
	"fmt"
	"hash"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"
)

// tree keeps every stored hash of the RFC 6962 tree over the log's leaves
// in memory: about two hashes (64 bytes) per entry, so a million entries
// cost 64 MB. The stored-hash layout and all proofs are x/mod's tlog; add
// only avoids its per-call allocations, and a test checks it against
// tlog.StoredHashes.
type tree struct {
	n      int64
	hashes []tlog.Hash
	leafH  hash.Hash // reused for leaf hashes
}

// add appends the leaf for one entry's bytes and returns the leaf hash,
// tlog.RecordHash(entry) = SHA-256(0x00 ‖ entry).
func (t *tree) add(entry []byte) (tlog.Hash, error) {
	if t.leafH == nil {
		t.leafH = sha256.New()
	}
	t.leafH.Reset()
	t.leafH.Write([]byte{0})
	t.leafH.Write(entry)
	var leaf tlog.Hash
	t.leafH.Sum(leaf[:0])
	t.addLeaf(leaf)
	return leaf, nil
}

// addLeaf stores leaf as record t.n plus the interior hashes it
// completes: one per trailing 1 bit of n, each combining the left
// sibling subtree's stored hash (as tlog.StoredHashesForRecordHash does).
func (t *tree) addLeaf(h tlog.Hash) {
	n := t.n
	t.hashes = append(t.hashes, h)
	m := bits.TrailingZeros64(uint64(n + 1))
	for i := 0; i < m; i++ {
		left := t.hashes[tlog.StoredHashIndex(i, n>>uint(i)-1)]
		h = tlog.NodeHash(left, h)
		t.hashes = append(t.hashes, h)
	}
	t.n++
}

// grow reserves room for about n leaves.
func (t *tree) grow(n int64) {
	if n > 0 && n < 1<<31 {
		t.hashes = append(make([]tlog.Hash, 0, 2*n+64), t.hashes...)
	}
}

// ReadHashes implements tlog.HashReader.
func (t *tree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.hashes)) {
			return nil, fmt.Errorf("tree: hash %d not stored (have %d)", x, len(t.hashes))
		}
		out[i] = t.hashes[x]
	}
	return out, nil
}

// root returns the tree hash of the first n leaves.
func (t *tree) root(n int64) (tlog.Hash, error) {
	if n > t.n {
		return tlog.Hash{}, fmt.Errorf("tree: size %d beyond %d leaves", n, t.n)
	}
	return tlog.TreeHash(n, t)
}
