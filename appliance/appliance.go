package appliance

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"signbox/airgap"
	"signbox/audit"
	"signbox/ceremony"
	"signbox/hsm"
	"signbox/policy"
)

// Config is what an appliance is opened with. Module, ApplianceToken and
// PIN select the appliance HSM; Device is the emulated device used for
// rehearsals ("" for none).
type Config struct {
	Root           string
	Module         string
	ApplianceToken string // pkcs11: URI
	PIN            hsm.PINFunc
	Device         string
	// Operator is who is at the keyboard, recorded with triage decisions.
	Operator string
	// Now stamps audit entries and decisions. It must be set; cmd/signbox
	// passes time.Now, tests pass a fixed clock.
	Now func() time.Time
}

// Appliance is an open workspace with its HSM token and audit log.
type Appliance struct {
	cfg   Config
	mu    sync.Mutex
	ws    *ceremony.Workspace
	store *airgap.Store
	tok   *hsm.Token
	log   *audit.Log // nil until the policy's audit keys are active

	sessions   map[string]*ceremony.Session
	rehearsing bool // a rehearsal install is waiting for confirm or reject
}

// Open opens the workspace, logs in to the appliance token and opens (or
// creates) the audit log. The caller must Close it.
func Open(cfg Config) (*Appliance, error) {
	if cfg.Now == nil {
		return nil, errors.New("appliance: Config.Now is required (no ambient clock below cmd/)")
	}
	ws, err := ceremony.OpenWorkspace(cfg.Root)
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(cfg.Root)
	if err != nil {
		return nil, err
	}
	tok, err := hsm.Open(cfg.ApplianceToken, cfg.PIN)
	if err != nil {
		return nil, fmt.Errorf("appliance token: %w", err)
	}
	a := &Appliance{cfg: cfg, ws: ws, store: st, tok: tok, sessions: map[string]*ceremony.Session{}}
	if err := a.openAudit(); err != nil {
		tok.Close()
		return nil, err
	}
	return a, nil
}

// Close seals the audit log with a shutdown checkpoint and logs out.
func (a *Appliance) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var err error
	if a.log != nil {
		err = a.log.Close(a.cfg.Now())
		a.log = nil
	}
	if cerr := a.tok.Close(); err == nil {
		err = cerr
	}
	return err
}

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
