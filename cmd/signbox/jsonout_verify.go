package main

import (
	"errors"
	"fmt"

	"signbox/bundle"
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
	var ec exitCoder
	if err != nil && errors.As(err, &ec) && ec.ExitCode() == 1 {
		if werr := writeJSON(e.stdout, shape(err.Error())); werr != nil {
			return werr
		}
	}
	return err
}

func bundleInvalid(reason string) any {
	return bundleVerifyJSON{Verdict: "INVALID", Reason: reason, Images: []bundleImageJSON{}}
}
