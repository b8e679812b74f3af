package ceremony

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"signbox/device/esp"
)

// TestLifecycle runs every ceremony kind over real SoftHSM tokens: key
// generation, a policy change pinning the keys, a release, a revocation,
// and a release after it; the signed images are checked with the device
// verifier against the eFuse digests the profile says to burn.
func TestLifecycle(t *testing.T) {
	f := newFixture(t)
	f.bootstrap()

	// The key generation profile lists a digest per slot.
	var prof Profile
	readJSONFile(t, f.ws.ceremonyDir("0001-keygen")+"/out/profile.json", &prof)
	if len(prof.Slots) != 3 {
		t.Fatalf("profile has %d slots", len(prof.Slots))
	}
	var digests [3][32]byte
	for _, sl := range prof.Slots {
		b, _ := hex.DecodeString(sl.KeyDigest)
		copy(digests[sl.Slot][:], b)
	}
	pol, err := f.ws.Policy()
	if err != nil || pol.Serial != 2 {
		t.Fatalf("policy after change: serial %v, %v", pol, err)
	}

	in := images(t, t.TempDir(), 64<<10)
	rel, err := f.ws.PlanRelease(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := rel.Plan().Release.SecurityVersion.String(); got != "none → 1" {
		t.Errorf("security version shown as %q", got)
	}
	f.run(rel, "alice", "carol")
	if len(rel.SignedApprovals()) != 2 || len(rel.Outputs()) != 5 {
		t.Fatalf("release record: %v approvals, outputs %v", rel.SignedApprovals(), rel.Outputs())
	}
	app := readFile2(t, rel.OutputPath(OutputApp))
	v, err := esp.VerifyDigests(app, digests, [3]bool{})
	if err != nil || v.SecureVersion() != 1 {
		t.Fatalf("device check of released app: %v (sv %d)", err, v.SecureVersion())
	}
	// Signing appended the signature sector and changed nothing else.
	built := readFile2(t, in.App)
	if !bytes.Equal(app[:len(built)], built) {
		t.Fatal("the signed app is not the app as built")
	}
	if err := esp.CheckAppended(built, app); err != nil {
		t.Fatal(err)
	}
	sec, _ := esp.ParseImage(app)
	if s, _ := sec.Signatures(); len(s.Blocks) != 3 {
		t.Fatalf("release has %d blocks, want 3", len(s.Blocks))
	}

	// A lower security version is refused at planning.
	down := in
	down.SecurityVersion = 0
	if _, err := f.ws.PlanRelease(down); !errors.Is(err, ErrSecurityVersion) {
		t.Fatalf("lower security version: %v", err)
	}

	rev, err := f.ws.PlanRevocation(RevocationInputs{Date: "2026-11-22", Slot: 0, Reason: "test compromise"})
	if err != nil {
		t.Fatal(err)
	}
	f.run(rev, "bob", "carol")

	inv, err := f.ws.KeyInventory()
	if err != nil || inv[0].Status != "revoked" || inv[0].RevokedBy != rev.ID() || inv[1].Status != "active" {
		t.Fatalf("inventory after revocation: %+v, %v", inv[:2], err)
	}

	in2 := images(t, t.TempDir(), 64<<10)
	in2.SecurityVersion, in2.Version, in2.Date = 2, "1.1.0", "2026-11-23"
	in2 = rebuildApp(t, in2, 64<<10)
	rel2, err := f.ws.PlanRelease(in2)
	if err != nil {
		t.Fatal(err)
	}
	if got := rel2.Plan().Release.SecurityVersion.String(); got != "1 → 2" {
		t.Errorf("security version shown as %q", got)
	}
	if n := len(rel2.Plan().Release.Keys); n != 2 {
		t.Fatalf("release after revocation signs with %d keys, want 2", n)
	}
	f.run(rel2, "alice", "bob")
	app2 := readFile2(t, rel2.outPath(OutputApp))
	if _, err := esp.VerifyDigests(app2, digests, [3]bool{true, false, false}); err != nil {
		t.Fatalf("device with slot 0 revoked rejects the new release: %v", err)
	}
	if _, err := esp.Verify(app2, mustPub(t, f, "sbv2-slot0")); err == nil {
		t.Fatal("new release is still signed by the revoked key")
	}
	vs, _ := f.ws.Versions()
	if vs.Products["pump"].SecurityVersion != 2 {
		t.Fatalf("versions.json %+v", vs)
	}
}

func readJSONFile(t testing.TB, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(readFile2(t, path), v); err != nil {
		t.Fatal(err)
	}
}

func readFile2(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type eventLog struct{ events []Event }

func (l *eventLog) Record(e Event) error { l.events = append(l.events, e); return nil }

// TestRecorder: every step of a release reaches the recorder, in order.
func TestRecorder(t *testing.T) {
	f := newFixture(t)
	f.bootstrap()
	var log eventLog
	f.ws.SetRecorder(&log)
	s, err := f.ws.PlanRelease(images(t, t.TempDir(), 32<<10))
	if err != nil {
		t.Fatal(err)
	}
	f.run(s, "alice", "bob")
	var steps []string
	for _, e := range log.events {
		if e.Ceremony != s.ID() || e.PlanDigest != s.Digest().String() {
			t.Fatalf("event for %s %s", e.Ceremony, e.PlanDigest)
		}
		steps = append(steps, e.Step)
	}
	want := "planned approved approved inputs verified policy evaluated quorum reached signing signed verified exported"
	if got := strings.Join(steps, " "); got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	if log.events[1].Fields[0] != [2]string{"custodian", "alice"} {
		t.Fatalf("approval event %v", log.events[1].Fields)
	}
}
