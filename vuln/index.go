package vuln

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
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	"signbox/internal/atomicfile"
	"signbox/sbom"
)

// Files of an imported feed in its workspace directory.
const (
	IndexName   = "index.json"
	RecordsName = "records.bin"
	indexFormat = "signbox-osv-index/1"
	// maxIndexBytes bounds feed.json and records.jsonl on open; the index
	// was written by signbox, but the workspace sits on a disk anyone with
	// access to the appliance could edit.
	maxIndexBytes = 1 << 30
	// recordsChunk is the unit records.bin is verified in when a scan
	// reads only what it needs.
	recordsChunk = 64 << 10
)

// FeedInfo is the content of index.json: what was imported and where each
// package's records are.
type FeedInfo struct {
	Format         string        `json:"format"`
	Created        time.Time     `json:"created"`
	Source         string        `json:"source,omitempty"`
	ManifestSHA256 string        `json:"manifest_sha256"`
	Ecosystems     []ImportStats `json:"ecosystems"`
	RecordsSHA256  string        `json:"records_sha256"`
	// RecordsSize, ChunkSize and ChunkSHA256 let a scan read and verify
	// only the parts of records.bin it needs: the SHA-256 of every
	// ChunkSize bytes, in order. index.json (whose hash is the feed
	// digest) commits to them as it does to RecordsSHA256.
	RecordsSize int64    `json:"records_size,omitempty"`
	ChunkSize   int      `json:"chunk_size,omitempty"`
	ChunkSHA256 []string `json:"chunk_sha256,omitempty"`
	// Quarantined lists the records import set aside, with the reason.
	Quarantined []Quarantined `json:"quarantined,omitempty"`
	// Packages maps "<base ecosystem>/<normalised name>" to the
	// [offset, length] pairs of its records in records.jsonl.
	Packages map[string][]int64 `json:"packages"`
}

// packageKey is the index key. Ecosystem suffixes (Debian:12) are dropped
// here and compared at match time; names are normalised the way the SBOM
// side normalises them.
func packageKey(eco, name string) string {
	base, _, _ := strings.Cut(eco, ":")
	if base == "PyPI" {
		name = sbom.NormalisePyPI(name)
	}
	return base + "/" + name
}

// buildIndex encodes records back to back (see wire.go) and indexes each
// by every package it affects.
func buildIndex(recs []*Record) ([]byte, map[string][]int64, error) {
	var buf bytes.Buffer
	pkgs := map[string][]int64{}
	for _, r := range recs {
		line := encodeRecord(r)
		off := int64(buf.Len())
		buf.Write(line)
		seen := map[string]bool{}
		for _, a := range r.Affected {
			if a.Package.Name == "" {
				continue // GIT-only entries: no package to look up
			}
			k := packageKey(a.Package.Ecosystem, a.Package.Name)
			if !seen[k] {
				seen[k] = true
				pkgs[k] = append(pkgs[k], off, int64(len(line)))
			}
		}
	}
	return buf.Bytes(), pkgs, nil
}

// Import verifies the feed snapshot in src against its manifest and its
// age, parses every record, and writes the index to dst, which must not
// exist. A malformed or oversized record is quarantined: listed in
// FeedInfo.Quarantined with its reason, and the rest imported; more than
// MaxQuarantined of them refuse the whole import with a *RecordError.
func Import(src, dst string, fresh Freshness) (*FeedInfo, error) {
	if _, err := os.Lstat(dst); err == nil {
		return nil, fmt.Errorf("%s: %w", dst, atomicfile.ErrExists)
	}
	m, created, manifestSum, err := readManifest(src)
	if err != nil {
		return nil, err
	}
	if err := fresh.check(created); err != nil {
		return nil, err
	}
	c := &collector{byID: map[string]*Record{}}
	for _, f := range m.Files {
		data, err := loadZip(src, f.FileRef)
		if err != nil {
			return nil, err
		}
		if err := c.zip(f.Ecosystem, f.Path, data, f.SHA256); err != nil {
			return nil, err
		}
	}
	if n := len(c.quarantined); n > MaxQuarantined {
		return nil, &c.errs
	}
	records, pkgs, err := buildIndex(c.sorted())
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(records)
	var chunks []string
	for off := 0; off < len(records); off += recordsChunk {
		c := sha256.Sum256(records[off:min(off+recordsChunk, len(records))])
		chunks = append(chunks, hex.EncodeToString(c[:]))
	}
	info := &FeedInfo{Format: indexFormat, Created: created, Source: m.Source, ManifestSHA256: manifestSum,
		RecordsSize: int64(len(records)), ChunkSize: recordsChunk, ChunkSHA256: chunks,
		Ecosystems: c.stats, RecordsSHA256: hex.EncodeToString(sum[:]), Packages: pkgs, Quarantined: c.quarantined}
	return info, writeIndex(dst, info, records)
}

// writeIndex fills a temporary sibling directory and renames it into
// place, so dst appears complete or not at all.
func writeIndex(dst string, info *FeedInfo, records []byte) error {
	meta, err := json.Marshal(info)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create feed directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteNew(filepath.Join(tmp, RecordsName), records, 0o644); err != nil {
		return err
	}
	if err := atomicfile.WriteNew(filepath.Join(tmp, IndexName), append(meta, '\n'), 0o644); err != nil {
		return err
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s: %w", dst, atomicfile.ErrExists)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("move feed into place: %w", err)
	}
	return atomicfile.SyncDir(filepath.Dir(dst))
}

// Feed is an imported, verified feed ready to scan against.
type Feed struct {
	Info   FeedInfo
	digest string
	// records holds records.bin; a chunk is read and checked against
	// Info.ChunkSHA256 the first time a lookup needs it (all at once for
	// an index without chunk hashes). Decoded records are strings over
	// it: a chunk's bytes never change once loaded.
	records []byte
	file    *os.File // open while chunks remain to be read
	mu      sync.Mutex
	loaded  []bool
	// prepared caches each package's decoded records with their events
	// parsed and sorted, so components sharing a package share the work.
	prepared   sync.Map         // package key -> *pkgRecords
	quarantine map[string][]int // package key -> indexes into Info.Quarantined
}

// pkgRecords is one package's records, prepared once.
type pkgRecords struct {
	once sync.Once
	recs []prepRecord
	err  error
}

// prepRecord is a record with the affected entries of one package
// prepared for matching.
type prepRecord struct {
	rec      *Record
	affected []prepAffected
}

// ErrIndexCorrupt reports an imported feed whose files no longer match
// each other.
var ErrIndexCorrupt = errors.New("feed index corrupt")

// OpenFeed loads an imported feed from dir, checks that its record file
// matches the index, and applies the freshness policy.
func OpenFeed(dir string, fresh Freshness) (*Feed, error) {
	meta, err := readLimited(filepath.Join(dir, IndexName), maxIndexBytes)
	if err != nil {
		return nil, fmt.Errorf("open feed: %w", err)
	}
	f := &Feed{}
	if err := json.Unmarshal(meta, &f.Info); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrIndexCorrupt, IndexName, err)
	}
	if f.Info.Format != indexFormat {
		return nil, fmt.Errorf("%w: %s has format %q, want %q", ErrIndexCorrupt, IndexName, f.Info.Format, indexFormat)
	}
	if err := fresh.check(f.Info.Created); err != nil {
		return nil, err
	}
	if err := f.openRecords(filepath.Join(dir, RecordsName)); err != nil {
		return nil, err
	}
	d := sha256.Sum256(meta)
	f.digest = "sha256:" + hex.EncodeToString(d[:])
	f.indexQuarantine()
	return f, nil
}

// Digest identifies the imported feed for the ceremony plan: the SHA-256
// of index.json, which itself carries the manifest's and records' hashes.
func (f *Feed) Digest() string { return f.digest }

// covers reports whether the feed holds any zip for the base ecosystem.
func (f *Feed) covers(eco string) bool {
	base, _, _ := strings.Cut(eco, ":")
	for _, e := range f.Info.Ecosystems {
		if b, _, _ := strings.Cut(e.Ecosystem, ":"); b == base {
			return true
		}
	}
	return false
}

// openRecords opens records.bin. With chunk hashes in the index it reads
// nothing yet; without them (an index from before they existed) it reads
// and checks the whole file.
func (f *Feed) openRecords(path string) error {
	if len(f.Info.ChunkSHA256) == 0 {
		records, err := readSized(path, maxIndexBytes)
		if err != nil {
			return fmt.Errorf("open feed: %w", err)
		}
		sum := sha256.Sum256(records)
		if hex.EncodeToString(sum[:]) != f.Info.RecordsSHA256 {
			return fmt.Errorf("%w: %s does not match the hash in %s", ErrIndexCorrupt, RecordsName, IndexName)
		}
		f.records = records
		return nil
	}
	size, cs := f.Info.RecordsSize, int64(f.Info.ChunkSize)
	if cs <= 0 || size < 0 || size > maxIndexBytes || int64(len(f.Info.ChunkSHA256)) != (size+cs-1)/cs {
		return fmt.Errorf("%w: %s: chunk table does not fit %d bytes", ErrIndexCorrupt, IndexName, size)
	}
	file, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open feed: %w", err)
	}
	fi, err := file.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != size {
		file.Close()
		return fmt.Errorf("%w: %s is not a regular file of %d bytes", ErrIndexCorrupt, RecordsName, size)
	}
	// Untouched pages of the buffer cost nothing: only what is read is
	// paged in.
	f.records = make([]byte, size)
	f.loaded = make([]bool, len(f.Info.ChunkSHA256))
	f.file = file
	runtime.AddCleanup(f, func(file *os.File) { file.Close() }, file)
	return nil
}

// span returns records.bin[off:off+n], reading and verifying the chunks it
// covers on first use.
func (f *Feed) span(off, n int64) (string, error) {
	if off < 0 || n <= 0 || off+n > int64(len(f.records)) {
		return "", fmt.Errorf("%w: span %d+%d outside %s", ErrIndexCorrupt, off, n, RecordsName)
	}
	if f.loaded != nil {
		f.mu.Lock()
		err := f.load(off, n)
		f.mu.Unlock()
		if err != nil {
			return "", err
		}
	}
	return unsafe.String(&f.records[off], n), nil
}

// load reads and checks the chunks covering off..off+n; f.mu is held.
func (f *Feed) load(off, n int64) error {
	cs := int64(f.Info.ChunkSize)
	for c := off / cs; c <= (off+n-1)/cs; c++ {
		if f.loaded[c] {
			continue
		}
		buf := f.records[c*cs : min((c+1)*cs, int64(len(f.records)))]
		if _, err := f.file.ReadAt(buf, c*cs); err != nil {
			return fmt.Errorf("%w: read %s: %w", ErrIndexCorrupt, RecordsName, err)
		}
		sum := sha256.Sum256(buf)
		if hex.EncodeToString(sum[:]) != f.Info.ChunkSHA256[c] {
			clear(buf)
			return fmt.Errorf("%w: %s at %d does not match the hash in %s", ErrIndexCorrupt, RecordsName, c*cs, IndexName)
		}
		f.loaded[c] = true
	}
	return nil
}

// lookup decodes the records indexed under a package.
func (f *Feed) lookup(eco, name string) ([]*Record, error) {
	spans := f.Info.Packages[packageKey(eco, name)]
	out := make([]*Record, 0, len(spans)/2)
	for i := 0; i+1 < len(spans); i += 2 {
		off, n := spans[i], spans[i+1]
		b, err := f.span(off, n)
		if err != nil {
			return nil, err
		}
		r, err := decodeRecord(b)
		if err != nil {
			return nil, fmt.Errorf("%w: record at %d: %w", ErrIndexCorrupt, off, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// prepare returns the package's records with the affected entries naming
// it prepared for matching, decoding and parsing them on first use.
func (f *Feed) prepare(eco, name string) ([]prepRecord, error) {
	key := packageKey(eco, name)
	v, ok := f.prepared.Load(key)
	if !ok {
		v, _ = f.prepared.LoadOrStore(key, &pkgRecords{})
	}
	p := v.(*pkgRecords)
	p.once.Do(func() {
		recs, err := f.lookup(eco, name)
		if err != nil {
			p.err = err
			return
		}
		p.recs = make([]prepRecord, 0, len(recs))
		for _, r := range recs {
			pr := prepRecord{rec: r}
			for i := range r.Affected {
				a := &r.Affected[i]
				if a.Package.Name != "" && packageKey(a.Package.Ecosystem, a.Package.Name) == key {
					pr.affected = append(pr.affected, prepare(r, a))
				}
			}
			p.recs = append(p.recs, pr)
		}
	})
	return p.recs, p.err
}

// readSized reads a file whose size is known up front into one buffer of
// that size (io.ReadAll would grow and copy it a dozen times).
func readSized(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > limit {
		return nil, fmt.Errorf("%s: not a regular file of at most %d bytes", path, limit)
	}
	buf := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	// A file that grew after the stat is not the file that was hashed.
	if n, _ := f.Read(make([]byte, 1)); n != 0 {
		return nil, fmt.Errorf("%s: changed while read", path)
	}
	return buf, nil
}
