package tui

import (
	"context"
	"strings"
	"testing"

	"signbox/tui/api"

	tea "github.com/charmbracelet/bubbletea"
)

// fakeGenesis records the PINs Run saw and fails with a wrong PIN once.
type fakeGenesis struct {
	failFirst bool
	runs      int
	saw       map[string]string
}

func (f *fakeGenesis) Plan() api.GenesisPlan {
	return api.GenesisPlan{Workspace: "/srv/ws", Module: "/usr/lib/softhsm/libsofthsm2.so", ApplianceLabel: "appliance",
		AuditToken: "pkcs11:token=audit", Date: "2026-11-20", Policy: "acme", Serial: 1, Threshold: 2,
		Keys: []api.GenesisKey{{Label: "sbv2-slot0", Algorithm: "ecdsa-p256", Token: "appliance", Backup: true}},
		Founders: []api.Founder{
			{Name: "alice", Token: "pkcs11:token=alice", ApprovalKey: "sha256:aa", ApprovalWords: []string{"tactics", "tolerance"}, ShareKey: "sha256:bb", ShareWords: []string{"stairway", "souvenir"}},
			{Name: "bob", Token: "pkcs11:token=bob", ApprovalKey: "sha256:cc", ApprovalWords: []string{"sterling", "tambourine"}}}}
}

type pinErr struct{}

func (pinErr) Error() string { return "bob's token: incorrect PIN (nothing was made)" }

func (f *fakeGenesis) Run(_ context.Context, pins map[string][]byte) (api.GenesisResult, error) {
	f.runs++
	f.saw = map[string]string{}
	for k, v := range pins {
		f.saw[k] = string(v)
	}
	if f.failFirst && f.runs == 1 {
		return api.GenesisResult{}, pinErr{}
	}
	return api.GenesisResult{ApplianceID: "0123", ApplianceURI: "pkcs11:token=appliance", PolicyDigest: "sha256:ab",
		PolicyWords: []string{"aardvark", "absurd"},
		PaperLog:    []string{"genesis policy acme serial 1 sha256:ab", "key secure boot slot 0 sbv2-slot0", "    eFuse digest (slot 0) 00ff", "HSM anchor #1"}}, nil
}

func genesisHarness(t *testing.T, g api.Genesis) *harness {
	t.Helper()
	opts := testOptions()
	opts.Start, opts.Genesis = ScreenGenesis, g
	h := &harness{t: t, m: New(nil, opts)}
	h.run(h.m.Init())
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return h
}

// TestGenesisWizard: the plan is read first; the operator's and each
// founder's PIN are typed (never shown) with esc going back one step; a
// refused PIN returns to the plan with the reason and nothing kept; the
// second run shows the paper log; enter quits.
func TestGenesisWizard(t *testing.T) {
	g := &fakeGenesis{failFirst: true}
	h := genesisHarness(t, g)
	h.mustSee("Initialise the appliance (genesis)")
	h.mustSee("alice      pkcs11:token=alice")
	h.mustSee("sbv2-slot0")
	h.keys("G")
	h.mustSee("alice share key    sha256:bb")
	h.mustSee("stairway souvenir")
	h.keys("enter")
	h.mustSee("PIN 1 of 3: the operator")
	h.keys("op-pin", "enter")
	h.mustSee("PIN 2 of 3: alice")
	h.keys("wrong", "esc") // back one step: the operator's PIN again
	h.mustSee("PIN 1 of 3: the operator")
	h.keys("op-pin", "enter", "alice-pin\n", "enter", "bob-pin", "enter")
	h.mustSee("Press y to make the appliance")
	if strings.Contains(h.view(), "pin") {
		t.Fatalf("a PIN is on screen:\n%s", h.view())
	}
	h.keys("y")
	h.mustSee("incorrect PIN (nothing was made)")
	h.mustSee("Initialise the appliance (genesis)")
	if g.saw["alice"] != "alice-pin" || g.saw[api.AuditPINKey] != "op-pin" || g.saw["bob"] != "bob-pin" {
		t.Fatalf("Run saw PINs %q", g.saw)
	}
	h.keys("enter", "op-pin", "enter", "alice-pin", "enter", "bob-pin", "enter", "y")
	h.mustSee("Genesis complete.")
	h.mustSee("eFuse digest (slot 0) 00ff")
	h.mustSee("aardvark absurd")
	var quit bool
	m, cmd := h.m.Update(keyMsg("enter"))
	for _, msg := range drain(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			quit = true
		}
		m, cmd = m.Update(msg)
		for _, msg := range drain(cmd) {
			if _, ok := msg.(tea.QuitMsg); ok {
				quit = true
			}
		}
	}
	if !quit {
		t.Fatal("enter on the paper log did not quit")
	}
}

func drain(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, drain(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// TestGenesisNotCutShort: ctrl+c while the genesis is written does not
// quit; it says why.
func TestGenesisNotCutShort(t *testing.T) {
	h := genesisHarness(t, &fakeGenesis{})
	h.keys("enter", "a", "enter", "b", "enter", "c", "enter")
	m, run := feed(h.m, keyMsg("y")) // the genesis starts; its result is held back
	if run == nil {
		t.Fatal("y did not start the genesis")
	}
	m, cmd := feed(m, keyMsg("ctrl+c"))
	for _, msg := range drain(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			t.Fatal("ctrl+c quit while the genesis was written")
		}
	}
	if !strings.Contains(m.View(), "cannot stop halfway") {
		t.Fatalf("no reason shown:\n%s", m.View())
	}
}
