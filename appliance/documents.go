package appliance

import (
	"errors"
	"os"

	"signbox/airgap"
	"signbox/bundle"
	"signbox/ceremony"
	"signbox/evidence"
)

// addDocuments generates what hospitals and regulators receive (CSAF
// advisory, update notice, rollout plan, evidence pack) when the release
// request carries its clinical block, and adds them to the bundle so the
// signed manifest covers them. A request without the block gets a bundle
// without them; one with the block but a policy that does not name the
// manufacturer is refused, since an advisory needs a publisher.
func addDocuments(s *ceremony.Session, c *bundle.Contents, previous string) error {
	reqPath, ok := s.InputPath("request.json")
	if !ok {
		return nil
	}
	raw, err := os.ReadFile(reqPath)
	if err != nil {
		return err
	}
	req, err := airgap.ParseRequest(raw)
	if err != nil {
		return err
	}
	if req.Clinical == nil {
		return nil
	}
	m := s.Policy().Manufacturer
	if m == nil {
		return errors.New("the release request has a clinical block but the policy names no manufacturer (manufacturer.name, manufacturer.namespace) to publish the advisory")
	}
	paths, err := c.Paths()
	if err != nil {
		return err
	}
	plan := s.Plan()
	var old uint32 // a first release replaces nothing
	if plan.Release.SecurityVersion.Old != nil {
		old = *plan.Release.SecurityVersion.Old
	}
	docs, err := evidence.Generate(evidence.Inputs{
		Product: c.Product, Version: c.Version, Chip: c.Chip, Manufacturer: m.Name, Namespace: m.Namespace,
		Clinical: req.Clinical, PreviousVersion: previous,
		SecurityVersion: evidence.Versions{Old: old, New: plan.Release.SecurityVersion.New},
		CeremonyDate:    c.CeremonyDate, PlanDigest: c.PlanDigest, SBOM: c.SBOM, VEX: c.VEX, Files: paths,
	})
	if err != nil {
		return err
	}
	for _, name := range evidence.Documents(c.Product, c.Version, c.SecurityVersion) {
		c.Documents = append(c.Documents, bundle.NamedFile{Name: name, Data: docs[name]})
	}
	return nil
}
