// Package demotest makes demo workspaces for other packages' tests: real
// SoftHSM tokens, a quorum-held appliance, the factory release, the
// provisioned emulated device.
package demotest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"signbox/audit"
	"signbox/demo"
	"signbox/hsm/hsmtest"
	"signbox/hsm/softhsm"
)

// Workspace sets up a demo workspace for the ceremony date in a fresh
// temporary directory. SoftHSM reads SOFTHSM2_CONF once per process, so a
// test binary calls it once and its tests share the workspace.
func Workspace(t testing.TB, date string, now func() time.Time) *demo.Demo {
	t.Helper()
	hsmtest.Require(t)
	root := filepath.Join(t.TempDir(), "ws")
	t.Setenv("SOFTHSM2_CONF", demo.Layout{Root: root}.ConfPath())
	d, err := demo.Setup(demo.Options{Root: root, Module: softhsm.DefaultModule, Date: date, Now: now})
	if err != nil {
		t.Fatalf("demo workspace: %v", err)
	}
	return d
}

// Entries lists the demo appliance's audit entries of typ whose payload
// has every key=value in want (the value as a substring).
func Entries(t testing.TB, d *demo.Demo, typ audit.Type, want ...string) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	err := audit.Walk(filepath.Join(d.Root, "audit"), func(e audit.Entry) error {
		if e.Type == typ && hasFields(e.Payload, want) {
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	return out
}

func hasFields(payload []byte, want []string) bool {
	for _, kv := range want {
		k, v, _ := strings.Cut(kv, "=")
		if got, ok := audit.Field(payload, k); !ok || !strings.Contains(got, v) {
			return false
		}
	}
	return true
}
