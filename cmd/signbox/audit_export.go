package main

import (
	"errors"
	"fmt"
	"time"

	"signbox/appliance"
	"signbox/audit"
	"signbox/hsm"
	"signbox/policy"
)

func init() {
	register(&command{
		path:    "audit export",
		usage:   "--workspace WS --token URI [--pin-fd N | --pin-env NAME] OUT",
		summary: "seal and export the appliance audit log for an auditor",
		run:     runAuditExport,
		locks:   lockWorkspace,
	})
}

// openAudit opens the workspace's audit log (appliance.OpenAudit) with the
// operator's next step on a policy whose audit keys are not active yet.
func openAudit(root string, p *policy.Policy, tok *hsm.Token, now time.Time) (*audit.Log, error) {
	l, err := appliance.OpenAudit(root, p, tok, now)
	if errors.Is(err, appliance.ErrNoAuditKeys) {
		return nil, withHint(err, "run a key-generation ceremony for them first")
	}
	return l, err
}

func runAuditExport(e *env, args []string) error {
	fs := newFlags(e, "audit export")
	ws := fs.String("workspace", "", "workspace `directory`")
	uri := fs.String("token", "", "pkcs11: `URI` of the appliance token")
	pin := addPINFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want exactly one OUT directory")
	}
	w, err := openWorkspace(*ws)
	if err != nil {
		return err
	}
	p, err := w.Policy()
	if err != nil {
		return err
	}
	tok, err := openTokenFor(e, *uri, pin, "appliance token")
	if err != nil {
		return err
	}
	defer tok.Close()
	l, err := openAudit(w.Root(), p, tok, e.now())
	if err != nil {
		return err
	}
	sh, err := l.Export(pos[0], e.now())
	if cerr := l.Close(e.now()); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "exported %d entries to %s\nvkey %s\ncheckpoint (copy into the paper log):\n%s",
		sh.Size, pos[0], l.VerifierKey(), sh.Note)
	return nil
}
