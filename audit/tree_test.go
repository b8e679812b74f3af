package audit

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"
)

// TestTreeMatchesTlog cross-checks the allocation-free add against
// tlog.StoredHashes, hash for hash.
func TestTreeMatchesTlog(t *testing.T) {
	var mine tree
	var ref []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = ref[x]
		}
		return out, nil
	})
	for n := int64(0); n < 1000; n++ {
		rec := []byte(fmt.Sprintf("record %d", n))
		hs, err := tlog.StoredHashes(n, rec, reader)
		require.NoError(t, err)
		ref = append(ref, hs...)
		leaf, err := mine.add(rec)
		require.NoError(t, err)
		require.Equal(t, tlog.RecordHash(rec), leaf)
	}
	require.Equal(t, ref, mine.hashes)
	want, err := tlog.TreeHash(1000, reader)
	require.NoError(t, err)
	got, err := mine.root(1000)
	require.NoError(t, err)
	require.Equal(t, want, got)
}
