package main

import (
	"flag"
	"fmt"

	"signbox/hsm"
)

func init() {
	register(&command{path: "hsm init-token",
		usage:   "--label LABEL [--module PATH] [--pin-fd N|--pin-env NAME] [--so-pin-fd N|--so-pin-env NAME]",
		summary: "initialise the module's first free token (a CI build token, a custodian's new token) with a user and an SO PIN",
		run:     runHSMInitToken})
}

// runHSMInitToken initialises a free token through C_InitToken and
// C_InitPIN, so neither PIN ever appears in argv (softhsm2-util would take
// them there).
func runHSMInitToken(e *env, args []string) error {
	fs := newFlags(e, "hsm init-token")
	label := fs.String("label", "", "token `LABEL` (at most 32 bytes)")
	module := fs.String("module", defaultModule(e), "PKCS#11 module `path`")
	user := addPINFlags(fs)
	so := addSOPINFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *label == "" {
		return usageErr("--label is required")
	}
	userPIN, err := user.source(e, "the new token's user")()
	if err != nil {
		return err
	}
	defer clear(userPIN)
	soPIN, err := so.source(e, "the new token's security officer")()
	if err != nil {
		return err
	}
	defer clear(soPIN)
	info, err := hsm.InitFreeToken(*module, *label, soPIN, userPIN)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, info.URI)
	return nil
}

func addSOPINFlags(fs *flag.FlagSet) *pinFlags {
	p := &pinFlags{fd: -1, flag: "so-"}
	fs.IntVar(&p.fd, "so-pin-fd", -1, "read the security officer PIN from open file descriptor `N` (first line)")
	fs.StringVar(&p.env, "so-pin-env", "", "read the security officer PIN from the environment variable `NAME`")
	return p
}
