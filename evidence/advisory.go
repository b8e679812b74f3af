package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// productID names the released firmware in the advisory's product tree.
func (in *Inputs) productID() string { return in.Product + "-" + in.Version }

// buildAdvisory writes the CSAF 2.0 document: a security advisory when the
// VEX lists vulnerabilities, an informational advisory when it lists none
// (the security advisory profile requires at least one, CSAF 2.0 §4.5).
func buildAdvisory(in *Inputs, r *release) ([]byte, error) {
	ts := in.CeremonyDate.UTC().Truncate(24 * time.Hour).Format(time.RFC3339)
	doc := csafDoc{Document: csafDocument{
		Category: "csaf_security_advisory", CSAFVersion: "2.0", Lang: "en",
		Title:     fmt.Sprintf("%s %s: security update", in.Product, in.Version),
		Publisher: csafPublisher{Category: "vendor", Name: in.Manufacturer, Namespace: in.Namespace},
		Tracking: csafTracking{
			ID: TrackingID(in.Product, in.Version, in.SecurityVersion.New), Status: "final", Version: "1",
			InitialReleaseDate: ts, CurrentReleaseDate: ts,
			RevisionHistory: []csafRevision{{Date: ts, Number: "1", Summary: "Initial release."}},
			Generator:       csafGenerator{Date: ts, Engine: csafEngine{Name: "signbox"}},
		},
		Notes:        documentNotes(in, r),
		Distribution: in.distribution(),
		References:   []csafReference{in.selfReference()},
	}, ProductTree: productTree(in, r)}
	for _, v := range r.Vulns {
		doc.Vulnerabilities = append(doc.Vulnerabilities, csafVuln(in, v))
	}
	if len(doc.Vulnerabilities) == 0 {
		doc.Document.Category = "csaf_informational_advisory"
		doc.Document.Title = fmt.Sprintf("%s %s: update without known vulnerabilities", in.Product, in.Version)
		doc.Document.References = append(doc.Document.References,
			csafReference{Category: "external", Summary: in.Manufacturer + " security information", URL: in.Namespace})
		doc.ProductTree = nil
	}
	if sev := aggregateSeverity(r); sev != "" {
		doc.Document.AggregateSeverity = &csafText{Text: sev}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("%s: %w", in.advisoryPath(), err)
	}
	if err := ValidateCSAF(buf.Bytes()); err != nil {
		return nil, fmt.Errorf("%s: %w", in.advisoryPath(), err)
	}
	return buf.Bytes(), nil
}

func documentNotes(in *Inputs, r *release) []csafNote {
	c := in.Clinical
	return []csafNote{
		{Category: "summary", Title: "Why this update matters", Text: whySummary(in, r)},
		{Category: "description", Title: "Clinical impact", Text: c.Impact},
		{Category: "general", Title: "Installation", Text: installSummary(c)},
		{Category: "general", Title: "Rollback", Text: c.Rollback},
		{Category: "other", Title: "Device identification", Text: fmt.Sprintf("UDI-DI %s; MDS2 form %s.", c.UDIDI, c.MDS2)},
	}
}

func productTree(in *Inputs, r *release) *csafProductTree {
	ident := &csafIdentifier{ModelNumbers: []string{in.Clinical.UDIDI}}
	names := make([]string, 0, len(r.ImageHashes))
	for n := range r.ImageHashes {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		ident.Hashes = append(ident.Hashes, csafFileHash{Filename: n, FileHashes: []csafHashItem{{Algorithm: "sha256", Value: r.ImageHashes[n]}}})
	}
	product := &csafProduct{Name: fmt.Sprintf("%s %s %s", in.Manufacturer, in.Product, in.Version), ProductID: in.productID(), Identifier: ident}
	return &csafProductTree{Branches: []csafBranch{{Category: "vendor", Name: in.Manufacturer, Branches: []csafBranch{
		{Category: "product_name", Name: in.Product, Branches: []csafBranch{
			{Category: "product_version", Name: in.Version, Product: product},
		}},
	}}}}
}

func csafVuln(in *Inputs, v vulnerability) csafVulnerability {
	pid := []string{in.productID()}
	out := csafVulnerability{Title: v.Entries[0].Description}
	for _, id := range append([]string{v.ID}, v.Aliases...) {
		if out.CVE == "" && cvePattern.MatchString(id) {
			out.CVE = id
			continue
		}
		out.IDs = append(out.IDs, csafID{SystemName: idSystem(id), Text: id})
	}
	if d := v.Entries[0].Description; d != "" {
		out.Notes = []csafNote{{Category: "description", Text: d}}
	}
	out.Notes = append(out.Notes, csafNote{Category: "details", Title: "Assessment", Text: assessment(v)})
	switch groupStatus(v) {
	case statusFixed:
		out.ProductStatus.Fixed = pid
		out.Remediations = []csafRemediation{{Category: "vendor_fix", Details: fmt.Sprintf("Fixed in %s %s: install this update.", in.Product, in.Version), ProductIDs: pid}}
	case statusAffected:
		out.ProductStatus.KnownAffected = pid
		e := firstWith(v, "exploitable")
		out.Remediations = []csafRemediation{{Category: remediationCategory(e.Responses), Details: orDefault(e.Detail, "No remediation is available yet."), ProductIDs: pid}}
	case statusInvestigating:
		out.ProductStatus.UnderInvestigation = pid
	default:
		out.ProductStatus.KnownNotAffected = pid
		if l := notAffectedLabel(v); l != "" {
			out.Flags = []csafFlag{{Label: l, ProductIDs: pid}}
		}
		out.Threats = []csafThreat{{Category: "impact", Details: assessment(v), ProductIDs: pid}}
	}
	if s := cvssScore(v); s != nil {
		out.Scores = []csafScore{{CVSSv3: s, Products: pid}}
	}
	for _, u := range v.Entries[0].Advisories {
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			out.References = append(out.References, csafReference{Category: "external", Summary: "Advisory", URL: u})
		}
	}
	return out
}

// assessment says, per component, what the triage decided and why.
func assessment(v vulnerability) string {
	var lines []string
	for _, e := range v.Entries {
		s := fmt.Sprintf("%s: %s", e.Component.label(), e.State)
		if e.Justification != "" {
			s += " (" + e.Justification + ")"
		}
		if e.Detail != "" {
			s += ": " + e.Detail
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n")
}

func firstWith(v vulnerability, state string) finding {
	for _, e := range v.Entries {
		if e.State == state {
			return e
		}
	}
	return v.Entries[0]
}

// notAffectedLabel picks one flag for the product: CSAF allows a product
// in only one VEX-justification flag per vulnerability (§6.1.33).
func notAffectedLabel(v vulnerability) string {
	for _, e := range v.Entries {
		if l := flagLabel(e.State, e.Justification); l != "" {
			return l
		}
	}
	return ""
}

func cvssScore(v vulnerability) *csafCVSS3 {
	for _, e := range v.Entries {
		for _, ver := range []string{"3.1", "3.0"} {
			if strings.HasPrefix(e.Vector, "CVSS:"+ver+"/") && e.Score > 0 {
				return &csafCVSS3{Version: ver, VectorString: e.Vector, BaseScore: e.Score, BaseSeverity: cvssSeverity(e.Score)}
			}
		}
	}
	return nil
}

// aggregateSeverity is the highest severity among vulnerabilities that
// affected the product or still do; not-affected ones do not count.
func aggregateSeverity(r *release) string {
	order := []string{"none", "low", "medium", "high", "critical", "unknown"}
	best := -1
	for _, v := range r.Vulns {
		if groupStatus(v) == statusNotAffected {
			continue
		}
		for _, e := range v.Entries {
			if i := slices.Index(order, e.Severity); i > best {
				best = i
			}
		}
	}
	if best < 0 {
		return ""
	}
	return order[best]
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}
