package bundle

import (
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"signbox/airgap"
	"signbox/airgap/envelope"
	"signbox/device/esp"
	"signbox/device/profile"
)

// Contents is everything that goes into a bundle; ceremony/ fills it.
type Contents struct {
	// Family is the device/profile family; "" or "esp32" for ESP32.
	Family          string
	Product         string
	Version         string
	Chip            string
	SecurityVersion uint32
	CeremonyDate    time.Time // only the date is kept
	PlanDigest      string    // sha256:<hex>
	Images          []ImageInput
	Keys            []KeyInput
	SBOM            []byte
	VEX             []byte
	Transcript      []byte
	Approvals       []NamedFile
	Checkpoint      []byte
	// Documents are further files for people (advisory, notice, rollout
	// plan, evidence pack), each at the bundle path given by its Name.
	Documents []NamedFile
}

// ImageInput is one signed image.
type ImageInput struct {
	Role string // bootloader | app
	Data []byte
}

// KeyInput is a Secure Boot V2 public key in eFuse slot Slot.
type KeyInput struct {
	Name    string // file name stem: keys/<Name>.pub.pem
	Public  crypto.PublicKey
	Slot    int
	Revoked bool
}

// NamedFile is a file with a caller-chosen name (an approval).
type NamedFile struct {
	Name string
	Data []byte
}

// Bundle is a built, signed bundle held in memory, ready to export.
type Bundle struct {
	Manifest       *Manifest
	ManifestSHA256 string
	files          []airgap.ExportFile // manifest envelope last
	releaseKey     crypto.PublicKey
	modTime        time.Time
	wrap           func(io.Writer) io.Writer // fault injection in tests
}

// Build lays out the contents, writes the canonical manifest and signs it
// with the release-bundle key (an HSM key from hsm.Token.Signer). The
// signature is verified before Build returns.
func Build(c *Contents, releaseKey crypto.Signer) (*Bundle, error) {
	m, files, err := c.layout()
	if err != nil {
		return nil, err
	}
	return seal(m, files, releaseKey, c.CeremonyDate)
}

// Paths lists the bundle path of every file the contents become, in
// writing order (the signed manifest envelope, written last, excluded).
// Documents that describe the bundle, such as an evidence pack, are
// generated from these paths before they are added themselves.
func (c *Contents) Paths() ([]string, error) {
	m, _, err := c.layout()
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(m.Files))
	for i, f := range m.Files {
		paths[i] = f.Path
	}
	return paths, nil
}

// layout decides where each file goes and lists it in an unsigned manifest.
func (c *Contents) layout() (*Manifest, []airgap.ExportFile, error) {
	m := &Manifest{
		Kind: ManifestKind, Family: c.Family, Product: c.Product, Version: c.Version, Chip: c.Chip,
		SecurityVersion: c.SecurityVersion, CeremonyDate: c.CeremonyDate.Format(time.DateOnly), PlanDigest: c.PlanDigest,
	}
	if m.Family == "esp32" {
		m.Family = ""
	}
	fam, err := m.familyOf()
	if err != nil {
		return nil, nil, fmt.Errorf("bundle: %w", err)
	}
	var files []airgap.ExportFile
	addFile := func(path, role string, data []byte) {
		sum := sha256.Sum256(data)
		m.Files = append(m.Files, File{Path: path, Role: role, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))})
		files = append(files, airgap.ExportFile{Path: path, Data: data})
	}
	for _, im := range c.Images {
		p := "images/" + im.Role + ".bin"
		m.Images = append(m.Images, Image{Role: im.Role, Path: p})
		addFile(p, RoleImage, im.Data)
	}
	for _, k := range c.Keys {
		if err := addKey(m, fam, k, addFile); err != nil {
			return nil, nil, err
		}
	}
	addFile("sbom.cdx.json", RoleSBOM, c.SBOM)
	addFile("vex.cdx.json", RoleVEX, c.VEX)
	addFile("ceremony/transcript.json", RoleTranscript, c.Transcript)
	for _, a := range c.Approvals {
		addFile("ceremony/approvals/"+a.Name, RoleApproval, a.Data)
	}
	addFile("audit/checkpoint.txt", RoleCheckpoint, c.Checkpoint)
	for _, d := range c.Documents {
		addFile(d.Name, RoleDocument, d.Data)
	}
	return m, files, nil
}

func addKey(m *Manifest, fam profile.Family, k KeyInput, addFile func(path, role string, data []byte)) error {
	pemBytes, err := envelope.MarshalPublicKeyPEM(k.Public)
	if err != nil {
		return fmt.Errorf("key %s: %w", k.Name, err)
	}
	if fam != nil {
		kh, err := familyKey(fam, k)
		if err != nil {
			return err
		}
		p := "keys/" + k.Name + ".pub.pem"
		m.Keys = append(m.Keys, Key{Slot: k.Slot, Path: p, KeyHash: kh, Revoked: k.Revoked})
		addFile(p, RolePublicKey, pemBytes)
		return nil
	}
	d, err := esp.KeyDigest(k.Public)
	if err != nil {
		return fmt.Errorf("key %s: %w", k.Name, err)
	}
	p := "keys/" + k.Name + ".pub.pem"
	m.Keys = append(m.Keys, Key{Slot: k.Slot, Path: p, EfuseDigest: hex.EncodeToString(d[:]), Revoked: k.Revoked})
	addFile(p, RolePublicKey, pemBytes)
	return nil
}

// seal validates and signs the manifest and appends its envelope.
func seal(m *Manifest, files []airgap.ExportFile, releaseKey crypto.Signer, date time.Time) (*Bundle, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	payload, err := m.Encode()
	if err != nil {
		return nil, err
	}
	env, err := envelope.Sign(releaseKey, PayloadType, payload)
	if err != nil {
		return nil, fmt.Errorf("bundle: sign manifest: %w", err)
	}
	sum := sha256.Sum256(payload)
	files = append(files, airgap.ExportFile{Path: airgap.BundleManifest, Data: env})
	return &Bundle{Manifest: m, ManifestSHA256: hex.EncodeToString(sum[:]), files: files,
		releaseKey: releaseKey.Public(), modTime: date}, nil
}

// WriteDir exports the bundle as a new directory at target and verifies
// the copy by reading it back.
func (b *Bundle) WriteDir(target string) error { return b.export().WriteDir(target) }

// WriteTar exports the bundle as a new tar file at target and verifies the
// copy by reading it back.
func (b *Bundle) WriteTar(target string) error { return b.export().WriteTar(target) }

func (b *Bundle) export() *airgap.Export {
	return &airgap.Export{
		Files:   b.files,
		ModTime: b.modTime,
		Wrap:    b.wrap,
		Check: func(path string) error {
			_, err := Verify(path, b.releaseKey, VerifyOptions{ManifestSHA256: b.ManifestSHA256})
			return err
		},
	}
}
