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

// goModule returns the Go module path: namespace and name, plus a major
// version subpath (pkg:golang/example.com/m#v2 is module example.com/m/v2).
// The toolchain is "stdlib" in the Go vulnerability database.
func goModule(p PURL) string {
	m := join(p.Namespace, p.Name, "/")
	if goMajor.MatchString(p.Subpath) && !strings.HasSuffix(m, "/"+p.Subpath) {
		m += "/" + p.Subpath
	}
	if m == "go" || m == "golang.org/toolchain" {
		return "stdlib"
	}
	return m
}
