package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"signbox/appliance"
	"signbox/ceremony"
)

func init() {
	register(&command{path: "ceremony plan", usage: "--workspace WS --date YYYY-MM-DD --kind release|key-generation|key-revocation|policy-change [kind flags] [--operator-pin-fd N|--operator-pin-env NAME]",
		summary: "plan a ceremony and print its digest to read aloud", run: ceremonyPlan, locks: lockWorkspace})
	register(&command{path: "ceremony approve", usage: "--workspace WS --id ID --custodian NAME --token URI [--digest sha256:...] [--pin-fd N|--pin-env NAME] [--operator-pin-fd N|--operator-pin-env NAME]",
		summary: "approve a planned ceremony with one custodian's token", run: ceremonyApprove, locks: lockWorkspace})
	register(&command{path: "ceremony run", usage: "--workspace WS --id ID --media DIR [--backup DIR] --unlock NAME=URI... [--unlock-pin-fd N|--unlock-pin-env A,B] [--operator-pin-fd N|--operator-pin-env NAME]",
		summary: "verify, check quorum, unlock the appliance HSM with the custodians' shares, sign, verify and export", run: ceremonyRun, locks: lockWorkspace})
	register(&command{path: "ceremony abort", usage: "--workspace WS --id ID --reason TEXT [--operator-pin-fd N|--operator-pin-env NAME]",
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
	op := addOperatorFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *date == "" {
		return usageErr("--date is required: the ceremony date is confirmed by the operators, not read from the appliance clock")
	}
	if *kind == "release" && *request != "" && (rel.Product != "" || rel.App != "" || rel.Bootloader != "" || rel.SBOM != "") {
		return usageErr("--request replaces --product, --app, --bootloader and --sbom; give one or the other")
	}
	if *kind == "release" && *request == "" && rel.SBOM == "" {
		return usageErr("--sbom is required: the vulnerability gate scans it")
	}
	a, err := openAppliance(e, *ws, op)
	if err != nil {
		return err
	}
	defer a.Close()
	var s *ceremony.Session
	switch *kind {
	case "release":
		rel.Date, rel.SecurityVersion = *date, uint32(*sv)
		for _, x := range extra {
			n, p, ok := strings.Cut(x, "=")
			if !ok {
				return usageErr("--input wants name=path, got %q", x)
			}
			rel.Extra = append(rel.Extra, ceremony.NamedPath{Name: n, Path: p})
		}
		s, err = planRelease(a, rel, *request)
	case "key-generation":
		s, err = a.PlanKeyGeneration(ceremony.KeyGenInputs{Date: *date, Labels: labels})
	case "key-revocation":
		s, err = a.PlanRevocation(ceremony.RevocationInputs{Date: *date, Slot: *slot, Reason: *reason})
	case "policy-change":
		s, err = a.PlanPolicyChange(ceremony.PolicyChangeInputs{Date: *date, NewPolicy: *newPolicy})
	default:
		return usageErr("--kind must be release, key-generation, key-revocation or policy-change")
	}
	if err != nil {
		return err
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
	expect := fs.String("digest", "", "approve only if the plan digest is this `sha256:...` (the value read aloud)")
	pin := addPINFlags(fs)
	op := addOperatorFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *who == "" || *id == "" {
		return usageErr("--custodian and --id are required")
	}
	a, err := openAppliance(e, *ws, op)
	if err != nil {
		return err
	}
	defer a.Close()
	s, err := a.Session(*id)
	if err != nil {
		return ceremonyErr(err)
	}
	if *expect != "" && *expect != s.Digest().String() {
		return withHint(fmt.Errorf("plan %s has digest %s, not the %s you were given", s.ID(), s.Digest(), *expect),
			"do not approve: compare the plan with `signbox ceremony show` and the words read aloud")
	}
	fmt.Fprintf(e.stdout, "approving %s, plan %s\n  %s\n", s.ID(), s.Digest(), strings.Join(s.Digest().Words(), " "))
	prog, err := a.Approve(*id, *who, *uri, pin.source(e, fmt.Sprintf("%s's approval token", *who)))
	if err != nil {
		return applianceErr(err)
	}
	fmt.Fprintf(e.stdout, "approved by %s: %s\n", *who, prog)
	return nil
}

func ceremonyRun(e *env, args []string) error {
	fs := newFlags(e, "ceremony run")
	ws := fs.String("workspace", "", "workspace `directory`")
	id := fs.String("id", "", "ceremony `id`")
	media := fs.String("media", "", "export `directory` (mounted media) for the bundle or the ceremony record")
	backup := fs.String("backup", "", "also write a backup of the appliance keys to this media `directory`, in this quorum session")
	un := addUnlockFlags(fs)
	op := addOperatorFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id == "" || *media == "" {
		return usageErr("--id and --media are required")
	}
	who, err := un.parse()
	if err != nil {
		return err
	}
	a, err := openAppliance(e, *ws, op)
	if err != nil {
		return err
	}
	err = runCeremony(e, a, runArgs{id: *id, media: *media, backup: *backup}, un, who)
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	return err
}

// runCeremony takes the ceremony from wherever it stands to exported: the
// presenting custodians release their shares, the appliance unlocks the
// token, signs, verifies, exports and locks it again.
type runArgs struct{ id, media, backup string }

func runCeremony(e *env, a *appliance.Appliance, r runArgs, un *unlockFlags, who []presenter) error {
	id := r.id
	s, err := a.Session(id)
	if err != nil {
		return ceremonyErr(err)
	}
	if s.Step() == ceremony.StepExported {
		return fmt.Errorf("%w: ceremony %s was exported; plan a new one", ceremony.ErrFinished, id)
	}
	if st := s.Step(); st == ceremony.StepPlanned || st == ceremony.StepSigned || st == ceremony.StepVerified {
		for i, p := range who {
			if _, err := a.PresentShare(id, p.name, p.uri, un.pin(e, i, p.name)); err != nil {
				return applianceErr(err)
			}
			fmt.Fprintf(e.stdout, "share released by %s\n", p.name)
		}
	}
	outs, err := a.Execute(id, func(step string, done, total int) { fmt.Fprintf(e.stdout, "%s\n", step) })
	if err != nil {
		return applianceErr(err)
	}
	if err := printQuorum(e, s); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "sign:\n")
	for _, o := range outs {
		fmt.Fprintf(e.stdout, "  %s %s (%d bytes)\n", o.Name, o.SHA256, o.Size)
	}
	if err := step(e.stdout, "verify outputs", func() (ceremony.Checks, error) { return a.VerifyOutputs(id) }); err != nil {
		return applianceErr(err)
	}
	if r.backup != "" {
		path, err := a.Backup(id, r.backup)
		if err != nil {
			return applianceErr(err)
		}
		fmt.Fprintf(e.stdout, "backup written: %s\n", path)
	}
	x, err := a.Export(id, r.media)
	if err != nil {
		return applianceErr(err)
	}
	fmt.Fprintf(e.stdout, "export:\n")
	for _, c := range x.Checks {
		fmt.Fprintf(e.stdout, "  %s\n", c)
	}
	fmt.Fprintf(e.stdout, "ceremony %s exported: %s (%d files, sha256 %s)\nHSM anchor #%d\ncheckpoint (copy into the paper log):\n%s",
		id, x.BundlePath, x.Files, x.BundleDigest, a.Anchor().Counter, x.Checkpoint)
	return nil
}

func printQuorum(e *env, s *ceremony.Session) error {
	prog, err := s.Progress()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "quorum:\n")
	for _, ap := range prog.Approved {
		fmt.Fprintf(e.stdout, "  %s (%s) %s\n", ap.Custodian, ap.Role, ap.Fingerprint)
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
	case errors.Is(err, ceremony.ErrNotAsBuilt):
		return withHint(err, "signbox signs the app exactly as built; bring a build whose app matches the request (or a request that matches the build)")
	}
	return err
}

func ceremonyAbort(e *env, args []string) error {
	fs := newFlags(e, "ceremony abort")
	ws := fs.String("workspace", "", "workspace `directory`")
	id := fs.String("id", "", "ceremony `id`")
	reason := fs.String("reason", "", "why the ceremony is abandoned")
	op := addOperatorFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id == "" {
		return usageErr("--id is required")
	}
	a, err := openAppliance(e, *ws, op)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Abort(*id, *reason); err != nil {
		return ceremonyErr(err)
	}
	fmt.Fprintf(e.stdout, "ceremony %s aborted: %s\n", *id, *reason)
	return nil
}

// planRelease plans a release from request media or from loose files;
// the appliance runs the vulnerability gate and enforces the build key.
func planRelease(a *appliance.Appliance, rel ceremony.ReleaseInputs, request string) (*ceremony.Session, error) {
	var (
		s   *ceremony.Session
		err error
	)
	if request != "" {
		s, err = a.PlanReleaseMedia(request, rel.Date)
	} else {
		s, err = a.PlanReleaseFiles(rel)
	}
	switch {
	case errors.Is(err, appliance.ErrFeed):
		return nil, withHint(err, "import a current OSV snapshot with `signbox vuln import`")
	case errors.Is(err, appliance.ErrIncompleteRequest):
		return nil, err
	case err != nil && request != "" && !errors.Is(err, ceremony.ErrSecurityVersion) && !errors.Is(err, ceremony.ErrNotAsBuilt):
		return nil, mediaErr(err)
	}
	return s, ceremonyErr(err)
}
