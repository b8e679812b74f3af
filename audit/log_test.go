package audit

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func TestExportVerifiesOK(t *testing.T) {
	f := newFixture(t)
	for _, keys := range []bool{false, true} {
		r := f.verify(t, keys, nil)
		require.Equal(t, OK, r.Verdict, "%+v", r)
		require.Equal(t, int64(-1), r.FirstBad)
		require.Equal(t, r.Entries, r.Sealed)
		require.Empty(t, r.Problems)
		require.True(t, r.Checks.Chain && r.Checks.Tree && r.Checks.Signatures && r.Checks.Proofs && r.Checks.KeyPinned && r.Checks.Inclusion)
		require.Equal(t, 4, r.Inclusions)
		require.Equal(t, keys, r.Checks.MACs)
		if keys {
			require.Equal(t, r.Entries, r.MACsChecked)
		}
		require.Greater(t, r.Proofs, 1)
	}
}

func TestLogRoundTrip(t *testing.T) {
	f := newFixture(t)
	recs := readRecs(t, f.export)
	require.Equal(t, LogStart, recs[0].e.Type)
	require.Equal(t, Checkpoint, recs[len(recs)-1].e.Type)
	var epochs []uint32
	for i, r := range recs {
		require.Equal(t, int64(i), r.e.Seq)
		epochs = append(epochs, r.e.Epoch)
	}
	require.Equal(t, uint32(0), epochs[0])
	require.Equal(t, uint32(1), epochs[len(epochs)-1])

	// Reopen, append, close: the floor follows the checkpoints.
	l, err := Open(f.dir, f.cfg, at(100))
	require.NoError(t, err)
	appendAll(t, l, scenario[:2], 101)
	require.NoError(t, l.Close(at(110)))
	require.Equal(t, l.Size(), f.floor.N)
	r, err := Verify(f.dir, VerifyOptions{Trusted: trusted(t, testOrigin, testKey(1)), Keys: testKeys(t)})
	require.NoError(t, err)
	require.Equal(t, OK, r.Verdict, "%+v", r)
}

func TestAppendRefuses(t *testing.T) {
	l, err := Create(t.TempDir(), testConfig(t, &MemFloor{}), at(0))
	require.NoError(t, err)
	_, err = l.Append(Checkpoint, nil, at(1))
	require.ErrorContains(t, err, "cannot be appended by callers")
	_, err = l.Append(UpdateRejected, []byte("slot=B\n"), at(1))
	require.ErrorContains(t, err, "reason")
	_, err = l.Append(UpdateRejected, []byte(`{"reason":"bad signature","slot":"B"}`), at(1))
	require.NoError(t, err)
	_, err = l.Append(Type(999), nil, at(1))
	require.Error(t, err)
	_, err = l.Append(BootResult, nil, zeroTime)
	require.ErrorContains(t, err, "outside the encodable range")
}

func TestCreateRefusesExistingLogAndRemovedLog(t *testing.T) {
	dir := t.TempDir()
	floor := &MemFloor{}
	l, err := Create(dir, testConfig(t, floor), at(0))
	require.NoError(t, err)
	require.NoError(t, l.Close(at(1)))
	_, err = Create(dir, testConfig(t, floor), at(2))
	require.ErrorContains(t, err, "already there")
	// Deleting the whole log does not let a fresh one start: the floor
	// remembers it (systemd FSS misses exactly this).
	require.NoError(t, os.Remove(filepath.Join(dir, fileLog)))
	_, err = Create(dir, testConfig(t, floor), at(3))
	require.ErrorIs(t, err, ErrRollback)
}

// TestCrossCheckXMod verifies exported checkpoints and proofs with x/mod
// directly, the way an auditor with stock tools would.
func TestCrossCheckXMod(t *testing.T) {
	f := newFixture(t)
	v := trusted(t, testOrigin, testKey(1))
	names, err := os.ReadDir(filepath.Join(f.export, dirCheckpoints))
	require.NoError(t, err)
	heads := map[int64]Head{}
	for _, n := range names {
		msg, err := os.ReadFile(filepath.Join(f.export, dirCheckpoints, n.Name()))
		require.NoError(t, err)
		opened, err := note.Open(msg, note.VerifierList(v))
		require.NoError(t, err)
		h, err := ParseHead(opened.Text)
		require.NoError(t, err)
		heads[h.Size] = h
	}
	recs := readRecs(t, f.export)
	var tr tree
	for _, r := range recs {
		_, err := tr.add(r.raw)
		require.NoError(t, err)
	}
	for size, h := range heads {
		// Every entry's inclusion proof checks against every checkpoint.
		for i := int64(0); i < size; i++ {
			p, err := tlog.ProveRecord(size, i, &tr)
			require.NoError(t, err)
			require.NoError(t, tlog.CheckRecord(p, size, h.Root, i, tlog.RecordHash(recs[i].raw)))
		}
		for old, oh := range heads {
			if old < size {
				raw, err := os.ReadFile(filepath.Join(f.export, filepath.FromSlash(proofName(old, size))))
				if err != nil {
					continue // only consecutive pairs are exported
				}
				p, err := ParseProof(raw)
				require.NoError(t, err)
				require.NoError(t, tlog.CheckTree(p, size, h.Root, old, oh.Root))
			}
		}
	}
}

func TestAppendBatch(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, &MemFloor{})
	l, err := Create(dir, cfg, at(0))
	require.NoError(t, err)
	evs := make([]Event, 10)
	for i := range evs {
		evs[i] = Event{BootResult, []byte("result=ok\n")}
	}
	es, err := l.AppendBatch(evs, at(1))
	require.NoError(t, err)
	require.Len(t, es, 10)
	require.Equal(t, int64(2), es[0].Seq)
	_, err = l.AppendBatch([]Event{{UpdateRejected, nil}}, at(2))
	require.ErrorContains(t, err, "needs a non-empty reason")
	require.NoError(t, l.Close(at(3)))
	r, err := Verify(dir, VerifyOptions{Trusted: trusted(t, testOrigin, testKey(1)), Keys: testKeys(t)})
	require.NoError(t, err)
	require.Equal(t, OK, r.Verdict, "%+v", r)
}

func TestSecondWriterIsRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, &MemFloor{})
	l, err := Create(dir, cfg, at(0))
	require.NoError(t, err)
	_, err = Open(dir, cfg, at(1))
	require.ErrorIs(t, err, ErrLocked)
	require.NoError(t, l.Close(at(2)))
	cfg.Keys = testKeys(t)
	l, err = Open(dir, cfg, at(3))
	require.NoError(t, err, "the lock goes with Close")
	require.NoError(t, l.Close(at(4)))
}

// RootAt matches the checkpoint of the same size, so a head pinned in the
// HSM can be compared with the log; a size beyond the log is an error.
func TestRootAtMatchesCheckpoint(t *testing.T) {
	l, err := Create(t.TempDir(), testConfig(t, &MemFloor{}), at(0))
	require.NoError(t, err)
	appendAll(t, l, scenario[:2], 1)
	sh, err := l.Checkpoint("pin", at(5))
	require.NoError(t, err)
	h := sh.Head
	root, err := l.RootAt(h.Size)
	require.NoError(t, err)
	require.Equal(t, base64.StdEncoding.EncodeToString(h.Root[:]), root)
	appendAll(t, l, scenario[2:3], 6)
	again, err := l.RootAt(h.Size)
	require.NoError(t, err)
	require.Equal(t, root, again, "appending changes no earlier root")
	_, err = l.RootAt(l.Size() + 1)
	require.Error(t, err)
	require.Equal(t, testOrigin, l.Origin())
}
