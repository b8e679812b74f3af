package audit

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Head is the body of a checkpoint (c2sp.org/tlog-checkpoint): the log
// origin, the tree size, the RFC 6962 root hash and any extension lines.
// Extension lines are opaque and optional in the spec, and kept as read
// from a checkpoint someone else signed; signbox writes none (its time
// and chain head live in the CHECKPOINT entry, where they are auditable).
type Head struct {
	Origin     string
	Size       int64
	Root       tlog.Hash
	Extensions []string // without their newlines; each non-empty
}

// Text returns the checkpoint body: newline-terminated origin, size and
// root lines, then the extension lines.
func (h Head) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%d\n%s\n", h.Origin, h.Size, base64.StdEncoding.EncodeToString(h.Root[:]))
	for _, e := range h.Extensions {
		b.WriteString(e + "\n")
	}
	return b.String()
}

// ParseHead parses a checkpoint body strictly: at least three
// newline-terminated lines, a valid origin, a canonical decimal size, a
// canonical base64 root, and extension lines that are not empty (the
// spec's "MUST be non-empty").
func ParseHead(text string) (Head, error) {
	var h Head
	lines := strings.SplitAfter(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return h, fmt.Errorf("%w checkpoint: want at least 3 newline-terminated lines", ErrMalformed)
	}
	lines = lines[:len(lines)-1]
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\n")
	}
	if err := checkOrigin(lines[0]); err != nil {
		return h, fmt.Errorf("%w checkpoint: %w", ErrMalformed, err)
	}
	size, err := parseSize(lines[1])
	if err != nil {
		return h, err
	}
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return h, fmt.Errorf("%w checkpoint: root %q is not a base64 SHA-256 hash", ErrMalformed, lines[2])
	}
	for i, e := range lines[3:] {
		if e == "" {
			return h, fmt.Errorf("%w checkpoint: extension line %d is empty", ErrMalformed, i+1)
		}
		h.Extensions = append(h.Extensions, e)
	}
	h.Origin, h.Size = lines[0], size
	copy(h.Root[:], root)
	return h, nil
}

func parseSize(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return 0, fmt.Errorf("%w checkpoint: size %q is not a canonical decimal", ErrMalformed, s)
	}
	return n, nil
}

// Signed-note failures, told apart because they mean different things to
// an auditor: a note by a key nobody trusts is noise, a bad signature by
// the trusted key is a forgery attempt.
var (
	ErrUntrustedNote = errors.New("checkpoint has no signature by the trusted key")
	ErrBadSignature  = errors.New("checkpoint signature by the trusted key is invalid")
)

// OpenCheckpoint checks a signed checkpoint note against the trusted
// verifier and returns its body. Beyond note.Open it refuses duplicate
// signature lines, more than a handful of signatures and oversized notes,
// because none of those come from signbox.
func OpenCheckpoint(msg []byte, trusted note.Verifier) (Head, error) {
	if err := precheckNote(msg); err != nil {
		return Head{}, err
	}
	n, err := note.Open(msg, note.VerifierList(trusted))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			return Head{}, ErrUntrustedNote
		case errors.As(err, &invalid):
			return Head{}, ErrBadSignature
		}
		return Head{}, fmt.Errorf("%w checkpoint note: %w", ErrMalformed, err)
	}
	return ParseHead(n.Text)
}

// precheckNote applies signbox's stricter framing rules to a signed note.
func precheckNote(msg []byte) error {
	bad := func(why string) error { return fmt.Errorf("%w checkpoint note: %s", ErrMalformed, why) }
	if len(msg) > maxNoteLen {
		return bad(fmt.Sprintf("%d bytes, limit %d", len(msg), maxNoteLen))
	}
	if !utf8.Valid(msg) {
		return bad("not UTF-8")
	}
	for _, c := range msg {
		if c < 0x20 && c != '\n' || c == 0x7f {
			return bad("control character")
		}
	}
	text, sigs, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok || len(text) == 0 {
		return bad("no blank line between text and signatures")
	}
	if len(sigs) == 0 || sigs[len(sigs)-1] != '\n' {
		return bad("signature block must end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(string(sigs), "\n"), "\n")
	if len(lines) > maxNoteSigs {
		return bad(fmt.Sprintf("%d signatures, limit %d", len(lines), maxNoteSigs))
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if !strings.HasPrefix(l, "— ") {
			return bad("signature line does not start with \"— \"")
		}
		key := sigKey(l)
		if seen[key] {
			return bad("two signatures by the same key")
		}
		seen[key] = true
	}
	return nil
}

// sigKey returns name plus key-hash prefix of a signature line, so two
// lines by one key count as duplicates even if their signatures differ.
func sigKey(line string) string {
	name, b64, _ := strings.Cut(strings.TrimPrefix(line, "— "), " ")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) < 4 {
		return line
	}
	return name + " " + string(raw[:4])
}

// signCheckpoint returns the signed note for h.
func signCheckpoint(h Head, s note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: h.Text()}, s)
}
