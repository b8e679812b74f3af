package mcuboot_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"signbox/device/mcuboot"
)

// TestSignRefusals: options imgtool refuses, inputs that are not raw
// binaries, keys MCUboot cannot verify and signers that misbehave.
func TestSignRefusals(t *testing.T) {
	ed := loadKey(t, "ed25519")
	p256 := loadKey(t, "p256")
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	with := func(f func(*mcuboot.SignOptions)) mcuboot.SignOptions { o := baseOpts(); f(&o); return o }
	tests := []struct {
		name   string
		in     []byte
		signer crypto.Signer
		opts   mcuboot.SignOptions
		is     error
		want   string
	}{
		{"header too small", body(10, 1), ed, with(func(o *mcuboot.SignOptions) { o.HeaderSize = 16 }), mcuboot.ErrBadOptions,
			"bad options: HeaderSize 16, want 32..65535"},
		{"load and rom address", body(10, 1), ed, with(func(o *mcuboot.SignOptions) { o.LoadAddr, o.ROMFixed = 1, 2 }), mcuboot.ErrBadOptions,
			"bad options: LoadAddr and ROMFixed are exclusive"},
		{"too many dependencies", body(10, 1), ed, with(func(o *mcuboot.SignOptions) { o.Dependencies = make([]mcuboot.Dependency, 17) }), mcuboot.ErrBadOptions,
			"bad options: 17 dependencies, at most 16"},
		{"header not zero", body(0x300, 1), ed, with(func(o *mcuboot.SignOptions) { o.PadHeader = false }), mcuboot.ErrBadOptions,
			"bad options: input does not start with 512 zero bytes for the header (set PadHeader, imgtool --pad-header)"},
		{"already an image", smallImage(t), ed, baseOpts(), mcuboot.ErrAlreadyImage,
			"input is already an MCUboot image"},
		{"P-224 key", body(10, 1), p224, baseOpts(), mcuboot.ErrUnsupportedKey,
			"unsupported key type: ECDSA on P-224"},
		{"signer fails", body(10, 1), failing{ed}, baseOpts(), errHSM,
			"sign with Ed25519 key: token removed"},
		{"raw r||s from the signer", body(10, 1), rawECDSA{p256.(*ecdsa.PrivateKey)}, baseOpts(), mcuboot.ErrBadSignature,
			"sign: the new image does not verify: signature does not verify: ECDSA_SIG TLV at 0x272 (ECDSA-P256)"},
		{"signer holds another key", body(10, 1), swapped{ed, loadKey(t, "ed25519-other")}, baseOpts(), mcuboot.ErrBadSignature,
			"sign: the new image does not verify: signature does not verify: ED25519 TLV at 0x272 (Ed25519)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := mcuboot.Sign(tt.in, tt.signer, tt.opts)
			if !errors.Is(err, tt.is) || out != nil || err.Error() != tt.want {
				t.Fatalf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
}

var errHSM = errors.New("token removed")

type failing struct{ crypto.Signer }

func (failing) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return nil, errHSM }

// rawECDSA returns r||s instead of DER, as some PKCS#11 wrappers do and
// as imgtool --fix-sig would embed silently (mcuboot-formats.md §5).
type rawECDSA struct{ k *ecdsa.PrivateKey }

func (s rawECDSA) Public() crypto.PublicKey { return s.k.Public() }
func (s rawECDSA) Sign(r io.Reader, d []byte, _ crypto.SignerOpts) ([]byte, error) {
	x, y, err := ecdsa.Sign(r, s.k, d)
	if err != nil {
		return nil, err
	}
	return append(x.FillBytes(make([]byte, 32)), y.FillBytes(make([]byte, 32))...), nil
}

// swapped claims one key and signs with another (the wrong key behind
// an HSM label).
type swapped struct{ claimed, actual crypto.Signer }

func (s swapped) Public() crypto.PublicKey { return s.claimed.Public() }
func (s swapped) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return s.actual.Sign(r, d, o)
}

// TestSignHeaderOptions: load address, ROM-fixed and non-bootable set
// their flags (mcuboot-formats.md §1), and without PadHeader the input's
// zero gap becomes the header, as imgtool does without --pad-header.
func TestSignHeaderOptions(t *testing.T) {
	in := append(make([]byte, 0x40), body(50, 3)...)
	tests := []struct {
		name  string
		opts  func(*mcuboot.SignOptions)
		addr  uint32
		flags mcuboot.Flags
	}{
		{"plain", func(*mcuboot.SignOptions) {}, 0, 0},
		{"ram load", func(o *mcuboot.SignOptions) { o.LoadAddr = 0x20010000 }, 0x20010000, mcuboot.FlagRAMLoad},
		{"rom fixed", func(o *mcuboot.SignOptions) { o.ROMFixed = 0x8020000 }, 0x8020000, mcuboot.FlagROMFixed},
		{"non-bootable", func(o *mcuboot.SignOptions) { o.NonBootable = true }, 0, mcuboot.FlagNonBootable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := mcuboot.SignOptions{HeaderSize: 0x40, SecurityCounter: u32(1)}
			tt.opts(&o)
			out := sign(t, "ed25519", in, o)
			if binary.LittleEndian.Uint32(out[4:]) != tt.addr || mcuboot.Flags(binary.LittleEndian.Uint32(out[0x10:])) != tt.flags {
				t.Fatalf("header % x", out[:32])
			}
			if !bytes.Equal(out[32:0x40], make([]byte, 32)) || !bytes.Equal(out[0x40:0x40+50], in[0x40:]) {
				t.Fatal("zero gap or body changed")
			}
			img, err := mcuboot.Parse(out)
			if err != nil || img.Header.ImageSize != 50 || img.Header.ProtectedTLVSize != 12 {
				t.Fatalf("parse: %v %+v", err, img.Header)
			}
		})
	}
}

// TestSignDoesNotModifyInput: Sign copies.
func TestSignDoesNotModifyInput(t *testing.T) {
	in := append(make([]byte, 0x20), body(64, 4)...)
	keep := bytes.Clone(in)
	o := baseOpts()
	o.HeaderSize, o.PadHeader = 0x20, false
	sign(t, "p256", in, o)
	if !bytes.Equal(in, keep) {
		t.Fatal("input modified")
	}
}
