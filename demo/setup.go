package demo

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"signbox/appliance"
	"signbox/hsm"
	"signbox/hsm/softhsm"
	"signbox/internal/atomicfile"
	"signbox/policy"
	"signbox/vuln"
)

// Options configure a demo.
type Options struct {
	Root   string // the demo workspace; Setup refuses an existing one
	Module string // SoftHSM2 PKCS#11 module
	// ApplianceModule is the PKCS#11 module of the appliance token, to
	// rehearse on another implementation; "" means Module.
	ApplianceModule string
	Date            string // ceremony date, YYYY-MM-DD, confirmed by the operator
	Now             func() time.Time
	Log             io.Writer // narration; nil for none
}

// Demo is a set-up demo workspace.
type Demo struct {
	Layout
	Module string
	// ApplianceModule is the appliance token's module (Options).
	ApplianceModule string
	AuditURI        string
	Custodian       map[string]string // name → token URI
}

// ErrExists reports a demo workspace that is already there: signbox never
// overwrites one, so a second `signbox demo` reuses it (see Open).
var ErrExists = errors.New("demo workspace already exists")

// Setup creates the whole demo: tokens and keys, policy, feed, the factory
// release through a real ceremony, the provisioned device, the
// release manager's pre-triage, and the next release's request media.
func Setup(o Options) (*Demo, error) {
	if o.Now == nil || o.Date == "" {
		return nil, errors.New("demo: Options.Now and Options.Date are required")
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if err := os.Mkdir(o.Root, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%s: %w", o.Root, ErrExists)
		}
		return nil, err
	}
	d := &Demo{Layout: Layout{Root: o.Root}, Module: o.Module, ApplianceModule: o.ApplianceModule, Custodian: map[string]string{}}
	if d.ApplianceModule == "" {
		d.ApplianceModule = o.Module
	}
	steps := []struct {
		what string
		run  func(*Demo, Options) error
	}{
		{"HSM tokens and keys", (*Demo).makeTokens},
		{"OSV snapshot import", (*Demo).importFeed},
		{"factory release " + FactoryVersion + " through a 2-of-3 ceremony", (*Demo).factoryRelease},
		{"release manager's pre-triage", (*Demo).preTriage},
		{"release request " + NextVersion + " on media", (*Demo).nextRequest},
	}
	for i, st := range steps {
		fmt.Fprintf(o.Log, "demo setup %d/%d: %s\n", i+1, len(steps), st.what)
		if err := st.run(d, o); err != nil {
			return nil, fmt.Errorf("demo setup: %s: %w", st.what, err)
		}
	}
	return d, nil
}

// Open finds the tokens of a demo workspace made earlier.
func Open(root, module string) (*Demo, error) {
	d := &Demo{Layout: Layout{Root: root}, Module: module, Custodian: map[string]string{}}
	if _, err := os.Stat(filepath.Join(root, "policy.yaml")); err != nil {
		return nil, fmt.Errorf("%s is not a demo workspace: %w", root, err)
	}
	if _, err := softhsm.NewDir(d.HSM(), softhsm.WithModule(module)); err != nil {
		return nil, err
	}
	toks, err := hsm.ListTokens(module)
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		switch t.Label {
		case ApplianceLabel:
		case AuditLabel:
			d.AuditURI = t.URI
		default:
			d.Custodian[t.Label] = t.URI
		}
	}
	if d.AuditURI == "" {
		return nil, fmt.Errorf("%s: no audit token under %s (is SOFTHSM2_CONF=%s set?)", root, d.HSM(), d.ConfPath())
	}
	return d, nil
}

// Appliance opens the demo's appliance, with its emulated device. Only the
// operator's audit PIN is given: the appliance token stays locked until
// the custodians' shares open it inside a ceremony.
func (d *Demo) Appliance(now func() time.Time, operator string) (*appliance.Appliance, error) {
	return appliance.Open(appliance.Config{
		Root: d.Root, AuditPIN: func() ([]byte, error) { return OperatorPIN(), nil },
		Device: d.Device(), Operator: operator, Now: now,
	})
}

// applianceKeys are the appliance's keys. ESP32-C3 Secure Boot V2 takes
// RSA-3072 only; two slots are active so that one can be revoked later
// without bricking a device. The audit keys go to the operator's audit
// token; the signing keys are wrappable for the backup ceremony.
var applianceKeys = []appliance.KeySpec{
	{Label: "sbv2-slot0", Alg: hsm.RSA3072, Backup: true},
	{Label: "sbv2-slot1", Alg: hsm.RSA3072, Backup: true},
	{Label: "release-bundle", Alg: hsm.ECDSAP256, Backup: true},
	{Label: SecondKey, Alg: hsm.ECDSAP256, Backup: true}, // the wearable's MCUboot firmware key
	{Label: "audit-mac", Alg: hsm.HMACSHA256, Audit: true},
	{Label: "audit-checkpoint", Alg: hsm.Ed25519, Audit: true},
}

func (d *Demo) makeTokens(o Options) error {
	dir, err := softhsm.NewDir(d.HSM(), softhsm.WithModule(d.Module))
	if err != nil {
		return err
	}
	pems, shares, err := d.custodianTokens(dir)
	if err != nil {
		return err
	}
	audit, err := dir.InitToken(AuditLabel, OperatorPIN(), []byte("operator-so-pin"))
	if err != nil {
		return err
	}
	d.AuditURI = audit.URI
	g, err := appliance.Init(appliance.InitOptions{
		Root: d.Root, Module: d.ApplianceModule, ApplianceLabel: ApplianceLabel,
		AuditToken: audit.URI, AuditPIN: func() ([]byte, error) { return OperatorPIN(), nil },
		Keys:     applianceKeys,
		Policy:   func(fps map[string]string) ([]byte, error) { return policyYAML(pems, shares, fps), nil },
		Founders: d.founders(), Date: o.Date, Now: o.Now,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Log, "  appliance %s: token PINs split %d of %d among %v; anchor #%d\n", g.ID,
		g.Policy.Custody().Threshold, len(g.Policy.Custody().Holders), Custodians, g.Anchor.Counter)
	return d.writeReleaseKey(g)
}

// custodianTokens makes each custodian's token with an approval key and a
// key-agreement key for their share.
func (d *Demo) custodianTokens(dir *softhsm.Dir) (approval, share map[string]string, err error) {
	approval, share = map[string]string{}, map[string]string{}
	for _, name := range Custodians {
		info, err := dir.InitToken(name, PIN(name), []byte(name+"-so-pin"))
		if err != nil {
			return nil, nil, err
		}
		d.Custodian[name] = info.URI
		if err := withToken(info.URI, PIN(name), func(t *hsm.Token) error {
			ki, err := t.GenerateKey("approval", hsm.ECDSAP256)
			if err != nil {
				return err
			}
			if approval[name], err = publicPEM(ki.Public); err != nil {
				return err
			}
			sk, err := t.GenerateAgreementKey(ShareKeyLabel)
			if err != nil {
				return err
			}
			share[name], err = publicPEM(sk.Public)
			return err
		}); err != nil {
			return nil, nil, err
		}
	}
	return approval, share, nil
}

// writeReleaseKey puts the release-bundle public key on the media, where
// a device team or auditor picks it up to verify bundles without a secret.
func (d *Demo) writeReleaseKey(g *appliance.Genesis) error {
	pub, err := d.ReleasePublicKey(g.Policy)
	if err != nil {
		return err
	}
	p, err := publicPEM(pub)
	if err != nil {
		return err
	}
	// The export media: appliance refuses to export to a missing directory.
	if err := os.MkdirAll(d.Out(), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteNew(d.ReleaseKey(), []byte(p), 0o644)
}

func withToken(uri string, pin []byte, f func(*hsm.Token) error) error {
	t, err := hsm.Open(uri, func() ([]byte, error) { return pin, nil })
	if err != nil {
		return err
	}
	err = f(t)
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	return err
}

func publicPEM(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// importFeed writes the shipped OSV snapshot as media with its manifest,
// then imports it the way `signbox vuln import` does.
func (d *Demo) importFeed(o Options) error {
	zip, err := data.ReadFile(feedZip)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(d.Feed(), "Go"), 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteNew(filepath.Join(d.Feed(), "Go", "all.zip"), zip, 0o644); err != nil {
		return err
	}
	created, err := time.Parse(time.RFC3339, feedSnapshot)
	if err != nil {
		return err
	}
	man, err := vuln.WriteManifest(d.Feed(), created, "golang/vulndb data/osv (commit a752ea54)")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteNew(filepath.Join(d.Feed(), vuln.ManifestName), man, 0o644); err != nil {
		return err
	}
	day, err := time.Parse("2006-01-02", o.Date)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(appliance.FeedDir(d.Root)), 0o700); err != nil {
		return err
	}
	_, err = vuln.Import(d.Feed(), appliance.FeedDir(d.Root), vuln.Freshness{CeremonyDate: day, MaxAge: demoFeedAge})
	return err
}

// ReleasePublicKey reads the release-bundle public key from the appliance
// token's public objects (no PIN), checked against the fingerprint that p
// (or, if nil, the workspace policy) pins.
func (d *Demo) ReleasePublicKey(p *policy.Policy) (crypto.PublicKey, error) {
	if p == nil {
		b, err := os.ReadFile(filepath.Join(d.Root, "policy.yaml"))
		if err != nil {
			return nil, err
		}
		if p, err = policy.Parse(b); err != nil {
			return nil, err
		}
	}
	wc, err := appliance.ReadConfig(d.Root)
	if err != nil {
		return nil, err
	}
	tok, err := hsm.OpenPublic(wc.ApplianceToken)
	if err != nil {
		return nil, err
	}
	defer tok.Close()
	keys, err := tok.PublicKeys()
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.Fingerprint == p.Keys.ReleaseBundle.Fingerprint {
			return k.Public, nil
		}
	}
	return nil, fmt.Errorf("the appliance token has no public key %s", p.Keys.ReleaseBundle.Fingerprint)
}

// founders are the three demo custodians with their tokens, who approve
// the genesis policy.
func (d *Demo) founders() []appliance.Presenter {
	var out []appliance.Presenter
	for _, name := range Custodians {
		pin := PIN(name)
		out = append(out, appliance.Presenter{Name: name, TokenURI: d.Custodian[name], PIN: func() ([]byte, error) { return append([]byte(nil), pin...), nil }})
	}
	return out
}
