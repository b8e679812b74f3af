package emu

import (
	"errors"
	"fmt"
	"testing"
)

// A state x operation x fault table in the style of Mender's state_test.cc:
// each operation runs in each device state either cleanly, with its own
// refusal, or with power cut before its first write, torn in its middle
// write, or cut at its last write; then the device is reset twice and must
// boot the expected app with the expected eFuse floor.
//
// States: A = 1.0.0 confirmed in ota_0 (floor 1); B = 2.0.0 on trial in
// ota_1 (PENDING_VERIFY, floor 1); C = 2.0.0 confirmed (floor 2).

type faultCell struct {
	state, op, fault string
	wantErr          error  // from the operation, for fault "none"
	boot1, boot2     string // app version after the first and second reset
	floor            int    // eFuse secure version after the second reset
}

var faultTable = []faultCell{
	{"A", "install 3.0.0", "none", nil, "3.0.0", "1.0.0", 1},
	{"A", "install 3.0.0", "cut-first", nil, "1.0.0", "1.0.0", 1},
	{"A", "install 3.0.0", "torn-middle", nil, "1.0.0", "1.0.0", 1},
	{"A", "install 3.0.0", "cut-last", nil, "1.0.0", "1.0.0", 1},
	{"A", "install unsigned", "none", ErrSignature, "1.0.0", "1.0.0", 1},
	{"B", "install 3.0.0", "none", ErrUnconfirmed, "1.0.0", "1.0.0", 1},
	{"C", "install 3.0.0", "none", nil, "3.0.0", "2.0.0", 2},
	{"C", "install 3.0.0", "torn-middle", nil, "2.0.0", "2.0.0", 2},
	{"C", "install 1.0.0", "none", ErrDowngrade, "2.0.0", "2.0.0", 2},

	{"A", "boot", "none", nil, "1.0.0", "1.0.0", 1},
	{"B", "boot", "none", nil, "1.0.0", "1.0.0", 1},
	{"B", "boot", "cut-first", nil, "1.0.0", "1.0.0", 1},
	{"B", "boot", "torn-middle", nil, "1.0.0", "1.0.0", 1},
	{"B", "boot", "cut-last", nil, "1.0.0", "1.0.0", 1},
	{"C", "boot", "none", nil, "2.0.0", "2.0.0", 2},

	{"A", "confirm", "none", nil, "1.0.0", "1.0.0", 1},
	{"B", "confirm", "none", nil, "2.0.0", "2.0.0", 2},
	{"B", "confirm", "cut-first", nil, "1.0.0", "1.0.0", 1},
	{"B", "confirm", "torn-middle", nil, "1.0.0", "1.0.0", 1},
	{"B", "confirm", "torn-last", nil, "2.0.0", "2.0.0", 2}, // VALID written, burn torn: the bootloader finishes it
	{"B", "confirm", "cut-last", nil, "2.0.0", "2.0.0", 2},
	{"A", "confirm after power cut", "none", ErrNotRunning, "1.0.0", "1.0.0", 1},

	{"B", "reject", "none", nil, "1.0.0", "1.0.0", 1},
	{"B", "reject", "cut-first", nil, "1.0.0", "1.0.0", 1},
	{"B", "reject", "torn-middle", nil, "1.0.0", "1.0.0", 1},
	{"B", "reject", "cut-last", nil, "1.0.0", "1.0.0", 1},
	{"A", "reject", "none", ErrRollbackImpossible, "1.0.0", "1.0.0", 1},
	{"C", "reject", "none", ErrRollbackImpossible, "2.0.0", "2.0.0", 2},

	{"A", "revoke key 2", "none", nil, "1.0.0", "1.0.0", 1},
	{"A", "revoke key 2", "cut-first", nil, "1.0.0", "1.0.0", 1},
	{"A", "revoke key 0", "none", ErrRevokeUnsafe, "1.0.0", "1.0.0", 1},
	{"B", "revoke key 2", "none", ErrRevokeUnsafe, "1.0.0", "1.0.0", 1},
	{"C", "revoke key 2", "none", nil, "2.0.0", "2.0.0", 2},
}

func faultStates(t testing.TB) map[string]func() *Device {
	v2 := app(t, 2, "2.0.0")
	trial := func() *Device {
		d := booted(t)
		if _, err := d.Install(AppImage(v2)); err != nil {
			t.Fatal(err)
		}
		mustBoot(t, d, 1)
		return d
	}
	return map[string]func() *Device{
		"A": func() *Device { return booted(t) },
		"B": trial,
		"C": func() *Device {
			d := trial()
			if _, err := d.Confirm(); err != nil {
				t.Fatal(err)
			}
			return d
		},
	}
}

func faultOps(t testing.TB) map[string]func(d *Device) error {
	v3, v1, unsigned := app(t, 3, "3.0.0"), app(t, 1, "1.0.0"), build(t, img{kind: 1, sv: 3})
	install := func(b []byte) func(d *Device) error {
		return func(d *Device) error { _, err := d.Install(AppImage(b)); return err }
	}
	revoke := func(n int) func(d *Device) error {
		return func(d *Device) error { _, err := d.RevokeKey(n); return err }
	}
	return map[string]func(d *Device) error{
		"install 3.0.0":    install(v3),
		"install 1.0.0":    install(v1),
		"install unsigned": install(unsigned),
		"boot":             func(d *Device) error { _, err := d.Boot(); return err },
		"confirm":          func(d *Device) error { _, err := d.Confirm(); return err },
		"confirm after power cut": func(d *Device) error {
			d.power.off, d.running = true, -1 // what a cut leaves; the next boot recovers
			_, err := d.Confirm()
			return err
		},
		"reject":       func(d *Device) error { _, err := d.Reject(); return err },
		"revoke key 0": revoke(0),
		"revoke key 2": revoke(2),
	}
}

func TestStateFaultTable(t *testing.T) {
	states, ops := faultStates(t), faultOps(t)
	for _, c := range faultTable {
		t.Run(fmt.Sprintf("%s/%s/%s", c.state, c.op, c.fault), func(t *testing.T) {
			d := states[c.state]()
			op := ops[c.op]
			if err := applyFault(d, op, c.fault); c.fault == "none" && !errors.Is(err, c.wantErr) {
				t.Fatalf("operation: %v, want %v", err, c.wantErr)
			} else if c.fault != "none" && !errors.Is(err, ErrPowerCut) {
				t.Fatalf("operation under %s: %v, want a power cut", c.fault, err)
			}
			d.Power().Disarm()
			for i, want := range []string{c.boot1, c.boot2} {
				tr, err := d.Boot()
				if err != nil || tr.App.Version != want {
					t.Fatalf("reset %d: booted %q (%v), want %s\n%s", i+1, tr.App.Version, err, want, tr)
				}
			}
			if got := d.EFuses().SecureVersion(); got != c.floor {
				t.Fatalf("eFuse secure version %d, want %d", got, c.floor)
			}
		})
	}
}

// applyFault runs op under fault; the cut points come from counting the
// operation's writes on a clone.
func applyFault(d *Device, op func(*Device) error, fault string) error {
	if fault == "none" {
		return op(d)
	}
	probe := d.Clone()
	start := probe.Power().Writes()
	if err := op(probe); err != nil {
		return fmt.Errorf("clean run failed: %w", err)
	}
	n := probe.Power().Writes() - start
	if n == 0 {
		return errors.New("operation makes no writes; a cut cannot hit it")
	}
	switch fault {
	case "cut-first":
		d.Power().CutAt(1, false)
	case "torn-middle":
		d.Power().CutAt((n+1)/2, true)
	case "torn-last":
		d.Power().CutAt(n, true)
	case "cut-last":
		d.Power().CutAt(n, false)
	default:
		return fmt.Errorf("unknown fault %q", fault)
	}
	return op(d)
}
