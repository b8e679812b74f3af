// Command scanbench prepares inputs for timing `signbox vuln scan` as a
// whole process (scripts/scan-bench.sh): a workspace with an imported OSV
// feed and a CycloneDX SBOM to scan against it.
//
//	scanbench -ws DIR -sbom FILE -n 1034 -feed /work/shared/data/osv/Go/all.zip
//	scanbench -ws DIR -sbom FILE -n 100000            (synthetic feed)
//
// With -feed, the SBOM takes the first n Go module names of that feed
// (sorted), every other one at a version inside its first record's first
// range and the rest past every fix, like the peer measurement in
// shared/design/vuln.md section 5. Without it, a synthetic Go feed of n/2
// modules with two records each is generated and the SBOM holds n
// components (two versions per module, one inside both records' ranges
// and one outside), so findings = n.
//
// It is a benchmark tool, not part of signbox: it imports the feed with
// vuln.Import directly instead of through an appliance.
package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"signbox/vuln"
)

var (
	snapshot = time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)
	scanDate = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
)

func main() {
	ws := flag.String("ws", "", "workspace directory to create (the feed lands in WS/vuln/feed)")
	out := flag.String("sbom", "", "SBOM file to write")
	n := flag.Int("n", 1000, "components")
	feed := flag.String("feed", "", "a real <Ecosystem>/all.zip (Go) to use instead of a synthetic feed")
	flag.Parse()
	if *ws == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: scanbench -ws DIR -sbom FILE [-n N] [-feed all.zip]")
		os.Exit(2)
	}
	if err := run(*ws, *out, *n, *feed); err != nil {
		fmt.Fprintln(os.Stderr, "scanbench:", err)
		os.Exit(1)
	}
}

type comp struct{ name, version string }

func run(ws, out string, n int, feed string) error {
	snap, err := os.MkdirTemp("", "scanbench-snap-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(snap)
	if err := os.MkdirAll(filepath.Join(snap, "Go"), 0o755); err != nil {
		return err
	}
	var zipData []byte
	var comps []comp
	if feed != "" {
		if zipData, err = os.ReadFile(feed); err != nil {
			return err
		}
		if comps, err = realComponents(zipData, n); err != nil {
			return err
		}
	} else {
		zipData, comps = synthetic(n)
	}
	if err := os.WriteFile(filepath.Join(snap, "Go", "all.zip"), zipData, 0o644); err != nil {
		return err
	}
	m, err := vuln.WriteManifest(snap, snapshot, "scanbench")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(snap, vuln.ManifestName), m, 0o644); err != nil {
		return err
	}
	dst := filepath.Join(ws, "vuln", "feed")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if _, err := vuln.Import(snap, dst, vuln.Freshness{CeremonyDate: scanDate, MaxAge: 30 * 24 * time.Hour}); err != nil {
		return err
	}
	return os.WriteFile(out, sbomJSON(comps), 0o644)
}

// realComponents picks n module names from a real Go all.zip.
func realComponents(data []byte, n int) ([]comp, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	first := map[string]string{} // module -> a version inside its first range
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		var r struct {
			Withdrawn string
			Affected  []struct {
				Package struct{ Name string }
				Ranges  []struct {
					Events []map[string]string
				}
			}
		}
		if err := json.Unmarshal(b, &r); err != nil || r.Withdrawn != "" {
			continue
		}
		for _, a := range r.Affected {
			name := a.Package.Name
			if name == "stdlib" || name == "toolchain" || len(a.Ranges) == 0 {
				continue
			}
			v := "0.0.1"
			for _, e := range a.Ranges[0].Events {
				if in := e["introduced"]; in != "" && in != "0" {
					v = in
					break
				}
			}
			if old, ok := first[name]; !ok || f.Name < old {
				first[name] = v
			}
		}
	}
	names := make([]string, 0, len(first))
	for k := range first {
		names = append(names, k)
	}
	sort.Strings(names)
	var comps []comp
	for i, name := range names {
		if i >= n {
			break
		}
		v := "999.0.0"
		if i%2 == 0 {
			v = first[name]
		}
		comps = append(comps, comp{name, v})
	}
	return comps, nil
}

// synthetic makes a Go feed of n/2 modules, each with two overlapping
// records, and n components: per module one version inside both and one
// outside both.
func synthetic(n int) ([]byte, []comp) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var comps []comp
	mods := (n + 1) / 2
	for i := range mods {
		name := fmt.Sprintf("example.com/synth/m%06d", i)
		for j, ev := range []string{`{"introduced":"0"},{"fixed":"1.5.0"}`, `{"introduced":"1.2.0"},{"last_affected":"1.4.9"}`} {
			id := fmt.Sprintf("GO-2099-%06d%d", i, j)
			sev := ""
			if j == 0 {
				sev = `,"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]`
			}
			rec := fmt.Sprintf(`{"schema_version":"1.7.0","id":%q,"modified":"2026-08-01T00:00:00Z","aliases":["CVE-2099-%06d%d"],"summary":"synthetic advisory %d of %s"%s,`+
				`"affected":[{"package":{"ecosystem":"Go","name":%q},"ranges":[{"type":"SEMVER","events":[%s]}]}],`+
				`"references":[{"type":"WEB","url":"https://example.com/%s"}]}`, id, i, j, j, name, sev, name, ev, id)
			w, _ := zw.Create(id + ".json")
			_, _ = io.WriteString(w, rec)
		}
		comps = append(comps, comp{name, "1.3.0"}, comp{name, "2.0.0"})
	}
	_ = zw.Close()
	return buf.Bytes(), comps[:n]
}

func sbomJSON(comps []comp) []byte {
	var b strings.Builder
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[`)
	for i, c := range comps {
		if i > 0 {
			b.WriteByte(',')
		}
		ref := fmt.Sprintf("pkg:golang/%s@v%s", c.name, c.version)
		fmt.Fprintf(&b, "\n{\"type\":\"library\",\"bom-ref\":%q,\"name\":%q,\"version\":\"v%s\",\"purl\":%q}", ref, c.name, c.version, ref)
	}
	b.WriteString("\n]}\n")
	return []byte(b.String())
}
