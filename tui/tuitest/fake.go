// Package tuitest provides a scripted, in-memory tui Engine for the TUI's
// own tests and for trying the screens without an HSM. It models just
// enough state (decisions, approvals, a device) to walk every screen; it
// enforces nothing the real engine does beyond what the screens need.
package tuitest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"signbox/tui/api"
)

// GoodPIN is the PIN the fake accepts for every token.
const GoodPIN = "1234"

// ErrWrongPIN is returned by Approve for any other PIN.
var ErrWrongPIN = errors.New("token login failed: PIN incorrect")

// Fake is an api.Engine. The zero value is not usable; call New.
//
// Plans, approvals and outputs are its "disk": they outlive a TUI model,
// so a test can quit one model and resume in a new one on the same Fake.
// Shares are its "RAM": Restart drops them, as a new process would.
type Fake struct {
	mu        sync.Mutex
	decisions map[string]api.Decision
	plans     map[string]*plan
	order     []string // plan ids, oldest first
	aborted   []string
	suspended []string
	fails     map[string]int // wrong PINs in a row, per token
	pins      [][]byte       // every PIN slice handed to Approve, to check zeroing
	// Gate, when set, blocks Execute until it is closed or ctx is done.
	Gate chan struct{}
	// Fail maps a method name ("ImportRequest", "Verify", ...) to an error
	// it returns.
	Fail map[string]error
	// PolicyAvailable makes the policy change ceremony startable.
	PolicyAvailable bool
	dev             api.Rehearsal
}

// plan is one ceremony the fake planned.
type plan struct {
	plan     api.Plan
	step     string // "planned", "signed", "verified", "exported", "aborted"
	approved map[string]bool
	shares   map[string]bool // presented in this "process"
	reason   string          // why it was aborted
}

// The fake's quorum: 2 approvals of alice, bob and carol, and 2 shares
// open the appliance token.
const (
	need       = 2
	sharesNeed = 2
)

// MaxPINTries is how many wrong PINs in a row lock a fake token.
const MaxPINTries = 3

// New returns a fake with two findings, three custodians and quorum 2.
func New() *Fake {
	return &Fake{decisions: map[string]api.Decision{}, plans: map[string]*plan{}, fails: map[string]int{}, Fail: map[string]error{}}
}

// Restart drops every share presented so far, as restarting the
// appliance does: approvals and plans stay.
func (f *Fake) Restart() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.plans {
		p.shares = map[string]bool{}
	}
}

// Step is where plan id stands ("" if there is no such plan).
func (f *Fake) Step(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.plans[id]; ok {
		return p.step
	}
	return ""
}

// Suspended lists the plans Suspend was called for.
func (f *Fake) Suspended() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.suspended...)
}

// AbortReason is the reason recorded for plan id.
func (f *Fake) AbortReason(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.plans[id]; ok {
		return p.reason
	}
	return ""
}

func (p *plan) quorum() api.Quorum {
	q := api.Quorum{Need: need, SharesNeed: sharesNeed}
	for _, n := range []string{"alice", "bob", "carol"} {
		if p.approved[n] {
			q.Have++
			q.Approvers = append(q.Approvers, n)
		}
		if p.shares[n] {
			q.Shares++
		}
	}
	return q
}

func (f *Fake) live(id string) (*plan, error) {
	p, ok := f.plans[id]
	if !ok {
		return nil, fmt.Errorf("no ceremony %s", id)
	}
	if p.step == "exported" || p.step == "aborted" {
		return nil, fmt.Errorf("ceremony %s is %s", id, p.step)
	}
	return p, nil
}

func (f *Fake) fail(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Fail[name]
}

// Aborted lists the plans Abort was called for.
func (f *Fake) Aborted() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.aborted...)
}

// PINs returns copies of the PIN slices handed to Approve, as they are
// now (after the TUI zeroed them).
func (f *Fake) PINs() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]byte
	for _, p := range f.pins {
		out = append(out, append([]byte(nil), p...))
	}
	return out
}

// Status implements api.Engine.
func (f *Fake) Status(context.Context) (api.Status, error) {
	if err := f.fail("Status"); err != nil {
		return api.Status{}, err
	}
	return api.Status{
		Workspace:    "/media/ws",
		PolicyDigest: "sha256:5f2b8e0c1d3a4b6c7d8e9f00112233445566778899aabbccddeeff0011223344",
		PolicyNote:   "release quorum 2 of 3",
		Tokens: []api.TokenStatus{
			{Label: "signbox-appliance", Role: "appliance", Present: true, Detail: "serial 0a1b, 5 keys"},
			{Label: "custodian-alice", Role: "alice", Present: true, Detail: "serial 0a1c"},
			{Label: "custodian-bob", Role: "bob", Present: true, Detail: "serial 0a1d"},
			{Label: "custodian-carol", Role: "carol", Present: false, Detail: "not inserted"},
		},
		Products:     []api.ProductVersion{{Product: "infusion-pump", SecurityVersion: 2}},
		AuditEntries: 12,
		AuditVerdict: "ok",
	}, nil
}

// Kinds implements api.Engine.
func (f *Fake) Kinds(context.Context) ([]api.CeremonyKind, error) {
	f.mu.Lock()
	policy := f.PolicyAvailable
	f.mu.Unlock()
	kinds := []api.CeremonyKind{
		{Kind: api.KindRelease, Title: "Release signing", Summary: "Sign a release request's images, attach SBOM and VEX, export a bundle.", Quorum: "2 of 3 custodians", Available: true},
		{Kind: api.KindKeyGen, Title: "Key generation", Summary: "Generate the policy's missing keys inside the HSM.", Quorum: "3 of 3 custodians", Available: true},
		{Kind: api.KindRevocation, Title: "Key revocation", Summary: "Retire a Secure Boot key slot.", Quorum: "3 of 3 custodians", Available: true},
		{Kind: api.KindPolicyChange, Title: "Policy change", Summary: "Adopt a new policy, approved under the current one.", Quorum: "3 of 3 custodians", Available: false, Reason: "no proposed policy on this appliance"},
	}
	if policy {
		kinds[3].Available, kinds[3].Reason = true, ""
	}
	return kinds, nil
}

// ImportRequest implements api.Engine.
func (f *Fake) ImportRequest(_ context.Context, path string) (api.Request, error) {
	if err := f.fail("ImportRequest"); err != nil {
		return api.Request{}, err
	}
	return api.Request{
		ID: "req-1", Product: "infusion-pump", Version: "1.4.0", Chip: "esp32c3",
		SecurityVersionOld: 2, SecurityVersionNew: 3,
		Images: []api.Image{
			{Role: "bootloader", Name: "bootloader.bin", Size: 26384, SHA256: "9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"},
			{Role: "app", Name: "pump-ctl.bin", Size: 851968, SHA256: "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988"},
		},
		SBOM:     api.SBOMSummary{Format: "CycloneDX 1.6", Components: 143, WithPURL: 140, SHA256: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"},
		SignedBy: "build-key sha256:7e57ab1e…",
	}, nil
}

// ImportPolicy implements api.Engine.
func (f *Fake) ImportPolicy(context.Context, string) (api.PolicyChange, error) {
	return api.PolicyChange{ID: "pol-2", Lines: []string{"quorum.release: 2 -> 3"}}, nil
}

func (f *Fake) findings() []api.Finding {
	fs := []api.Finding{
		{ID: "GHSA-2023-mbedtls", Component: "mbedtls", Version: "3.4.0", Severity: "high", Summary: "Buffer overread in TLS 1.3 handshake parsing.", FixedIn: "3.4.1"},
		{ID: "OSV-2024-lwip-17", Component: "lwip", Version: "2.1.3", Severity: "medium", Summary: "Crafted IPv6 fragment causes a use-after-free.", FixedIn: "2.2.0"},
	}
	for i := range fs {
		if d, ok := f.decisions[fs[i].ID]; ok {
			d := d
			fs[i].Decision = &d
		}
	}
	return fs
}

func (f *Fake) triage() api.Triage {
	t := api.Triage{Findings: f.findings(), FeedDate: "2026-11-20"}
	open := len(f.decisions) == len(t.Findings)
	t.GateOpen = open
	t.GateReason = "all findings decided"
	if !open {
		t.GateReason = fmt.Sprintf("%d finding(s) undecided", len(t.Findings)-len(f.decisions))
	}
	return t
}

// Triage implements api.Engine.
func (f *Fake) Triage(context.Context, string) (api.Triage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.triage(), nil
}

// Decide implements api.Engine.
func (f *Fake) Decide(_ context.Context, _ string, id string, d api.Decision) (api.Triage, error) {
	if d.State == "exploitable" && len(d.Response) == 0 {
		return api.Triage{}, errors.New("decision.response: exploitable needs a response")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d.By, d.At = "operator", "2026-11-21 09:30" // the engine's operator and clock, whatever the form sent
	f.decisions[id] = d
	return f.triage(), nil
}

// Keys implements api.Engine.
func (f *Fake) Keys(context.Context) ([]api.Key, error) {
	return []api.Key{
		{Label: "sb-slot0", Purpose: "secure boot slot 0", Algorithm: "rsa-3072", Fingerprint: "sha256:aa11bb22cc33dd44ee55ff66", State: "active"},
		{Label: "sb-slot1", Purpose: "secure boot slot 1", Algorithm: "rsa-3072", Fingerprint: "sha256:1122334455667788", State: "active"},
		{Label: "sb-slot2", Purpose: "secure boot slot 2", Algorithm: "rsa-3072", State: "planned"},
		{Label: "release-bundle", Purpose: "release bundle", Algorithm: "ecdsa-p256", Fingerprint: "sha256:99887766", State: "active"},
	}, nil
}

// Plan implements api.Engine.
func (f *Fake) Plan(_ context.Context, req api.PlanRequest) (api.Plan, error) {
	if err := f.fail("Plan"); err != nil {
		return api.Plan{}, err
	}
	p := &plan{plan: planFor(req), step: "planned", approved: map[string]bool{}, shares: map[string]bool{}}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.plans[p.plan.ID]; !ok {
		f.order = append(f.order, p.plan.ID)
	}
	f.plans[p.plan.ID] = p // a new plan supersedes the older one
	return p.plan, nil
}

func planFor(req api.PlanRequest) api.Plan {
	return api.Plan{
		ID: "plan-" + string(req.Kind), Kind: req.Kind,
		Digest: "3b7e1f0a9c2d4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f",
		Words:  []string{"absurd", "bracket", "crystal", "dolphin", "eager", "fabric", "galaxy", "harbor", "island", "jungle", "kettle", "lantern"},
		Lines: []string{
			"kind: " + string(req.Kind), "date: " + req.Date, "request: " + req.RequestID,
			"product: infusion-pump 1.4.0 (esp32c3)", "security_version: 2 -> 3",
			"bootloader sha256 9a0b1c2d…", "app sha256 1f2e3d4c…", "signing key: sb-slot0 sha256:aa11bb22…",
			"sbom sha256 c0ffee00…", "vex: 2 decisions", "policy sha256 5f2b8e0c…",
		},
		Sections:     planSections(req),
		Irreversible: []string{"security version 3 is recorded for infusion-pump; later releases cannot go below it"},
		Quorum:       api.Quorum{Need: need, SharesNeed: sharesNeed},
	}
}

// planSections is a plan long enough for two pages at 80×24, with a
// value too long for one line, a relaxation and an open finding.
func planSections(req api.PlanRequest) []api.PlanSection {
	row := func(path, label, value string) api.PlanRow {
		return api.PlanRow{Path: path, Label: label, Value: value}
	}
	secs := []api.PlanSection{
		{Title: "Ceremony", Rows: []api.PlanRow{row("id", "id", "plan-"+string(req.Kind)), row("kind", "kind", string(req.Kind)), row("date", "date", req.Date)}},
		{Title: "Images as built (signing appends signatures only)", Rows: []api.PlanRow{
			{Path: "release.images[0].chip", Item: "images #1", Label: "chip", Value: "esp32c3"},
			{Path: "release.images[0].sha256", Item: "images #1", Label: "SHA-256", Value: "sha256:9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"},
			{Path: "release.images[1].project_name", Item: "images #2", Label: "project name", Value: "infusion-pump"},
			{Path: "release.images[1].secure_version", Item: "images #2", Label: "secure_version (anti-rollback)", Value: "3"},
		}},
		{Title: "Signing keys", Rows: []api.PlanRow{
			{Path: "release.keys[0].fingerprint", Item: "keys #1", Label: "SPKI SHA-256 fingerprint", Value: "sha256:aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233"},
		}},
	}
	f := api.PlanSection{Title: "Findings and their decisions (exploitable and resolved first)"}
	for i, id := range []string{"GHSA-0001", "GHSA-0002", "GHSA-0003"} {
		item := fmt.Sprintf("findings #%d", i+1)
		p := fmt.Sprintf("release.vuln_gate.findings[%d].", i)
		f.Rows = append(f.Rows,
			api.PlanRow{Path: p + "advisory", Item: item, Label: "advisory", Value: id},
			api.PlanRow{Path: p + "component", Item: item, Label: "component", Value: "mbedtls@3.4.0"},
			api.PlanRow{Path: p + "state", Item: item, Label: "state", Value: "exploitable", Warn: i == 0},
			api.PlanRow{Path: p + "entered_by", Item: item, Label: "entered by", Value: "release manager"})
	}
	return append(secs, f, api.PlanSection{Title: "Last section", Rows: []api.PlanRow{row("last", "last field", "the end of the plan")}})
}

// Custodians implements api.Engine.
func (f *Fake) Custodians(_ context.Context, id string) ([]api.Custodian, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.live(id)
	if err != nil {
		return nil, err
	}
	var out []api.Custodian
	for _, n := range []string{"alice", "bob", "carol"} {
		c := api.Custodian{Name: n, Role: "custodian", Approved: p.approved[n], ShareNeeded: p.approved[n] && !p.shares[n]}
		if n != "carol" {
			c.Tokens = []api.Token{{ID: "tok-" + n, Label: "custodian-" + n, Serial: "0a1" + n[:1]}}
		}
		out = append(out, c)
	}
	return out, nil
}

// PINError is a failed login with the token's PIN flags.
type PINError struct {
	Err   error
	State api.PINState
}

func (e *PINError) Error() string { return e.Err.Error() }

// Unwrap returns the login error.
func (e *PINError) Unwrap() error { return e.Err }

// PINState implements api.PINStater.
func (e *PINError) PINState() api.PINState { return e.State }

// ErrPINLocked is returned by Approve for a token locked by wrong PINs.
var ErrPINLocked = errors.New("token login failed: PIN locked")

// Approve implements api.Engine. A custodian who approved already and
// whose share is not in presents it; after a signing approvals are
// closed and only shares are taken. MaxPINTries wrong PINs in a row lock
// the token.
func (f *Fake) Approve(_ context.Context, id string, custodian, token string, pin []byte) (api.Quorum, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pins = append(f.pins, pin) // kept only so tests can check the TUI zeroed it
	p, err := f.live(id)
	if err != nil {
		return api.Quorum{}, err
	}
	if f.fails[token] >= MaxPINTries {
		return api.Quorum{}, &PINError{Err: ErrPINLocked, State: api.PINState{Locked: true}}
	}
	if string(pin) != GoodPIN {
		f.fails[token]++
		n := f.fails[token]
		return api.Quorum{}, &PINError{Err: ErrWrongPIN, State: api.PINState{CountLow: n >= 1, FinalTry: n == MaxPINTries-1, Locked: n >= MaxPINTries}}
	}
	f.fails[token] = 0
	switch {
	case p.approved[custodian] && p.shares[custodian]:
		return api.Quorum{}, fmt.Errorf("%s has already approved this plan", custodian)
	case !p.approved[custodian] && p.step != "planned":
		return api.Quorum{}, fmt.Errorf("approvals close when signing starts (ceremony %s is %s)", id, p.step)
	}
	p.approved[custodian], p.shares[custodian] = true, true
	return p.quorum(), nil
}

// ErrNoShares is Execute's refusal when too few shares are presented.
var ErrNoShares = errors.New("the appliance token is locked: too few shares presented in this session")

// Execute implements api.Engine. Once signed, it never signs again: it
// returns the earlier outputs.
func (f *Fake) Execute(ctx context.Context, id string, progress chan<- api.Progress) (api.Outcome, error) {
	f.mu.Lock()
	p, err := f.live(id)
	if err == nil && !p.quorum().Ready() {
		err = ErrNoShares
	}
	signed := err == nil && p.step != "planned"
	f.mu.Unlock()
	if err != nil {
		return api.Outcome{}, err
	}
	if signed {
		return api.Outcome{Lines: []string{"signed earlier: bootloader signed with sb-slot0", "signed earlier: app signed with sb-slot0, secure_version 3"}}, nil
	}
	steps := []string{"verify quorum", "sign bootloader", "sign app", "verify signatures"}
	for i, s := range steps {
		select {
		case progress <- api.Progress{Step: s, Done: i + 1, Total: len(steps)}:
		case <-ctx.Done():
			return api.Outcome{}, ctx.Err()
		}
	}
	if f.Gate != nil {
		select {
		case <-f.Gate:
		case <-ctx.Done():
			return api.Outcome{}, ctx.Err()
		}
	}
	if err := f.fail("Execute"); err != nil {
		return api.Outcome{}, err
	}
	f.mu.Lock()
	p.step = "signed"
	f.mu.Unlock()
	return api.Outcome{Lines: []string{"bootloader signed with sb-slot0", "app signed with sb-slot0, secure_version 3"}}, nil
}

// Verify implements api.Engine.
func (f *Fake) Verify(_ context.Context, id string) ([]api.Check, error) {
	if err := f.fail("Verify"); err != nil {
		return []api.Check{{Name: "app signature", OK: false, Detail: err.Error()}}, nil
	}
	f.mu.Lock()
	if p, ok := f.plans[id]; ok && p.step == "signed" {
		p.step = "verified"
	}
	f.mu.Unlock()
	return []api.Check{
		{Name: "bootloader signature", OK: true, Detail: "sb-slot0"},
		{Name: "app signature", OK: true, Detail: "sb-slot0"},
		{Name: "app secure_version", OK: true, Detail: "3"},
		{Name: "SBOM bound to app image", OK: true, Detail: "sha256 match"},
	}, nil
}

// Export implements api.Engine.
func (f *Fake) Export(_ context.Context, id string, media string) (api.Export, error) {
	if err := f.fail("Export"); err != nil {
		return api.Export{}, err
	}
	f.mu.Lock()
	if p, ok := f.plans[id]; ok {
		if p.step != "verified" || !p.quorum().Ready() {
			f.mu.Unlock()
			return api.Export{}, fmt.Errorf("ceremony %s is %s with %d of %d shares: not ready to export", id, p.step, p.quorum().Shares, sharesNeed)
		}
		p.step, p.shares = "exported", map[string]bool{}
	}
	f.mu.Unlock()
	return api.Export{
		BundlePath:   media + "/infusion-pump-1.4.0",
		BundleDigest: "d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2",
		Words:        []string{"meadow", "nectar", "orbit", "pepper"},
		Files:        11,
		Checkpoint:   "signbox.example/appliance\n15\nq0M2mYk7oXJ4b0Uu5c5x3XbN6mA8d8n0Fh2q1cU1fJk=\n\n— signbox.example/appliance Az3gRq1n0xVt9kWmYb2cL8pHs4dE6fJuQi7oTa5yNr0zXe1wCv3bGh9jKl2mPq4sUt6vWx8yZa0bCd2eFg4hIj6kLm8nOp0qRs2tUv4wXy6z\n",
	}, nil
}

// Abort implements api.Engine.
func (f *Fake) Abort(_ context.Context, planID, reason string) error {
	if err := f.fail("Abort"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if reason == "" {
		return errors.New("Abort: a reason is required")
	}
	if p, ok := f.plans[planID]; ok {
		if p.step == "exported" || p.step == "aborted" {
			return fmt.Errorf("ceremony %s is %s", planID, p.step)
		}
		p.step, p.reason, p.shares = "aborted", reason, map[string]bool{}
	}
	f.aborted = append(f.aborted, planID)
	return nil
}

// Unfinished implements api.Engine.
func (f *Fake) Unfinished(context.Context) ([]api.Unfinished, error) {
	if err := f.fail("Unfinished"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []api.Unfinished
	for _, id := range f.order {
		p := f.plans[id]
		if p.step == "exported" || p.step == "aborted" {
			continue
		}
		out = append(out, api.Unfinished{ID: id, Kind: p.plan.Kind, Date: "2026-11-21", Step: p.step,
			Summary: "infusion-pump 1.4.0, security version 2 -> 3", Quorum: p.quorum(), Signed: p.step != "planned"})
	}
	return out, nil
}

// Resume implements api.Engine.
func (f *Fake) Resume(_ context.Context, id string) (api.Plan, error) {
	if err := f.fail("Resume"); err != nil {
		return api.Plan{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.live(id)
	if err != nil {
		return api.Plan{}, err
	}
	out := p.plan
	out.Quorum = p.quorum()
	return out, nil
}

// Suspend implements api.Engine: the shares presented for id are dropped.
func (f *Fake) Suspend(_ context.Context, id string) error {
	if err := f.fail("Suspend"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.plans[id]; ok {
		p.shares = map[string]bool{}
	}
	f.suspended = append(f.suspended, id)
	return nil
}

// AuditLog implements api.Engine.
func (f *Fake) AuditLog(context.Context) (api.AuditLog, error) {
	var es []api.AuditEntry
	for i := 1; i <= 30; i++ {
		es = append(es, api.AuditEntry{Seq: uint64(i), Time: "2026-11-21T09:00:00Z", Type: "ceremony.approved", Summary: fmt.Sprintf("entry %d", i)})
	}
	return api.AuditLog{Entries: es, Verdict: "ok"}, nil
}

// Rehearse implements api.Engine.
func (f *Fake) Rehearse(_ context.Context, path string) (api.Rehearsal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dev = api.Rehearsal{
		Device: "emu-c3", Running: "ota_1 (1.4.0, secure_version 3)", State: "PENDING_VERIFY", SecureVersion: 2, AwaitingConfirm: true,
		Trace: []string{"install " + path, "verify signature block 0: ok", "write ota_1", "otadata: ota_1 NEW", "reset",
			"ROM: bootloader verified (key digest 0)", "bootloader: ota_1 NEW -> PENDING_VERIFY", "bootloader: app verified, secure_version 3 >= eFuse 2", "app: started"},
	}
	return f.dev, nil
}

// FinishRehearsal implements api.Engine.
func (f *Fake) FinishRehearsal(_ context.Context, confirm bool) (api.Rehearsal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.dev
	d.AwaitingConfirm = false
	d.Trace = append(append([]string(nil), d.Trace...), "confirm: ota_1 VALID", "eFuse secure version 2 -> 3")
	d.State, d.SecureVersion = "VALID", 3
	if !confirm {
		d.Trace = append(d.Trace[:len(d.Trace)-2], "reject: ota_1 INVALID", "reset", "bootloader: booting ota_0")
		d.State, d.SecureVersion, d.Running = "VALID", 2, "ota_0 (1.3.2, secure_version 2)"
	}
	f.dev = d
	return d, nil
}

var _ api.Engine = (*Fake)(nil)
