package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"signbox/airgap/envelope"
	"signbox/appliance"
	"signbox/hsm"
)

func init() {
	register(&command{path: "custodian enrol",
		usage:   "--name NAME --token URI [--pin-fd N|--pin-env NAME]",
		summary: "make a custodian's approval key and share key on their own token and print their policy entry",
		run:     runCustodianEnrol})
	register(&command{path: "init",
		usage:   "--workspace WS --policy TEMPLATE --date YYYY-MM-DD --label LABEL --audit-token URI [--module PATH] --founder NAME=URI... [--founder-pin-fd N|--founder-pin-env A,B] [--operator-pin-fd N|--operator-pin-env NAME]",
		summary: "the genesis ceremony: a quorum-held appliance token, its keys, the founders' approval of the policy, the first anchor",
		run:     runInit, locks: lockWorkspace})
}

// Labels of a custodian's keys on their own token.
const (
	approvalKeyLabel = "approval"
	shareKeyLabel    = "share"
)

func runCustodianEnrol(e *env, args []string) error {
	fs := newFlags(e, "custodian enrol")
	name := fs.String("name", "", "the custodian's `name` in the policy")
	uri := fs.String("token", "", "the custodian's own token: pkcs11: `URI`")
	pin := addPINFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" || *uri == "" {
		return usageErr("--name and --token are required")
	}
	tok, err := openTokenFor(e, *uri, pin, fmt.Sprintf("%s's token", *name))
	if err != nil {
		return err
	}
	defer tok.Close()
	ak, err := tok.GenerateKey(approvalKeyLabel, hsm.ECDSAP256)
	if err != nil {
		return fmt.Errorf("approval key: %w", err)
	}
	sk, err := tok.GenerateAgreementKey(shareKeyLabel)
	if err != nil {
		return fmt.Errorf("share key: %w", err)
	}
	ap, err := envelope.MarshalPublicKeyPEM(ak.Public)
	if err != nil {
		return err
	}
	sp, err := envelope.MarshalPublicKeyPEM(sk.Public)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "# %s: read these fingerprints aloud and compare them with the policy\n# approval key %s\n# share key    %s\n", *name, ak.Fingerprint, sk.Fingerprint)
	fmt.Fprintf(e.stdout, "  - name: %s\n    role: custodian\n    approval_key: |\n      %s\n    share_key: |\n      %s\n", *name, indentPEM(ap), indentPEM(sp))
	return nil
}

func indentPEM(b []byte) string {
	return strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", "\n      ")
}

func runInit(e *env, args []string) error {
	fs := newFlags(e, "init")
	ws := fs.String("workspace", "", "the new workspace `directory`")
	tmpl := fs.String("policy", "", "the genesis policy `template` (appliance keys planned)")
	date := fs.String("date", "", "genesis date YYYY-MM-DD, as the operators confirm it")
	label := fs.String("label", "", "`label` for the appliance token (the module's free slot is initialised)")
	auditURI := fs.String("audit-token", "", "the operator's audit token: pkcs11: `URI`")
	module := fs.String("module", defaultModule(e), "PKCS#11 module `path` of the appliance token")
	founders := addPresenterFlags(fs, "founder", "a founding custodian presenting their token: `NAME=URI` (every share holder)")
	op := addOperatorFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ws == "" || *tmpl == "" || *date == "" || *label == "" || *auditURI == "" {
		return usageErr("--workspace, --policy, --date, --label and --audit-token are required")
	}
	raw, err := os.ReadFile(*tmpl)
	if err != nil {
		return err
	}
	keys, render, err := appliance.FromTemplate(raw)
	if err != nil {
		return err
	}
	ps, err := founders.presenters(e)
	if err != nil {
		return err
	}
	root, err := filepath.Abs(*ws)
	if err != nil {
		return err
	}
	g, err := appliance.Init(appliance.InitOptions{Root: root, Module: *module, ApplianceLabel: *label,
		AuditToken: *auditURI, AuditPIN: op.pin.source(e, "the audit token (operator)"),
		Keys: keys, Policy: render, Founders: ps, Date: *date, Now: e.now})
	if err != nil {
		return applianceErr(err)
	}
	printGenesis(e, g)
	return nil
}

// printGenesis prints the lines that go into the paper log.
func printGenesis(e *env, g *appliance.Genesis) {
	r := g.Policy.Custody()
	fmt.Fprintf(e.stdout, "appliance %s initialised on %s\n", g.ID, g.ApplianceURI)
	fmt.Fprintf(e.stdout, "paper log:\n  genesis policy %s serial %d %s\n", g.Policy.Name, g.Policy.Serial, g.Policy.Digest())
	fmt.Fprintf(e.stdout, "  appliance token PINs: random, split %d of %d among", r.Threshold, len(r.Holders))
	for _, h := range r.Holders {
		fmt.Fprintf(e.stdout, " %s", h.Name)
	}
	fmt.Fprintf(e.stdout, " (share set %s)\n", g.ShareSet)
	for _, k := range g.Policy.AllKeys() {
		if k.Fingerprint != "" {
			fmt.Fprintf(e.stdout, "  key %-18s %s %s\n", k.Label, k.Algorithm, k.Fingerprint)
		}
	}
	fmt.Fprintf(e.stdout, "  HSM anchor #%d\n  first audit checkpoint:\n%s", g.Anchor.Counter, indentLines(string(g.Checkpoint), "    "))
}

func indentLines(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}
