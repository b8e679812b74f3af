package main

import (
	"fmt"

	"signbox/airgap"
	"signbox/bundle"
	"signbox/device/esp"
	"signbox/policy"
)

// JSON shapes of the verify commands beyond audit and evidence
// (docs/cli-json.md). A verdict of INVALID is a JSON object too, with the
// same exit code 1; what could not be checked stays text on stderr (3).

type bundleImageJSON struct {
	Role          string `json:"role"`
	Path          string `json:"path"`
	SHA256        string `json:"sha256"`
	KeyDigest     string `json:"key_digest"`
	Slot          int    `json:"slot"`
	SecureVersion uint32 `json:"secure_version"`
}

type bundleVerifyJSON struct {
	Verdict         string            `json:"verdict"` // OK or INVALID
	Reason          string            `json:"reason,omitempty"`
	Product         string            `json:"product,omitempty"`
	Version         string            `json:"version,omitempty"`
	Chip            string            `json:"chip,omitempty"`
	SecurityVersion uint32            `json:"security_version"`
	Form            string            `json:"form,omitempty"`
	ManifestSHA256  string            `json:"manifest_sha256,omitempty"`
	ReleaseKey      string            `json:"release_key,omitempty"`
	CeremonyDate    string            `json:"ceremony_date,omitempty"`
	PlanDigest      string            `json:"plan_digest,omitempty"`
	Files           int               `json:"files"`
	Images          []bundleImageJSON `json:"images"`
	ProductChecked  bool              `json:"product_checked"`
	ReplayChecked   bool              `json:"replay_checked"`
}

func bundleJSONOf(r *bundle.Result) bundleVerifyJSON {
	m := r.Manifest
	out := bundleVerifyJSON{Verdict: "OK", Product: m.Product, Version: m.Version, Chip: m.Chip, SecurityVersion: m.SecurityVersion,
		Form: fmt.Sprint(r.Form), ManifestSHA256: r.ManifestSHA256, ReleaseKey: r.ReleaseKeyID, CeremonyDate: m.CeremonyDate,
		PlanDigest: m.PlanDigest, Files: r.Files, Images: []bundleImageJSON{}, ProductChecked: r.ProductChecked, ReplayChecked: r.ReplayChecked}
	for _, im := range r.Images {
		out.Images = append(out.Images, bundleImageJSON{Role: im.Role, Path: im.Path, SHA256: im.SHA256, KeyDigest: im.KeyDigest,
			Slot: im.Slot, SecureVersion: im.SecureVersion})
	}
	return out
}

// invalidJSON writes the INVALID object for err when it is a verdict
// (exit 1) and returns err unchanged, so the exit code and the stderr
// line stay those of text mode.
func invalidJSON(e *env, err error, shape func(reason string) any) error {
	if err != nil && exitCodeOf(err) == 1 {
		if werr := writeJSON(e.stdout, shape(err.Error())); werr != nil {
			return werr
		}
	}
	return err
}

func bundleInvalid(reason string) any {
	return bundleVerifyJSON{Verdict: "INVALID", Reason: reason, Images: []bundleImageJSON{}}
}

type imageVerifyJSON struct {
	Verdict       string `json:"verdict"` // VALID or INVALID
	Reason        string `json:"reason,omitempty"`
	Chip          string `json:"chip,omitempty"`
	Kind          string `json:"kind,omitempty"`
	SecureVersion uint32 `json:"secure_version"`
	Block         int    `json:"block"`
	Scheme        string `json:"scheme,omitempty"`
	Slot          int    `json:"slot"` // -1 when verified by --key
	KeyDigest     string `json:"key_digest,omitempty"`
}

func imageJSONOf(v esp.Verified) imageVerifyJSON {
	return imageVerifyJSON{Verdict: "VALID", Chip: fmt.Sprint(v.Chip()), Kind: fmt.Sprint(v.Kind()), SecureVersion: v.SecureVersion(),
		Block: v.Block(), Scheme: fmt.Sprint(v.Scheme()), Slot: v.Slot(), KeyDigest: fmt.Sprintf("%x", v.KeyDigest())}
}

func imageInvalid(reason string) any {
	return imageVerifyJSON{Verdict: "INVALID", Reason: reason, Slot: -1}
}

type policyCustodianJSON struct {
	Name        string `json:"name"`
	Role        string `json:"role"`
	Fingerprint string `json:"fingerprint"`
}

type policyQuorumJSON struct {
	Kind      string   `json:"kind"`
	Threshold int      `json:"threshold"`
	Roles     []string `json:"roles"`
}

type policyKeyJSON struct {
	Path        string `json:"path"`
	Label       string `json:"label"`
	Algorithm   string `json:"algorithm"`
	Status      string `json:"status"`
	Fingerprint string `json:"fingerprint"`
}

type policyCheckJSON struct {
	Verdict    string                `json:"verdict"` // VALID or INVALID
	Reason     string                `json:"reason,omitempty"`
	Name       string                `json:"name,omitempty"`
	Serial     uint64                `json:"serial"`
	Digest     string                `json:"digest,omitempty"`
	Custodians []policyCustodianJSON `json:"custodians"`
	Quorum     []policyQuorumJSON    `json:"quorum"`
	Keys       []policyKeyJSON       `json:"keys"`
}

func policyJSONOf(p *policy.Policy) policyCheckJSON {
	out := policyCheckJSON{Verdict: "VALID", Name: p.Name, Serial: uint64(p.Serial), Digest: fmt.Sprint(p.Digest()),
		Custodians: []policyCustodianJSON{}, Quorum: []policyQuorumJSON{}, Keys: []policyKeyJSON{}}
	for _, c := range p.Custodians {
		out.Custodians = append(out.Custodians, policyCustodianJSON{Name: c.Name, Role: fmt.Sprint(c.Role), Fingerprint: c.Fingerprint()})
	}
	for _, k := range policy.Kinds {
		r := p.Rule(k)
		roles := []string{}
		for _, x := range r.Roles {
			roles = append(roles, fmt.Sprint(x))
		}
		out.Quorum = append(out.Quorum, policyQuorumJSON{Kind: fmt.Sprint(k), Threshold: int(r.Threshold), Roles: roles})
	}
	for _, k := range p.AllKeys() {
		out.Keys = append(out.Keys, policyKeyJSON{Path: k.Path, Label: k.Label, Algorithm: fmt.Sprint(k.Algorithm), Status: fmt.Sprint(k.Status), Fingerprint: k.Fingerprint})
	}
	return out
}

func policyInvalid(reason string) any {
	return policyCheckJSON{Verdict: "INVALID", Reason: reason, Custodians: []policyCustodianJSON{}, Quorum: []policyQuorumJSON{}, Keys: []policyKeyJSON{}}
}

type mediaFileJSON struct {
	Role   string `json:"role"` // image role, sbom, or the feed file's ecosystem
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// mediaJSON is `request verify` and `feed verify`: what the media holds
// and how its signature was checked.
type mediaJSON struct {
	Verdict         string          `json:"verdict"` // OK or REFUSED
	Reason          string          `json:"reason,omitempty"`
	Product         string          `json:"product,omitempty"`
	Version         string          `json:"version,omitempty"`
	Chip            string          `json:"chip,omitempty"`
	SecurityVersion uint32          `json:"security_version,omitempty"`
	Snapshot        string          `json:"snapshot,omitempty"`
	Source          string          `json:"source,omitempty"`
	Files           []mediaFileJSON `json:"files"`
	ManifestSHA256  string          `json:"manifest_sha256,omitempty"`
	Form            string          `json:"form,omitempty"`
	Signature       string          `json:"signature,omitempty"` // verified, not-checked or none
	SignedBy        string          `json:"signed_by,omitempty"`
}

func mediaCommon(v *airgap.Verified) mediaJSON {
	sig := string(v.Signature)
	if sig == "" {
		sig = "none"
	}
	return mediaJSON{Verdict: "OK", Files: []mediaFileJSON{}, ManifestSHA256: v.ManifestSHA256, Form: fmt.Sprint(v.Media().Form()),
		Signature: sig, SignedBy: v.SignedBy}
}

func requestJSONOf(v *airgap.VerifiedRequest) mediaJSON {
	r := v.Request
	out := mediaCommon(&v.Verified)
	out.Product, out.Version, out.Chip, out.SecurityVersion = r.Product, r.Version, r.Chip, r.SecurityVersion
	for _, im := range r.Images {
		out.Files = append(out.Files, mediaFileJSON{Role: im.Role, Path: im.Path, Size: im.Size, SHA256: im.SHA256})
	}
	out.Files = append(out.Files, mediaFileJSON{Role: "sbom", Path: r.SBOM.Path, Size: r.SBOM.Size, SHA256: r.SBOM.SHA256})
	return out
}

func feedJSONOf(v *airgap.VerifiedFeed) mediaJSON {
	out := mediaCommon(&v.Verified)
	out.Snapshot, out.Source = v.Feed.Snapshot, v.Feed.Source
	for _, f := range v.Feed.Files {
		out.Files = append(out.Files, mediaFileJSON{Role: f.Ecosystem, Path: f.Path, Size: f.Size, SHA256: f.SHA256})
	}
	return out
}

func mediaRefused(reason string) any {
	return mediaJSON{Verdict: "REFUSED", Reason: reason, Files: []mediaFileJSON{}}
}
