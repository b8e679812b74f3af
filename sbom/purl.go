package sbom

import (
	"fmt"
	"net/url"
	"strings"
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

// ParsePURL parses a package URL strictly enough to derive an ecosystem and
// a name; it does not canonicalise type-specific rules beyond lowercasing
// the type.
func ParsePURL(s string) (PURL, error) {
	var p PURL
	rest, ok := strings.CutPrefix(s, "pkg:")
	if !ok {
		return p, fmt.Errorf("purl %q does not start with \"pkg:\"", s)
	}
	rest = strings.TrimLeft(rest, "/")
	rest, sub, _ := strings.Cut(rest, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery {
		q, err := parseQualifiers(query)
		if err != nil {
			return p, fmt.Errorf("purl %q: %w", s, err)
		}
		p.Qualifiers = q
	}
	sub, err := url.PathUnescape(strings.Trim(sub, "/"))
	if err != nil {
		return p, fmt.Errorf("purl %q: subpath: %w", s, err)
	}
	p.Subpath = sub
	typ, path, ok := strings.Cut(rest, "/")
	if !ok || typ == "" {
		return p, fmt.Errorf("purl %q has no type/name", s)
	}
	p.Type = strings.ToLower(typ)
	if at := strings.LastIndex(path, "@"); at >= 0 {
		if p.Version, err = url.PathUnescape(path[at+1:]); err != nil {
			return p, fmt.Errorf("purl %q: version: %w", s, err)
		}
		path = path[:at]
	}
	return p, p.setPath(s, strings.Trim(path, "/"))
}

func (p *PURL) setPath(s, path string) error {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		d, err := url.PathUnescape(seg)
		if err != nil {
			return fmt.Errorf("purl %q: %w", s, err)
		}
		segs[i] = d
	}
	p.Name = segs[len(segs)-1]
	if p.Name == "" {
		return fmt.Errorf("purl %q has an empty name", s)
	}
	p.Namespace = strings.Join(segs[:len(segs)-1], "/")
	return nil
}

func parseQualifiers(q string) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range strings.Split(q, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		val, err := url.PathUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("qualifier %q: %w", k, err)
		}
		m[strings.ToLower(k)] = val
	}
	return m, nil
}
