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
	"signbox/vuln"
)

// Options configure a demo.
type Options struct {
	Root   string // the demo workspace; Setup refuses an existing one
	Module string // SoftHSM2 PKCS#11 module
	Date   string // ceremony date, YYYY-MM-DD, confirmed by the operator
	Now    func() time.Time
	Log    io.Writer // narration; nil for none
}

// Demo is a set-up demo workspace.
type Demo struct {
	Layout
	Module       string
	ApplianceURI string
	Custodian    map[string]string // name → token URI
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
	d := &Demo{Layout: Layout{Root: o.Root}, Module: o.Module, Custodian: map[string]string{}}
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
		if t.Label == ApplianceLabel {
			d.ApplianceURI = t.URI
		} else {
			d.Custodian[t.Label] = t.URI
		}
	}
	if d.ApplianceURI == "" {
		return nil, fmt.Errorf("%s: no appliance token under %s (is SOFTHSM2_CONF=%s set?)", root, d.HSM(), d.ConfPath())
	}
	return d, nil
}

// Appliance opens the demo's appliance, with its emulated device.
func (d *Demo) Appliance(now func() time.Time, operator string) (*appliance.Appliance, error) {
	return appliance.Open(appliance.Config{
		Root: d.Root, Module: d.Module, ApplianceToken: d.ApplianceURI,
		PIN:    func() ([]byte, error) { return AppliancePIN(), nil },
		Device: d.Device(), Operator: operator, Now: now,
	})
}

// applianceKeys are the appliance HSM's keys. ESP32-C3 Secure Boot V2
// takes RSA-3072 only; two slots are active so that one can be revoked
// later without bricking a device.
var applianceKeys = []struct {
	label string
	alg   hsm.Algorithm
}{
	{"sbv2-slot0", hsm.RSA3072},
	{"sbv2-slot1", hsm.RSA3072},
	{"release-bundle", hsm.ECDSAP256},
	{"audit-mac", hsm.HMACSHA256},
	{"audit-checkpoint", hsm.Ed25519},
}

func (d *Demo) makeTokens(o Options) error {
	dir, err := softhsm.NewDir(d.HSM(), softhsm.WithModule(d.Module))
	if err != nil {
		return err
	}
	app, err := dir.InitToken(ApplianceLabel, AppliancePIN(), []byte(applianceSOPIN))
	if err != nil {
		return err
	}
	d.ApplianceURI = app.URI
	fps := map[string]string{}
	if err := withToken(app.URI, AppliancePIN(), func(t *hsm.Token) error {
		for _, k := range applianceKeys {
			ki, err := t.GenerateKey(k.label, k.alg)
			if err != nil {
				return fmt.Errorf("generate %s: %w", k.label, err)
			}
			fps[k.label] = ki.Fingerprint
			if k.label == "release-bundle" {
				if err := writeReleaseKey(d, ki.Public); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}
	pems := map[string]string{}
	for _, name := range Custodians {
		info, err := dir.InitToken(name, PIN(name), []byte(name+"-so-pin"))
		if err != nil {
			return err
		}
		d.Custodian[name] = info.URI
		if err := withToken(info.URI, PIN(name), func(t *hsm.Token) error {
			ki, err := t.GenerateKey("approval", hsm.ECDSAP256)
			if err != nil {
				return err
			}
			pems[name], err = publicPEM(ki.Public)
			return err
		}); err != nil {
			return err
		}
	}
	return atomicfile.WriteNew(filepath.Join(d.Root, "policy.yaml"), policyYAML(pems, fps), 0o644)
}

// writeReleaseKey puts the release-bundle public key on the media, where
// a device team or auditor picks it up to verify bundles without a secret.
func writeReleaseKey(d *Demo, pub crypto.PublicKey) error {
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
