package airgap

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"signbox/airgap/envelope"
)

// VerifyOptions carry the policy's decisions about incoming media.
type VerifyOptions struct {
	// BuildKeys are the build-system keys pinned in policy. When any is
	// given, the media must carry a DSSE signature over its exact manifest
	// bytes that verifies under one of them. When none is given, a
	// signature on the media is reported but not checked.
	BuildKeys []crypto.PublicKey
}

// SignatureStatus says what became of the build-system signature.
type SignatureStatus string

const (
	SignatureVerified   SignatureStatus = "verified"
	SignatureAbsent     SignatureStatus = "absent"      // none on the media, none required
	SignatureNotChecked SignatureStatus = "not-checked" // present, but no build key pinned
)

// Verified is media whose every check passed. Only VerifyRequest and
// VerifyFeed produce one, and Store.Import accepts nothing else.
type Verified struct {
	media          *Media
	Kind           string // KindRequest or KindFeed
	ManifestBytes  []byte
	ManifestSHA256 string // hex
	Signature      SignatureStatus
	SignedBy       string // key ID when Signature is verified
}

// Media returns the scanned media the verification ran over.
func (v *Verified) Media() *Media { return v.media }

// Entries lists every file on the media, manifest and signature included.
func (v *Verified) Entries() []Entry { return v.media.Entries() }

// VerifiedRequest is a release request that passed every check.
type VerifiedRequest struct {
	Verified
	Request *Request
}

// VerifiedFeed is an OSV feed snapshot that passed every check.
type VerifiedFeed struct {
	Verified
	Feed *Feed
}

// layout names one kind of incoming media.
type layout struct {
	kind, manifest, signature, payloadType string
	limits                                 Limits
}

var (
	requestLayout = layout{KindRequest, RequestManifest, RequestSignature, PayloadTypeRequest, RequestLimits}
	feedLayout    = layout{KindFeed, FeedManifest, FeedSignature, PayloadTypeFeed, FeedLimits}
)

// VerifyRequest scans a release request (directory or tar) and checks it
// completely: shape, manifest, signature, and every listed file.
func VerifyRequest(path string, opts VerifyOptions) (*VerifiedRequest, error) {
	return VerifyRequestLimits(path, opts, RequestLimits)
}

// VerifyRequestLimits is VerifyRequest with explicit limits (tests use
// small ones).
func VerifyRequestLimits(path string, opts VerifyOptions, lim Limits) (*VerifiedRequest, error) {
	l := requestLayout
	l.limits = lim
	var req *Request
	v, err := verifyMedia(path, l, opts, func(b []byte) ([]FileRef, error) {
		r, err := ParseRequest(b)
		if err != nil {
			return nil, err
		}
		req = r
		return r.Files(), nil
	})
	if err != nil {
		return nil, err
	}
	return &VerifiedRequest{Verified: *v, Request: req}, nil
}

// VerifyFeed scans an OSV feed snapshot and checks it completely.
func VerifyFeed(path string, opts VerifyOptions) (*VerifiedFeed, error) {
	var feed *Feed
	v, err := verifyMedia(path, feedLayout, opts, func(b []byte) ([]FileRef, error) {
		f, err := ParseFeed(b)
		if err != nil {
			return nil, err
		}
		feed = f
		return f.FileRefs(), nil
	})
	if err != nil {
		return nil, err
	}
	return &VerifiedFeed{Verified: *v, Feed: feed}, nil
}

func verifyMedia(path string, l layout, opts VerifyOptions, parse func([]byte) ([]FileRef, error)) (*Verified, error) {
	m, err := OpenMedia(path, l.limits)
	if err != nil {
		return nil, err
	}
	if _, ok := m.Lookup(l.manifest); !ok {
		return nil, refuse(l.manifest, fmt.Errorf("%w: no %s at the top of the media", ErrMissing, l.manifest))
	}
	raw, err := m.ReadFile(l.manifest)
	if err != nil {
		return nil, err
	}
	listed, err := parse(raw)
	if err != nil {
		return nil, refuse(l.manifest, fmt.Errorf("%w: %v", ErrManifest, err))
	}
	sum := sha256.Sum256(raw)
	v := &Verified{media: m, Kind: l.kind, ManifestBytes: raw, ManifestSHA256: hex.EncodeToString(sum[:])}
	if err := v.checkSignature(m, l, opts); err != nil {
		return nil, err
	}
	if err := checkListing(m, l, listed); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *Verified) checkSignature(m *Media, l layout, opts VerifyOptions) error {
	_, signed := m.Lookup(l.signature)
	switch {
	case !signed && len(opts.BuildKeys) > 0:
		return refuse(l.signature, fmt.Errorf("%w: media is unsigned but policy pins a build key", ErrSignature))
	case !signed:
		v.Signature = SignatureAbsent
		return nil
	case len(opts.BuildKeys) == 0:
		v.Signature = SignatureNotChecked
		return nil
	}
	env, err := m.ReadFile(l.signature)
	if err != nil {
		return err
	}
	payload, keyID, err := envelope.Open(env, l.payloadType, opts.BuildKeys...)
	if err != nil {
		return refuse(l.signature, fmt.Errorf("%w: %v", ErrSignature, err))
	}
	if !bytes.Equal(payload, v.ManifestBytes) {
		return refuse(l.signature, fmt.Errorf("%w: signed payload is not the bytes of %s", ErrSignature, l.manifest))
	}
	v.Signature, v.SignedBy = SignatureVerified, keyID
	return nil
}

// checkListing requires the media to hold exactly the manifest, its
// optional signature and the listed files, each with the listed size and
// SHA-256.
func checkListing(m *Media, l layout, listed []FileRef) error {
	want := map[string]FileRef{}
	for _, f := range listed {
		want[f.Path] = f
	}
	for _, e := range m.Entries() {
		if e.Path == l.manifest || e.Path == l.signature {
			continue
		}
		if _, ok := want[e.Path]; !ok {
			return refuse(e.Path, ErrNotListed)
		}
	}
	for _, f := range listed {
		e, ok := m.Lookup(f.Path)
		if !ok {
			return refuse(f.Path, ErrMissing)
		}
		if e.Size != f.Size {
			return refuse(f.Path, fmt.Errorf("%w: %d bytes on media, manifest says %d", ErrSize, e.Size, f.Size))
		}
		if e.Hex() != f.SHA256 {
			return refuse(f.Path, fmt.Errorf("%w: media has %s, manifest says %s", ErrDigest, e.Hex(), f.SHA256))
		}
	}
	return nil
}
