package ceremony

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"signbox/airgap/strictjson"
	"signbox/policy"
)

// A policy is valid only with its approval chain: the genesis policy
// approved by every founding share holder, each later policy by the
// previous policy's policy_change quorum. A link is the approvals
// envelope of the policy-change ceremony that adopted it (its payload is
// the plan, which names the old and the new policy digests); the genesis
// approval is an envelope over a GenesisStatement.

// GenesisPayloadType is the DSSE payload type of a genesis approval.
const GenesisPayloadType = "application/vnd.signbox.genesis+json"

const genesisFormat = "signbox-genesis/v1"

// ErrChain is wrapped by every policy chain refusal.
var ErrChain = errors.New("policy approval chain")

// GenesisStatement is what the founding custodians approve: this
// appliance, this genesis policy, this share set, on this date.
type GenesisStatement struct {
	Format    string    `json:"format"`
	Appliance string    `json:"appliance"`
	Policy    PolicyRef `json:"policy"`
	ShareSet  string    `json:"share_set"`
	Date      string    `json:"date"`
}

// NewGenesisEnvelope starts the genesis approval of st, with no
// signatures yet.
func NewGenesisEnvelope(st GenesisStatement) (*dsse.Envelope, error) {
	st.Format = genesisFormat
	b, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	return &dsse.Envelope{PayloadType: GenesisPayloadType, Payload: base64.StdEncoding.EncodeToString(b), Signatures: []dsse.Signature{}}, nil
}

// SignGenesis adds one founder's approval signature to env.
func SignGenesis(env *dsse.Envelope, s crypto.Signer) error {
	_, err := addSignature(env, s)
	return err
}

// EncodeEnvelope is the canonical file form of an approvals envelope.
func EncodeEnvelope(env *dsse.Envelope) []byte { return encodeEnvelope(env) }

// VerifyGenesis checks a genesis approval of p: the statement names p,
// every signature is by a person p lists, and every share holder of p
// signed. It returns the statement.
func VerifyGenesis(raw []byte, p *policy.Policy) (*GenesisStatement, error) {
	env, err := parseEnvelopeOf(raw, GenesisPayloadType)
	if err != nil {
		return nil, fmt.Errorf("%w: genesis: %w", ErrChain, err)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: genesis: payload is not base64", ErrChain)
	}
	var st GenesisStatement
	if err := strictjson.Decode(payload, &st); err != nil {
		return nil, fmt.Errorf("%w: genesis: %w", ErrChain, err)
	}
	if st.Format != genesisFormat || st.Policy.Digest != p.Digest() || st.Policy.Serial != p.Serial {
		return nil, fmt.Errorf("%w: genesis approval is for policy serial %d %s, not serial %d %s", ErrChain, st.Policy.Serial, st.Policy.Digest, p.Serial, p.Digest())
	}
	signed, err := genesisSigners(env, payload, p)
	if err != nil {
		return nil, err
	}
	for _, h := range p.Custody().Holders {
		if !signed[h.Name] {
			return nil, fmt.Errorf("%w: genesis policy lacks the approval of founding custodian %s", ErrChain, h.Name)
		}
	}
	return &st, nil
}

func genesisSigners(env *dsse.Envelope, payload []byte, p *policy.Policy) (map[string]bool, error) {
	pae := dsse.PAE(env.PayloadType, payload)
	signed := map[string]bool{}
	for i, s := range env.Signatures {
		c := p.CustodianByFingerprint(s.KeyID)
		if c == nil {
			return nil, fmt.Errorf("%w: genesis signature %d is by key %s, which the genesis policy does not list", ErrChain, i, s.KeyID)
		}
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil {
			return nil, fmt.Errorf("%w: genesis signature %d (%s) is not base64", ErrChain, i, c.Name)
		}
		if err := verifyApproval(c.PublicKey(), pae, sig); err != nil {
			return nil, fmt.Errorf("%w: genesis signature %d (%s): %v", ErrChain, i, c.Name, err)
		}
		signed[c.Name] = true
	}
	return signed, nil
}

// VerifyPolicyLink checks that approvals (a policy-change ceremony's
// envelope) adopted next in place of prev under prev's policy_change
// quorum, and returns the adopting ceremony's id.
func VerifyPolicyLink(prev, next *policy.Policy, approvals []byte) (string, error) {
	env, err := ParseEnvelope(approvals)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrChain, err)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return "", fmt.Errorf("%w: payload is not base64", ErrChain)
	}
	plan, err := ParsePlan(payload)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrChain, err)
	}
	pc := plan.PolicyChange
	if plan.Kind != policy.KindPolicyChange || pc == nil {
		return "", fmt.Errorf("%w: ceremony %s is a %s, not a policy change", ErrChain, plan.ID, plan.Kind)
	}
	if pc.Old.Digest != prev.Digest() || pc.New.Digest != next.Digest() {
		return "", fmt.Errorf("%w: ceremony %s changed %s into %s, not serial %d into serial %d", ErrChain, plan.ID, pc.Old.Digest, pc.New.Digest, prev.Serial, next.Serial)
	}
	prog, err := countApprovals(env, plan, plan.Digest(), prev, next)
	if err != nil {
		return "", fmt.Errorf("%w: ceremony %s: %w", ErrChain, plan.ID, err)
	}
	if !prog.Met() {
		return "", fmt.Errorf("%w: ceremony %s: %w: %s", ErrChain, plan.ID, ErrTooFewApprovals, prog)
	}
	return plan.ID, nil
}
