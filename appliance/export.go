package appliance

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"signbox/appliance/internal/faults"
	"signbox/audit"
	"signbox/bundle"
	"signbox/ceremony"
	"signbox/internal/atomicfile"
	"signbox/policy"
	"signbox/sbom"
	"signbox/vuln"
)

// Exported is what Export wrote.
type Exported struct {
	Checks ceremony.Checks
	// BundlePath is the release bundle, or for other ceremonies the
	// directory holding their outputs and transcript.
	BundlePath string
	// BundleDigest is the hex SHA-256 of the signed manifest (release) or
	// of the transcript (other ceremonies).
	BundleDigest string
	Files        int
	// Checkpoint is the signed audit checkpoint issued after the export
	// (a C2SP signed note), for the paper log.
	Checkpoint []byte
}

// Export closes a ceremony: the engine records its transcript and, for a
// release, the new security version; a release bundle is then assembled,
// signed with the release-bundle key, written under media and read back.
//
// Everything about the bundle that can be refused (triage changed since
// the approval, missing FDA fields, the hospital documents) is prepared
// before the ceremony is marked exported. If writing the media fails
// afterwards, Export can be called again: the ceremony stays exported and
// only the bundle is written anew.
func (a *Appliance) Export(planID, media string) (*Exported, error) {
	out, err := a.export(planID, media)
	if err != nil {
		_ = a.event(audit.CeremonyRefused, "ceremony", planID, "step", "export", "reason", err.Error())
	}
	return out, err
}

func (a *Appliance) export(planID, media string) (*Exported, error) {
	s, err := a.session(planID)
	if err != nil {
		return nil, err
	}
	if err := mediaReady(media); err != nil {
		return nil, err
	}
	if st := s.Step(); st != ceremony.StepVerified && st != ceremony.StepExported {
		_, err := s.Export() // refuses, naming the step that has not run
		return nil, err
	}
	release := s.Plan().Kind == policy.KindReleaseSigning
	var c *bundle.Contents
	if release {
		if c, err = a.prepareBundle(s); err != nil {
			return nil, fmt.Errorf("release bundle: %w", err)
		}
		if _, err := os.Lstat(filepath.Join(media, BundleName(c.Product, c.Version))); err == nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(media, BundleName(c.Product, c.Version)), atomicfile.ErrExists)
		}
	}
	qs, err := a.exportSession(s, release)
	if err != nil {
		return nil, err
	}
	out := &Exported{}
	if out.Checks, err = a.closeCeremony(s); err != nil {
		return nil, err
	}
	faults.At("export: ceremony closed")
	closing, err := a.checkpoint("ceremony " + s.ID() + " closed")
	if err != nil {
		return nil, err
	}
	if release {
		err = a.writeBundle(s, c, media, closing, out)
	} else {
		err = a.writeOutputs(s, media, out)
	}
	if err != nil {
		return nil, err
	}
	if err := a.event(audit.CeremonyStep, "ceremony", s.ID(), "step", "written to media", "path", filepath.Base(out.BundlePath), "sha256", out.BundleDigest); err != nil {
		return nil, err
	}
	if qs != nil {
		if err := a.finishQuorum(qs, s); err != nil {
			return nil, err
		}
	}
	if out.Checkpoint, err = a.checkpoint("export of " + s.ID()); err != nil {
		return nil, err
	}
	return out, nil
}

// checkpoint issues a signed checkpoint, or returns nil without a log.
func (a *Appliance) checkpoint(reason string) ([]byte, error) {
	if a.log == nil {
		return nil, nil
	}
	h, err := a.log.Checkpoint(reason, a.cfg.Now())
	if err != nil {
		return nil, err
	}
	return h.Note, nil
}

// prepareBundle assembles everything but the transcript and checkpoint,
// which exist only once the ceremony is closed.
func (a *Appliance) prepareBundle(s *ceremony.Session) (*bundle.Contents, error) {
	prev, err := a.ws.Versions()
	if err != nil {
		return nil, err
	}
	previous := ""
	if r := prev.Products[s.Plan().Release.Product]; r.Ceremony != s.ID() {
		previous = r.Version
	}
	c, err := a.bundleContents(s)
	if err != nil {
		return nil, err
	}
	if err := addDocuments(s, c, previous); err != nil {
		return nil, fmt.Errorf("hospital documents: %w", err)
	}
	return c, nil
}

func (a *Appliance) writeBundle(s *ceremony.Session, c *bundle.Contents, media string, checkpoint []byte, out *Exported) error {
	var err error
	if c.Transcript, err = os.ReadFile(s.OutputPath("transcript.json")); err != nil {
		return err
	}
	c.Checkpoint = checkpoint
	rk := s.Policy().Keys.ReleaseBundle
	if rk == nil || rk.Status != policy.StatusActive {
		return errors.New("the policy has no active release_bundle key")
	}
	if a.quorum == nil || a.quorum.plan != s.ID() {
		return fmt.Errorf("%w: the release bundle is signed in the quorum session of %s", ErrLocked, s.ID())
	}
	signer, err := a.quorum.tok.PinnedSigner(rk.Label, rk.Fingerprint)
	if err != nil {
		return fmt.Errorf("release-bundle key %s: %w", rk.Label, err)
	}
	b, err := bundle.Build(c, signer)
	if err != nil {
		return err
	}
	if err := mediaReady(media); err != nil {
		return err
	}
	target := filepath.Join(media, BundleName(c.Product, c.Version))
	if err := b.WriteDir(target); err != nil {
		return err
	}
	res, err := bundle.Verify(target, signer.Public(), bundle.VerifyOptions{Product: c.Product, ManifestSHA256: b.ManifestSHA256})
	if err != nil {
		return fmt.Errorf("read back %s: %w", target, err)
	}
	out.BundlePath, out.BundleDigest, out.Files = target, res.ManifestSHA256, res.Files
	return nil
}

// BundleName is the directory name of a release bundle on media.
func BundleName(product, version string) string {
	return product + "-" + version + ".bundle"
}

// bundleContents gathers everything a release bundle carries, re-deriving
// the SBOM and VEX from the same inputs the plan bound and refusing if the
// decisions changed since the custodians approved.
func (a *Appliance) bundleContents(s *ceremony.Session) (*bundle.Contents, error) {
	plan := s.Plan()
	rp := plan.Release
	date, err := ceremony.ParseDate(plan.Date)
	if err != nil {
		return nil, err
	}
	c := &bundle.Contents{
		Product: rp.Product, Version: rp.Version, Chip: rp.Chip, SecurityVersion: rp.SecurityVersion.New,
		CeremonyDate: date, PlanDigest: s.Digest().String(),
		Approvals: []bundle.NamedFile{{Name: "approvals.dsse.json", Data: s.Envelope()}},
	}
	images := map[string]string{}
	roles := []struct{ role, name string }{{"bootloader", ceremony.OutputBootloader}, {"app", ceremony.OutputApp}}
	if rp.Image != nil {
		// One image of another device family (MCUboot), signed with the
		// product's firmware key.
		c.Family, roles = rp.Image.Family, roles[1:]
	}
	for _, img := range roles {
		data, err := os.ReadFile(s.OutputPath(img.name))
		if err != nil {
			return nil, err
		}
		c.Images = append(c.Images, bundle.ImageInput{Role: img.role, Data: data})
		sum := sha256.Sum256(data)
		images[img.role+".bin"] = hex.EncodeToString(sum[:])
	}
	if c.Keys, err = a.signingKeys(rp); err != nil {
		return nil, err
	}
	if c.SBOM, c.VEX, err = a.releaseSBOMAndVEX(s, images); err != nil {
		return nil, err
	}
	return c, nil
}

// signingKeys are the public keys a bundle lists: the Secure Boot keys by
// eFuse slot, or the one firmware key of an image release (slot 0).
func (a *Appliance) signingKeys(rp *ceremony.ReleasePlan) ([]bundle.KeyInput, error) {
	purpose := "secure_boot"
	if rp.Image != nil {
		purpose = "firmware"
	}
	var keys []bundle.KeyInput
	for _, k := range rp.Keys {
		if k.Purpose != purpose {
			continue
		}
		if k.Slot < 0 {
			k.Slot = 0
		}
		ki, err := a.publicKey(k.Label)
		if err != nil {
			return nil, fmt.Errorf("%s key %s: %w", purpose, k.Label, err)
		}
		if k.Fingerprint != "" && ki.Fingerprint != k.Fingerprint {
			return nil, fmt.Errorf("%s key %s: HSM key %s is not the planned %s", purpose, k.Label, ki.Fingerprint, k.Fingerprint)
		}
		keys = append(keys, bundle.KeyInput{Name: k.Label, Public: ki.Public, Slot: k.Slot})
	}
	return keys, nil
}

func (a *Appliance) releaseSBOMAndVEX(s *ceremony.Session, images map[string]string) ([]byte, []byte, error) {
	plan := s.Plan()
	sbomIn, ok := s.InputPath(ceremony.InputSBOM)
	if !ok {
		return nil, nil, errors.New("the release has no SBOM input")
	}
	t, err := RunTriage(a.cfg.Root, s.Policy(), sbomIn, plan.Date)
	if err != nil {
		return nil, nil, err
	}
	if err := a.checkDecisions(s, t); err != nil {
		return nil, nil, err
	}
	approved, err := approvers(s)
	if err != nil {
		return nil, nil, err
	}
	date, _ := ceremony.ParseDate(plan.Date)
	var sb bytes.Buffer
	rel := sbom.Release{FirmwareName: plan.Release.Product, FirmwareVersion: plan.Release.Version, Images: images, Source: t.SBOM, Timestamp: date}
	releaseSBOMFacts(&rel, s.Policy())
	if err := sbom.WriteRelease(&sb, rel, sbom.ReleasePolicy{}); err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(sb.Bytes())
	written, err := sbom.Parse(sb.Bytes(), sbom.FormatJSON)
	if err != nil {
		return nil, nil, err
	}
	var vex bytes.Buffer
	info := vuln.VEXInfo{Timestamp: date, SBOMDigest: "sha256:" + hex.EncodeToString(sum[:]), SBOM: written,
		ApprovedBy: approved, PlanDigest: s.Digest().String()}
	if err := vuln.WriteVEX(&vex, t.Result, t.Decisions, info); err != nil {
		return nil, nil, err
	}
	return sb.Bytes(), vex.Bytes(), nil
}

// exportSession is the quorum session an export runs in. A closed
// non-release ceremony's record can be written again without the HSM;
// everything else signs or pins its new state in the quorum session.
func (a *Appliance) exportSession(s *ceremony.Session, release bool) (*quorumSession, error) {
	qs := a.quorum
	if qs != nil && qs.plan != s.ID() {
		qs = nil
	}
	if qs == nil && (release || s.Step() != ceremony.StepExported || a.unpinnedPolicyChange(s)) {
		return nil, fmt.Errorf("%w: exporting %s signs or pins its new state in the HSM; the approving custodians present their tokens again (signbox ceremony run --unlock)", ErrLocked, s.ID())
	}
	return qs, nil
}

// unpinnedPolicyChange reports an exported policy change whose new policy
// the HSM anchor does not pin yet: a crash came between closing it and
// rotating the shares or writing the anchor, and exporting it again under
// its quorum finishes the job.
func (a *Appliance) unpinnedPolicyChange(s *ceremony.Session) bool {
	if s.Plan().Kind != policy.KindPolicyChange || s.Step() != ceremony.StepExported {
		return false
	}
	p, err := a.policy()
	return err == nil && a.anchor.Policy.Digest != p.Digest()
}

// closeCeremony has the engine record the transcript and the workspace
// records (once), and appends an adopted policy to the approval chain.
func (a *Appliance) closeCeremony(s *ceremony.Session) (ceremony.Checks, error) {
	var checks ceremony.Checks
	if s.Step() != ceremony.StepExported {
		var err error
		if checks, err = s.Export(); err != nil {
			return nil, err
		}
	}
	if s.Plan().Kind != policy.KindPolicyChange {
		return checks, nil
	}
	next, err := a.policy()
	if err != nil {
		return nil, err
	}
	return checks, appendChain(a.cfg.Root, s, next)
}
