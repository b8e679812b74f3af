// Package demotest makes demo workspaces for other packages' tests: real
// SoftHSM tokens, a quorum-held appliance, the factory release, the
// provisioned emulated device.
package demotest

import (
	"path/filepath"
	"testing"
	"time"

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
