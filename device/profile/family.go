package profile

import (
	"crypto"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Family is a device family.
type Family interface {
	// Name is the policy's `family:` value: "esp32" or "mcuboot".
	Name() string
	// Targets lists the chips or boards the family knows, sorted.
	Targets() []string
	// Algorithms lists the key algorithms target verifies, in the
	// hsm/policy spelling ("ecdsa-p256", ...).
	Algorithms(target string) ([]string, error)
	// Sniff reports whether b starts like one of the family's images.
	Sniff(b []byte) bool
	// Describe parses an image and describes it for `image info`.
	Describe(b []byte) (string, error)
	// Sign turns a raw build into a signed image. ESP32 images carry one
	// signature block per signer; MCUboot images take exactly one signer.
	Sign(raw []byte, signers []crypto.Signer, p SignParams) ([]byte, error)
	// Verify checks a signed image as the device would: against keys
	// (any one may have signed) and a rollback floor.
	Verify(image []byte, keys []crypto.PublicKey, floor uint32) (Facts, error)
	// KeyID is what a device holds to recognise a key: the eFuse key
	// digest (ESP32 Secure Boot V2) or the KEYHASH an image carries and
	// the bootloader compares with its built-in key (MCUboot).
	KeyID(pub crypto.PublicKey) ([]byte, error)
	// KeyIDName names KeyID in messages and manifests ("efuse_digest",
	// "key_hash").
	KeyIDName() string
}

// SignParams are what a release decides beyond the keys. ESP32 images
// carry version and secure_version in their app descriptor, built in;
// MCUboot images get them from here (imgtool -v, -s).
type SignParams struct {
	Version         string // "maj.min.rev+build" (MCUboot)
	SecurityCounter uint32 // MCUboot SEC_CNT
	Rand            io.Reader
}

// Facts are what a verified image says, in family-neutral terms.
type Facts struct {
	Family string
	// Target is the chip an ESP32 image names; MCUboot images name none.
	Target          string
	Version         string
	SecurityVersion uint32 // ESP secure_version, MCUboot SEC_CNT
	ImageDigest     []byte
	// Key is the index into the keys given to Verify of the one that
	// verified.
	Key int
	// Built is the unsigned build a wrapping family's image carries
	// (MCUboot: the bytes after the header), so a signer can prove it
	// signed exactly what was built; nil for ESP32, whose signature is
	// appended (esp.CheckAppended).
	Built []byte
}

// ErrUnknownFamily: a family name no profile answers to.
var ErrUnknownFamily = errors.New("unknown device family")

var families = []Family{ESP32{}, MCUboot{}}

// Families lists every family, ESP32 first.
func Families() []Family { return slices.Clone(families) }

// Names lists the family names.
func Names() []string {
	var out []string
	for _, f := range families {
		out = append(out, f.Name())
	}
	return out
}

// Lookup returns the family called name.
func Lookup(name string) (Family, error) {
	for _, f := range families {
		if f.Name() == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%w %q (known: %v)", ErrUnknownFamily, name, Names())
}

// ForImage returns the family whose images start like b.
func ForImage(b []byte) (Family, bool) {
	for _, f := range families {
		if f.Sniff(b) {
			return f, true
		}
	}
	return nil, false
}

// CheckTarget refuses a target the family does not know, naming the known ones.
func CheckTarget(f Family, target string) error {
	if !slices.Contains(f.Targets(), target) {
		return fmt.Errorf("%s: unknown chip or board %q (known: %v)", f.Name(), target, f.Targets())
	}
	return nil
}
