package evidence

import (
	"fmt"
	"slices"
	"strings"
)

// rowDef is a row as signbox defines it: file patterns (an exact path, or
// a directory ending in "/" meaning every file under it, at least one)
// and the check that runs over them.
type rowDef struct {
	Row
	patterns []string
	check    func(*checkCtx) (string, error)
}

// rowDefs is the traceability model. The FDA items follow "Cybersecurity
// in Medical Devices: Quality System Considerations and Content of
// Premarket Submissions" (final 2023, re-issued 27 Jun 2025); the IEC
// clauses IEC 81001-5-1:2021 as summarised in design/device-and-audit.md
// part C.
func rowDefs() []rowDef {
	return []rowDef{
		{Row{ID: "FDA-SBOM", Source: "FDA premarket guidance: SBOM",
			Requirement: "Machine-readable SBOM with the NTIA minimum elements; every component with its supplier, support level and end-of-support date",
			Check: "SBOM parses; metadata names manufacturer, supplier, authors, tools and time; every component names its supplier and has a support level and, " +
				"unless unknown, an end-of-support date (unknown levels are reported); the firmware's image digests match the signed images",
			Command: "signbox sbom check sbom.cdx.json"},
			[]string{SBOMName, imagesDir}, checkSBOM},
		{Row{ID: "FDA-VULN", Source: "FDA premarket guidance: vulnerability assessment",
			Requirement: "Known vulnerabilities of SBOM components assessed, each with a disposition",
			Check:       "every VEX finding names an SBOM component and has a triage state; the CSAF advisory states each with the same status",
			Command:     "signbox vuln scan sbom.cdx.json --workspace WS"},
			[]string{VEXName, SBOMName, AdvisoryDir}, checkVuln},
		{Row{ID: "FDA-LOG", Source: "FDA premarket guidance, Appendix 1: event detection and logging",
			Requirement: "Security-relevant events recorded, timed and kept for forensic review",
			Check:       "ceremony transcript matches the signed plan digest and date, approvals are present, the audit checkpoint is a well-formed signed note",
			Command:     "signbox audit verify --vkey VKEY AUDIT_EXPORT"},
			[]string{TranscriptName, approvalsDir, CheckpointName}, checkLog},
		{Row{ID: "FDA-INTEGRITY", Source: "FDA premarket guidance, Appendix 1: code, data and execution integrity",
			Requirement: "Update integrity and authenticity verified before install",
			Check:       "manifest signature, every file's SHA-256 and size, every image's Secure Boot V2 signature and key digest",
			Command:     "signbox bundle verify BUNDLE --release-key PUB"},
			[]string{ManifestName, imagesDir, keysDir}, checkIntegrity},
		{Row{ID: "FDA-ANTIROLLBACK", Source: "FDA premarket guidance, Appendix 1: updatability and patchability",
			Requirement: "Devices refuse downgrades to firmware with known vulnerabilities",
			Check:       "the app's secure_version equals the signed security version, which does not go below the previous release's",
			Command:     "signbox bundle verify BUNDLE --release-key PUB --min-security-version N"},
			[]string{ManifestName, imagesDir, RolloutName, PackName}, checkAntiRollback},
		{Row{ID: "IEC81001-5.7", Source: "IEC 81001-5-1:2021 5.7: security verification",
			Requirement: "Known-vulnerability scan of the release, each finding dispositioned",
			Check:       "the VEX records the feed and decisions digests; no finding is left in triage; not-affected findings say why",
			Command:     "signbox vuln scan sbom.cdx.json --workspace WS"},
			[]string{VEXName}, checkVerification},
		{Row{ID: "IEC81001-6.1", Source: "IEC 81001-5-1:2021 6.1: software maintenance",
			Requirement: "Security updates planned and communicated to users with the information to apply them",
			Check:       "the notice has every section; the rollout plan and advisory name this product, version and UDI-DI",
			Command:     "signbox evidence check BUNDLE --release-key PUB"},
			[]string{NoticeName, RolloutName, AdvisoryDir}, checkMaintenance},
		{Row{ID: "IEC81001-6.3.3", Source: "IEC 81001-5-1:2021 6.3.3: security update integrity",
			Requirement: "Each update supports verification of its integrity",
			Check:       "every bundle file, documents included, is covered by the signed manifest",
			Command:     "signbox bundle verify BUNDLE --release-key PUB"},
			[]string{ManifestName, AdvisoryDir, NoticeName, RolloutName, PackName, TableName}, checkUpdateIntegrity},
	}
}

// expand resolves a row's patterns against the bundle's file list.
func (d rowDef) expand(files []string) ([]string, error) {
	var out []string
	for _, p := range d.patterns {
		if !strings.HasSuffix(p, "/") {
			if !slices.Contains(files, p) {
				return nil, fmt.Errorf("%s: no file %s", d.ID, p)
			}
			out = append(out, p)
			continue
		}
		n := len(out)
		for _, f := range files {
			if strings.HasPrefix(f, p) {
				out = append(out, f)
			}
		}
		if len(out) == n {
			return nil, fmt.Errorf("%s: no file under %s", d.ID, p)
		}
	}
	return out, nil
}

// rows expands every row definition against files.
func rows(files []string) ([]Row, error) {
	files = slices.Sorted(slices.Values(files))
	var out []Row
	for _, d := range rowDefs() {
		fs, err := d.expand(files)
		if err != nil {
			return nil, err
		}
		r := d.Row
		r.Files = fs
		out = append(out, r)
	}
	return out, nil
}

// renderTable writes EVIDENCE.md from the pack, so the readable table can
// never say something evidence.json does not.
func renderTable(p *Pack) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Evidence: %s %s\n\n", p.Product, p.Version)
	fmt.Fprintf(&b, "UDI-DI %s · MDS2 form %s · security version %d → %d · ceremony %s · plan `%s`\n\n",
		cell(p.UDIDI), cell(p.MDS2), p.SecurityVersion.Old, p.SecurityVersion.New, p.CeremonyDate, p.PlanDigest)
	b.WriteString("Run every check with `signbox evidence check BUNDLE --release-key PUB`: it verifies the bundle first, then each row.\n\n")
	b.WriteString("| ID | Source | Requirement | Files | Checked by signbox | Command |\n|---|---|---|---|---|---|\n")
	for _, r := range p.Rows {
		files := make([]string, len(r.Files))
		for i, f := range r.Files {
			files[i] = "`" + f + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | `%s` |\n", r.ID, cell(r.Source), cell(r.Requirement),
			strings.Join(files, "<br>"), cell(r.Check), r.Command)
	}
	return []byte(b.String())
}

// RowIDs lists the traceability rows Check runs after the pack row, in
// order.
func RowIDs() []string {
	var ids []string
	for _, d := range rowDefs() {
		ids = append(ids, d.ID)
	}
	return ids
}
