package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// seedFiles adds every file matching glob to the corpus and fails if none
// does (a fuzz target with an empty seed set tests nothing).
func seedFiles(f *testing.F, glob string) [][]byte {
	paths, err := filepath.Glob(glob)
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed files match %s", glob)
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// goldenEntries returns the entry bytes of the golden log.
func goldenEntries(f *testing.F) [][]byte {
	var out [][]byte
	for _, b := range seedFiles(f, goldenDir+"/log") {
		for len(b) > 0 {
			ent, _, n, _, err := readFrame(b)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, ent)
			b = b[n:]
		}
	}
	return out
}

func FuzzParseEntry(f *testing.F) {
	for _, e := range goldenEntries(f) {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEntry(b)
		if err != nil {
			return
		}
		again, err := e.MarshalBinary()
		if err != nil {
			t.Fatalf("parsed entry does not marshal: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("not canonical:\n in %x\nout %x", b, again)
		}
	})
}

// FuzzScanLog runs the record scanner (framing, entries, chain, epochs,
// MACs) over arbitrary bytes: it must never panic and must account for
// every byte as records or a torn tail unless it flagged a problem.
func FuzzScanLog(f *testing.F) {
	for _, b := range seedFiles(f, goldenDir+"/log") {
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k, _ := NewDerivedKeys(seed(7))
		s := newScanner(testOrigin, k)
		if err := s.scan(b); err != nil {
			return
		}
		if len(s.tamper) > 0 {
			return
		}
		end := s.offset
		if s.tail != nil {
			end += s.tail.Bytes
		}
		if end != int64(len(b)) {
			t.Fatalf("scanned %d of %d bytes without a finding", end, len(b))
		}
	})
}

// FuzzOpenCheckpoint cross-checks signbox's strict note reader with x/mod's
// note.Open: signbox may refuse more, never accept more, and must agree on
// the text.
func FuzzOpenCheckpoint(f *testing.F) {
	for _, b := range seedFiles(f, goldenDir+"/checkpoints/*") {
		f.Add(b)
		f.Add(append(bytes.Clone(b), b[bytes.Index(b, []byte("\n\n"))+2:]...))
	}
	v, err := note.NewVerifier(string(bytes.TrimSpace(seedFiles(f, goldenDir+"/vkey")[0])))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		h, err := OpenCheckpoint(msg, v)
		n, nerr := note.Open(msg, note.VerifierList(v))
		if err != nil {
			return
		}
		if nerr != nil {
			t.Fatalf("signbox accepted a note x/mod rejects: %v", nerr)
		}
		if h.Text() != n.Text {
			t.Fatalf("text mismatch: %q vs %q", h.Text(), n.Text)
		}
	})
}

func FuzzParseHead(f *testing.F) {
	for _, b := range seedFiles(f, goldenDir+"/checkpoints/*") {
		text, _, _ := bytes.Cut(b, []byte("\n\n"))
		f.Add(string(text) + "\n")
	}
	f.Fuzz(func(t *testing.T, text string) {
		h, err := ParseHead(text)
		if err != nil {
			return
		}
		if h.Text() != text {
			t.Fatalf("not canonical: %q vs %q", text, h.Text())
		}
	})
}

func FuzzParseProof(f *testing.F) {
	for _, b := range seedFiles(f, goldenDir+"/proofs/*") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseProof(b)
		if err != nil {
			return
		}
		if !bytes.Equal(formatProof(p), b) {
			t.Fatalf("not canonical")
		}
	})
}

func FuzzParseFields(f *testing.F) {
	for _, e := range goldenEntries(f) {
		parsed, err := ParseEntry(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(parsed.Payload)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := ParseFields(b)
		if err != nil {
			return
		}
		var kv []string
		for _, x := range fs {
			kv = append(kv, x[0], x[1])
		}
		again, err := Fields(kv...)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("not canonical: %q → %q (%v)", b, again, err)
		}
	})
}

func FuzzParseInclusionProof(f *testing.F) {
	for _, b := range seedFiles(f, goldenDir+"/inclusion/*.tlog-proof") {
		f.Add(b)
	}
	v, err := note.NewVerifier(string(bytes.TrimSpace(seedFiles(f, goldenDir+"/vkey")[0])))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseInclusionProof(b)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Marshal(), b) {
			t.Fatalf("not canonical:\n%q\n%q", b, p.Marshal())
		}
		_, _, _ = VerifyInclusion(b, v)
	})
}
