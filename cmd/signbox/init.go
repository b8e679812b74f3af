package main

import (
	"context"
	"crypto"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"signbox/airgap/envelope"
	"signbox/appliance"
	"signbox/ceremony"
	"signbox/hsm"
	"signbox/policy"
	"signbox/tui"
)

func init() {
	register(&command{path: "custodian enrol",
		usage:   "--name NAME (--token URI [--pin-fd N|--pin-env NAME] | --approval-key PUB.pem --share-key PUB.pem)",
		summary: "make a custodian's approval key and share key on their own token (or import their public keys) and print their policy entry",
		run:     runCustodianEnrol})
	register(&command{path: "init",
		usage:   "--workspace WS --policy TEMPLATE --date YYYY-MM-DD --label LABEL --audit-token URI [--module PATH] --founder NAME=URI... [--founder-pin-fd N|--founder-pin-env A,B] [--operator-pin-fd N|--operator-pin-env NAME] [--headless]",
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
	uri := fs.String("token", "", "the custodian's own token: pkcs11: `URI` (the keys are made on it)")
	apPath := fs.String("approval-key", "", "import the custodian's existing approval public key (`PEM` file) instead of making one")
	shPath := fs.String("share-key", "", "import the custodian's existing share (key-agreement) public key (`PEM` file)")
	pin := addPINFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	imported := *apPath != "" || *shPath != ""
	switch {
	case *name == "":
		return usageErr("--name is required")
	case imported && (*uri != "" || *apPath == "" || *shPath == ""):
		return usageErr("import both --approval-key and --share-key, without --token")
	case !imported && *uri == "":
		return usageErr("--token (keys made on the custodian's token) or --approval-key and --share-key (keys imported) is required")
	}
	var ap, sp crypto.PublicKey
	var err error
	if imported {
		ap, sp, err = importEnrolKeys(*apPath, *shPath)
	} else {
		ap, sp, err = makeEnrolKeys(e, *name, *uri, pin)
	}
	if err != nil {
		return err
	}
	return printEnrolment(e, *name, ap, sp, imported)
}

// makeEnrolKeys makes the approval key and the share key on the
// custodian's own token; neither private half ever leaves it.
func makeEnrolKeys(e *env, name, uri string, pin *pinFlags) (crypto.PublicKey, crypto.PublicKey, error) {
	tok, err := openTokenFor(e, uri, pin, fmt.Sprintf("%s's token", name))
	if err != nil {
		return nil, nil, err
	}
	defer tok.Close()
	ak, err := tok.GenerateKey(approvalKeyLabel, hsm.ECDSAP256)
	if err != nil {
		return nil, nil, fmt.Errorf("approval key: %w", err)
	}
	sk, err := tok.GenerateAgreementKey(shareKeyLabel)
	if err != nil {
		return nil, nil, fmt.Errorf("share key: %w", err)
	}
	return ak.Public, sk.Public, nil
}

// importEnrolKeys reads a custodian's existing public keys; the policy
// parser checks their kinds when the genesis policy is made.
func importEnrolKeys(apPath, shPath string) (crypto.PublicKey, crypto.PublicKey, error) {
	var keys [2]crypto.PublicKey
	for i, p := range []string{apPath, shPath} {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		if keys[i], err = policy.ParsePublicKeyPEM(string(b)); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return keys[0], keys[1], nil
}

// printEnrolment prints the fingerprints, in hex and as PGP words to read
// aloud, and the custodian's policy entry.
func printEnrolment(e *env, name string, ap, sp crypto.PublicKey, imported bool) error {
	var pems [2][]byte
	for i, k := range []crypto.PublicKey{ap, sp} {
		b, err := envelope.MarshalPublicKeyPEM(k)
		if err != nil {
			return err
		}
		pems[i] = b
	}
	how := "made on their token"
	if imported {
		how = "imported: the custodian reads the words from their own copy while you compare"
	}
	fmt.Fprintf(e.stdout, "# %s (%s): read these fingerprints aloud and compare them with the policy\n", name, how)
	for i, k := range []crypto.PublicKey{ap, sp} {
		fp, err := policy.Fingerprint(k)
		if err != nil {
			return err
		}
		d, err := ceremony.ParseDigest(fp)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "# %-12s %s\n#   %s\n", []string{"approval key", "share key"}[i], fp, strings.Join(d.Words(), " "))
	}
	fmt.Fprintf(e.stdout, "  - name: %s\n    role: custodian\n    approval_key: |\n      %s\n    share_key: |\n      %s\n", name, indentPEM(pems[0]), indentPEM(pems[1]))
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
	headless := fs.Bool("headless", false, "never open the TUI: PINs from the flags, or prompted line by line")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	// On a terminal with no PIN flags, the TUI asks for the PINs and shows
	// the paper log; the date then defaults to the machine's, shown there
	// to confirm aloud.
	inTUI := !*headless && isTerminal(e.stdin) && isTerminalWriter(e.stdout) &&
		founders.fd < 0 && founders.envs == "" && op.pin.fd < 0 && op.pin.env == ""
	if *date == "" && inTUI {
		*date = e.now().Format("2006-01-02")
	}
	if *ws == "" || *tmpl == "" || *date == "" || *label == "" || *auditURI == "" {
		return usageErr("--workspace, --policy, --date, --label and --audit-token are required")
	}
	raw, err := os.ReadFile(*tmpl)
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
	o := appliance.InitOptions{Root: root, Module: *module, ApplianceLabel: *label, AuditToken: *auditURI,
		Founders: ps, Date: *date, Now: e.now}
	if inTUI {
		return runGenesisTUI(e, o, raw)
	}
	// A founder the template names without keys enrols now, on their own
	// token; their PIN is read once for both the enrolment and the genesis
	// approval (a --founder-pin-env variable is gone after one read).
	for i := range o.Founders {
		var wipe func()
		o.Founders[i].PIN, wipe = readPINOnce(o.Founders[i].PIN)
		defer wipe()
	}
	if err := appliance.CheckFresh(root); err != nil {
		return applianceErr(err)
	}
	raw, enrolled, err := appliance.EnrolFounders(raw, o.Founders)
	if err != nil {
		return applianceErr(err)
	}
	if o.Keys, o.Policy, err = appliance.FromTemplate(raw); err != nil {
		return err
	}
	o.AuditPIN = op.pin.source(e, "the audit token (operator)")
	g, err := appliance.Init(o)
	if err != nil {
		return applianceErr(err)
	}
	for _, en := range enrolled {
		fmt.Fprintf(e.stdout, "founder %s enrolled on their token: read these aloud\n", en.Name)
		for _, fp := range []string{en.ApprovalFP, en.ShareFP} {
			if d, err := ceremony.ParseDigest(fp); err == nil {
				fmt.Fprintf(e.stdout, "  %s\n    %s\n", fp, strings.Join(d.Words(), " "))
			}
		}
	}
	printGenesis(e, g, enrolled)
	return nil
}

// readPINOnce wraps a PIN source so it is read once and served as copies
// until wipe is called.
func readPINOnce(src hsm.PINFunc) (hsm.PINFunc, func()) {
	var pin []byte
	var err error
	read := false
	get := func() ([]byte, error) {
		if !read {
			pin, err = src()
			read = true
		}
		if err != nil {
			return nil, err
		}
		return append([]byte(nil), pin...), nil
	}
	return get, func() { clear(pin) }
}

// printGenesis prints the lines that go into the paper log.
func printGenesis(e *env, g *appliance.Genesis, enrolled []appliance.Enrolled) {
	fmt.Fprintf(e.stdout, "appliance %s initialised on %s\npaper log:\n", g.ID, g.ApplianceURI)
	for _, l := range append(appliance.EnrolmentLines(enrolled), g.PaperLog()...) {
		fmt.Fprintf(e.stdout, "  %s\n", l)
	}
}

// runGenesisTUI is `signbox init` in the TUI: the same appliance.Init,
// with the PINs typed into the TUI's PIN fields.
func runGenesisTUI(e *env, o appliance.InitOptions, tmpl []byte) error {
	door, err := appliance.NewGenesisDoor(o, tmpl)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = tui.Run(ctx, nil, tui.Options{Date: o.Date, Start: tui.ScreenGenesis, Genesis: door,
		NoColor: e.getenv("NO_COLOR") != ""}, e.stdin, e.stdout)
	if err != nil {
		return fmt.Errorf("tui: %w", err)
	}
	if door.Made() {
		fmt.Fprintf(e.stdout, "signbox init: appliance made in %s; open it with `signbox open --workspace %s`\n", o.Root, o.Root)
	}
	return nil
}
