package audit

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const testOrigin = "signbox.local/SN0001/audit"

// t0 is the fixed start of every test log; entries are a minute apart.
var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func at(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }

func seed(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// testKey is the checkpoint key for tests; a different b gives another
// appliance's key.
func testKey(b byte) ed25519.PrivateKey { return ed25519.NewKeyFromSeed(seed(b)) }

func testKeys(t testing.TB) *DerivedKeys {
	k, err := NewDerivedKeys(seed(7))
	require.NoError(t, err)
	return k
}

func testConfig(t testing.TB, floor Floor) Config {
	return Config{Origin: testOrigin, Keys: testKeys(t), Signer: testKey(1), Floor: floor, CheckpointEvery: 8}
}

func trusted(t testing.TB, origin string, key ed25519.PrivateKey) note.Verifier {
	vkey, err := note.NewEd25519VerifierKey(origin, key.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	return v
}

// event is one caller-level append in a test scenario.
type event struct {
	typ Type
	kv  []string
}

var scenario = []event{
	{CeremonyStarted, []string{"ceremony", "release-1.4.0"}},
	{ImportAccepted, []string{"request", "sha256:aa"}},
	{CeremonyApproved, []string{"custodian", "alice"}},
	{CeremonyApproved, []string{"custodian", "bob"}},
	{CeremonySigned, []string{"image", "app.bin"}},
	{CeremonyExported, []string{"bundle", "sha256:bb"}},
	{KeyEvent, []string{"action", "generated", "label", "fw-2027"}},
	{PolicyChange, []string{"old", "sha256:01", "new", "sha256:02"}},
	{ImportRejected, []string{"reason", "bad signature"}},
	{BootResult, []string{"slot", "A", "result", "ok"}},
	{UpdateRejected, []string{"reason", "security version 3 below floor 4"}},
	{ConfigChange, []string{"old", "sha256:03", "new", "sha256:04"}},
	{AuthFailure, []string{"custodian", "mallory"}},
	{CeremonyAborted, []string{"reason", "quorum not reached"}},
}

func appendAll(t testing.TB, l *Log, evs []event, from int) int {
	for i, ev := range evs {
		p, err := Fields(ev.kv...)
		require.NoError(t, err)
		_, err = l.Append(ev.typ, p, at(from+i))
		require.NoError(t, err)
	}
	return from + len(evs)
}

// fixture is a log directory and an export of it.
type fixture struct {
	dir, export string
	floor       *MemFloor
	cfg         Config
}

// newFixture writes the scenario across two epochs with automatic
// checkpoints, then exports.
func newFixture(t testing.TB) *fixture {
	root := t.TempDir()
	f := &fixture{dir: filepath.Join(root, "log"), export: filepath.Join(root, "export"), floor: &MemFloor{}}
	f.cfg = testConfig(t, f.floor)
	l, err := Create(f.dir, f.cfg, at(0))
	require.NoError(t, err)
	n := appendAll(t, l, scenario[:7], 1)
	require.NoError(t, l.NewEpoch("session", at(n)))
	n = appendAll(t, l, scenario[7:], n+1)
	_, err = l.Export(f.export, at(n))
	require.NoError(t, err)
	require.NoError(t, l.Close(at(n+1)))
	return f
}

func (f *fixture) verify(t testing.TB, keys bool, lastSeen []byte) *Report {
	opt := VerifyOptions{Trusted: trusted(t, testOrigin, testKey(1)), LastSeen: lastSeen}
	if keys {
		opt.Keys = testKeys(t)
	}
	r, err := Verify(f.export, opt)
	require.NoError(t, err)
	return r
}

// rec is one parsed record, for tests that rewrite logs as an attacker.
type rec struct {
	e   Entry
	raw []byte
	tag [tagSize]byte
}

func parseRecs(t testing.TB, b []byte) []rec {
	var out []rec
	for len(b) > 0 {
		ent, tag, n, _, err := readFrame(b)
		require.NoError(t, err)
		e, err := ParseEntry(ent)
		require.NoError(t, err)
		out = append(out, rec{e: e, raw: append([]byte(nil), ent...), tag: tag})
		b = b[n:]
	}
	return out
}

// encodeRecs frames records again. rechain recomputes seq and prev links
// (what an attacker without the MAC key can do); mac, if set, re-tags.
func encodeRecs(t testing.TB, rs []rec, rechain bool, mac MACKeys) []byte {
	var out []byte
	var chain tlog.Hash
	for i, r := range rs {
		if rechain {
			r.e.Seq, r.e.Prev = int64(i), chain
		}
		raw, err := r.e.MarshalBinary()
		require.NoError(t, err)
		if !rechain {
			raw = r.raw
		}
		chain = chainNext(chain, tlog.RecordHash(raw))
		tag := r.tag
		if mac != nil {
			m, err := mac.MAC(r.e.Epoch)
			require.NoError(t, err)
			tag, err = macTag(m(), chain)
			require.NoError(t, err)
		}
		out = frame(out, raw, tag)
	}
	return out
}

func readRecs(t testing.TB, dir string) []rec {
	b, err := os.ReadFile(filepath.Join(dir, fileLog))
	require.NoError(t, err)
	return parseRecs(t, b)
}

func writeLog(t testing.TB, dir string, b []byte) {
	require.NoError(t, os.WriteFile(filepath.Join(dir, fileLog), b, 0o644))
}

// frameOffsets returns the byte offset where each record starts, plus the
// file length.
func frameOffsets(t testing.TB, b []byte) []int {
	var offs []int
	off := 0
	for off < len(b) {
		offs = append(offs, off)
		_, _, n, _, err := readFrame(b[off:])
		require.NoError(t, err)
		off += n
	}
	return append(offs, off)
}

var zeroTime time.Time

// crash drops l the way a dying process would: file and lock released,
// no shutdown checkpoint.
func crash(l *Log) {
	l.abandon()
	l.broken = errClosed
}
