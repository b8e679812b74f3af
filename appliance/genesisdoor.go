package appliance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"signbox/ceremony"
	"signbox/hsm"
	"signbox/policy"
	"signbox/tui/api"
)

// GenesisDoor is Init behind the TUI's api.Genesis: the options and
// founders come from the command line, the PINs from the terminal.
type GenesisDoor struct {
	opts InitOptions // PIN sources unset: Run fills them
	plan api.GenesisPlan
	made atomic.Bool
}

// Made reports whether a Run made the appliance.
func (d *GenesisDoor) Made() bool { return d.made.Load() }

// NewGenesisDoor checks the template and describes what Init will make.
// o's Founders name the founders and their tokens; their PIN sources and
// AuditPIN are ignored.
func NewGenesisDoor(o InitOptions, tmpl []byte) (*GenesisDoor, error) {
	p, err := policy.Parse(tmpl)
	if err != nil {
		return nil, fmt.Errorf("policy template: %w", err)
	}
	plan := api.GenesisPlan{Workspace: o.Root, Module: o.Module, ApplianceLabel: o.ApplianceLabel, AuditToken: o.AuditToken,
		Date: o.Date, Policy: p.Name, Serial: int(p.Serial), Threshold: p.Custody().Threshold}
	for _, k := range o.Keys {
		where := "appliance"
		if k.Audit {
			where = "audit"
		}
		plan.Keys = append(plan.Keys, api.GenesisKey{Label: k.Label, Algorithm: string(k.Alg), Token: where, Backup: k.Backup})
	}
	for _, f := range o.Founders {
		af := api.Founder{Name: f.Name, Token: f.TokenURI}
		if c := p.Custodian(f.Name); c != nil {
			af.ApprovalKey, af.ShareKey = c.Fingerprint(), c.ShareFingerprint()
			af.ApprovalWords, af.ShareWords = fingerprintWords(af.ApprovalKey), fingerprintWords(af.ShareKey)
		}
		plan.Founders = append(plan.Founders, af)
	}
	return &GenesisDoor{opts: o, plan: plan}, nil
}

// Plan implements api.Genesis.
func (d *GenesisDoor) Plan() api.GenesisPlan { return d.plan }

// Run implements api.Genesis: Init with the typed PINs.
func (d *GenesisDoor) Run(_ context.Context, pins map[string][]byte) (api.GenesisResult, error) {
	o := d.opts
	o.AuditPIN = pinFrom(pins, api.AuditPINKey)
	o.Founders = append([]Presenter(nil), o.Founders...)
	for i := range o.Founders {
		if _, ok := pins[o.Founders[i].Name]; !ok {
			return api.GenesisResult{}, fmt.Errorf("no PIN for founder %s", o.Founders[i].Name)
		}
		o.Founders[i].PIN = pinFrom(pins, o.Founders[i].Name)
	}
	g, err := Init(o)
	if err != nil {
		if errors.Is(err, hsm.ErrPINIncorrect) || errors.Is(err, hsm.ErrPINLocked) {
			next := "nothing was made; check which token refused the PIN and type them again"
			if flags := d.pinFlags(); flags != "" {
				next = flags + "; " + next
			}
			return api.GenesisResult{}, hint(err, next)
		}
		return api.GenesisResult{}, err
	}
	d.made.Store(true)
	d2, err := ceremony.ParseDigest(g.Policy.Digest())
	if err != nil {
		return api.GenesisResult{}, err
	}
	return api.GenesisResult{ApplianceID: g.ID, ApplianceURI: g.ApplianceURI, PolicyDigest: g.Policy.Digest(),
		PolicyWords: d2.Words(), PaperLog: g.PaperLog()}, nil
}

// pinFrom hands hsm a copy of a typed PIN; the caller zeroes its own.
func pinFrom(pins map[string][]byte, who string) hsm.PINFunc {
	return func() ([]byte, error) {
		p, ok := pins[who]
		if !ok {
			return nil, fmt.Errorf("no PIN typed for %q", who)
		}
		return append([]byte(nil), p...), nil
	}
}

// fingerprintWords is a "sha256:…" fingerprint as PGP words; nil for "".
func fingerprintWords(fp string) []string {
	d, err := ceremony.ParseDigest(fp)
	if err != nil {
		return nil
	}
	return d.Words()
}

// pinFlags says what the genesis tokens report of their user PINs after a
// refusal ("bob's token: final try before it locks"), "" when none warns.
func (d *GenesisDoor) pinFlags() string {
	whose := map[string]string{}
	if u, err := hsm.ParseURI(d.opts.AuditToken); err == nil && u.Token != "" {
		whose[u.Token] = "the audit token"
	}
	for _, f := range d.opts.Founders {
		if u, err := hsm.ParseURI(f.TokenURI); err == nil && u.Token != "" {
			whose[u.Token] = f.Name + "'s token"
		}
	}
	toks, err := hsm.ListTokens(d.opts.Module)
	if err != nil {
		return ""
	}
	var out []string
	for _, t := range toks {
		who, ok := whose[t.Label]
		switch {
		case !ok:
		case t.PINLocked:
			out = append(out, who+": PIN locked (the security officer resets it)")
		case t.PINFinalTry:
			out = append(out, who+": final try before it locks")
		case t.PINCountLow:
			out = append(out, who+": a wrong PIN was typed")
		}
	}
	return strings.Join(out, "; ")
}
