package appliance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"signbox/ceremony"
	"signbox/hsm"
	"signbox/policy"
	"signbox/tui/api"
)

// Engine adapts an Appliance to the TUI's api.Engine. The ceremony date
// is the one the operators confirmed; the TUI passes it with each plan.
type Engine struct {
	A *Appliance
}

var _ api.Engine = Engine{}

// lock serialises engine calls and refuses one whose context is already
// cancelled, so a step the operator walked away from never starts late.
func (e Engine) lock(ctx context.Context) (func(), error) {
	e.A.mu.Lock()
	if err := ctx.Err(); err != nil {
		e.A.mu.Unlock()
		return nil, err
	}
	return e.A.mu.Unlock, nil
}

// hinted is an error with a next step for the operator.
type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() }
func (h hinted) Unwrap() error { return h.err }
func (h hinted) Hint() string  { return h.hint }

func hint(err error, next string) error {
	if err == nil {
		return nil
	}
	return hinted{err: err, hint: next}
}

// Kinds lists the ceremonies the policy has a quorum for.
func (e Engine) Kinds(ctx context.Context) ([]api.CeremonyKind, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p, err := e.A.policy()
	if err != nil {
		return nil, err
	}
	kinds := []struct {
		k       api.Kind
		pk      policy.Kind
		title   string
		summary string
	}{
		{api.KindRelease, policy.KindReleaseSigning, "Release signing", "sign a release request's images and export a release bundle"},
		{api.KindKeyGen, policy.KindKeyGeneration, "Key generation", "create the policy's planned keys inside the HSM"},
		{api.KindRevocation, policy.KindKeyRevocation, "Key revocation", "retire a Secure Boot key slot"},
		{api.KindPolicyChange, policy.KindPolicyChange, "Policy change", "adopt a new policy, approved under the current one"},
	}
	var out []api.CeremonyKind
	for _, k := range kinds {
		ck := api.CeremonyKind{Kind: k.k, Title: k.title, Summary: k.summary, Available: true}
		if r := p.Rule(k.pk); r != nil {
			ck.Quorum = quorumText(r)
		} else {
			ck.Available, ck.Reason = false, "the policy has no quorum for it"
		}
		out = append(out, ck)
	}
	return out, nil
}

func quorumText(r *policy.QuorumRule) string {
	roles := make([]string, len(r.Roles))
	for i, ro := range r.Roles {
		roles[i] = string(ro)
	}
	return fmt.Sprintf("%d approvals from %s", r.Threshold, strings.Join(roles, ", "))
}

// Keys lists the key inventory with each key's state.
func (e Engine) Keys(ctx context.Context) ([]api.Key, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	inv, err := e.A.ws.KeyInventory()
	if err != nil {
		return nil, err
	}
	out := make([]api.Key, 0, len(inv))
	for _, k := range inv {
		purpose := strings.ReplaceAll(k.Purpose, "_", " ")
		if k.Slot >= 0 {
			purpose = fmt.Sprintf("%s slot %d", purpose, k.Slot)
		}
		out = append(out, api.Key{Label: k.Label, Purpose: purpose, Algorithm: string(k.Algorithm),
			Fingerprint: k.Fingerprint, State: string(k.Status)})
	}
	return out, nil
}

// Plan plans a ceremony of any kind.
func (e Engine) Plan(ctx context.Context, req api.PlanRequest) (api.Plan, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Plan{}, err
	}
	defer unlock()
	s, err := e.A.plan(req)
	if err != nil {
		return api.Plan{}, err
	}
	p, err := planView(s)
	if err != nil {
		return api.Plan{}, err
	}
	e.A.addShares(&p.Quorum, s)
	return p, nil
}

func (a *Appliance) plan(req api.PlanRequest) (*ceremony.Session, error) {
	switch req.Kind {
	case api.KindRelease:
		return a.PlanRelease(req.RequestID, req.Date)
	case api.KindKeyGen:
		return a.PlanKeyGeneration(ceremony.KeyGenInputs{Date: req.Date})
	case api.KindRevocation:
		slot, serr := a.slotOf(req.KeyLabel)
		if serr != nil {
			return nil, serr
		}
		return a.PlanRevocation(ceremony.RevocationInputs{Date: req.Date, Slot: slot, Reason: "retired in a revocation ceremony"})
	case api.KindPolicyChange:
		return a.PlanPolicyChange(ceremony.PolicyChangeInputs{Date: req.Date, NewPolicy: req.RequestID})
	}
	return nil, fmt.Errorf("unknown ceremony kind %q", req.Kind)
}

func (a *Appliance) slotOf(label string) (int, error) {
	inv, err := a.ws.KeyInventory()
	if err != nil {
		return 0, err
	}
	for _, k := range inv {
		if k.Label == label && k.Purpose == "secure_boot" {
			return k.Slot, nil
		}
	}
	return 0, fmt.Errorf("%q is not a Secure Boot key in the policy", label)
}

func planView(s *ceremony.Session) (api.Plan, error) {
	sm := s.Summary()
	prog, err := s.Progress()
	if err != nil {
		return api.Plan{}, err
	}
	d := s.Digest()
	return api.Plan{
		ID: s.ID(), Kind: kindOf(s.Plan().Kind), Digest: strings.TrimPrefix(d.String(), "sha256:"),
		Words: d.Words(), Lines: planLines(sm), Sections: planSections(sm.Sections), Irreversible: irreversible(s.Plan()), Quorum: quorumOf(prog),
	}, nil
}

// planSections is every leaf of the canonical plan (ceremony.Plan.Rows)
// for the plan pages, with list entries headed and relaxations and open
// findings marked.
func planSections(secs []ceremony.Section) []api.PlanSection {
	out := make([]api.PlanSection, 0, len(secs))
	for _, sec := range secs {
		ps := api.PlanSection{Title: sec.Title}
		for _, r := range sec.Rows {
			ps.Rows = append(ps.Rows, api.PlanRow{Path: r.Path, Item: itemHeading(r.Item), Label: r.Label, Value: r.Value, Warn: warnRow(r)})
		}
		out = append(out, ps)
	}
	return out
}

// itemHeading names a list entry: "release.images[1]" is "images #2".
func itemHeading(item string) string {
	if item == "" {
		return ""
	}
	last := item[strings.LastIndexByte(item, '.')+1:]
	name, idx, ok := strings.Cut(strings.TrimSuffix(last, "]"), "[")
	n, err := strconv.Atoi(idx)
	if !ok || err != nil {
		return last
	}
	return fmt.Sprintf("%s #%d", strings.ReplaceAll(name, "_", " "), n+1)
}

func warnRow(r ceremony.Row) bool {
	switch {
	case strings.HasSuffix(r.Path, ".relaxes"), strings.HasSuffix(r.Path, ".blocking") && strings.Contains(r.Path, "findings["):
		return true
	case strings.HasSuffix(r.Path, ".state") && strings.Contains(r.Path, "findings["):
		return r.Value == "exploitable" || r.Value == "in_triage" || r.Value == ""
	}
	return false
}

// planLines is everything the digest binds, as `signbox ceremony show`
// prints it: the custodians approve the date, the policy and each input's
// hash too, not only what the ceremony does.
func planLines(sm ceremony.Summary) []string {
	lines := append([]string{"ceremony " + sm.ID + " on " + sm.Date, "policy " + sm.Policy}, sm.Lines...)
	for _, in := range sm.Inputs {
		lines = append(lines, fmt.Sprintf("input %s %d bytes %s", in.Name, in.Size, in.SHA256))
	}
	return lines
}

func kindOf(k policy.Kind) api.Kind {
	switch k {
	case policy.KindReleaseSigning:
		return api.KindRelease
	case policy.KindKeyGeneration:
		return api.KindKeyGen
	case policy.KindKeyRevocation:
		return api.KindRevocation
	}
	return api.KindPolicyChange
}

func irreversible(p ceremony.Plan) []string {
	switch p.Kind {
	case policy.KindReleaseSigning:
		rp := p.Release
		return []string{
			fmt.Sprintf("%s security version becomes %d: no later release may go below it", rp.Product, rp.SecurityVersion.New),
			"devices that confirm this image burn their anti-rollback eFuse to it",
		}
	case policy.KindKeyGeneration:
		return []string{"keys are created inside the HSM and cannot be exported"}
	case policy.KindKeyRevocation:
		return []string{"the slot is retired for every later release; devices burn its revoke bit"}
	}
	return []string{"the new policy replaces the current one for every later ceremony"}
}

func quorumOf(p ceremony.Progress) api.Quorum {
	q := api.Quorum{Have: len(p.Approved), Need: p.Threshold}
	for _, a := range p.Approved {
		q.Approvers = append(q.Approvers, a.Custodian)
	}
	return q
}

// Custodians lists who may approve, with the tokens that are plugged in
// (a custodian's token carries their policy name as its label).
func (e Engine) Custodians(ctx context.Context, planID string) ([]api.Custodian, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s, err := e.A.session(planID)
	if err != nil {
		return nil, err
	}
	prog, err := s.Progress()
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, a := range prog.Approved {
		done[a.Custodian] = true
	}
	tokens, err := hsm.ListTokens(e.A.cfg.Module)
	if err != nil {
		return nil, err
	}
	rule := s.Policy().Rule(s.Plan().Kind)
	var out []api.Custodian
	for _, c := range s.Policy().Custodians {
		if rule == nil || !rule.Allows(c.Role) {
			continue
		}
		ac := api.Custodian{Name: c.Name, Role: string(c.Role), Approved: done[c.Name],
			ShareNeeded: e.A.shareNeeded(planID, c.Name, done[c.Name])}
		for _, t := range tokens {
			if t.Label == c.Name {
				ac.Tokens = append(ac.Tokens, api.Token{ID: t.URI, Label: t.Label, Serial: t.Serial})
			}
		}
		out = append(out, ac)
	}
	return out, nil
}

// Approve signs the plan digest with the custodian's token. The PIN is
// copied once into the login call and the copy wiped afterwards.
func (e Engine) Approve(ctx context.Context, planID, custodian, tokenID string, pin []byte) (api.Quorum, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Quorum{}, err
	}
	defer unlock()
	own := append([]byte(nil), pin...)
	defer clear(own)
	pinFn := func() ([]byte, error) { return append([]byte(nil), own...), nil }
	var prog ceremony.Progress
	if e.A.signedAwaitingShare(planID, custodian) {
		// Signed before a restart, not exported: approvals are closed and
		// the approving custodians present their shares for the export.
		prog, err = e.A.PresentShare(planID, custodian, tokenID, pinFn)
	} else {
		prog, err = e.A.Approve(planID, custodian, tokenID, pinFn)
		if errors.Is(err, ceremony.ErrDuplicateApproval) && e.A.needsShare(planID, custodian) {
			// Approved in an earlier session (before a restart): the approval
			// stands and the custodian's token presents the share again.
			prog, err = e.A.PresentShare(planID, custodian, tokenID, pinFn)
		}
	}
	if err != nil {
		return api.Quorum{}, e.A.approveError(err, custodian, tokenID)
	}
	q := quorumOf(prog)
	if s, serr := e.A.session(planID); serr == nil {
		e.A.addShares(&q, s)
	}
	return q, nil
}

// Execute runs the irreversible step, reporting progress.
func (e Engine) Execute(ctx context.Context, planID string, progress chan<- api.Progress) (api.Outcome, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Outcome{}, err
	}
	defer unlock()
	send := func(step string, done, total int) {
		if progress == nil {
			return
		}
		select {
		case progress <- api.Progress{Step: step, Done: done, Total: total}:
		case <-ctx.Done():
		}
	}
	outs, err := e.A.Execute(planID, send)
	if err != nil {
		return api.Outcome{}, hint(err, "nothing was exported; read the error, then abort the ceremony or fix the cause and run it again")
	}
	var o api.Outcome
	for _, in := range outs {
		o.Lines = append(o.Lines, fmt.Sprintf("%s  %d bytes  %s", in.Name, in.Size, in.SHA256))
		if fp := e.A.keyFingerprint(planID, in.Name); fp != "" {
			o.Lines = append(o.Lines, strings.TrimSuffix(in.Name, ".pub.pem")+" key fingerprint "+fp)
		}
	}
	return o, nil
}

// keyFingerprint is the policy fingerprint (SHA-256 of the SPKI) of a
// public key the ceremony wrote, which differs from the PEM file's hash
// shown beside it; "" for any other output.
func (a *Appliance) keyFingerprint(planID, name string) string {
	if !strings.HasSuffix(name, ".pub.pem") {
		return ""
	}
	s, err := a.session(planID)
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(s.OutputPath(name))
	if err != nil {
		return ""
	}
	pub, err := policy.ParsePublicKeyPEM(string(b))
	if err != nil {
		return ""
	}
	fp, err := policy.Fingerprint(pub)
	if err != nil {
		return ""
	}
	return fp
}

// Verify lists the independent checks of the outputs.
func (e Engine) Verify(ctx context.Context, planID string) ([]api.Check, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	checks, err := e.A.VerifyOutputs(planID)
	if err != nil {
		return []api.Check{{Name: "verify outputs", OK: false, Detail: err.Error()}}, err
	}
	out := make([]api.Check, 0, len(checks))
	for _, c := range checks {
		out = append(out, api.Check{Name: c, OK: true})
	}
	return out, nil
}

// Export closes the ceremony and writes its outputs to media.
func (e Engine) Export(ctx context.Context, planID, mediaPath string) (api.Export, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Export{}, err
	}
	defer unlock()
	x, err := e.A.Export(planID, mediaPath)
	if err != nil {
		return api.Export{}, hint(err, "the ceremony stays signed and verified; fix the media and export again")
	}
	out := api.Export{BundlePath: x.BundlePath, BundleDigest: x.BundleDigest, Files: x.Files, Checkpoint: string(x.Checkpoint)}
	if d, err := ceremony.ParseDigest("sha256:" + x.BundleDigest); err == nil {
		out.Words = d.Words()
	}
	return out, nil
}

// Abort records that the ceremony was abandoned.
func (e Engine) Abort(ctx context.Context, planID, reason string) error {
	e.A.mu.Lock() // an abort must run even when the operator has cancelled
	defer e.A.mu.Unlock()
	return e.A.Abort(planID, reason)
}
