package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"signbox/appliance"
	"signbox/bundle"
	"signbox/demo"
	"signbox/hsm/hsmtest"
	"signbox/policy"

	"github.com/charmbracelet/x/exp/teatest"
)

// demoMade: the demo's release request is signed once per process.
var demoMade atomic.Bool

// session waits on what the program drew since the last key, not just
// since the last wait: one frame often carries two things a step waits
// for (the last decision and the open gate), and teatest's reader hands
// each byte out once.
type session struct {
	t     *testing.T
	tm    *teatest.TestModel
	since []byte // output read since the last key
}

func (s *session) press(keys ...string) { s.since = nil; press(s.tm, keys...) }

func (s *session) typ(text string) { s.since = nil; s.tm.Type(text) }

func (s *session) wait(want string) {
	s.t.Helper()
	var read []byte
	teatest.WaitFor(s.t, s.tm.Output(), func(b []byte) bool {
		read = b
		return bytes.Contains(s.since, []byte(want)) || bytes.Contains(append(s.since[:len(s.since):len(s.since)], b...), []byte(want))
	}, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	s.since = append(s.since, read...)
}

// shared is the one SoftHSM demo a test process may hold: SoftHSM reads
// SOFTHSM2_CONF once per process, so every real-engine test makes its
// tokens in this demo's token directory. TestMain removes it.
var shared struct {
	once sync.Once
	root string
	d    *demo.Demo
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.root != "" {
		os.RemoveAll(shared.root)
	}
	os.Exit(code)
}

// sharedDemo sets up the `signbox demo` workspace on real SoftHSM tokens
// once per process.
func sharedDemo(t *testing.T) *demo.Demo {
	t.Helper()
	hsmtest.Require(t)
	shared.once.Do(func() {
		if shared.root, shared.err = os.MkdirTemp("", "signbox-tui-"); shared.err != nil {
			return
		}
		root := filepath.Join(shared.root, "demo")
		if shared.err = os.Setenv("SOFTHSM2_CONF", demo.Layout{Root: root}.ConfPath()); shared.err != nil {
			return
		}
		now := func() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) }
		shared.d, shared.err = demo.Setup(demo.Options{Root: root, Module: hsmtest.Module(), Date: "2026-11-21", Now: now})
	})
	if shared.err != nil {
		t.Fatalf("demo setup: %v", shared.err)
	}
	return shared.d
}

// realDemo opens the shared demo's appliance, as cmd/signbox does before
// starting the TUI. Its release ceremony consumes the demo's request, so
// one test per process walks it.
func realDemo(t *testing.T) (*demo.Demo, *appliance.Appliance) {
	t.Helper()
	hsmtest.Require(t)
	if !demoMade.CompareAndSwap(false, true) {
		t.Skip("the demo's release is walked once per test process; run without -count > 1")
	}
	d := sharedDemo(t)
	now := func() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) }
	a, err := d.Appliance(now, "release manager")
	if err != nil {
		t.Fatalf("open the demo appliance: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close appliance: %v", err)
		}
	})
	return d, a
}

// TestTeaReleaseOnRealEngine walks the demo's release ceremony through a
// real bubbletea program against the real appliance engine over SoftHSM,
// the way a custodian would at 80×24: import, review, decide the three
// findings the release manager left open, read the plan, approve as alice
// and bob with their PINs, sign, verify, export. Between the two
// approvals signbox is quit (ctrl+c, keep) and the appliance restarted:
// the ceremony is resumed from the home screen and alice presents her
// share again. The bundle on the media must then verify with the release
// key alone, and the emulated device must boot it.
func TestTeaReleaseOnRealEngine(t *testing.T) {
	d, a := realDemo(t)
	eng := appliance.Engine{A: a}
	opts := Options{Date: "2026-11-21", MediaPath: d.Request(), ExportPath: d.Out(), Operator: "release manager",
		NoColor: true, Start: ScreenRelease, SpinAfter: SpinAfter}
	tm := teatest.NewTestModel(t, New(eng, opts), teatest.WithInitialTermSize(80, 24))
	ui := &session{t: t, tm: tm}

	ui.wait("Import media")
	ui.press("enter")
	ui.wait("Security version")
	ui.press("enter")
	ui.wait("58 findings, 55 decided, 3 to decide")
	for _, next := range []string{"56 decided", "57 decided", "58 decided"} {
		// The cursor sits on the first undecided finding.
		ui.press("enter")
		ui.wait("Entered by")
		ui.press("tab", "right", "tab", "tab")
		ui.typ("custodian review: the affected function is never called")
		ui.press("enter")
		ui.wait(next)
	}
	ui.wait("Gate: OPEN")
	ui.press("c")
	ui.wait("Plan digest")
	ui.press("enter") // refused until every page was shown
	ui.wait("have not been shown")
	for range 120 {
		ui.press("pgdown")
	}
	ui.wait("Every page shown")
	ui.press("enter")
	ui.wait("Approvals 0 of 2")
	approve := func(ui *session, who, done string) {
		ui.press("enter")
		ui.wait(who + ": choose your token")
		ui.press("enter")
		ui.wait("PIN:")
		ui.typ(string(demo.PIN(who)))
		ui.press("enter")
		ui.wait(done)
	}
	approve(ui, "alice", "alice approved the plan")

	// Kill mid-approval: ctrl+c, keep it. The appliance restarts: alice's
	// approval is on disk, her share died with the process.
	ui.press("ctrl+c")
	ui.wait("the plan and its 1 approval stay on disk")
	ui.press("k")
	first := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(model)
	if !first.quitting {
		t.Fatal("ctrl+c, k did not quit")
	}
	request := first.fl.request // the resumed flow starts at Approvals, without it
	if err := a.Close(); err != nil {
		t.Fatalf("close appliance: %v", err)
	}
	a, err := d.Appliance(func() time.Time { return time.Date(2026, 11, 21, 9, 45, 0, 0, time.UTC) }, "release manager")
	if err != nil {
		t.Fatalf("reopen the demo appliance: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close appliance: %v", err)
		}
	})
	eng = appliance.Engine{A: a}
	opts.Start = ScreenHome
	tm = teatest.NewTestModel(t, New(eng, opts), teatest.WithInitialTermSize(80, 24))
	ui = &session{t: t, tm: tm}
	ui.wait("Unfinished ceremonies (1)")
	ui.press("u")
	ui.wait("planned   1 of 2 approvals")
	ui.press("enter")
	ui.wait("share needed")
	approve(ui, "alice", "alice presented their share")
	ui.press("down")
	approve(ui, "bob", "bob approved the plan")
	ui.wait("Quorum reached")
	ui.press("c")
	ui.wait("Sign the release now?")
	ui.press("y")
	ui.wait("Every step completed")
	ui.press("enter")
	ui.wait("All checks passed")
	ui.press("enter")
	ui.wait("Media path:")
	ui.press("enter")
	ui.wait("Press y to write")
	ui.press("y")
	ui.wait("Ceremony complete")
	ui.wait("Audit checkpoint")
	ui.press("ctrl+c")

	fm, ok := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(model)
	if !ok {
		t.Fatalf("final model is %T", fm)
	}
	fl := fm.fl
	if fl.step() != stDone || !fl.executed {
		t.Fatalf("ceremony did not finish: step %v executed %v", fl.step(), fl.executed)
	}
	if fl.plan.Quorum.Need != 2 || len(fl.plan.Digest) != 64 {
		t.Errorf("plan = %+v, want a 2-of-N quorum and a SHA-256 digest", fl.plan)
	}
	if request.Version != demo.NextVersion || request.SecurityVersionNew != 2 {
		t.Errorf("request = %s security version %d", request.Version, request.SecurityVersionNew)
	}
	if fl.plan.ID != first.fl.plan.ID {
		t.Errorf("resumed plan %s, kept plan %s", fl.plan.ID, first.fl.plan.ID)
	}
	x := fl.export
	if !strings.HasPrefix(x.BundlePath, d.Out()+string(os.PathSeparator)) || fm.lastBundle != x.BundlePath {
		t.Errorf("bundle %q (rehearsal would use %q), want one under the outbound media %s, never the inbound request", x.BundlePath, fm.lastBundle, d.Out())
	}
	if !strings.Contains(x.Checkpoint, "\n\n— ") {
		t.Errorf("audit checkpoint is not a signed note:\n%s", x.Checkpoint)
	}

	checkBundle(t, d, x.BundlePath, x.BundleDigest)
	checkAfterCeremony(t, eng, request.ID, fl.plan.ID, x.BundlePath)
}

// checkBundle verifies the exported bundle with nothing but the release
// public key from the media, as a device team would.
func checkBundle(t *testing.T, d *demo.Demo, path, digest string) {
	t.Helper()
	pemKey, err := os.ReadFile(d.ReleaseKey())
	if err != nil {
		t.Fatal(err)
	}
	key, err := policy.ParsePublicKeyPEM(string(pemKey))
	if err != nil {
		t.Fatal(err)
	}
	res, err := bundle.Verify(path, key, bundle.VerifyOptions{Product: demo.Product, MinSecurityVersion: 2})
	if err != nil {
		t.Fatalf("bundle.Verify(%s): %v", path, err)
	}
	if res.ManifestSHA256 != digest || !res.ProductChecked || !res.ReplayChecked || len(res.Images) != 2 {
		t.Errorf("bundle result = %+v, want manifest %s, product and replay checked, 2 images", res, digest)
	}
}

// checkAfterCeremony asks the engine what the TUI left behind: every
// finding decided, alice's and bob's approvals, an intact audit log, and a bundle the device boots.
func checkAfterCeremony(t *testing.T, eng appliance.Engine, requestID, planID, bundlePath string) {
	t.Helper()
	ctx := context.Background()
	cs, err := eng.Custodians(ctx, planID)
	if err != nil {
		t.Fatal(err)
	}
	var approved []string
	for _, c := range cs {
		if c.Approved {
			approved = append(approved, c.Name)
		}
	}
	if strings.Join(approved, ",") != "alice,bob" {
		t.Errorf("approved by %v, want alice and bob", approved)
	}
	tr, err := eng.Triage(ctx, requestID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range tr.Findings {
		if f.Decision == nil {
			t.Errorf("finding %s left undecided", f.ID)
		}
	}
	log, err := eng.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if log.Verdict != "ok" {
		t.Errorf("audit log verdict %q, want ok", log.Verdict)
	}
	r, err := eng.Rehearse(ctx, bundlePath)
	if err != nil {
		t.Fatalf("rehearsal: %v", err)
	}
	if r.State != "PENDING_VERIFY" || !strings.Contains(r.Running, demo.NextVersion) {
		t.Errorf("device after install: %s running %s\n%s", r.State, r.Running, strings.Join(r.Trace, "\n"))
	}
}
