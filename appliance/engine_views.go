package appliance

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"signbox/airgap"
	"signbox/audit"
	"signbox/audit/hsmkeys"
	"signbox/ceremony"
	"signbox/device/emu"
	"signbox/hsm"
	"signbox/policy"
	"signbox/sbom"
	"signbox/tui/api"
	"signbox/vuln"
)

// Status is the home screen.
func (e Engine) Status(ctx context.Context) (api.Status, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Status{}, err
	}
	defer unlock()
	a := e.A
	p, err := a.policy()
	if err != nil {
		return api.Status{}, err
	}
	st := api.Status{Workspace: a.cfg.Root, PolicyDigest: p.Digest()}
	if r := p.Rule(policy.KindReleaseSigning); r != nil {
		st.PolicyNote = fmt.Sprintf("%s serial %d: release quorum %d of %d", p.Name, p.Serial, r.Threshold, countAllowed(p, r))
	}
	info := a.pub.Info()
	lock := fmt.Sprintf("locked, anchor #%d", a.anchor.Counter)
	if a.quorum != nil {
		lock = "unlocked for " + a.quorum.plan
	}
	st.Tokens = append(st.Tokens, api.TokenStatus{Label: info.Label, Role: "appliance", Present: true, Detail: lock + ", serial " + info.Serial})
	ai := a.aud.Info()
	st.Tokens = append(st.Tokens, api.TokenStatus{Label: ai.Label, Role: "audit", Present: true, Detail: "serial " + ai.Serial + ", operator"})
	present := map[string]hsm.TokenSummary{}
	if toks, err := hsm.ListTokens(a.cfg.Module); err == nil {
		for _, t := range toks {
			present[t.Label] = t
		}
	}
	for _, c := range p.Custodians {
		t, ok := present[c.Name]
		ts := api.TokenStatus{Label: c.Name, Role: string(c.Role), Present: ok}
		if ok {
			ts.Detail = "serial " + t.Serial
		} else {
			ts.Detail = "not plugged in"
		}
		st.Tokens = append(st.Tokens, ts)
	}
	v, err := a.ws.Versions()
	if err != nil {
		return api.Status{}, err
	}
	for _, prod := range p.Products {
		st.Products = append(st.Products, api.ProductVersion{Product: prod.ID, SecurityVersion: int(v.Products[prod.ID].SecurityVersion)})
	}
	if a.log == nil {
		st.AuditVerdict = "no log yet"
		st.Problems = append(st.Problems, "the policy's audit keys are not active: run the key generation ceremony first")
	} else {
		rep, err := a.verifyLog()
		if err != nil {
			return api.Status{}, err
		}
		st.AuditEntries, st.AuditVerdict = int(rep.Entries), verdictText(rep)
	}
	if _, err := os.Stat(filepath.Join(a.feedDir(), "index.json")); err != nil {
		st.Problems = append(st.Problems, "no vulnerability feed imported: import an OSV snapshot with `signbox vuln import`")
	}
	return st, nil
}

func countAllowed(p *policy.Policy, r *policy.QuorumRule) int {
	n := 0
	for _, c := range p.Custodians {
		if r.Allows(c.Role) {
			n++
		}
	}
	return n
}

// verifyLog checks the live log against its own pinned checkpoint key and
// the HSM MAC keys.
func (a *Appliance) verifyLog() (*audit.Report, error) {
	v, err := note.NewVerifier(a.log.VerifierKey())
	if err != nil {
		return nil, err
	}
	p, err := a.policy()
	if err != nil {
		return nil, err
	}
	return audit.Verify(filepath.Join(a.cfg.Root, AuditDirName), audit.VerifyOptions{
		Trusted: v, Keys: hsmkeys.New(a.aud, p.Keys.AuditMAC.Label),
	})
}

func verdictText(r *audit.Report) string {
	switch r.Verdict {
	case audit.OK:
		return "ok"
	case audit.Tampered:
		return fmt.Sprintf("tampered at %d: %s", r.FirstBad, r.Reason)
	}
	return strings.ToLower(r.Verdict.String())
}

// ImportRequest verifies and imports release request media.
func (e Engine) ImportRequest(ctx context.Context, mediaPath string) (api.Request, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Request{}, err
	}
	defer unlock()
	imp, err := e.A.ImportRelease(mediaPath)
	if err != nil {
		// A wrong path is the common case at the console; say so before
		// sending anyone back to the release manager.
		var absent *airgap.AbsentError
		if errors.As(err, &absent) {
			next := "nothing was imported; give the directory on the media that holds request.json (is the media mounted?)"
			if len(absent.Holders) > 0 {
				next = "nothing was imported; give one of the directories named, e.g. " + filepath.Join(mediaPath, absent.Holders[0])
			}
			return api.Request{}, hint(err, next)
		}
		return api.Request{}, hint(err, "nothing was imported; ask the release manager for new media")
	}
	return e.A.requestView(imp)
}

func (a *Appliance) requestView(imp *Imported) (api.Request, error) {
	r := imp.Request
	v, err := a.ws.Versions()
	if err != nil {
		return api.Request{}, err
	}
	out := api.Request{ID: imp.ID, Product: r.Product, Version: r.Version, Chip: r.Chip, SignedBy: imp.SignedBy,
		SecurityVersionOld: int(v.Products[r.Product].SecurityVersion), SecurityVersionNew: int(r.SecurityVersion)}
	for _, im := range r.Images {
		out.Images = append(out.Images, api.Image{Role: im.Role, Name: im.Path, Size: im.Size, SHA256: im.SHA256})
	}
	bom, err := ReadSBOM(imp.SBOM)
	if err != nil {
		return api.Request{}, err
	}
	out.SBOM = api.SBOMSummary{Format: "CycloneDX " + bom.SpecVersion.String(), Components: len(bom.Components) + len(bom.Unscannable),
		WithPURL: countPURL(bom.Components), SHA256: r.SBOM.SHA256}
	for _, u := range bom.Unscannable {
		out.Warnings = append(out.Warnings, fmt.Sprintf("SBOM component %s cannot be checked for vulnerabilities: %s", u.Name, u.Reason))
	}
	if len(out.Warnings) > 5 {
		out.Warnings = append(out.Warnings[:5], fmt.Sprintf("… and %d more unscannable components", len(out.Warnings)-5))
	}
	if out.SecurityVersionNew < out.SecurityVersionOld {
		out.Warnings = append(out.Warnings, "the requested security version is below the last release: policy will refuse it")
	}
	return out, nil
}

// ImportPolicy checks a proposed policy file and names what would change.
func (e Engine) ImportPolicy(ctx context.Context, path string) (api.PolicyChange, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.PolicyChange{}, err
	}
	defer unlock()
	b, err := os.ReadFile(path)
	if err != nil {
		return api.PolicyChange{}, err
	}
	next, err := policy.Parse(b)
	if err != nil {
		return api.PolicyChange{}, hint(err, "fix the proposed policy; the current one stays in force")
	}
	cur, err := e.A.policy()
	if err != nil {
		return api.PolicyChange{}, err
	}
	if err := policy.CheckSuccessor(cur, next); err != nil {
		return api.PolicyChange{}, err
	}
	lines := []string{
		fmt.Sprintf("policy %s serial %d → %s serial %d", cur.Name, cur.Serial, next.Name, next.Serial),
		"current " + cur.Digest(), "proposed " + next.Digest(),
		"approved under the CURRENT policy's quorum",
		"field by field (RELAXES marks a weaker control):",
	}
	for _, c := range ceremony.PolicyDiff(cur, next) {
		lines = append(lines, "  "+c.String())
	}
	return api.PolicyChange{ID: path, Lines: lines}, nil
}

// Triage scans the request's SBOM with the recorded decisions.
func (e Engine) Triage(ctx context.Context, requestID string) (api.Triage, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Triage{}, err
	}
	defer unlock()
	return e.A.triageView(requestID, "")
}

// Decide records one VEX decision and returns the updated triage.
func (e Engine) Decide(ctx context.Context, requestID, findingID string, d api.Decision) (api.Triage, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Triage{}, err
	}
	defer unlock()
	if err := e.A.Decide(requestID, findingID, d); err != nil {
		return api.Triage{}, err
	}
	return e.A.triageView(requestID, "")
}

// Decide records one VEX decision for a finding of an imported request,
// stamped with the operator and Config.Now.
func (a *Appliance) Decide(requestID, findingID string, d api.Decision) error {
	t, err := a.triage(requestID)
	if err != nil {
		return err
	}
	var f *vuln.Finding
	for i := range t.Result.Findings {
		if t.Result.Findings[i].ID == findingID {
			f = &t.Result.Findings[i]
		}
	}
	if f == nil {
		return fmt.Errorf("finding %s is not in this request's scan", findingID)
	}
	// d.By is not read: who typed a decision is the operator at this
	// appliance, and who decides is the quorum that approves the plan
	// binding it (see decisions.go), never a name typed in a form.
	dec := vuln.Decision{Vuln: f.ID, Component: f.Component.Key(), State: vuln.State(d.State), Justification: d.Justification,
		Responses: d.Response, Detail: d.Detail, By: a.cfg.Operator, At: a.cfg.Now().UTC()}
	_, err = a.record(t.Decisions, dec, f)
	return err
}

// triage scans an imported request for the triage screen. Its verdict
// depends on the date only through the feed's age, which the plan step
// checks again with the date the operators confirmed.
func (a *Appliance) triage(requestID string) (*Triage, error) {
	_, t, err := a.triageOn(requestID, a.cfg.Now().UTC().Format("2006-01-02"))
	return t, err
}

// triageOn scans an imported request's SBOM as of date.
func (a *Appliance) triageOn(requestID, date string) (*Imported, *Triage, error) {
	imp, err := a.imported(requestID)
	if err != nil {
		return nil, nil, err
	}
	p, err := a.policy()
	if err != nil {
		return nil, nil, err
	}
	t, err := RunTriage(a.cfg.Root, p, imp.SBOM, date)
	return imp, t, err
}

func (a *Appliance) triageView(requestID, _ string) (api.Triage, error) {
	t, err := a.triage(requestID)
	if err != nil {
		return api.Triage{}, hint(err, "import a current OSV snapshot, then try again")
	}
	out := api.Triage{FeedDate: t.Feed.Info.Created.UTC().Format("2006-01-02"), GateOpen: t.Gate.Pass()}
	for _, f := range t.Result.Findings {
		af := api.Finding{ID: f.ID, Aliases: f.Aliases, Component: f.Component.Name, Version: f.Component.Version,
			Severity: string(f.Rating.Severity), Summary: f.Summary}
		if len(f.Fixed) > 0 {
			af.FixedIn = f.Fixed[0]
		}
		if d, ok := t.Decisions.For(f); ok {
			af.Decision = &api.Decision{State: string(d.State), Justification: d.Justification, Response: d.Responses, Detail: d.Detail,
				By: d.By, At: d.At.UTC().Format("2006-01-02 15:04")}
		}
		out.Findings = append(out.Findings, af)
	}
	sort.SliceStable(out.Findings, func(i, j int) bool { return out.Findings[i].Decision == nil && out.Findings[j].Decision != nil })
	// The TUI prints the reason after "Gate: OPEN" or "Gate: CLOSED".
	if out.GateOpen {
		out.GateReason = fmt.Sprintf("%d findings reviewed", t.Gate.FindingsReviewed)
	} else {
		out.GateReason = fmt.Sprintf("%d blocking", len(t.Gate.Blocking))
		if len(t.Gate.Blocking) > 0 {
			out.GateReason += ", first " + t.Gate.Blocking[0].String()
		}
	}
	return out, nil
}

// AuditLog lists the log with its verdict.
func (e Engine) AuditLog(ctx context.Context) (api.AuditLog, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.AuditLog{}, err
	}
	defer unlock()
	a := e.A
	if a.log == nil {
		return api.AuditLog{Verdict: "no log yet"}, nil
	}
	var out api.AuditLog
	err = audit.Walk(filepath.Join(a.cfg.Root, AuditDirName), func(en audit.Entry) error {
		out.Entries = append(out.Entries, api.AuditEntry{Seq: uint64(en.Seq), Time: en.Time.UTC().Format("2006-01-02 15:04:05"),
			Type: en.Type.String(), Summary: summary(en.Payload)})
		return nil
	})
	if err != nil {
		return api.AuditLog{}, err
	}
	rep, err := a.verifyLog()
	if err != nil {
		return api.AuditLog{}, err
	}
	out.Verdict = verdictText(rep)
	return out, nil
}

func summary(p []byte) string {
	kv, err := audit.ParseFields(p)
	if err != nil {
		return strings.ToValidUTF8(string(p), "?")
	}
	parts := make([]string, 0, len(kv))
	for _, f := range kv {
		parts = append(parts, f[0]+"="+f[1])
	}
	return strings.Join(parts, " ")
}

// Rehearse installs a bundle on the emulated device and reboots it.
func (e Engine) Rehearse(ctx context.Context, bundlePath string) (api.Rehearsal, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Rehearsal{}, err
	}
	defer unlock()
	if _, err := os.Stat(bundlePath); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the message
		}
		return api.Rehearsal{}, hint(fmt.Errorf("no bundle at %s: %w", bundlePath, err),
			"type the path of an exported bundle directory (ending in .bundle), or export a release first; the device was not touched")
	}
	r, err := e.A.Rehearse(bundlePath)
	if err != nil {
		return api.Rehearsal{}, hint(err, "the device kept its running image; check the bundle with `signbox bundle verify`")
	}
	return rehearsalView(e.A.cfg.Device, r, true), nil
}

// FinishRehearsal confirms or rejects the pending image.
func (e Engine) FinishRehearsal(ctx context.Context, confirm bool) (api.Rehearsal, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Rehearsal{}, err
	}
	defer unlock()
	r, err := e.A.FinishRehearsal(confirm)
	if err != nil {
		return api.Rehearsal{}, err
	}
	return rehearsalView(e.A.cfg.Device, r, false), nil
}

func rehearsalView(dev string, r *Rehearsal, pending bool) api.Rehearsal {
	if m := r.MCUboot; m != nil {
		out := api.Rehearsal{Device: dev, SecureVersion: int(m.Counter), AwaitingConfirm: pending}
		if m.Installed != "" {
			out.Trace = append(out.Trace, "install: "+m.Installed+" written to the secondary slot as a test upgrade")
		}
		if m.Boot != nil {
			out.Trace = append(out.Trace, m.Boot.String())
			out.Running = fmt.Sprintf("primary (%s, security counter %d)", m.Boot.Version, m.Boot.ImageSec)
			out.State = map[bool]string{true: "test, unconfirmed", false: "confirmed"}[pending]
		}
		return out
	}
	out := api.Rehearsal{Device: dev, SecureVersion: r.Status.SecureVersion, AwaitingConfirm: pending}
	if r.Install != nil {
		out.Trace = append(out.Trace, fmt.Sprintf("install: %s (secure_version %d) written to %s, otadata[%d] seq %d NEW",
			r.Install.App.Version, r.Install.App.SecureVersion, r.Install.Label, r.Install.OTAEntry, r.Install.Seq))
	}
	if r.Boot != nil {
		out.Trace = append(out.Trace, strings.Split(strings.TrimRight(r.Boot.String(), "\n"), "\n")...)
		if r.Boot.Booted() {
			out.Running = fmt.Sprintf("ota_%d (%s, secure_version %d)", r.Boot.Slot, r.Boot.App.Version, r.Boot.App.SecureVersion)
			out.State = otaState(r.Status, r.Boot.Slot)
		}
	}
	return out
}

// otaState is the rollback state of the otadata entry that selected the
// running image: the usable entry with the highest sequence number.
func otaState(st emu.Status, _ int) string {
	best := -1
	for i, e := range st.OTA {
		if e.Usable() && (best < 0 || e.Seq > st.OTA[best].Seq) {
			best = i
		}
	}
	if best < 0 {
		return "factory (no otadata entry)"
	}
	return st.OTA[best].State.String()
}

func countPURL(cs []sbom.Component) int {
	n := 0
	for _, c := range cs {
		if c.PURL != "" {
			n++
		}
	}
	return n
}
