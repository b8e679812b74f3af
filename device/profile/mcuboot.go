package profile

import (
	"crypto"
	"errors"
	"fmt"
	"slices"

	"signbox/device/mcuboot"
	"signbox/device/mcuboot/mcuemu"
)

// MCUboot is the MCUboot family (device/mcuboot): targets are the SoCs
// whose flash geometry the emulator knows; every one verifies what
// MCUboot can be built to verify (one algorithm per bootloader build,
// chosen by the policy's key).
type MCUboot struct{}

func (MCUboot) Name() string { return "mcuboot" }

// Board is an MCUboot target's flash geometry, for the emulator.
type Board struct {
	Name string
	// SectorSize is the erase unit and WriteSize the program unit of the
	// SoC's internal flash (nRF52840/nRF5340/nRF9160 NVMC: 4 KiB pages,
	// 32-bit word writes; Nordic product specifications, NVMC chapter).
	SectorSize, WriteSize int
	// ImageSectors is the emulator's slot capacity (emulator: 64 sectors,
	// 256 KiB; a real board's slots come from its partition layout).
	ImageSectors int
}

var boards = []Board{
	{"nrf52840", 4096, 4, 64},
	{"nrf5340-app", 4096, 4, 64},
	{"nrf9160", 4096, 4, 64},
}

// Boards lists the MCUboot targets.
func Boards() []Board { return slices.Clone(boards) }

// BoardByName returns the board called name.
func BoardByName(name string) (Board, error) {
	for _, b := range boards {
		if b.Name == name {
			return b, nil
		}
	}
	return Board{}, fmt.Errorf("mcuboot: unknown board %q (known: %v)", name, MCUboot{}.Targets())
}

// Layout is the board's emulated flash layout.
func (b Board) Layout() mcuemu.Layout {
	return mcuemu.Layout{SectorSize: b.SectorSize, WriteSize: b.WriteSize, ImageSectors: b.ImageSectors}
}

func (MCUboot) Targets() []string {
	var out []string
	for _, b := range boards {
		out = append(out, b.Name)
	}
	slices.Sort(out)
	return out
}

// mcubootAlgorithms are the signature types MCUboot verifies
// (mcuboot-formats.md §2), in the hsm/policy spelling.
var mcubootAlgorithms = []string{"rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519"}

func (f MCUboot) Algorithms(target string) ([]string, error) {
	if err := CheckTarget(f, target); err != nil {
		return nil, err
	}
	return slices.Clone(mcubootAlgorithms), nil
}

func (MCUboot) Sniff(b []byte) bool { return mcuboot.HasMagic(b) }

func (MCUboot) Describe(b []byte) (string, error) {
	img, err := mcuboot.ParseSlot(b)
	if err != nil {
		return "", err
	}
	return img.Info(), nil
}

// Sign is imgtool sign -H 0x200 --pad-header -v p.Version -s
// p.SecurityCounter with the one signer (Zephyr's header size).
func (MCUboot) Sign(raw []byte, signers []crypto.Signer, p SignParams) ([]byte, error) {
	if len(signers) != 1 {
		return nil, fmt.Errorf("mcuboot: %d signers; an MCUboot image carries exactly one signature", len(signers))
	}
	v, err := mcuboot.ParseVersion(p.Version)
	if err != nil {
		return nil, err
	}
	sc := p.SecurityCounter
	return mcuboot.Sign(raw, signers[0], mcuboot.SignOptions{
		HeaderSize: 0x200, PadHeader: true, Version: v, SecurityCounter: &sc, Rand: p.Rand,
	})
}

// Verify finds the key the image's KEYHASH names, as the bootloader does,
// and checks the image with it and the floor as the hardware counter.
func (MCUboot) Verify(image []byte, keys []crypto.PublicKey, floor uint32) (Facts, error) {
	img, err := mcuboot.Parse(image)
	if err != nil {
		return Facts{}, err
	}
	var last error = errNoKey
	for i, k := range keys {
		v, err := img.Verify(k, mcuboot.VerifyOptions{MinSecurityCounter: floor})
		if errors.Is(err, mcuboot.ErrKeyHashMismatch) || errors.Is(err, mcuboot.ErrUnsupportedKey) ||
			errors.Is(err, mcuboot.ErrHashAlgorithm) || errors.Is(err, mcuboot.ErrNoSignature) {
			last = err
			continue
		}
		if err != nil {
			if errors.Is(err, mcuboot.ErrSecurityCounterLow) {
				return Facts{}, fmt.Errorf("%w: %v", ErrBelowFloor, err)
			}
			return Facts{}, err
		}
		sc, _ := v.SecurityCounter()
		return Facts{Family: "mcuboot", Version: v.Version().String(), SecurityVersion: sc, ImageDigest: v.ImageDigest(), Key: i, Built: img.Body()}, nil
	}
	return Facts{}, fmt.Errorf("mcuboot: no given key verifies the image: %w", last)
}

// KeyID is the KEYHASH TLV value (mcuboot-formats.md §2).
func (MCUboot) KeyID(pub crypto.PublicKey) ([]byte, error) { return mcuboot.KeyHash(pub) }

func (MCUboot) KeyIDName() string { return "key_hash" }

var errNoKey = errors.New("no keys")
