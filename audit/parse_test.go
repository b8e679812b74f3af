package audit

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func validEntry(t *testing.T) []byte {
	e := Entry{Origin: testOrigin, Seq: 1, Time: at(0), Type: BootResult, Payload: []byte("result=ok\n")}
	b, err := e.MarshalBinary()
	require.NoError(t, err)
	return b
}

func TestParseEntryRejects(t *testing.T) {
	typeAt := 4 + 1 + len(testOrigin) + 8 + 4 + 8
	for _, tc := range []struct {
		name, want string
		mut        func([]byte) []byte
	}{
		{"bad magic", "bad magic", func(b []byte) []byte { b[3] = '2'; return b }},
		{"trailing byte", "trailing", func(b []byte) []byte { return append(b, 0) }},
		{"truncated", "truncated", func(b []byte) []byte { return b[:len(b)-1] }},
		{"unknown type", "unknown type", func(b []byte) []byte { binary.BigEndian.PutUint16(b[typeAt:], 999); return b }},
		{"space in origin", "origin", func(b []byte) []byte { b[5] = ' '; return b }},
		{"negative seq", "sequence out of range", func(b []byte) []byte { b[5+len(testOrigin)] = 0x80; return b }},
		{"too short", "bytes", func(b []byte) []byte { return b[:10] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEntry(tc.mut(validEntry(t)))
			require.ErrorIs(t, err, ErrMalformed)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestParseHeadRejects(t *testing.T) {
	root := "CjavTlBgrqs3Yrq169hGt+y8oHpp+xzMyjQaUSgTY3Q="
	for _, tc := range []struct{ name, text, want string }{
		{"empty extension line", testOrigin + "\n2\n" + root + "\n\nextra\n", "extension line 1 is empty"},
		{"leading zero", testOrigin + "\n02\n" + root + "\n", "canonical decimal"},
		{"negative", testOrigin + "\n-2\n" + root + "\n", "canonical decimal"},
		{"short root", testOrigin + "\n2\nAAAA\n", "root"},
		{"no final newline", testOrigin + "\n2\n" + root, "at least 3"},
		{"extension without final newline", testOrigin + "\n2\n" + root + "\nextra", "at least 3"},
		{"plus in origin", "a+b\n2\n" + root + "\n", "origin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHead(tc.text)
			require.ErrorIs(t, err, ErrMalformed)
			require.ErrorContains(t, err, tc.want)
		})
	}
	h, err := ParseHead(testOrigin + "\n2\n" + root + "\n")
	require.NoError(t, err)
	require.Equal(t, int64(2), h.Size)
	require.Nil(t, h.Extensions)
}

// TestCheckpointExtensionLines: c2sp.org/tlog-checkpoint allows opaque,
// non-empty extension lines after the root hash. A checkpoint someone
// else signed with them verifies and keeps them; signbox writes none.
func TestCheckpointExtensionLines(t *testing.T) {
	root := "CjavTlBgrqs3Yrq169hGt+y8oHpp+xzMyjQaUSgTY3Q="
	text := testOrigin + "\n2\n" + root + "\nTimestamp: 1732179600\nwitnessed-by example.org/w1\n"
	h, err := ParseHead(text)
	require.NoError(t, err)
	require.Equal(t, []string{"Timestamp: 1732179600", "witnessed-by example.org/w1"}, h.Extensions)
	require.Equal(t, text, h.Text())

	msg := signWith(t, text, testOrigin, testKey(1))
	opened, err := OpenCheckpoint(msg, trusted(t, testOrigin, testKey(1)))
	require.NoError(t, err)
	require.Equal(t, h, opened)

	// The auditor's last-seen checkpoint, re-issued with an extension
	// line by the same key, still pins the log.
	f := newFixture(t)
	latest, err := os.ReadFile(filepath.Join(f.export, fileCheckpoint))
	require.NoError(t, err)
	seen, err := ParseHead(bodyOf(latest))
	require.NoError(t, err)
	require.Empty(t, seen.Extensions, "signbox writes no extension lines")
	seen.Extensions = []string{"note from the auditor's tool"}
	r := f.verify(t, false, signWith(t, seen.Text(), testOrigin, testKey(1)))
	require.Equal(t, OK, r.Verdict, "%+v", r)
	require.True(t, r.Checks.LastSeen)
	// A forked root with the same extension is still caught.
	seen.Root[0] ^= 1
	r = f.verify(t, false, signWith(t, seen.Text(), testOrigin, testKey(1)))
	require.Equal(t, Tampered, r.Verdict)
}

func TestFields(t *testing.T) {
	p, err := Fields("reason", "bad signature", "slot", "B")
	require.NoError(t, err)
	require.Equal(t, "reason=bad signature\nslot=B\n", string(p))
	p, err = Fields("approved", "alice", "approved", "bob")
	require.NoError(t, err, "keys may repeat")
	v, _ := Field(p, "approved")
	require.Equal(t, "alice", v)
	for _, kv := range [][]string{{"a=b", "x"}, {"a b", "x"}, {"a", "x\ny"}, {"", "x"}, {"odd"}} {
		_, err := Fields(kv...)
		require.Error(t, err, "%q", kv)
	}
	_, err = ParseFields([]byte("a=1"))
	require.ErrorContains(t, err, "newline")
}

func TestConfigValidateNamesFields(t *testing.T) {
	_, err := Create(t.TempDir(), Config{Origin: "bad origin"}, at(0))
	for _, want := range []string{"config.Origin", "config.Keys", "config.Signer", "config.Floor"} {
		require.ErrorContains(t, err, want)
	}
}

func TestFileFloor(t *testing.T) {
	f := FileFloor(t.TempDir() + "/floor")
	n, err := f.Load()
	require.NoError(t, err)
	require.Zero(t, n)
	require.NoError(t, f.Raise(5))
	require.ErrorIs(t, f.Raise(4), ErrRollback)
	n, err = f.Load()
	require.NoError(t, err)
	require.Equal(t, int64(5), n)
}
