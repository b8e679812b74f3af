package audit

import (
	"crypto"
	"errors"
	"fmt"
)

// Config is what a log needs to run. Origin, Keys, Signer and Floor are
// required: each is a security decision the caller must make on purpose.
type Config struct {
	// Origin names the log and its checkpoint key, e.g.
	// "signbox.local/SN1234/audit". Each appliance and each emulated
	// device has its own, so entries cannot be spliced between logs.
	Origin string
	// Keys MACs every entry, one key per epoch.
	Keys KeyRing
	// Signer signs checkpoints; it must be an Ed25519 key and must not be
	// any firmware or release key.
	Signer crypto.Signer
	// Floor keeps the size of the last checkpoint, outside the log
	// directory.
	Floor Floor
	// CheckpointEvery issues a checkpoint once this many entries follow
	// the last one (K in the design). Zero means DefaultCheckpointEvery.
	CheckpointEvery int64
	// EpochEvery starts a new MAC epoch once this many entries were
	// written in the current one. Zero leaves epochs to NewEpoch.
	EpochEvery int64
	// FS overrides the filesystem (tests inject crashes); nil uses the
	// directory passed to Create or Open.
	FS FS
}

// DefaultCheckpointEvery bounds how many entries can sit unsealed after
// the last checkpoint: at most this many can vanish without a trace.
const DefaultCheckpointEvery = 256

func (c *Config) validate() error {
	var errs []error
	if err := checkOrigin(c.Origin); err != nil {
		errs = append(errs, fmt.Errorf("config.Origin: %w", err))
	}
	if c.Keys == nil {
		errs = append(errs, errors.New("config.Keys is required"))
	}
	if c.Signer == nil {
		errs = append(errs, errors.New("config.Signer is required"))
	}
	if c.Floor == nil {
		errs = append(errs, errors.New("config.Floor is required"))
	}
	if c.CheckpointEvery < 0 || c.EpochEvery < 0 {
		errs = append(errs, errors.New("config.CheckpointEvery and config.EpochEvery must not be negative"))
	}
	return errors.Join(errs...)
}
