package emu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"signbox/device/esp"
	"signbox/internal/atomicfile"
)

// Nameplate is what the factory records about a device besides its keys:
// the product it is (the policy's product id, which release bundles name
// in their manifest), the board's hardware revision and the chip's
// silicon revision. Install refuses a bundle for another product.
//
// On a chip the product and board revision would be burned into the
// eFuse user-data block (BLOCK_USR_DATA) and the silicon revision read
// from the chip's own WAFER_VERSION eFuses; the emulator's stand-in is
// nameplate.json in the state directory, written once at provisioning and
// never replaced.
type Nameplate struct {
	Product          string
	HardwareRevision string // optional, e.g. "B" or "rev-2.1"
	// ChipRevision is the silicon revision as major*100+minor (v3.0 is
	// 300), the encoding of the image header's min_chip_rev_full.
	ChipRevision uint16
}

const nameplateFile = "nameplate.json"

// productRE is the policy's product id pattern (policy.idPattern), so any
// product a policy names can be provisioned.
var productRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// hwRevRE keeps the hardware revision short and printable.
var hwRevRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// ErrNoProduct: the device was provisioned before devices recorded their
// product, so it cannot tell which bundles are meant for it.
var ErrNoProduct = errors.New("device has no product recorded")

func (n Nameplate) validate() error {
	if !productRE.MatchString(n.Product) {
		return fmt.Errorf("product %q: want 1-63 of a-z 0-9 . _ - starting with a letter or digit (the policy's product id)", n.Product)
	}
	if n.HardwareRevision != "" && !hwRevRE.MatchString(n.HardwareRevision) {
		return fmt.Errorf("hardware revision %q: want 1-32 of A-Z a-z 0-9 . _ -", n.HardwareRevision)
	}
	if n.ChipRevision > 9999 {
		return fmt.Errorf("chip revision %d: want major*100+minor below 10000", n.ChipRevision)
	}
	return nil
}

// ChipRevisionString renders a major*100+minor revision as "v3.0".
func ChipRevisionString(r uint16) string { return fmt.Sprintf("v%d.%d", r/100, r%100) }

type nameplateJSON struct {
	Product          string `json:"product"`
	HardwareRevision string `json:"hardware_revision,omitempty"`
	ChipRevision     uint16 `json:"chip_revision"`
}

func (n Nameplate) marshal() []byte {
	b, _ := json.MarshalIndent(nameplateJSON(n), "", "  ")
	return append(b, '\n')
}

func parseNameplate(b []byte) (Nameplate, error) {
	var j nameplateJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return Nameplate{}, fmt.Errorf("%s: %w: %v", nameplateFile, ErrStateCorrupt, err)
	}
	if dec.More() {
		return Nameplate{}, fmt.Errorf("%s: %w: trailing data", nameplateFile, ErrStateCorrupt)
	}
	n := Nameplate(j)
	if err := n.validate(); err != nil {
		return Nameplate{}, fmt.Errorf("%s: %w: %v", nameplateFile, ErrStateCorrupt, err)
	}
	return n, nil
}

// loadNameplate reads the nameplate of a state directory; ok is false for
// a device provisioned before devices recorded one.
func loadNameplate(dir string) (n Nameplate, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, nameplateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Nameplate{}, false, nil
	}
	if err != nil {
		return Nameplate{}, false, err
	}
	n, err = parseNameplate(b)
	return n, err == nil, err
}

// store writes the nameplate once; like the eFuses it stands for, it is
// never rewritten.
func (n Nameplate) store(dir string) error {
	return atomicfile.WriteNew(filepath.Join(dir, nameplateFile), n.marshal(), 0o644)
}

// Nameplate is what the device was provisioned as; the zero value for a
// device provisioned before devices recorded it.
func (d *Device) Nameplate() Nameplate { return d.plate }

// checkProduct refuses an update meant for another product or chip,
// naming both.
func (d *Device) checkProduct(product, chip string) error {
	if d.plate.Product == "" {
		return fmt.Errorf("%w; it cannot tell which bundles are meant for it (provision it again with a product)", ErrNoProduct)
	}
	if product != d.plate.Product {
		return fmt.Errorf("%w: bundle is for product %q, this device is %q", ErrWrongProduct, product, d.plate.Product)
	}
	if c, err := esp.ParseChip(chip); err != nil || c != d.chip {
		return fmt.Errorf("%w: bundle is for %s, device is %s", ErrWrongChip, chip, d.chip)
	}
	return nil
}
