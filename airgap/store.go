package airgap

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"signbox/internal/atomicfile"
)

// ErrAlreadyImported reports that the same manifest was imported before.
// The objects are all in the store; nothing new was recorded.
var ErrAlreadyImported = errors.New("already imported")

// Store is the workspace's content-addressed object store plus the record
// of every import: <objects>/sha256/<hex> and <imports>/<kind>-<hex>.json.
type Store struct {
	objects string
	imports string
}

// NewStore uses objectsDir (the workspace's objects/) and importsDir (its
// imports/), creating them if needed.
func NewStore(objectsDir, importsDir string) (*Store, error) {
	for _, d := range []string{filepath.Join(objectsDir, "sha256"), importsDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
	}
	return &Store{objects: objectsDir, imports: importsDir}, nil
}

// ObjectPath is where the object with SHA-256 hex digest sum is stored.
func (s *Store) ObjectPath(sum string) string {
	return filepath.Join(s.objects, "sha256", sum)
}

// ReadObject returns an object's bytes after re-hashing them.
func (s *Store) ReadObject(sum string) ([]byte, error) {
	if err := checkHex(sum); err != nil {
		return nil, fmt.Errorf("object name: %w", err)
	}
	b, err := os.ReadFile(s.ObjectPath(sum))
	if err != nil {
		return nil, err
	}
	got := sha256.Sum256(b)
	if hex.EncodeToString(got[:]) != sum {
		return nil, fmt.Errorf("object %s: %w: store is corrupt", sum, ErrDigest)
	}
	return b, nil
}

// Record is imports/<kind>-<manifest digest>.json.
type Record struct {
	Kind           string          `json:"kind"` // RecordKind
	ManifestKind   string          `json:"manifest_kind"`
	ManifestSHA256 string          `json:"manifest_sha256"`
	Form           string          `json:"form"`
	Source         string          `json:"source"`
	Signature      SignatureStatus `json:"signature"`
	SignedBy       string          `json:"signed_by,omitempty"`
	ImportedAt     string          `json:"imported_at"`
	Files          []FileRef       `json:"files"`
}

// RecordKind marks import records.
const RecordKind = "signbox.import-record/v1"

// Import stores every file of verified media by SHA-256 and records the
// import. at is the caller's clock reading (cmd/ owns the clock). Each
// file is re-hashed as it is copied, so media changed since verification
// is caught before it enters the store.
func (s *Store) Import(v *Verified, at time.Time) (*Record, string, error) {
	if v == nil || v.media == nil {
		return nil, "", errors.New("import: media was not verified (use VerifyRequest or VerifyFeed)")
	}
	rec := &Record{
		Kind: RecordKind, ManifestKind: v.Kind, ManifestSHA256: v.ManifestSHA256,
		Form: v.media.Form().String(), Source: v.media.Path(),
		Signature: v.Signature, SignedBy: v.SignedBy, ImportedAt: at.UTC().Format(time.RFC3339),
	}
	err := v.media.Stream(func(Entry) bool { return true }, func(e Entry, r io.Reader) error {
		rec.Files = append(rec.Files, FileRef{Path: e.Path, SHA256: e.Hex(), Size: e.Size})
		return s.put(e, r)
	})
	if err != nil {
		return nil, "", err
	}
	path, err := s.record(rec)
	return rec, path, err
}

// put stores one object unless an intact copy is already there.
func (s *Store) put(e Entry, r io.Reader) error {
	dst := s.ObjectPath(e.Hex())
	err := atomicfile.CreateNew(dst, 0o444, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
	if errors.Is(err, atomicfile.ErrExists) {
		if _, err := s.ReadObject(e.Hex()); err != nil {
			return err
		}
		_, err := io.Copy(io.Discard, r) // still confirm the media copy
		return err
	}
	return err
}

func (s *Store) record(rec *Record) (string, error) {
	name := recordPrefix(rec.ManifestKind) + "-" + rec.ManifestSHA256 + ".json"
	path := filepath.Join(s.imports, name)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rec); err != nil {
		return "", err
	}
	err := atomicfile.WriteNew(path, buf.Bytes(), 0o444)
	if errors.Is(err, atomicfile.ErrExists) {
		return path, fmt.Errorf("%s: %w", path, ErrAlreadyImported)
	}
	return path, err
}

func recordPrefix(kind string) string {
	if kind == KindFeed {
		return "feed"
	}
	return "request"
}

// Request loads an imported release request by its manifest digest (the
// hex in imports/request-<hex>.json), re-hashing the stored manifest.
// Its files are then read with ReadObject(image.SHA256).
func (s *Store) Request(manifestSHA256 string) (*Request, error) {
	raw, err := s.ReadObject(manifestSHA256)
	if err != nil {
		return nil, err
	}
	return ParseRequest(raw)
}

// Feed loads an imported OSV feed snapshot by its manifest digest.
func (s *Store) Feed(manifestSHA256 string) (*Feed, error) {
	raw, err := s.ReadObject(manifestSHA256)
	if err != nil {
		return nil, err
	}
	return ParseFeed(raw)
}
