package appliance

import (
	"crypto"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"signbox/airgap"
	"signbox/anchor"
	"signbox/audit"
	"signbox/ceremony"
	"signbox/hsm"
	"signbox/policy"
)

// Config is what an appliance is opened with. The appliance token is
// never opened with a PIN from here: its PIN is rebuilt from the
// custodians' shares inside a ceremony (see unlock.go). AuditPIN is the
// operator's PIN for the separate audit token, which holds the audit
// log's MAC and checkpoint keys.
type Config struct {
	Root string
	// AuditPIN opens the audit token named in <root>/appliance.json.
	AuditPIN hsm.PINFunc
	Device   string // the emulated device used for rehearsals ("" for none)
	// Operator is who is at the keyboard, recorded with triage decisions.
	Operator string
	// Now stamps audit entries and decisions. It must be set; cmd/signbox
	// passes time.Now, tests pass a fixed clock.
	Now func() time.Time

	// Filled from appliance.json by Open.
	Module, ApplianceToken, AuditToken string
}

// Appliance is an open workspace with its tokens and audit log.
type Appliance struct {
	cfg   Config
	id    string
	mu    sync.Mutex
	ws    *ceremony.Workspace
	store *airgap.Store
	pub   *hsm.Token // the appliance token, not logged in
	aud   *hsm.Token // the audit token, logged in by the operator
	log   *audit.Log

	anchor     anchor.State // the public anchor, checked at open
	tip        chainTip     // what the policy approval chain says of the policy in force
	releasePub crypto.PublicKey
	collectors map[string]*collector // released shares per plan, RAM only
	quorum     *quorumSession        // non-nil only while a quorum has unlocked the token

	sessions   map[string]*ceremony.Session
	rehearsing bool // a rehearsal install is waiting for confirm or reject
}

// Open opens the workspace: the appliance token without a PIN, the audit
// token with the operator's, and the audit log. It refuses a workspace
// whose policy, floors, ceremonies or audit log differ from the anchor
// the quorum pinned in the appliance token, naming the file.
func Open(cfg Config) (*Appliance, error) {
	if cfg.Now == nil {
		return nil, errors.New("appliance: Config.Now is required (no ambient clock below cmd/)")
	}
	wc, err := ReadConfig(cfg.Root)
	if err != nil {
		return nil, err
	}
	cfg.Module, cfg.ApplianceToken, cfg.AuditToken = wc.Module, wc.ApplianceToken, wc.AuditToken
	a := &Appliance{cfg: cfg, id: wc.ID, collectors: map[string]*collector{}, sessions: map[string]*ceremony.Session{}}
	if err := a.open(); err != nil {
		if a.log != nil {
			a.log.Close(cfg.Now())
		}
		a.closeTokens()
		return nil, err
	}
	return a, nil
}

func (a *Appliance) open() error {
	var err error
	if a.ws, err = ceremony.OpenWorkspace(a.cfg.Root); err != nil {
		return err
	}
	if a.store, err = OpenStore(a.cfg.Root); err != nil {
		return err
	}
	if a.pub, err = hsm.OpenPublic(a.cfg.ApplianceToken); err != nil {
		return fmt.Errorf("appliance token: %w", err)
	}
	if err := a.checkApplianceID(); err != nil {
		return err
	}
	anchorErr := a.readPublicAnchor() // recorded once the log is open
	if a.aud, err = hsm.Open(a.cfg.AuditToken, a.cfg.AuditPIN); err != nil {
		return fmt.Errorf("audit token: %w", err)
	}
	if err := a.openAudit(); err != nil {
		return errors.Join(err, anchorErr)
	}
	if anchorErr != nil {
		_ = a.event(audit.StateRefused, "when", "open", "reason", anchorErr.Error())
		return anchorErr
	}
	p, err := a.policy()
	if err != nil {
		return err
	}
	return a.checkAnchor(a.anchor, p, "open")
}

// checkApplianceID makes sure appliance.json names this appliance's token.
func (a *Appliance) checkApplianceID() error {
	vals, err := a.pub.Data(applianceIDLabel, true)
	if err != nil {
		return fmt.Errorf("appliance token %s: appliance id: %w", a.cfg.ApplianceToken, err)
	}
	if len(vals) != 1 || string(vals[0]) != a.id {
		return fmt.Errorf("%s: the token %s is not appliance %s", ConfigName, a.cfg.ApplianceToken, a.id)
	}
	return nil
}

// readPublicAnchor reads the anchor anyone can read, verified with the
// release-bundle key the token holds and the policy pins; the workspace is
// checked against it once the audit log is open, and against the private
// copy again when a quorum logs in.
func (a *Appliance) readPublicAnchor() error {
	st, _, err := a.anchorOn(a.pub, anchorPublicLabel)
	if err != nil {
		return err
	}
	a.anchor = st
	if a.anchor.Appliance != a.id {
		return fmt.Errorf("the appliance token's anchor belongs to appliance %s, not %s", a.anchor.Appliance, a.id)
	}
	return nil
}

// releaseKeyFromPolicy finds, among the appliance token's public keys, the
// release-bundle key the policy pins. A policy naming another key finds
// none: the token, not the workspace, says which keys exist.
func (a *Appliance) releaseKeyFromPolicy(p *policy.Policy) (crypto.PublicKey, error) {
	rk := p.Keys.ReleaseBundle
	if rk == nil || rk.Status != policy.StatusActive {
		return nil, errors.New("policy.yaml: no active release_bundle key")
	}
	if a.releasePub != nil {
		if fp, _ := policy.Fingerprint(a.releasePub); fp == rk.Fingerprint {
			return a.releasePub, nil
		}
	}
	keys, err := a.pub.PublicKeys()
	if err != nil {
		return nil, fmt.Errorf("appliance token: %w", err)
	}
	for _, k := range keys {
		if k.Fingerprint == rk.Fingerprint {
			a.releasePub = k.Public
			return k.Public, nil
		}
	}
	return nil, fmt.Errorf("policy.yaml pins release-bundle key %s, which is not on the appliance token", rk.Fingerprint)
}

// Close ends any quorum session (logout, wipe), seals the audit log with a
// shutdown checkpoint and closes the tokens.
func (a *Appliance) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.quorum != nil {
		a.closeQuorum(a.quorum, "appliance closed")
	}
	for id := range a.collectors {
		a.wipeShares(id)
	}
	var err error
	if a.log != nil {
		err = a.log.Close(a.cfg.Now())
		a.log = nil
	}
	if cerr := a.closeTokens(); err == nil {
		err = cerr
	}
	return err
}

func (a *Appliance) closeTokens() error {
	var err error
	for _, t := range []*hsm.Token{a.aud, a.pub} {
		if t == nil {
			continue
		}
		if cerr := t.Close(); err == nil {
			err = cerr
		}
	}
	a.aud, a.pub = nil, nil
	return err
}

// ID is the appliance id.
func (a *Appliance) ID() string { return a.id }

// Anchor is the anchor the workspace was last checked against.
func (a *Appliance) Anchor() anchor.State { return a.anchor }

// Root is the workspace directory.
func (a *Appliance) Root() string { return a.cfg.Root }

// Workspace is the ceremony engine's view of the workspace.
func (a *Appliance) Workspace() *ceremony.Workspace { return a.ws }

func (a *Appliance) policy() (*policy.Policy, error) { return a.ws.Policy() }

func (a *Appliance) feedDir() string { return FeedDir(a.cfg.Root) }

// FeedDir is where the imported OSV feed index lives in a workspace.
func FeedDir(root string) string { return filepath.Join(root, "vuln", "feed") }

// TriageDir is where VEX decisions live in a workspace.
func TriageDir(root string) string { return filepath.Join(root, "vuln", "triage") }

// publicKey finds a key's public half on the appliance token by label;
// public key objects need no login.
func (a *Appliance) publicKey(label string) (hsm.KeyInfo, error) {
	keys, err := a.pub.PublicKeys()
	if err != nil {
		return hsm.KeyInfo{}, err
	}
	for _, k := range keys {
		if k.Label == label {
			return k, nil
		}
	}
	return hsm.KeyInfo{}, fmt.Errorf("appliance token: no public key labelled %q: %w", label, hsm.ErrKeyNotFound)
}

// anchorOn reads the anchor object label from tok, verified with the
// release-bundle key that the token holds and the policy pins.
func (a *Appliance) anchorOn(tok *hsm.Token, label string) (anchor.State, *policy.Policy, error) {
	p, err := a.policy()
	if err != nil {
		return anchor.State{}, nil, err
	}
	key, err := a.releaseKeyFromPolicy(p)
	if err != nil {
		return anchor.State{}, nil, err
	}
	st, err := readAnchor(tok, label, key)
	return st, p, err
}
