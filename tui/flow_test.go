package tui

import (
	"bytes"
	"testing"
)

// walkRelease drives the whole release ceremony on h, checking each screen.
func walkRelease(t *testing.T, h *harness) {
	t.Helper()
	h.mustSee("step 1 of 8 · Import media")
	h.keys("enter")
	h.mustSee("Review the request")
	h.mustSee("2 -> 3")
	h.keys("enter")
	h.mustSee("Vulnerability triage")
	h.mustSee("Gate: CLOSED")
	// First finding: not_affected, code_not_reachable.
	h.keys("enter", "tab", "right", "right", "tab", "tab")
	h.keys("TLS 1.3 is disabled in sdkconfig")
	h.keys("enter")
	h.mustSee("not_affected")
	// Second finding: exploitable with update response.
	h.keys("down", "enter", "right", "tab", "tab", "right", "right", "right", "tab")
	h.keys("Fixed by lwip 2.2.0 in the next release")
	h.keys("enter")
	h.mustSee("Gate: OPEN")
	h.keys("c")
	h.mustSee("Plan review")
	h.mustSee("3b7e 1f0a 9c2d 4e6f")
	h.keys("readplan")
	h.mustSee("Approvals 0 of 2")
	// alice, her token, PIN.
	h.keys("enter", "enter", "1", "2", "3", "4", "enter")
	h.mustSee("Approvals 1 of 2")
	h.keys("down", "enter", "enter", "1", "2", "3", "4", "enter")
	h.mustSee("Quorum reached.")
	h.keys("c")
	h.mustSee("Sign the release now?")
	h.keys("y")
	h.mustSee("Done.")
	h.keys("enter")
	h.mustSee("All checks passed.")
	h.keys("enter")
	h.mustSee("Media path: /media/usb")
	h.keys("enter")
	h.mustSee("Press y to write")
	h.keys("y")
	h.mustSee("Ceremony complete.")
	h.mustSee("/media/usb/infusion-pump-1.4.0")
}

func TestReleaseFlowSynchronous(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkRelease(t, h)
	for i, pin := range h.eng.PINs() {
		if !bytes.Equal(pin, make([]byte, len(pin))) {
			t.Errorf("PIN %d handed to Approve was not zeroed: %q", i, pin)
		}
	}
	h.keys("d")
	h.mustSee("Device rehearsal")
	h.keys("enter")
	h.mustSee("PENDING_VERIFY")
	h.keys("c")
	h.mustSee("Press y to confirm")
	h.keys("y")
	h.mustSee("State   VALID")
	h.mustSee("eFuse secure version 3")
}

func TestKeyCeremonyFlows(t *testing.T) {
	for _, tc := range []struct {
		name   string
		choose []string
		pick   []string
		header string
		verb   string
	}{
		{"keygen", []string{"down"}, nil, "Key generation · step 1 of 6", "Generate keys now?"},
		{"revocation", []string{"down", "down"}, []string{"down"}, "Key revocation · step 1 of 6", "Revoke the key now?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, ScreenHome)
			h.keys("enter")
			h.keys(tc.choose...)
			h.keys("enter")
			h.mustSee(tc.header)
			h.keys(tc.pick...)
			h.keys("enter")
			h.mustSee("step 2 of 6 · Plan review")
			h.keys("readplan", "enter", "enter", "1", "2", "3", "4", "enter", "down", "enter", "enter", "1", "2", "3", "4", "enter", "c")
			h.mustSee(tc.verb)
			h.keys("y", "enter", "enter", "enter", "y")
			h.mustSee("Ceremony complete.")
		})
	}
}

func TestPolicyChangeFlow(t *testing.T) {
	h := newHarness(t, ScreenHome)
	h.keys("enter", "down", "down", "down", "enter")
	h.mustSee("Policy change is not available")

	h = newHarness(t, ScreenHome)
	h.eng.PolicyAvailable = true
	h.keys("enter", "down", "down", "down", "enter")
	h.mustSee("Policy change · step 1 of 7 · Import the proposed policy")
	h.keys("enter")
	h.mustSee("quorum.release: 2 -> 3")
	h.keys("enter")
	h.mustSee("step 3 of 7 · Plan review")
	h.keys("readplan", "enter", "enter", "1", "2", "3", "4", "enter", "down", "enter", "enter", "1", "2", "3", "4", "enter", "c")
	h.mustSee("Adopt the new policy now?")
	h.keys("y", "enter", "enter", "enter", "y")
	h.mustSee("Ceremony complete.")
}
