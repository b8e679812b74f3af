package audit

import (
	"errors"
	"fmt"
)

// ErrTornTail reports, from [Walk], bytes after the last complete record.
var ErrTornTail = errors.New("torn record at the end of the log")

// Walk calls visit for each well-formed entry of the log in dir (a log
// directory or an export), in order, for listings such as `signbox audit
// show`. It checks nothing beyond parsing: use [Verify] for a verdict. An
// error from visit stops the walk and is returned.
func Walk(dir string, visit func(Entry) error) error {
	return WalkFS(DirFS(dir), visit)
}

// WalkFS is Walk over any FS.
func WalkFS(fsys FS, visit func(Entry) error) error {
	raw, err := fsys.ReadFile(fileLog)
	if err != nil {
		return fmt.Errorf("read log: %w", err)
	}
	s := newScanner("", nil)
	s.visit = visit
	if err := s.scan(raw); err != nil {
		return err
	}
	if s.tail != nil {
		return fmt.Errorf("%w: %d bytes after entry %d", ErrTornTail, s.tail.Bytes, s.n()-1)
	}
	return nil
}
