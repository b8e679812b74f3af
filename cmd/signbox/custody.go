package main

import (
	"fmt"

	"signbox/appliance"
)

func init() {
	register(&command{path: "custody restore",
		usage:   "--workspace WS --backup DIR --label LABEL [--module PATH] --unlock NAME=URI... [--unlock-pin-fd N|--unlock-pin-env A,B] [--operator-pin-fd N|--operator-pin-env NAME]",
		summary: "restore the appliance keys from a backup onto a fresh token, with the custodians' shares",
		run:     runCustodyRestore, locks: lockWorkspace})
}

func runCustodyRestore(e *env, args []string) error {
	fs := newFlags(e, "custody restore")
	ws := fs.String("workspace", "", "workspace `directory`")
	backup := fs.String("backup", "", "backup `directory` written by `ceremony run --backup`")
	label := fs.String("label", "", "`label` for the fresh appliance token (its free slot is initialised now)")
	module := fs.String("module", defaultModule(e), "PKCS#11 module `path` of the fresh token")
	un := addUnlockFlags(fs)
	op := addOperatorFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ws == "" || *backup == "" || *label == "" {
		return usageErr("--workspace, --backup and --label are required")
	}
	ps, err := un.presenters(e)
	if err != nil {
		return err
	}
	res, err := appliance.Restore(appliance.RestoreOptions{Root: *ws, Backup: *backup, Module: *module, Label: *label,
		Custodians: ps, AuditPIN: op.pin.source(e, "the audit token (operator)"), Now: e.now})
	if err != nil {
		return applianceErr(err)
	}
	fmt.Fprintf(e.stdout, "restored %d keys onto %s\nHSM anchor #%d (check it against the paper log)\n", len(res.Keys), res.TokenURI, res.Anchor)
	for _, k := range res.Keys {
		fmt.Fprintf(e.stdout, "  %s\n", k)
	}
	return nil
}
