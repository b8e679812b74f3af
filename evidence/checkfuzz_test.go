package evidence_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"signbox/evidence"
)

// FuzzCheckDocuments: `evidence check` reads the CSAF advisory and the
// ceremony transcript out of a bundle whose manifest a hostile (or buggy)
// manufacturer signed. Whatever bytes they hold, Check never panics, the
// report renders, and a file that is not the demo's own never passes its
// row by accident of parsing. Seeds are the demo bundle's real files.
func FuzzCheckDocuments(f *testing.F) {
	_, res, files := demoBundle(f, nil)
	var csafPath string
	for p := range files {
		if strings.HasPrefix(p, evidence.AdvisoryDir) {
			csafPath = p
		}
	}
	if csafPath == "" {
		f.Fatal("demo bundle has no advisory")
	}
	f.Add(files[csafPath], files[evidence.TranscriptName])
	f.Add([]byte(`{"document":{}}`), []byte(`{"format":"signbox-ceremony-transcript/v1"}`))
	f.Add([]byte(`null`), []byte(`[]`))
	f.Fuzz(func(t *testing.T, csaf, transcript []byte) {
		fs := maps.Clone(files)
		fs[csafPath], fs[evidence.TranscriptName] = csaf, transcript
		m := *res.Manifest
		m.Files = slices.Clone(m.Files)
		for i, mf := range m.Files {
			if b, ok := fs[mf.Path]; ok && (mf.Path == csafPath || mf.Path == evidence.TranscriptName) {
				sum := sha256.Sum256(b)
				m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(sum[:]), int64(len(b))
			}
		}
		r := *res
		r.Manifest = &m
		rep := evidence.Check(&r, fs)
		if err := rep.Write(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}
