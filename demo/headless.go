package demo

import (
	"context"
	"fmt"
	"io"
	"strings"

	"signbox/appliance"
	"signbox/tui/api"
)

// Headless runs the next release's ceremony scripted, through the same
// Engine the TUI drives, and narrates every step to w: import, triage of
// the findings left open (carol decides them), plan, approvals by alice
// and carol, signing, verification, export, and a rehearsal on the
// emulated device that ends with the update confirmed.
func Headless(ctx context.Context, eng appliance.Engine, d *Demo, date string, w io.Writer) error {
	say := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	if done, err := released(eng); err != nil || done {
		if err == nil {
			err = fmt.Errorf("%w: %s %s was already released from %s; remove it for a fresh demo", ErrExists, Product, NextVersion, d.Root)
		}
		return err
	}
	req, err := eng.ImportRequest(ctx, d.Request())
	if err != nil {
		return fmt.Errorf("import request: %w", err)
	}
	say("imported release request %s %s for %s (security version %d → %d), SBOM %s with %d components",
		req.Product, req.Version, req.Chip, req.SecurityVersionOld, req.SecurityVersionNew, req.SBOM.Format, req.SBOM.Components)
	for _, im := range req.Images {
		say("  %-10s %-14s %7d bytes  sha256:%s", im.Role, im.Name, im.Size, im.SHA256)
	}
	t, err := eng.Triage(ctx, req.ID)
	if err != nil {
		return fmt.Errorf("triage: %w", err)
	}
	open := 0
	for _, f := range t.Findings {
		if f.Decision == nil {
			open++
			dec := api.Decision{State: "not_affected", Justification: "code_not_reachable",
				Detail: "custodian review: " + f.Component + " is linked but the affected function is never called"}
			if t, err = eng.Decide(ctx, req.ID, f.ID, dec); err != nil {
				return fmt.Errorf("decide %s: %w", f.ID, err)
			}
			say("triage: %s in %s %s → not_affected (code_not_reachable), entered by the operator for the custodians to approve in the plan", f.ID, f.Component, f.Version)
		}
	}
	say("triage: %d findings against the feed of %s, %d decided in this ceremony; %s", len(t.Findings), t.FeedDate, open, t.GateReason)
	plan, err := eng.Plan(ctx, api.PlanRequest{Kind: api.KindRelease, RequestID: req.ID, Date: date})
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	say("plan %s digest %s", plan.ID, plan.Digest)
	say("  read aloud: %s", strings.Join(plan.Words, " "))
	for _, l := range plan.Lines {
		say("  %s", l)
	}
	for _, name := range []string{"alice", "carol"} {
		q, err := eng.Approve(ctx, plan.ID, name, d.Custodian[name], PIN(name))
		if err != nil {
			return fmt.Errorf("approval by %s: %w", name, err)
		}
		say("approved by %s on their own token: %d of %d", name, q.Have, q.Need)
	}
	progress := make(chan api.Progress)
	done := make(chan struct{})
	go func() {
		for p := range progress {
			say("  [%d/%d] %s", p.Done, p.Total, p.Step)
		}
		close(done)
	}()
	out, err := eng.Execute(ctx, plan.ID, progress)
	close(progress)
	<-done
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	for _, l := range out.Lines {
		say("signed %s", l)
	}
	checks, err := eng.Verify(ctx, plan.ID)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	for _, c := range checks {
		say("verified: %s", c.Name)
	}
	x, err := eng.Export(ctx, plan.ID, d.Out())
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	say("exported %s (%d files), manifest sha256:%s", x.BundlePath, x.Files, x.BundleDigest)
	say("  read aloud: %s", strings.Join(x.Words, " "))
	say("audit checkpoint:\n%s", indent(x.Checkpoint))
	say("anyone can check it without a secret:\n  signbox bundle verify %s --release-key %s\n  signbox evidence check %s --release-key %s",
		x.BundlePath, d.ReleaseKey(), x.BundlePath, d.ReleaseKey())
	return rehearse(ctx, eng, x.BundlePath, say)
}

func rehearse(ctx context.Context, eng appliance.Engine, bundlePath string, say func(string, ...any)) error {
	r, err := eng.Rehearse(ctx, bundlePath)
	if err != nil {
		return fmt.Errorf("rehearsal: %w", err)
	}
	say("device rehearsal: install and reboot")
	for _, l := range r.Trace {
		say("  %s", l)
	}
	say("  running %s, %s, eFuse secure version %d", r.Running, r.State, r.SecureVersion)
	r, err = eng.FinishRehearsal(ctx, true)
	if err != nil {
		return fmt.Errorf("confirm on the device: %w", err)
	}
	say("device rehearsal: confirmed and rebooted")
	for _, l := range r.Trace {
		say("  %s", l)
	}
	say("  running %s, %s, eFuse secure version %d", r.Running, r.State, r.SecureVersion)
	log, err := eng.AuditLog(ctx)
	if err != nil {
		return err
	}
	say("audit log: %d entries, verdict %s", len(log.Entries), log.Verdict)
	return nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

// released reports whether this workspace already released the demo's
// next version, so a second headless run refuses instead of signing again.
func released(eng appliance.Engine) (bool, error) {
	v, err := eng.A.Workspace().Versions()
	if err != nil {
		return false, err
	}
	return v.Products[Product].Version == NextVersion, nil
}
