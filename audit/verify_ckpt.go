package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// checkpoints verifies every checkpoint file against the trusted key and
// the rebuilt tree. A root mismatch is pinned to the range since the last
// checkpoint that still matched.
func (v *verification) checkpoints(trusted note.Verifier) error {
	names, err := v.fs.ReadDir(dirCheckpoints)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("list checkpoints: %w", err)
	}
	if len(names) > maxCheckpoints {
		return fmt.Errorf("%d checkpoint files, limit %d", len(names), maxCheckpoints)
	}
	sizes := make([]int64, 0, len(names))
	for _, name := range names {
		size, err := parseSize(name)
		if err != nil && strings.HasPrefix(name, ".") {
			// A temporary file a crash left mid-write (atomicfile names
			// them ".<name>.tmp-*"); it was never a checkpoint.
			v.warn(-1, "ignored leftover temporary file checkpoints/%s", name)
			continue
		}
		if err != nil {
			v.problem(v.r.Entries, "unexpected file checkpoints/%s", name)
			continue
		}
		sizes = append(sizes, size)
	}
	slices.Sort(sizes)
	v.roots = map[int64]tlog.Hash{}
	v.r.Checks.Signatures, v.r.Checks.Tree = true, true
	var good int64
	for _, size := range sizes {
		msg, err := v.fs.ReadFile(checkpointName(size))
		if err != nil {
			return fmt.Errorf("read checkpoint %d: %w", size, err)
		}
		if v.checkpoint(msg, size, good, trusted) {
			good = size
		}
	}
	v.r.Sealed = good
	v.unsealedCheckpoints()
	return v.latest(trusted)
}

// checkpoint verifies one note; good is the last size that matched.
func (v *verification) checkpoint(msg []byte, size, good int64, trusted note.Verifier) bool {
	h, err := OpenCheckpoint(msg, trusted)
	// A bad note is charged to the CHECKPOINT entry it claims to seal.
	at := min(max(size-1, 0), v.r.Entries)
	switch {
	case err != nil:
		v.problem(at, "checkpoint %d: %v", size, err)
		return false
	case h.Size != size:
		v.problem(at, "checkpoint file %d holds a checkpoint of size %d", size, h.Size)
		return false
	case h.Origin != v.s.origin:
		v.problem(0, "checkpoint %d is for origin %q, log is %q", size, h.Origin, v.s.origin)
		return false
	case size > v.r.Entries:
		v.problem(v.r.Entries, "log ends after %d entries but checkpoint %d covers more: truncated", v.r.Entries, size)
		return false
	case !slices.Contains(v.s.checkpoints, size):
		v.problemFrom(good, size, "checkpoint %d does not end at a CHECKPOINT entry", size)
		return false
	}
	root, err := v.s.tree.root(size)
	if err != nil || root != h.Root {
		v.problemFrom(good, size, "checkpoint %d: root hash does not match entries %d..%d", size, good, size-1)
		return false
	}
	v.roots[size] = root
	v.r.Checkpoints++
	return true
}

// unsealedCheckpoints warns about CHECKPOINT entries with no note: the
// evidence for that point was withheld or lost.
func (v *verification) unsealedCheckpoints() {
	for _, c := range v.s.checkpoints {
		if _, ok := v.roots[c]; !ok && c <= v.r.Sealed {
			v.warn(c-1, "no signed checkpoint for this CHECKPOINT entry; later checkpoints still cover it")
		}
	}
}

// latest checks that the "checkpoint" file is one of the verified ones.
func (v *verification) latest(trusted note.Verifier) error {
	msg, err := v.fs.ReadFile(fileCheckpoint)
	if errors.Is(err, fs.ErrNotExist) {
		v.warn(-1, "no latest checkpoint file")
		return nil
	}
	if err != nil {
		return fmt.Errorf("read latest checkpoint: %w", err)
	}
	h, err := OpenCheckpoint(msg, trusted)
	if err != nil {
		v.problem(v.r.Entries, "latest checkpoint: %v", err)
		return nil
	}
	stored, _ := v.fs.ReadFile(checkpointName(h.Size))
	if !bytes.Equal(stored, msg) {
		v.problem(min(h.Size, v.r.Entries), "latest checkpoint (size %d) is not among the stored checkpoints", h.Size)
	} else if h.Size != v.r.Sealed {
		v.warn(-1, "latest checkpoint has size %d, the largest is %d", h.Size, v.r.Sealed)
	}
	return nil
}

// proofs checks the consistency proof between each pair of consecutive
// trusted checkpoints with tlog.CheckTree, as an auditor holding only the
// checkpoints would. A log directory (no proofs/) skips this.
func (v *verification) proofs() error {
	if _, err := v.fs.ReadDir(dirProofs); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("list proofs: %w", err)
	}
	v.r.Checks.Proofs = true
	sizes := make([]int64, 0, len(v.roots))
	for s := range v.roots {
		sizes = append(sizes, s)
	}
	slices.Sort(sizes)
	for i := 1; i < len(sizes); i++ {
		a, b := sizes[i-1], sizes[i]
		raw, err := v.fs.ReadFile(proofName(a, b))
		if err != nil {
			v.problem(a, "consistency proof %d→%d missing", a, b)
			continue
		}
		p, err := ParseProof(raw)
		if err == nil {
			err = tlog.CheckTree(p, b, v.roots[b], a, v.roots[a])
		}
		if err != nil {
			v.problem(a, "consistency proof %d→%d: %v", a, b, err)
			continue
		}
		v.r.Proofs++
	}
	return nil
}

// lastSeen checks the log against a checkpoint the auditor kept: it must
// not be shorter (rollback) or disagree (fork).
func (v *verification) lastSeen(trusted note.Verifier) error {
	if v.opt.LastSeen == nil {
		return nil
	}
	h, err := OpenCheckpoint(v.opt.LastSeen, trusted)
	if err != nil {
		return fmt.Errorf("last-seen checkpoint: %w", err)
	}
	v.r.Checks.LastSeen = true
	switch {
	case h.Origin != v.s.origin:
		v.problem(0, "last-seen checkpoint is for origin %q, log is %q", h.Origin, v.s.origin)
	case h.Size > v.r.Entries:
		v.problem(v.r.Entries, "log has %d entries, fewer than the %d of the checkpoint seen before: rolled back or truncated", v.r.Entries, h.Size)
	default:
		root, err := v.s.tree.root(h.Size)
		if err != nil || root != h.Root {
			v.problemFrom(0, h.Size, "log contradicts the checkpoint of size %d seen before: forked or rewritten", h.Size)
		} else if h.Size > v.r.Sealed {
			v.warn(-1, "checkpoints up to size %d were withheld from this export", h.Size)
		}
	}
	return nil
}
