package publishtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Registry is a real OCI registry (Debian's docker-registry) on
// 127.0.0.1, started and stopped by scripts/registry.sh.
type Registry struct {
	t    testing.TB
	dir  string
	Addr string // HOST:PORT of the running registry
}

func script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "scripts", "registry.sh")
}

// StartRegistry starts a registry with fresh storage, stopped when t
// ends. Without docker-registry the test is skipped, or fails under
// CI=true: CI must never pass by skipping the registry.
func StartRegistry(t testing.TB) *Registry {
	t.Helper()
	if _, err := exec.LookPath("docker-registry"); err != nil && os.Getenv("SIGNBOX_REGISTRY") == "" {
		msg := "docker-registry not installed (scripts/ensure-deps.sh registry)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: a missing registry is a failure)")
		}
		t.Skip(msg)
	}
	r := &Registry{t: t, dir: t.TempDir()}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// Start (re)starts the registry on its storage; the port may change.
func (r *Registry) Start() {
	r.t.Helper()
	out, err := exec.Command(script(), "start", r.dir).Output()
	if err != nil {
		r.t.Fatalf("registry.sh start: %v", err)
	}
	r.Addr = strings.TrimSpace(string(out))
}

// Stop stops the registry; its storage stays.
func (r *Registry) Stop() {
	if err := exec.Command(script(), "stop", r.dir).Run(); err != nil {
		r.t.Errorf("registry.sh stop: %v", err)
	}
}

// URL is the destination string for repository repo.
func (r *Registry) URL(repo string) string { return "http://" + r.Addr + "/" + repo }

// Storage is the registry's storage root, for tests that tamper with it.
func (r *Registry) Storage() string { return filepath.Join(r.dir, "storage") }
