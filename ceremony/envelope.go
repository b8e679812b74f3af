package ceremony

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"signbox/airgap/envelope"
	"signbox/policy"
)

// PayloadType is the DSSE payload type of an approvals envelope; the
// payload is the plan's canonical bytes.
const PayloadType = "application/vnd.signbox.ceremony-plan+json"

// newEnvelope returns an approvals envelope with no signatures yet.
func newEnvelope(plan []byte) *dsse.Envelope {
	return &dsse.Envelope{
		PayloadType: PayloadType,
		Payload:     base64.StdEncoding.EncodeToString(plan),
		Signatures:  []dsse.Signature{},
	}
}

// addSignature signs env's payload with s and appends the signature, keyed
// by the signer's fingerprint.
func addSignature(env *dsse.Envelope, s crypto.Signer) (dsse.Signature, error) {
	payload, err := env.DecodeB64Payload()
	if err != nil {
		return dsse.Signature{}, err
	}
	fp, err := policy.Fingerprint(s.Public())
	if err != nil {
		return dsse.Signature{}, err
	}
	sig, err := signApproval(s, dsse.PAE(env.PayloadType, payload))
	if err != nil {
		return dsse.Signature{}, fmt.Errorf("sign approval: %w", err)
	}
	ds := dsse.Signature{KeyID: fp, Sig: base64.StdEncoding.EncodeToString(sig)}
	env.Signatures = append(env.Signatures, ds)
	return ds, nil
}

// ParseEnvelope strictly decodes an approvals envelope.
func ParseEnvelope(b []byte) (*dsse.Envelope, error) {
	return parseEnvelopeOf(b, PayloadType)
}

// parseEnvelopeOf decodes a multi-signature envelope of payload type
// want (approvals of a plan, or of a genesis statement) by DSSE's
// consumer rules (envelope.Read: unknown envelope fields ignored, base64
// standard or URL-safe), normalised to standard base64 so every later
// check decodes one form. The payload is decoded strictly by the caller.
func parseEnvelopeOf(b []byte, want string) (*dsse.Envelope, error) {
	if len(b) > MaxEnvelopeSize {
		return nil, fmt.Errorf("approvals envelope is %d bytes, more than %d", len(b), MaxEnvelopeSize)
	}
	env, err := envelope.Read(b)
	if err != nil {
		return nil, fmt.Errorf("decode approvals envelope: %w", err)
	}
	if env.PayloadType != want {
		return nil, fmt.Errorf("approvals envelope has payload type %q, want %q", env.PayloadType, want)
	}
	if len(env.Signatures) > MaxApprovals {
		return nil, fmt.Errorf("approvals envelope has %d signatures, more than %d", len(env.Signatures), MaxApprovals)
	}
	return env, nil
}

func encodeEnvelope(env *dsse.Envelope) []byte {
	b, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		panic("ceremony: envelope does not encode: " + err.Error())
	}
	return append(b, '\n')
}

// checkPayload makes sure env carries exactly this plan, and says what it
// carries instead when it does not.
func checkPayload(env *dsse.Envelope, plan *Plan, digest Digest) error {
	if env.PayloadType != PayloadType {
		return fmt.Errorf("%w: payload type %q", ErrWrongPlan, env.PayloadType)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return fmt.Errorf("%w: payload is not base64", ErrWrongPlan)
	}
	got := digestOf(payload)
	if got == digest {
		return nil
	}
	other, err := ParsePlan(payload)
	if err != nil {
		return fmt.Errorf("%w: approvals are for plan %s, not %s", ErrWrongPlan, got, digest)
	}
	if other.Sequence < plan.Sequence || (other.ID == plan.ID && other.Date < plan.Date) {
		return fmt.Errorf("%w: approvals are for ceremony %s (sequence %d, %s), this is %s (sequence %d)",
			ErrReplayed, other.ID, other.Sequence, other.Date, plan.ID, plan.Sequence)
	}
	return fmt.Errorf("%w: approvals are for ceremony %s plan %s, this is %s plan %s",
		ErrWrongPlan, other.ID, got, plan.ID, digest)
}
