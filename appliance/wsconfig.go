package appliance

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"signbox/airgap/strictjson"
	"signbox/hsm"
	"signbox/internal/atomicfile"
)

// ConfigName is the workspace file that names the appliance's PKCS#11
// module and tokens. It holds no secret. It is not trusted: a token it
// names must carry the appliance id that the share set and the HSM anchor
// carry, or nothing opens.
const ConfigName = "appliance.json"

const configFormat = "signbox-appliance/v1"

// WorkspaceConfig is <ws>/appliance.json, written once by Init.
type WorkspaceConfig struct {
	Format string `json:"format"`
	// ID is the appliance id: random, made at initialisation, also held
	// by the appliance token (a public data object) and every share set.
	ID             string `json:"id"`
	Module         string `json:"module"`
	ApplianceToken string `json:"appliance_token"` // pkcs11: URI, no PIN
	AuditToken     string `json:"audit_token"`     // pkcs11: URI, no PIN
}

var applianceIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ReadConfig reads and validates <root>/appliance.json.
func ReadConfig(root string) (WorkspaceConfig, error) {
	path := filepath.Join(root, ConfigName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return WorkspaceConfig{}, fmt.Errorf("%s: no appliance here: initialise the workspace with `signbox init` first", path)
	}
	if err != nil {
		return WorkspaceConfig{}, err
	}
	c, err := parseConfig(b)
	if err != nil {
		return WorkspaceConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func parseConfig(b []byte) (WorkspaceConfig, error) {
	var c WorkspaceConfig
	if err := strictjson.Decode(b, &c); err != nil {
		return c, err
	}
	return c, c.validate()
}

func (c WorkspaceConfig) validate() error {
	switch {
	case c.Format != configFormat:
		return fmt.Errorf("format %q, want %q", c.Format, configFormat)
	case !applianceIDPattern.MatchString(c.ID):
		return fmt.Errorf("id %q is not 32 lowercase hex digits", c.ID)
	case c.Module == "":
		return errors.New("module is empty")
	}
	for name, uri := range map[string]string{"appliance_token": c.ApplianceToken, "audit_token": c.AuditToken} {
		u, err := hsm.ParseURI(uri)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if u.PINSource != "" {
			return fmt.Errorf("%s: a pin-source has no place here; the appliance PIN is quorum-held", name)
		}
	}
	return nil
}

func writeConfig(root string, c WorkspaceConfig) error {
	b, err := c.encode()
	if err != nil {
		return err
	}
	return atomicfile.WriteNew(filepath.Join(root, ConfigName), b, 0o644)
}

// replaceConfig points the workspace at a restored appliance token.
func replaceConfig(root string, c WorkspaceConfig) error {
	b, err := c.encode()
	if err != nil {
		return err
	}
	return atomicfile.Replace(filepath.Join(root, ConfigName), b, 0o644)
}

func (c WorkspaceConfig) encode() ([]byte, error) {
	c.Format = configFormat
	if err := c.validate(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	return append(b, '\n'), err
}
