package ceremony

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
	"signbox/policy"
)

// TestPlanRefusesAppNotAsBuilt: the app's esp_app_desc_t must carry the
// release's secure_version, product and version; signbox never rewrites
// them, so each mismatch is refused at planning, by field name.
func TestPlanRefusesAppNotAsBuilt(t *testing.T) {
	f := newFixture(t)
	base := images(t, t.TempDir(), 32<<10)
	built := func(o esptest.Options) ReleaseInputs {
		in := base
		in.App = filepath.Join(t.TempDir(), "app.bin")
		o.Chip = esp.ESP32C6
		if err := os.WriteFile(in.App, build(t, o), 0o644); err != nil {
			t.Fatal(err)
		}
		return in
	}
	good := esptest.Options{Size: 32 << 10, SecureVersion: 1, Version: "1.0.0", Project: "pump"}
	with := func(edit func(*esptest.Options)) ReleaseInputs { o := good; edit(&o); return built(o) }
	longVersion := "1.0.0+" + strings.Repeat("b", 26)
	for _, tc := range []struct {
		name, field string
		in          ReleaseInputs
		want        string
	}{
		{"secure_version below", "secure_version", with(func(o *esptest.Options) { o.SecureVersion = 0 }),
			"app.bin: built secure_version 0, the request says 1: rebuild the app with CONFIG_BOOTLOADER_APP_SECURE_VERSION=1; signbox does not rewrite images"},
		{"secure_version above", "secure_version", with(func(o *esptest.Options) { o.SecureVersion = 5 }),
			"app.bin: built secure_version 5, the request says 1: rebuild the app with CONFIG_BOOTLOADER_APP_SECURE_VERSION=1; signbox does not rewrite images"},
		{"project_name", "project_name", with(func(o *esptest.Options) { o.Project = "pager" }),
			`app.bin: built project_name "pager", the request's product is "pump": build the app as ESP-IDF project "pump" (project() in its top-level CMakeLists.txt); signbox does not rewrite images`},
		{"version", "version", with(func(o *esptest.Options) { o.Version = "1.0.1" }),
			`app.bin: built version "1.0.1", the request's version is "1.0.0": rebuild the app with PROJECT_VER "1.0.0" (CMakeLists.txt, version.txt or CONFIG_APP_PROJECT_VER); signbox does not rewrite images`},
		{"version too long to build", "version", func() ReleaseInputs { in := with(func(o *esptest.Options) {}); in.Version = longVersion; return in }(),
			`app.bin: the request's version "` + longVersion + `" is 32 characters; esp_app_desc_t.version holds 31 (ESP-IDF truncates longer values), so the build cannot be checked against it: use a version of at most 31 characters; signbox does not rewrite images`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.ws.PlanRelease(tc.in)
			var be *BuiltError
			if !errors.Is(err, ErrNotAsBuilt) || !errors.As(err, &be) || be.Field != tc.field || err.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s (field %s)", err, tc.want, tc.field)
			}
		})
	}
	bl := base
	bl.App = bl.Bootloader
	if _, err := f.ws.PlanRelease(bl); !errors.Is(err, ErrInputChanged) || !strings.Contains(err.Error(), "app.bin is a bootloader image, not an app") {
		t.Errorf("bootloader as app: %v", err)
	}
	if ids, _ := f.ws.Ceremonies(); len(ids) != 0 {
		t.Fatalf("refused plans left ceremonies behind: %v", ids)
	}
	// The matching build gets past the check (to the missing keys here).
	if _, err := f.ws.PlanRelease(built(good)); !errors.Is(err, ErrPolicyDenied) || !strings.Contains(err.Error(), "no active, unrevoked Secure Boot key") {
		t.Fatalf("matching build: %v", err)
	}
}

// TestVerifyInputsRechecksAsBuilt: a plan that bound a mismatched app
// (made without the planning check, as an older signbox would) is refused
// again when the inputs are verified, before any approval counts.
func TestVerifyInputsRechecksAsBuilt(t *testing.T) {
	f := newFixture(t)
	in := images(t, t.TempDir(), 32<<10)
	pol, err := f.ws.Policy()
	if err != nil {
		t.Fatal(err)
	}
	files, err := releaseFiles(in, pol)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.ws.create(policy.KindReleaseSigning, in.Date, pol, files, func(p *Plan) error {
		p.Release = &ReleasePlan{Product: in.Product, Version: in.Version, Chip: in.Chip, SecurityVersion: VersionChange{New: 5}, VulnGate: in.Gate}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.VerifyInputs()
	var be *BuiltError
	if !errors.As(err, &be) || be.Field != "secure_version" || !strings.Contains(err.Error(), "built secure_version 1, the request says 5") {
		t.Fatalf("verify inputs: %v", err)
	}
	if s.Step() != StepPlanned {
		t.Fatalf("step after refusal: %v", s.Step())
	}
}

// TestPlanSaysChecked: the plan custodians read says the built
// secure_version is checked, not set, and that signing only appends.
func TestPlanSaysChecked(t *testing.T) {
	lines := planLines(samplePlan())
	for _, want := range []string{
		"app.bin as built: project_name infusion-pump, version 2.1.0, secure_version 3 (checked, not set)",
		"signing appends Secure Boot V2 signatures only; no byte of the built images changes",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("plan lines lack %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
}

// TestCheckReleaseImages: the build side's check is the ceremony's own,
// with the same messages: an image for another chip, images swapped and
// an app not built as the release says are refused by input name.
func TestCheckReleaseImages(t *testing.T) {
	app := esptest.Options{Chip: esp.ESP32C6, Size: 32 << 10, SecureVersion: 1, Version: "1.0.0", Project: "pump"}
	good := ReleaseImages{Product: "pump", Version: "1.0.0", Chip: "esp32c6", SecurityVersion: 1,
		Bootloader: build(t, esptest.Options{Kind: esp.KindBootloader, Chip: esp.ESP32C6, Size: 32 << 10}), App: build(t, app)}
	checks, err := CheckReleaseImages(good)
	if err != nil || len(checks) != 2 || !strings.Contains(checks[1], "as the release says") {
		t.Fatalf("good images: %v %q", err, checks)
	}
	otherChip := good
	otherChip.Bootloader = build(t, esptest.Options{Kind: esp.KindBootloader, Chip: esp.ESP32C3, Size: 32 << 10})
	swapped := good
	swapped.Bootloader, swapped.App = good.App, good.Bootloader
	stale := good
	stale.SecurityVersion = 2
	for name, tc := range map[string]struct {
		in   ReleaseImages
		want string
	}{
		"bootloader for another chip": {otherChip, "bootloader.bin: must be an unsigned ESP32-C6 bootloader image, found an ESP32-C3 bootloader image (unsigned)"},
		"images swapped":              {swapped, "bootloader.bin: must be an unsigned ESP32-C6 bootloader image, found an ESP32-C6 app image (unsigned)"},
		"app not as built":            {stale, "app.bin: built secure_version 1, the request says 2"},
		"not an image":                {ReleaseImages{Chip: "esp32c6", Bootloader: []byte("junk"), App: good.App}, "bootloader.bin: "},
	} {
		if _, err := CheckReleaseImages(tc.in); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}
