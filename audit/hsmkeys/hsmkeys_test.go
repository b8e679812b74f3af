package hsmkeys_test

import (
	"crypto/ed25519"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"signbox/audit"
	"signbox/audit/hsmkeys"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

const origin = "signbox.local/SN0001/audit"

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// TestLogOnSoftHSM runs the log with MAC keys and the checkpoint key in a
// real SoftHSM2 token, then verifies the export with and without it.
func TestLogOnSoftHSM(t *testing.T) {
	tok := hsmtest.NewToken(t)
	_, err := tok.GenerateKey("audit-checkpoint", hsm.Ed25519)
	require.NoError(t, err)
	signer, err := tok.Signer("audit-checkpoint")
	require.NoError(t, err)
	ring := hsmkeys.New(tok, "audit-mac")
	root := t.TempDir()
	cfg := audit.Config{Origin: origin, Keys: ring, Signer: signer, Floor: audit.FileFloor(filepath.Join(root, "floor")), CheckpointEvery: 4}

	l, err := audit.Create(filepath.Join(root, "log"), cfg, t0)
	require.NoError(t, err)
	for i := range 5 {
		_, err := l.Append(audit.BootResult, []byte("result=ok\n"), t0.Add(time.Duration(i)*time.Second))
		require.NoError(t, err)
	}
	require.NoError(t, l.NewEpoch("session", t0.Add(time.Minute)))
	_, err = l.Append(audit.UpdateRejected, []byte("reason=bad signature\n"), t0.Add(2*time.Minute))
	require.NoError(t, err)
	export := filepath.Join(root, "export")
	_, err = l.Export(export, t0.Add(3*time.Minute))
	require.NoError(t, err)
	require.NoError(t, l.Close(t0.Add(4*time.Minute)))

	vkey, err := note.NewEd25519VerifierKey(origin, signer.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)

	r, err := audit.Verify(export, audit.VerifyOptions{Trusted: v, Keys: hsmkeys.New(tok, "audit-mac")})
	require.NoError(t, err)
	require.Equal(t, audit.OK, r.Verdict, "%+v", r)
	require.True(t, r.Checks.MACs)
	require.Equal(t, r.Entries, r.MACsChecked)

	// The appliance reopens with its HSM keys.
	l, err = audit.Open(filepath.Join(root, "log"), cfg, t0.Add(5*time.Minute))
	require.NoError(t, err)
	require.NoError(t, l.Close(t0.Add(6*time.Minute)))

	// A tag changed with its CRC fixed up passes every public check; only
	// the HSM MAC catches it.
	raw, err := os.ReadFile(filepath.Join(export, "log"))
	require.NoError(t, err)
	last := 0
	for off := 0; off < len(raw); off += 4 + int(binary.BigEndian.Uint32(raw[off:])) + 36 {
		last = off
	}
	raw[len(raw)-10] ^= 1
	binary.BigEndian.PutUint32(raw[len(raw)-4:], crc32.Checksum(raw[last:len(raw)-4], crc32.MakeTable(crc32.Castagnoli)))
	require.NoError(t, os.WriteFile(filepath.Join(export, "log"), raw, 0o644))
	r, err = audit.Verify(export, audit.VerifyOptions{Trusted: v})
	require.NoError(t, err)
	require.Equal(t, audit.OK, r.Verdict)
	r, err = audit.Verify(export, audit.VerifyOptions{Trusted: v, Keys: hsmkeys.New(tok, "audit-mac")})
	require.NoError(t, err)
	require.Equal(t, audit.Tampered, r.Verdict)
	require.Equal(t, r.Entries-1, r.FirstBad)

	// A ring under another prefix has no keys: MACs are reported unchecked,
	// never as passed.
	r, err = audit.Verify(export, audit.VerifyOptions{Trusted: v, Keys: hsmkeys.New(tok, "wrong-prefix")})
	require.NoError(t, err)
	require.Zero(t, r.MACsChecked)
	require.NotEmpty(t, r.Warnings)
}

func TestEpochKeysAreDistinct(t *testing.T) {
	tok := hsmtest.NewToken(t)
	ring := hsmkeys.New(tok, "k")
	require.NoError(t, ring.StartEpoch(0))
	require.Equal(t, "k", hsmkeys.Label("k", 0), "epoch 0 is the provisioned key")
	require.NoError(t, ring.StartEpoch(1))
	require.NoError(t, ring.StartEpoch(1), "a key left by a crash is reused")
	m0, err := ring.MAC(0)
	require.NoError(t, err)
	m1, err := ring.MAC(1)
	require.NoError(t, err)
	h0, h1 := m0(), m1()
	h0.Write([]byte("x"))
	h1.Write([]byte("x"))
	require.NotEqual(t, h0.Sum(nil), h1.Sum(nil))
	_, err = ring.MAC(2)
	require.ErrorIs(t, err, audit.ErrNoKey)
}

// BenchmarkAppendSoftHSM: appends with the MAC computed in SoftHSM and an
// fsync per entry.
func BenchmarkAppendSoftHSM(b *testing.B) {
	tok := hsmtest.NewToken(b)
	_, err := tok.GenerateKey("cp", hsm.Ed25519)
	require.NoError(b, err)
	signer, err := tok.Signer("cp")
	require.NoError(b, err)
	root := b.TempDir()
	cfg := audit.Config{Origin: origin, Keys: hsmkeys.New(tok, "mac"), Signer: signer,
		Floor: audit.FileFloor(filepath.Join(root, "floor")), CheckpointEvery: 1 << 40}
	l, err := audit.Create(filepath.Join(root, "log"), cfg, t0)
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Append(audit.BootResult, []byte("result=ok\n"), t0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}
