package main

import (
	"fmt"
	"os"

	"signbox/hsm/softhsm"
)

// `signbox testonly softhsm-token [--pin-env NAME] [--so-pin-env NAME] DIR
// LABEL` initialises a SoftHSM token in DIR (made if missing) through
// PKCS#11, so no PIN is ever on a command line, and prints its URI. Each
// `exec signbox` is its own process, so scripts point SOFTHSM2_CONF at
// DIR/softhsm2.conf for the commands that follow.
func init() {
	register(&command{path: "testonly softhsm-token", usage: "[--pin-env NAME] [--so-pin-env NAME] DIR LABEL",
		summary: "test only: make a SoftHSM token", run: runSoftHSMToken})
}

func runSoftHSMToken(e *env, args []string) error {
	fs := newFlags(e, "testonly softhsm-token")
	userEnv := fs.String("pin-env", "USER_PIN", "user PIN variable `NAME`")
	soEnv := fs.String("so-pin-env", "SO_PIN", "security officer PIN variable `NAME`")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return usageErr("want DIR LABEL")
	}
	d, err := softhsm.NewDir(rest[0], softhsm.WithModule(defaultModule(e)))
	if err != nil {
		return err
	}
	userPIN, err := pinFromEnv(e, *userEnv, "")
	if err != nil {
		return err
	}
	soPIN, err := pinFromEnv(e, *soEnv, "")
	if err != nil {
		return err
	}
	info, err := d.InitToken(rest[1], userPIN, soPIN)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, info.URI)
	return nil
}

// `signbox testonly cat OUT FILE...` concatenates files, so scripts can
// assemble a policy template from the custodians' enrolment output.
func init() {
	register(&command{path: "testonly cat", usage: "OUT FILE...", summary: "test only: concatenate files",
		run: func(e *env, args []string) error {
			if len(args) < 2 {
				return usageErr("want OUT FILE...")
			}
			var out []byte
			for _, f := range args[1:] {
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				out = append(out, b...)
			}
			return os.WriteFile(args[0], out, 0o644)
		}})
}
