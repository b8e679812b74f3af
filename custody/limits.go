package custody

import (
	"encoding/hex"
	"regexp"
	"strings"
)

// Every bound on a share set, with its reason. Split refuses to make a set
// outside them and OpenSet refuses to read one, so both ends agree.
const (
	// MinThreshold is the smallest quorum: with 1, one custodian alone
	// could log in to the appliance token, which is what custody prevents.
	MinThreshold = 2

	// MaxHolders bounds the custodians in one set. No policy names more
	// people than an approvals envelope accepts (ceremony.MaxApprovals),
	// and the bound keeps a hostile manifest from making the appliance do
	// thousands of ECDH and Feldman checks.
	MaxHolders = 64

	// MaxEnvelopeSize bounds the signed manifest. A share entry is about
	// 500 bytes of JSON, so 64 holders and their commitments are about
	// 40 KiB, 55 KiB once base64'd into the envelope; 256 KiB leaves room
	// without letting a file on the media exhaust memory.
	MaxEnvelopeSize = 256 << 10

	// MaxNameLength bounds a holder name; the pattern is the policy's
	// custodian-name pattern, so a set's holders are policy custodians.
	MaxNameLength = 63

	// MaxApplianceLength bounds the appliance id, which is opaque (32 hex
	// characters in production) but is printed in every refusal.
	MaxApplianceLength = 128

	// SetIDSize is the random set id in bytes (hex in the file): 128 bits
	// keeps two sets of one appliance from ever sharing an id.
	SetIDSize = 16
)

// Sizes fixed by the scheme (format version 1: P-256 everywhere).
const (
	scalarSize     = 32              // a P-256 scalar: the secret and each share value
	pointSize      = 65              // an uncompressed SEC1 P-256 point: share and ephemeral keys
	commitmentSize = 33              // a compressed SEC1 P-256 point: one Feldman commitment
	sealedSize     = scalarSize + 16 // AES-256-GCM ciphertext of one share value plus its tag
)

var (
	namePattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	appliancePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
)

// checkName refuses a holder name the policy could not have produced.
func checkName(name string) error {
	if !namePattern.MatchString(name) {
		return invalid("holder name %q must be 1-%d of a-z 0-9 . _ - starting with a letter or digit",
			name, MaxNameLength)
	}
	return nil
}

// checkHeader refuses a header outside the bounds, for n holders.
func checkHeader(h SetHeader, n int) error {
	if !appliancePattern.MatchString(h.Appliance) {
		return invalid("appliance id %q must be 1-%d of A-Z a-z 0-9 . _ : - starting with a letter or digit",
			h.Appliance, MaxApplianceLength)
	}
	if err := checkDigest(h.PolicyDigest); err != nil {
		return err
	}
	if n < MinThreshold || n > MaxHolders {
		return invalid("%d holders; a set has %d to %d", n, MinThreshold, MaxHolders)
	}
	if h.Threshold < MinThreshold {
		return invalid("threshold %d is below %d: one custodian alone could log in", h.Threshold, MinThreshold)
	}
	if h.Threshold > n {
		return invalid("threshold %d is more than the %d holders: the secret could never be rebuilt", h.Threshold, n)
	}
	return nil
}

// checkDigest accepts exactly "sha256:" and 64 lowercase hex characters,
// the form policy.Digest returns.
func checkDigest(d string) error {
	hexPart, ok := strings.CutPrefix(d, "sha256:")
	if ok && len(hexPart) == 64 && isLowerHex(hexPart) {
		return nil
	}
	return invalid("policy digest %q is not sha256:<64 lowercase hex>", d)
}

// isLowerHex reports whether s is non-empty, even-length lowercase hex.
func isLowerHex(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(s) > 0 && hex.EncodeToString(b) == s
}

// decodeHex decodes a lowercase hex field of exactly size bytes.
func decodeHex(field, s string, size int) ([]byte, error) {
	if len(s) != 2*size || !isLowerHex(s) {
		return nil, invalid("%s must be %d lowercase hex characters", field, 2*size)
	}
	b, _ := hex.DecodeString(s)
	return b, nil
}
