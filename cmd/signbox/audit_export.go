package main

import (
	"fmt"
)

func init() {
	register(&command{
		path:    "audit export",
		usage:   "--workspace WS [--operator-pin-fd N | --operator-pin-env NAME] OUT",
		summary: "seal and export the appliance audit log for an auditor",
		run:     runAuditExport,
		locks:   lockWorkspace,
	})
}

func runAuditExport(e *env, args []string) error {
	fs := newFlags(e, "audit export")
	ws := fs.String("workspace", "", "workspace `directory`")
	op := addOperatorFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want exactly one OUT directory")
	}
	a, err := openAppliance(e, *ws, op)
	if err != nil {
		return err
	}
	sh, vkey, err := a.ExportAudit(pos[0])
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "exported %d entries to %s\nvkey %s\ncheckpoint (copy into the paper log):\n%s",
		sh.Size, pos[0], vkey, sh.Note)
	return nil
}
