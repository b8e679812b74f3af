package airgap

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clinical is the optional "clinical" block of request.json: what a
// hospital needs to decide when and how to install the release, and how
// the device is identified to regulators. Requests written before it
// existed still import; when the block is present every required field
// must be there, and package evidence refuses to write the hospital
// documents without it.
type Clinical struct {
	// Impact is the clinical impact statement: what changes for patients
	// and staff while and after the update is installed.
	Impact string `json:"impact"`
	// InstallMinutes is the expected install duration; DowntimeMinutes how
	// long the device is unavailable for clinical use (0 is a valid
	// answer, hence the pointer: absent and zero differ).
	InstallMinutes  int  `json:"install_minutes"`
	DowntimeMinutes *int `json:"downtime_minutes"`
	// Reboot says whether the update needs a reboot and when that is safe.
	Reboot *Reboot `json:"reboot"`
	// Rollback tells the hospital how to return to the previous release.
	Rollback string `json:"rollback"`
	// UDIDI is the device identifier part of the Unique Device Identifier
	// (FDA GUDID / EU EUDAMED), which identifies the product in the
	// advisory.
	UDIDI string `json:"udi_di"`
	// MDS2 references the device's Manufacturer Disclosure Statement for
	// Medical Device Security form (a document id or URL).
	MDS2 string `json:"mds2_ref"`
	// InstallSteps are optional numbered steps for the notice; without
	// them the notice gives signbox's generic steps.
	InstallSteps []string `json:"install_steps,omitempty"`
	// Rollout is the optional staged rollout plan.
	Rollout *Rollout `json:"rollout,omitempty"`
}

// Reboot says whether installing needs a reboot and when it is safe.
type Reboot struct {
	Required *bool  `json:"required"`
	SafeWhen string `json:"safe_when,omitempty"` // required when Required is true
}

// Rollout is a staged rollout: waves in order, each a share of the fleet
// or named sites, with the criteria to hold before the next wave starts.
type Rollout struct {
	Waves []Wave `json:"waves"`
}

// Wave is one stage of a rollout. Exactly one of FleetPercent and Sites is
// set. Every wave but the last names its hold criteria.
type Wave struct {
	Name         string   `json:"name"`
	FleetPercent int      `json:"fleet_percent,omitempty"`
	Sites        []string `json:"sites,omitempty"`
	HoldHours    int      `json:"hold_hours,omitempty"`
	HoldCriteria []string `json:"hold_criteria,omitempty"`
}

// Bounds on the clinical block: generous for prose a person writes, small
// enough that a hostile request cannot bloat every document made from it.
const (
	maxClinicalText  = 4096
	maxShortText     = 256
	maxWaves         = 16
	maxWaveSites     = 256
	maxListItems     = 32
	maxInstallMinute = 7 * 24 * 60 // a week: anything longer is a typo
)

// ClinicalError lists everything wrong with a clinical block at once, so
// the release manager fixes the request in one round trip.
type ClinicalError struct {
	Missing []string // field paths, e.g. "clinical.udi_di"
	Invalid []string // "clinical.udi_di: check digit ..."
}

func (e *ClinicalError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "missing required fields: "+strings.Join(e.Missing, ", "))
	}
	if len(e.Invalid) > 0 {
		parts = append(parts, "invalid: "+strings.Join(e.Invalid, "; "))
	}
	return strings.Join(parts, "; ")
}

// Validate checks the block; the error is a *ClinicalError naming every
// missing or invalid field.
func (c *Clinical) Validate() error {
	e := &ClinicalError{}
	missing := func(f string) { e.Missing = append(e.Missing, "clinical."+f) }
	invalid := func(f, format string, args ...any) {
		e.Invalid = append(e.Invalid, "clinical."+f+": "+fmt.Sprintf(format, args...))
	}
	text := func(f, v string, max int) {
		if v == "" {
			missing(f)
		} else if err := checkProse(v, max); err != nil {
			invalid(f, "%v", err)
		}
	}
	text("impact", c.Impact, maxClinicalText)
	switch {
	case c.InstallMinutes == 0:
		missing("install_minutes")
	case c.InstallMinutes < 0 || c.InstallMinutes > maxInstallMinute:
		invalid("install_minutes", "%d outside 1..%d", c.InstallMinutes, maxInstallMinute)
	}
	switch {
	case c.DowntimeMinutes == nil:
		missing("downtime_minutes")
	case *c.DowntimeMinutes < 0 || *c.DowntimeMinutes > maxInstallMinute:
		invalid("downtime_minutes", "%d outside 0..%d", *c.DowntimeMinutes, maxInstallMinute)
	}
	c.checkReboot(missing, invalid)
	text("rollback", c.Rollback, maxClinicalText)
	text("udi_di", c.UDIDI, maxShortText)
	if c.UDIDI != "" {
		if err := CheckUDIDI(c.UDIDI); err != nil {
			invalid("udi_di", "%v", err)
		}
	}
	text("mds2_ref", c.MDS2, maxShortText)
	checkList("install_steps", c.InstallSteps, invalid)
	if c.Rollout != nil {
		c.Rollout.check(missing, invalid)
	}
	if len(e.Missing) == 0 && len(e.Invalid) == 0 {
		return nil
	}
	return e
}

func (c *Clinical) checkReboot(missing func(string), invalid func(string, string, ...any)) {
	switch {
	case c.Reboot == nil:
		missing("reboot")
	case c.Reboot.Required == nil:
		missing("reboot.required")
	case *c.Reboot.Required && c.Reboot.SafeWhen == "":
		missing("reboot.safe_when")
	case c.Reboot.SafeWhen != "":
		if err := checkProse(c.Reboot.SafeWhen, maxClinicalText); err != nil {
			invalid("reboot.safe_when", "%v", err)
		}
	}
}

func checkList(field string, items []string, invalid func(string, string, ...any)) {
	if len(items) > maxListItems {
		invalid(field, "%d items, at most %d", len(items), maxListItems)
		return
	}
	for i, s := range items {
		if err := checkProse(s, maxClinicalText); err != nil {
			invalid(fmt.Sprintf("%s[%d]", field, i), "%v", err)
		}
	}
}

// checkProse accepts valid UTF-8 without control characters other than
// newline and tab: text that ends up in Markdown and JSON documents.
func checkProse(s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("blank")
	}
	if len(s) > max {
		return fmt.Errorf("longer than %d bytes", max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return fmt.Errorf("control character %U not allowed", r)
		}
	}
	return nil
}
