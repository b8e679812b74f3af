package airgap

import (
	"fmt"
	"slices"

	"signbox/airgap/strictjson"
)

// Image roles in a release request.
const (
	RoleBootloader = "bootloader"
	RoleApp        = "app"
)

// Chips signbox can sign for: the ESP32 family members with Secure Boot V2
// (see design/esp-idf-formats.md §1).
var Chips = []string{"esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5", "esp32c6", "esp32c61", "esp32h2", "esp32p4"}

// Request is request.json: what CI asks the appliance to sign.
type Request struct {
	Kind            string  `json:"kind"`
	Product         string  `json:"product"`
	Version         string  `json:"version"`
	Chip            string  `json:"chip"`
	SecurityVersion uint32  `json:"security_version"`
	Images          []Image `json:"images"`
	SBOM            FileRef `json:"sbom"`
	// Clinical is optional; see Clinical for why.
	Clinical *Clinical `json:"clinical,omitempty"`
}

// Image is one unsigned firmware image in a request.
type Image struct {
	Role string `json:"role"` // bootloader | app
	FileRef
}

// ParseRequest decodes request.json strictly and validates every field.
func ParseRequest(data []byte) (*Request, error) {
	if err := checkKind(data, KindRequest); err != nil {
		return nil, fmt.Errorf("%s: %w", RequestManifest, err)
	}
	var r Request
	if err := strictjson.Decode(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", RequestManifest, err)
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", RequestManifest, err)
	}
	return &r, nil
}

// Validate checks every field; errors name the field.
func (r *Request) Validate() error {
	if r.Kind != KindRequest {
		return fmt.Errorf("kind is %q, want %q", r.Kind, KindRequest)
	}
	if err := checkName("product", r.Product, 64); err != nil {
		return err
	}
	if err := checkName("version", r.Version, 64); err != nil {
		return err
	}
	if !slices.Contains(Chips, r.Chip) && !IsBoard(r.Chip) {
		return fmt.Errorf("chip: %q is not one of %v", r.Chip, Targets())
	}
	if err := r.checkImages(); err != nil {
		return err
	}
	if err := r.SBOM.check("sbom", MaxSBOMBytes); err != nil {
		return err
	}
	if r.Clinical != nil {
		if err := r.Clinical.Validate(); err != nil {
			return err
		}
	}
	return checkDistinct(r.Files())
}

func (r *Request) checkImages() error {
	if len(r.Images) == 0 || len(r.Images) > 2 {
		return fmt.Errorf("images: %d entries, want 1 or 2 (app, optional bootloader)", len(r.Images))
	}
	seen := map[string]bool{}
	for i, im := range r.Images {
		field := fmt.Sprintf("images[%d]", i)
		if im.Role != RoleBootloader && im.Role != RoleApp {
			return fmt.Errorf("%s.role: %q, want %q or %q", field, im.Role, RoleBootloader, RoleApp)
		}
		if seen[im.Role] {
			return fmt.Errorf("%s.role: second %q image", field, im.Role)
		}
		seen[im.Role] = true
		if err := im.check(field, MaxImageBytes); err != nil {
			return err
		}
	}
	if !seen[RoleApp] {
		return fmt.Errorf("images: no %q image", RoleApp)
	}
	if IsBoard(r.Chip) && seen[RoleBootloader] {
		return fmt.Errorf("images: a request for MCUboot board %s carries the app only; its bootloader is provisioned, not released", r.Chip)
	}
	return nil
}

// Image returns the image with the given role.
func (r *Request) Image(role string) (Image, bool) {
	for _, im := range r.Images {
		if im.Role == role {
			return im, true
		}
	}
	return Image{}, false
}

// Files lists every file the request names.
func (r *Request) Files() []FileRef {
	out := make([]FileRef, 0, len(r.Images)+1)
	for _, im := range r.Images {
		out = append(out, im.FileRef)
	}
	return append(out, r.SBOM)
}

func checkDistinct(files []FileRef) error {
	seen := map[string]bool{}
	for _, f := range files {
		k := foldKey(f.Path)
		if seen[k] {
			return fmt.Errorf("%q is listed twice (names compared ignoring case)", f.Path)
		}
		seen[k] = true
	}
	return nil
}
