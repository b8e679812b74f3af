package audit

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tlogProofHeader is the first line of a C2SP tlog-proof
// (c2sp.org/tlog-proof: header, optional "extra <b64>", "index <n>", the
// inclusion proof one base64 hash per line, a blank line, the checkpoint).
const tlogProofHeader = "c2sp.org/tlog-proof@v1"

// InclusionProof is an offline proof that one entry is in the log: signbox
// puts the entry's canonical bytes in Extra, so the proof stands alone.
// Export writes one per flagged event (refusals, aborts, auth failures,
// recoveries) under inclusion/<index>.tlog-proof.
type InclusionProof struct {
	Extra      []byte // the entry's canonical encoding
	Index      int64
	Proof      tlog.RecordProof
	Checkpoint []byte // signed checkpoint note
}

// Marshal returns the tlog-proof text.
func (p InclusionProof) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(tlogProofHeader + "\n")
	if p.Extra != nil {
		b.WriteString("extra " + base64.StdEncoding.EncodeToString(p.Extra) + "\n")
	}
	fmt.Fprintf(&b, "index %d\n", p.Index)
	b.Write(formatProof(tlog.TreeProof(p.Proof)))
	b.WriteString("\n")
	b.Write(p.Checkpoint)
	return b.Bytes()
}

// ParseInclusionProof parses tlog-proof text strictly (canonical base64
// and decimal, bounded sizes). It checks no signature; see
// [VerifyInclusion].
func ParseInclusionProof(b []byte) (InclusionProof, error) {
	var p InclusionProof
	bad := func(why string) (InclusionProof, error) {
		return p, fmt.Errorf("%w tlog-proof: %s", ErrMalformed, why)
	}
	if len(b) > maxEntryLen*2+maxNoteLen+maxProofHashes*64 {
		return bad("too large")
	}
	head, ckpt, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok || len(ckpt) == 0 {
		return bad("no blank line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != tlogProofHeader {
		return bad("first line is not " + tlogProofHeader)
	}
	lines = lines[1:]
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		x := strings.TrimPrefix(lines[0], "extra ")
		extra, err := base64.StdEncoding.Strict().DecodeString(x)
		if err != nil || base64.StdEncoding.EncodeToString(extra) != x {
			return bad("extra is not canonical base64")
		}
		p.Extra, lines = extra, lines[1:]
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "index ") {
		return bad("no index line")
	}
	idx, err := parseSize(strings.TrimPrefix(lines[0], "index "))
	if err != nil {
		return bad("index is not a canonical decimal")
	}
	hashes := ""
	if len(lines) > 1 {
		hashes = strings.Join(lines[1:], "\n") + "\n"
	}
	proof, err := ParseProof([]byte(hashes))
	if err != nil {
		return p, fmt.Errorf("tlog-proof: %w", err)
	}
	p.Index, p.Proof, p.Checkpoint = idx, tlog.RecordProof(proof), ckpt
	return p, nil
}

// VerifyInclusion checks a signbox tlog-proof against the trusted
// checkpoint key: the checkpoint's signature, then that the entry in
// Extra sits at Index in the checkpointed tree (tlog.CheckRecord). It
// returns the entry and the checkpoint it was proven against.
func VerifyInclusion(b []byte, trusted note.Verifier) (Entry, Head, error) {
	p, err := ParseInclusionProof(b)
	if err != nil {
		return Entry{}, Head{}, err
	}
	h, err := OpenCheckpoint(p.Checkpoint, trusted)
	if err != nil {
		return Entry{}, Head{}, err
	}
	if p.Extra == nil {
		return Entry{}, h, errors.New("tlog-proof: no entry in the extra line")
	}
	e, err := ParseEntry(p.Extra)
	if err != nil {
		return Entry{}, h, err
	}
	switch {
	case e.Origin != h.Origin:
		return e, h, fmt.Errorf("%w: entry origin %q, checkpoint origin %q", ErrTampered, e.Origin, h.Origin)
	case e.Seq != p.Index:
		return e, h, fmt.Errorf("%w: entry says sequence %d, proof says index %d", ErrTampered, e.Seq, p.Index)
	}
	if err := tlog.CheckRecord(p.Proof, h.Size, h.Root, p.Index, tlog.RecordHash(p.Extra)); err != nil {
		return e, h, fmt.Errorf("%w: entry %d is not in the checkpointed tree: %v", ErrTampered, p.Index, err)
	}
	return e, h, nil
}

// flagged reports whether Export adds an inclusion proof for t: the
// events an auditor is most likely to be asked about one by one.
func (t Type) flagged() bool {
	switch t {
	case ImportRejected, UpdateRejected, CeremonyAborted, AuthFailure, LogRecovery:
		return true
	}
	return false
}
