package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteNewRefusesExisting(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.bin")
	require.NoError(t, WriteNew(p, []byte("first"), 0o644))
	err := WriteNew(p, []byte("second"), 0o644)
	require.ErrorIs(t, err, ErrExists)
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, "first", string(got))
}

func TestCreateNewLeavesNothingOnFailure(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.bin")
	boom := errors.New("disk full")
	err := CreateNew(p, 0o644, func(w io.Writer) error {
		if _, err := w.Write([]byte("partial")); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "a failed write must leave no file, not even a temporary")
}

func TestReplace(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state")
	require.NoError(t, Replace(p, []byte("a"), 0o600))
	require.NoError(t, Replace(p, []byte("b"), 0o600))
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, "b", string(got))
	fi, err := os.Stat(p)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}
