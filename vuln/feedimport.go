package vuln

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// ImportStats counts what an import read.
type ImportStats struct {
	Ecosystem string `json:"ecosystem"`
	ZipSHA256 string `json:"zip_sha256"`
	Records   int    `json:"records"`
	Withdrawn int    `json:"withdrawn"`
	// Quarantined counts records set aside (FeedInfo.Quarantined lists
	// them with the reason).
	Quarantined int `json:"quarantined,omitempty"`
}

// RecordError lists malformed or oversized records found in a feed with
// more than MaxQuarantined of them: the import is refused as a whole, since
// a feed that broken is not a feed with a few odd records. Up to that
// bound each bad record is quarantined instead ([Quarantined]).
type RecordError struct {
	Problems []string // "Go/all.zip: GO-2024-0001.json: ..."
	More     int      // problems beyond the listed ones
}

func (e *RecordError) Error() string {
	s := fmt.Sprintf("%d malformed OSV records:\n  %s", len(e.Problems)+e.More, strings.Join(e.Problems, "\n  "))
	if e.More > 0 {
		s += fmt.Sprintf("\n  ... and %d more", e.More)
	}
	return s
}

func (e *RecordError) Unwrap() error { return ErrMalformedRecord }

func (e *RecordError) add(msg string) {
	if len(e.Problems) < maxProblems {
		e.Problems = append(e.Problems, msg)
	} else {
		e.More++
	}
}

// collector gathers records from every zip, keeping one copy per ID.
type collector struct {
	byID        map[string]*Record
	stats       []ImportStats
	errs        RecordError
	quarantined []Quarantined
}

func (c *collector) zip(eco, name string, data []byte, sum string) error {
	st := ImportStats{Ecosystem: eco, ZipSHA256: sum}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(zr.File) > MaxRecords {
		return fmt.Errorf("%s: %d entries, more than %d", name, len(zr.File), MaxRecords)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > MaxZipUncompressed {
			return fmt.Errorf("%s: more than %d bytes uncompressed", name, uint64(MaxZipUncompressed))
		}
	}
	recs, raw, errs := readEntries(zr.File)
	for i, f := range zr.File {
		if errs[i] != nil {
			c.errs.add(fmt.Sprintf("%s: %s: %v", name, f.Name, errs[i]))
			c.quarantined = append(c.quarantined, quarantineOf(name, eco, f.Name, raw[i], errs[i]))
			st.Quarantined++
			continue
		}
		if recs[i].Withdrawn != "" {
			st.Withdrawn++
			continue
		}
		st.Records++
		c.keep(trim(recs[i]))
	}
	c.stats = append(c.stats, st)
	return nil
}

// keep stores r unless a copy with the same ID and a later modification
// time is already kept; osv.dev exports put a record affecting several
// ecosystems into each of their zips.
func (c *collector) keep(r *Record) {
	if old, ok := c.byID[r.ID]; ok && old.Modified >= r.Modified {
		return
	}
	c.byID[r.ID] = r
}

// readEntries decompresses and parses entries on every CPU; results keep
// the zip's order so that the import is deterministic.
func readEntries(files []*zip.File) ([]*Record, [][]byte, []error) {
	recs := make([]*Record, len(files))
	raw := make([][]byte, len(files))
	errs := make([]error, len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				recs[i], errs[i] = readEntry(files[i], &raw[i])
			}
		}()
	}
	wg.Wait()
	return recs, raw, errs
}

// readEntry reads and parses one entry; when it is refused, *raw keeps
// the bytes read so the quarantine can say which packages it names.
func readEntry(f *zip.File, raw *[]byte) (*Record, error) {
	if f.FileInfo().IsDir() || strings.Contains(f.Name, "/") || strings.Contains(f.Name, `\`) || path.Ext(f.Name) != ".json" {
		return nil, errors.New("entry is not a flat <ID>.json file")
	}
	if f.UncompressedSize64 > MaxRecordBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformedRecord, f.UncompressedSize64, MaxRecordBytes)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// The header's size can lie; the limit holds regardless.
	data, err := io.ReadAll(io.LimitReader(rc, MaxRecordBytes+1))
	if err != nil {
		return nil, err
	}
	r, err := ParseRecord(data)
	if err == nil && r.ID != strings.TrimSuffix(f.Name, ".json") {
		err = fmt.Errorf("%w: id %q does not match the file name", ErrMalformedRecord, r.ID)
	}
	if err != nil {
		*raw = data
		return nil, err
	}
	return r, nil
}

func (c *collector) sorted() []*Record {
	out := make([]*Record, 0, len(c.byID))
	for _, r := range c.byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// trim drops what a scan never reads, so the index decodes faster: the
// full record stays in the snapshot on the media and in the store.
func trim(r *Record) *Record {
	var refs []Reference
	for _, ref := range r.References {
		if len(refs) < 5 && (ref.Type == "ADVISORY" || ref.Type == "WEB" || ref.Type == "REPORT") {
			refs = append(refs, ref)
		}
	}
	r.References = refs
	r.Published = ""
	return r
}
