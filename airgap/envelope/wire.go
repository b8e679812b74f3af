package envelope

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"signbox/airgap/strictjson"
)

// wireEnvelope is the DSSE JSON envelope as a consumer reads it (DSSE
// v1.0.0, envelope.md, "Parsing rules"): payload, payloadType, signatures
// and each signature's sig are required, even if empty; keyid is
// optional; and consumers MUST ignore unrecognized fields, which
// producers and later versions of the spec may add. Pointers tell a
// missing field from an empty one.
type wireEnvelope struct {
	PayloadType *string        `json:"payloadType"`
	Payload     *string        `json:"payload"`
	Signatures  *[]wireSignSig `json:"signatures"`
}

type wireSignSig struct {
	KeyID string  `json:"keyid"`
	Sig   *string `json:"sig"`
}

// parsed is an envelope with its payload decoded and its signatures as
// bytes (nil for a sig that is not base64: it can verify nothing).
type parsed struct {
	payloadType string
	payload     []byte
	sigs        [][]byte
}

func parseEnvelope(data []byte) (*parsed, error) {
	var w wireEnvelope
	if err := strictjson.DecodeIgnoringUnknown(data, &w); err != nil {
		return nil, err
	}
	return w.parse()
}

func (w *wireEnvelope) parse() (*parsed, error) {
	switch {
	case w.PayloadType == nil:
		return nil, errors.New("payloadType is missing")
	case w.Payload == nil:
		return nil, errors.New("payload is missing")
	case w.Signatures == nil:
		return nil, errors.New("signatures is missing")
	}
	p := &parsed{payloadType: *w.PayloadType}
	var err error
	if p.payload, err = decodeBase64(*w.Payload); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	for i, s := range *w.Signatures {
		if s.Sig == nil {
			return nil, fmt.Errorf("signatures[%d].sig is missing", i)
		}
		sig, _ := decodeBase64(*s.Sig)
		p.sigs = append(p.sigs, sig)
	}
	return p, nil
}

// decodeBase64 reads RFC 4648 base64 in the standard or the URL-safe
// alphabet (DSSE: "Either standard or URL-safe encoding is allowed"),
// padded or not, and nothing else: non-zero trailing bits and stray
// characters are refused. Both alphabets decode a string they share to the
// same bytes, and signatures are over the decoded bytes, so accepting
// either changes nothing that is verified.
func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.Strict().DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64 (standard or URL-safe alphabet)")
}

// Read parses data as a DSSE envelope the way Open does (DSSE v1.0.0's
// parsing rules: unknown fields ignored, base64 standard or URL-safe,
// padded or not; required fields, duplicates and trailing data still
// refused) and returns it in the canonical form Sign writes: payload and
// every sig re-encoded as standard padded base64, unknown fields dropped.
// It is for multi-signature envelopes whose signatures the caller checks
// itself (the ceremony's approvals). A sig that is not base64 stays as
// written, so the caller's check names it. The payload is the caller's to
// decode strictly.
func Read(data []byte) (*dsse.Envelope, error) {
	var w wireEnvelope
	if err := strictjson.DecodeIgnoringUnknown(data, &w); err != nil {
		return nil, err
	}
	p, err := w.parse()
	if err != nil {
		return nil, err
	}
	env := &dsse.Envelope{PayloadType: p.payloadType, Payload: base64.StdEncoding.EncodeToString(p.payload), Signatures: []dsse.Signature{}}
	for i, s := range *w.Signatures {
		sig := *s.Sig
		if p.sigs[i] != nil {
			sig = base64.StdEncoding.EncodeToString(p.sigs[i])
		}
		env.Signatures = append(env.Signatures, dsse.Signature{KeyID: s.KeyID, Sig: sig})
	}
	return env, nil
}
