package main

import (
	"crypto"
	"fmt"

	"signbox/airgap/envelope"
	"signbox/ceremony"
	"signbox/policy"
)

// checkAgainstPolicy makes the ceremony's policy checks that need no
// appliance state (ceremony.CheckReleasePolicy) when --policy is given,
// and returns the build key the policy pins, "" if none.
func (f *createFlags) checkAgainstPolicy(product, chip string, sv uint32, sbom []byte) ([]string, string, error) {
	if f.policy == "" {
		return nil, "", nil
	}
	raw, err := readInput("--policy", f.policy, policy.MaxFileSize)
	if err != nil {
		return nil, "", err
	}
	pol, err := policy.Parse(raw)
	if err != nil {
		return nil, "", fmt.Errorf("--policy %s: %w", f.policy, err)
	}
	checks, err := ceremony.CheckReleasePolicy(pol, product, chip, sv, sbom)
	if err != nil {
		return nil, "", err
	}
	if pol.Release.BuildKey == "" {
		return append(checks, "the policy pins no build key: the appliance will import the request without checking its signature"), "", nil
	}
	pub, err := policy.ParsePublicKeyPEM(pol.Release.BuildKey)
	if err != nil {
		return nil, "", fmt.Errorf("--policy %s: release.build_key: %w", f.policy, err)
	}
	id, err := envelope.KeyID(pub)
	return checks, id, err
}

// checkPinnedKey refuses a build key other than the one the policy pins:
// the appliance would refuse its signature at import.
func checkPinnedKey(pinned string, signer crypto.Signer, label string) error {
	if pinned == "" {
		return nil
	}
	id, err := envelope.KeyID(signer.Public())
	if err != nil {
		return err
	}
	if id != pinned {
		return withHint(fmt.Errorf("--key-label %q is build key %s, the policy pins %s (release.build_key)", label, id, pinned),
			"nothing was written; `request import` would refuse the signature: sign with the pinned key, or pin this one by a policy change ceremony")
	}
	return nil
}
