package mcuboot

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"fmt"
	"io"
)

// SignOptions are imgtool sign's options that shape the image. Every
// one of them feeds the hash, so two runs with the same options and
// input hash the same bytes.
type SignOptions struct {
	// HeaderSize is ih_hdr_size (imgtool -H, required): at least 32;
	// Zephyr uses 0x200.
	HeaderSize int
	// PadHeader prepends HeaderSize bytes of 0xFF, the erased value
	// (imgtool --pad-header). Without it the input must already start
	// with HeaderSize zero bytes (a linked gap), as imgtool requires.
	PadHeader bool
	// Version is the header version (imgtool -v maj.min.rev+build).
	Version Version
	// SecurityCounter, if set, is written as the protected SEC_CNT TLV
	// (imgtool -s N; see AutoSecurityCounter for -s auto).
	SecurityCounter *uint32
	// Dependencies become protected DEPENDENCY TLVs in order (imgtool -d).
	Dependencies []Dependency
	// LoadAddr sets ih_load_addr and FlagRAMLoad (imgtool --load-addr);
	// ROMFixed sets it and FlagROMFixed (--rom-fixed). Not both.
	LoadAddr uint32
	ROMFixed uint32
	// NonBootable sets FlagNonBootable (imgtool --non-bootable).
	NonBootable bool
	// Rand is handed to the signer (RSA-PSS salt, ECDSA nonce); nil
	// means crypto/rand. An HSM signer may ignore it.
	Rand io.Reader
}

// Sign turns a raw firmware binary into a signed MCUboot image, byte for
// byte what `imgtool sign` writes without --pad: header, body, protected
// TLVs (SEC_CNT, DEPENDENCY) and the unprotected hash, KEYHASH and
// signature TLVs. The signer may be an HSM key: RSA keys are asked for
// RSA-PSS (SHA-256, salt 32) over the digest, ECDSA keys for a DER
// signature over it, Ed25519 keys for a pure Ed25519 signature whose
// message is the digest. The result is verified with the signer's public
// key before it is returned; bin is never modified.
func Sign(bin []byte, signer crypto.Signer, opts SignOptions) ([]byte, error) {
	pub := signer.Public()
	alg, err := AlgorithmOf(pub)
	if err != nil {
		return nil, err
	}
	if err := opts.check(bin); err != nil {
		return nil, err
	}
	out := opts.build(bin)
	digest := hashBytes(alg.Hash(), out)
	kh, err := KeyHash(pub)
	if err != nil {
		return nil, err
	}
	sig, err := signDigest(signer, alg, digest, opts.Rand)
	if err != nil {
		return nil, fmt.Errorf("sign with %s key: %w", alg, err)
	}
	out = appendArea(out, TLVInfoMagic, []TLV{
		{Type: hashTLVType(alg.Hash()), Value: digest},
		{Type: TLVKeyHash, Value: kh},
		{Type: alg.SigTLV(), Value: sig},
	})
	if _, err := Verify(out, pub, opts.selfCheck()); err != nil {
		return nil, fmt.Errorf("sign: the new image does not verify: %w", err)
	}
	return out, nil
}

// check refuses options and inputs imgtool would refuse or that do not
// fit the format.
func (o *SignOptions) check(bin []byte) error {
	switch {
	case o.HeaderSize < MinHeaderSize || o.HeaderSize > 0xFFFF:
		return fmt.Errorf("%w: HeaderSize %d, want %d..65535", ErrBadOptions, o.HeaderSize, MinHeaderSize)
	case o.LoadAddr != 0 && o.ROMFixed != 0:
		return fmt.Errorf("%w: LoadAddr and ROMFixed are exclusive", ErrBadOptions)
	case len(o.Dependencies) > MaxDependencies:
		return fmt.Errorf("%w: %d dependencies, at most %d", ErrBadOptions, len(o.Dependencies), MaxDependencies)
	case len(bin) >= 4 && binary.LittleEndian.Uint32(bin) == ImageMagic:
		return ErrAlreadyImage
	case len(bin)+o.HeaderSize > MaxImageSize:
		return fmt.Errorf("%w: %d bytes of input, at most %d with the header", ErrTooLarge, len(bin), MaxImageSize-o.HeaderSize)
	}
	if o.PadHeader {
		return nil
	}
	if len(bin) < o.HeaderSize || !allZero(bin[:o.HeaderSize]) {
		return fmt.Errorf("%w: input does not start with %d zero bytes for the header (set PadHeader, imgtool --pad-header)",
			ErrBadOptions, o.HeaderSize)
	}
	return nil
}

// build returns header, body and protected area: the hashed region.
func (o *SignOptions) build(bin []byte) []byte {
	var out []byte
	if o.PadHeader {
		out = append(bytes.Repeat([]byte{0xFF}, o.HeaderSize), bin...)
	} else {
		out = bytes.Clone(bin)
	}
	prot := protectedTLVs(o.SecurityCounter, o.Dependencies)
	h := o.header(len(out)-o.HeaderSize, prot)
	h.encode(out)
	if len(prot) > 0 {
		out = appendArea(out, TLVProtInfoMagic, prot)
	}
	return out
}

func (o *SignOptions) header(bodyLen int, prot []TLV) Header {
	h := Header{
		LoadAddr:   o.LoadAddr | o.ROMFixed,
		HeaderSize: uint16(o.HeaderSize),
		ImageSize:  uint32(bodyLen),
		Version:    o.Version,
	}
	if len(prot) > 0 {
		h.ProtectedTLVSize = uint16(areaLen(prot))
	}
	if o.LoadAddr != 0 {
		h.Flags |= FlagRAMLoad
	}
	if o.ROMFixed != 0 {
		h.Flags |= FlagROMFixed
	}
	if o.NonBootable {
		h.Flags |= FlagNonBootable
	}
	return h
}

// selfCheck is what the new image must pass: its own counter as the floor.
func (o *SignOptions) selfCheck() VerifyOptions {
	if o.SecurityCounter == nil {
		return VerifyOptions{AllowNoSecurityCounter: true}
	}
	return VerifyOptions{MinSecurityCounter: *o.SecurityCounter}
}

// signDigest asks signer for the signature the algorithm's TLV holds.
func signDigest(signer crypto.Signer, alg Algorithm, digest []byte, r io.Reader) ([]byte, error) {
	if r == nil {
		r = rand.Reader
	}
	switch alg {
	case RSA2048PSS, RSA3072PSS:
		// A fresh options value per call: a signer cannot alter what the
		// next call is asked for.
		sig, err := signer.Sign(r, digest, &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256})
		return leftPad(sig, signer.Public().(*rsa.PublicKey).Size()), err
	case ECDSAP256, ECDSAP384:
		return signer.Sign(r, digest, alg.Hash())
	default: // Ed25519: pure, the digest is the message
		return signer.Sign(r, digest, crypto.Hash(0))
	}
}

func hashBytes(h crypto.Hash, b []byte) []byte {
	w := h.New()
	w.Write(b)
	return w.Sum(nil)
}

// leftPad restores leading zero bytes some signers drop.
func leftPad(b []byte, n int) []byte {
	if len(b) >= n {
		return b
	}
	return append(make([]byte, n-len(b)), b...)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
