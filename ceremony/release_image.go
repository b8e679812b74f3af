package ceremony

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"signbox/device/profile"
	"signbox/policy"
)

// A release of a product outside the ESP32 family (MCUboot) signs one
// image, the app, with the product's keys.firmware key in the appliance
// HSM. Everything family-specific goes through device/profile: the plan
// binds the image (board, version, security counter, build digest, key
// hash), Sign wraps the build with profile.Family.Sign, and Verify reads
// the output back with profile.Family.Verify at the planned counter. The
// product's floor is the security counter, recorded in versions.json and
// pinned in the HSM anchor like an ESP32 product's secure_version.

// planImageRelease plans a release of prod, a non-ESP32 product.
func (w *Workspace) planImageRelease(in ReleaseInputs, pol *policy.Policy, prod *policy.Product) (*Session, error) {
	fam, err := profile.Lookup(prod.FamilyName())
	if err != nil {
		return nil, err
	}
	files, err := imageReleaseFiles(in, pol, fam)
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
		key, err := firmwareKeyRef(pol, prod)
		if err != nil {
			return err
		}
		pub, err := w.pinnedPublicKey(key)
		if err != nil {
			return err
		}
		id, err := fam.KeyID(pub)
		if err != nil {
			return fmt.Errorf("%w: firmware key %s: %v", ErrPolicyDenied, key.Label, err)
		}
		rp.Keys = []KeyRef{key}
		rp.Image = &ImagePlan{
			Family: fam.Name(), Board: prod.Target(), Version: in.Version, SecurityCounter: in.SecurityVersion,
			BuiltSHA256: sha256Hex(inputData(files, InputApp)), Key: key.Label, KeyHash: hex.EncodeToString(id),
		}
		p.Release = rp
		return nil
	})
}

// imageReleaseFiles: the unsigned app, the SBOM and the extras; no
// bootloader (an MCUboot bootloader is built with the key and provisioned
// once, see the key generation's profile).
func imageReleaseFiles(in ReleaseInputs, pol *policy.Policy, fam profile.Family) ([]inputFile, error) {
	if in.Version == "" {
		return nil, errors.New("release version is required")
	}
	if in.App == "" {
		return nil, fmt.Errorf("a %s release needs the unsigned app image", fam.Name())
	}
	if in.Bootloader != "" {
		return nil, fmt.Errorf("%w: a %s release signs one image, the app; its bootloader is built with the firmware key and provisioned, not released", ErrPolicyDenied, fam.Name())
	}
	if in.SBOM == "" && pol.Release.SBOM.Required {
		return nil, fmt.Errorf("%w: the policy requires an SBOM (release.sbom.required)", ErrPolicyDenied)
	}
	paths := []NamedPath{{InputApp, in.App}}
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
	if fam.Sniff(files[0].data) {
		return nil, fmt.Errorf("%w: %s is already a signed %s image; the release takes the unsigned build", ErrInputChanged, InputApp, fam.Name())
	}
	return files, nil
}

// firmwareKeyRef is the product's active, pinned keys.firmware key.
func firmwareKeyRef(pol *policy.Policy, prod *policy.Product) (KeyRef, error) {
	k := pol.FirmwareKey(prod.Key)
	if k == nil {
		return KeyRef{}, fmt.Errorf("%w: product %s names firmware key %q, which keys.firmware does not hold", ErrPolicyDenied, prod.ID, prod.Key)
	}
	if k.Status != policy.StatusActive || k.Fingerprint == "" {
		return KeyRef{}, fmt.Errorf("%w: firmware key %s of product %s is %s, not active and pinned", ErrPolicyDenied, k.Label, prod.ID, k.Status)
	}
	return KeyRef{Purpose: "firmware", Slot: -1, Label: k.Label, Algorithm: k.Algorithm, Fingerprint: k.Fingerprint}, nil
}

// pinnedPublicKey finds the public key written for k when it was made:
// by appliance init (<root>/keys/<label>.pub.pem) or by a key generation
// ceremony (newest first), and accepts only the one whose fingerprint is
// the policy's pin: the pin, not the file, is what is trusted.
func (w *Workspace) pinnedPublicKey(k KeyRef) (crypto.PublicKey, error) {
	ids, err := w.Ceremonies()
	if err != nil {
		return nil, err
	}
	paths := []string{filepath.Join(w.root, "keys", pubKeyName(k))}
	for _, id := range slices.Backward(ids) {
		paths = append(paths, (&Session{dir: w.ceremonyDir(id)}).outPath(pubKeyName(k)))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		pub, err := policy.ParsePublicKeyPEM(string(b))
		if err != nil {
			continue
		}
		if fp, err := policy.Fingerprint(pub); err == nil && fp == k.Fingerprint {
			return pub, nil
		}
	}
	return nil, fmt.Errorf("%w: no key generation output in the workspace holds %s's pinned public key %s", ErrPolicyDenied, k.Label, k.Fingerprint)
}

// imageReleaseKind is the release of one image through a device profile.
type imageReleaseKind struct{}

func (imageReleaseKind) family(s *Session) (profile.Family, *ImagePlan, error) {
	ip := s.plan.Release.Image
	fam, err := profile.Lookup(ip.Family)
	return fam, ip, err
}

func (k imageReleaseKind) checkInputs(s *Session) ([]string, error) {
	fam, ip, err := k.family(s)
	if err != nil {
		return nil, err
	}
	app := s.inputs[InputApp]
	if sha256Hex(app) != ip.BuiltSHA256 {
		return nil, fmt.Errorf("%w: %s is not the build the plan binds (%s)", ErrInputChanged, InputApp, ip.BuiltSHA256)
	}
	if fam.Sniff(app) {
		return nil, fmt.Errorf("%w: %s is already a signed %s image", ErrInputChanged, InputApp, fam.Name())
	}
	checks := []string{fmt.Sprintf("%s: unsigned %s build for %s, %d bytes, as planned", InputApp, fam.Name(), ip.Board, len(app))}
	if b, ok := s.inputs[InputSBOM]; ok {
		sc, err := checkSBOM(b, s.pol.Release.SBOM, map[string][]byte{InputApp: app})
		if err != nil {
			return nil, err
		}
		checks = append(checks, sc)
	}
	return checks, nil
}

func (k imageReleaseKind) evaluate(s *Session) ([]string, error) {
	rp := *s.plan.Release
	if err := checkReleaseRules(s.ws, s.pol, &rp); err != nil {
		return nil, err
	}
	prod := s.pol.Product(rp.Product)
	if prod.FamilyName() != rp.Image.Family || prod.Target() != rp.Image.Board || rp.Image.SecurityCounter != rp.SecurityVersion.New {
		return nil, fmt.Errorf("%w: the plan's image (%s on %s, counter %d) does not match product %s", ErrPolicyDenied, rp.Image.Family, rp.Image.Board, rp.Image.SecurityCounter, rp.Product)
	}
	key, err := firmwareKeyRef(s.pol, prod)
	if err != nil {
		return nil, err
	}
	if len(rp.Keys) != 1 || rp.Keys[0] != key {
		return nil, fmt.Errorf("%w: product %s's firmware key is now %s %s; the plan names another: plan a new ceremony", ErrPolicyDenied, rp.Product, key.Label, key.Fingerprint)
	}
	gate, err := checkGate(rp.VulnGate, s.plan.Date, s.pol.Release.MaxFeedAge.Duration)
	if err != nil {
		return nil, err
	}
	return []string{
		fmt.Sprintf("product %s (%s) on %s is in the policy", rp.Product, rp.Image.Family, rp.Chip),
		gate,
		fmt.Sprintf("security counter %s never decreases (max %d)", rp.SecurityVersion, s.pol.Release.SecurityVersion.Max),
		fmt.Sprintf("firmware key %s active and pinned (%s %s)", key.Label, keyIDName(rp.Image), rp.Image.KeyHash),
	}, nil
}

func keyIDName(ip *ImagePlan) string {
	if f, err := profile.Lookup(ip.Family); err == nil {
		return f.KeyIDName()
	}
	return "key id"
}

func (k imageReleaseKind) preflight(s *Session, ks KeyStore) error {
	if ks == nil {
		return errors.New("Sign: a release needs the appliance HSM")
	}
	f, ip, err := k.family(s)
	if err != nil {
		return err
	}
	sg, err := pinnedSigner(ks, s.plan.Release.Keys[0])
	if err != nil {
		return err
	}
	id, err := f.KeyID(sg.Public())
	if err != nil {
		return err
	}
	if hex.EncodeToString(id) != ip.KeyHash {
		return fmt.Errorf("%w: HSM key %s has %s %x, the plan binds %s", ErrKeyMismatch, ip.Key, f.KeyIDName(), id, ip.KeyHash)
	}
	s.scratch["signers"] = []crypto.Signer{sg}
	return nil
}

func (k imageReleaseKind) sign(s *Session, ks KeyStore) ([]Input, error) {
	f, ip, err := k.family(s)
	if err != nil {
		return nil, err
	}
	signers := s.scratch["signers"].([]crypto.Signer)
	built, err := s.planInput(InputApp)
	if err != nil {
		return nil, err
	}
	signed, err := f.Sign(built, signers, profile.SignParams{Version: ip.Version, SecurityCounter: ip.SecurityCounter, Rand: ks.Rand()})
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", OutputApp, err)
	}
	// Nothing unverified reaches the disk.
	if _, err := k.check(s, signed, []crypto.PublicKey{signers[0].Public()}); err != nil {
		return nil, fmt.Errorf("sign %s: %w", OutputApp, err)
	}
	o, err := s.writeOutput(OutputApp, signed)
	if err != nil {
		return nil, err
	}
	keyOuts, err := writePublicKeys(s, s.plan.Release.Keys, signers)
	return append([]Input{o}, keyOuts...), err
}

func (k imageReleaseKind) verify(s *Session) ([]string, error) {
	pubs, err := readPublicKeys(s, s.plan.Release.Keys)
	if err != nil {
		return nil, err
	}
	b, err := s.output(OutputApp)
	if err != nil {
		return nil, err
	}
	return k.check(s, b, pubs)
}

// check verifies a signed image as the device would, at the planned
// counter as floor, and ties it to the plan: the build unchanged inside,
// the counter, the version and the key hash.
func (k imageReleaseKind) check(s *Session, image []byte, pubs []crypto.PublicKey) ([]string, error) {
	f, ip, err := k.family(s)
	if err != nil {
		return nil, err
	}
	facts, err := f.Verify(image, pubs, ip.SecurityCounter)
	if err != nil {
		return nil, fmt.Errorf("%s: device check: %w", OutputApp, err)
	}
	built, err := s.planInput(InputApp)
	if err != nil {
		return nil, err
	}
	if facts.Built != nil && !bytes.Equal(facts.Built, built) {
		return nil, fmt.Errorf("%w: %s does not carry %s as built", ErrInputChanged, OutputApp, InputApp)
	}
	if facts.SecurityVersion != ip.SecurityCounter {
		return nil, fmt.Errorf("%s: security counter %d, the plan says %d", OutputApp, facts.SecurityVersion, ip.SecurityCounter)
	}
	id, err := f.KeyID(pubs[facts.Key])
	if err != nil || hex.EncodeToString(id) != ip.KeyHash {
		return nil, fmt.Errorf("%s: verified with a key whose %s is not the planned %s", OutputApp, f.KeyIDName(), ip.KeyHash)
	}
	return []string{
		fmt.Sprintf("%s: %s as built, %d bytes unchanged, in a %s image", OutputApp, InputApp, len(built), f.Name()),
		fmt.Sprintf("%s: signature by %s verifies (%s %s); a %s accepts it at security counter %d, version %s", OutputApp, ip.Key, f.KeyIDName(), ip.KeyHash, ip.Board, facts.SecurityVersion, facts.Version),
	}, nil
}

func (imageReleaseKind) export(s *Session) ([]string, error) { return releaseKind{}.export(s) }

// imagePlanLines are the plan's lines for custodians about the one image.
func imagePlanLines(ip *ImagePlan) []string {
	return []string{
		fmt.Sprintf("%s image for %s: version %s, security counter %d (set by signing: the header and protected TLVs)", ip.Family, ip.Board, ip.Version, ip.SecurityCounter),
		fmt.Sprintf("%s as built %s, carried unchanged after the image header", InputApp, ip.BuiltSHA256),
		fmt.Sprintf("signed by firmware key %s; devices recognise it by %s %s", ip.Key, keyIDName(ip), ip.KeyHash),
	}
}
