package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"signbox/anchor"
	"signbox/appliance"
	"signbox/hsm"
)

// operatorFlags are how the operator's audit-token PIN reaches a command
// that opens the appliance: a descriptor, a named environment variable,
// or the terminal. The appliance token itself takes no PIN from anyone.
type operatorFlags struct{ pin pinFlags }

func addOperatorFlags(fs *flag.FlagSet) *operatorFlags {
	o := &operatorFlags{pin: pinFlags{fd: -1, flag: "operator-"}}
	fs.IntVar(&o.pin.fd, "operator-pin-fd", -1, "read the operator's audit-token PIN from descriptor `N`")
	fs.StringVar(&o.pin.env, "operator-pin-env", "", "read the operator's audit-token PIN from environment variable `NAME`")
	return o
}

// openAppliance opens the workspace's appliance: every mutating command
// goes through this door, as the TUI does, so each step is checked
// against the HSM anchor and recorded in the audit log.
func openAppliance(e *env, ws string, op *operatorFlags) (*appliance.Appliance, error) {
	if ws == "" {
		return nil, usageErr("--workspace is required")
	}
	a, err := appliance.Open(appliance.Config{Root: ws, AuditPIN: op.pin.source(e, "the audit token (operator)"), Operator: "operator", Now: e.now})
	if err != nil {
		return nil, applianceErr(err)
	}
	return a, nil
}

func applianceErr(err error) error {
	switch {
	case errors.Is(err, anchor.ErrMismatch):
		return withHint(err, "a workspace file differs from what the quorum pinned in the HSM; restore it from backup or the exported record, and investigate who changed it")
	case errors.Is(err, appliance.ErrNoAnchor):
		return withHint(err, "an appliance workspace is made with `signbox init`")
	case errors.Is(err, hsm.ErrPINIncorrect):
		return withHint(err, "check the PIN before retrying: repeated wrong PINs may lock the token")
	}
	return ceremonyErr(err)
}

// unlockFlags name the custodians who present their tokens so the
// appliance token can be unlocked: --unlock NAME=URI, repeated, with the
// PINs from --unlock-pin-fd (one line each, in order), --unlock-pin-env
// (variable names, comma-separated, in order) or the terminal.
type unlockFlags struct {
	name string // the flag: "unlock" or "founder"
	who  listFlag
	fd   int
	envs string
}

func addUnlockFlags(fs *flag.FlagSet) *unlockFlags {
	return addPresenterFlags(fs, "unlock", "a custodian presenting their token: `NAME=URI` (repeat up to the threshold)")
}

// addPresenterFlags registers --NAME NAME=URI (repeated) with its PIN
// sources --NAME-pin-fd and --NAME-pin-env.
func addPresenterFlags(fs *flag.FlagSet, name, usage string) *unlockFlags {
	u := &unlockFlags{name: name, fd: -1}
	fs.Var(&u.who, name, usage)
	fs.IntVar(&u.fd, name+"-pin-fd", -1, "read their PINs from descriptor `N`, one line each, in --"+name+" order")
	fs.StringVar(&u.envs, name+"-pin-env", "", "environment variable `NAMES`, comma-separated, in --"+name+" order")
	return u
}

type presenter struct{ name, uri string }

func (u *unlockFlags) parse() ([]presenter, error) {
	var out []presenter
	for _, w := range u.who {
		n, uri, ok := strings.Cut(w, "=")
		if !ok || n == "" || uri == "" {
			return nil, usageErr("--%s wants NAME=URI, got %q", u.name, w)
		}
		out = append(out, presenter{n, uri})
	}
	if u.envs != "" && len(strings.Split(u.envs, ",")) != len(out) {
		return nil, usageErr("--%s-pin-env names %d variables for %d --%s custodians", u.name, len(strings.Split(u.envs, ",")), len(out), u.name)
	}
	return out, nil
}

// pin returns the PIN source for the i-th presenter.
func (u *unlockFlags) pin(e *env, i int, name string) hsm.PINFunc {
	p := pinFlags{fd: u.fd, flag: u.name + "-"}
	if u.envs != "" {
		p.env = strings.Split(u.envs, ",")[i]
	}
	return p.source(e, fmt.Sprintf("%s's token", name))
}

// presenters turns the flags into appliance presenters.
func (u *unlockFlags) presenters(e *env) ([]appliance.Presenter, error) {
	who, err := u.parse()
	if err != nil {
		return nil, err
	}
	var ps []appliance.Presenter
	for i, p := range who {
		ps = append(ps, appliance.Presenter{Name: p.name, TokenURI: p.uri, PIN: u.pin(e, i, p.name)})
	}
	return ps, nil
}
