package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"time"
)

// ErrNoLog reports a directory without a log (or with only a torn first
// record, which Create may overwrite).
var ErrNoLog = errors.New("no audit log")

// Open reopens the log in dir and recovers from a crash: everything is
// re-verified (chain, epochs, MACs the key ring can still produce,
// checkpoints, floor); a torn final record after the last checkpoint is
// dropped and a LOG_RECOVERY entry plus a checkpoint record that it
// happened. Anything else out of place is ErrTampered or ErrRollback, and
// the log stays closed.
func Open(dir string, cfg Config, t time.Time) (*Log, error) {
	l, err := newLog(dir, cfg)
	if err != nil {
		return nil, err
	}
	if err := l.open(dir, t); err != nil {
		l.abandon()
		return nil, err
	}
	return l, nil
}

func (l *Log) open(dir string, t time.Time) error {
	raw, err := l.fs.ReadFile(fileLog)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("open %s: %w", dir, ErrNoLog)
	}
	if err != nil {
		return fmt.Errorf("read log: %w", err)
	}
	floor, err := l.cfg.Floor.Load()
	if err != nil {
		return fmt.Errorf("load floor: %w", err)
	}
	s, err := l.rescan(raw, floor)
	if err != nil {
		return err
	}
	if s.n() == 0 {
		return fmt.Errorf("open %s: log has no complete entry: %w", dir, ErrNoLog)
	}
	if s.n() < floor {
		return fmt.Errorf("%w: log has %d entries, but a checkpoint of size %d was issued", ErrRollback, s.n(), floor)
	}
	notes, err := l.loadCheckpoints(s)
	if err != nil {
		return err
	}
	if err := checkNotes(s, notes, floor); err != nil {
		return err
	}
	if err := l.resume(s); err != nil {
		return err
	}
	if err := l.finishSeal(s, notes); err != nil {
		return l.fail(err)
	}
	if s.tail != nil {
		if err := l.recordRecovery(s.tail, t); err != nil {
			return err
		}
	}
	return nil
}

// rescan verifies the records and refuses a log with any finding. MACs
// are checked from macFrom (the floor) on: the entries before it are
// covered by the floor's signed checkpoint, checked next, and an HSM MAC
// per entry would make opening a long log slow.
func (l *Log) rescan(raw []byte, macFrom int64) (*scanner, error) {
	s := newScanner(l.cfg.Origin, l.cfg.Keys)
	s.macFrom = macFrom
	if err := s.scan(raw); err != nil {
		return nil, err
	}
	if len(s.tamper) > 0 {
		return nil, fmt.Errorf("%w: %v", ErrTampered, s.tamper[0])
	}
	if s.tail != nil && s.tail.Bytes > int64(frameOverhead+maxEntryLen) {
		return nil, fmt.Errorf("%w: %d bytes after entry %d are no record (more than one torn append)", ErrTampered, s.tail.Bytes, s.n()-1)
	}
	return s, nil
}

// loadCheckpoints verifies every stored checkpoint against the log and
// returns their notes by size.
func (l *Log) loadCheckpoints(s *scanner) (map[int64][]byte, error) {
	names, err := l.fs.ReadDir(dirCheckpoints)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list checkpoints: %w", err)
	}
	notes := map[int64][]byte{}
	for _, name := range names {
		size, err := parseSize(name)
		if err != nil {
			continue // temporary files and strangers are not checkpoints
		}
		msg, err := l.fs.ReadFile(checkpointName(size))
		if err != nil {
			return nil, fmt.Errorf("read checkpoint %d: %w", size, err)
		}
		if err := checkAgainst(msg, l.signer, s, size); err != nil {
			return nil, fmt.Errorf("%w: checkpoint %d: %v", ErrTampered, size, err)
		}
		notes[size] = msg
	}
	return notes, nil
}

// checkAgainst opens a checkpoint note and checks it names this log, ends
// at a CHECKPOINT entry and matches the tree.
func checkAgainst(msg []byte, v *NoteSigner, s *scanner, size int64) error {
	h, err := OpenCheckpoint(msg, noteVerifier(v))
	if err != nil {
		return err
	}
	switch {
	case h.Size != size:
		return fmt.Errorf("file name says size %d, note says %d", size, h.Size)
	case h.Origin != s.origin:
		return fmt.Errorf("origin %q, log is %q", h.Origin, s.origin)
	case h.Size > s.n():
		return fmt.Errorf("covers %d entries, log has %d", h.Size, s.n())
	case !slices.Contains(s.checkpoints, h.Size):
		return fmt.Errorf("entry %d is not a CHECKPOINT entry", h.Size-1)
	}
	root, err := s.tree.root(h.Size)
	if err != nil {
		return err
	}
	if root != h.Root {
		return errors.New("root hash does not match the log")
	}
	return nil
}

// checkNotes requires the floor's checkpoint and every CHECKPOINT entry
// but the last (whose note a crash may have prevented) to have a note.
func checkNotes(s *scanner, notes map[int64][]byte, floor int64) error {
	if floor > 0 && notes[floor] == nil {
		return fmt.Errorf("%w: checkpoint %d (the floor) is missing", ErrTampered, floor)
	}
	for _, c := range s.checkpoints[:max(0, len(s.checkpoints)-1)] {
		if notes[c] == nil {
			return fmt.Errorf("%w: checkpoint %d is missing", ErrTampered, c)
		}
	}
	return nil
}

// resume loads the scanned state and reopens the file for appending,
// first cutting off a torn tail.
func (l *Log) resume(s *scanner) error {
	if s.tail != nil {
		if err := l.fs.Truncate(fileLog, s.tail.Offset); err != nil {
			return fmt.Errorf("drop torn record: %w", err)
		}
	}
	l.tree, l.chain, l.epoch, l.inEpoch = s.tree, s.chain, s.epoch, s.inEpoch()
	mac, err := l.cfg.Keys.MAC(l.epoch)
	if err != nil {
		return fmt.Errorf("MAC key for current epoch %d: %w", l.epoch, err)
	}
	l.mac = mac()
	if l.file, err = l.fs.OpenAppend(fileLog); err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	return nil
}

// finishSeal completes a checkpoint interrupted by a crash: a final
// CHECKPOINT entry without its note, or a note not yet published.
func (l *Log) finishSeal(s *scanner, notes map[int64][]byte) error {
	var latest int64
	for size := range notes {
		latest = max(latest, size)
	}
	if n := len(s.checkpoints); n > 0 && s.checkpoints[n-1] > latest {
		_, err := l.seal(s.checkpoints[n-1])
		return err
	}
	if latest == 0 {
		return nil
	}
	cur, err := l.fs.ReadFile(fileCheckpoint)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read latest checkpoint: %w", err)
	}
	if bytes.Equal(cur, notes[latest]) {
		l.lastSealed = latest
		return l.cfg.Floor.Raise(latest)
	}
	return l.publish(latest, notes[latest])
}

// recordRecovery logs that a torn record was dropped, and seals that.
func (l *Log) recordRecovery(tail *torn, t time.Time) error {
	payload, _ := Fields("dropped-bytes", strconv.FormatInt(tail.Bytes, 10),
		"at-offset", strconv.FormatInt(tail.Offset, 10))
	if _, err := l.append(LogRecovery, payload, t); err != nil {
		return err
	}
	_, err := l.checkpoint("recovery", t)
	return err
}
