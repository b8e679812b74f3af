package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"signbox/appliance"
	"signbox/internal/atomicfile"
	"signbox/internal/buildinfo"
	"signbox/sbom"
)

func init() {
	register(&command{
		path:    "sbom check",
		usage:   "[--format text|json] SBOM",
		summary: "validate a CycloneDX SBOM (JSON or XML, 1.2-1.7) against its version's schema and list what cannot be scanned",
		run:     runSBOMCheck,
	})
	register(&command{
		path:    "sbom release",
		usage:   "SBOM --firmware NAME@VERSION --image NAME=SHA256... --out FILE [--date DATE] [--manufacturer NAME] [--require-support]",
		summary: "write the release SBOM (CycloneDX 1.6) with image hashes and FDA support fields",
		run:     runSBOMRelease,
	})
}

func runSBOMCheck(e *env, args []string) error {
	fs := newFlags(e, "sbom check")
	format := addFormat(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("need one SBOM")
	}
	s, err := appliance.ReadSBOM(pos[0])
	if err != nil && !errors.Is(err, sbom.ErrMalformed) && !errors.Is(err, sbom.ErrSpecVersion) {
		return couldNotCheck{err} // nothing was read, so nothing is known about the SBOM
	}
	if err != nil {
		return sbomHint(err)
	}
	if asJSON {
		return writeJSON(e.stdout, sbomJSON(s))
	}
	fmt.Fprintf(e.stdout, "CycloneDX %s %s: %d scannable components, %d not scannable\n",
		s.SpecVersion, s.Format, len(s.Components), len(s.Unscannable))
	for _, u := range s.Unscannable {
		fmt.Fprintf(e.stdout, "  not scannable: %s\n", u)
	}
	return nil
}

func sbomHint(err error) error {
	switch {
	case errors.Is(err, sbom.ErrSpecVersion):
		return withHint(err, "signbox reads CycloneDX 1.2 to 1.7; regenerate the SBOM with a supported spec version")
	case errors.Is(err, sbom.ErrMalformed):
		return withHint(err, "fix the SBOM on the build side; every problem found is listed above")
	}
	return err
}

func runSBOMRelease(e *env, args []string) error {
	fs := newFlags(e, "sbom release")
	fw := fs.String("firmware", "", "firmware NAME@VERSION")
	manufacturer := fs.String("manufacturer", "", "device manufacturer: the SBOM's and the firmware's manufacturer, supplier and author")
	var images listFlag
	fs.Var(&images, "image", "signed image NAME=SHA256HEX (repeatable)")
	out := fs.String("out", "", "output file (must not exist)")
	date := fs.String("date", "", "release timestamp (YYYY-MM-DD or RFC 3339); default now")
	var pol sbom.ReleasePolicy
	fs.BoolVar(&pol.RequireSupport, "require-support", false, "every component needs an FDA support level and end-of-support date")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	name, version, ok := strings.Cut(*fw, "@")
	if len(pos) != 1 || !ok || *out == "" {
		return usageErr("need SBOM, --firmware NAME@VERSION and --out")
	}
	r := sbom.Release{FirmwareName: name, FirmwareVersion: version, Manufacturer: sbom.Organization{Name: *manufacturer}, ToolVersion: buildinfo.Version(), Images: map[string]string{}}
	for _, im := range images {
		n, sum, ok := strings.Cut(im, "=")
		if !ok {
			return usageErr("--image %q: want NAME=SHA256HEX", im)
		}
		r.Images[n] = sum
	}
	if r.Timestamp, err = parseDate(e, *date); err != nil {
		return err
	}
	if r.Source, err = appliance.ReadSBOM(pos[0]); err != nil {
		return sbomHint(err)
	}
	var b bytes.Buffer
	if err := sbom.WriteRelease(&b, r, pol); err != nil {
		var ms *sbom.MissingSupportError
		if errors.As(err, &ms) {
			return withHint(err, "add %s and %s properties to each component, or drop --require-support", sbom.PropSupportLevel, sbom.PropEndOfSupport)
		}
		return err
	}
	if err := atomicfile.WriteNew(*out, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", *out)
	return nil
}
