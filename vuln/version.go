package vuln

import (
	"errors"
	"regexp"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// parser names one version ordering: SEMVER ranges use SemVer 2.0
// precedence (osv-scalibr's lenient semver, as osv-scanner does), ECOSYSTEM
// ranges the ecosystem's own ordering from osv-scalibr's semantic package.
type parser struct {
	semver bool
	eco    string // base ecosystem, for ECOSYSTEM ranges
}

func parserFor(rangeType, eco string) parser {
	if rangeType == "SEMVER" {
		return parser{semver: true}
	}
	base, _, _ := strings.Cut(eco, ":")
	return parser{eco: base}
}

// version is a parsed version. Plain MAJOR.MINOR.PATCH (the bulk of Go
// and crates.io data) is compared as three integers, which orders exactly
// as osv-scalibr's semver does for such strings; anything else goes
// through osv-scalibr.
type version struct {
	raw  string
	fast bool
	n    [3]uint64
	v    semantic.Version // nil when fast
	p    parser
}

// semverLike is what a SemVer-ordered version must look like (an optional
// leading "v", numeric dot-separated core, optional pre-release and build):
// osv-scalibr's parser accepts any string and orders garbage somewhere, so
// signbox refuses what is not a version rather than call it unaffected.
var semverLike = regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)*(-[0-9A-Za-z.-]*)?(\+[0-9A-Za-z.+-]*)?$`)

// semverEcosystems order versions with osv-scalibr's semver-like parser in
// ECOSYSTEM ranges too, so they get the same shape check.
var semverEcosystems = map[string]bool{"Go": true, "npm": true, "crates.io": true}

var errNotVersion = errors.New("not a version in this ordering")

func (p parser) parse(s string) (*version, error) {
	if p.semver || semverEcosystems[p.eco] {
		if n, ok := plainTriple(s); ok {
			return &version{raw: s, fast: true, n: n, p: p}, nil
		}
		if !semverLike.MatchString(s) {
			return nil, errNotVersion
		}
	}
	v, err := p.full(s)
	if err != nil {
		return nil, err
	}
	return &version{raw: s, v: v, p: p}, nil
}

func (p parser) full(s string) (semantic.Version, error) {
	if p.semver {
		return semantic.ParseSemverVersion(s), nil
	}
	return semantic.Parse(s, p.eco)
}

// plainTriple parses "X.Y.Z" with decimal components of at most 18
// digits and no leading zeros.
func plainTriple(s string) ([3]uint64, bool) {
	var n [3]uint64
	part, digits := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 18 || (digits == 1 && n[part] == 0) {
				return n, false
			}
			n[part] = n[part]*10 + uint64(c-'0')
			digits++
		case c == '.' && digits > 0 && part < 2:
			part++
			digits = 0
		default:
			return n, false
		}
	}
	return n, part == 2 && digits > 0
}

// compareVersions orders a against b; both were parsed by the same
// parser.
func compareVersions(a, b *version) (int, error) {
	if a.fast && b.fast {
		for i := range a.n {
			switch {
			case a.n[i] < b.n[i]:
				return -1, nil
			case a.n[i] > b.n[i]:
				return 1, nil
			}
		}
		return 0, nil
	}
	av, err := a.semantic()
	if err != nil {
		return 0, err
	}
	bv, err := b.semantic()
	if err != nil {
		return 0, err
	}
	return av.Compare(bv)
}

// semantic is the osv-scalibr form; fast versions are parsed on demand
// (without caching, so shared prepared events are never written to).
func (v *version) semantic() (semantic.Version, error) {
	if v.v != nil {
		return v.v, nil
	}
	return v.p.full(v.raw)
}
