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
type Fake struct {
	mu        sync.Mutex
	decisions map[string]api.Decision
	approved  map[string]bool
	aborted   []string
	pins      [][]byte // every PIN slice handed to Approve, to check zeroing
	// Gate, when set, blocks Execute until it is closed or ctx is done.
	Gate chan struct{}
	// Fail maps a method name ("ImportRequest", "Verify", ...) to an error
	// it returns.
	Fail map[string]error
	// PolicyAvailable makes the policy change ceremony startable.
	PolicyAvailable bool
	dev             api.Rehearsal
}

// New returns a fake with two findings, three custodians and quorum 2.
func New() *Fake {
	return &Fake{decisions: map[string]api.Decision{}, approved: map[string]bool{}, Fail: map[string]error{}}
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
		Irreversible: []string{"security version 3 is recorded for infusion-pump; later releases cannot go below it"},
		Quorum:       api.Quorum{Need: 2},
	}, nil
}

// Custodians implements api.Engine.
func (f *Fake) Custodians(context.Context, string) ([]api.Custodian, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []api.Custodian
	for _, n := range []string{"alice", "bob", "carol"} {
		c := api.Custodian{Name: n, Role: "custodian", Approved: f.approved[n]}
		if n != "carol" {
			c.Tokens = []api.Token{{ID: "tok-" + n, Label: "custodian-" + n, Serial: "0a1" + n[:1]}}
		}
		out = append(out, c)
	}
	return out, nil
}

// Approve implements api.Engine.
func (f *Fake) Approve(_ context.Context, _ string, custodian, _ string, pin []byte) (api.Quorum, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pins = append(f.pins, pin) // kept only so tests can check the TUI zeroed it
	if string(pin) != GoodPIN {
		return api.Quorum{}, ErrWrongPIN
	}
	f.approved[custodian] = true
	q := api.Quorum{Have: len(f.approved), Need: 2}
	for n := range f.approved {
		q.Approvers = append(q.Approvers, n)
	}
	return q, nil
}

// Execute implements api.Engine.
func (f *Fake) Execute(ctx context.Context, _ string, progress chan<- api.Progress) (api.Outcome, error) {
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
	return api.Outcome{Lines: []string{"bootloader signed with sb-slot0", "app signed with sb-slot0, secure_version 3"}}, nil
}

// Verify implements api.Engine.
func (f *Fake) Verify(context.Context, string) ([]api.Check, error) {
	if err := f.fail("Verify"); err != nil {
		return []api.Check{{Name: "app signature", OK: false, Detail: err.Error()}}, nil
	}
	return []api.Check{
		{Name: "bootloader signature", OK: true, Detail: "sb-slot0"},
		{Name: "app signature", OK: true, Detail: "sb-slot0"},
		{Name: "app secure_version", OK: true, Detail: "3"},
		{Name: "SBOM bound to app image", OK: true, Detail: "sha256 match"},
	}, nil
}

// Export implements api.Engine.
func (f *Fake) Export(_ context.Context, _ string, media string) (api.Export, error) {
	if err := f.fail("Export"); err != nil {
		return api.Export{}, err
	}
	return api.Export{
		BundlePath:   media + "/infusion-pump-1.4.0",
		BundleDigest: "d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2",
		Words:        []string{"meadow", "nectar", "orbit", "pepper"},
		Files:        11,
		Checkpoint:   "signbox.example/appliance\n15\nq0M2mYk7oXJ4b0Uu5c5x3XbN6mA8d8n0Fh2q1cU1fJk=\n\n— signbox.example/appliance Az3gRq1n0xVt9kWmYb2cL8pHs4dE6fJuQi7oTa5yNr0zXe1wCv3bGh9jKl2mPq4sUt6vWx8yZa0bCd2eFg4hIj6kLm8nOp0qRs2tUv4wXy6z\n",
	}, nil
}

// Abort implements api.Engine.
func (f *Fake) Abort(_ context.Context, planID, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.aborted = append(f.aborted, planID)
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
