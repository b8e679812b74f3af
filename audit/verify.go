package audit

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// VerifyOptions says what the auditor brings to a verification.
type VerifyOptions struct {
	// Trusted is the pinned checkpoint key. Nil takes the export's own
	// vkey, which proves only self-consistency (Checks.KeyPinned false).
	Trusted note.Verifier
	// LastSeen is a checkpoint note the auditor kept from an earlier
	// export; the log must extend it, never shrink or fork from it.
	LastSeen []byte
	// Keys checks the HMAC tags; nil checks everything public only.
	Keys MACKeys
}

// Verify checks an export directory (or a log directory) without trusting
// the appliance. An error means the evidence could not be read; a damaged
// log is a Report with Verdict Tampered.
func Verify(dir string, opt VerifyOptions) (*Report, error) {
	if fi, err := os.Stat(filepath.Join(dir, fileLog)); err == nil && fi.Size() > maxLogBytes {
		return nil, fmt.Errorf("log is %d bytes, limit %d", fi.Size(), int64(maxLogBytes))
	}
	return VerifyFS(DirFS(dir), opt)
}

// VerifyFS is Verify over any FS.
func VerifyFS(fsys FS, opt VerifyOptions) (*Report, error) {
	v := &verification{fs: fsys, opt: opt, r: &Report{FirstBad: -1}}
	if err := v.run(); err != nil {
		return nil, err
	}
	v.conclude()
	return v.r, nil
}

type verification struct {
	fs    FS
	opt   VerifyOptions
	r     *Report
	s     *scanner
	roots map[int64]tlog.Hash // trusted checkpoints that match the log
}

func (v *verification) run() error {
	trusted, err := v.trustedKey()
	if err != nil {
		return err
	}
	raw, err := v.fs.ReadFile(fileLog)
	if err != nil {
		return fmt.Errorf("read log: %w", err)
	}
	v.s = newScanner(trusted.Name(), v.opt.Keys)
	if err := v.s.scan(raw); err != nil {
		return err
	}
	v.r.Origin, v.r.Entries = v.s.origin, v.s.n()
	v.r.MACsChecked = v.s.macsChecked
	// MACs count as checked only if every entry's tag was.
	v.r.Checks.Chain, v.r.Checks.MACs = true, v.opt.Keys != nil && v.r.MACsChecked == v.r.Entries
	v.r.Problems = append(v.r.Problems, v.s.tamper...)
	v.r.Warnings = append(v.r.Warnings, v.s.warnings...)
	if err := v.checkpoints(trusted); err != nil {
		return err
	}
	if err := v.proofs(); err != nil {
		return err
	}
	if err := v.inclusions(trusted); err != nil {
		return err
	}
	return v.lastSeen(trusted)
}

// trustedKey returns the caller's key, or the export's vkey with a warning.
func (v *verification) trustedKey() (note.Verifier, error) {
	own, err := v.fs.ReadFile(fileVKey)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read vkey: %w", err)
	}
	ownKey := strings.TrimSuffix(string(own), "\n")
	if v.opt.Trusted != nil {
		v.r.Checks.KeyPinned = true
		if ownKey != "" && !sameKey(ownKey, v.opt.Trusted) {
			v.warn(-1, "the export's vkey is not the trusted key")
		}
		return v.opt.Trusted, nil
	}
	if ownKey == "" {
		return nil, errors.New("no trusted key given and the export has no vkey")
	}
	k, err := note.NewVerifier(ownKey)
	if err != nil {
		return nil, fmt.Errorf("export vkey: %w", err)
	}
	v.warn(-1, "checkpoint key taken from the export itself; pin it to detect a re-signed log")
	return k, nil
}

func sameKey(vkey string, t note.Verifier) bool {
	k, err := note.NewVerifier(vkey)
	return err == nil && k.Name() == t.Name() && k.KeyHash() == t.KeyHash()
}

func (v *verification) problem(i int64, format string, args ...any) {
	if len(v.r.Problems) < maxFindings {
		v.r.Problems = append(v.r.Problems, Finding{Index: i, Reason: fmt.Sprintf(format, args...)})
	}
}

// problemFrom records a problem known only to lie in entries [i, end).
func (v *verification) problemFrom(i, end int64, format string, args ...any) {
	if len(v.r.Problems) < maxFindings {
		v.r.Problems = append(v.r.Problems, Finding{Index: i, Reason: fmt.Sprintf(format, args...), Bound: true, end: end})
	}
}

func (v *verification) warn(i int64, format string, args ...any) {
	v.r.Warnings = append(v.r.Warnings, Finding{Index: i, Reason: fmt.Sprintf(format, args...)})
}

// conclude turns findings into a verdict.
func (v *verification) conclude() {
	r := v.r
	if len(r.Problems) > 0 {
		first := firstProblem(r.Problems)
		r.Verdict, r.FirstBad, r.Reason = Tampered, first.Index, first.Reason
		return
	}
	switch {
	case v.s.tail != nil:
		r.Verdict = UnsealedTail
		r.Reason = fmt.Sprintf("%d bytes after entry %d are a torn record; opening the log recovers it", v.s.tail.Bytes, r.Entries-1)
	case r.Sealed < r.Entries:
		r.Verdict = UnsealedTail
		r.Reason = fmt.Sprintf("entries %d..%d are not covered by a trusted checkpoint", r.Sealed, r.Entries-1)
	case !r.Checks.KeyPinned:
		r.Verdict = Unpinned
		r.Reason = "consistent with itself, but the checkpoint key is the export's own: pin the log's key to tell it from a log re-signed by another"
	}
}

// firstProblem picks the earliest precise finding. A range-only finding
// (Bound) counts only if no precise finding explains it, i.e. none lies
// in its range: then its start is the best position known.
func firstProblem(ps []Finding) Finding {
	var cands []Finding
	for _, p := range ps {
		if !p.Bound || !slices.ContainsFunc(ps, func(q Finding) bool {
			return !q.Bound && q.Index >= p.Index && q.Index < p.end
		}) {
			cands = append(cands, p)
		}
	}
	return slices.MinFunc(cands, func(a, b Finding) int { return cmp.Compare(a.Index, b.Index) })
}
