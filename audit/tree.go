package audit

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// tree keeps every stored hash of the RFC 6962 tree over the log's leaves
// in memory: about two hashes (64 bytes) per entry, so a million entries
// cost 64 MB. x/mod's tlog does all the tree arithmetic.
type tree struct {
	n      int64
	hashes []tlog.Hash
}

// add appends the leaf for the record bytes of one entry and returns the
// leaf hash (tlog.RecordHash(entry)).
func (t *tree) add(entry []byte) (tlog.Hash, error) {
	hs, err := tlog.StoredHashes(t.n, entry, t)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("tree: %w", err)
	}
	t.hashes = append(t.hashes, hs...)
	t.n++
	return hs[0], nil
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
