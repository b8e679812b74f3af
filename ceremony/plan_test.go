package ceremony

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func samplePlan() *Plan {
	old := uint32(2)
	return &Plan{
		Format: PlanFormat, ID: "0007-release", Sequence: 7, Kind: "release_signing", Date: "2026-11-21",
		Policy: PolicyRef{Name: "acme-infusion", Serial: 3, Digest: "sha256:" + strings.Repeat("ab", 32)},
		Inputs: []Input{{Name: "app.bin", SHA256: "sha256:" + strings.Repeat("01", 32), Size: 4194304}},
		Release: &ReleasePlan{
			Product: "infusion-pump", Version: "2.1.0", Chip: "esp32c6",
			SecurityVersion: VersionChange{Old: &old, New: 3},
			Images: []ImageRecord{{Input: "app.bin", Kind: "app", Chip: "esp32c6", ProjectName: "infusion-pump", Version: "2.1.0",
				SecureVersion: 3, Size: 4194304, SHA256: "sha256:" + strings.Repeat("01", 32)}},
			Keys: []KeyRef{{Purpose: "secure_boot", Slot: 1, Label: "sbv2-slot1", Algorithm: "ecdsa-p256", Fingerprint: "sha256:" + strings.Repeat("cd", 32)}},
			VulnGate: &GateRecord{Verdict: "pass", FindingsReviewed: 4, FeedDigest: "sha256:" + strings.Repeat("0f", 32),
				FeedCreated: "2026-11-18T00:00:00Z", DecisionsDigest: "sha256:" + strings.Repeat("1e", 32),
				Findings: []FindingRecord{{Advisory: "GHSA-h395-qcrw-5vmq", Aliases: []string{"CVE-2020-28483"}, Component: "github.com/gin-gonic/gin@1.4.0",
					Severity: "high", State: "resolved", Responses: []string{"update"}, Detail: "fixed in 1.6.0", EnteredBy: "rm", At: "2026-11-20T10:00:00Z"}}},
		},
	}
}

// TestPlanSerialization pins the canonical bytes of a plan: field order,
// escaping and the digest are part of what custodians approve, so any
// change here is a format change.
func TestPlanSerialization(t *testing.T) {
	p := samplePlan()
	got := append(p.Canonical(), '\n')
	got = append(got, []byte(p.Digest().String()+"\n"+p.Digest().HexGroups()+"\n"+strings.Join(p.Digest().Words(), " ")+"\n")...)
	golden := filepath.Join("testdata", "plan-release.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("plan bytes changed:\n got %s\nwant %s", got, want)
	}
	back, err := ParsePlan(p.Canonical())
	if err != nil || back.Digest() != p.Digest() {
		t.Fatalf("round trip: %v", err)
	}
}

func TestParsePlanStrict(t *testing.T) {
	canon := string(samplePlan().Canonical())
	for _, tc := range []struct {
		name, in, want string
	}{
		{"unknown field", strings.Replace(canon, `"id":`, `"extra":1,"id":`, 1), `decode plan: json: unknown field "extra"`},
		{"not canonical", strings.Replace(canon, `,"id"`, `, "id"`, 1), "plan is not in canonical form"},
		{"trailing data", canon + "{}", "decode plan: data after the plan"},
		{"wrong format", strings.Replace(canon, PlanFormat, "signbox-plan/v9", 1), `plan format "signbox-plan/v9", want "signbox-plan/v2"`},
		{"bad date", strings.Replace(canon, "2026-11-21", "2026-02-30", 1), `ceremony date "2026-02-30" is not YYYY-MM-DD`},
		{"kind mismatch", strings.Replace(canon, "release_signing", "key_generation", 1), `plan of kind "key_generation" must have exactly its own section`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePlan([]byte(tc.in))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func FuzzParsePlan(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/fuzz-seeds/plan-*.json")
	if len(seeds) == 0 {
		f.Fatal("no plan seeds in testdata/fuzz-seeds")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePlan(b)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Canonical(), b) {
			t.Fatal("parsed plan does not re-encode to its bytes")
		}
	})
}

func FuzzParseEnvelope(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/fuzz-seeds/envelope-*.json")
	if len(seeds) == 0 {
		f.Fatal("no envelope seeds in testdata/fuzz-seeds")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	plan := samplePlan()
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := ParseEnvelope(b)
		if err != nil {
			return
		}
		// Counting must never panic, whatever the signatures hold.
		_ = checkPayload(env, plan, plan.Digest())
	})
}
