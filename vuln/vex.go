package vuln

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"signbox/sbom"
)

// VEXInfo is what the VEX document needs beyond the scan and decisions.
type VEXInfo struct {
	Timestamp time.Time // the ceremony date; never read from a clock
	// SBOMDigest, if set, names the SBOM these statements are about
	// ("sha256:<hex>"), since the VEX is a separate document.
	SBOMDigest string
	// SBOM is the document the statements are about: the scanned SBOM, or
	// the release SBOM written from it (which keeps its component paths).
	// Every affects ref names the finding's component by its bom-ref
	// there (see linker).
	SBOM *sbom.SBOM
	// ApprovedBy names the custodians whose approval of the ceremony plan
	// (which binds every decision) was verified, as "name sha256:<SPKI
	// fingerprint>": the authenticated deciders. PlanDigest is that plan's
	// digest. Both are empty for a scan outside a ceremony (`vuln scan`),
	// whose decisions nobody has approved yet.
	ApprovedBy []string
	PlanDigest string
}

// BuildVEX assembles a CycloneDX 1.6 VEX document: one vulnerability per
// finding with its triage analysis, each affecting its component in
// info.SBOM.
func BuildVEX(res *Result, ds *Decisions, info VEXInfo) (*cdx.BOM, error) {
	if info.Timestamp.IsZero() {
		return nil, fmt.Errorf("VEX timestamp is required")
	}
	l, err := newLinker(info.SBOM)
	if err != nil {
		return nil, err
	}
	bom := cdx.NewBOM()
	bom.JSONSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.SerialNumber = vexSerial(res.FeedDigest, ds.Digest(), l.serial)
	bom.Metadata = &cdx.Metadata{
		Timestamp: info.Timestamp.UTC().Format(time.RFC3339),
		Properties: &[]cdx.Property{
			{Name: "signbox:feed-digest", Value: res.FeedDigest},
			{Name: "signbox:decisions-digest", Value: ds.Digest()},
		},
	}
	if info.SBOMDigest != "" {
		*bom.Metadata.Properties = append(*bom.Metadata.Properties, cdx.Property{Name: "signbox:sbom-digest", Value: info.SBOMDigest})
	}
	var vulns []cdx.Vulnerability
	for _, f := range res.Findings {
		ref, err := l.ref(f.Component)
		if err != nil {
			return nil, err
		}
		d, ok := ds.For(f)
		vulns = append(vulns, vexEntry(f, ref, d, ok, info))
	}
	if len(l.copies) > 0 {
		cs := make([]cdx.Component, len(l.copies))
		for i, tc := range l.copies {
			cs[i] = cdx.Component{BOMRef: tc.BOMRef, Type: tc.Type, Group: tc.Group,
				Name: tc.Name, Version: tc.Version, PackageURL: tc.PackageURL}
		}
		bom.Components = &cs
	}
	if len(vulns) > 0 {
		bom.Vulnerabilities = &vulns
	}
	return bom, nil
}

// WriteVEX writes the VEX document BuildVEX describes as CycloneDX 1.6
// JSON, streaming: each vulnerability is built, checked (checkVEXEntry)
// and written in turn, with no whole-document copy and no re-parse. Every
// affects ref is resolved before the first byte is written, so a finding
// the SBOM cannot name fails the call with nothing written.
func WriteVEX(w io.Writer, res *Result, ds *Decisions, info VEXInfo) error {
	if info.Timestamp.IsZero() {
		return fmt.Errorf("VEX timestamp is required")
	}
	l, err := newLinker(info.SBOM)
	if err != nil {
		return err
	}
	refs := make([]string, len(res.Findings))
	for i := range res.Findings {
		if refs[i], err = l.ref(res.Findings[i].Component); err != nil {
			return err
		}
	}
	j := &jsonWriter{b: make([]byte, 0, 64<<10), first: true}
	j.b = append(j.b, '{')
	j.depth = 1
	j.str("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json")
	j.str("bomFormat", "CycloneDX")
	j.str("specVersion", cdx.SpecVersion1_6.String())
	j.str("serialNumber", vexSerial(res.FeedDigest, ds.Digest(), l.serial))
	j.int("version", 1)
	j.obj("metadata")
	j.str("timestamp", info.Timestamp.UTC().Format(time.RFC3339))
	j.arr("properties")
	writeProperty(j, "signbox:feed-digest", res.FeedDigest)
	writeProperty(j, "signbox:decisions-digest", ds.Digest())
	if info.SBOMDigest != "" {
		writeProperty(j, "signbox:sbom-digest", info.SBOMDigest)
	}
	j.close(']')
	j.close('}')
	if len(l.copies) > 0 {
		j.arr("components")
		for _, c := range l.copies {
			writeComponent(j, c)
			if err := j.flush(w, 60<<10); err != nil {
				return err
			}
		}
		j.close(']')
	}
	if len(res.Findings) > 0 {
		j.arr("vulnerabilities")
		for i, f := range res.Findings {
			d, ok := ds.For(f)
			v := vexEntry(f, refs[i], d, ok, info)
			if err := checkVEXEntry(&v); err != nil {
				return fmt.Errorf("VEX entry for %s: %w", f.Key(), err)
			}
			writeVulnerability(j, &v)
			if err := j.flush(w, 60<<10); err != nil {
				return err
			}
		}
		j.close(']')
	}
	j.depth = 0
	j.b = append(j.b, '\n', '}', '\n')
	_, err = w.Write(j.b)
	return err
}

func vexSerial(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x80 // RFC 9562 version 8
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return fmt.Sprintf("urn:uuid:%s-%s-%s-%s-%s", x[:8], x[8:12], x[12:16], x[16:20], x[20:])
}

func vexEntry(f Finding, ref string, d Decision, decided bool, info VEXInfo) cdx.Vulnerability {
	v := cdx.Vulnerability{
		BOMRef:      f.Key(),
		ID:          f.ID,
		Source:      &cdx.Source{Name: sourceName(f.ID), URL: "https://osv.dev/vulnerability/" + f.ID},
		Description: f.Summary,
	}
	var refs []cdx.VulnerabilityReference
	for _, a := range f.Aliases {
		refs = append(refs, cdx.VulnerabilityReference{ID: a, Source: &cdx.Source{Name: sourceName(a)}})
	}
	if len(refs) > 0 {
		v.References = &refs
	}
	if r := f.Rating; r.Severity != SeverityUnknown || r.Vector != "" {
		rt := cdx.VulnerabilityRating{Severity: cdx.Severity(r.Severity), Method: cdx.ScoringMethod(r.Method), Vector: r.Vector}
		if r.Score > 0 {
			rt.Score = &r.Score
		}
		if rt.Method == "" {
			rt.Method = cdx.ScoringMethodOther
		}
		v.Ratings = &[]cdx.VulnerabilityRating{rt}
	}
	if len(f.Fixed) > 0 {
		v.Recommendation = "Upgrade " + f.Component.Name + " to " + strings.Join(f.Fixed, " or ") + " or later."
	}
	var adv []cdx.Advisory
	for _, u := range f.References {
		adv = append(adv, cdx.Advisory{URL: u})
	}
	if len(adv) > 0 {
		v.Advisories = &adv
	}
	status := cdx.VulnerabilityStatusAffected
	if decided {
		v.Analysis = analysis(d)
		v.Properties = deciderProperties(d, info)
		switch d.State {
		case StateNotAffected, StateFalsePositive, StateResolved, StateResolvedWithPedigree:
			status = cdx.VulnerabilityStatusNotAffected
		}
	}
	v.Affects = &[]cdx.Affects{{Ref: ref, Range: &[]cdx.AffectedVersions{{Version: f.Component.Written, Status: status}}}}
	return v
}

func analysis(d Decision) *cdx.VulnerabilityAnalysis {
	a := &cdx.VulnerabilityAnalysis{
		State:         cdx.ImpactAnalysisState(d.State),
		Justification: cdx.ImpactAnalysisJustification(d.Justification),
		Detail:        d.Detail,
		FirstIssued:   d.At.UTC().Format(time.RFC3339),
		LastUpdated:   d.At.UTC().Format(time.RFC3339),
	}
	if len(d.Responses) > 0 {
		rs := make([]cdx.ImpactAnalysisResponse, len(d.Responses))
		for i, r := range d.Responses {
			rs[i] = cdx.ImpactAnalysisResponse(r)
		}
		a.Response = &rs
	}
	return a
}

// sourceName names the database an ID prefix belongs to (OSV schema,
// "id" prefixes).
func sourceName(id string) string {
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "GO":
		return "Go Vulnerability Database"
	case "RUSTSEC":
		return "RustSec Advisory Database"
	case "GHSA":
		return "GitHub Advisory Database"
	case "CVE":
		return "NVD"
	case "PYSEC":
		return "PyPI Advisory Database"
	}
	return "OSV"
}

// deciderProperties say who stands behind a decision. CycloneDX has no
// field for it; properties keep it machine-readable. The deciders are the
// custodians who approved the plan binding the decision (verified
// signatures, named with their key fingerprints); the operator who typed
// it in is recorded apart, never as the decider.
func deciderProperties(d Decision, info VEXInfo) *[]cdx.Property {
	var ps []cdx.Property
	if len(info.ApprovedBy) == 0 {
		ps = append(ps, cdx.Property{Name: "signbox:approved-by", Value: "nobody yet: not approved in a ceremony plan"})
	}
	for _, a := range info.ApprovedBy {
		ps = append(ps, cdx.Property{Name: "signbox:approved-by", Value: a})
	}
	if info.PlanDigest != "" {
		ps = append(ps, cdx.Property{Name: "signbox:approved-in-plan", Value: info.PlanDigest})
	}
	ps = append(ps, cdx.Property{Name: "signbox:entered-by", Value: d.By})
	return &ps
}
