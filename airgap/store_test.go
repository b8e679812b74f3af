package airgap

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestImportRequest(t *testing.T) {
	for _, form := range []Form{FormDir, FormTar} {
		t.Run(form.String(), func(t *testing.T) {
			ms := validRequest(t)
			dir := t.TempDir()
			media := filepath.Join(dir, "media")
			if form == FormTar {
				media += ".tar"
				writeTestTar(t, media, ms)
			} else {
				writeDir(t, media, ms)
			}
			v, err := VerifyRequest(media, VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ws := filepath.Join(dir, "ws")
			st, err := NewStore(filepath.Join(ws, "objects"), filepath.Join(ws, "imports"))
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
			rec, path, err := st.Import(&v.Verified, at)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(path) != "request-"+v.ManifestSHA256+".json" || rec.ImportedAt != "2026-11-21T09:30:00Z" {
				t.Fatalf("record %s: %+v", path, rec)
			}
			if len(rec.Files) != 4 {
				t.Fatalf("recorded %d files, want 4", len(rec.Files))
			}
			for _, m := range ms {
				if m.typ != 0 {
					continue
				}
				got, err := st.ReadObject(sum(m.data))
				if err != nil || string(got) != string(m.data) {
					t.Fatalf("object for %s: %v", m.name, err)
				}
			}
			var back Record
			raw, _ := os.ReadFile(path)
			if err := json.Unmarshal(raw, &back); err != nil || back.ManifestSHA256 != v.ManifestSHA256 {
				t.Fatalf("record round trip: %v", err)
			}
			req, err := st.Request(v.ManifestSHA256)
			if err != nil || req.Product != "infusion-pump" {
				t.Fatalf("Store.Request: %v", err)
			}
			if _, _, err := st.Import(&v.Verified, at); !errors.Is(err, ErrAlreadyImported) {
				t.Fatalf("second import: %v", err)
			}
		})
	}
}

// TestImportCatchesChangedMedia changes a file between verification and
// import: the store must not take the new bytes.
func TestImportCatchesChangedMedia(t *testing.T) {
	ms := validRequest(t)
	dir := t.TempDir()
	media := filepath.Join(dir, "media")
	writeDir(t, media, ms)
	v, err := VerifyRequest(media, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	evil := []byte("app image bytes \x00\x01\x03") // same size, one bit different
	if err := os.WriteFile(filepath.Join(media, "images", "app.bin"), evil, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := NewStore(filepath.Join(dir, "objects"), filepath.Join(dir, "imports"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Import(&v.Verified, time.Unix(0, 0)); !errors.Is(err, ErrChanged) {
		t.Fatalf("import of changed media: %v, want ErrChanged", err)
	}
	if _, err := os.Stat(st.ObjectPath(sum(evil))); !os.IsNotExist(err) {
		t.Fatalf("changed bytes reached the store: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "imports"))
	if len(ents) != 0 {
		t.Fatalf("import recorded despite failure")
	}
}

func TestVerifyFeed(t *testing.T) {
	zip := []byte("PK\x05\x06" + string(make([]byte, 18)))
	feed := Feed{Kind: KindFeed, Source: "osv.dev", Snapshot: "2026-11-20T06:00:00Z",
		Files: []FeedFile{{Ecosystem: "crates.io", FileRef: FileRef{Path: "crates.io/all.zip", SHA256: sum(zip), Size: int64(len(zip))}}}}
	raw, _ := json.Marshal(feed)
	dir := filepath.Join(t.TempDir(), "feed")
	writeDir(t, dir, []member{{name: FeedManifest, data: raw}, {name: "crates.io/all.zip", data: zip}})
	v, err := VerifyFeed(dir, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ts, _ := v.Feed.SnapshotTime(); ts.Day() != 20 {
		t.Fatalf("snapshot %v", ts)
	}
	// A release request is not a feed, even with the same files.
	if _, err := VerifyRequest(dir, VerifyOptions{}); !errors.Is(err, ErrMissing) {
		t.Fatalf("feed read as request: %v", err)
	}
}
