package evidence

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// TLP labels of CSAF 2.0 (§3.2.1.5.2, the TLP 1.0 labels).
var tlpLabels = []string{"WHITE", "GREEN", "AMBER", "RED"}

// tlpURL is the definition CSAF 2.0 names as the label's default source.
const tlpURL = "https://www.first.org/tlp/"

// tlp is the advisory's TLP label: the release's, or WHITE, since the
// advisory travels in the bundle to every hospital that installs it.
func (in *Inputs) tlp() string {
	if in.TLP == "" {
		return "WHITE"
	}
	return in.TLP
}

// canonicalURL is where the manufacturer publishes the advisory, as a
// CSAF provider lays out its directory: /.well-known/csaf/ on the host of
// the manufacturer's namespace (CSAF 2.0 §7.1.9), a folder per TLP label,
// a folder per year of the initial release (§7.1.11) and the §5.1 file
// name. The advisory's self reference names it (§3.2.1.12).
func (in *Inputs) canonicalURL() string {
	u, _ := url.Parse(in.Namespace) // validated: an http(s) URL with a host
	year := in.CeremonyDate.UTC().Format("2006")
	return fmt.Sprintf("https://%s/.well-known/csaf/%s/%s/%s", u.Host, strings.ToLower(in.tlp()), year,
		path.Base(in.advisoryPath()))
}

func (in *Inputs) distribution() *csafDistribution {
	return &csafDistribution{TLP: csafTLP{Label: in.tlp(), URL: tlpURL}}
}

func (in *Inputs) selfReference() csafReference {
	return csafReference{Category: "self", Summary: "Canonical URL of this advisory", URL: in.canonicalURL()}
}

// publishingProblems checks what the schema cannot: the file name is the
// §5.1 name of the tracking ID, a TLP label is set, and exactly one self
// reference points at a URL ending in that file name within a folder of
// the initial release's year.
func (d *csafDoc) publishingProblems() error {
	tr := d.Document.Tracking
	if want := CSAFFileName(tr.ID); path.Base(d.path) != want {
		return fmt.Errorf("%s: tracking id %q needs the file name %s (CSAF 2.0 §5.1)", d.path, tr.ID, want)
	}
	if d.Document.Distribution == nil || !slices.Contains(tlpLabels, d.Document.Distribution.TLP.Label) {
		return fmt.Errorf("%s: no TLP label in document.distribution.tlp", d.path)
	}
	var self []string
	for _, r := range d.Document.References {
		if r.Category == "self" {
			self = append(self, r.URL)
		}
	}
	if len(self) != 1 {
		return fmt.Errorf("%s: %d self references, want 1 (the canonical URL)", d.path, len(self))
	}
	year := ""
	if t, err := time.Parse(time.RFC3339, tr.InitialReleaseDate); err == nil {
		year = t.UTC().Format("2006")
	}
	if !strings.HasPrefix(self[0], "https://") || !strings.HasSuffix(self[0], "/"+year+"/"+path.Base(d.path)) {
		return fmt.Errorf("%s: self reference %s is not an https URL ending in %s/%s", d.path, self[0], year, path.Base(d.path))
	}
	return nil
}
