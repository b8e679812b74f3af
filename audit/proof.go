package audit

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// maxProofHashes bounds a consistency proof: at most about 2·log2(n)
// hashes, so 128 covers any int64-sized tree.
const maxProofHashes = 128

// proofName is where the consistency proof from checkpoint a to b lives.
func proofName(a, b int64) string {
	return dirProofs + "/" + strconv.FormatInt(a, 10) + "-" + strconv.FormatInt(b, 10)
}

// inclusionName is where the tlog-proof of entry seq lives in an export.
func inclusionName(seq int64) string {
	return dirInclusion + "/" + strconv.FormatInt(seq, 10) + ".tlog-proof"
}

// formatProof writes one base64 hash per line, the way C2SP tlog-proof
// lists hashes, so an auditor can feed them to any RFC 6962 tool.
func formatProof(p tlog.TreeProof) []byte {
	var b strings.Builder
	for _, h := range p {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// ParseProof reads a proof written by formatProof, strictly: canonical
// base64, one 32-byte hash per line, every line newline-terminated.
func ParseProof(b []byte) (tlog.TreeProof, error) {
	s := string(b)
	if s == "" {
		return tlog.TreeProof{}, nil
	}
	if !strings.HasSuffix(s, "\n") {
		return nil, fmt.Errorf("%w proof: does not end in a newline", ErrMalformed)
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) > maxProofHashes {
		return nil, fmt.Errorf("%w proof: %d hashes, limit %d", ErrMalformed, len(lines), maxProofHashes)
	}
	p := make(tlog.TreeProof, len(lines))
	for i, l := range lines {
		h, err := base64.StdEncoding.Strict().DecodeString(l)
		// Re-encoding rejects what the decoder skips (\r, \n).
		if err != nil || len(h) != tlog.HashSize || base64.StdEncoding.EncodeToString(h) != l {
			return nil, fmt.Errorf("%w proof: line %d is not a base64 SHA-256 hash", ErrMalformed, i+1)
		}
		copy(p[i][:], h)
	}
	return p, nil
}
