package appliance

import (
	"crypto"
	"errors"
	"fmt"

	"signbox/airgap/envelope"
	"signbox/hsm"
	"signbox/policy"
)

// Labels of a custodian's keys on their own token.
const (
	ApprovalKeyLabel = "approval"
	ShareKeyLabel    = "share"
)

// Enrolled is a founder enrolled during the genesis: the keys on their own
// token, as the paper log and the founders read them.
type Enrolled struct {
	Name                string
	ApprovalFP, ShareFP string
	// Found: the token already held keys with these labels (made there
	// before, e.g. by `signbox custodian enrol`); they are used as they are.
	Found bool
}

// EnrolFounders enrols every founder the template names without keys: on
// their own token (opened with their PIN) the approval key and the share
// key are made, or used when the token already holds them, and the
// returned template pins them. Founders the template already pins are
// left alone (Init checks their tokens hold those keys).
func EnrolFounders(tmpl []byte, founders []Presenter) ([]byte, []Enrolled, error) {
	todo, err := policy.Unenrolled(tmpl)
	if err != nil {
		return nil, nil, err
	}
	by := map[string]Presenter{}
	for _, f := range founders {
		by[f.Name] = f
	}
	var out []Enrolled
	for _, name := range todo {
		f, ok := by[name]
		if !ok {
			return nil, nil, fmt.Errorf("custodian %s has no keys in the template and is not a founder presenting a token (--founder %s=URI)", name, name)
		}
		e, ap, sp, err := enrolOn(f)
		if err != nil {
			return nil, nil, fmt.Errorf("enrol %s: %w", name, err)
		}
		if tmpl, err = policy.Enrol(tmpl, name, ap, sp); err != nil {
			return nil, nil, err
		}
		out = append(out, e)
	}
	return tmpl, out, nil
}

// enrolOn makes (or finds) a founder's two keys on their token and returns
// them as PEM.
func enrolOn(f Presenter) (Enrolled, string, string, error) {
	tok, err := hsm.Open(f.TokenURI, f.PIN)
	if err != nil {
		return Enrolled{}, "", "", err
	}
	defer tok.Close()
	e := Enrolled{Name: f.Name}
	ak, err := tok.Key(ApprovalKeyLabel)
	switch {
	case errors.Is(err, hsm.ErrKeyNotFound):
		ak, err = tok.GenerateKey(ApprovalKeyLabel, hsm.ECDSAP256)
	case err == nil:
		e.Found = true
	}
	if err != nil {
		return Enrolled{}, "", "", fmt.Errorf("approval key: %w", err)
	}
	var share crypto.PublicKey
	if pub, err := tok.AgreementPublic(ShareKeyLabel); err == nil {
		share = pub
	} else if errors.Is(err, hsm.ErrKeyNotFound) {
		sk, err := tok.GenerateAgreementKey(ShareKeyLabel)
		if err != nil {
			return Enrolled{}, "", "", fmt.Errorf("share key: %w", err)
		}
		share = sk.Public
	} else {
		return Enrolled{}, "", "", fmt.Errorf("share key: %w", err)
	}
	ap, err := envelope.MarshalPublicKeyPEM(ak.Public)
	if err != nil {
		return Enrolled{}, "", "", err
	}
	sp, err := envelope.MarshalPublicKeyPEM(share)
	if err != nil {
		return Enrolled{}, "", "", err
	}
	e.ApprovalFP = ak.Fingerprint
	if e.ShareFP, err = policy.Fingerprint(share); err != nil {
		return Enrolled{}, "", "", err
	}
	return e, string(ap), string(sp), nil
}
