package sbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Release describes the release SBOM to write.
type Release struct {
	FirmwareName    string
	FirmwareVersion string
	// Manufacturer is the device manufacturer (the policy's manufacturer):
	// the release SBOM's manufacturer, supplier and author, and the
	// firmware's. Optional here; evidence check fails without it.
	Manufacturer Organization
	// ToolVersion is signbox's version, listed in metadata.tools.
	ToolVersion string
	// Suppliers names the supplier of components whose SBOM entry names
	// none, by purl prefix (the policy's release.sbom.suppliers).
	Suppliers Suppliers
	// Images maps each signed image's name (e.g. "bootloader.bin") to the
	// lowercase hex SHA-256 of the signed bytes.
	Images map[string]string
	// Source is the release request's SBOM; its components and dependencies
	// are carried over.
	Source *SBOM
	// Support is FDA support information keyed by bom-ref or purl; it
	// overrides properties already present in Source.
	Support   map[string]Support
	Timestamp time.Time
}

// ReleasePolicy holds the policy's SBOM requirements.
type ReleasePolicy struct {
	// RequireSupport demands a support level and an end-of-support date
	// for every component.
	RequireSupport bool
}

// BuildRelease assembles the release SBOM. It returns a
// *MissingSupportError when the policy requires support information that
// is absent.
func BuildRelease(r Release, p ReleasePolicy) (*cdx.BOM, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	bom := cdx.NewBOM()
	bom.JSONSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.Version = 1
	bom.SerialNumber = r.serial()
	bom.Metadata = r.metadata()
	comps, err := r.components(p)
	if err != nil {
		return nil, err
	}
	if len(comps) > 0 {
		bom.Components = &comps
	}
	if deps := r.dependencies(bom.Metadata.Component.BOMRef); len(deps) > 0 {
		bom.Dependencies = &deps
	}
	return bom, nil
}

// WriteRelease writes the release SBOM as CycloneDX 1.6 JSON and checks
// that what it wrote reads back as a valid SBOM.
func WriteRelease(w io.Writer, r Release, p ReleasePolicy) error {
	bom, err := BuildRelease(r, p)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return fmt.Errorf("encode release SBOM: %w", err)
	}
	if _, err := Parse(buf.Bytes(), FormatJSON); err != nil {
		return fmt.Errorf("release SBOM does not read back: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func (r Release) check() error {
	var errs []error
	if r.FirmwareName == "" || r.FirmwareVersion == "" {
		errs = append(errs, errors.New("firmware name and version are required"))
	}
	if len(r.Images) == 0 {
		errs = append(errs, errors.New("at least one signed image is required"))
	}
	for name, h := range r.Images {
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size || hex.EncodeToString(b) != h {
			errs = append(errs, fmt.Errorf("image %q: %q is not a lowercase hex SHA-256", name, h))
		}
	}
	if r.Timestamp.IsZero() {
		errs = append(errs, errors.New("timestamp is required"))
	}
	return errors.Join(errs...)
}

func (r Release) imageNames() []string {
	names := make([]string, 0, len(r.Images))
	for n := range r.Images {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// serial derives the serial number from the firmware identity and image
// hashes, so the same release always gets the same serial (an RFC 9562
// version 8 UUID over SHA-256).
func (r Release) serial() string {
	h := sha256.New()
	json.NewEncoder(h).Encode([]any{r.FirmwareName, r.FirmwareVersion, r.Images})
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x80
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return fmt.Sprintf("urn:uuid:%s-%s-%s-%s-%s", x[:8], x[8:12], x[12:16], x[16:20], x[20:])
}

func (r Release) firmware() *cdx.Component {
	fw := &cdx.Component{
		BOMRef:  "firmware:" + r.FirmwareName + "@" + r.FirmwareVersion,
		Type:    cdx.ComponentTypeFirmware,
		Name:    r.FirmwareName,
		Version: r.FirmwareVersion,
	}
	fw.Supplier, fw.Manufacturer = r.Manufacturer.entity(), r.Manufacturer.entity()
	var images []cdx.Component
	for _, n := range r.imageNames() {
		images = append(images, cdx.Component{
			BOMRef: fw.BOMRef + "/" + n,
			Type:   cdx.ComponentTypeFile,
			Name:   n,
			Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: r.Images[n]}},
		})
	}
	fw.Components = &images
	return fw
}

func (r Release) components(p ReleasePolicy) ([]cdx.Component, error) {
	if r.Source == nil || r.Source.BOM.Components == nil {
		return nil, nil
	}
	comps, err := deepCopy(*r.Source.BOM.Components)
	if err != nil {
		return nil, err
	}
	var missing []MissingSupport
	var errs []error
	var walk func(cs []cdx.Component, prefix string)
	walk = func(cs []cdx.Component, prefix string) {
		for i := range cs {
			c := &cs[i]
			path := fmt.Sprintf("%s[%d]", prefix, i)
			s, err := supportFor(c, r.Support)
			if err != nil {
				errs = append(errs, err)
			} else if s.Level != "" && !s.Level.valid() {
				errs = append(errs, fmt.Errorf("%s: support level %q is not one of active, limited, none, unknown", path, s.Level))
			}
			applySupport(c, s)
			r.Suppliers.apply(c)
			if f := missingFields(s); p.RequireSupport && len(f) > 0 {
				missing = append(missing, MissingSupport{Path: path, Ref: c.BOMRef, Name: c.Name, Fields: f})
			}
			if c.Components != nil {
				walk(*c.Components, path+".components")
			}
		}
	}
	walk(comps, "components")
	assignRefs(comps)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, &MissingSupportError{Missing: missing}
	}
	return comps, nil
}

// dependencies carries the source's dependency graph over, pointing edges
// from the source's own product component at the firmware component.
func (r Release) dependencies(fwRef string) []cdx.Dependency {
	if r.Source == nil || r.Source.BOM.Dependencies == nil {
		return nil
	}
	old := ""
	if m := r.Source.BOM.Metadata; m != nil && m.Component != nil {
		old = m.Component.BOMRef
	}
	var deps []cdx.Dependency
	for _, d := range *r.Source.BOM.Dependencies {
		if d.Ref == old && old != "" {
			d.Ref = fwRef
		}
		deps = append(deps, d)
	}
	return deps
}

// deepCopy copies components through JSON so that the caller's SBOM is
// never modified by applySupport.
func deepCopy(cs []cdx.Component) ([]cdx.Component, error) {
	b, err := json.Marshal(cs)
	if err != nil {
		return nil, fmt.Errorf("copy components: %w", err)
	}
	var out []cdx.Component
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("copy components: %w", err)
	}
	return out, nil
}
