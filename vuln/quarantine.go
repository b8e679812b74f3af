package vuln

import (
	"encoding/json"
	"fmt"
	"strings"

	"signbox/sbom"
)

// Quarantined is a feed record import set aside: it could not be read or
// breaks a rule matching depends on. The rest of the feed is imported;
// components the record names are "not checked" against it
// ([QuarantineHit]), so the gate decides instead of the record silently
// vanishing.
type Quarantined struct {
	Zip    string `json:"zip"`          // e.g. "Go/all.zip"
	Entry  string `json:"entry"`        // the zip entry, e.g. "GO-2024-0001.json"
	ID     string `json:"id,omitempty"` // the record's id, when readable
	Reason string `json:"reason"`
	// Ecosystem is the zip's ecosystem. Packages are the index keys
	// ("<ecosystem>/<name>") of the packages the record names, as far as
	// they can be read; none means the record could name any package of
	// Ecosystem.
	Ecosystem string   `json:"ecosystem"`
	Packages  []string `json:"packages,omitempty"`
}

func (q Quarantined) String() string {
	name := q.ID
	if name == "" {
		name = q.Entry
	}
	return fmt.Sprintf("%s (%s): %s", name, q.Zip, q.Reason)
}

// quarantineOf reads as much of a refused record as says which packages
// it is about: its id and the affected packages.
func quarantineOf(zipName, eco, entry string, data []byte, reason error) Quarantined {
	q := Quarantined{Zip: zipName, Entry: entry, Ecosystem: eco,
		Reason: strings.ReplaceAll(reason.Error(), "\n", "; ")}
	var probe struct {
		ID       string `json:"id"`
		Affected []struct {
			Package struct {
				Ecosystem string `json:"ecosystem"`
				Name      string `json:"name"`
			} `json:"package"`
		} `json:"affected"`
	}
	if len(data) == 0 || len(data) > MaxRecordBytes || json.Unmarshal(data, &probe) != nil {
		return q
	}
	if idPattern.MatchString(probe.ID) {
		q.ID = probe.ID
	}
	seen := map[string]bool{}
	for _, a := range probe.Affected {
		if a.Package.Name == "" {
			continue
		}
		pe := a.Package.Ecosystem
		if pe == "" {
			pe = eco
		}
		if k := packageKey(pe, a.Package.Name); !seen[k] {
			seen[k] = true
			q.Packages = append(q.Packages, k)
		}
	}
	return q
}

// QuarantineHit is a scanned component that was not checked against a
// quarantined record naming its package. A record whose packages could
// not be read names every component of its ecosystem: then Component is
// empty and Ecosystem says which.
type QuarantineHit struct {
	Component sbom.Component `json:"component"`
	Ecosystem string         `json:"ecosystem"`
	Record    Quarantined    `json:"record"`
}

func (h QuarantineHit) String() string {
	if h.Component.Name == "" {
		return fmt.Sprintf("every %s component: not checked against quarantined record %s", h.Ecosystem, h.Record)
	}
	return fmt.Sprintf("%s (%s): not checked against quarantined record %s", h.Component.Path, h.Component.Key(), h.Record)
}

// unscannable renders the hit for the gate's unchecked rule.
func (h QuarantineHit) unscannable() sbom.Unscannable {
	reason := "not checked against quarantined feed record " + h.Record.String()
	if h.Component.Name == "" {
		return sbom.Unscannable{Path: "every " + h.Ecosystem + " component", Reason: reason}
	}
	c := h.Component
	return sbom.Unscannable{Ref: c.Ref, Path: c.Path, Name: c.Name, Version: c.Written, PURL: c.PURL, Reason: reason}
}

// indexQuarantine maps package keys and ecosystems to quarantined records.
func (f *Feed) indexQuarantine() {
	if len(f.Info.Quarantined) == 0 {
		return
	}
	f.quarantine = map[string][]int{}
	for i, q := range f.Info.Quarantined {
		if len(q.Packages) == 0 {
			base, _, _ := strings.Cut(q.Ecosystem, ":")
			f.quarantine["*"+base] = append(f.quarantine["*"+base], i)
			continue
		}
		for _, k := range q.Packages {
			f.quarantine[k] = append(f.quarantine[k], i)
		}
	}
}

// quarantined lists what the scanned components could not be checked
// against, in component order.
func (f *Feed) quarantined(comps []sbom.Component) []QuarantineHit {
	if f.quarantine == nil {
		return nil
	}
	var out []QuarantineHit
	ecos := map[string]bool{}
	for _, c := range comps {
		base, _, _ := strings.Cut(c.Ecosystem, ":")
		ecos[base] = true
		for _, i := range f.quarantine[packageKey(c.Ecosystem, c.Name)] {
			out = append(out, QuarantineHit{Component: c, Ecosystem: c.Ecosystem, Record: f.Info.Quarantined[i]})
		}
	}
	for _, q := range f.Info.Quarantined {
		base, _, _ := strings.Cut(q.Ecosystem, ":")
		if len(q.Packages) == 0 && ecos[base] {
			out = append(out, QuarantineHit{Ecosystem: base, Record: q})
		}
	}
	return out
}
