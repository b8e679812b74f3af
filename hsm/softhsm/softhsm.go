package softhsm

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"signbox/hsm"
	"signbox/internal/atomicfile"
)

// DefaultModule is the Debian/Ubuntu path of the SoftHSM2 library
// (package libsofthsm2).
const DefaultModule = "/usr/lib/softhsm/libsofthsm2.so"

// Dir is a SoftHSM2 configuration file plus its token directory.
type Dir struct {
	root   string
	module string
	mechs  string
}

// Option adjusts NewDir.
type Option func(*Dir)

// WithModule uses the SoftHSM2 library at path instead of DefaultModule.
func WithModule(path string) Option { return func(d *Dir) { d.module = path } }

// WithMechanisms sets SoftHSM's slots.mechanisms, to imitate a token that
// lacks a mechanism. A leading "-" makes the list a deny list, but SoftHSM
// 2.6.1 then ignores the first name (probed), so write "-,CKM_A,CKM_B".
func WithMechanisms(spec string) Option { return func(d *Dir) { d.mechs = spec } }

// NewDir writes <dir>/softhsm2.conf and creates <dir>/tokens. Calling it
// again on the same dir reuses what the first call wrote.
func NewDir(dir string, opts ...Option) (*Dir, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	d := &Dir{root: root, module: DefaultModule, mechs: "ALL"}
	for _, o := range opts {
		o(d)
	}
	if err := os.MkdirAll(d.tokenDir(), 0o700); err != nil {
		return nil, fmt.Errorf("softhsm dir: %w", err)
	}
	conf := d.config()
	err = atomicfile.WriteNew(d.ConfPath(), conf, 0o600)
	if errors.Is(err, atomicfile.ErrExists) {
		old, rerr := os.ReadFile(d.ConfPath())
		if rerr == nil && bytes.Equal(old, conf) {
			return d, nil
		}
		return nil, fmt.Errorf("softhsm dir: %s exists with other content; not overwriting it", d.ConfPath())
	}
	if err != nil {
		return nil, fmt.Errorf("softhsm dir: %w", err)
	}
	return d, nil
}

func (d *Dir) tokenDir() string { return filepath.Join(d.root, "tokens") }

// config is the SoftHSM2 configuration; keys per softhsm2.conf(5).
func (d *Dir) config() []byte {
	return fmt.Appendf(nil, "# Throwaway SoftHSM2 tokens made by signbox; not for production keys.\n"+
		"directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\nslots.mechanisms = %s\n",
		d.tokenDir(), d.mechs)
}

// ConfPath is the value for SOFTHSM2_CONF.
func (d *Dir) ConfPath() string { return filepath.Join(d.root, "softhsm2.conf") }

// Module is the SoftHSM2 library path this Dir uses.
func (d *Dir) Module() string { return d.module }

// TokenInfo is what a test or the demo needs to open a token it created.
type TokenInfo struct {
	URI      string // pkcs11:token=<label>?module-path=<module>; holds no PIN
	Label    string
	UserPIN  []byte
	SOPIN    []byte
	ConfPath string // SOFTHSM2_CONF for processes that open the token
}

// InitToken initialises a new token labelled label (at most 32 bytes) in d.
// The first call in a process points SOFTHSM2_CONF at d (see package doc).
func (d *Dir) InitToken(label string, userPIN, soPIN []byte) (TokenInfo, error) {
	if err := d.activate(); err != nil {
		return TokenInfo{}, err
	}
	initMu.Lock() // the before/after count below needs inits one at a time
	defer initMu.Unlock()
	before, err := d.tokenCount()
	if err != nil {
		return TokenInfo{}, err
	}
	if _, err := hsm.InitFreeToken(d.module, label, soPIN, userPIN); err != nil {
		return TokenInfo{}, fmt.Errorf("softhsm: %w", err)
	}
	if after, err := d.tokenCount(); err != nil || after != before+1 {
		return TokenInfo{}, fmt.Errorf("softhsm: token %q was not created under %s; was the module initialised with another SOFTHSM2_CONF?", label, d.tokenDir())
	}
	return TokenInfo{
		URI:      hsm.URI{Token: label, ModulePath: d.module}.String(),
		Label:    label,
		UserPIN:  bytes.Clone(userPIN),
		SOPIN:    bytes.Clone(soPIN),
		ConfPath: d.ConfPath(),
	}, nil
}

func (d *Dir) tokenCount() (int, error) {
	es, err := os.ReadDir(d.tokenDir())
	return len(es), err
}

var (
	initMu   sync.Mutex
	activeMu sync.Mutex
	active   string // ConfPath of the Dir this process uses
)

// activate makes d the process's SoftHSM configuration, once.
func (d *Dir) activate() error {
	activeMu.Lock()
	defer activeMu.Unlock()
	conf := d.ConfPath()
	switch {
	case active == conf:
		return nil
	case active != "":
		return fmt.Errorf("softhsm: this process already uses %s; SOFTHSM2_CONF is read once per process, so a second Dir (%s) cannot be used", active, conf)
	case os.Getenv("SOFTHSM2_CONF") != conf && hsm.ModuleLoaded(d.module):
		return fmt.Errorf("softhsm: %s is already initialised with SOFTHSM2_CONF=%q; set SOFTHSM2_CONF=%s before the first PKCS#11 call", d.module, os.Getenv("SOFTHSM2_CONF"), conf)
	}
	if err := os.Setenv("SOFTHSM2_CONF", conf); err != nil {
		return err
	}
	active = conf
	return nil
}
