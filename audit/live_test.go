package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
)

// Catalogue items that need the live log directory, its floor, or a
// second export.

func verifyDir(t *testing.T, dir string, lastSeen []byte) *Report {
	r, err := Verify(dir, VerifyOptions{Trusted: trusted(t, testOrigin, testKey(1)), Keys: testKeys(t), LastSeen: lastSeen})
	require.NoError(t, err)
	return r
}

// liveLog returns a closed log whose last entries lie after the last
// checkpoint: the shape a crash leaves.
func liveLog(t *testing.T) *fixture {
	f := newFixture(t)
	f.cfg.Keys = testKeys(t)
	l, err := Open(f.dir, f.cfg, at(60))
	require.NoError(t, err)
	appendAll(t, l, scenario[:3], 61)
	crash(l) // no Close: these three stay unsealed
	return f
}

func TestTruncateBeforeCheckpointLive(t *testing.T) { // 6a
	f := liveLog(t)
	b, err := os.ReadFile(filepath.Join(f.dir, fileLog))
	require.NoError(t, err)
	offs := frameOffsets(t, b)
	writeLog(t, f.dir, b[:offs[len(offs)-6]])
	_, err = Open(f.dir, f.cfg, at(70))
	require.ErrorIs(t, err, ErrRollback)
	r := verifyDir(t, f.dir, nil)
	require.Equal(t, Tampered, r.Verdict)
	require.Contains(t, r.Reason, "truncated")
}

func TestTruncateAfterCheckpointLive(t *testing.T) { // 6b
	f := liveLog(t)
	b, err := os.ReadFile(filepath.Join(f.dir, fileLog))
	require.NoError(t, err)
	offs := frameOffsets(t, b)
	writeLog(t, f.dir, b[:offs[len(offs)-2]]) // drop 1 of the 3 unsealed
	r := verifyDir(t, f.dir, nil)
	require.Equal(t, UnsealedTail, r.Verdict, "%+v", r)
	require.Contains(t, r.Reason, "not covered by a trusted checkpoint")
	// Cut exactly at the checkpoint, nothing is left to show: the floor
	// only knows checkpoint sizes. This is the documented residual risk.
	writeLog(t, f.dir, b[:offs[len(offs)-4]])
	require.Equal(t, OK, verifyDir(t, f.dir, nil).Verdict)
	_, err = Open(f.dir, f.cfg, at(70))
	require.NoError(t, err)
}

func TestTornRecordRecovery(t *testing.T) { // 7
	f := liveLog(t)
	b, err := os.ReadFile(filepath.Join(f.dir, fileLog))
	require.NoError(t, err)
	offs := frameOffsets(t, b)
	last := offs[len(offs)-2]
	writeLog(t, f.dir, b[:last+(offs[len(offs)-1]-last)/2])

	r := verifyDir(t, f.dir, nil)
	require.Equal(t, UnsealedTail, r.Verdict)
	require.Contains(t, r.Reason, "torn record")

	l, err := Open(f.dir, f.cfg, at(70))
	require.NoError(t, err)
	require.NoError(t, l.Close(at(71)))
	r = verifyDir(t, f.dir, nil)
	require.Equal(t, OK, r.Verdict, "%+v", r)
	require.True(t, hasWarning(r, "log recovered after a crash"), "%v", r.Warnings)
	recs := readRecs(t, f.dir)
	var rec *Entry
	for i := range recs {
		if recs[i].e.Type == LogRecovery {
			rec = &recs[i].e
		}
	}
	require.NotNil(t, rec)
	dropped, _ := Field(rec.Payload, "dropped-bytes")
	require.NotEqual(t, "", dropped)
}

func TestTornRecordInsideCheckpointIsTamper(t *testing.T) {
	f := newFixture(t)
	b, err := os.ReadFile(filepath.Join(f.dir, fileLog))
	require.NoError(t, err)
	writeLog(t, f.dir, b[:len(b)-7]) // the sealed final CHECKPOINT entry
	_, err = Open(f.dir, f.cfg, at(70))
	require.ErrorIs(t, err, ErrRollback)
}

func TestRestoreOlderCopy(t *testing.T) { // 10
	f := newFixture(t)
	old := filepath.Join(t.TempDir(), "old-log")
	require.NoError(t, os.CopyFS(old, os.DirFS(f.dir)))

	f.cfg.Keys = testKeys(t)
	l, err := Open(f.dir, f.cfg, at(60))
	require.NoError(t, err)
	appendAll(t, l, scenario[:2], 61)
	newer := filepath.Join(t.TempDir(), "export2")
	sh, err := l.Export(newer, at(70))
	require.NoError(t, err)
	require.NoError(t, l.Close(at(71)))

	// The auditor kept sh from export 2; export 1 shown later is a rollback.
	r := f.verify(t, false, sh.Note)
	require.Equal(t, Tampered, r.Verdict)
	require.Contains(t, r.Reason, "rolled back")
	// Export 2 against its own checkpoint is fine.
	require.Equal(t, OK, verifyDir(t, newer, sh.Note).Verdict)

	// On the appliance, the older copy is refused by the floor.
	require.NoError(t, os.RemoveAll(f.dir))
	require.NoError(t, os.CopyFS(f.dir, os.DirFS(old)))
	_, err = Open(f.dir, f.cfg, at(80))
	require.ErrorIs(t, err, ErrRollback)
}

func TestForkAgainstLastSeen(t *testing.T) { // 11, fork
	f := newFixture(t)
	// Another history under the same key: same origin, different events.
	forkDir := filepath.Join(t.TempDir(), "fork")
	cfg := testConfig(t, &MemFloor{})
	l, err := Create(forkDir, cfg, at(0))
	require.NoError(t, err)
	appendAll(t, l, scenario[3:], 1)
	fork := filepath.Join(t.TempDir(), "fork-export")
	sh, err := l.Export(fork, at(40))
	require.NoError(t, err)
	// Each export is self-consistent; only the checkpoint the auditor
	// kept from one exposes the other.
	require.Equal(t, OK, verifyDir(t, fork, sh.Note).Verdict)
	r := f.verify(t, false, sh.Note)
	require.Equal(t, Tampered, r.Verdict)
	require.Contains(t, r.Reason, "forked or rewritten")
}

func TestForeignExport(t *testing.T) { // 9, whole export
	dir, _ := otherDevice(t)
	r := verifyDir(t, dir, nil)
	require.Equal(t, Tampered, r.Verdict)
	require.Equal(t, int64(0), r.FirstBad)
	require.Contains(t, r.Reason, "origin")
}

// sameKeyRing hands out one key for every epoch: the CVE-2023-31439 shape.
type sameKeyRing struct{}

func (sameKeyRing) MAC(uint32) (func() hash.Hash, error) {
	return func() hash.Hash { return hmac.New(sha256.New, seed(3)) }, nil
}
func (sameKeyRing) StartEpoch(uint32) error { return nil }

func TestKeyReusedAcrossEpochs(t *testing.T) { // 13, reuse
	dir := t.TempDir()
	cfg := testConfig(t, &MemFloor{})
	cfg.Keys = sameKeyRing{}
	l, err := Create(dir, cfg, at(0))
	require.NoError(t, err)
	appendAll(t, l, scenario[:2], 1)
	require.NoError(t, l.NewEpoch("session", at(5)))
	require.NoError(t, l.Close(at(6)))
	r, err := Verify(dir, VerifyOptions{Trusted: trusted(t, testOrigin, testKey(1)), Keys: sameKeyRing{}})
	require.NoError(t, err)
	require.Equal(t, Tampered, r.Verdict)
	require.Contains(t, r.Reason, "reuses the MAC key of epoch 0")
}

func TestWriterCannotMACOldEpochs(t *testing.T) {
	k := testKeys(t)
	require.NoError(t, k.StartEpoch(3))
	_, err := k.MAC(2)
	require.ErrorIs(t, err, ErrNoKey)
}

func TestOpenRefusesTamperedLog(t *testing.T) {
	t.Run("payload in the sealed part", func(t *testing.T) {
		f := liveLog(t)
		b, err := os.ReadFile(filepath.Join(f.dir, fileLog))
		require.NoError(t, err)
		offs := frameOffsets(t, b)
		b[offs[victim+1]-frameOverhead+4-1-32] ^= 1
		fixCRC(b, offs[victim], offs[victim+1])
		writeLog(t, f.dir, b)
		_, err = Open(f.dir, f.cfg, at(70))
		require.ErrorIs(t, err, ErrTampered)
	})
	t.Run("tag in the unsealed tail", func(t *testing.T) {
		f := liveLog(t)
		b, err := os.ReadFile(filepath.Join(f.dir, fileLog))
		require.NoError(t, err)
		offs := frameOffsets(t, b)
		n := len(offs) - 2 // last record
		b[offs[n+1]-5] ^= 1
		fixCRC(b, offs[n], offs[n+1])
		writeLog(t, f.dir, b)
		f.cfg.Keys = testKeys(t)
		_, err = Open(f.dir, f.cfg, at(70))
		require.ErrorIs(t, err, ErrTampered)
		require.ErrorContains(t, err, "MAC does not verify")
	})
}

func TestEpochEvery(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, &MemFloor{})
	cfg.EpochEvery = 5
	l, err := Create(dir, cfg, at(0))
	require.NoError(t, err)
	appendAll(t, l, scenario, 1)
	require.NoError(t, l.Close(at(30)))
	var starts int
	for _, r := range readRecs(t, dir) {
		if r.e.Type == EpochStart {
			starts++
		}
	}
	require.GreaterOrEqual(t, starts, 2)
	r := verifyDir(t, dir, nil)
	require.Equal(t, OK, r.Verdict, "%+v", r)
	require.True(t, r.Checks.MACs)
}

func TestLeftoverTempCheckpointIsNotTamper(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, dirCheckpoints, ".21.tmp-123"), []byte("half"), 0o644))
	r := verifyDir(t, f.dir, nil)
	require.Equal(t, OK, r.Verdict, "%+v", r)
	require.True(t, hasWarning(r, "leftover temporary file"))
	require.NoError(t, os.WriteFile(filepath.Join(f.export, dirCheckpoints, "junk"), []byte("x"), 0o644))
	require.Equal(t, Tampered, f.verify(t, false, nil).Verdict)
}

func TestInclusionProofs(t *testing.T) {
	f := newFixture(t)
	names, err := os.ReadDir(filepath.Join(f.export, dirInclusion))
	require.NoError(t, err)
	require.Len(t, names, 4, "import rejected, update rejected, auth failure, ceremony aborted")
	raw, err := os.ReadFile(filepath.Join(f.export, dirInclusion, names[0].Name()))
	require.NoError(t, err)
	e, h, err := VerifyInclusion(raw, trusted(t, testOrigin, testKey(1)))
	require.NoError(t, err)
	require.True(t, e.Type.flagged())
	require.Equal(t, f.verify(t, false, nil).Entries, h.Size)
	_, _, err = VerifyInclusion(raw, trusted(t, testOrigin, testKey(9)))
	require.ErrorIs(t, err, ErrUntrustedNote)

	// Another entry's bytes under this index: CheckRecord fails.
	p, err := ParseInclusionProof(raw)
	require.NoError(t, err)
	p.Extra = readRecs(t, f.export)[p.Index+1].raw
	_, _, err = VerifyInclusion(p.Marshal(), trusted(t, testOrigin, testKey(1)))
	require.Error(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(f.export, dirInclusion, names[0].Name()), p.Marshal(), 0o644))
	r := f.verify(t, false, nil)
	require.Equal(t, Tampered, r.Verdict)
	require.Contains(t, r.Reason, "inclusion proof")
}

// TestUnpinnedIsNeverOK: without a pinned key, a log verifies only
// against the key it brings; another device's log (or this one re-signed
// by another key) is self-consistent, so the verdict says UNPINNED.
func TestUnpinnedIsNeverOK(t *testing.T) {
	dir, _ := otherDevice(t)
	r, err := Verify(dir, VerifyOptions{})
	require.NoError(t, err)
	require.Equal(t, Unpinned, r.Verdict, "%+v", r)
	require.False(t, r.Checks.KeyPinned)
	require.Contains(t, r.Reason, "pin the log's key")
	require.Equal(t, "UNPINNED", r.Verdict.String())
	// Pinned to the right key, the same log is OK; to ours, tampered.
	require.Equal(t, OK, verifyWith(t, dir, trusted(t, "signbox.local/SN0002/audit", testKey(2))).Verdict)
	require.Equal(t, Tampered, verifyWith(t, dir, trusted(t, testOrigin, testKey(1))).Verdict)
}

func verifyWith(t *testing.T, dir string, v note.Verifier) *Report {
	r, err := Verify(dir, VerifyOptions{Trusted: v})
	require.NoError(t, err)
	return r
}

// TestLastSeenOtherOrigin: a last-seen checkpoint that agrees with the log
// in size and root, signed by the trusted key, but for another origin is a
// problem, not a match: the auditor kept it from another log.
func TestLastSeenOtherOrigin(t *testing.T) {
	f := newFixture(t)
	msg, err := os.ReadFile(filepath.Join(f.export, fileCheckpoint))
	require.NoError(t, err)
	body := bodyOf(msg)
	require.True(t, strings.HasPrefix(body, testOrigin+"\n"), body)
	other := signWith(t, "elsewhere.example/audit"+strings.TrimPrefix(body, testOrigin), testOrigin, testKey(1))
	require.Equal(t, OK, f.verify(t, false, msg).Verdict)
	r := f.verify(t, false, other)
	require.Equal(t, Tampered, r.Verdict, "%+v", r)
	require.Contains(t, r.Reason, `last-seen checkpoint is for origin "elsewhere.example/audit"`)
}
