package emu

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"signbox/internal/atomicfile"
)

// Identity is what each emulated device gets at provisioning for its own
// audit log: a random serial (which names the log), the Ed25519 key that
// signs the log's checkpoints and the seed of its HMAC key chain.
//
// On a real ESP32 these would live in the chip's secure storage: the MAC
// seed in an eFuse key block with purpose HMAC_UP (read-protected, usable
// only by the HMAC peripheral) and the checkpoint key in an NVS partition
// under flash encryption, whose key sits in read-protected eFuse. The
// emulator has neither, so its stand-in is one file in the device state
// directory, mode 0600 (see secureFile). These are the device's secrets,
// not the appliance's: anyone who can read the state directory holds the
// device, exactly as someone with a bench unit and JTAG would.
type Identity struct {
	Serial        string
	CheckpointKey ed25519.PrivateKey
	MACSeed       []byte
}

// secureFile is the emulator's stand-in for the chip's secure storage.
const secureFile = "secure.json"

// macSeedSize is the MAC seed length: one 256-bit eFuse key block.
const macSeedSize = 32

// serialRE is the serial format newIdentity makes: "emu-" and 16 hex digits
// (64 random bits, so two emulated devices never share a log origin).
var serialRE = regexp.MustCompile(`^emu-[0-9a-f]{16}$`)

// newIdentity draws a fresh identity from rnd (crypto/rand in production).
func newIdentity(rnd io.Reader) (Identity, error) {
	var b [8 + ed25519.SeedSize + macSeedSize]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return Identity{}, fmt.Errorf("device identity: %w", err)
	}
	return Identity{
		Serial:        "emu-" + hex.EncodeToString(b[:8]),
		CheckpointKey: ed25519.NewKeyFromSeed(b[8 : 8+ed25519.SeedSize]),
		MACSeed:       append([]byte(nil), b[8+ed25519.SeedSize:]...),
	}, nil
}

// AuditOrigin names the device's audit log; it is distinct per device so
// entries and checkpoints cannot be spliced between device logs.
func (id Identity) AuditOrigin() string {
	return "signbox.local/" + id.Serial + "/audit"
}

// secureStorage is the on-disk form of an Identity.
type secureStorage struct {
	Serial        string `json:"serial"`
	CheckpointKey string `json:"audit_checkpoint_key"` // hex Ed25519 seed
	MACSeed       string `json:"audit_mac_seed"`       // hex
}

func (id Identity) marshal() []byte {
	b, _ := json.MarshalIndent(secureStorage{
		Serial:        id.Serial,
		CheckpointKey: hex.EncodeToString(id.CheckpointKey.Seed()),
		MACSeed:       hex.EncodeToString(id.MACSeed),
	}, "", "  ")
	return append(b, '\n')
}

// parseIdentity reads secure.json strictly: known fields only, each
// present, a serial of the form newIdentity makes and keys of exact size.
func parseIdentity(b []byte) (Identity, error) {
	var s secureStorage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Identity{}, fmt.Errorf("%s: %w: %v", secureFile, ErrStateCorrupt, err)
	}
	if dec.More() {
		return Identity{}, fmt.Errorf("%s: %w: trailing data", secureFile, ErrStateCorrupt)
	}
	if !serialRE.MatchString(s.Serial) {
		return Identity{}, fmt.Errorf("%s: %w: serial %q is not emu-<16 hex digits>", secureFile, ErrStateCorrupt, s.Serial)
	}
	seed, err := hexOfSize(s.CheckpointKey, ed25519.SeedSize)
	if err != nil {
		return Identity{}, fmt.Errorf("%s: %w: audit_checkpoint_key: %v", secureFile, ErrStateCorrupt, err)
	}
	mac, err := hexOfSize(s.MACSeed, macSeedSize)
	if err != nil {
		return Identity{}, fmt.Errorf("%s: %w: audit_mac_seed: %v", secureFile, ErrStateCorrupt, err)
	}
	return Identity{Serial: s.Serial, CheckpointKey: ed25519.NewKeyFromSeed(seed), MACSeed: mac}, nil
}

// hexOfSize decodes lower-case hex of exactly n bytes, so each key has one
// spelling.
func hexOfSize(s string, n int) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != n || hex.EncodeToString(b) != s {
		return nil, fmt.Errorf("want %d bytes as lower-case hex", n)
	}
	return b, nil
}

// loadIdentity reads the identity from a state directory; ok is false for
// a device provisioned without one (before device audit logs, or without
// a clock to start the log).
func loadIdentity(dir string) (id Identity, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, secureFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Identity{}, false, nil
	}
	if err != nil {
		return Identity{}, false, err
	}
	id, err = parseIdentity(b)
	return id, err == nil, err
}

// store writes the identity once; it is never replaced, because a new
// identity would be a new device.
func (id Identity) store(dir string) error {
	return atomicfile.WriteNew(filepath.Join(dir, secureFile), id.marshal(), 0o600)
}
