package main

import (
	"errors"

	"signbox/appliance"
	"signbox/ceremony"
)

// releaseFromRequest verifies release request media under the policy's
// pinned build key, imports it into the workspace's content store (once)
// and turns it into the ceremony's inputs (appliance.ImportRequest).
// Nothing on the media is read before airgap has verified it.
func releaseFromRequest(e *env, w *ceremony.Workspace, media, date string) (ceremony.ReleaseInputs, error) {
	pol, err := w.Policy()
	if err != nil {
		return ceremony.ReleaseInputs{}, err
	}
	st, err := appliance.OpenStore(w.Root())
	if err != nil {
		return ceremony.ReleaseInputs{}, err
	}
	imp, err := appliance.ImportRequest(st, pol, media, e.now())
	switch {
	case errors.Is(err, appliance.ErrIncompleteRequest):
		return ceremony.ReleaseInputs{}, err
	case err != nil:
		return ceremony.ReleaseInputs{}, mediaErr(err)
	}
	return imp.ReleaseInputs(date, nil), nil
}

// releaseGate runs the vulnerability gate for a release plan
// (appliance.RunTriage): the verdict goes into the plan for the
// custodians to see.
func releaseGate(w *ceremony.Workspace, rel ceremony.ReleaseInputs) (*ceremony.GateRecord, error) {
	pol, err := w.Policy()
	if err != nil {
		return nil, err
	}
	t, err := appliance.RunTriage(w.Root(), pol, rel.SBOM, rel.Date)
	if errors.Is(err, appliance.ErrFeed) {
		return nil, withHint(err, "import a current OSV snapshot with `signbox vuln import`")
	}
	if err != nil {
		return nil, err
	}
	return t.Record(), nil
}
