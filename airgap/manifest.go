package airgap

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Manifest and signature names at the root of incoming media, and the
// bundle manifest name, whose sizes are capped by Limits.MaxManifestBytes.
const (
	RequestManifest  = "request.json"
	RequestSignature = "request.dsse.json"
	FeedManifest     = "feed.json"
	FeedSignature    = "feed.dsse.json"
	// BundleManifest is owned by package bundle; it is listed here so media
	// scans cap its size like the others.
	BundleManifest = "manifest.dsse.json"
)

func isManifestName(p string) bool {
	switch p {
	case RequestManifest, RequestSignature, FeedManifest, FeedSignature, BundleManifest:
		return true
	}
	return false
}

// Kinds select the manifest type; they are checked before anything else
// in the manifest is decoded, so a feed manifest can never be read as a
// release request or the other way round.
const (
	KindRequest = "signbox.release-request/v1"
	KindFeed    = "signbox.osv-feed/v1"
)

// DSSE payload types for the optional build-system signature over the
// exact bytes of request.json / feed.json.
const (
	PayloadTypeRequest = "application/vnd.signbox.release-request+json"
	PayloadTypeFeed    = "application/vnd.signbox.osv-feed+json"
)

// FileRef names one file on the media with its expected digest and size.
type FileRef struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"` // lowercase hex
	Size   int64  `json:"size"`
}

func (f FileRef) check(field string, maxSize int64) error {
	if err := CheckPath(f.Path); err != nil {
		return fmt.Errorf("%s.path: %w", field, err)
	}
	if isManifestName(f.Path) {
		return fmt.Errorf("%s.path: %q is reserved for the manifest", field, f.Path)
	}
	if err := checkHex(f.SHA256); err != nil {
		return fmt.Errorf("%s.sha256: %w", field, err)
	}
	if f.Size < 0 || f.Size > maxSize {
		return fmt.Errorf("%s.size: %d outside 0..%d", field, f.Size, maxSize)
	}
	return nil
}

func checkHex(s string) error {
	if len(s) != 64 {
		return fmt.Errorf("want 64 lowercase hex digits, got %d characters", len(s))
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return fmt.Errorf("want lowercase hex, found %q", s[i])
		}
	}
	_, err := hex.DecodeString(s)
	return err
}

// peekKind reads only the "kind" field, to choose the type to decode into.
func peekKind(data []byte) (string, error) {
	var k struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(data, &k); err != nil {
		return "", fmt.Errorf("not a JSON object with a kind: %w", err)
	}
	if k.Kind == "" {
		return "", fmt.Errorf("kind is missing")
	}
	return k.Kind, nil
}

func checkKind(data []byte, want string) error {
	kind, err := peekKind(data)
	if err != nil {
		return err
	}
	if kind != want {
		return fmt.Errorf("kind is %q, want %q", kind, want)
	}
	return nil
}

// checkName validates short identifiers: product, version, ecosystem.
func checkName(field, s string, max int) error {
	if s == "" {
		return fmt.Errorf("%s is required", field)
	}
	if len(s) > max {
		return fmt.Errorf("%s: longer than %d bytes", field, max)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return fmt.Errorf("%s: byte %q not allowed (printable ASCII, no spaces)", field, s[i])
		}
	}
	return nil
}
