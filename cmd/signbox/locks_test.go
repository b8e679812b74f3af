package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"signbox/internal/lock"
)

// Test-only commands for locks.txtar: `signbox testonly lock-hold DIR WHAT
// READY RELEASE` locks DIR as WHAT, writes READY, and holds the lock until
// RELEASE exists; `signbox testonly wait-file FILE` waits for FILE.
func init() {
	register(&command{path: "testonly lock-hold", usage: "DIR WHAT READY RELEASE", summary: "test only: hold a directory lock",
		run: func(e *env, args []string) error {
			if len(args) != 4 {
				return usageErr("want DIR WHAT READY RELEASE")
			}
			l, err := lock.Acquire(args[0], args[1])
			if err != nil {
				return err
			}
			defer l.Release()
			if err := os.WriteFile(args[2], []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
				return err
			}
			return waitFile(args[3])
		}})
	register(&command{path: "testonly wait-file", usage: "FILE", summary: "test only: wait for a file",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want FILE")
			}
			return waitFile(args[0])
		}})
}

func waitFile(path string) error {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s did not appear", path)
}

func TestScanFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		val  string
		n    int
	}{
		{nil, "", 0},
		{[]string{"--workspace", "ws"}, "ws", 1},
		{[]string{"-workspace", "ws"}, "ws", 1},
		{[]string{"--workspace=ws"}, "ws", 1},
		{[]string{"-workspace=ws"}, "ws", 1},
		{[]string{"MEDIA", "--build-key", "k.pem", "--workspace", "ws"}, "ws", 1},
		{[]string{"--workspace"}, "", 1},
		{[]string{"--workspace=", "x"}, "", 1},
		{[]string{"--workspaces", "x", "---workspace", "y", "workspace", "z"}, "", 0},
		// Twice, or once as another flag's value: counted, then refused.
		{[]string{"--workspace", "a", "--workspace", "b"}, "b", 2},
		{[]string{"--detail", "--workspace", "--workspace", "b"}, "b", 2},
	} {
		val, n := scanFlag(tc.args, "workspace")
		if val != tc.val || n != tc.n {
			t.Errorf("scanFlag(%q) = %q, %d; want %q, %d", tc.args, val, n, tc.val, tc.n)
		}
	}
}

// TestEveryMutatingCommandLocks pins which registered commands lock what.
func TestEveryMutatingCommandLocks(t *testing.T) {
	want := map[string]*lockSpec{
		"ceremony plan": lockWorkspace, "ceremony approve": lockWorkspace, "ceremony run": lockWorkspace, "ceremony abort": lockWorkspace,
		"request import": lockWorkspace, "vuln import": lockWorkspace, "vuln triage": lockWorkspace,
		"audit export": lockWorkspace, "init": lockWorkspace, "custody restore": lockWorkspace, "open": lockWorkspace,
		"device provision": lockDevice, "device boot": lockDevice, "device install": lockDevice, "device confirm": lockDevice,
		"device reject": lockDevice, "device revoke-key": lockDevice, "device audit-export": lockDevice,
		"fleet pull": lockDevice,
	}
	for path, c := range registry {
		switch {
		case path == "demo":
			if c.locks == nil || c.locks.flag != "workspace" || c.locks.def != demoWorkspace {
				t.Errorf("demo locks %+v", c.locks)
			}
		case c.locks != want[path]:
			t.Errorf("%s locks %+v, want %+v", path, c.locks, want[path])
		}
	}
}

// signbox runs the test binary as signbox (testscript.Main put it on
// PATH) in dir.
func signboxCmd(dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command("signbox", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GORACE="+scriptGORACE(os.Getenv("GORACE"))), env...)
	return cmd
}

func mustSignbox(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := signboxCmd(dir, env, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("signbox %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

type outcome struct {
	pid      int
	ok       bool
	stderr   string
	heldBy   int // the PID a refusal names
	heldWhat string
}

var inUse = regexp.MustCompile(`^signbox: [a-z -]+: (workspace|device) \S+ is in use by PID ([0-9]+) \((signbox [a-z -]+)\)\nhint: nothing was changed`)

// parallel starts one signbox process per argument list at once and
// sorts each result into done or refused-because-locked; anything else
// fails the test.
func parallel(t *testing.T, dir string, env []string, argv [][]string) []outcome {
	t.Helper()
	res := make([]outcome, len(argv))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, args := range argv {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var errb bytes.Buffer
			cmd := signboxCmd(dir, env, args...)
			cmd.Stderr = &errb
			<-start
			err := cmd.Start()
			if err != nil {
				res[i].stderr = err.Error()
				return
			}
			res[i].pid = cmd.Process.Pid
			err = cmd.Wait()
			res[i].ok, res[i].stderr = err == nil, errb.String()
			if m := inUse.FindStringSubmatch(res[i].stderr); !res[i].ok && m != nil {
				res[i].heldBy, _ = strconv.Atoi(m[2])
				res[i].heldWhat = m[3]
			}
		}()
	}
	close(start)
	wg.Wait()
	pids := map[int]bool{}
	for _, r := range res {
		pids[r.pid] = true
	}
	for i, r := range res {
		switch {
		case r.ok:
		case r.heldBy != 0:
			// The holder is a sibling: the same command on the same
			// directory, and never the refused process itself.
			if !pids[r.heldBy] || r.heldBy == r.pid {
				t.Errorf("%q refused by PID %d, not a sibling", argv[i], r.heldBy)
			}
		default:
			t.Errorf("%q failed other than by the lock:\n%s", argv[i], r.stderr)
		}
	}
	return res
}

// TestParallelTriage: eight `vuln triage` decisions on one workspace at
// once. Without the lock each reads the decisions file, adds its own and
// replaces the file, so concurrent ones lose each other's decisions. With
// it every invocation either records its decision, which is then kept, or
// fails at once naming a sibling's PID; retried one by one, all eight end
// up recorded.
func TestParallelTriage(t *testing.T) {
	dir := t.TempDir()
	mustSignbox(t, dir, nil, "testonly", "ceremony-fixture", dir, "planned")
	env := []string{"SOFTHSM2_CONF=" + filepath.Join(dir, "hsm", "softhsm2.conf"), "OP=pin-operator"}
	const n = 8
	argv := make([][]string, n)
	for i := range argv {
		argv[i] = []string{"vuln", "triage", "--workspace", "ws", "--vuln", fmt.Sprintf("CVE-2026-%d", 1000+i),
			"--component", "Go/example.com/a@1.0.0", "--state", "in_triage", "--at", "2026-09-01T10:00:00Z",
			"--operator-pin-env", "OP"}
	}
	res := parallel(t, dir, env, argv)
	recorded := func() map[string]bool {
		b, err := os.ReadFile(filepath.Join(dir, "ws", "vuln", "triage", "vex-decisions.json"))
		if err != nil {
			t.Fatal(err)
		}
		var f struct{ Decisions []struct{ Vuln string } }
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, d := range f.Decisions {
			m[d.Vuln] = true
		}
		return m
	}
	got, ok := recorded(), 0
	for i, r := range res {
		if r.ok {
			ok++
			if !got[argv[i][5]] {
				t.Errorf("%s was recorded, then lost", argv[i][5])
			}
		} else if r.heldWhat != "signbox vuln triage" {
			t.Errorf("refused by %q", r.heldWhat)
		}
	}
	if len(got) != ok {
		t.Fatalf("%d decisions kept, %d invocations succeeded", len(got), ok)
	}
	t.Logf("%d of %d recorded at once, %d refused while a sibling held the workspace", ok, n, n-ok)
	for i, r := range res {
		if !r.ok {
			mustSignbox(t, dir, env, argv[i]...)
		}
	}
	if got := recorded(); len(got) != n {
		t.Fatalf("after the retries %d decisions, want %d", len(got), n)
	}
}

// TestParallelApprovals: the three custodians approve one key-generation
// ceremony at the same moment, each with their own SoftHSM token. Each
// approval reads the approvals envelope, adds a signature and replaces it;
// with the workspace lock every approval that succeeds is in the
// envelope, the others fail at once naming a sibling's PID, and retried
// they complete the ceremony's approvals.
func TestParallelApprovals(t *testing.T) {
	dir := t.TempDir()
	mustSignbox(t, dir, nil, "testonly", "ceremony-fixture", dir, "planned")
	env := []string{"SOFTHSM2_CONF=" + filepath.Join(dir, "hsm", "softhsm2.conf"), "OP=pin-operator"}
	mustSignbox(t, dir, env, "ceremony", "plan", "--workspace", "ws", "--date", "2026-11-20", "--kind", "key-generation", "--operator-pin-env", "OP")
	names := []string{"alice", "bob", "carol"}
	argv := make([][]string, len(names))
	for i, who := range names {
		env = append(env, "PIN_"+strings.ToUpper(who)+"=pin-"+who)
		argv[i] = []string{"ceremony", "approve", "--workspace", "ws", "--id", "0001-keygen", "--custodian", who,
			"--token", "pkcs11:token=" + who + "?module-path=" + filepath.Join(dir, "libsofthsm2.so"), "--pin-env", "PIN_" + strings.ToUpper(who),
			"--operator-pin-env", "OP"}
	}
	res := parallel(t, dir, env, argv)
	show := func() string {
		return mustSignbox(t, dir, env, "ceremony", "show", "--workspace", "ws", "--id", "0001-keygen")
	}
	out, ok := show(), 0
	for i, r := range res {
		approved := regexp.MustCompile(`(?m)^\s*approved\s+` + names[i] + ` `).MatchString(out)
		switch {
		case r.ok:
			ok++
			if !approved {
				t.Errorf("%s's approval succeeded, then was lost:\n%s", names[i], out)
			}
		case approved:
			t.Errorf("%s was refused, yet approved:\n%s", names[i], out)
		case r.heldWhat != "signbox ceremony approve":
			t.Errorf("refused by %q", r.heldWhat)
		}
	}
	if got := strings.Count(out, "approved  "); got != ok {
		t.Fatalf("%d approvals kept, %d succeeded:\n%s", got, ok, out)
	}
	t.Logf("%d of 3 approved at once, %d refused while a sibling held the workspace", ok, 3-ok)
	for i, r := range res {
		if !r.ok {
			mustSignbox(t, dir, env, argv[i]...)
		}
	}
	if out := show(); strings.Count(out, "approved  ") != 3 {
		t.Fatalf("after the retries:\n%s", out)
	}
}

// TestLockRefusalNamesHolder: a workspace held by this test process is
// refused by a signbox process with this process's PID, exit status 1,
// and nothing is written.
func TestLockRefusalNamesHolder(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	if err := os.Mkdir(ws, 0o700); err != nil {
		t.Fatal(err)
	}
	l, err := lock.Acquire(ws, "signbox ceremony approve")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	var errb bytes.Buffer
	cmd := signboxCmd(dir, nil, "vuln", "triage", "--workspace=ws", "--vuln", "CVE-1", "--component", "Go/x@1",
		"--state", "in_triage", "--at", "2026-09-01T10:00:00Z")
	cmd.Stderr = &errb
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v", err)
	}
	want := fmt.Sprintf("signbox: vuln triage: workspace ws is in use by PID %d (signbox ceremony approve)\n", os.Getpid())
	if !strings.HasPrefix(errb.String(), want) {
		t.Fatalf("stderr %q, want %q", errb.String(), want)
	}
	if ents, _ := os.ReadDir(ws); len(ents) != 1 {
		t.Fatalf("workspace holds %v", ents)
	}
}
