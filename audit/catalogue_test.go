package audit

import (
	"crypto/ed25519"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// attack is one item of the B.4 catalogue run against a fresh export.
type attack struct {
	name   string
	mutate func(t *testing.T, f *fixture)
	keys   bool // verify with the MAC key ring
	want   Verdict
	bad    int64  // expected FirstBad (-1 for none)
	reason string // substring of Report.Reason
	warn   string // substring of some warning, if set
}

// victim is the entry most attacks hit: inside epoch 0, before the last
// checkpoint.
const victim = 5

func TestAttackCatalogue(t *testing.T) {
	for _, a := range attacks() {
		t.Run(a.name, func(t *testing.T) {
			f := newFixture(t)
			a.mutate(t, f)
			r := f.verify(t, a.keys, nil)
			require.Equal(t, a.want, r.Verdict, "report: %+v", r)
			require.Equal(t, a.bad, r.FirstBad, "report: %+v", r)
			require.Contains(t, r.Reason, a.reason)
			if a.warn != "" {
				require.True(t, hasWarning(r, a.warn), "warnings: %v", r.Warnings)
			}
		})
	}
}

func attacks() []attack {
	return []attack{
		// 1. Byte flip in a payload: chain breaks at i+1; with keys the
		// MAC fails at i.
		{"01-payload-flip-public", flipPayload, false, Tampered, victim + 1, "previous-chain hash", ""},
		{"01-payload-flip-mac", flipPayload, true, Tampered, victim, "MAC does not verify", ""},
		// 2. Flip in the tag (CRC fixed up): invisible without the key,
		// caught by the MAC; a flip in the CRC is a corrupt record.
		{"02-tag-flip-public", flipTag, false, OK, -1, "", ""},
		{"02-tag-flip-mac", flipTag, true, Tampered, victim, "MAC does not verify", ""},
		{"02-crc-flip", flipCRC, false, Tampered, victim, "CRC mismatch", ""},
		// 3. Delete a middle entry: sequence gap and broken chain.
		{"03-delete", deleteEntry(false, false), false, Tampered, victim, "sequence number", ""},
		// 4. Same, re-chained without the key: public checks see only the
		// checkpoints disagree; the MAC pins the entry.
		{"04-delete-rechained-public", deleteEntry(true, false), false, Tampered, 2, "checkpoint 12 does not end at a CHECKPOINT entry", ""},
		{"04-delete-rechained-mac", deleteEntry(true, false), true, Tampered, victim, "MAC does not verify", ""},
		// 5. Same, re-MACed with the current epoch's key: epoch/position
		// mismatch and checkpoint mismatch.
		{"05-delete-remaced-current-epoch", deleteEntry(true, true), false, Tampered, 0, "LOG_START in epoch 0", ""},
		// 6a. Truncate at a record boundary before the last checkpoint.
		{"06a-truncate-before-checkpoint", truncateTo(-3), false, Tampered, 17, "truncated", ""},
		// 8. Swap two entries.
		{"08-swap", swap, false, Tampered, victim, "sequence number", ""},
		// 9. Splice an entry from another device's log.
		{"09-splice-foreign-entry", spliceForeign, false, Tampered, victim, "origin", ""},
		{"09-foreign-checkpoint", foreignCheckpoint, false, Tampered, 1, "no signature by the trusted key", ""},
		// 11. Forged checkpoints.
		{"11-unknown-key", forgeCheckpoint(otherKeySigned), false, Tampered, 1, "no signature by the trusted key", ""},
		{"11-bad-signature", forgeCheckpoint(badSignature), false, Tampered, 1, "signature by the trusted key is invalid", ""},
		{"11-wrong-origin", forgeCheckpoint(wrongOrigin), false, Tampered, 0, "origin", ""},
		{"11-forked-tree", forgeCheckpoint(forkedRoot), false, Tampered, 0, "root hash does not match", ""},
		{"11-duplicate-signature-lines", forgeCheckpoint(dupSig), false, Tampered, 1, "two signatures by the same key", ""},
		{"11-too-many-signatures", forgeCheckpoint(manySigs), false, Tampered, 1, "signatures, limit", ""},
		{"11-control-character", forgeCheckpoint(controlChar), false, Tampered, 1, "control character", ""},
		{"11-no-blank-line", forgeCheckpoint(noBlankLine), false, Tampered, 1, "no blank line", ""},
		{"11-bad-proof", badProof, false, Tampered, 12, "consistency proof", ""},
		// 12. Unsealed file: checkpoints removed; verifying with a key must
		// not pass (systemd#15425).
		{"12-unsealed-file", removeCheckpoints, false, UnsealedTail, -1, "not covered by a trusted checkpoint", ""},
		// 13. Skipped epoch; one key serving two epochs.
		{"13-skipped-epoch", skipEpoch, false, Tampered, 9, "epochs must advance by one", ""},
		// 14. Time going backwards is a warning; seq decides order.
		{"14-time-backwards", timeBackwards, false, OK, -1, "", "is before the previous entry's"},
	}
}

// fixups

func flipPayload(t *testing.T, f *fixture) {
	b := readExportLog(t, f)
	offs := frameOffsets(t, b)
	b[offs[victim+1]-frameOverhead+4-1-tlog.HashSize] ^= 0x01 // last payload byte
	fixCRC(b, offs[victim], offs[victim+1])
	writeLog(t, f.export, b)
}

func flipTag(t *testing.T, f *fixture) {
	b := readExportLog(t, f)
	offs := frameOffsets(t, b)
	b[offs[victim+1]-5] ^= 0x80
	fixCRC(b, offs[victim], offs[victim+1])
	writeLog(t, f.export, b)
}

func flipCRC(t *testing.T, f *fixture) {
	b := readExportLog(t, f)
	offs := frameOffsets(t, b)
	b[offs[victim+1]-1] ^= 0x01
	writeLog(t, f.export, b)
}

func fixCRC(b []byte, start, end int) {
	binary.BigEndian.PutUint32(b[end-4:], crc32c(b[start:end-4]))
}

func deleteEntry(rechain, remac bool) func(*testing.T, *fixture) {
	return func(t *testing.T, f *fixture) {
		rs := readRecs(t, f.export)
		rs = append(rs[:victim:victim], rs[victim+1:]...)
		var mac MACKeys
		if remac {
			// The attacker holds today's key (epoch 1) only: they must
			// stamp the rewritten entries with epoch 1.
			mac = testKeys(t)
			for i := range rs {
				rs[i].e.Epoch = 1
			}
		}
		writeLog(t, f.export, encodeRecs(t, rs, rechain, mac))
	}
}

// truncateTo cuts the log to n records (negative: from the end).
func truncateTo(n int) func(*testing.T, *fixture) {
	return func(t *testing.T, f *fixture) {
		b := readExportLog(t, f)
		offs := frameOffsets(t, b)
		writeLog(t, f.export, b[:offs[len(offs)-1+n]])
	}
}

func swap(t *testing.T, f *fixture) {
	rs := readRecs(t, f.export)
	rs[victim], rs[victim+1] = rs[victim+1], rs[victim]
	writeLog(t, f.export, encodeRecs(t, rs, false, nil))
}

// otherDevice builds a second appliance's log (own origin, own keys).
func otherDevice(t *testing.T) (string, []rec) {
	dir := t.TempDir()
	cfg := Config{Origin: "signbox.local/SN0002/audit", Keys: testKeys(t), Signer: testKey(2), Floor: &MemFloor{}}
	l, err := Create(dir, cfg, at(0))
	require.NoError(t, err)
	appendAll(t, l, scenario, 1)
	require.NoError(t, l.Close(at(50)))
	return dir, readRecs(t, dir)
}

func spliceForeign(t *testing.T, f *fixture) {
	_, foreign := otherDevice(t)
	rs := readRecs(t, f.export)
	rs[victim] = foreign[victim]
	writeLog(t, f.export, encodeRecs(t, rs, false, nil))
}

func foreignCheckpoint(t *testing.T, f *fixture) {
	dir, _ := otherDevice(t)
	msg, err := os.ReadFile(filepath.Join(dir, fileCheckpoint))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(f.export, dirCheckpoints, "2"), msg, 0o644))
}

// forgeCheckpoint replaces checkpoint 2 (the creation checkpoint) with
// what forge makes of it.
func forgeCheckpoint(forge func(t *testing.T, msg []byte) []byte) func(*testing.T, *fixture) {
	return func(t *testing.T, f *fixture) {
		p := filepath.Join(f.export, dirCheckpoints, "2")
		msg, err := os.ReadFile(p)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, forge(t, msg), 0o644))
	}
}

func signWith(t *testing.T, text string, origin string, key ed25519.PrivateKey) []byte {
	s, err := NewNoteSigner(origin, key)
	require.NoError(t, err)
	msg, err := note.Sign(&note.Note{Text: text}, s)
	require.NoError(t, err)
	return msg
}

func bodyOf(msg []byte) string {
	text, _, _ := strings.Cut(string(msg), "\n\n")
	return text + "\n"
}

func otherKeySigned(t *testing.T, msg []byte) []byte {
	return signWith(t, bodyOf(msg), testOrigin, testKey(9))
}

func badSignature(t *testing.T, msg []byte) []byte {
	out := []byte(string(msg))
	// Flip a base64 character inside the signature, past the key hash.
	i := len(out) - 10
	if out[i] == 'A' {
		out[i] = 'B'
	} else {
		out[i] = 'A'
	}
	return out
}

func wrongOrigin(t *testing.T, msg []byte) []byte {
	h, err := ParseHead(bodyOf(msg))
	require.NoError(t, err)
	h.Origin = "signbox.local/SN0002/audit"
	// Signed by the trusted key under its own name: a key misused for two
	// logs would produce exactly this.
	return signWith(t, h.Text(), testOrigin, testKey(1))
}

func forkedRoot(t *testing.T, msg []byte) []byte {
	h, err := ParseHead(bodyOf(msg))
	require.NoError(t, err)
	h.Root[0] ^= 1
	return signWith(t, h.Text(), testOrigin, testKey(1))
}

func sigLines(msg []byte) string {
	_, sigs, _ := strings.Cut(string(msg), "\n\n")
	return sigs
}

func dupSig(t *testing.T, msg []byte) []byte { return append(msg, sigLines(msg)...) }

func manySigs(t *testing.T, msg []byte) []byte {
	out := msg
	for i := byte(10); i < 20; i++ {
		out = append(out, sigLines(signWith(t, bodyOf(msg), testOrigin, testKey(i)))...)
	}
	return out
}

func controlChar(t *testing.T, msg []byte) []byte {
	return []byte(strings.Replace(string(msg), "\n", "\r\n", 1))
}

func noBlankLine(t *testing.T, msg []byte) []byte {
	return []byte(strings.Replace(string(msg), "\n\n", "\n", 1))
}

func badProof(t *testing.T, f *fixture) {
	names, err := os.ReadDir(filepath.Join(f.export, dirProofs))
	require.NoError(t, err)
	p := filepath.Join(f.export, dirProofs, names[0].Name())
	require.NoError(t, os.WriteFile(p, formatProof(tlog.TreeProof{{1}, {2}}), 0o644))
}

func removeCheckpoints(t *testing.T, f *fixture) {
	require.NoError(t, os.RemoveAll(filepath.Join(f.export, dirInclusion)))
	require.NoError(t, os.RemoveAll(filepath.Join(f.export, dirCheckpoints)))
	require.NoError(t, os.Remove(filepath.Join(f.export, fileCheckpoint)))
}

func skipEpoch(t *testing.T, f *fixture) {
	rs := readRecs(t, f.export)
	for i := range rs {
		if rs[i].e.Epoch == 1 {
			rs[i].e.Epoch = 2
		}
	}
	writeLog(t, f.export, encodeRecs(t, rs, true, nil))
}

func timeBackwards(t *testing.T, f *fixture) {
	// Built fresh: a genuine log whose caller's clock stepped back.
	dir := filepath.Join(t.TempDir(), "log")
	cfg := f.cfg
	cfg.Floor, cfg.Keys = &MemFloor{}, testKeys(t)
	l, err := Create(dir, cfg, at(10))
	require.NoError(t, err)
	appendAll(t, l, scenario[:2], 3)
	require.NoError(t, os.RemoveAll(f.export))
	_, err = l.Export(f.export, at(20))
	require.NoError(t, err)
}

func hasWarning(r *Report, sub string) bool {
	for _, w := range r.Warnings {
		if strings.Contains(w.Reason, sub) {
			return true
		}
	}
	return false
}

func readExportLog(t *testing.T, f *fixture) []byte {
	b, err := os.ReadFile(filepath.Join(f.export, fileLog))
	require.NoError(t, err)
	return b
}
