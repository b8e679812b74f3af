package fleet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"oras.land/oras-go/v2"

	"signbox/publish"
)

// ociFetcher serves go-tuf's metadata downloads from the TUF artifacts
// publish stores: "timestamp.json" is the tuf.timestamp tag, "N.ROLE.json"
// is tuf.N.ROLE. A missing tag is reported as HTTP 404, which is how
// go-tuf learns that no newer root exists.
type ociFetcher struct {
	ctx  context.Context
	src  oras.ReadOnlyTarget
	last *string // the metadata file fetched last, for error messages
}

var metaName = regexp.MustCompile(`^(?:([1-9][0-9]{0,9})\.)?(root|timestamp|snapshot|targets)\.json$`)

func (f ociFetcher) DownloadFile(urlPath string, maxLength int64, _ time.Duration) ([]byte, error) {
	m := metaName.FindStringSubmatch(path.Base(urlPath))
	if m == nil {
		return nil, fmt.Errorf("fleet: no TUF metadata is named %q", path.Base(urlPath))
	}
	*f.last = path.Base(urlPath)
	tag := publish.TimestampTag
	if m[1] != "" {
		tag = "tuf." + m[1] + "." + m[2]
	} else if m[2] != "timestamp" {
		return nil, fmt.Errorf("fleet: %s without a version (consistent snapshots)", m[2])
	}
	b, err := publish.FetchMeta(f.ctx, f.src, tag, maxLength)
	if errors.Is(err, publish.ErrNoMetadata) {
		return nil, &metadata.ErrDownloadHTTP{StatusCode: http.StatusNotFound, URL: tag}
	}
	return b, err
}
