package airgap

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sort"
	"strings"
)

// Form is the shape media arrives in.
type Form int

const (
	FormDir Form = iota + 1 // a directory tree
	FormTar                 // a single POSIX/PAX tar file
)

func (f Form) String() string {
	switch f {
	case FormDir:
		return "directory"
	case FormTar:
		return "tar"
	}
	return "unknown"
}

// Entry is one regular file found on media, with the size and SHA-256
// measured while scanning.
type Entry struct {
	Path   string
	Size   int64
	SHA256 [32]byte
}

// Hex returns the entry's SHA-256 in lowercase hex.
func (e Entry) Hex() string { return hex.EncodeToString(e.SHA256[:]) }

// Media is a scanned directory or tar file whose shape passed every check:
// only regular files and directories, safe unique names, within limits.
// Contents are re-hashed whenever they are read again, so a file changed
// after the scan is caught ([ErrChanged]).
type Media struct {
	src     string
	form    Form
	lim     Limits
	entries map[string]Entry
	order   []string          // media order, for sequential tar reads
	kept    map[string][]byte // contents retained during the scan
}

// scanner collects entries and enforces the name and limit rules shared by
// both forms.
type scanner struct {
	lim    Limits
	count  int
	total  int64
	files  map[string]Entry
	order  []string
	dirs   map[string]bool
	folded map[string]string // fold key -> first spelling, files and dirs

	dev uint64 // device of the media root: a walk never crosses mounts

	retain     func(path string) bool
	retainLeft int64
	kept       map[string][]byte
}

func newScanner(lim Limits, retain func(string) bool, maxRetained int64) *scanner {
	return &scanner{lim: lim, files: map[string]Entry{}, dirs: map[string]bool{}, folded: map[string]string{},
		retain: retain, retainLeft: maxRetained, kept: map[string][]byte{}}
}

// claim registers a name (file or directory) and its parent directories.
func (s *scanner) claim(p string, isDir bool) error {
	if err := CheckPath(p); err != nil {
		return refuse(p, fmt.Errorf("%w: %v", ErrUnsafePath, err))
	}
	s.count++
	if s.count > s.lim.MaxEntries {
		return refuse(p, fmt.Errorf("%w: more than %d entries", ErrLimit, s.lim.MaxEntries))
	}
	if _, dup := s.files[p]; dup || (s.dirs[p] && isDir) {
		return refuse(p, ErrDuplicate)
	}
	if _, isFile := s.files[p]; (isDir && isFile) || (!isDir && s.dirs[p]) {
		return refuse(p, fmt.Errorf("%w: both a file and a directory", ErrDuplicate))
	}
	parts := strings.Split(p, "/")
	for i := range parts {
		prefix := strings.Join(parts[:i+1], "/")
		if i < len(parts)-1 {
			if _, isFile := s.files[prefix]; isFile {
				return refuse(p, fmt.Errorf("%w: parent %q is a file", ErrDuplicate, prefix))
			}
		}
		if prev, ok := s.folded[foldKey(prefix)]; ok && prev != prefix {
			return refuse(p, fmt.Errorf("%w: %q and %q", ErrCaseCollision, prev, prefix))
		}
		s.folded[foldKey(prefix)] = prefix
		if i < len(parts)-1 || isDir {
			s.dirs[prefix] = true
		}
	}
	return nil
}

// checkSize enforces the per-file and total limits before reading.
func (s *scanner) checkSize(p string, size int64) error {
	if size < 0 {
		return refuse(p, fmt.Errorf("%w: negative size", ErrSize))
	}
	limit := s.lim.MaxFileBytes
	if isManifestName(p) {
		limit = min(limit, s.lim.MaxManifestBytes)
	}
	if size > limit {
		return refuse(p, fmt.Errorf("%w: %d bytes, limit %d", ErrLimit, size, limit))
	}
	s.total += size
	if s.total > s.lim.MaxTotalBytes {
		return refuse(p, fmt.Errorf("%w: media holds more than %d bytes", ErrLimit, s.lim.MaxTotalBytes))
	}
	return nil
}

// addFile hashes exactly size bytes from r and records the entry,
// keeping the bytes if the caller asked to retain them.
func (s *scanner) addFile(p string, size int64, r io.Reader) error {
	h := sha256.New()
	var w io.Writer = h
	var kept *bytes.Buffer
	if s.retain != nil && size <= s.retainLeft && s.retain(p) {
		kept = bytes.NewBuffer(make([]byte, 0, size))
		w = io.MultiWriter(h, kept)
	}
	n, err := io.Copy(w, io.LimitReader(r, size+1))
	if err != nil {
		return refuse(p, fmt.Errorf("read: %w", err))
	}
	if n != size {
		return refuse(p, fmt.Errorf("%w: read %d bytes, header says %d", ErrChanged, n, size))
	}
	e := Entry{Path: p, Size: size}
	h.Sum(e.SHA256[:0])
	s.files[p] = e
	if kept != nil {
		s.kept[p] = kept.Bytes()
		s.retainLeft -= size
	}
	s.order = append(s.order, p)
	return nil
}

// OpenMedia scans a directory or tar file at path under lim. It hashes
// every file once; nothing on the media is trusted or stored yet.
func OpenMedia(path string, lim Limits) (*Media, error) {
	return OpenMediaRetain(path, lim, nil, 0)
}

// OpenMediaRetain is OpenMedia that also keeps the contents of files for
// which retain returns true, up to maxRetained bytes in all, read in the
// same pass that hashes them: ReadFile then needs no second read, and the
// bytes are by construction the ones the scan measured.
func OpenMediaRetain(path string, lim Limits, retain func(path string) bool, maxRetained int64) (*Media, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	var s *scanner
	var form Form
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		return nil, refuse(path, fmt.Errorf("%w: the media path itself is a symlink; name the real path", ErrLink))
	case fi.IsDir():
		form = FormDir
		s, err = scanDir(path, newScanner(lim, retain, maxRetained))
	case fi.Mode().IsRegular():
		form = FormTar
		s, err = scanTar(path, newScanner(lim, retain, maxRetained))
	default:
		return nil, refuse(path, fmt.Errorf("%w: %s", ErrSpecialFile, fi.Mode().Type()))
	}
	if err != nil {
		return nil, err
	}
	return &Media{src: path, form: form, lim: lim, entries: s.files, order: s.order, kept: s.kept}, nil
}

// Form reports whether the media is a directory or a tar file.
func (m *Media) Form() Form { return m.form }

// Path is where the media was opened from.
func (m *Media) Path() string { return m.src }

// Entries lists every regular file, sorted by path.
func (m *Media) Entries() []Entry {
	out := make([]Entry, 0, len(m.entries))
	for _, e := range m.entries {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Lookup returns the entry at path p.
func (m *Media) Lookup(p string) (Entry, bool) {
	e, ok := m.entries[p]
	return e, ok
}

// ReadFile returns the contents of p, re-hashed against the scan.
func (m *Media) ReadFile(p string) ([]byte, error) {
	out, err := m.ReadFiles([]string{p})
	if err != nil {
		return nil, err
	}
	return out[p], nil
}

// ReadFiles returns the contents of each named file in one pass over the
// media, each re-hashed against the scan.
func (m *Media) ReadFiles(paths []string) (map[string][]byte, error) {
	want := map[string]bool{}
	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		if _, ok := m.entries[p]; !ok {
			return nil, refuse(p, ErrMissing)
		}
		if b, ok := m.kept[p]; ok {
			out[p] = b
			continue
		}
		want[p] = true
	}
	if len(want) == 0 {
		return out, nil
	}
	err := m.Stream(func(e Entry) bool { return want[e.Path] }, func(e Entry, r io.Reader) error {
		var b bytes.Buffer
		b.Grow(int(e.Size))
		if _, err := b.ReadFrom(r); err != nil {
			return err
		}
		out[e.Path] = b.Bytes()
		return nil
	})
	return out, err
}

// Stream calls fn for every entry that want accepts, in media order, with
// a reader over its contents. The reader fails with ErrChanged at the end
// if the bytes differ from the scan, so fn must treat its output as
// unconfirmed until the reader has returned io.EOF.
func (m *Media) Stream(want func(Entry) bool, fn func(Entry, io.Reader) error) error {
	if m.form == FormTar {
		return m.streamTar(want, fn)
	}
	return m.streamDir(want, fn)
}

// checkedReader yields exactly e.Size bytes and, at the end, compares
// their SHA-256 with the scan.
type checkedReader struct {
	r    io.Reader
	e    Entry
	h    hash.Hash
	n    int64
	done bool
}

func newCheckedReader(r io.Reader, e Entry) *checkedReader {
	return &checkedReader{r: io.LimitReader(r, e.Size+1), e: e, h: sha256.New()}
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if c.n > c.e.Size {
		return n, refuse(c.e.Path, fmt.Errorf("%w: grew past %d bytes", ErrChanged, c.e.Size))
	}
	if errors.Is(err, io.EOF) {
		if c.n != c.e.Size || !bytes.Equal(c.h.Sum(nil), c.e.SHA256[:]) {
			return n, refuse(c.e.Path, fmt.Errorf("%w: contents differ from the scan", ErrChanged))
		}
		c.done = true
	}
	return n, err
}

// drain reads r to the end so the final hash check runs even if fn
// stopped early.
func (c *checkedReader) drain() error {
	if c.done {
		return nil
	}
	_, err := io.Copy(io.Discard, c)
	return err
}
