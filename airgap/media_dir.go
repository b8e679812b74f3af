package airgap

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// The directory form is walked with openat(2) on held directory file
// descriptors, O_NOFOLLOW on every component and fstatat without
// following links, so a symlink anywhere in the tree is reported, never
// followed, and renaming directories underneath the walk cannot redirect
// it. (os.Root would keep reads inside the tree, but it follows symlinks
// that stay inside, which the import rules forbid.)

const openFileFlags = unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NONBLOCK | unix.O_NOCTTY

func scanDir(root string, s *scanner) (*scanner, error) {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", root, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("stat %s: %w", root, err)
	}
	s.dev = st.Dev
	if err := s.walkDir(fd, ""); err != nil {
		return nil, err
	}
	return s, nil
}

// walkDir scans the directory open at fd (which it closes) whose media
// path is prefix.
func (s *scanner) walkDir(fd int, prefix string) error {
	dir := os.NewFile(uintptr(fd), prefix)
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("list %s: %w", displayDir(prefix), err)
	}
	sort.Strings(names)
	for _, name := range names {
		p := path.Join(prefix, name)
		if err := s.visit(fd, name, p); err != nil {
			return err
		}
	}
	return nil
}

// visit classifies one directory entry without following it.
func (s *scanner) visit(dirfd int, name, p string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return refuse(p, fmt.Errorf("stat: %w", err))
	}
	if st.Dev != s.dev {
		return refuse(p, fmt.Errorf("%w: mount point (another file system is mounted here)", ErrSpecialFile))
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFLNK:
		return refuse(p, fmt.Errorf("%w: symlink", ErrLink))
	case unix.S_IFDIR:
		if err := s.claim(p, true); err != nil {
			return err
		}
		cfd, err := openAtNoFollow(dirfd, name, unix.O_DIRECTORY, &st)
		if err != nil {
			return refuse(p, err)
		}
		return s.walkDir(cfd, p)
	case unix.S_IFREG:
		return s.visitFile(dirfd, name, p, &st)
	default:
		return refuse(p, fmt.Errorf("%w: %s", ErrSpecialFile, fileType(st.Mode)))
	}
}

func (s *scanner) visitFile(dirfd int, name, p string, st *unix.Stat_t) error {
	if err := s.claim(p, false); err != nil {
		return err
	}
	if st.Nlink > 1 {
		return refuse(p, fmt.Errorf("%w: hard link (%d names)", ErrLink, st.Nlink))
	}
	if err := s.checkSize(p, st.Size); err != nil {
		return err
	}
	fd, err := openAtNoFollow(dirfd, name, 0, st)
	if err != nil {
		return refuse(p, err)
	}
	f := os.NewFile(uintptr(fd), p)
	defer f.Close()
	return s.addFile(p, st.Size, f)
}

// openAtNoFollow opens name in dirfd and checks that it is still the
// inode that was stat'ed, so a swap between stat and open is caught.
func openAtNoFollow(dirfd int, name string, extra int, want *unix.Stat_t) (int, error) {
	fd, err := unix.Openat(dirfd, name, openFileFlags|extra, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return -1, fmt.Errorf("%w: became a symlink", ErrLink)
		}
		return -1, fmt.Errorf("open: %w", err)
	}
	var got unix.Stat_t
	if err := unix.Fstat(fd, &got); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("stat: %w", err)
	}
	if got.Dev != want.Dev || got.Ino != want.Ino || got.Mode&unix.S_IFMT != want.Mode&unix.S_IFMT {
		unix.Close(fd)
		return -1, fmt.Errorf("%w: replaced between stat and open", ErrChanged)
	}
	if got.Mode&unix.S_IFMT == unix.S_IFREG && got.Nlink > 1 {
		unix.Close(fd)
		return -1, fmt.Errorf("%w: hard link (%d names)", ErrLink, got.Nlink)
	}
	return fd, nil
}

// openMediaFile opens the regular file at slash path p under root,
// component by component without following links.
func openMediaFile(root, p string) (*os.File, error) {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", root, err)
	}
	dir, base := path.Split(p)
	for _, c := range splitDirs(dir) {
		var st unix.Stat_t
		if err := unix.Fstatat(fd, c, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			unix.Close(fd)
			return nil, refuse(p, fmt.Errorf("%w: %v", ErrChanged, err))
		}
		next, err := openAtNoFollow(fd, c, unix.O_DIRECTORY, &st)
		unix.Close(fd)
		if err != nil {
			return nil, refuse(p, err)
		}
		fd = next
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstatat(fd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, refuse(p, fmt.Errorf("%w: %v", ErrChanged, err))
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, refuse(p, fmt.Errorf("%w: no longer a regular file", ErrChanged))
	}
	ffd, err := openAtNoFollow(fd, base, 0, &st)
	if err != nil {
		return nil, refuse(p, err)
	}
	return os.NewFile(uintptr(ffd), p), nil
}

func (m *Media) streamDir(want func(Entry) bool, fn func(Entry, io.Reader) error) error {
	for _, p := range m.order {
		e := m.entries[p]
		if !want(e) {
			continue
		}
		if err := m.streamDirFile(e, fn); err != nil {
			return err
		}
	}
	return nil
}

func (m *Media) streamDirFile(e Entry, fn func(Entry, io.Reader) error) error {
	f, err := openMediaFile(m.src, e.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := newCheckedReader(f, e)
	if err := fn(e, cr); err != nil {
		return err
	}
	return cr.drain()
}

func splitDirs(dir string) []string {
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		return nil
	}
	return strings.Split(dir, "/")
}

func fileType(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFCHR:
		return "character device"
	case unix.S_IFBLK:
		return "block device"
	case unix.S_IFIFO:
		return "named pipe"
	case unix.S_IFSOCK:
		return "socket"
	}
	return fmt.Sprintf("file type %#o", mode&unix.S_IFMT)
}

func displayDir(p string) string {
	if p == "" {
		return "media root"
	}
	return p
}
