package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
)

// Digest is "sha256:" + hex of the exact policy file bytes; the plan of
// every ceremony names it, so approvals bind to one policy text.
func (p *Policy) Digest() string {
	sum := sha256.Sum256(p.raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Bytes returns a copy of the exact file bytes.
func (p *Policy) Bytes() []byte { return bytes.Clone(p.raw) }
