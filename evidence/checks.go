package evidence

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"signbox/airgap/strictjson"
	"signbox/bundle"
	"signbox/sbom"
)

func checkVuln(c *checkCtx) (string, error) {
	if c.relErr != nil {
		return "", c.relErr
	}
	if c.vexErr != nil {
		return "", c.vexErr
	}
	inSBOM := map[string]bool{}
	for _, comp := range c.rel.Components {
		inSBOM[comp.PURL] = comp.PURL != ""
		inSBOM[comp.Name+"@"+comp.Version] = true
	}
	counts := map[string]int{}
	for _, v := range c.vulns {
		for _, e := range v.Entries {
			if !inSBOM[e.Component.PURL] && !inSBOM[e.Component.Name+"@"+e.Component.Version] {
				return "", fmt.Errorf("%s: %s names %s, which is not in %s", VEXName, v.ID, e.Component.label(), SBOMName)
			}
		}
		counts[groupStatus(v)]++
	}
	adv, err := c.advisory()
	if err != nil {
		return "", err
	}
	if err := advisoryAgrees(adv, c.vulns); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d vulnerabilities: %d fixed, %d not affected, %d affected, %d under investigation; advisory agrees",
		len(c.vulns), counts[statusFixed], counts[statusNotAffected], counts[statusAffected], counts[statusInvestigating]), nil
}

func (c *checkCtx) advisory() (*csafDoc, error) {
	m := c.res.Manifest
	p := AdvisoryPath(m.Product, m.Version, m.SecurityVersion)
	b, err := c.file(p)
	if err != nil {
		return nil, err
	}
	d := csafDoc{path: p}
	if err := strictjson.Decode(b, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if d.Document.CSAFVersion != "2.0" {
		return nil, fmt.Errorf("%s: csaf_version %q, want 2.0", p, d.Document.CSAFVersion)
	}
	if err := d.publishingProblems(); err != nil {
		return nil, err
	}
	return &d, nil
}

// advisoryAgrees: one CSAF vulnerability per VEX ID, with the status the
// VEX decisions imply.
func advisoryAgrees(d *csafDoc, vulns []vulnerability) error {
	if len(d.Vulnerabilities) != len(vulns) {
		return fmt.Errorf("%s lists %d vulnerabilities, %s %d", d.path, len(d.Vulnerabilities), VEXName, len(vulns))
	}
	for _, v := range vulns {
		i := slices.IndexFunc(d.Vulnerabilities, func(cv csafVulnerability) bool { return csafNames(cv, v.ID) })
		if i < 0 {
			return fmt.Errorf("%s does not list %s", d.path, v.ID)
		}
		if got, want := csafStatus(d.Vulnerabilities[i].ProductStatus), groupStatus(v); got != want {
			return fmt.Errorf("%s: %s is %s, the VEX says %s", d.path, v.ID, got, want)
		}
	}
	return nil
}

func csafNames(cv csafVulnerability, id string) bool {
	return cv.CVE == id || slices.ContainsFunc(cv.IDs, func(x csafID) bool { return x.Text == id })
}

func csafStatus(s csafProductStatus) string {
	switch {
	case len(s.KnownAffected) > 0:
		return statusAffected
	case len(s.UnderInvestigation) > 0:
		return statusInvestigating
	case len(s.Fixed) > 0:
		return statusFixed
	case len(s.KnownNotAffected) > 0:
		return statusNotAffected
	}
	return "none"
}

// transcript is the part of ceremony's transcript.json this check reads.
type transcript struct {
	Format     string            `json:"format"`
	ID         string            `json:"id"`
	Date       string            `json:"date"`
	PlanDigest string            `json:"plan_digest"`
	Approvals  []json.RawMessage `json:"approvals"`
}

const transcriptFormat = "signbox-ceremony-transcript/v1"

func checkLog(c *checkCtx) (string, error) {
	b, _ := c.file(TranscriptName)
	var t transcript
	if err := json.Unmarshal(b, &t); err != nil {
		return "", fmt.Errorf("%s: %w", TranscriptName, err)
	}
	m := c.res.Manifest
	switch {
	case t.Format != transcriptFormat:
		return "", fmt.Errorf("%s: format %q, want %q", TranscriptName, t.Format, transcriptFormat)
	case t.PlanDigest != m.PlanDigest:
		return "", fmt.Errorf("%s: plan digest %s, the manifest says %s", TranscriptName, t.PlanDigest, m.PlanDigest)
	case t.Date != m.CeremonyDate:
		return "", fmt.Errorf("%s: date %s, the manifest says %s", TranscriptName, t.Date, m.CeremonyDate)
	case len(t.Approvals) == 0:
		return "", fmt.Errorf("%s: no approvals", TranscriptName)
	}
	cp, _ := c.file(CheckpointName)
	origin, size, err := parseCheckpoint(cp)
	if err != nil {
		return "", fmt.Errorf("%s: %w", CheckpointName, err)
	}
	return fmt.Sprintf("ceremony %s with %d approvals; audit checkpoint %s at size %d (verify its signature with the audit key)",
		t.ID, len(t.Approvals), origin, size), nil
}

func checkIntegrity(c *checkCtx) (string, error) {
	m := c.res.Manifest
	if c.res.Files != len(m.Files) || len(c.res.Images) != len(m.Images) {
		return "", fmt.Errorf("bundle verification covered %d of %d files and %d of %d images", c.res.Files, len(m.Files), len(c.res.Images), len(m.Images))
	}
	var ims []string
	for _, im := range c.res.Images {
		ims = append(ims, fmt.Sprintf("%s slot %d", path.Base(im.Path), im.Slot))
	}
	return fmt.Sprintf("manifest signature by %s; %d files by SHA-256; Secure Boot V2: %s", c.res.ReleaseKeyID, c.res.Files, strings.Join(ims, ", ")), nil
}

func checkAntiRollback(c *checkCtx) (string, error) {
	m := c.res.Manifest
	i := slices.IndexFunc(c.res.Images, func(im bundle.ImageResult) bool { return im.Role == "app" })
	if i < 0 {
		return "", fmt.Errorf("no verified app image")
	}
	if sv := c.res.Images[i].SecureVersion; sv != m.SecurityVersion {
		return "", fmt.Errorf("app secure_version %d, the manifest says %d", sv, m.SecurityVersion)
	}
	b, _ := c.file(RolloutName)
	plan, err := ParseRollout(b)
	if err != nil {
		return "", err
	}
	for _, v := range []struct {
		name string
		got  Versions
	}{{RolloutName, plan.SecurityVersion}, {PackName, c.pack.SecurityVersion}} {
		if v.got.New != m.SecurityVersion || v.got.Old > v.got.New {
			return "", fmt.Errorf("%s: security version %d → %d, the manifest says %d", v.name, v.got.Old, v.got.New, m.SecurityVersion)
		}
	}
	sv := c.pack.SecurityVersion
	if sv.New == sv.Old {
		return fmt.Sprintf("security version kept at %d (not raised); app secure_version %d", sv.New, m.SecurityVersion), nil
	}
	return fmt.Sprintf("security version raised %d → %d; app secure_version %d", sv.Old, sv.New, m.SecurityVersion), nil
}

func checkVerification(c *checkCtx) (string, error) {
	if c.vexErr != nil {
		return "", c.vexErr
	}
	b, _ := c.file(VEXName)
	props, err := vexProperties(b)
	if err != nil {
		return "", err
	}
	for _, p := range []string{"signbox:feed-digest", "signbox:decisions-digest"} {
		if props[p] == "" {
			return "", fmt.Errorf("%s: metadata property %s missing: the scan is not traceable to its feed and decisions", VEXName, p)
		}
	}
	n := 0
	for _, v := range c.vulns {
		for _, e := range v.Entries {
			n++
			switch {
			case e.State == "in_triage":
				return "", fmt.Errorf("%s: %s on %s is still in triage", VEXName, v.ID, e.Component.label())
			case e.State == "not_affected" && e.Justification == "":
				return "", fmt.Errorf("%s: %s on %s is not_affected without a justification", VEXName, v.ID, e.Component.label())
			case e.State == "false_positive" && e.Detail == "":
				return "", fmt.Errorf("%s: %s on %s is a false_positive without detail", VEXName, v.ID, e.Component.label())
			}
		}
	}
	return fmt.Sprintf("feed %s; decisions %s; %d findings, each dispositioned", props["signbox:feed-digest"], props["signbox:decisions-digest"], n), nil
}

func vexProperties(b []byte) (map[string]string, error) {
	v, err := sbom.Parse(b, sbom.FormatJSON)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", VEXName, err)
	}
	out := map[string]string{}
	if v.BOM.Metadata != nil {
		for _, p := range deref(v.BOM.Metadata.Properties) {
			out[p.Name] = p.Value
		}
	}
	return out, nil
}

func checkMaintenance(c *checkCtx) (string, error) {
	m := c.res.Manifest
	notice, _ := c.file(NoticeName)
	lines := strings.Split(string(notice), "\n")
	for _, s := range NoticeSections {
		if !slices.Contains(lines, s) {
			return "", fmt.Errorf("%s: section %q missing", NoticeName, s)
		}
	}
	if want := fmt.Sprintf("# %s %s: security update notice", m.Product, m.Version); lines[0] != want {
		return "", fmt.Errorf("%s: title %q, want %q", NoticeName, lines[0], want)
	}
	if !strings.Contains(string(notice), c.pack.UDIDI) {
		return "", fmt.Errorf("%s does not name UDI-DI %s", NoticeName, c.pack.UDIDI)
	}
	b, _ := c.file(RolloutName)
	plan, err := ParseRollout(b)
	if err != nil {
		return "", err
	}
	if plan.Product != m.Product || plan.Version != m.Version || plan.UDIDI != c.pack.UDIDI {
		return "", fmt.Errorf("%s is for %s %s (UDI-DI %s)", RolloutName, plan.Product, plan.Version, plan.UDIDI)
	}
	adv, err := c.advisory()
	if err != nil {
		return "", err
	}
	if err := advisoryNames(adv, m.Product, m.Version, c.pack.UDIDI); err != nil {
		return "", err
	}
	staged := "whole fleet"
	if plan.Staged {
		staged = fmt.Sprintf("%d waves", len(plan.Waves))
	}
	return fmt.Sprintf("notice has %d sections; rollout: %s; advisory %s", len(NoticeSections), staged, adv.Document.Tracking.ID), nil
}

// advisoryNames: the advisory's product (if it has a product tree) is this
// version, identified by the UDI-DI.
func advisoryNames(d *csafDoc, product, version, udi string) error {
	if !strings.Contains(d.Document.Title, product+" "+version) {
		return fmt.Errorf("%s: title %q does not name %s %s", d.path, d.Document.Title, product, version)
	}
	if d.ProductTree == nil {
		return nil
	}
	var found bool
	var visit func(bs []csafBranch)
	visit = func(bs []csafBranch) {
		for _, b := range bs {
			if p := b.Product; p != nil && b.Name == version && p.Identifier != nil && slices.Contains(p.Identifier.ModelNumbers, udi) {
				found = true
			}
			visit(b.Branches)
		}
	}
	visit(d.ProductTree.Branches)
	if !found {
		return fmt.Errorf("%s: no product version %s with UDI-DI %s", d.path, version, udi)
	}
	return nil
}

func checkUpdateIntegrity(c *checkCtx) (string, error) {
	m := c.res.Manifest
	docs := Documents(m.Product, m.Version, m.SecurityVersion)
	for _, d := range docs {
		f, ok := m.File(d)
		if !ok || f.Role != "document" {
			return "", fmt.Errorf("%s is not in the signed manifest as a document", d)
		}
	}
	for _, f := range m.Files {
		if strings.HasPrefix(f.Path, AdvisoryDir) && f.Path != docs[0] {
			return "", fmt.Errorf("%s is not this release's advisory %s", f.Path, docs[0])
		}
	}
	return fmt.Sprintf("all %d files, %d documents included, covered by the manifest signed by %s", len(m.Files), len(docs), c.res.ReleaseKeyID), nil
}

// firstFew joins up to n items and counts the rest, so one error stays
// readable when a large SBOM lacks a field everywhere.
func firstFew(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(items[:n], "; "), len(items)-n)
}
