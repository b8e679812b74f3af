package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"signbox/appliance"
	"signbox/ceremony"
	"signbox/hsm"
	"signbox/policy"
)

func init() {
	register(&command{path: "ceremony plan", usage: "--workspace WS --date YYYY-MM-DD --kind release|key-generation|key-revocation|policy-change [kind flags]",
		summary: "plan a ceremony and print its digest to read aloud", run: ceremonyPlan, locks: lockWorkspace})
	register(&command{path: "ceremony approve", usage: "--workspace WS --id ID --custodian NAME --token URI [--key-label L] [--digest sha256:...] [--pin-fd N|--pin-env NAME]",
		summary: "approve a planned ceremony with one custodian's token", run: ceremonyApprove, locks: lockWorkspace})
	register(&command{path: "ceremony run", usage: "--workspace WS --id ID --token URI [--pin-fd N|--pin-env NAME]",
		summary: "verify, check quorum, sign with the appliance HSM, verify and export", run: ceremonyRun, locks: lockWorkspace})
	register(&command{path: "ceremony abort", usage: "--workspace WS --id ID --reason TEXT",
		summary: "close a ceremony for good, recording why", run: ceremonyAbort, locks: lockWorkspace})
	register(&command{path: "ceremony show", usage: "--workspace WS [--id ID]",
		summary: "show a ceremony's plan, digest words and approvals, or list ceremonies", run: ceremonyShow})
}

func openWorkspace(ws string) (*ceremony.Workspace, error) {
	if ws == "" {
		return nil, usageErr("--workspace is required")
	}
	return ceremony.OpenWorkspace(ws)
}

func ceremonyPlan(e *env, args []string) error {
	fs := newFlags(e, "ceremony plan")
	ws := fs.String("workspace", "", "workspace `directory`")
	date := fs.String("date", "", "ceremony date YYYY-MM-DD, as confirmed by the operators")
	kind := fs.String("kind", "", "release, key-generation, key-revocation or policy-change")
	var rel ceremony.ReleaseInputs
	fs.StringVar(&rel.Product, "product", "", "release: product id")
	fs.StringVar(&rel.Version, "version", "", "release: version")
	fs.StringVar(&rel.Chip, "chip", "", "release: target chip, e.g. esp32c6")
	sv := fs.Uint("security-version", 0, "release: anti-rollback security version")
	fs.StringVar(&rel.Bootloader, "bootloader", "", "release: unsigned bootloader `image`")
	fs.StringVar(&rel.App, "app", "", "release: unsigned app `image`")
	fs.StringVar(&rel.SBOM, "sbom", "", "release: CycloneDX SBOM `file`")
	var extra, labels listFlag
	fs.Var(&extra, "input", "release: extra input `name=path` bound to the plan (repeatable)")
	fs.Var(&labels, "label", "key-generation: generate only this planned key (repeatable)")
	slot := fs.Int("slot", -1, "key-revocation: Secure Boot slot to retire")
	reason := fs.String("reason", "", "key-revocation: why")
	newPolicy := fs.String("policy", "", "policy-change: the proposed policy `file`")
	request := fs.String("request", "", "release: a release request `media` directory or tar (instead of the release flags)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	w, err := openWorkspace(*ws)
	if err != nil {
		return err
	}
	if *date == "" {
		return usageErr("--date is required: the ceremony date is confirmed by the operators, not read from the appliance clock")
	}
	var s *ceremony.Session
	switch *kind {
	case "release":
		rel.Date, rel.SecurityVersion = *date, uint32(*sv)
		if *request != "" {
			if rel.Product != "" || rel.App != "" || rel.Bootloader != "" || rel.SBOM != "" {
				return usageErr("--request replaces --product, --app, --bootloader and --sbom; give one or the other")
			}
			if rel, err = releaseFromRequest(e, w, *request, *date); err != nil {
				return err
			}
		}
		for _, x := range extra {
			n, p, ok := strings.Cut(x, "=")
			if !ok {
				return usageErr("--input wants name=path, got %q", x)
			}
			rel.Extra = append(rel.Extra, ceremony.NamedPath{Name: n, Path: p})
		}
		if s, err = planRelease(w, rel); err != nil {
			return err
		}
	case "key-generation":
		s, err = w.PlanKeyGeneration(ceremony.KeyGenInputs{Date: *date, Labels: labels})
	case "key-revocation":
		s, err = w.PlanRevocation(ceremony.RevocationInputs{Date: *date, Slot: *slot, Reason: *reason})
	case "policy-change":
		s, err = w.PlanPolicyChange(ceremony.PolicyChangeInputs{Date: *date, NewPolicy: *newPolicy})
	default:
		return usageErr("--kind must be release, key-generation, key-revocation or policy-change")
	}
	if err != nil {
		return ceremonyErr(err)
	}
	fmt.Fprint(e.stdout, s.Summary())
	fmt.Fprintf(e.stdout, "next: each custodian runs `signbox ceremony approve --id %s`\n", s.ID())
	return nil
}

func ceremonyApprove(e *env, args []string) error {
	fs := newFlags(e, "ceremony approve")
	ws := fs.String("workspace", "", "workspace `directory`")
	id := fs.String("id", "", "ceremony `id`")
	who := fs.String("custodian", "", "your `name` in the policy")
	uri := fs.String("token", "", "your approval token's pkcs11: `URI`")
	label := fs.String("key-label", "approval", "`label` of the approval key on your token")
	expect := fs.String("digest", "", "approve only if the plan digest is this `sha256:...` (the value read aloud)")
	pin := addPINFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := openSession(*ws, *id)
	if err != nil {
		return err
	}
	if *who == "" {
		return usageErr("--custodian is required")
	}
	if *expect != "" && *expect != s.Digest().String() {
		return withHint(fmt.Errorf("plan %s has digest %s, not the %s you were given", s.ID(), s.Digest(), *expect),
			"do not approve: compare the plan with `signbox ceremony show` and the words read aloud")
	}
	tok, err := openTokenFor(e, *uri, pin, fmt.Sprintf("%s's approval token", *who))
	if err != nil {
		return err
	}
	defer tok.Close()
	signer, err := tok.Signer(*label)
	if err != nil {
		return fmt.Errorf("approval key %q: %w", *label, err)
	}
	fmt.Fprintf(e.stdout, "approving %s, plan %s\n  %s\n", s.ID(), s.Digest(), strings.Join(s.Digest().Words(), " "))
	prog, err := s.Approve(*who, signer)
	if err != nil {
		return ceremonyErr(err)
	}
	fmt.Fprintf(e.stdout, "approved by %s: %s\n", *who, prog)
	return nil
}

func openSession(ws, id string) (*ceremony.Session, error) {
	w, err := openWorkspace(ws)
	if err != nil {
		return nil, err
	}
	return openSessionIn(w, id)
}

func openSessionIn(w *ceremony.Workspace, id string) (*ceremony.Session, error) {
	if id == "" {
		return nil, usageErr("--id is required")
	}
	s, err := w.Open(id)
	if err != nil {
		return nil, ceremonyErr(err)
	}
	return s, nil
}

func ceremonyRun(e *env, args []string) error {
	fs := newFlags(e, "ceremony run")
	ws := fs.String("workspace", "", "workspace `directory`")
	id := fs.String("id", "", "ceremony `id`")
	uri := fs.String("token", "", "the appliance HSM's pkcs11: `URI` (signing keys and audit keys)")
	pin := addPINFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id == "" {
		return usageErr("--id is required")
	}
	w, err := openWorkspace(*ws)
	if err != nil {
		return err
	}
	tok, closeAll, err := openApplianceForRun(e, w, *uri, pin)
	if err != nil {
		return err
	}
	s, err := openSessionIn(w, *id)
	if err != nil {
		closeAll()
		return err
	}
	err = runSteps(e, s, tok)
	if cerr := closeAll(); err == nil {
		err = cerr
	}
	return err
}

// runSteps takes the session from wherever it stands to exported.
func runSteps(e *env, s *ceremony.Session, tok *hsm.Token) error {
	if s.Step() == ceremony.StepPlanned {
		if err := runToSigned(e, s, tok); err != nil {
			return ceremonyErr(err)
		}
	}
	if s.Step() == ceremony.StepSigned {
		if err := step(e.stdout, "verify outputs", s.Verify); err != nil {
			return ceremonyErr(err)
		}
	}
	if err := step(e.stdout, "export", s.Export); err != nil {
		return ceremonyErr(err)
	}
	fmt.Fprintf(e.stdout, "ceremony %s exported: %s\n", s.ID(), s.Dir())
	return nil
}

// openApplianceForRun opens the appliance token (if given) and, when the
// policy's audit keys are active, the audit log, which then records every
// step. With active audit keys the token is required: a ceremony step is
// never run unrecorded.
func openApplianceForRun(e *env, w *ceremony.Workspace, uri string, pin *pinFlags) (*hsm.Token, func() error, error) {
	pol, err := w.Policy()
	if err != nil {
		return nil, nil, err
	}
	audited := appliance.AuditActive(pol)
	if uri == "" {
		if audited {
			return nil, nil, usageErr("--token is required: the policy's audit keys are active and every step goes to the audit log")
		}
		return nil, func() error { return nil }, nil
	}
	tok, err := openTokenFor(e, uri, pin, "the appliance HSM")
	if err != nil {
		return nil, nil, err
	}
	if !audited {
		return tok, tok.Close, nil
	}
	l, err := openAudit(w.Root(), pol, tok, e.now())
	if err != nil {
		tok.Close()
		return nil, nil, err
	}
	w.SetRecorder(appliance.Recorder{Log: l, Now: e.now})
	return tok, func() error {
		err := l.Close(e.now())
		if cerr := tok.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}

func runToSigned(e *env, s *ceremony.Session, tok *hsm.Token) error {
	if err := step(e.stdout, "verify inputs", s.VerifyInputs); err != nil {
		return err
	}
	if err := step(e.stdout, "evaluate policy", s.EvaluatePolicy); err != nil {
		return err
	}
	q, err := s.CollectQuorum()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "quorum:\n")
	for _, a := range q.Approvals() {
		fmt.Fprintf(e.stdout, "  %s (%s) %s\n", a.Custodian, a.Role, a.Fingerprint)
	}
	var ks ceremony.KeyStore
	if tok != nil {
		ks = appliance.TokenStore{Token: tok}
	} else if s.Plan().Kind != policy.KindPolicyChange {
		return usageErr("--token is required to sign")
	}
	outs, err := s.Sign(q, ks)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "sign:\n")
	for _, o := range outs {
		fmt.Fprintf(e.stdout, "  %s %s (%d bytes)\n", o.Name, o.SHA256, o.Size)
	}
	return nil
}

func step(w io.Writer, name string, f func() (ceremony.Checks, error)) error {
	checks, err := f()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s:\n", name)
	for _, c := range checks {
		fmt.Fprintf(w, "  %s\n", c)
	}
	return nil
}

func ceremonyShow(e *env, args []string) error {
	fs := newFlags(e, "ceremony show")
	ws := fs.String("workspace", "", "workspace `directory`")
	id := fs.String("id", "", "ceremony `id`; omit to list ceremonies")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	w, err := openWorkspace(*ws)
	if err != nil {
		return err
	}
	if *id == "" {
		return listCeremonies(e.stdout, w)
	}
	s, err := w.Open(*id)
	if err != nil {
		return ceremonyErr(err)
	}
	fmt.Fprint(e.stdout, s.Summary())
	prog, err := s.Progress()
	if err != nil {
		return ceremonyErr(err)
	}
	fmt.Fprintf(e.stdout, "approvals %s\n", prog)
	for _, a := range prog.Approved {
		fmt.Fprintf(e.stdout, "  approved  %s (%s) %s\n", a.Custodian, a.Role, a.Fingerprint)
	}
	for _, p := range prog.Pending {
		fmt.Fprintf(e.stdout, "  pending   %s\n", p)
	}
	return nil
}

func listCeremonies(w io.Writer, ws *ceremony.Workspace) error {
	ids, err := ws.Ceremonies()
	if err != nil {
		return err
	}
	for _, id := range ids {
		s, err := ws.Open(id)
		if err != nil {
			fmt.Fprintf(w, "%-20s %v\n", id, err)
			continue
		}
		p := s.Plan()
		fmt.Fprintf(w, "%-20s %-16s %s %-16s %s\n", id, p.Kind, p.Date, s.Step(), s.Digest())
	}
	return nil
}

// ceremonyErr adds the next step for the operator to common refusals.
func ceremonyErr(err error) error {
	switch {
	case errors.Is(err, ceremony.ErrTooFewApprovals):
		return withHint(err, "more custodians run `signbox ceremony approve`, then run again")
	case errors.Is(err, ceremony.ErrInterrupted):
		return withHint(err, "this ceremony can never sign again; plan a new one with `signbox ceremony plan`")
	case errors.Is(err, ceremony.ErrPolicyChanged):
		return withHint(err, "plan a new ceremony under the current policy")
	case errors.Is(err, ceremony.ErrKeyMismatch):
		return withHint(err, "the token holds a different key than the policy pins; check the token and the policy before anything else")
	case errors.Is(err, ceremony.ErrSecurityVersion):
		return withHint(err, "anti-rollback versions never decrease; build the release with a higher security version")
	}
	return err
}

func ceremonyAbort(e *env, args []string) error {
	fs := newFlags(e, "ceremony abort")
	ws := fs.String("workspace", "", "workspace `directory`")
	id := fs.String("id", "", "ceremony `id`")
	reason := fs.String("reason", "", "why the ceremony is abandoned")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := openSession(*ws, *id)
	if err != nil {
		return err
	}
	if err := s.Abort(*reason); err != nil {
		return ceremonyErr(err)
	}
	fmt.Fprintf(e.stdout, "ceremony %s aborted: %s\n", s.ID(), *reason)
	return nil
}

// planRelease adds the vulnerability gate's verdict to the inputs.
func planRelease(w *ceremony.Workspace, rel ceremony.ReleaseInputs) (*ceremony.Session, error) {
	if rel.SBOM == "" {
		return nil, usageErr("--sbom is required: the vulnerability gate scans it")
	}
	var err error
	if rel.Gate, err = releaseGate(w, rel); err != nil {
		return nil, err
	}
	s, err := w.PlanRelease(rel)
	if err != nil {
		return nil, ceremonyErr(err)
	}
	return s, nil
}
