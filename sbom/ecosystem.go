package sbom

import (
	"regexp"
	"strings"
)

// purlEcosystems maps purl types to OSV ecosystem names (OSV schema
// "Defined ecosystems"; purl-spec PURL-TYPES). Distribution types (deb,
// apk, rpm) need the namespace and are handled in distroEcosystem.
var purlEcosystems = map[string]string{
	"golang":   "Go",
	"npm":      "npm",
	"pypi":     "PyPI",
	"maven":    "Maven",
	"cargo":    "crates.io",
	"gem":      "RubyGems",
	"nuget":    "NuGet",
	"composer": "Packagist",
	"hex":      "Hex",
	"pub":      "Pub",
	"cran":     "CRAN",
	"hackage":  "Hackage",
	"conan":    "ConanCenter",
	"julia":    "Julia",
	"swift":    "SwiftURL",
}

// debianReleases maps Debian codenames used in purl distro qualifiers to the
// release numbers OSV uses as ecosystem suffixes.
var debianReleases = map[string]string{
	"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14",
}

var rpmVendors = map[string]string{
	"redhat": "Red Hat", "almalinux": "AlmaLinux", "rocky-linux": "Rocky Linux",
	"opensuse": "openSUSE", "suse": "SUSE", "openeuler": "openEuler", "mageia": "Mageia",
}

// ecosystemOf returns the OSV ecosystem for a purl, or "" if OSV has none.
func ecosystemOf(p PURL) string {
	if e, ok := purlEcosystems[p.Type]; ok {
		return e
	}
	return distroEcosystem(p)
}

var digitsPrefix = regexp.MustCompile(`[0-9][0-9.]*`)

func distroEcosystem(p PURL) string {
	distro := p.Qualifiers["distro"]
	switch p.Type {
	case "deb":
		base := map[string]string{"debian": "Debian", "ubuntu": "Ubuntu"}[p.Namespace]
		if base == "" {
			return ""
		}
		if rel, ok := debianReleases[distro]; ok && base == "Debian" {
			return base + ":" + rel
		}
		if num := digitsPrefix.FindString(distro); num != "" {
			return base + ":" + num
		}
		return base
	case "apk":
		if p.Namespace != "alpine" {
			return ""
		}
		if num := digitsPrefix.FindString(distro); num != "" {
			return "Alpine:v" + strings.TrimSuffix(num, ".")
		}
		return "Alpine"
	case "rpm":
		return rpmVendors[p.Namespace]
	}
	return ""
}

// packageName returns the name OSV uses for the package in its ecosystem
// (OSV schema, affected[].package.name).
func packageName(eco string, p PURL) string {
	switch eco {
	case "Go":
		return goModule(p)
	case "Maven":
		return join(p.Namespace, p.Name, ":")
	case "PyPI":
		return NormalisePyPI(p.Name)
	}
	if p.Type == "deb" || p.Type == "apk" || p.Type == "rpm" {
		return p.Name // the namespace is the distribution, not part of the name
	}
	return join(p.Namespace, p.Name, "/")
}

func join(ns, name, sep string) string {
	if ns == "" {
		return name
	}
	return ns + sep + name
}

var pypiSeparators = regexp.MustCompile(`[-_.]+`)

// NormalisePyPI applies PEP 503 name normalisation, which OSV's PyPI
// records use.
func NormalisePyPI(name string) string {
	return pypiSeparators.ReplaceAllString(strings.ToLower(name), "-")
}

// NormaliseVersion strips the leading "v" Go module versions carry in
// SBOMs (v1.2.3); OSV's Go records write them without it.
func NormaliseVersion(eco, v string) string {
	if eco == "Go" && len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}

var goMajor = regexp.MustCompile(`^v[0-9]+$`)

// The Go vulnerability database's names for Go itself: "stdlib" for the
// standard library, "toolchain" for the go command and the rest of the
// toolchain (golang/vulndb doc/format.md).
const (
	GoStdlib    = "stdlib"
	GoToolchain = "toolchain"
)

// goModule returns the Go module path: namespace and name, plus a major
// version subpath (pkg:golang/example.com/m#v2 is module example.com/m/v2).
// The standard library ("go", "std", "stdlib") is "stdlib";
// golang.org/toolchain, the module the go command downloads toolchains
// as, is "toolchain" (vuln checks it against "stdlib" too: it carries the
// standard library's source).
func goModule(p PURL) string {
	m := join(p.Namespace, p.Name, "/")
	if goMajor.MatchString(p.Subpath) && !strings.HasSuffix(m, "/"+p.Subpath) {
		m += "/" + p.Subpath
	}
	switch m {
	case "go", "std", "stdlib":
		return GoStdlib
	case "golang.org/toolchain":
		return GoToolchain
	}
	return m
}

// goReleaseTag matches a Go release as tags and toolchain module versions
// write it: go1.21.3, go1.21rc2, go1.9beta1, go1.20, optionally inside a
// golang.org/toolchain version (v0.0.1-go1.21.3.linux-amd64).
var goReleaseTag = regexp.MustCompile(`^(?:v0\.0\.1-)?(?:go)?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?(?:(beta|rc)([0-9]+))?(?:\.[a-z0-9]+-[a-z0-9]+)?$`)

// goVersion turns a Go release as an SBOM writes it for stdlib or
// toolchain into the SemVer form golang/vulndb uses: go1.21.3 -> 1.21.3,
// go1.20 -> 1.20.0, go1.21rc2 -> 1.21.0-rc.2. Anything else is returned
// unchanged (with Go's leading "v" dropped) and ordered as it stands.
func goVersion(v string) string {
	m := goReleaseTag.FindStringSubmatch(v)
	if m == nil {
		return NormaliseVersion("Go", v)
	}
	patch := m[3]
	if patch == "" {
		patch = "0"
	}
	out := m[1] + "." + m[2] + "." + patch
	if m[4] != "" {
		out += "-" + m[4] + "." + m[5]
	}
	return out
}
