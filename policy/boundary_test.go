package policy

import (
	"strings"
	"testing"
	"time"
)

// TestParseBoundaries pins the edges mutation testing found untested: the
// file-size limit, the day-count limit of durations, explicit YAML tags,
// and a manufacturer that is valid (the error table only has bad ones).
func TestParseBoundaries(t *testing.T) {
	ex := example(t)
	pad := func(n int) string { // ex grown to n bytes with a trailing comment
		s := ex + "#"
		return s + strings.Repeat("x", n-len(s)-1) + "\n"
	}
	if _, err := Parse([]byte(pad(MaxFileSize))); err != nil {
		t.Errorf("a policy of exactly MaxFileSize bytes: %v", err)
	}
	if _, err := Parse([]byte(pad(MaxFileSize + 1))); err == nil || !strings.Contains(err.Error(), "more than the 1048576 allowed") {
		t.Errorf("a policy one byte over: %v", err)
	}

	for _, tc := range []struct{ age, want string }{
		{"3650d", ""},
		{"3651d", `release.max_feed_age: "3651d" is not a number of days (line 103)`},
		{"0d", "release.max_feed_age: required and must be positive, e.g. 7d"},
		{"-1d", `release.max_feed_age: "-1d" is not a number of days (line 103)`},
	} {
		p, err := Parse([]byte(strings.Replace(ex, "max_feed_age: 7d", "max_feed_age: "+tc.age, 1)))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("max_feed_age %s: %v", tc.age, err)
		case tc.want == "" && p.Release.MaxFeedAge.Duration != 3650*24*time.Hour:
			t.Errorf("max_feed_age %s = %v", tc.age, p.Release.MaxFeedAge)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("max_feed_age %s: got %v, want %s", tc.age, err, tc.want)
		}
	}

	if _, err := Parse([]byte(strings.Replace(ex, "name: acme-infusion\n", "name: !!str acme-infusion\n", 1))); err == nil ||
		err.Error() != "name: explicit YAML tags are not allowed (line 4)" {
		t.Errorf("tagged scalar: %v", err)
	}

	withMfr := func(ns string) (*Policy, error) {
		return Parse([]byte(strings.Replace(ex, "  max_feed_age: 7d\n", "  max_feed_age: 7d\nmanufacturer: {name: Acme, namespace: \""+ns+"\"}\n", 1)))
	}
	if p, err := withMfr("https://pumps.example"); err != nil || p.Manufacturer == nil || p.Manufacturer.Name != "Acme" {
		t.Errorf("valid manufacturer: %+v, %v", p, err)
	}
	if _, err := withMfr("https:///pumps"); err == nil || !strings.Contains(err.Error(), "must be an https URL") {
		t.Errorf("namespace without a host: %v", err)
	}
}

// TestAllKeysSlots: AllKeys gives Secure Boot keys their eFuse slot and
// every other key -1, as NamedKey documents.
func TestAllKeysSlots(t *testing.T) {
	p, err := Parse([]byte(example(t)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range p.AllKeys() {
		sb := strings.HasPrefix(k.Path, "keys.secure_boot[")
		if sb && (k.Slot < 0 || k.Slot > 2) || !sb && k.Slot != -1 {
			t.Errorf("%s: slot %d", k.Path, k.Slot)
		}
		if !sb {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("%d keys outside secure_boot, want 3", n)
	}
}
