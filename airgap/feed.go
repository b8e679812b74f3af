package airgap

import (
	"fmt"
	"time"

	"signbox/airgap/strictjson"
)

// MaxFeedFiles caps the ecosystems in one snapshot; OSV publishes about 40.
const MaxFeedFiles = 128

// Feed is feed.json: an offline OSV snapshot, one all.zip per ecosystem
// in osv.dev's export layout.
type Feed struct {
	Kind string `json:"kind"`
	// Source says where the snapshot was taken from, for the record.
	Source string `json:"source"`
	// Snapshot is when the snapshot was taken (RFC 3339). Policy bounds
	// its age relative to the ceremony date.
	Snapshot string     `json:"snapshot"`
	Files    []FeedFile `json:"files"`
}

// FeedFile is one ecosystem's export.
type FeedFile struct {
	Ecosystem string `json:"ecosystem"` // OSV ecosystem name, e.g. "Go", "crates.io"
	FileRef
}

// SnapshotTime parses Snapshot.
func (f *Feed) SnapshotTime() (time.Time, error) {
	return time.Parse(time.RFC3339, f.Snapshot)
}

// ParseFeed decodes feed.json strictly and validates every field.
func ParseFeed(data []byte) (*Feed, error) {
	if err := checkKind(data, KindFeed); err != nil {
		return nil, fmt.Errorf("%s: %w", FeedManifest, err)
	}
	var f Feed
	if err := strictjson.Decode(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", FeedManifest, err)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", FeedManifest, err)
	}
	return &f, nil
}

// Validate checks every field; errors name the field.
func (f *Feed) Validate() error {
	if f.Kind != KindFeed {
		return fmt.Errorf("kind is %q, want %q", f.Kind, KindFeed)
	}
	if len(f.Source) > 1024 {
		return fmt.Errorf("source: longer than 1024 bytes")
	}
	if _, err := f.SnapshotTime(); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if len(f.Files) == 0 || len(f.Files) > MaxFeedFiles {
		return fmt.Errorf("files: %d entries, want 1 to %d", len(f.Files), MaxFeedFiles)
	}
	eco := map[string]bool{}
	for i, ff := range f.Files {
		field := fmt.Sprintf("files[%d]", i)
		if ff.Ecosystem == "" || len(ff.Ecosystem) > 64 {
			return fmt.Errorf("%s.ecosystem: want 1 to 64 bytes", field)
		}
		if eco[ff.Ecosystem] {
			return fmt.Errorf("%s.ecosystem: %q listed twice", field, ff.Ecosystem)
		}
		eco[ff.Ecosystem] = true
		if err := ff.check(field, MaxFeedFileBytes); err != nil {
			return err
		}
	}
	return checkDistinct(f.FileRefs())
}

// FileRefs lists every file the feed names.
func (f *Feed) FileRefs() []FileRef {
	out := make([]FileRef, len(f.Files))
	for i, ff := range f.Files {
		out[i] = ff.FileRef
	}
	return out
}
