package fleet

import (
	"cmp"
	"fmt"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"golang.org/x/mod/semver"

	"signbox/publish"
)

// candidate is a target for this device.
type candidate struct {
	path   string
	file   *metadata.TargetFiles
	custom publish.Custom
}

// newest picks the target for product and chip with the highest security
// version, then the highest semantic version. Targets whose custom block
// does not parse are not candidates (another tool's targets may share the
// repository); a candidate must carry exactly one SHA-256.
func newest(targets map[string]*metadata.TargetFiles, product, chip string) (*candidate, error) {
	var best *candidate
	for p, tf := range targets {
		c, err := publish.ParseCustom(tf.Custom)
		if err != nil || c.Product != product || c.Chip != chip {
			continue
		}
		if p != publish.TargetPath(c.Product, c.Version) {
			return nil, fmt.Errorf("%w: target %s claims version %s/%s", ErrMetadata, p, c.Product, c.Version)
		}
		if best == nil || compare(c, best.custom) > 0 {
			best = &candidate{path: p, file: tf, custom: c}
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: product %s, chip %s", ErrNoUpdate, product, chip)
	}
	return best, nil
}

func compare(a, b publish.Custom) int {
	if c := cmp.Compare(a.SecurityVersion, b.SecurityVersion); c != 0 {
		return c
	}
	return semver.Compare("v"+a.Version, "v"+b.Version)
}
