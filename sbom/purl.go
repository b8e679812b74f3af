package sbom

import (
	"fmt"
	"strings"

	packageurl "github.com/package-url/packageurl-go"
)

// PURL is a parsed package URL (github.com/package-url/purl-spec, "PURL
// specification"): pkg:type/namespace/name@version?qualifiers#subpath.
type PURL struct {
	Type       string
	Namespace  string // segments joined by "/", percent-decoded
	Name       string
	Version    string
	Qualifiers map[string]string
	Subpath    string
}

// ParsePURL parses a package URL with packageurl-go, which splits,
// percent-decodes and validates it and applies the purl types'
// normalisation (type lowercased; pypi names lowercased with "_" as "-";
// deb, apk, rpm namespaces lowercased).
//
// One exception: the library lowercases golang namespaces and names, as
// the purl type list says, but Go module paths are case-sensitive and
// OSV's Go records keep their case (github.com/ProtonMail/go-crypto), so a
// golang purl is parsed as pkg:generic (the same grammar, no case rule)
// and typed back.
func ParsePURL(s string) (PURL, error) {
	in := s
	if t, rest, ok := strings.Cut(strings.TrimLeft(strings.TrimPrefix(s, "pkg:"), "/"), "/"); ok &&
		strings.HasPrefix(s, "pkg:") && strings.EqualFold(t, packageurl.TypeGolang) {
		in = "pkg:" + packageurl.TypeGeneric + "/" + rest
	}
	u, err := packageurl.FromString(in)
	if err != nil {
		return PURL{}, fmt.Errorf("purl %q: %w", s, err)
	}
	if in != s {
		u.Type = packageurl.TypeGolang
	}
	p := PURL{Type: u.Type, Namespace: u.Namespace, Name: u.Name, Version: u.Version, Subpath: u.Subpath}
	if len(u.Qualifiers) > 0 {
		p.Qualifiers = u.Qualifiers.Map()
	}
	return p, nil
}
