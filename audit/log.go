package audit

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"strconv"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// File names inside a log directory and an export. An export is a log
// directory plus proofs, so one verifier reads both.
const (
	fileLog        = "log"         // framed records
	fileCheckpoint = "checkpoint"  // latest signed checkpoint (replaced)
	dirCheckpoints = "checkpoints" // every signed checkpoint, by size
	dirProofs      = "proofs"      // consistency proofs (exports only)
	dirInclusion   = "inclusion"   // tlog-proofs of flagged entries (exports only)
	fileVKey       = "vkey"        // checkpoint verifier key
)

// Log is an open, writable audit log. Its methods are safe for concurrent
// use; appends are serialised.
type Log struct {
	mu     sync.Mutex
	cfg    Config
	fs     FS
	signer *NoteSigner
	file   AppendFile

	tree       tree
	chain      tlog.Hash
	epoch      uint32
	inEpoch    int64     // entries written in the current epoch
	mac        hash.Hash // HMAC of the current epoch
	lastSealed int64     // size of the last checkpoint
	broken     error
	buf        []byte
	unlock     func() error // releases the directory lock, if the FS has one
}

// locker is implemented by filesystems that can lock the log directory
// against a second writer ([DirFS] on unix).
type locker interface {
	Lock() (unlock func() error, err error)
}

// Create starts a new log in dir (created if missing; it must not hold a
// log). The first entry is LOG_START, sealed at once by a checkpoint. A
// floor above zero means a log existed and was removed: ErrRollback.
func Create(dir string, cfg Config, t time.Time) (*Log, error) {
	l, err := newLog(dir, cfg)
	if err != nil {
		return nil, err
	}
	if err := l.create(dir, t); err != nil {
		l.abandon()
		return nil, err
	}
	return l, nil
}

func (l *Log) create(dir string, t time.Time) error {
	if err := l.claim(dir); err != nil {
		return err
	}
	if err := l.startKeys(0); err != nil {
		return err
	}
	var err error
	if l.file, err = l.fs.OpenAppend(fileLog); err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	payload, _ := Fields("checkpoint-key", l.signer.VerifierKey())
	if _, err := l.append(LogStart, payload, t); err != nil {
		return err
	}
	if _, err := l.checkpoint("create", t); err != nil {
		return err
	}
	return nil
}

// claim checks that dir holds no log, only perhaps the leftovers of a
// Create that crashed before its first entry was durable, and writes vkey.
func (l *Log) claim(dir string) error {
	raw, err := l.fs.ReadFile(fileLog)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("create log: %w", err)
	default:
		s := newScanner(l.cfg.Origin, nil)
		if err := s.scan(raw); err != nil || s.n() > 0 || len(s.tamper) > 0 {
			return fmt.Errorf("create log in %s: a log is already there", dir)
		}
		if err := l.fs.Truncate(fileLog, 0); err != nil {
			return fmt.Errorf("create log: clear torn first record: %w", err)
		}
	}
	if f, err := l.cfg.Floor.Load(); err != nil || f != 0 {
		return fmt.Errorf("create log: floor is %d, a log with checkpoints existed here: %w", f, errors.Join(err, ErrRollback))
	}
	if err := l.fs.Mkdir(dirCheckpoints); err != nil {
		return err
	}
	vkey := []byte(l.signer.VerifierKey() + "\n")
	if old, err := l.fs.ReadFile(fileVKey); err == nil && bytes.Equal(old, vkey) {
		return nil
	}
	if err := l.fs.WriteNew(fileVKey, vkey); err != nil {
		return fmt.Errorf("write vkey: %w", err)
	}
	return nil
}

func newLog(dir string, cfg Config) (*Log, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.CheckpointEvery == 0 {
		cfg.CheckpointEvery = DefaultCheckpointEvery
	}
	fsys := cfg.FS
	if fsys == nil {
		fsys = DirFS(dir)
		if err := mkdirAll(dir); err != nil {
			return nil, err
		}
	}
	s, err := NewNoteSigner(cfg.Origin, cfg.Signer)
	if err != nil {
		return nil, fmt.Errorf("config.Signer: %w", err)
	}
	l := &Log{cfg: cfg, fs: fsys, signer: s, unlock: func() error { return nil }}
	if lk, ok := fsys.(locker); ok {
		if l.unlock, err = lk.Lock(); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// abandon releases what a failed Create or Open holds.
func (l *Log) abandon() {
	if l.file != nil {
		l.file.Close()
		l.file = nil
	}
	l.unlock()
}

func (l *Log) startKeys(epoch uint32) error {
	if err := l.cfg.Keys.StartEpoch(epoch); err != nil {
		return fmt.Errorf("start MAC epoch %d: %w", epoch, err)
	}
	mac, err := l.cfg.Keys.MAC(epoch)
	if err != nil {
		return fmt.Errorf("MAC key for epoch %d: %w", epoch, err)
	}
	l.mac, l.epoch, l.inEpoch = mac(), epoch, 0
	return nil
}

// VerifierKey returns the checkpoint verifier key an auditor should pin.
func (l *Log) VerifierKey() string { return l.signer.VerifierKey() }

// Size returns the number of entries.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tree.n
}

// Append records one event at time t (the caller's clock; the log reads
// none). Types the log writes itself are refused, and rejection types need
// a reason= field (see [Fields]). A checkpoint or new epoch falls due
// automatically per Config.
func (l *Log) Append(typ Type, payload []byte, t time.Time) (Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if typ.internal() || !typ.Known() {
		return Entry{}, fmt.Errorf("append: type %v cannot be appended by callers", typ)
	}
	if typ.needsReason() && reasonOf(payload) == "" {
		return Entry{}, fmt.Errorf("append %v: payload needs a non-empty reason (reason= field, or JSON \"reason\" or \"error\")", typ)
	}
	if l.cfg.EpochEvery > 0 && l.inEpoch >= l.cfg.EpochEvery {
		if err := l.newEpoch("interval", t); err != nil {
			return Entry{}, err
		}
	}
	e, err := l.append(typ, payload, t)
	if err != nil {
		return Entry{}, err
	}
	if l.tree.n-l.lastSealed >= l.cfg.CheckpointEvery {
		if _, err := l.checkpoint("interval", t); err != nil {
			return e, err
		}
	}
	return e, nil
}

// append writes one entry and fsyncs it. Any failure breaks the log: the
// caller must reopen it, which runs recovery.
func (l *Log) append(typ Type, payload []byte, t time.Time) (Entry, error) {
	e, err := l.stage(typ, payload, t)
	if err != nil {
		return Entry{}, err
	}
	return e, l.flush()
}

// stage encodes, chains, MACs and frames one entry into l.buf and adds it
// to the tree; flush makes it durable. Failing after staging breaks the
// log, because memory is then ahead of the disk.
func (l *Log) stage(typ Type, payload []byte, t time.Time) (Entry, error) {
	if l.broken != nil {
		return Entry{}, l.broken
	}
	e := Entry{Origin: l.cfg.Origin, Seq: l.tree.n, Epoch: l.epoch, Time: t, Type: typ, Payload: payload, Prev: l.chain}
	raw, err := e.MarshalBinary()
	if err != nil {
		return Entry{}, fmt.Errorf("append: %w", err)
	}
	leaf, err := l.tree.add(raw)
	if err != nil {
		return Entry{}, l.fail(err)
	}
	l.chain = chainNext(l.chain, leaf)
	tag, err := macTag(l.mac, l.chain)
	if err != nil {
		return Entry{}, l.fail(err)
	}
	l.buf = frame(l.buf, raw, tag)
	l.inEpoch++
	return e, nil
}

// flush writes the staged records in one write and fsyncs them.
func (l *Log) flush() error {
	defer func() { l.buf = l.buf[:0] }()
	if _, err := l.file.Write(l.buf); err != nil {
		return l.fail(fmt.Errorf("write entry %d: %w", l.tree.n-1, err))
	}
	if err := l.file.Sync(); err != nil {
		return l.fail(fmt.Errorf("fsync entry %d: %w", l.tree.n-1, err))
	}
	return nil
}

func (l *Log) fail(err error) error {
	l.broken = fmt.Errorf("%w: %w", ErrBroken, err)
	return l.broken
}

// NewEpoch starts the next MAC epoch (the appliance does so per ceremony
// session): the key ring makes the next key and retires the old one where
// it can, and an EPOCH_START entry is the first one MACed with the new key.
func (l *Log) NewEpoch(reason string, t time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.newEpoch(reason, t)
}

func (l *Log) newEpoch(reason string, t time.Time) error {
	if l.broken != nil {
		return l.broken
	}
	payload, err := Fields("epoch", strconv.FormatUint(uint64(l.epoch)+1, 10), "reason", reason)
	if err != nil {
		return fmt.Errorf("new epoch: %w", err)
	}
	if err := l.startKeys(l.epoch + 1); err != nil {
		return l.fail(err)
	}
	_, err = l.append(EpochStart, payload, t)
	return err
}

// Close issues a shutdown checkpoint and closes the file. A log that broke
// is closed without one.
func (l *Log) Close(t time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	if l.broken == nil && l.tree.n > l.lastSealed {
		_, err = l.checkpoint("shutdown", t)
	}
	if l.file != nil {
		err = errors.Join(err, l.file.Close())
		l.file = nil
	}
	err = errors.Join(err, l.unlock())
	l.unlock = func() error { return nil }
	l.broken = errors.Join(l.broken, errClosed)
	return err
}

var errClosed = errors.New("audit log closed")

// Origin is the log's origin line.
func (l *Log) Origin() string { return l.cfg.Origin }

// RootAt returns the RFC 6962 root hash of the first size entries, base64
// as a checkpoint writes it, so a head pinned elsewhere (the appliance's
// HSM anchor) can be compared with the log.
func (l *Log) RootAt(size int64) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, err := l.tree.root(size)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(h[:]), nil
}
