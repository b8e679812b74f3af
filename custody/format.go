package custody

import (
	"bytes"
	"crypto/ecdh"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/cloudflare/circl/group"

	"signbox/airgap/strictjson"
)

// PayloadType is the DSSE payload type of a share-set manifest.
const PayloadType = "application/vnd.signbox.custody-shares+json"

// FormatVersion is the only manifest version this build reads and writes.
// Version 1 fixes the scheme: Feldman VSS over P-256, shares sealed with
// ephemeral-static ECDH P-256, HKDF-SHA256 and AES-256-GCM.
const FormatVersion = 1

// manifest is the signed payload, field for field as documented in doc.go.
// Its JSON is canonical: exactly what json.Marshal writes for it, which
// OpenSet checks byte for byte.
type manifest struct {
	Version      int         `json:"version"`
	SetID        string      `json:"set_id"`
	Appliance    string      `json:"appliance"`
	PolicySerial uint64      `json:"policy_serial"`
	PolicyDigest string      `json:"policy_digest"`
	Threshold    int         `json:"threshold"`
	Commitments  []string    `json:"commitments"`
	Shares       []shareJSON `json:"shares"`
}

type shareJSON struct {
	Holder     string `json:"holder"`
	Index      int    `json:"index"`
	Key        string `json:"key"`
	Ephemeral  string `json:"ephemeral"`
	Ciphertext string `json:"ciphertext"`
}

// marshal writes the canonical manifest of s.
func (s *Set) marshal() ([]byte, error) {
	m := manifest{
		Version: FormatVersion, SetID: s.id,
		Appliance: s.hdr.Appliance, PolicySerial: s.hdr.PolicySerial,
		PolicyDigest: s.hdr.PolicyDigest, Threshold: s.hdr.Threshold,
	}
	for _, c := range s.commitments {
		b, err := c.MarshalBinaryCompress()
		if err != nil {
			return nil, fmt.Errorf("marshal commitment: %w", err)
		}
		m.Commitments = append(m.Commitments, hex.EncodeToString(b))
	}
	for _, sh := range s.shares {
		m.Shares = append(m.Shares, shareJSON{
			Holder: sh.holder, Index: sh.index,
			Key:        hex.EncodeToString(sh.key.Bytes()),
			Ephemeral:  hex.EncodeToString(sh.ephemeral.Bytes()),
			Ciphertext: hex.EncodeToString(sh.sealed),
		})
	}
	return json.Marshal(m)
}

// parseManifest reads a verified payload into a Set, checking every rule
// and that the bytes are the canonical encoding of what was read.
func parseManifest(payload []byte) (*Set, error) {
	if err := checkVersion(payload); err != nil {
		return nil, err
	}
	var m manifest
	if err := strictjson.Decode(payload, &m); err != nil {
		return nil, &InvalidSetError{Reason: "manifest", Err: err}
	}
	s, err := setFromManifest(&m)
	if err != nil {
		return nil, err
	}
	canon, err := s.marshal()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(canon, payload) {
		return nil, invalid("manifest of set %s is not in canonical form", s.id)
	}
	return s, nil
}

// checkVersion reads only "version", so a newer file is refused as newer,
// not for the fields this build does not know.
func checkVersion(payload []byte) error {
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return &InvalidSetError{Reason: "manifest is not one JSON object", Err: err}
	}
	if probe.Version == nil {
		return invalid("manifest has no version")
	}
	if *probe.Version != FormatVersion {
		return invalid("manifest format version %d is not supported (this build reads version %d)",
			*probe.Version, FormatVersion)
	}
	return nil
}

func setFromManifest(m *manifest) (*Set, error) {
	if _, err := decodeHex("set_id", m.SetID, SetIDSize); err != nil {
		return nil, err
	}
	s := &Set{id: m.SetID, hdr: SetHeader{
		Appliance: m.Appliance, PolicySerial: m.PolicySerial,
		PolicyDigest: m.PolicyDigest, Threshold: m.Threshold,
	}}
	if err := checkHeader(s.hdr, len(m.Shares)); err != nil {
		return nil, err
	}
	var err error
	if s.commitments, err = parseCommitments(m.Commitments, m.Threshold); err != nil {
		return nil, err
	}
	if s.shares, err = parseShares(m.Shares); err != nil {
		return nil, err
	}
	return s, nil
}

// parseCommitments reads the Feldman commitments g^a_0 ... g^a_{t-1}: one
// per polynomial coefficient, so exactly threshold of them.
func parseCommitments(hexes []string, threshold int) ([]group.Element, error) {
	if len(hexes) != threshold {
		return nil, invalid("%d commitments for threshold %d; want one per coefficient, %d",
			len(hexes), threshold, threshold)
	}
	out := make([]group.Element, len(hexes))
	for i, h := range hexes {
		field := fmt.Sprintf("commitments[%d]", i)
		b, err := decodeHex(field, h, commitmentSize)
		if err != nil {
			return nil, err
		}
		out[i] = curve.NewElement()
		if err := out[i].UnmarshalBinary(b); err != nil || out[i].IsIdentity() {
			return nil, invalid("%s is not a compressed P-256 point", field)
		}
	}
	return out, nil
}

func parseShares(in []shareJSON) ([]sealedShare, error) {
	out := make([]sealedShare, len(in))
	for i, j := range in {
		sh, err := parseShare(i, j)
		if err != nil {
			return nil, err
		}
		out[i] = sh
	}
	if err := checkHolders(out); err != nil {
		return nil, err
	}
	return out, nil
}

// parseShare reads shares[i]; its index must be i+1, so one set has one
// encoding and indices are distinct and non-zero.
func parseShare(i int, j shareJSON) (sealedShare, error) {
	field := fmt.Sprintf("shares[%d]", i)
	sh := sealedShare{holder: j.Holder, index: j.Index}
	if j.Index != i+1 {
		return sh, invalid("%s.index is %d, want %d", field, j.Index, i+1)
	}
	var err error
	if sh.key, err = parsePoint(field+".key", j.Key); err != nil {
		return sh, err
	}
	if sh.ephemeral, err = parsePoint(field+".ephemeral", j.Ephemeral); err != nil {
		return sh, err
	}
	sh.sealed, err = decodeHex(field+".ciphertext", j.Ciphertext, sealedSize)
	return sh, err
}

// parsePoint reads an uncompressed SEC1 P-256 public key.
func parsePoint(field, h string) (*ecdh.PublicKey, error) {
	b, err := decodeHex(field, h, pointSize)
	if err != nil {
		return nil, err
	}
	pub, err := ecdh.P256().NewPublicKey(b)
	if err != nil {
		return nil, invalid("%s is not a P-256 public key", field)
	}
	return pub, nil
}

// checkHolders applies the holder rules shared by Split and OpenSet: valid
// names, no name twice, no share key twice (one key is one person).
func checkHolders(shares []sealedShare) error {
	names := map[string]bool{}
	keys := map[string]string{}
	for _, sh := range shares {
		if err := checkName(sh.holder); err != nil {
			return err
		}
		if names[sh.holder] {
			return invalid("holder %s is named twice", sh.holder)
		}
		if sh.key == nil || sh.key.Curve() != ecdh.P256() {
			return invalid("share key of %s is not a P-256 ECDH key", sh.holder)
		}
		if other, dup := keys[string(sh.key.Bytes())]; dup {
			return invalid("%s and %s have the same share key %s; one key is one person",
				other, sh.holder, fingerprint(sh.key))
		}
		names[sh.holder], keys[string(sh.key.Bytes())] = true, sh.holder
	}
	return nil
}
