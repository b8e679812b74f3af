package audit

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// SignedHead is a checkpoint: its body and the signed note carrying it.
type SignedHead struct {
	Head
	Note []byte
}

// Checkpoint seals the log now: a CHECKPOINT entry (time and reason, its
// prev field holding the chain head) followed by a signed checkpoint over
// the tree including it. Call it at ceremony close; Export and Close issue
// their own.
func (l *Log) Checkpoint(reason string, t time.Time) (SignedHead, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.checkpoint(reason, t)
}

// checkpoint's writes are ordered so a crash between any two leaves a
// state Open completes: entry (fsync) → checkpoints/<size> (new file) →
// checkpoint (replace) → floor.
func (l *Log) checkpoint(reason string, t time.Time) (SignedHead, error) {
	payload, err := Fields("reason", reason)
	if err != nil {
		return SignedHead{}, fmt.Errorf("checkpoint: %w", err)
	}
	if _, err := l.append(Checkpoint, payload, t); err != nil {
		return SignedHead{}, err
	}
	sh, err := l.seal(l.tree.n)
	if err != nil {
		return SignedHead{}, l.fail(err)
	}
	return sh, nil
}

// seal signs and stores the checkpoint of the given size, which must end
// in a CHECKPOINT entry, and raises the floor.
func (l *Log) seal(size int64) (SignedHead, error) {
	root, err := l.tree.root(size)
	if err != nil {
		return SignedHead{}, err
	}
	h := Head{Origin: l.cfg.Origin, Size: size, Root: root}
	msg, err := signCheckpoint(h, l.signer)
	if err != nil {
		return SignedHead{}, err
	}
	if err := l.fs.WriteNew(checkpointName(size), msg); err != nil {
		return SignedHead{}, fmt.Errorf("store checkpoint %d: %w", size, err)
	}
	if err := l.publish(size, msg); err != nil {
		return SignedHead{}, err
	}
	return SignedHead{Head: h, Note: msg}, nil
}

// publish makes msg the latest checkpoint and raises the floor to size.
func (l *Log) publish(size int64, msg []byte) error {
	if err := l.fs.Replace(fileCheckpoint, msg); err != nil {
		return fmt.Errorf("replace latest checkpoint: %w", err)
	}
	if err := l.cfg.Floor.Raise(size); err != nil {
		return fmt.Errorf("raise floor to %d: %w", size, err)
	}
	l.lastSealed = size
	return nil
}

func checkpointName(size int64) string {
	return dirCheckpoints + "/" + strconv.FormatInt(size, 10)
}

func mkdirAll(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create log directory: %w", err)
	}
	return nil
}
