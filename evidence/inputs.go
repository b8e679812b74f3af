package evidence

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"signbox/airgap"
)

// Inputs is everything Generate needs, as plain data. The appliance fills
// it after the ceremony from the verified release request, the ceremony
// plan and the bytes it puts into the bundle.
type Inputs struct {
	Product string
	Version string
	Chip    string
	// Manufacturer and Namespace identify the CSAF publisher: the
	// manufacturer's name and a URL it controls (CSAF 2.0 §3.2.1.8).
	Manufacturer string
	Namespace    string
	// TLP is the advisory's Traffic Light Protocol label (WHITE, GREEN,
	// AMBER or RED, CSAF 2.0 §3.2.1.5); "" means WHITE.
	TLP string
	// Clinical is the release request's clinical block; Generate refuses
	// (ErrNoClinical) without one.
	Clinical *airgap.Clinical
	// PreviousVersion is the release this one replaces, if known.
	PreviousVersion string
	SecurityVersion Versions
	CeremonyDate    time.Time // only the date is used
	PlanDigest      string    // sha256:<hex> of the ceremony plan
	// SBOM and VEX are the exact bytes of sbom.cdx.json and vex.cdx.json:
	// the release SBOM with FDA support properties, and the triage.
	SBOM []byte
	VEX  []byte
	// Files are the bundle paths of every other file (images, keys, SBOM,
	// VEX, transcript, approvals, checkpoint), for the traceability rows.
	Files []string
}

// Versions is the anti-rollback security version before and after the
// release.
type Versions struct {
	Old uint32 `json:"old"`
	New uint32 `json:"new"`
}

// validate lists every problem at once, as the request validation does.
func (in *Inputs) validate() error {
	if in.Clinical == nil {
		return ErrNoClinical
	}
	var bad []string
	req := func(name, v string) {
		if strings.TrimSpace(v) == "" {
			bad = append(bad, name+" is required")
		}
	}
	req("Product", in.Product)
	req("Version", in.Version)
	if !slices.Contains(airgap.Chips, in.Chip) {
		bad = append(bad, fmt.Sprintf("Chip: %q is not one of %v", in.Chip, airgap.Chips))
	}
	req("Manufacturer", in.Manufacturer)
	if u, err := url.Parse(in.Namespace); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad = append(bad, fmt.Sprintf("Namespace: %q is not an http(s) URL", in.Namespace))
	}
	if in.TLP != "" && !slices.Contains(tlpLabels, in.TLP) {
		bad = append(bad, fmt.Sprintf("TLP: %q is not one of %v", in.TLP, tlpLabels))
	}
	if in.CeremonyDate.IsZero() {
		bad = append(bad, "CeremonyDate is required")
	}
	if !strings.HasPrefix(in.PlanDigest, "sha256:") || len(in.PlanDigest) != 71 {
		bad = append(bad, fmt.Sprintf("PlanDigest: %q, want sha256:<64 hex>", in.PlanDigest))
	}
	if in.SecurityVersion.New < in.SecurityVersion.Old {
		bad = append(bad, fmt.Sprintf("SecurityVersion: new %d below old %d", in.SecurityVersion.New, in.SecurityVersion.Old))
	}
	if len(in.SBOM) == 0 {
		bad = append(bad, "SBOM is required")
	}
	if len(in.VEX) == 0 {
		bad = append(bad, "VEX is required")
	}
	bad = append(bad, in.checkFiles()...)
	if err := in.Clinical.Validate(); err != nil {
		bad = append(bad, err.Error())
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s", ErrInputs, strings.Join(bad, "; "))
	}
	return nil
}

func (in *Inputs) date() string { return in.CeremonyDate.UTC().Format(time.DateOnly) }

// checkFiles: the other bundle files are safe, distinct paths, and none is
// the manifest or a document Generate writes.
func (in *Inputs) checkFiles() []string {
	var bad []string
	seen := map[string]bool{}
	for _, f := range in.Files {
		switch {
		case airgap.CheckPath(f) != nil:
			bad = append(bad, fmt.Sprintf("Files: %q: %v", f, airgap.CheckPath(f)))
		case seen[f]:
			bad = append(bad, fmt.Sprintf("Files: %q listed twice", f))
		case f == ManifestName || slices.Contains(in.documents(), f):
			bad = append(bad, fmt.Sprintf("Files: %q is written by bundle or evidence itself", f))
		}
		seen[f] = true
	}
	return bad
}
