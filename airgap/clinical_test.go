package airgap

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func validClinical() *Clinical {
	down, yes := 10, true
	return &Clinical{
		Impact: "Pump unavailable during install.", InstallMinutes: 15, DowntimeMinutes: &down,
		Reboot: &Reboot{Required: &yes, SafeWhen: "No infusion running."}, Rollback: "Reinstall 2.4.0.",
		UDIDI: "00812345678901", MDS2: "MDS2-IP-2025-01",
		Rollout: &Rollout{Waves: []Wave{
			{Name: "pilot", Sites: []string{"St Elsewhere"}, HoldHours: 72, HoldCriteria: []string{"no rollbacks"}},
			{Name: "rest", FleetPercent: 100},
		}},
	}
}

func TestClinicalValidate(t *testing.T) {
	neg, no := -1, false
	tests := []struct {
		name   string
		edit   func(c *Clinical)
		errSub string // "" = valid
	}{
		{"valid", func(c *Clinical) {}, ""},
		{"no reboot needed", func(c *Clinical) { c.Reboot = &Reboot{Required: &no} }, ""},
		{"no rollout", func(c *Clinical) { c.Rollout = nil }, ""},
		{"all missing", func(c *Clinical) { *c = Clinical{} },
			"missing required fields: clinical.impact, clinical.install_minutes, clinical.downtime_minutes, clinical.reboot, clinical.rollback, clinical.udi_di, clinical.mds2_ref"},
		{"safe_when missing", func(c *Clinical) { c.Reboot.SafeWhen = "" }, "missing required fields: clinical.reboot.safe_when"},
		{"reboot.required missing", func(c *Clinical) { c.Reboot.Required = nil }, "clinical.reboot.required"},
		{"negative downtime", func(c *Clinical) { c.DowntimeMinutes = &neg }, "clinical.downtime_minutes: -1 outside"},
		{"bad GS1 check digit", func(c *Clinical) { c.UDIDI = "00812345678904" }, "clinical.udi_di: GS1 check digit is 4, want 1"},
		{"HIBCC udi", func(c *Clinical) { c.UDIDI = "+H123PROD1" }, ""},
		{"control char", func(c *Clinical) { c.Impact = "a\x1bb" }, "clinical.impact: control character"},
		{"blank", func(c *Clinical) { c.Rollback = "  " }, "clinical.rollback: blank"},
		{"wave without target", func(c *Clinical) { c.Rollout.Waves[1].FleetPercent = 0 },
			"clinical.rollout.waves[1].fleet_percent or .sites"},
		{"wave with both", func(c *Clinical) { c.Rollout.Waves[0].FleetPercent = 5 }, "not both"},
		{"no hold criteria", func(c *Clinical) { c.Rollout.Waves[0].HoldCriteria = nil }, "clinical.rollout.waves[0].hold_criteria"},
		{"hold after last", func(c *Clinical) { c.Rollout.Waves[1].HoldHours = 4 }, "the last wave has nothing to hold for"},
		{"over 100%", func(c *Clinical) {
			c.Rollout.Waves[0] = Wave{Name: "a", FleetPercent: 60, HoldCriteria: []string{"x"}}
			c.Rollout.Waves[1].FleetPercent = 50
		}, "adds up to 110"},
		{"duplicate wave", func(c *Clinical) { c.Rollout.Waves[1].Name = "Pilot" }, `"Pilot" used twice`},
		{"empty rollout", func(c *Clinical) { c.Rollout.Waves = nil }, "clinical.rollout.waves"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validClinical()
			tt.edit(c)
			err := c.Validate()
			if tt.errSub == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ce *ClinicalError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ClinicalError", err)
			}
			if !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("error %q does not contain %q", err, tt.errSub)
			}
		})
	}
}

func TestCheckUDIDI(t *testing.T) {
	for _, ok := range []string{"4006381333931", "00812345678901", "96385074", "=/A99971234PRO", "+H123PROD1"} {
		if err := CheckUDIDI(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"4006381333932", "123", "has space", ""} {
		if err := CheckUDIDI(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestRequestClinical: the block is optional in request.json, strict when
// present, and a missing field is named in the ParseRequest error.
func TestRequestClinical(t *testing.T) {
	seeds, _ := filepath.Glob("testdata/seeds/request/*.json")
	var base map[string]any
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseRequest(b); err == nil {
			if err := json.Unmarshal(b, &base); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if base == nil {
		t.Fatal("no valid request seed in testdata/seeds/request")
	}
	enc := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base["clinical"] = validClinical()
	r, err := ParseRequest(enc(base))
	if err != nil {
		t.Fatalf("valid clinical block refused: %v", err)
	}
	if r.Clinical == nil || r.Clinical.UDIDI != "00812345678901" {
		t.Fatalf("clinical block not decoded: %+v", r.Clinical)
	}
	c := validClinical()
	c.MDS2 = ""
	base["clinical"] = c
	if _, err := ParseRequest(enc(base)); err == nil || !strings.Contains(err.Error(), "clinical.mds2_ref") {
		t.Fatalf("missing mds2_ref: got %v", err)
	}
	base["clinical"] = map[string]any{"impact": "x", "surprise": 1}
	if _, err := ParseRequest(enc(base)); err == nil || !strings.Contains(err.Error(), "surprise") {
		t.Fatalf("unknown field in clinical: got %v", err)
	}
}
