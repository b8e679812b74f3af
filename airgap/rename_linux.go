package airgap

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"signbox/internal/atomicfile"
)

// renameNoReplace renames a directory into place and fails if the target
// exists. Plain rename(2) would silently replace an empty directory, so
// renameat2(RENAME_NOREPLACE) is used; file systems without it (EINVAL)
// fall back to check-then-rename, which only a concurrent writer on the
// same media could race.
func renameNoReplace(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EEXIST):
		return fmt.Errorf("%s: %w", to, atomicfile.ErrExists)
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS):
		if _, err := os.Lstat(to); err == nil {
			return fmt.Errorf("%s: %w", to, atomicfile.ErrExists)
		}
		return os.Rename(from, to)
	}
	return fmt.Errorf("rename %s to %s: %w", from, to, err)
}
