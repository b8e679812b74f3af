package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// inclusions checks each exported tlog-proof the way an auditor holding
// only that file and the key would, then that it agrees with the log.
func (v *verification) inclusions(trusted note.Verifier) error {
	names, err := v.fs.ReadDir(dirInclusion)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list inclusion proofs: %w", err)
	}
	v.r.Checks.Inclusion = true
	for _, name := range names {
		idx, err := parseSize(strings.TrimSuffix(name, ".tlog-proof"))
		if err != nil || !strings.HasSuffix(name, ".tlog-proof") {
			v.problem(v.r.Entries, "unexpected file %s/%s", dirInclusion, name)
			continue
		}
		raw, err := v.fs.ReadFile(inclusionName(idx))
		if err != nil {
			return fmt.Errorf("read inclusion proof %d: %w", idx, err)
		}
		if v.inclusion(idx, raw, trusted) {
			v.r.Inclusions++
		}
	}
	return nil
}

func (v *verification) inclusion(idx int64, raw []byte, trusted note.Verifier) bool {
	at := min(idx, v.r.Entries)
	e, h, err := VerifyInclusion(raw, trusted)
	if err != nil {
		v.problem(at, "inclusion proof %d: %v", idx, err)
		return false
	}
	if root, ok := v.roots[h.Size]; !ok || root != h.Root {
		// A trusted checkpoint the export does not list: fine if the log
		// agrees with it, a fork if not.
		if got, err := v.s.tree.root(h.Size); err != nil || got != h.Root {
			v.problemFrom(0, h.Size, "inclusion proof %d is against a checkpoint of size %d that the log contradicts", idx, h.Size)
			return false
		}
		v.warn(idx, "inclusion proof is against checkpoint %d, which the export does not list", h.Size)
	}
	if e.Seq != idx || idx >= v.r.Entries || v.s.tree.hashes[tlog.StoredHashIndex(0, idx)] != tlog.RecordHash(mustMarshal(e)) {
		v.problem(at, "inclusion proof %d names an entry the log does not hold there", idx)
		return false
	}
	return true
}

// mustMarshal re-encodes an entry that was just parsed, which cannot fail.
func mustMarshal(e Entry) []byte {
	b, err := e.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}
