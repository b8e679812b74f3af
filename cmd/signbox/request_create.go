package main

import (
	"crypto"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"

	"signbox/airgap"
	"signbox/airgap/envelope"
	"signbox/ceremony"
	"signbox/evidence"
	"signbox/internal/atomicfile"
	"signbox/policy"
	"signbox/sbom"
)

func init() {
	register(&command{
		path: "request create",
		usage: "OUT --product P --version V --chip C --security-version N --bootloader FILE --app FILE --sbom FILE " +
			"[--clinical FILE] [--policy FILE] --sign-with URI --key-label L [--module PATH] [--pin-fd N | --pin-env NAME]",
		summary: "write release request media (a directory, or a tar when OUT ends in .tar) signed by the build key (connected side)",
		run:     runRequestCreate,
	})
}

// createFlags are request create's inputs.
type createFlags struct {
	out, product, version, chip     string
	securityVersion                 uint
	bootloader, app, sbom, clinical string
	policy                          string
	sign                            *signFlags
	pinned                          string         // build key the policy pins, from --policy
	pol                             *policy.Policy // parsed --policy, nil without
}

func parseCreateFlags(e *env, args []string) (*createFlags, error) {
	fs := newFlags(e, "request create")
	f := &createFlags{}
	fs.StringVar(&f.product, "product", "", "product id, as in the policy and the app's ESP-IDF project name")
	fs.StringVar(&f.version, "version", "", "release version, as the app's PROJECT_VER")
	fs.StringVar(&f.chip, "chip", "", "target chip, e.g. esp32c6")
	fs.UintVar(&f.securityVersion, "security-version", 0, "requested anti-rollback security version, as the app's secure_version")
	fs.StringVar(&f.bootloader, "bootloader", "", "unsigned bootloader image `FILE`")
	fs.StringVar(&f.app, "app", "", "unsigned app image `FILE`")
	fs.StringVar(&f.sbom, "sbom", "", "CycloneDX JSON SBOM `FILE`")
	fs.StringVar(&f.clinical, "clinical", "", "clinical and support block, YAML or JSON `FILE` (see docs/runbooks/ci-release-request.md)")
	fs.StringVar(&f.policy, "policy", "", "the appliance's policy `FILE`: also make the ceremony's policy checks and require its pinned build key")
	f.sign = addSignFlags(e, fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, usageErr("want exactly one OUT (a new directory, or a new .tar file)")
	}
	f.out = pos[0]
	return f, f.checkRequired()
}

func (f *createFlags) checkRequired() error {
	for _, r := range []struct{ name, v string }{{"product", f.product}, {"version", f.version}, {"chip", f.chip},
		{"bootloader", f.bootloader}, {"app", f.app}, {"sbom", f.sbom}, {"sign-with", *f.sign.token.uri}, {"key-label", *f.sign.label}} {
		if r.v == "" {
			return usageErr("--%s is required", r.name)
		}
	}
	if f.securityVersion > math.MaxUint32 {
		return usageErr("--security-version %d: larger than 32 bits", f.securityVersion)
	}
	if _, err := os.Lstat(f.out); err == nil {
		return withHint(fmt.Errorf("%s: %w", f.out, atomicfile.ErrExists), "signbox never overwrites an output: give a new OUT")
	}
	return nil
}

// runRequestCreate checks everything the appliance will check before it
// asks for the PIN, then signs, writes and reads the media back.
func runRequestCreate(e *env, args []string) error {
	f, err := parseCreateFlags(e, args)
	if err != nil {
		return err
	}
	in, checks, err := f.input()
	if err != nil {
		return createHint(err)
	}
	tok, signer, err := f.sign.open(e)
	if err != nil {
		return err
	}
	defer tok.Close()
	if err := checkPinnedKey(f.pinned, signer, *f.sign.label); err != nil {
		return err
	}
	v, err := airgap.WriteRequest(f.out, in, airgap.WriteOptions{Signer: signer, Tar: strings.HasSuffix(f.out, ".tar")})
	if err != nil {
		return createHint(err)
	}
	printCreated(e, f.out, v, checks)
	return nil
}

// input reads and checks every input: the SBOM (with the clinical file's
// support block written in), the clinical block, the policy when given,
// the images as the ceremony checks them, and the request as `request
// import` parses it.
func (f *createFlags) input() (airgap.RequestInput, []string, error) {
	in, err := f.readInputs()
	if err != nil {
		return in, nil, err
	}
	checks, err := f.check(in)
	return in, checks, err
}

func (f *createFlags) readInputs() (airgap.RequestInput, error) {
	in := airgap.RequestInput{Product: f.product, Version: f.version, Chip: f.chip, SecurityVersion: uint32(f.securityVersion)}
	var err error
	if in.Bootloader, err = readInput("--bootloader", f.bootloader, airgap.MaxImageBytes); err != nil {
		return in, err
	}
	if in.App, err = readInput("--app", f.app, airgap.MaxImageBytes); err != nil {
		return in, err
	}
	if in.SBOM, err = readInput("--sbom", f.sbom, airgap.MaxSBOMBytes); err != nil {
		return in, err
	}
	return in, f.addClinical(&in)
}

// check runs the checks in the order a release ceremony plans: policy,
// then the images as built; then what the hospital documents need.
func (f *createFlags) check(in airgap.RequestInput) ([]string, error) {
	s, err := sbom.Parse(in.SBOM, sbom.FormatJSON)
	if err != nil {
		return nil, fmt.Errorf("--sbom %s: %w", f.sbom, err)
	}
	images := map[string][]byte{ceremony.InputBootloader: in.Bootloader, ceremony.InputApp: in.App}
	pc, pinned, err := f.checkAgainstPolicy(in.Product, in.Chip, in.SecurityVersion, in.SBOM, images)
	if err != nil {
		return nil, err
	}
	if in.Clinical != nil && f.pol != nil {
		if miss := s.Unsupplied(f.pol.Release.SBOM.SupplierMap()); len(miss) > 0 {
			return nil, fmt.Errorf("%w: %s: %d components name no supplier (an NTIA minimum element), in the SBOM, the support file or the policy's release.sbom.suppliers: %s",
				errNoSupplier, airgap.RequestSBOMFile, len(miss), strings.Join(miss[:min(len(miss), 5)], ", "))
		}
		pc = append(pc, fmt.Sprintf("%s: every component names its supplier (the SBOM, the support file or the policy)", airgap.RequestSBOMFile))
	}
	f.pinned = pinned
	checks, err := ceremony.CheckReleaseImages(ceremony.ReleaseImages{Product: in.Product, Version: in.Version, Chip: in.Chip,
		SecurityVersion: in.SecurityVersion, Bootloader: in.Bootloader, App: in.App})
	if err != nil {
		return nil, err
	}
	checks = append(checks, fmt.Sprintf("%s: CycloneDX %s, %d scannable components", airgap.RequestSBOMFile, s.SpecVersion, len(s.Components)))
	if in.Clinical != nil {
		if err := evidence.CheckRequestSupport(in.SBOM); err != nil {
			return nil, fmt.Errorf("%w: %w", errNoSupport, err)
		}
		checks = append(checks, fmt.Sprintf("%s: every component has an FDA support level and end-of-support date", airgap.RequestSBOMFile))
	}
	if _, _, err := airgap.BuildRequest(in); err != nil {
		return nil, err
	}
	return append(checks, pc...), nil
}

// errNoSupplier: a request with a clinical block has a component whose
// supplier nobody names; the hospital documents' SBOM row would fail.
var errNoSupplier = errors.New("the clinical block makes the ceremony write hospital documents")

// errNoSupport: a request with a clinical block lacks the per-component
// support the hospital documents need.
var errNoSupport = errors.New("the clinical block makes the ceremony write hospital documents")

// addClinical reads the clinical file, if any, into the request and its
// support block into the SBOM.
func (f *createFlags) addClinical(in *airgap.RequestInput) error {
	if f.clinical == "" {
		return nil
	}
	raw, err := readInput("--clinical", f.clinical, airgap.MaxClinicalFileBytes)
	if err != nil {
		return err
	}
	cf, err := airgap.ParseClinicalFile(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", f.clinical, err)
	}
	in.Clinical = cf.Clinical
	if cf.Support == nil {
		return nil
	}
	tab, err := supportTable(cf.Support)
	if err != nil {
		return fmt.Errorf("%s: %w", f.clinical, err)
	}
	if in.SBOM, err = sbom.AddSupportJSON(in.SBOM, tab); err != nil {
		return fmt.Errorf("--sbom %s: support from %s: %w", f.sbom, f.clinical, err)
	}
	return nil
}

func supportTable(s *airgap.Support) (sbom.SupportTable, error) {
	tab := sbom.SupportTable{ByRef: map[string]sbom.Support{}}
	if s.Default != nil {
		d, err := sbom.ParseSupport(s.Default.Level, s.Default.EndOfSupport)
		if err != nil {
			return tab, fmt.Errorf("support.default: %w", err)
		}
		tab.Default = &d
	}
	for i, c := range s.Components {
		cs, err := sbom.ParseSupport(c.Level, c.EndOfSupport)
		if err != nil {
			return tab, fmt.Errorf("support.components[%d]: %w", i, err)
		}
		cs.Supplier = c.Supplier
		tab.ByRef[c.Ref] = cs
	}
	return tab, nil
}

// readInput reads a regular file of at most max bytes.
func readInput(flag, path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if !fi.Mode().IsRegular() || fi.Size() > max {
		return nil, fmt.Errorf("%s %s: not a regular file of at most %d bytes", flag, path, max)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return b, nil
}

func createHint(err error) error {
	var ce *airgap.ClinicalError
	switch {
	case errors.Is(err, ceremony.ErrNotAsBuilt), errors.Is(err, ceremony.ErrInputChanged):
		return withHint(err, "nothing was written; the ceremony signs images as built and would refuse them too: rebuild, or fix the request flags")
	case errors.Is(err, ceremony.ErrPolicyDenied):
		return withHint(err, "nothing was written; the appliance would refuse the release under this policy")
	case errors.Is(err, errNoSupplier):
		return withHint(err, "nothing was written; give supplier in support.components of the clinical file, or a purl_prefix rule under the policy's release.sbom.suppliers")
	case errors.Is(err, errNoSupport):
		return withHint(err, "nothing was written; give support.default or support.components in the clinical file, or the %s and %s properties in the SBOM", sbom.PropSupportLevel, sbom.PropEndOfSupport)
	case errors.As(err, &ce):
		return withHint(err, "nothing was written; fix the clinical file: every missing or invalid field is listed")
	case errors.Is(err, sbom.ErrMalformed), errors.Is(err, sbom.ErrSpecVersion):
		return withHint(err, "nothing was written; fix the SBOM on the build side")
	}
	return err
}

func printCreated(e *env, out string, v *airgap.VerifiedRequest, checks []string) {
	r := v.Request
	fmt.Fprintf(e.stdout, "release request written: %s (%s)\n", out, v.Media().Form())
	fmt.Fprintf(e.stdout, "  %s %s for %s, security version %d\n", r.Product, r.Version, r.Chip, r.SecurityVersion)
	for _, c := range checks {
		fmt.Fprintf(e.stdout, "  checked  %s\n", c)
	}
	if r.Clinical != nil {
		fmt.Fprintf(e.stdout, "  clinical block: UDI-DI %s, downtime %d min\n", r.Clinical.UDIDI, *r.Clinical.DowntimeMinutes)
	} else {
		fmt.Fprintf(e.stdout, "  clinical block: none (hospital documents need one: --clinical FILE)\n")
	}
	printCommon(e.stdout, &v.Verified)
}

// checkAgainstPolicy makes the ceremony's policy checks that need no
// appliance state (ceremony.CheckReleasePolicy) when --policy is given,
// and returns the build key the policy pins, "" if none.
func (f *createFlags) checkAgainstPolicy(product, chip string, sv uint32, sbom []byte, images map[string][]byte) ([]string, string, error) {
	if f.policy == "" {
		return nil, "", nil
	}
	raw, err := readInput("--policy", f.policy, policy.MaxFileSize)
	if err != nil {
		return nil, "", err
	}
	pol, err := policy.Parse(raw)
	if err != nil {
		return nil, "", fmt.Errorf("--policy %s: %w", f.policy, err)
	}
	f.pol = pol
	checks, err := ceremony.CheckReleasePolicy(pol, product, chip, sv, sbom, images)
	if err != nil {
		return nil, "", err
	}
	if pol.Release.BuildKey == "" {
		return append(checks, "the policy pins no build key: the appliance will import the request without checking its signature"), "", nil
	}
	pub, err := policy.ParsePublicKeyPEM(pol.Release.BuildKey)
	if err != nil {
		return nil, "", fmt.Errorf("--policy %s: release.build_key: %w", f.policy, err)
	}
	id, err := envelope.KeyID(pub)
	return checks, id, err
}

// checkPinnedKey refuses a build key other than the one the policy pins:
// the appliance would refuse its signature at import.
func checkPinnedKey(pinned string, signer crypto.Signer, label string) error {
	if pinned == "" {
		return nil
	}
	id, err := envelope.KeyID(signer.Public())
	if err != nil {
		return err
	}
	if id != pinned {
		return withHint(fmt.Errorf("--key-label %q is build key %s, the policy pins %s (release.build_key)", label, id, pinned),
			"nothing was written; `request import` would refuse the signature: sign with the pinned key, or pin this one by a policy change ceremony")
	}
	return nil
}
