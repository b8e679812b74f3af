package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"signbox/internal/atomicfile"
)

// Export writes everything an auditor needs into dir, which must not
// exist: the log, every checkpoint, consistency proofs between consecutive
// checkpoints and the verifier key. It first appends an EXPORT entry and
// seals it, so an export never has an unsealed tail. The directory
// appears complete or not at all.
func (l *Log) Export(dir string, t time.Time) (SignedHead, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := os.Lstat(dir); err == nil {
		return SignedHead{}, fmt.Errorf("export %s: %w", dir, atomicfile.ErrExists)
	}
	payload, err := Fields("to", filepath.Base(dir))
	if err != nil {
		payload, _ = Fields("to", "(unprintable name)")
	}
	if _, err := l.append(Export, payload, t); err != nil {
		return SignedHead{}, err
	}
	sh, err := l.checkpoint("export", t)
	if err != nil {
		return SignedHead{}, err
	}
	files, err := l.exportFiles()
	if err != nil {
		return SignedHead{}, err
	}
	return sh, writeDir(dir, files)
}

// exportFiles collects the export's contents by relative name.
func (l *Log) exportFiles() (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, name := range []string{fileLog, fileCheckpoint, fileVKey} {
		b, err := l.fs.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("export: read %s: %w", name, err)
		}
		files[name] = b
	}
	names, err := l.fs.ReadDir(dirCheckpoints)
	if err != nil {
		return nil, fmt.Errorf("export: list checkpoints: %w", err)
	}
	var sizes []int64
	for _, name := range names {
		size, err := parseSize(name)
		if err != nil {
			continue
		}
		if files[checkpointName(size)], err = l.fs.ReadFile(checkpointName(size)); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		sizes = append(sizes, size)
	}
	slices.Sort(sizes)
	if err := l.inclusionFiles(files, files[fileLog], files[fileCheckpoint]); err != nil {
		return nil, err
	}
	for i := 1; i < len(sizes); i++ {
		p, err := tlog.ProveTree(sizes[i], sizes[i-1], &l.tree)
		if err != nil {
			return nil, fmt.Errorf("export: prove %d→%d: %w", sizes[i-1], sizes[i], err)
		}
		files[proofName(sizes[i-1], sizes[i])] = formatProof(p)
	}
	return files, nil
}

// writeDir builds dir under a temporary name beside it, fsyncs every file
// and directory, then renames it into place.
func writeDir(dir string, files map[string][]byte) error {
	parent, base := filepath.Split(filepath.Clean(dir))
	if parent == "" {
		parent = "."
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := fillDir(tmp, files); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		os.RemoveAll(tmp)
		return fmt.Errorf("export %s: %w", dir, atomicfile.ErrExists)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("export: %w", err)
	}
	return atomicfile.SyncDir(parent)
}

func fillDir(root string, files map[string][]byte) error {
	for _, sub := range []string{dirCheckpoints, dirProofs, dirInclusion} {
		if err := os.Mkdir(filepath.Join(root, sub), 0o755); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	for name, data := range files {
		if err := atomicfile.WriteNew(filepath.Join(root, filepath.FromSlash(name)), data, 0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return atomicfile.SyncDir(root)
}

// maxInclusionProofs bounds the tlog-proofs one export carries (the most
// recent flagged events); each is about 1 KB.
const maxInclusionProofs = 4096

// inclusionFiles adds a tlog-proof against the export's checkpoint for
// each flagged entry of the log.
func (l *Log) inclusionFiles(files map[string][]byte, raw, ckpt []byte) error {
	type flaggedEntry struct {
		seq int64
		raw []byte
	}
	var flagged []flaggedEntry
	for seq := int64(0); len(raw) > 0; seq++ {
		ent, _, n, _, err := readFrame(raw)
		if err != nil {
			return fmt.Errorf("export: entry %d: %w", seq, err)
		}
		if e, err := ParseEntry(ent); err == nil && e.Type.flagged() {
			flagged = append(flagged, flaggedEntry{seq, ent})
		}
		raw = raw[n:]
	}
	if len(flagged) > maxInclusionProofs {
		flagged = flagged[len(flagged)-maxInclusionProofs:]
	}
	for _, f := range flagged {
		p, err := tlog.ProveRecord(l.tree.n, f.seq, &l.tree)
		if err != nil {
			return fmt.Errorf("export: prove entry %d: %w", f.seq, err)
		}
		ip := InclusionProof{Extra: f.raw, Index: f.seq, Proof: p, Checkpoint: ckpt}
		files[inclusionName(f.seq)] = ip.Marshal()
	}
	return nil
}
