package ceremony

import (
	"fmt"
	"strconv"

	"signbox/device/esp"
)

// descTextMax is how many characters esp_app_desc_t's version and
// project_name hold (32 bytes with the NUL); ESP-IDF truncates longer
// values at build time, so a longer product id or version can never be
// matched against the build.
const descTextMax = 31

// BuiltError reports an app image whose esp_app_desc_t does not carry what
// the release says. signbox signs images as built and never rewrites
// them, so every fix is a rebuild.
type BuiltError struct {
	Input  string // the input file, "app.bin"
	Field  string // the esp_app_desc_t field: secure_version, project_name or version
	Detail string // what differs and how to fix it
}

func (e *BuiltError) Error() string {
	return fmt.Sprintf("%s: %s; signbox does not rewrite images", e.Input, e.Detail)
}

func (e *BuiltError) Unwrap() error { return ErrNotAsBuilt }

// ImageError reports an input image that is not an unsigned image of the
// kind and chip the release needs.
type ImageError struct {
	Input  string // "bootloader.bin" or "app.bin"
	Detail string
}

func (e *ImageError) Error() string { return e.Input + ": " + e.Detail }

func (e *ImageError) Unwrap() error { return ErrInputChanged }

// ReleaseImages are a release's unsigned images and what the release says
// they are.
type ReleaseImages struct {
	Product, Version, Chip string
	SecurityVersion        uint32
	Bootloader, App        []byte
}

// CheckReleaseImages makes the image checks a release ceremony makes when
// it verifies its inputs: both images parse, are unsigned, of their kind
// and for the chip, and the app is built as the release says. The build
// side (`signbox request create`) runs it before it writes a request, so
// CI fails with the ceremony's own message. It returns the check lines.
func CheckReleaseImages(ri ReleaseImages) ([]string, error) {
	rp := &ReleasePlan{Product: ri.Product, Version: ri.Version, Chip: ri.Chip,
		SecurityVersion: VersionChange{New: ri.SecurityVersion}}
	return checkImages(rp, ri.Bootloader, ri.App)
}

// checkInputs parses both images: unsigned, for the plan's chip, of the
// right kind, and the app built as the release says.
func (releaseKind) checkInputs(s *Session) ([]string, error) {
	checks, err := checkImages(s.plan.Release, s.inputs[InputBootloader], s.inputs[InputApp])
	if err != nil {
		return nil, err
	}
	if b, ok := s.inputs[InputSBOM]; ok {
		sc, err := checkSBOM(b, s.pol.Release.SBOM, map[string][]byte{InputBootloader: s.inputs[InputBootloader], InputApp: s.inputs[InputApp]})
		if err != nil {
			return nil, err
		}
		checks = append(checks, sc)
	}
	return checks, nil
}

func checkImages(rp *ReleasePlan, bootloader, app []byte) ([]string, error) {
	chip, err := esp.ParseChip(rp.Chip)
	if err != nil {
		return nil, err
	}
	var checks []string
	for _, c := range []struct {
		name string
		kind esp.Kind
		data []byte
	}{{InputBootloader, esp.KindBootloader, bootloader}, {InputApp, esp.KindApp, app}} {
		img, err := checkImage(c.name, c.kind, chip, c.data)
		if err != nil {
			return nil, err
		}
		if c.kind == esp.KindApp {
			if err := compareDesc(rp, img.App); err != nil {
				return nil, err
			}
			checks = append(checks, builtLine(rp.Chip, img.App))
			continue
		}
		checks = append(checks, fmt.Sprintf("%s: unsigned %s %s, secure_version %d", c.name, rp.Chip, c.kind, img.SecureVersion()))
	}
	return checks, nil
}

// checkImage parses one input image and requires it unsigned, of kind and
// for chip.
func checkImage(name string, kind esp.Kind, chip esp.Chip, data []byte) (*esp.Image, error) {
	img, err := esp.ParseImage(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if img.Kind != kind || img.Header.Chip != chip || img.Signed() {
		signed := "unsigned"
		if img.Signed() {
			signed = "signed"
		}
		return nil, &ImageError{Input: name, Detail: fmt.Sprintf("must be an unsigned %s %s image, found an %s %s image (%s)",
			chip, kind, img.Header.Chip, img.Kind, signed)}
	}
	return img, nil
}

// inputData is the named input's bytes, nil if it is not among files.
func inputData(files []inputFile, name string) []byte {
	for _, f := range files {
		if f.name == name {
			return f.data
		}
	}
	return nil
}

// checkAsBuilt parses the app input and compares its descriptor with the
// release plan.
func checkAsBuilt(rp *ReleasePlan, app []byte) error {
	img, err := esp.ParseImage(app)
	if err != nil {
		return fmt.Errorf("%s: %w", InputApp, err)
	}
	if img.Kind != esp.KindApp {
		return fmt.Errorf("%w: %s is a %s image, not an app", ErrInputChanged, InputApp, img.Kind)
	}
	return compareDesc(rp, img.App)
}

// compareDesc checks the three esp_app_desc_t fields a release names:
// secure_version against the security version, project_name against the
// product id (the policy has no other name for a product's ESP-IDF
// project, so the two must be equal) and version against the version.
func compareDesc(rp *ReleasePlan, d *esp.AppDesc) error {
	if d.SecureVersion != rp.SecurityVersion.New {
		want := strconv.FormatUint(uint64(rp.SecurityVersion.New), 10)
		return builtErr("secure_version", "built secure_version %d, the request says %s: rebuild the app with CONFIG_BOOTLOADER_APP_SECURE_VERSION=%s",
			d.SecureVersion, want, want)
	}
	if err := compareText("project_name", "product", d.ProjectName, rp.Product,
		"build the app as ESP-IDF project %q (project() in its top-level CMakeLists.txt)"); err != nil {
		return err
	}
	return compareText("version", "version", d.Version, rp.Version,
		"rebuild the app with PROJECT_VER %q (CMakeLists.txt, version.txt or CONFIG_APP_PROJECT_VER)")
}

func compareText(field, reqField, built, want, fix string) error {
	if len(want) > descTextMax {
		return builtErr(field, "the request's %s %q is %d characters; esp_app_desc_t.%s holds %d (ESP-IDF truncates longer values), so the build cannot be checked against it: use a %s of at most %d characters",
			reqField, want, len(want), field, descTextMax, reqField, descTextMax)
	}
	if built != want {
		return builtErr(field, "built %s %q, the request's %s is %q: "+fix, field, built, reqField, want, want)
	}
	return nil
}

func builtErr(field, format string, args ...any) error {
	return &BuiltError{Input: InputApp, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// builtLine is the check line for an app that matches the release.
func builtLine(chip string, d *esp.AppDesc) string {
	return fmt.Sprintf("%s: unsigned %s app as built: project_name %s, version %s, secure_version %d, as the release says",
		InputApp, chip, d.ProjectName, d.Version, d.SecureVersion)
}

// imageRecords reads what the plan shows of each input image: chip, kind,
// the app's project name and version, secure_version, size and hash.
func imageRecords(files []inputFile) ([]ImageRecord, error) {
	var out []ImageRecord
	for _, name := range []string{InputBootloader, InputApp} {
		data := inputData(files, name)
		img, err := esp.ParseImage(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		r := ImageRecord{Input: name, Kind: img.Kind.String(), Chip: img.Header.Chip.String(), SecureVersion: img.SecureVersion(),
			Size: int64(len(data)), SHA256: sha256Hex(data)}
		if img.App != nil {
			r.ProjectName, r.Version = img.App.ProjectName, img.App.Version
		}
		out = append(out, r)
	}
	return out, nil
}
