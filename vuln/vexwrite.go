package vuln

import (
	"errors"
	"fmt"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// The VEX writer emits exactly the fields vexEntry and linker set, in
// cyclonedx-go's field order; checkVEXEntry refuses anything else, so a
// field added to vexEntry cannot be dropped silently. Component copies
// carry the SBOM component's bom-ref, type, group, name, version and purl
// (linker.ref).

func writeProperty(j *jsonWriter, name, value string) {
	j.item()
	j.str("name", name)
	j.str("value", value)
	j.close('}')
}

func writeSource(j *jsonWriter, s *cdx.Source) {
	j.obj("source")
	j.strOmit("name", s.Name)
	j.strOmit("url", s.URL)
	j.close('}')
}

func writeComponent(j *jsonWriter, c *cdx.Component) {
	j.item()
	j.strOmit("bom-ref", c.BOMRef)
	j.str("type", string(c.Type))
	j.strOmit("group", c.Group)
	j.str("name", c.Name)
	j.strOmit("version", c.Version)
	j.strOmit("purl", c.PackageURL)
	j.close('}')
}

func writeVulnerability(j *jsonWriter, v *cdx.Vulnerability) {
	j.item()
	j.strOmit("bom-ref", v.BOMRef)
	j.str("id", v.ID)
	if v.Source != nil {
		writeSource(j, v.Source)
	}
	if v.References != nil {
		j.arr("references")
		for _, r := range *v.References {
			j.item()
			j.strOmit("id", r.ID)
			if r.Source != nil {
				writeSource(j, r.Source)
			}
			j.close('}')
		}
		j.close(']')
	}
	if v.Ratings != nil {
		j.arr("ratings")
		for _, r := range *v.Ratings {
			j.item()
			if r.Score != nil {
				j.float("score", *r.Score)
			}
			j.strOmit("severity", string(r.Severity))
			j.strOmit("method", string(r.Method))
			j.strOmit("vector", r.Vector)
			j.close('}')
		}
		j.close(']')
	}
	j.strOmit("description", v.Description)
	j.strOmit("recommendation", v.Recommendation)
	if v.Advisories != nil {
		j.arr("advisories")
		for _, a := range *v.Advisories {
			j.item()
			j.str("url", a.URL)
			j.close('}')
		}
		j.close(']')
	}
	if a := v.Analysis; a != nil {
		j.obj("analysis")
		j.strOmit("state", string(a.State))
		j.strOmit("justification", string(a.Justification))
		if a.Response != nil {
			j.arr("response")
			for _, r := range *a.Response {
				j.elem()
				j.b = appendJSONString(j.b, string(r))
			}
			j.close(']')
		}
		j.strOmit("detail", a.Detail)
		j.strOmit("firstIssued", a.FirstIssued)
		j.strOmit("lastUpdated", a.LastUpdated)
		j.close('}')
	}
	if v.Affects != nil {
		j.arr("affects")
		for _, af := range *v.Affects {
			j.item()
			j.str("ref", af.Ref)
			if af.Range != nil {
				j.arr("versions")
				for _, r := range *af.Range {
					j.item()
					j.strOmit("version", r.Version)
					j.str("status", string(r.Status))
					j.close('}')
				}
				j.close(']')
			}
			j.close('}')
		}
		j.close(']')
	}
	if v.Properties != nil {
		j.arr("properties")
		for _, p := range *v.Properties {
			writeProperty(j, p.Name, p.Value)
		}
		j.close(']')
	}
	j.close('}')
}

// CycloneDX 1.6 enums the writer's values must come from (bom-1.6.schema.json:
// severity, scoreMethod, impactAnalysisState, impactAnalysisJustification,
// vulnerabilities[].analysis.response, affectedStatus).
var (
	vexSeverities = setOf([]cdx.Severity{"critical", "high", "medium", "low", "info", "none", "unknown"})
	vexMethods    = setOf([]cdx.ScoringMethod{"CVSSv2", "CVSSv3", "CVSSv31", "CVSSv4", "OWASP", "SSVC", "other"})
	vexStatuses   = setOf([]cdx.VulnerabilityStatus{"affected", "unaffected", "unknown"})
)

// checkVEXEntry validates the entry the writer is about to emit against
// the schema rules its values could break: required members, enum values,
// RFC 3339 times, and no field the writer does not write. It replaces
// re-parsing the written document.
func checkVEXEntry(v *cdx.Vulnerability) error {
	if v.ID == "" || v.BOMRef == "" {
		return errors.New("id and bom-ref are required")
	}
	if v.CWEs != nil || v.Detail != "" || v.Workaround != "" || v.ProofOfConcept != nil || v.Created != "" ||
		v.Published != "" || v.Updated != "" || v.Rejected != "" || v.Credits != nil || v.Tools != nil {
		return errors.New("a field the VEX writer does not write is set")
	}
	if v.Ratings != nil {
		for _, r := range *v.Ratings {
			if r.Source != nil || r.Justification != "" {
				return errors.New("a rating field the VEX writer does not write is set")
			}
			if !vexSeverities[r.Severity] || (r.Method != "" && !vexMethods[r.Method]) {
				return fmt.Errorf("rating %q/%q is not a CycloneDX severity and scoring method", r.Severity, r.Method)
			}
			if r.Score != nil && (*r.Score < 0 || *r.Score > 10) {
				return fmt.Errorf("score %v outside 0-10", *r.Score)
			}
		}
	}
	if v.Advisories != nil {
		for _, a := range *v.Advisories {
			if a.URL == "" || a.Title != "" {
				return errors.New("advisory without url, or with a title the writer does not write")
			}
		}
	}
	if a := v.Analysis; a != nil {
		if !validStates[State(a.State)] || (a.Justification != "" && !validJustifications[string(a.Justification)]) {
			return fmt.Errorf("analysis state %q / justification %q not in CycloneDX 1.6", a.State, a.Justification)
		}
		if a.Response != nil {
			for _, r := range *a.Response {
				if !validResponses[string(r)] {
					return fmt.Errorf("response %q not in CycloneDX 1.6", r)
				}
			}
		}
		for _, t := range []string{a.FirstIssued, a.LastUpdated} {
			if _, err := time.Parse(time.RFC3339, t); err != nil {
				return fmt.Errorf("analysis time: %w", err)
			}
		}
	}
	if v.Affects == nil || len(*v.Affects) == 0 {
		return errors.New("affects is required")
	}
	for _, af := range *v.Affects {
		if af.Ref == "" {
			return errors.New("affects ref is empty")
		}
		if af.Range != nil {
			for _, r := range *af.Range {
				if !vexStatuses[r.Status] || r.Range != "" {
					return fmt.Errorf("affected status %q is not a CycloneDX status", r.Status)
				}
			}
		}
	}
	return nil
}
