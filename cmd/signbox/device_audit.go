package main

import (
	"errors"
	"fmt"

	"signbox/device/emu"
)

// The emulated device's own audit log (device/emu): every device command
// appends its events when it saves the device; these commands hand the log
// to an auditor, who checks it with `signbox audit verify --vkey`.

func init() {
	register(&command{path: "device audit-export", usage: "--state DIR OUT",
		summary: "seal and export the emulated device's own audit log for an auditor", run: runDeviceAuditExport, locks: lockDevice})
	register(&command{path: "device audit-vkey", usage: "--state DIR",
		summary: "print the checkpoint verifier key to pin for the device's audit log", run: runDeviceAuditVKey})
}

func runDeviceAuditExport(e *env, args []string) error {
	fs := newFlags(e, "device audit-export")
	state := fs.String("state", "", "device state directory")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want exactly one OUT directory")
	}
	d, err := openDevice(e, *state)
	if err != nil {
		return err
	}
	sh, err := d.ExportAudit(pos[0], e.now())
	if err != nil {
		return deviceLogHint(err, *state)
	}
	vkey, _ := d.AuditVerifierKey()
	fmt.Fprintf(e.stdout, "exported %s: %d entries of %s, sealed by a checkpoint\n", pos[0], sh.Size, sh.Origin)
	fmt.Fprintf(e.stdout, "verify: signbox audit verify --vkey %s %s\n", vkey, pos[0])
	return nil
}

func runDeviceAuditVKey(e *env, args []string) error {
	fs := newFlags(e, "device audit-vkey")
	state := fs.String("state", "", "device state directory")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	d, err := openDevice(e, *state)
	if err != nil {
		return err
	}
	vkey, err := d.AuditVerifierKey()
	if err != nil {
		return deviceLogHint(err, *state)
	}
	fmt.Fprintln(e.stdout, vkey)
	return nil
}

func deviceLogHint(err error, state string) error {
	if errors.Is(err, emu.ErrNoAuditLog) {
		return withHint(err, "%s was provisioned before devices kept their own log; provision a new device to get one", state)
	}
	return err
}
