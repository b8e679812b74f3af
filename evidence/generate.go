package evidence

import (
	"fmt"
	"slices"
	"strings"
)

// Generate writes the hospital and regulator documents for one release,
// keyed by bundle path (see Documents). It refuses inputs without a
// clinical block (ErrNoClinical) and names every missing or inconsistent
// field (ErrInputs). The output depends only on the inputs.
func Generate(in Inputs) (map[string][]byte, error) {
	if err := in.validate(); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	rel, err := parseRelease(in.SBOM, in.VEX)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	if problems, _ := fdaSBOM(rel); len(problems) > 0 {
		return nil, fmt.Errorf("evidence: %w: %s: %s", ErrInputs, SBOMName, strings.Join(problems, "; "))
	}
	all := append(slices.Clone(in.Files), ManifestName)
	all = append(all, in.documents()...)
	rs, err := rows(all)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w: %w", ErrInputs, err)
	}
	out := map[string][]byte{NoticeName: buildNotice(&in, rel)}
	if out[in.advisoryPath()], err = buildAdvisory(&in, rel); err != nil {
		return nil, err
	}
	if out[RolloutName], err = buildRollout(&in); err != nil {
		return nil, err
	}
	if out[PackName], err = buildPack(&in, rs); err != nil {
		return nil, err
	}
	p, err := ParsePack(out[PackName])
	if err != nil {
		return nil, fmt.Errorf("evidence: read back: %w", err)
	}
	out[TableName] = renderTable(p)
	return out, nil
}
