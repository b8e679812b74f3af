package mcuemu

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"signbox/internal/atomicfile"
)

// A device lives in a state directory as one file, StateFile, replaced
// atomically on every save so flash and hardware counter never disagree:
//
//	"SBMCUEMU" | u32 LE length of the JSON | JSON (stateJSON) | flash bytes
//
// The JSON says what the device is (product, board, layout, mode, the
// bootloader's keys as PEM) and the counter; the flash follows. Load
// checks every field and that the flash is exactly the layout's size.
const (
	StateFile   = "mcuboot-device.bin"
	stateMagic  = "SBMCUEMU"
	stateFormat = "signbox-mcuboot-device/v1"
)

// ErrBadState: a state file that is not one this package wrote.
var ErrBadState = errors.New("bad MCUboot device state")

type stateJSON struct {
	Format  string   `json:"format"`
	Product string   `json:"product"`
	Board   string   `json:"board"`
	Layout  Layout   `json:"layout"`
	Mode    string   `json:"mode"`
	Keys    []string `json:"keys"` // PEM PUBLIC KEY (PKIX)
	Counter uint32   `json:"security_counter"`
	Running bool     `json:"running"`
}

// Marshal encodes the device's state (the verification cache and the
// power counter are not part of it).
func (d *Device) Marshal() ([]byte, error) {
	st := stateJSON{Format: stateFormat, Product: d.product, Board: d.board, Layout: d.layout,
		Mode: d.mode.String(), Counter: d.counter, Running: d.Running()}
	for _, k := range d.keys {
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return nil, err
		}
		st.Keys = append(st.Keys, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
	}
	js, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	out := append([]byte(stateMagic), binary.LittleEndian.AppendUint32(nil, uint32(len(js)))...)
	out = append(out, js...)
	return append(out, d.flash.mem...), nil
}

// Unmarshal decodes a state file strictly: magic, a JSON part within
// bounds with no unknown fields, a known format, layout and mode, parsable
// keys MCUboot verifies, and a flash of exactly the layout's size.
func Unmarshal(b []byte) (*Device, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadState, fmt.Sprintf(format, args...))
	}
	if len(b) < len(stateMagic)+4 || string(b[:len(stateMagic)]) != stateMagic {
		return nil, bad("no %q magic", stateMagic)
	}
	n := int(binary.LittleEndian.Uint32(b[len(stateMagic):]))
	rest := b[len(stateMagic)+4:]
	if n > maxStateJSON || n > len(rest) {
		return nil, bad("JSON part of %d bytes (file has %d, at most %d)", n, len(rest), maxStateJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(rest[:n]))
	dec.DisallowUnknownFields()
	var st stateJSON
	if err := dec.Decode(&st); err != nil {
		return nil, bad("%v", err)
	}
	if dec.More() {
		return nil, bad("data after the JSON object")
	}
	if st.Format != stateFormat {
		return nil, bad("format %q, want %q", st.Format, stateFormat)
	}
	if err := st.Layout.check(); err != nil {
		return nil, bad("%v", err)
	}
	mode := map[string]Mode{SwapMove.String(): SwapMove, OverwriteOnly.String(): OverwriteOnly}[st.Mode]
	if mode == 0 {
		return nil, bad("mode %q", st.Mode)
	}
	var keys []crypto.PublicKey
	for i, p := range st.Keys {
		blk, tail := pem.Decode([]byte(p))
		if blk == nil || blk.Type != "PUBLIC KEY" || len(bytes.TrimSpace(tail)) != 0 {
			return nil, bad("keys[%d]: not one PEM PUBLIC KEY", i)
		}
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, bad("keys[%d]: %v", i, err)
		}
		keys = append(keys, k)
	}
	flash := rest[n:]
	if len(flash) != st.Layout.flashSize() {
		return nil, bad("flash is %d bytes, the layout needs %d", len(flash), st.Layout.flashSize())
	}
	d, err := blankDevice(Config{Layout: st.Layout, Mode: mode, Keys: keys, Product: st.Product, Board: st.Board})
	if err != nil {
		return nil, bad("%v", err)
	}
	copy(d.flash.mem, flash)
	d.counter, d.running = st.Counter, st.Running
	return d, nil
}

// Create provisions a device in dir, which must not hold one: New, then
// the state file written once (atomicfile.WriteNew).
func Create(dir string, cfg Config) (*Device, error) {
	d, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	b, err := d.Marshal()
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteNew(filepath.Join(dir, StateFile), b, 0o600); err != nil {
		return nil, err
	}
	return d, nil
}

// IsStateDir reports whether dir holds an MCUboot device.
func IsStateDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, StateFile))
	return err == nil
}

// Open reads the device in dir. The caller holds dir's lock for as long
// as it may Save.
func Open(dir string) (*Device, error) {
	f, err := os.Open(filepath.Join(dir, StateFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(maxStateFile)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxStateFile {
		return nil, fmt.Errorf("%w: %s is larger than any layout's state (%d bytes)", ErrBadState, StateFile, maxStateFile)
	}
	return Unmarshal(b)
}

// Save replaces the state file in dir atomically.
func (d *Device) Save(dir string) error {
	b, err := d.Marshal()
	if err != nil {
		return err
	}
	return atomicfile.Replace(filepath.Join(dir, StateFile), b, 0o600)
}

// Product and Board are what the device was provisioned as.
func (d *Device) Product() string { return d.product }
func (d *Device) Board() string   { return d.board }
