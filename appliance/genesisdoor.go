package appliance

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"signbox/airgap/envelope"
	"signbox/ceremony"
	"signbox/hsm"
	"signbox/policy"
	"signbox/tui/api"
)

// GenesisDoor is Init behind the TUI's api.Genesis: the options and
// founders come from the command line, the PINs from the terminal.
type GenesisDoor struct {
	opts InitOptions // PIN sources unset: Run fills them
	tmpl []byte      // the genesis template; founders without keys are enrolled by Run
	plan api.GenesisPlan
	made atomic.Bool
}

// Made reports whether a Run made the appliance.
func (d *GenesisDoor) Made() bool { return d.made.Load() }

// NewGenesisDoor checks the template and describes what Init will make.
// o's Founders name the founders and their tokens; their PIN sources,
// AuditPIN, Keys and Policy are ignored: Run takes them from the template
// once every founder it leaves without keys is enrolled.
func NewGenesisDoor(o InitOptions, tmpl []byte) (*GenesisDoor, error) {
	todo, err := policy.Unenrolled(tmpl)
	if err != nil {
		return nil, fmt.Errorf("policy template: %w", err)
	}
	preview, p, err := previewPolicy(tmpl, todo)
	if err != nil {
		return nil, fmt.Errorf("policy template: %w", err)
	}
	keys, _, err := FromTemplate(preview)
	if err != nil {
		return nil, err
	}
	plan := api.GenesisPlan{Workspace: o.Root, Module: o.Module, ApplianceLabel: o.ApplianceLabel, AuditToken: o.AuditToken,
		Date: o.Date, Policy: p.Name, Serial: int(p.Serial), Threshold: p.Custody().Threshold}
	for _, k := range keys {
		where := "appliance"
		if k.Audit {
			where = "audit"
		}
		plan.Keys = append(plan.Keys, api.GenesisKey{Label: k.Label, Algorithm: string(k.Alg), Token: where, Backup: k.Backup})
	}
	unenrolled := map[string]bool{}
	for _, n := range todo {
		unenrolled[n] = true
	}
	for _, f := range o.Founders {
		af := api.Founder{Name: f.Name, Token: f.TokenURI, Enrol: unenrolled[f.Name]}
		if c := p.Custodian(f.Name); c != nil && !af.Enrol {
			af.ApprovalKey, af.ShareKey = c.Fingerprint(), c.ShareFingerprint()
			af.ApprovalWords, af.ShareWords = fingerprintWords(af.ApprovalKey), fingerprintWords(af.ShareKey)
		}
		plan.Founders = append(plan.Founders, af)
	}
	return &GenesisDoor{opts: o, tmpl: tmpl, plan: plan}, nil
}

// previewPolicy parses the template for the plan screen, with throwaway
// in-memory keys standing in for the founders still to enrol (they make
// theirs on their own tokens in Run; these are never written anywhere).
func previewPolicy(tmpl []byte, todo []string) ([]byte, *policy.Policy, error) {
	for _, name := range todo {
		ak, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		sk, err := ecdh.P256().GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		ap, err := envelope.MarshalPublicKeyPEM(&ak.PublicKey)
		if err != nil {
			return nil, nil, err
		}
		sp, err := envelope.MarshalPublicKeyPEM(sk.PublicKey())
		if err != nil {
			return nil, nil, err
		}
		if tmpl, err = policy.Enrol(tmpl, name, string(ap), string(sp)); err != nil {
			return nil, nil, err
		}
	}
	p, err := policy.Parse(tmpl)
	return tmpl, p, err
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
	if err := CheckFresh(o.Root); err != nil {
		return api.GenesisResult{}, err
	}
	tmpl, enrolled, err := EnrolFounders(d.tmpl, o.Founders)
	if err != nil {
		return api.GenesisResult{}, d.explain(err)
	}
	if o.Keys, o.Policy, err = FromTemplate(tmpl); err != nil {
		return api.GenesisResult{}, err
	}
	g, err := Init(o)
	if err != nil {
		return api.GenesisResult{}, d.explain(err)
	}
	d.made.Store(true)
	d2, err := ceremony.ParseDigest(g.Policy.Digest())
	if err != nil {
		return api.GenesisResult{}, err
	}
	return api.GenesisResult{ApplianceID: g.ID, ApplianceURI: g.ApplianceURI, PolicyDigest: g.Policy.Digest(),
		PolicyWords: d2.Words(), PaperLog: append(EnrolmentLines(enrolled), g.PaperLog()...)}, nil
}

// explain adds to a refused PIN what the tokens report of their PINs.
func (d *GenesisDoor) explain(err error) error {
	if !errors.Is(err, hsm.ErrPINIncorrect) && !errors.Is(err, hsm.ErrPINLocked) {
		return err
	}
	next := "no appliance was made (keys a founder's token made when enrolling stay there and are used next time); check which token refused the PIN and type them again"
	if flags := d.pinFlags(); flags != "" {
		next = flags + "; " + next
	}
	return hint(err, next)
}

// EnrolmentLines are the paper-log lines of the founders enrolled at
// genesis.
func EnrolmentLines(es []Enrolled) []string {
	var out []string
	for _, e := range es {
		how := "made on their token"
		if e.Found {
			how = "found on their token"
		}
		out = append(out, fmt.Sprintf("founder %s enrolled (%s): approval key %s share key %s", e.Name, how, e.ApprovalFP, e.ShareFP))
	}
	return out
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
