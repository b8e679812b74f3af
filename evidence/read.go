package evidence

import (
	"fmt"

	"signbox/airgap"
	"signbox/bundle"
)

// ReadBundle reads the files a verified bundle's manifest lists from the
// bundle at path (directory or tar). A listed file that is gone is left
// out, so its rows fail; Check re-hashes everything it is given.
func ReadBundle(path string, res *bundle.Result) (map[string][]byte, error) {
	media, err := airgap.OpenMedia(path, airgap.BundleLimits)
	if err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	var paths []string
	for _, f := range res.Manifest.Files {
		if _, ok := media.Lookup(f.Path); ok {
			paths = append(paths, f.Path)
		}
	}
	files, err := media.ReadFiles(paths)
	if err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	return files, nil
}
