package bundle

import (
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/semver"

	"signbox/airgap"
	"signbox/airgap/envelope"
	"signbox/device/esp"
)

// VerifyOptions carry what the verifier already knows. None is secret.
type VerifyOptions struct {
	// Product, if set, must equal the manifest's product.
	Product string
	// MinSecurityVersion rejects bundles below a device's anti-rollback
	// floor.
	MinSecurityVersion uint32
	// LastSeen, if set, rejects a bundle older than the last release the
	// verifier accepted: a lower security version, or a lower semantic
	// version. Replaying an old, validly signed bundle is then refused.
	LastSeen *Release
	// EfuseDigests, if any slot is non-zero, replaces the key digests the
	// bundle lists: images must verify under the device's own eFuse
	// digests (what device/emu passes).
	EfuseDigests [3][32]byte
	// Revoked marks eFuse slots revoked on the device, on top of keys the
	// manifest itself marks revoked.
	Revoked [3]bool
	// ImageVerifier checks Secure Boot V2 signatures; nil means
	// ESPVerifier.
	ImageVerifier ImageVerifier
	// ManifestSHA256, if set, pins the exact manifest (hex SHA-256 of the
	// signed payload); export read-back uses it to prove it read what it
	// wrote.
	ManifestSHA256 string
}

// Release identifies a release for replay checks.
type Release struct {
	Version         string
	SecurityVersion uint32
}

// Result is a verified bundle. Only Verify makes one.
type Result struct {
	Manifest       *Manifest
	ManifestSHA256 string // hex SHA-256 of the signed manifest bytes
	ReleaseKeyID   string // sha256:<hex> of the release key's SPKI
	Form           airgap.Form
	Files          int // files checked against the manifest
	Images         []ImageResult
	ProductChecked bool // opts.Product was given and matched
	ReplayChecked  bool // MinSecurityVersion or LastSeen was given and passed
}

// ImageResult says how one image verified.
type ImageResult struct {
	Role          string
	Path          string
	SHA256        string
	KeyDigest     string // hex eFuse digest that verified
	Slot          int
	SecureVersion uint32
	// Data is the image exactly as verified, so an installer can use these
	// bytes rather than read the media a second time.
	Data []byte
}

// Verify checks the bundle at path (directory or tar) against the release
// public key: media shape, manifest signature, manifest, replay, every
// file's size and SHA-256, every key's eFuse digest and every image's
// Secure Boot V2 signature. A failure is a *VerifyError; I/O failures
// (path missing, unreadable) are returned as they are.
func Verify(path string, releaseKey crypto.PublicKey, opts VerifyOptions) (*Result, error) {
	m, err := airgap.OpenMediaRetain(path, airgap.BundleLimits, retainForVerify, maxRetained)
	if err != nil {
		var me *airgap.MediaError
		if errors.As(err, &me) {
			return nil, fail(me.Path, fmt.Errorf("%w: %v", ErrMedia, me.Err))
		}
		return nil, err
	}
	v := &verifier{media: m, opts: opts, res: &Result{Form: m.Form()}}
	steps := []func() error{
		func() error { return v.manifest(releaseKey) },
		v.replay, v.listing, v.contents,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return v.res, nil
}

// Keys, images and the manifest envelope are kept from the scan so they
// are read once; the cap keeps hostile media from pinning more memory
// than two maximal images.
const maxRetained = 2*airgap.MaxImageBytes + airgap.MaxManifestBytes

func retainForVerify(p string) bool {
	return p == airgap.BundleManifest || strings.HasPrefix(p, "images/") || strings.HasPrefix(p, "keys/")
}

type verifier struct {
	media *airgap.Media
	opts  VerifyOptions
	man   *Manifest
	res   *Result
	data  map[string][]byte
}

func (v *verifier) manifest(releaseKey crypto.PublicKey) error {
	const name = airgap.BundleManifest
	if _, ok := v.media.Lookup(name); !ok {
		return fail(name, ErrMissing)
	}
	env, err := v.media.ReadFile(name)
	if err != nil {
		return fail(name, fmt.Errorf("%w: %v", ErrMedia, err))
	}
	payload, keyID, err := envelope.Open(env, PayloadType, releaseKey)
	if err != nil {
		return fail(name, fmt.Errorf("%w: %v", ErrSignature, err))
	}
	sum := sha256.Sum256(payload)
	v.res.ManifestSHA256, v.res.ReleaseKeyID = hex.EncodeToString(sum[:]), keyID
	if v.opts.ManifestSHA256 != "" && v.opts.ManifestSHA256 != v.res.ManifestSHA256 {
		return fail(name, fmt.Errorf("%w: manifest is %s, want %s", ErrManifest, v.res.ManifestSHA256, v.opts.ManifestSHA256))
	}
	man, err := ParseManifest(payload)
	if err != nil {
		return fail(name, fmt.Errorf("%w: %v", ErrManifest, err))
	}
	v.man, v.res.Manifest = man, man
	return nil
}

func (v *verifier) replay() error {
	m, o := v.man, v.opts
	if o.Product != "" {
		if m.Product != o.Product {
			return fail("", fmt.Errorf("%w: %q, want %q", ErrProduct, m.Product, o.Product))
		}
		v.res.ProductChecked = true
	}
	if m.SecurityVersion < o.MinSecurityVersion {
		return fail("", fmt.Errorf("%w: security version %d is below the floor %d", ErrReplay, m.SecurityVersion, o.MinSecurityVersion))
	}
	if last := o.LastSeen; last != nil {
		if m.SecurityVersion < last.SecurityVersion {
			return fail("", fmt.Errorf("%w: security version %d, last seen %d", ErrReplay, m.SecurityVersion, last.SecurityVersion))
		}
		a, b := semverOf(m.Version), semverOf(last.Version)
		if a != "" && b != "" && semver.Compare(a, b) < 0 {
			return fail("", fmt.Errorf("%w: version %s, last seen %s", ErrReplay, m.Version, last.Version))
		}
	}
	v.res.ReplayChecked = o.MinSecurityVersion > 0 || o.LastSeen != nil
	return nil
}

// semverOf returns v as a golang.org/x/mod/semver string, or "" when it
// is not one (then only security versions are compared).
func semverOf(v string) string {
	if v != "" && v[0] != 'v' {
		v = "v" + v
	}
	if !semver.IsValid(v) {
		return ""
	}
	return v
}

// listing requires the media to hold exactly the manifest envelope and
// the listed files, each with the listed size and digest.
func (v *verifier) listing() error {
	for _, e := range v.media.Entries() {
		if e.Path == airgap.BundleManifest {
			continue
		}
		if _, ok := v.man.File(e.Path); !ok {
			return fail(e.Path, ErrExtra)
		}
	}
	for _, f := range v.man.Files {
		e, ok := v.media.Lookup(f.Path)
		if !ok {
			return fail(f.Path, ErrMissing)
		}
		if e.Size != f.Size {
			return fail(f.Path, fmt.Errorf("%w: %d bytes, manifest says %d", ErrSize, e.Size, f.Size))
		}
		if e.Hex() != f.SHA256 {
			return fail(f.Path, fmt.Errorf("%w: %s, manifest says %s", ErrDigest, e.Hex(), f.SHA256))
		}
	}
	v.res.Files = len(v.man.Files)
	return nil
}

// contents reads keys and images back (re-hashed against the scan) and
// checks key digests and image signatures.
func (v *verifier) contents() error {
	var paths []string
	for _, k := range v.man.Keys {
		paths = append(paths, k.Path)
	}
	for _, im := range v.man.Images {
		paths = append(paths, im.Path)
	}
	data, err := v.media.ReadFiles(paths)
	if err != nil {
		return fail("", fmt.Errorf("%w: %v", ErrMedia, err))
	}
	v.data = data
	fam, err := v.man.familyOf()
	if err != nil {
		return fail("", fmt.Errorf("%w: %v", ErrManifest, err))
	}
	if fam != nil {
		pubs, err := v.familyKeys(fam)
		if err != nil {
			return err
		}
		for _, im := range v.man.Images {
			r, err := v.familyImage(fam, im, pubs)
			if err != nil {
				return err
			}
			v.res.Images = append(v.res.Images, r)
		}
		return nil
	}
	digests, revoked, err := v.keys()
	if err != nil {
		return err
	}
	for _, im := range v.man.Images {
		r, err := v.image(im, digests, revoked)
		if err != nil {
			return err
		}
		v.res.Images = append(v.res.Images, r)
	}
	return nil
}

// keys checks each listed public key against its eFuse digest and returns
// the digest slots images must verify under.
func (v *verifier) keys() ([3][32]byte, [3]bool, error) {
	var digests [3][32]byte
	revoked := v.opts.Revoked
	for _, k := range v.man.Keys {
		pub, err := envelope.ParsePublicKeyPEM(v.data[k.Path])
		if err != nil {
			return digests, revoked, fail(k.Path, fmt.Errorf("%w: %v", ErrKeyDigest, err))
		}
		d, err := esp.KeyDigest(pub)
		if err != nil {
			return digests, revoked, fail(k.Path, fmt.Errorf("%w: %v", ErrKeyDigest, err))
		}
		if hex.EncodeToString(d[:]) != k.EfuseDigest {
			return digests, revoked, fail(k.Path, fmt.Errorf("%w: key digest %x, manifest says %s", ErrKeyDigest, d, k.EfuseDigest))
		}
		digests[k.Slot] = d
		revoked[k.Slot] = revoked[k.Slot] || k.Revoked
	}
	if v.opts.EfuseDigests != ([3][32]byte{}) {
		digests = v.opts.EfuseDigests
	}
	return digests, revoked, nil
}

func (v *verifier) image(im Image, digests [3][32]byte, revoked [3]bool) (ImageResult, error) {
	check := v.opts.ImageVerifier
	if check == nil {
		check = ESPVerifier
	}
	b := v.data[im.Path]
	facts, err := check(b, digests, revoked)
	if err != nil {
		if _, err2 := check(b, digests, [3]bool{}); err2 == nil && revoked != ([3]bool{}) {
			return ImageResult{}, fail(im.Path, fmt.Errorf("%w: %v", ErrRevoked, err))
		}
		return ImageResult{}, fail(im.Path, fmt.Errorf("%w: %v", ErrImageSignature, err))
	}
	if err := v.checkFacts(im, facts); err != nil {
		return ImageResult{}, fail(im.Path, fmt.Errorf("%w: %v", ErrImage, err))
	}
	f, _ := v.man.File(im.Path)
	return ImageResult{Role: im.Role, Path: im.Path, SHA256: f.SHA256, KeyDigest: hex.EncodeToString(facts.KeyDigest[:]),
		Slot: facts.Slot, SecureVersion: facts.SecureVersion, Data: b}, nil
}

// checkFacts ties the image to the manifest: role, chip, and for the app
// the security version the ceremony approved.
func (v *verifier) checkFacts(im Image, f ImageFacts) error {
	if f.Role != im.Role {
		return fmt.Errorf("listed as %s but the image is a %s", im.Role, f.Role)
	}
	if f.Chip != v.man.Chip {
		return fmt.Errorf("built for %s, manifest says %s", f.Chip, v.man.Chip)
	}
	if im.Role == airgap.RoleApp && f.SecureVersion != v.man.SecurityVersion {
		return fmt.Errorf("secure_version %d, manifest says %d", f.SecureVersion, v.man.SecurityVersion)
	}
	return nil
}
