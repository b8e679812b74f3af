package airgap

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// tarName normalises a member name: a leading "./" (what `tar -C dir .`
// writes) is dropped, a trailing "/" marks a directory. Everything else
// is left for CheckPath to judge.
func tarName(name string) (p string, isRoot bool) {
	p = strings.TrimPrefix(name, "./")
	p = strings.TrimSuffix(p, "/")
	return p, p == "" || p == "."
}

func scanTar(path string, s *scanner) (*scanner, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNoFollow, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := s.scanTarStream(f); err != nil {
		return nil, err
	}
	return s, nil
}

// scanTarStream checks and hashes every member of a tar stream.
func (s *scanner) scanTarStream(r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return refuse("tar", fmt.Errorf("%w: %v", ErrMalformed, err))
		}
		if err := s.tarMember(tr, h); err != nil {
			return err
		}
	}
}

func (s *scanner) tarMember(tr *tar.Reader, h *tar.Header) error {
	p, isRoot := tarName(h.Name)
	switch h.Typeflag {
	case tar.TypeDir:
		if isRoot {
			return nil
		}
		return s.claim(p, true)
	case tar.TypeReg: // archive/tar already maps the old NUL type flag to TypeReg
		if err := checkNotSparse(h, p); err != nil {
			return err
		}
		if err := s.claim(p, false); err != nil {
			return err
		}
		if err := s.checkSize(p, h.Size); err != nil {
			return err
		}
		return s.addFile(p, h.Size, tr)
	case tar.TypeSymlink:
		return refuse(h.Name, fmt.Errorf("%w: symlink to %q", ErrLink, h.Linkname))
	case tar.TypeLink:
		return refuse(h.Name, fmt.Errorf("%w: hard link to %q", ErrLink, h.Linkname))
	case tar.TypeChar:
		return refuse(h.Name, fmt.Errorf("%w: character device", ErrSpecialFile))
	case tar.TypeBlock:
		return refuse(h.Name, fmt.Errorf("%w: block device", ErrSpecialFile))
	case tar.TypeFifo:
		return refuse(h.Name, fmt.Errorf("%w: named pipe", ErrSpecialFile))
	case tar.TypeXGlobalHeader:
		// GNU tar applies a global "path" record to later members and
		// archive/tar does not, so two tools would disagree on the names.
		return refuse("tar", fmt.Errorf("%w: PAX global header (tools disagree on how it renames members)", ErrSpecialFile))
	default:
		return refuse(h.Name, fmt.Errorf("%w: tar member type %q", ErrSpecialFile, h.Typeflag))
	}
}

// checkNotSparse refuses PAX-encoded sparse files, which archive/tar
// presents as regular files with holes filled in: their on-media size and
// contents are not what the header claims.
func checkNotSparse(h *tar.Header, p string) error {
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return refuse(p, fmt.Errorf("%w: sparse file", ErrSpecialFile))
		}
	}
	return nil
}

func (m *Media) streamTar(want func(Entry) bool, fn func(Entry, io.Reader) error) error {
	f, err := os.OpenFile(m.src, os.O_RDONLY|openNoFollow, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return refuse(m.src, fmt.Errorf("%w: %v", ErrChanged, err))
		}
		p, _ := tarName(h.Name)
		e, ok := m.entries[p]
		if !ok || h.Typeflag == tar.TypeDir || !want(e) {
			continue
		}
		cr := newCheckedReader(tr, e)
		if err := fn(e, cr); err != nil {
			return err
		}
		if err := cr.drain(); err != nil {
			return err
		}
	}
}
