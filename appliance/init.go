package appliance

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"signbox/airgap/envelope"
	"signbox/anchor"
	"signbox/audit"
	"signbox/ceremony"
	"signbox/custody"
	"signbox/hsm"
	"signbox/internal/atomicfile"
	"signbox/policy"
)

// The workspace's own media directories, made by Init: the TUI's import
// and export paths default to them.
const (
	MediaInDir  = "media/in"
	MediaOutDir = "media/out"
)

// KeySpec is one key Init makes. Audit keys go to the audit token; every
// other key to the appliance token, wrappable under the backup key when
// Backup is set.
type KeySpec struct {
	Label  string
	Alg    hsm.Algorithm
	Audit  bool
	Backup bool
}

// InitOptions describe an appliance's genesis.
type InitOptions struct {
	Root   string // the workspace directory; must not hold an appliance yet
	Module string
	// ApplianceLabel names the appliance token, initialised now on the
	// module's free slot with random PINs nobody ever sees.
	ApplianceLabel string
	// AuditToken is the operator's token (initialised beforehand) that
	// holds the audit log's keys, opened with AuditPIN.
	AuditToken string
	AuditPIN   hsm.PINFunc
	Keys       []KeySpec
	// Policy renders the genesis policy from the keys just made (label →
	// fingerprint, "" for HMAC keys). Every active key it pins must be one
	// of them.
	Policy func(fingerprints map[string]string) ([]byte, error)
	// Founders are the founding custodians, each with their own token:
	// every share holder of the genesis policy approves it (the first
	// link of the policy approval chain).
	Founders []Presenter
	// Date is the genesis date, YYYY-MM-DD, as the operators confirm it.
	Date string
	Now  func() time.Time
}

// Genesis is what Init made, for the paper log.
type Genesis struct {
	ID           string
	ApplianceURI string
	Policy       *policy.Policy
	ShareSet     string
	Keys         []PaperKey // every policy key by kind, with eFuse digests
	Anchor       anchor.State
	Checkpoint   []byte // the signed audit checkpoint the anchor pins
}

// Init creates an appliance: the appliance token with random PINs split
// among the policy's share holders, the appliance and audit keys, the
// genesis policy, the share set, the audit log and the first anchor. The
// rebuilt secret exists only in this call's memory and is wiped.
func Init(o InitOptions) (*Genesis, error) {
	if err := checkFreshRoot(o); err != nil {
		return nil, err
	}
	// Every token is opened once, each PIN read once: a PIN source may be
	// one-shot (--pin-env drops the variable after reading it).
	aud, err := hsm.Open(o.AuditToken, o.AuditPIN)
	if err != nil {
		return nil, fmt.Errorf("audit token: %w", err)
	}
	defer aud.Close()
	founders, err := preflight(o, aud)
	defer closeAll(founders)
	if err != nil {
		return nil, fmt.Errorf("%w (nothing was made)", err)
	}
	g := &Genesis{}
	if g.ID, err = randomID(); err != nil {
		return nil, err
	}
	secret, err := custody.NewSecret(rand.Reader)
	if err != nil {
		return nil, err
	}
	defer secret.Wipe()
	tok, err := initApplianceToken(o, secret)
	if err != nil {
		return nil, err
	}
	defer tok.Close()
	g.ApplianceURI = tok.Info().URI
	if err := g.build(o, tok, aud, secret, founders); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *Genesis) build(o InitOptions, tok, aud *hsm.Token, secret *custody.Secret, founders []founder) error {
	if err := applianceFeatures(tok, o.Keys); err != nil {
		return err
	}
	fps, pubs, err := makeKeys(o.Keys, tok, aud)
	if err != nil {
		return err
	}
	if g.Policy, err = genesisPolicy(o, fps); err != nil {
		return err
	}
	if g.Keys, err = paperKeys(g.Policy, pubs); err != nil {
		return err
	}
	env, setID, err := splitFor(tok, g.Policy, secret, g.ID)
	if err != nil {
		return err
	}
	g.ShareSet = setID
	if err := os.MkdirAll(filepath.Join(o.Root, "custody"), 0o700); err != nil {
		return err
	}
	// The media directories `signbox open` defaults to: inbound requests
	// are copied (or mounted) under media/in, exports go to media/out.
	for _, d := range []string{MediaInDir, MediaOutDir} {
		if err := os.MkdirAll(filepath.Join(o.Root, d), 0o700); err != nil {
			return err
		}
	}
	if err := atomicfile.WriteNew(filepath.Join(o.Root, ShareSetName), env, 0o644); err != nil {
		return err
	}
	if err := tok.PutData(applianceIDLabel, []byte(g.ID), true); err != nil {
		return err
	}
	if err := writeConfig(o.Root, WorkspaceConfig{ID: g.ID, Module: o.Module, ApplianceToken: g.ApplianceURI, AuditToken: o.AuditToken}); err != nil {
		return err
	}
	if err := signGenesis(o.Root, g, founders, o.Date); err != nil {
		return err
	}
	if err := writePublicKeys(o.Root, tok); err != nil {
		return err
	}
	return g.firstAnchor(o, tok, aud)
}

// firstAnchor starts the audit log and pins genesis in the HSM.
func (g *Genesis) firstAnchor(o InitOptions, tok, aud *hsm.Token) error {
	l, err := OpenAudit(o.Root, g.Policy, aud, o.Now(), true)
	if err != nil {
		return err
	}
	r := g.Policy.Custody()
	p, err := audit.Fields("step", "appliance initialised", "appliance", g.ID, "policy", g.Policy.Digest(),
		"share_set", g.ShareSet, "threshold", fmt.Sprint(r.Threshold), "holders", fmt.Sprint(len(r.Holders)))
	if err == nil {
		_, err = l.Append(audit.CustodyEvent, p, o.Now())
	}
	var sh audit.SignedHead
	if err == nil {
		sh, err = l.Checkpoint("genesis", o.Now())
	}
	if cerr := l.Close(o.Now()); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	g.Checkpoint = sh.Note
	g.Anchor = anchor.State{
		Format: anchor.Format, Appliance: g.ID, Counter: 1, GenesisPolicy: g.Policy.Digest(),
		Policy: anchor.Policy{Serial: g.Policy.Serial, Digest: g.Policy.Digest()},
		Floors: map[string]anchor.Floor{}, Closed: []string{}, ShareSet: g.ShareSet,
		Audit: anchor.Audit{Origin: sh.Origin, Size: sh.Size, Root: rootB64(sh.Root)},
	}
	return writeAnchor(o.Root, tok, g.Policy, g.Anchor)
}

func checkFreshRoot(o InitOptions) error {
	switch {
	case o.Now == nil || o.Policy == nil || o.AuditPIN == nil || o.Date == "":
		return errors.New("init: Now, Date, Policy and AuditPIN are required")
	case o.ApplianceLabel == "" || o.AuditToken == "" || o.Module == "":
		return errors.New("init: Module, ApplianceLabel and AuditToken are required")
	}
	if err := os.MkdirAll(o.Root, 0o700); err != nil {
		return err
	}
	return CheckFresh(o.Root)
}

// CheckFresh refuses a workspace that holds an appliance already, before
// anything (an enrolment, a token) is touched.
func CheckFresh(root string) error {
	for _, name := range []string{ConfigName, "policy.yaml", ShareSetName, AuditDirName} {
		if _, err := os.Lstat(filepath.Join(root, name)); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("init: %s: %w; an appliance is initialised once", filepath.Join(root, name), atomicfile.ErrExists)
		}
	}
	return nil
}

func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// initApplianceToken initialises the module's free token with PINs from
// the secret and logs in with the user PIN.
func initApplianceToken(o InitOptions, secret *custody.Secret) (*hsm.Token, error) {
	user, so := secret.UserPIN(), secret.SOPIN()
	defer clear(user)
	defer clear(so)
	info, err := hsm.InitFreeToken(o.Module, o.ApplianceLabel, so, user)
	if err != nil {
		return nil, fmt.Errorf("appliance token: %w", err)
	}
	tok, err := hsm.Open(info.URI, func() ([]byte, error) { return append([]byte(nil), user...), nil })
	if err != nil {
		return nil, fmt.Errorf("appliance token: %w", err)
	}
	return tok, nil
}

// applianceFeatures refuses, before any key is made, an appliance token
// that cannot hold the anchor (private and public data objects), wrap the
// keys marked for backup, or generate and sign with the planned keys.
func applianceFeatures(tok *hsm.Token, specs []KeySpec) error {
	backup := false
	for _, k := range specs {
		if k.Audit {
			continue
		}
		backup = backup || k.Backup
		if m := tok.Lacks(k.Alg); m != "" {
			return fmt.Errorf("%w: key %q (%s) needs %s", ErrTokenLacks, k.Label, k.Alg, m)
		}
	}
	for _, f := range tok.Features() {
		if f.OK || (f.Name == "key backup" && !backup) || f.Name == "key agreement" {
			continue
		}
		return fmt.Errorf("%w: %s (%s) for the %s: %s", ErrTokenLacks, f.Name, f.Via, f.Needed, f.Error)
	}
	return nil
}

func makeKeys(specs []KeySpec, tok, aud *hsm.Token) (map[string]string, map[string]crypto.PublicKey, error) {
	fps, pubs := map[string]string{}, map[string]crypto.PublicKey{}
	for _, k := range specs {
		t := tok
		if k.Audit {
			t = aud
		}
		var opts []hsm.GenOption
		if k.Backup {
			opts = append(opts, hsm.Wrappable())
		}
		ki, err := t.GenerateKey(k.Label, k.Alg, opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("generate %s: %w", k.Label, err)
		}
		fps[k.Label], pubs[k.Label] = ki.Fingerprint, ki.Public
	}
	return fps, pubs, nil
}

// genesisPolicy renders, parses and writes the genesis policy, refusing
// one that pins a key Init did not make.
func genesisPolicy(o InitOptions, fps map[string]string) (*policy.Policy, error) {
	p, err := renderPolicy(o, fps)
	if err != nil {
		return nil, err
	}
	for _, k := range p.AllKeys() {
		if k.Status != policy.StatusActive {
			continue
		}
		fp, made := fps[k.Label]
		if !made || fp != k.Fingerprint {
			return nil, fmt.Errorf("genesis policy: %s %q pins %s, not a key this genesis made", k.Path, k.Label, k.Fingerprint)
		}
	}
	if err := atomicfile.WriteNew(filepath.Join(o.Root, "policy.yaml"), p.Bytes(), 0o644); err != nil {
		return nil, err
	}
	return p, nil
}

// renderPolicy renders the genesis policy for fps and parses it.
func renderPolicy(o InitOptions, fps map[string]string) (*policy.Policy, error) {
	b, err := o.Policy(fps)
	if err != nil {
		return nil, err
	}
	p, err := policy.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("genesis policy: %w", err)
	}
	return p, nil
}

// FromTemplate reads a genesis policy template (the custodians, quorum
// rules, products and release rules filled in, every appliance key
// planned) and returns the keys Init makes and the renderer that marks
// them active with their fingerprints, keeping the author's text.
func FromTemplate(tmpl []byte) ([]KeySpec, func(map[string]string) ([]byte, error), error) {
	p, err := policy.Parse(tmpl)
	if err != nil {
		return nil, nil, fmt.Errorf("policy template: %w", err)
	}
	auditKeys := map[string]bool{p.Keys.AuditMAC.Label: true, p.Keys.AuditCheckpoint.Label: true}
	var specs []KeySpec
	for _, k := range p.Planned() {
		alg, err := hsm.ParseAlgorithm(string(k.Algorithm))
		if err != nil {
			return nil, nil, fmt.Errorf("policy template: %s: %w", k.Path, err)
		}
		specs = append(specs, KeySpec{Label: k.Label, Alg: alg, Audit: auditKeys[k.Label], Backup: k.Backup})
	}
	if rk := p.Keys.ReleaseBundle; rk.Status != policy.StatusPlanned {
		return nil, nil, fmt.Errorf("policy template: keys.release_bundle must be planned: init makes it, and it signs the anchor and the share set")
	}
	render := func(fps map[string]string) ([]byte, error) { return policy.Activate(tmpl, fps) }
	return specs, render, nil
}

// founder is a founding custodian's open token and the approval key the
// genesis policy pins for them.
type founder struct {
	name   string
	tok    *hsm.Token
	signer crypto.Signer
}

func closeAll(fs []founder) {
	for _, f := range fs {
		f.tok.Close()
	}
}

// preflight checks, before the appliance token is touched, what would
// otherwise fail halfway: every share holder of the policy presents a
// token that opens and holds the approval key the policy pins (kept open
// to sign the genesis), and no audit key label is taken on the audit
// token.
func preflight(o InitOptions, aud *hsm.Token) ([]founder, error) {
	fps := map[string]string{}
	for _, k := range o.Keys {
		fps[k.Label] = ""
		if k.Alg != hsm.HMACSHA256 {
			sum := sha256.Sum256([]byte(k.Label))
			fps[k.Label] = "sha256:" + hex.EncodeToString(sum[:])
		}
	}
	p, err := renderPolicy(o, fps)
	if err != nil {
		return nil, err
	}
	if err := preflightAudit(o, aud); err != nil {
		return nil, err
	}
	return openFounders(p, o.Founders)
}

func openFounders(p *policy.Policy, presenters []Presenter) ([]founder, error) {
	byName := map[string]Presenter{}
	for _, f := range presenters {
		byName[f.Name] = f
	}
	var out []founder
	for _, h := range p.Custody().Holders {
		pr, ok := byName[h.Name]
		if !ok {
			return out, fmt.Errorf("%w: genesis policy lacks the approval of founding custodian %s: every share holder presents their token", ceremony.ErrChain, h.Name)
		}
		tok, err := hsm.Open(pr.TokenURI, pr.PIN)
		if err != nil {
			return out, fmt.Errorf("founder %s: %w", h.Name, err)
		}
		s, err := approvalKey(tok, h)
		out = append(out, founder{name: h.Name, tok: tok, signer: s})
		if err != nil {
			return out, fmt.Errorf("founder %s: %w", h.Name, err)
		}
	}
	return out, nil
}

func preflightAudit(o InitOptions, aud *hsm.Token) error {
	keys, err := aud.Keys()
	if err != nil {
		return err
	}
	for _, spec := range o.Keys {
		for _, k := range keys {
			if spec.Audit && k.Label == spec.Label {
				return fmt.Errorf("audit token %s already holds a key labelled %q: %w", o.AuditToken, spec.Label, hsm.ErrLabelExists)
			}
		}
	}
	return nil
}

// writePublicKeys puts each appliance key's public half in <root>/keys/,
// for device teams and auditors who verify without any secret.
func writePublicKeys(root string, tok *hsm.Token) error {
	keys, err := tok.PublicKeys()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(root, "keys"), 0o755); err != nil {
		return err
	}
	for _, k := range keys {
		b, err := envelope.MarshalPublicKeyPEM(k.Public)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteNew(filepath.Join(root, "keys", k.Label+".pub.pem"), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
