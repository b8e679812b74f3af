package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Finding is one problem a scan found, at the entry it concerns.
type Finding struct {
	Index  int64 // entry sequence number
	Reason string
	// Bound marks a finding that only narrows the problem to entries from
	// Index on (a checkpoint root that does not match).
	Bound bool
	end   int64 // for Bound: the problem lies before this entry
}

func (f Finding) String() string { return fmt.Sprintf("entry %d: %s", f.Index, f.Reason) }

// maxFindings bounds what a scan of a badly damaged log reports.
const maxFindings = 32

// torn describes bytes at the end of a log that do not form a record.
type torn struct {
	Offset int64 // where the complete records end
	Bytes  int64 // how many bytes follow
}

// scanner walks a log's records once, rebuilding the chain and the tree
// and checking everything that needs no secret; with keys it checks MACs
// too. Open (recovery) and Verify share it, so the appliance refuses
// exactly what an auditor would flag.
type scanner struct {
	origin  string  // expected origin; "" takes it from entry 0
	keys    MACKeys // nil: public checks only
	macFrom int64   // first entry whose MAC is checked

	tree     tree
	chain    tlog.Hash
	epoch    uint32
	epochAt  int64 // index of the entry that started the current epoch
	lastTime time.Time
	offset   int64

	mac      hash.Hash
	macEpoch uint32
	probes   map[[tagSize]byte]uint32 // key fingerprint → epoch, to catch reuse

	macsChecked int64
	noKey       map[uint32]bool
	checkpoints []int64 // sizes claimed by CHECKPOINT entries
	recoveries  []int64 // indexes of LOG_RECOVERY entries
	tamper      []Finding
	warnings    []Finding
	tail        *torn
	visit       func(Entry) error // called for each well-formed entry
}

func (s *scanner) n() int64 { return s.tree.n }

func (s *scanner) flag(i int64, format string, args ...any) {
	if len(s.tamper) < maxFindings {
		s.tamper = append(s.tamper, Finding{Index: i, Reason: fmt.Sprintf(format, args...)})
	}
}

func (s *scanner) warn(i int64, format string, args ...any) {
	if len(s.warnings) < maxFindings {
		s.warnings = append(s.warnings, Finding{Index: i, Reason: fmt.Sprintf(format, args...)})
	}
}

// scan processes all of b. It stops early only where the records cannot
// be told apart any more (a corrupt frame in the middle).
func (s *scanner) scan(b []byte) error {
	s.reserve(b)
	for len(b) > 0 {
		ent, tag, size, st, err := readFrame(b)
		if err != nil {
			if st == frameShort || allZero(b) || st == frameBad && s.lastFrameBad(b) {
				s.tail = &torn{Offset: s.offset, Bytes: int64(len(b))}
				return nil
			}
			s.flag(s.n(), "record at byte %d: %v", s.offset, err)
			return nil
		}
		if err := s.entry(ent, tag); err != nil {
			return err
		}
		if len(s.tamper) > 0 && s.stopAtFirst() {
			return nil
		}
		b = b[size:]
		s.offset += int64(size)
	}
	return nil
}

// reserve sizes the tree from the file length and the first record, so a
// million-entry scan does not keep copying 64 MB of hashes.
func (s *scanner) reserve(b []byte) {
	if s.tree.n != 0 || len(b) < 4 {
		return
	}
	first := int64(binary.BigEndian.Uint32(b)) + frameOverhead
	if first > frameOverhead && first <= int64(len(b)) {
		s.tree.grow(int64(len(b)) / first * 5 / 4)
	}
}

// lastFrameBad reports whether a frame that failed its CRC spans exactly
// the rest of the file: a final append whose data blocks did not all
// reach the disk.
func (s *scanner) lastFrameBad(b []byte) bool {
	if len(b) < 4 {
		return true
	}
	l := int(binary.BigEndian.Uint32(b))
	return l >= entryFixedLen && l <= maxEntryLen && 4+l+tagSize+4 == len(b)
}

// stopAtFirst: a scan keeps going after a chain or MAC failure (to report
// more), but stops once the findings fill up.
func (s *scanner) stopAtFirst() bool { return len(s.tamper) >= maxFindings }

func (s *scanner) entry(raw []byte, tag [tagSize]byte) error {
	i := s.n()
	e, err := parseEntry(raw, s.origin)
	if err != nil {
		s.flag(i, "%v", err)
		// Keep the tree and chain in step so later checks still line up.
		e = Entry{Seq: i, Epoch: s.epoch, Type: 0}
	} else {
		s.checkEntry(i, &e)
	}
	leaf, err := s.tree.add(raw)
	if err != nil {
		return err
	}
	s.chain = chainNext(s.chain, leaf)
	if err := s.checkMAC(i, e.Epoch, tag); err != nil {
		return err
	}
	if s.visit != nil && e.Type != 0 {
		return s.visit(e)
	}
	return nil
}

// checkEntry applies the public per-entry rules: position, origin, chain
// link, epoch succession and time order.
func (s *scanner) checkEntry(i int64, e *Entry) {
	if e.Seq != i {
		s.flag(i, "sequence number %d at position %d", e.Seq, i)
	}
	if s.origin == "" && i == 0 {
		s.origin = e.Origin
	}
	if e.Origin != s.origin {
		s.flag(i, "origin %q, log is %q", e.Origin, s.origin)
	}
	if e.Prev != s.chain {
		s.flag(i, "previous-chain hash does not match entry %d", i-1)
	}
	s.checkEpoch(i, e)
	if i > 0 && e.Time.Before(s.lastTime) {
		s.warn(i, "time %s is before the previous entry's %s (order is by sequence)",
			e.Time.Format(time.RFC3339Nano), s.lastTime.Format(time.RFC3339Nano))
	}
	s.lastTime = e.Time
	switch e.Type {
	case Checkpoint:
		s.checkpoints = append(s.checkpoints, i+1)
	case LogRecovery:
		s.recoveries = append(s.recoveries, i)
		s.warn(i, "log recovered after a crash: %s", oneLine(e.Payload))
	}
}

// checkEpoch enforces that epochs start at 0 with LOG_START and advance by
// exactly one, only at EPOCH_START entries (systemd CVE-2023-31438: a
// skipped epoch hid a truncation).
func (s *scanner) checkEpoch(i int64, e *Entry) {
	switch {
	case i == 0:
		if e.Type != LogStart || e.Epoch != 0 {
			s.flag(i, "log must begin with LOG_START in epoch 0, found %v in epoch %d", e.Type, e.Epoch)
		}
	case e.Type == LogStart:
		s.flag(i, "LOG_START after the first entry")
	case e.Type == EpochStart:
		if e.Epoch != s.epoch+1 {
			s.flag(i, "EPOCH_START to epoch %d after epoch %d (epochs must advance by one)", e.Epoch, s.epoch)
		}
	case e.Epoch != s.epoch:
		s.flag(i, "epoch %d without EPOCH_START (current epoch %d)", e.Epoch, s.epoch)
	}
	if i == 0 || e.Type == EpochStart {
		s.epochAt = i
	}
	s.epoch = e.Epoch
}

// inEpoch returns how many entries the current epoch holds.
func (s *scanner) inEpoch() int64 { return s.n() - s.epochAt }

// checkMAC verifies tag = HMAC(K_epoch, c_i) when keys are present.
func (s *scanner) checkMAC(i int64, epoch uint32, tag [tagSize]byte) error {
	if s.keys == nil || s.noKey[epoch] || i < s.macFrom {
		return nil
	}
	if s.mac == nil || s.macEpoch != epoch {
		mac, err := s.keys.MAC(epoch)
		if errors.Is(err, ErrNoKey) {
			s.noKey[epoch] = true
			s.warn(i, "MACs of epoch %d not checked: %v", epoch, err)
			return nil
		}
		if err != nil {
			return fmt.Errorf("MAC key for epoch %d: %w", epoch, err)
		}
		if err := s.checkReuse(i, epoch, mac); err != nil {
			return err
		}
		s.mac, s.macEpoch = mac(), epoch
	}
	want, err := macTag(s.mac, s.chain)
	if err != nil {
		return err
	}
	s.macsChecked++
	if !tagEqual(want, tag) {
		s.flag(i, "MAC does not verify under the epoch %d key", epoch)
	}
	return nil
}

// keyProbe is MACed once per epoch key; equal outputs mean equal keys.
// This catches one key serving two epochs (systemd CVE-2023-31439) without
// the key ever leaving the HSM.
const keyProbe = "signbox-audit-key-probe-v1"

func (s *scanner) checkReuse(i int64, epoch uint32, mac func() hash.Hash) error {
	h := mac()
	h.Write([]byte(keyProbe))
	var p [tagSize]byte
	copy(p[:], h.Sum(nil))
	if prev, ok := s.probes[p]; ok && prev != epoch {
		s.flag(i, "epoch %d reuses the MAC key of epoch %d", epoch, prev)
	}
	s.probes[p] = epoch
	return nil
}

func newScanner(origin string, keys MACKeys) *scanner {
	return &scanner{origin: origin, keys: keys, noKey: map[uint32]bool{}, probes: map[[tagSize]byte]uint32{}}
}

// oneLine renders a payload for a message on one line.
func oneLine(p []byte) string {
	fs, err := ParseFields(p)
	if err != nil {
		return fmt.Sprintf("%d-byte payload", len(p))
	}
	out := ""
	for i, f := range fs {
		if i > 0 {
			out += " "
		}
		out += f[0] + "=" + f[1]
	}
	return out
}
