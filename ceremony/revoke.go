package ceremony

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"signbox/airgap/envelope"
	"signbox/policy"
)

// RevocationInputs plans retiring one Secure Boot slot.
type RevocationInputs struct {
	Date   string
	Slot   int
	Reason string // e.g. "key compromise, CAPA-2026-014"
}

// RevocationPayloadType is the DSSE payload type of the signed revocation
// record (the provisioning profile saying which eFuse to burn).
const RevocationPayloadType = "application/vnd.signbox.revocation-profile+json"

// OutputRevocation is the signed revocation record.
const OutputRevocation = "revocation.dsse.json"

// PlanRevocation plans retiring slot. The last usable slot cannot be
// revoked: devices would then boot nothing newer.
func (w *Workspace) PlanRevocation(in RevocationInputs) (*Session, error) {
	pol, err := w.Policy()
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Reason) == "" || len(in.Reason) > MaxReasonLength {
		return nil, fmt.Errorf("a revocation needs a reason of 1-%d characters", MaxReasonLength)
	}
	return w.create(policy.KindKeyRevocation, in.Date, pol, nil, func(p *Plan) error {
		rp, err := revocationPlan(w, pol, in.Slot)
		if err != nil {
			return err
		}
		rp.Reason = in.Reason
		p.Revocation = rp
		return nil
	})
}

func revocationPlan(w *Workspace, pol *policy.Policy, slot int) (*RevocationPlan, error) {
	active, err := w.activeSecureBootKeys(pol)
	if err != nil {
		return nil, err
	}
	rp := &RevocationPlan{Remaining: []KeyRef{}}
	found := false
	for _, k := range active {
		if k.Slot == slot {
			rp.Key, found = k, true
		} else {
			rp.Remaining = append(rp.Remaining, k)
		}
	}
	if !found {
		return nil, fmt.Errorf("%w: slot %d holds no active, unrevoked Secure Boot key", ErrPolicyDenied, slot)
	}
	if len(rp.Remaining) == 0 {
		return nil, fmt.Errorf("%w: slot %d is the last active key; revoking it leaves devices nothing to verify updates with", ErrPolicyDenied, slot)
	}
	rb := pol.Keys.ReleaseBundle
	if rb.Status != policy.StatusActive {
		return nil, fmt.Errorf("%w: the release-bundle key that signs the revocation record is %s", ErrPolicyDenied, rb.Status)
	}
	rp.SignedBy = KeyRef{Purpose: "release_bundle", Slot: -1, Label: rb.Label, Algorithm: rb.Algorithm, Fingerprint: rb.Fingerprint}
	rp.StillBoot = stillBoot(rp)
	return rp, nil
}

type revokeKind struct{}

func (revokeKind) checkInputs(*Session) ([]string, error) { return nil, nil }

func (revokeKind) evaluate(s *Session) ([]string, error) {
	rp, err := revocationPlan(s.ws, s.pol, s.plan.Revocation.Key.Slot)
	if err != nil {
		return nil, err
	}
	rp.Reason = s.plan.Revocation.Reason
	if fmt.Sprint(*rp) != fmt.Sprint(*s.plan.Revocation) {
		return nil, fmt.Errorf("%w: the key inventory changed since the plan was made", ErrPolicyChanged)
	}
	return []string{
		fmt.Sprintf("slot %d (%s) is active and unrevoked", rp.Key.Slot, rp.Key.Label),
		fmt.Sprintf("%d keys remain for later releases", len(rp.Remaining)),
	}, nil
}

func (revokeKind) preflight(s *Session, ks KeyStore) error {
	if ks == nil {
		return errors.New("Sign: a revocation needs the appliance HSM")
	}
	sg, err := pinnedSigner(ks, s.plan.Revocation.SignedBy)
	s.scratch["signer"] = sg
	return err
}

func revocationProfile(s *Session) Profile {
	rp := s.plan.Revocation
	return Profile{
		Format: profileFormat, Ceremony: s.plan.ID, Date: s.plan.Date, PlanDigest: s.digest.String(),
		Chips: chipsOf(s.pol), Scheme: rp.Key.Algorithm,
		Slots: []ProfileSlot{revokeSlot(rp.Key)},
		Notes: []string{
			"burn only after every device runs an image signed by a remaining key; a device with only revoked signatures no longer boots",
			"eFuse writes are irreversible",
		},
	}
}

func (revokeKind) sign(s *Session, _ KeyStore) ([]Input, error) {
	sg := s.scratch["signer"].(crypto.Signer)
	prof := encodeProfile(revocationProfile(s))
	env := &dsse.Envelope{PayloadType: RevocationPayloadType, Payload: base64.StdEncoding.EncodeToString(prof)}
	if _, err := addSignature(env, sg); err != nil {
		return nil, err
	}
	if err := verifyRecord(env, prof, sg.Public()); err != nil {
		return nil, err
	}
	var outs []Input
	for _, f := range []struct {
		name string
		b    []byte
	}{{OutputProfile, prof}, {OutputRevocation, encodeEnvelope(env)}} {
		o, err := s.writeOutput(f.name, f.b)
		if err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	keyOuts, err := writePublicKeys(s, []KeyRef{s.plan.Revocation.SignedBy}, []crypto.Signer{sg})
	return append(outs, keyOuts...), err
}

func verifyRecord(env *dsse.Envelope, payload []byte, pub crypto.PublicKey) error {
	if len(env.Signatures) != 1 {
		return errors.New("revocation record must carry one signature")
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		return err
	}
	if err := verifyApproval(pub, dsse.PAE(env.PayloadType, payload), sig); err != nil {
		return fmt.Errorf("revocation record: %w", err)
	}
	return nil
}

func (revokeKind) verify(s *Session) ([]string, error) {
	rp := s.plan.Revocation
	pubs, err := readPublicKeys(s, []KeyRef{rp.SignedBy})
	if err != nil {
		return nil, err
	}
	prof, err := s.output(OutputProfile)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(prof, encodeProfile(revocationProfile(s))) {
		return nil, errors.New("profile.json is not the planned revocation")
	}
	envBytes, err := s.output(OutputRevocation)
	if err != nil {
		return nil, err
	}
	env, err := parseRecord(envBytes)
	if err != nil {
		return nil, err
	}
	payload, err := env.DecodeB64Payload()
	if err != nil || !bytes.Equal(payload, prof) {
		return nil, errors.New("revocation record does not carry profile.json")
	}
	if err := verifyRecord(env, payload, pubs[0]); err != nil {
		return nil, err
	}
	return []string{fmt.Sprintf("revocation record for slot %d verifies with the pinned release-bundle key", rp.Key.Slot)}, nil
}

func parseRecord(b []byte) (*dsse.Envelope, error) {
	if len(b) > MaxEnvelopeSize {
		return nil, fmt.Errorf("revocation record is %d bytes, more than %d", len(b), MaxEnvelopeSize)
	}
	env, err := envelope.Read(b)
	if err != nil {
		return nil, fmt.Errorf("revocation record: %w", err)
	}
	if env.PayloadType != RevocationPayloadType {
		return nil, fmt.Errorf("revocation record has payload type %q", env.PayloadType)
	}
	return env, nil
}

func (revokeKind) export(s *Session) ([]string, error) {
	rp := s.plan.Revocation
	rv, err := s.ws.Revocations()
	if err != nil {
		return nil, err
	}
	if !rv.Revoked(rp.Key.Slot) {
		err := s.ws.recordRevocation(Revocation{Slot: rp.Key.Slot, Label: rp.Key.Label, Fingerprint: rp.Key.Fingerprint, Reason: rp.Reason, Ceremony: s.plan.ID, Date: s.plan.Date})
		if err != nil {
			return nil, err
		}
	}
	return []string{fmt.Sprintf("slot %d recorded as revoked; later releases sign with the remaining keys only", rp.Key.Slot)}, nil
}

// stillBoot says which devices boot once they burn the revoked slot's
// bit (Secure Boot V2: the ROM and bootloader accept an image whose
// signature block verifies against an unrevoked digest slot).
func stillBoot(rp *RevocationPlan) []string {
	out := make([]string, 0, len(rp.Remaining)+1)
	for _, k := range rp.Remaining {
		out = append(out, fmt.Sprintf("boots: images carrying a signature by slot %d (%s, %s)", k.Slot, k.Label, k.Fingerprint))
	}
	return append(out, fmt.Sprintf("does NOT boot: images signed only by slot %d (%s); install a release signed by a remaining slot before the revoke bit is burned", rp.Key.Slot, rp.Key.Label))
}
