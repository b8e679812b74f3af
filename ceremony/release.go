package ceremony

import (
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"signbox/device/esp"
	"signbox/policy"
)

// ReleaseInputs is everything a release signing ceremony is planned from.
// cmd glue fills it from a verified release request (airgap) or flags.
type ReleaseInputs struct {
	Date            string // ceremony date, YYYY-MM-DD
	Product         string
	Version         string
	Chip            string
	SecurityVersion uint32
	Bootloader      string // path of the unsigned bootloader image
	App             string // path of the unsigned app image
	SBOM            string // path of the CycloneDX SBOM; "" if policy allows none
	// Gate is the vulnerability gate's verdict (see GateRecord).
	Gate *GateRecord
	// Extra inputs (VEX, release request) are bound to the plan by digest;
	// ceremony does not interpret them.
	Extra []NamedPath
	// PublicKeys are the Secure Boot keys' public halves by label, as the
	// appliance token holds them; each must match its policy pin and gives
	// the plan the key's eFuse digest. A key missing here is planned
	// without one.
	PublicKeys map[string]crypto.PublicKey
}

// NamedPath is an extra input file.
type NamedPath struct {
	Name string
	Path string
}

// Input names of a release.
const (
	InputBootloader = "bootloader.bin"
	InputApp        = "app.bin"
	InputSBOM       = "sbom.cdx.json"
)

// Output names of a release.
const (
	OutputBootloader = "bootloader.signed.bin"
	OutputApp        = "app.signed.bin"
)

// PlanRelease plans a release signing ceremony under the current policy.
// A security version below the product's last release is refused here and
// again at every later step.
func (w *Workspace) PlanRelease(in ReleaseInputs) (*Session, error) {
	pol, err := w.Policy()
	if err != nil {
		return nil, err
	}
	if prod := pol.Product(in.Product); prod != nil && prod.FamilyName() != policy.FamilyESP32 {
		return w.planImageRelease(in, pol, prod)
	}
	files, err := releaseFiles(in, pol)
	if err != nil {
		return nil, err
	}
	return w.create(policy.KindReleaseSigning, in.Date, pol, files, func(p *Plan) error {
		rp := &ReleasePlan{Product: in.Product, Version: in.Version, Chip: in.Chip, SecurityVersion: VersionChange{New: in.SecurityVersion}, VulnGate: in.Gate}
		if err := checkReleaseRules(w, pol, rp); err != nil {
			return err
		}
		if _, err := checkGate(rp.VulnGate, in.Date, pol.Release.MaxFeedAge.Duration); err != nil {
			return err
		}
		if err := checkAsBuilt(rp, inputData(files, InputApp)); err != nil {
			return err
		}
		images, err := imageRecords(files)
		if err != nil {
			return err
		}
		rp.Images = images
		keys, err := w.activeSecureBootKeys(pol)
		if err != nil {
			return err
		}
		if err := addKeyDigests(keys, in.PublicKeys); err != nil {
			return err
		}
		rp.Keys = keys
		p.Release = rp
		return checkReleaseKeys(rp)
	})
}

func releaseFiles(in ReleaseInputs, pol *policy.Policy) ([]inputFile, error) {
	if in.Version == "" {
		return nil, errors.New("release version is required")
	}
	if in.Bootloader == "" || in.App == "" {
		return nil, errors.New("a release needs a bootloader and an app image")
	}
	if in.SBOM == "" && pol.Release.SBOM.Required {
		return nil, fmt.Errorf("%w: the policy requires an SBOM (release.sbom.required)", ErrPolicyDenied)
	}
	paths := []NamedPath{{InputBootloader, in.Bootloader}, {InputApp, in.App}}
	if in.SBOM != "" {
		paths = append(paths, NamedPath{InputSBOM, in.SBOM})
	}
	paths = append(paths, in.Extra...)
	var files []inputFile
	for _, np := range paths {
		if slices.ContainsFunc(files, func(f inputFile) bool { return f.name == np.Name }) {
			return nil, fmt.Errorf("input %s given twice", np.Name)
		}
		f, err := readFile(np.Name, np.Path)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// checkReleaseRules applies the policy's release rules and fills the old
// security version.
func checkReleaseRules(w *Workspace, pol *policy.Policy, rp *ReleasePlan) error {
	if err := checkProductRules(pol, rp.Product, rp.Chip, rp.SecurityVersion.New); err != nil {
		return err
	}
	old, err := w.checkSecurityVersion(rp.Product, rp.SecurityVersion.New)
	if err != nil {
		return err
	}
	if rp.SecurityVersion.Old == nil {
		rp.SecurityVersion.Old = old
	} else if old != nil && *old != *rp.SecurityVersion.Old {
		return fmt.Errorf("%w: %s's released security version is now %d, the plan was made at %d", ErrSecurityVersion, rp.Product, *old, *rp.SecurityVersion.Old)
	}
	return nil
}

// checkProductRules: the product is in the policy, on its chip, and the
// security version within the policy's maximum.
func checkProductRules(pol *policy.Policy, product, chip string, sv uint32) error {
	prod := pol.Product(product)
	if prod == nil {
		return fmt.Errorf("%w: product %q is not in the policy", ErrPolicyDenied, product)
	}
	if prod.Target() != chip {
		return fmt.Errorf("%w: product %s targets %s, the release says %s", ErrPolicyDenied, product, prod.Target(), chip)
	}
	if max := pol.Release.SecurityVersion.Max; int(sv) > max {
		return fmt.Errorf("%w: security version %d is above the policy's maximum %d (release.security_version.max)", ErrPolicyDenied, sv, max)
	}
	return nil
}

// CheckReleasePolicy makes the policy checks of a release ceremony that
// need no workspace state: the product and its chip, the security
// version's maximum and the SBOM's CycloneDX version. Whether the
// security version is below the product's last release is known only to
// the appliance, which checks it when the release is planned. The build
// side (`signbox request create --policy`) runs this before it writes a
// request; it returns the check lines.
func CheckReleasePolicy(pol *policy.Policy, product, chip string, sv uint32, sbom []byte, images map[string][]byte) ([]string, error) {
	if err := checkProductRules(pol, product, chip, sv); err != nil {
		return nil, err
	}
	sc, err := checkSBOM(sbom, pol.Release.SBOM, images)
	if err != nil {
		return nil, err
	}
	return []string{
		fmt.Sprintf("product %s on %s is in the policy; security version %d within its maximum %d", product, chip, sv, pol.Release.SecurityVersion.Max),
		sc + " as the policy requires",
	}, nil
}

func checkReleaseKeys(rp *ReleasePlan) error {
	if len(rp.Keys) == 0 {
		return fmt.Errorf("%w: no active, unrevoked Secure Boot key to sign with", ErrPolicyDenied)
	}
	return nil
}

type releaseKind struct{}

func (releaseKind) evaluate(s *Session) ([]string, error) {
	rp := *s.plan.Release
	if err := checkReleaseRules(s.ws, s.pol, &rp); err != nil {
		return nil, err
	}
	current, err := s.ws.activeSecureBootKeys(s.pol)
	if err != nil {
		return nil, err
	}
	// The eFuse digests came from the token's public halves at planning and
	// were checked against the pins compared here; the keys that sign are
	// checked against their pins again when they sign.
	planned := slices.Clone(rp.Keys)
	for i := range planned {
		planned[i].EFuseDigest = ""
	}
	if !slices.Equal(current, planned) {
		return nil, fmt.Errorf("%w: the active Secure Boot keys changed since the plan was made (a revocation?); plan a new ceremony", ErrPolicyDenied)
	}
	gate, err := checkGate(rp.VulnGate, s.plan.Date, s.pol.Release.MaxFeedAge.Duration)
	if err != nil {
		return nil, err
	}
	return []string{
		fmt.Sprintf("product %s on %s is in the policy", rp.Product, rp.Chip),
		gate,
		fmt.Sprintf("security version %s never decreases (max %d)", rp.SecurityVersion, s.pol.Release.SecurityVersion.Max),
		fmt.Sprintf("%d active Secure Boot keys, none revoked", len(rp.Keys)),
	}, checkReleaseKeys(&rp)
}

func (releaseKind) preflight(s *Session, ks KeyStore) error {
	signers, err := releaseSigners(s, ks)
	s.scratch["signers"] = signers
	return err
}

func releaseSigners(s *Session, ks KeyStore) ([]crypto.Signer, error) {
	if ks == nil {
		return nil, errors.New("Sign: a release needs the appliance HSM")
	}
	var signers []crypto.Signer
	for _, k := range s.plan.Release.Keys {
		sg, err := pinnedSigner(ks, k)
		if err != nil {
			return nil, fmt.Errorf("slot %d: %w", k.Slot, err)
		}
		signers = append(signers, sg)
	}
	return signers, nil
}

// releaseImages pairs each signed output with the input it is made from.
var releaseImages = []struct{ out, in string }{{OutputBootloader, InputBootloader}, {OutputApp, InputApp}}

// sign appends the Secure Boot V2 sector to each image exactly as built:
// no descriptor field, checksum or hash is touched.
func (releaseKind) sign(s *Session, ks KeyStore) ([]Input, error) {
	signers := s.scratch["signers"].([]crypto.Signer)
	var outs []Input
	for _, img := range releaseImages {
		built, err := s.planInput(img.in)
		if err != nil {
			return nil, err
		}
		// esp.Sign verifies every new block with its signer's public key
		// before returning, and preflight checked each of those keys
		// against its pin: nothing unverified reaches the disk.
		signed, err := esp.Sign(built, signers, ks.Rand())
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", img.out, err)
		}
		if err := esp.CheckAppended(built, signed); err != nil {
			return nil, fmt.Errorf("sign %s: %w", img.out, err)
		}
		o, err := s.writeOutput(img.out, signed)
		if err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	keyOuts, err := writePublicKeys(s, s.plan.Release.Keys, signers)
	return append(outs, keyOuts...), err
}

func (releaseKind) verify(s *Session) ([]string, error) {
	pubs, err := readPublicKeys(s, s.plan.Release.Keys)
	if err != nil {
		return nil, err
	}
	digests, revoked, err := deviceView(s, pubs)
	if err != nil {
		return nil, err
	}
	var checks []string
	for _, im := range releaseImages {
		c, err := verifyImage(s, im.out, im.in, pubs, digests, revoked)
		if err != nil {
			return nil, err
		}
		checks = append(checks, c...)
	}
	return checks, nil
}

// verifyImage checks one output read back from disk: its input as built
// plus a signature sector and nothing else, every planned key's block,
// and the device's view (eFuse digests, revocations, secure_version).
func verifyImage(s *Session, name, input string, pubs []crypto.PublicKey, digests [3][32]byte, revoked [3]bool) ([]string, error) {
	rp := s.plan.Release
	b, err := s.output(name)
	if err != nil {
		return nil, err
	}
	built, err := s.planInput(input)
	if err != nil {
		return nil, err
	}
	if err := esp.CheckAppended(built, b); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	img, err := esp.ParseImage(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i, pub := range pubs {
		if _, err := img.Verify(pub); err != nil {
			return nil, fmt.Errorf("%s: slot %d: %w", name, rp.Keys[i].Slot, err)
		}
	}
	v, err := img.VerifyDigests(digests, revoked)
	if err != nil {
		return nil, fmt.Errorf("%s: device check: %w", name, err)
	}
	if name == OutputApp && v.SecureVersion() != rp.SecurityVersion.New {
		return nil, fmt.Errorf("%s: secure_version is %d, the plan says %d", name, v.SecureVersion(), rp.SecurityVersion.New)
	}
	return []string{
		fmt.Sprintf("%s: %s as built, %d bytes unchanged, plus 0xFF padding and one signature sector", name, input, len(built)),
		fmt.Sprintf("%s: %d signature blocks verify; device accepts it (slot %d, secure_version %d)", name, len(pubs), v.Slot(), v.SecureVersion()),
	}, nil
}

// deviceView is what a provisioned device's eFuses hold: the digest of
// every slot's key and the revoked flags.
func deviceView(s *Session, pubs []crypto.PublicKey) ([3][32]byte, [3]bool, error) {
	var digests [3][32]byte
	var revoked [3]bool
	for i, k := range s.plan.Release.Keys {
		d, err := esp.KeyDigest(pubs[i])
		if err != nil {
			return digests, revoked, err
		}
		digests[k.Slot] = d
	}
	rv, err := s.ws.Revocations()
	if err != nil {
		return digests, revoked, err
	}
	for slot := range revoked {
		revoked[slot] = rv.Revoked(slot)
	}
	return digests, revoked, nil
}

func (releaseKind) export(s *Session) ([]string, error) {
	rp := s.plan.Release
	r := ReleasedVersion{SecurityVersion: rp.SecurityVersion.New, Version: rp.Version, Ceremony: s.plan.ID, Date: s.plan.Date, PlanDigest: s.digest.String()}
	v, err := s.ws.Versions()
	if err != nil {
		return nil, err
	}
	if v.Products[rp.Product] != r {
		if err := s.ws.recordRelease(rp.Product, r); err != nil {
			return nil, err
		}
	}
	return []string{fmt.Sprintf("%s security version recorded: %s", rp.Product, rp.SecurityVersion)}, nil
}

// addKeyDigests sets each Secure Boot key's eFuse digest from its public
// half, after checking that half against the key's policy pin.
func addKeyDigests(keys []KeyRef, pubs map[string]crypto.PublicKey) error {
	for i, k := range keys {
		pub, ok := pubs[k.Label]
		if !ok {
			continue
		}
		fp, err := policy.Fingerprint(pub)
		if err != nil {
			return err
		}
		if k.Fingerprint != "" && fp != k.Fingerprint {
			return &KeyMismatchError{Label: k.Label, Want: k.Fingerprint, Got: fp}
		}
		d, err := esp.KeyDigest(pub)
		if err != nil {
			return fmt.Errorf("secure boot key %s: %w", k.Label, err)
		}
		keys[i].EFuseDigest = hex.EncodeToString(d[:])
	}
	return nil
}
