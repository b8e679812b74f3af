package anchor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const (
	dg1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	dg2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

func sample() State {
	return State{
		Format: Format, Appliance: "a1", Counter: 3, GenesisPolicy: dg1,
		Policy:   Policy{Serial: 2, Digest: dg2},
		Floors:   map[string]Floor{"pump": {SecurityVersion: 2, Ceremony: "0002-release"}},
		Closed:   []string{"0001-release", "0002-release", "0003-release"},
		Audit:    Audit{Origin: "o", Size: 10, Root: "R10"},
		ShareSet: "s1",
	}
}

func observed() Workspace {
	return Workspace{
		PolicySerial: 2, PolicyDigest: dg2,
		Floors:    map[string]Floor{"pump": {SecurityVersion: 2, Ceremony: "0002-release"}},
		Steps:     map[string]string{"0001-release": "exported", "0002-release": "exported", "0003-release": "aborted", "0004-release": "planned"},
		AuditSize: 12,
		AuditRoot: func(n int64) (string, error) { return map[int64]string{10: "R10", 12: "R12"}[n], nil },
	}
}

func key(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSignOpen(t *testing.T) {
	k := key(t)
	env, err := sample().Sign(k)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(env, k.Public())
	if err != nil {
		t.Fatal(err)
	}
	if got.Counter != 3 || !got.IsClosed("0002-release") || got.IsClosed("0004-release") || got.Floors["pump"].SecurityVersion != 2 {
		t.Fatalf("round trip: %+v", got)
	}
	if _, err := Open(env, key(t).Public()); err == nil {
		t.Fatal("opened with another key")
	}
	tampered := strings.Replace(string(env), `"payload":"`, `"payload":"A`, 1)
	if _, err := Open([]byte(tampered), k.Public()); err == nil {
		t.Fatal("opened a tampered envelope")
	}
}

func TestParseStrict(t *testing.T) {
	good, _ := json.Marshal(sample())
	for _, tc := range []struct{ name, old, new, want string }{
		{"unknown field", `"counter":3`, `"counter":3,"extra":1`, "unknown"},
		{"format", Format, "signbox-anchor/v9", "format"},
		{"zero counter", `"counter":3`, `"counter":0`, "counter"},
		{"unsorted closed", `"0001-release","0002-release"`, `"0002-release","0001-release"`, "sorted"},
		{"bad digest", dg2, "sha256:XY", "policy serial"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(strings.Replace(string(good), tc.old, tc.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := Parse(good); err != nil {
		t.Fatal(err)
	}
}

func TestCheck(t *testing.T) {
	if err := sample().Check(observed()); err != nil {
		t.Fatalf("clean workspace refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Workspace)
		file string
		want string
	}{
		{"policy replaced", func(w *Workspace) { w.PolicyDigest = dg1 }, "policy.yaml", "is not the policy the quorum approved"},
		{"policy serial", func(w *Workspace) { w.PolicySerial = 3 }, "policy.yaml", "serial 3"},
		{"floor lowered", func(w *Workspace) { w.Floors["pump"] = Floor{SecurityVersion: 1, Ceremony: "0001-release"} }, "versions.json", "pump is at security version 1 (ceremony 0001-release); the HSM pins 2"},
		{"same floor credited to another closed ceremony", func(w *Workspace) { w.Floors["pump"] = Floor{SecurityVersion: 2, Ceremony: "0001-release"} }, "versions.json", "pump is at security version 2 (ceremony 0001-release); the HSM pins 2"},
		{"floor removed", func(w *Workspace) { delete(w.Floors, "pump") }, "versions.json", "pump has no released security version"},
		{"floor raised by an unknown ceremony", func(w *Workspace) { w.Floors["pump"] = Floor{SecurityVersion: 5, Ceremony: "0004-release"} }, "versions.json", "the HSM pins 2"},
		{"new product nobody signed", func(w *Workspace) { w.Floors["vent"] = Floor{SecurityVersion: 1, Ceremony: "0009-release"} }, "versions.json", "never saw signed"},
		{"aborted revived", func(w *Workspace) { w.Steps["0003-release"] = "approved" }, "ceremonies/0003-release/state.json", `says "approved"`},
		{"exported reset", func(w *Workspace) { w.Steps["0001-release"] = "planned" }, "ceremonies/0001-release/state.json", "pins the ceremony as closed"},
		{"ceremony deleted", func(w *Workspace) { delete(w.Steps, "0002-release") }, "ceremonies/0002-release", "is missing"},
		{"audit deleted", func(w *Workspace) { w.AuditSize = 0 }, "audit/", "no audit log; the HSM pins one of 10 entries"},
		{"audit truncated", func(w *Workspace) { w.AuditSize = 9 }, "audit/log", "has 9 entries; the HSM pins 10"},
		{"audit replaced", func(w *Workspace) {
			w.AuditRoot = func(int64) (string, error) { return "OTHER", nil }
		}, "audit/log", "the log was replaced"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := observed()
			tc.edit(&w)
			err := sample().Check(w)
			var m *MismatchError
			if !errors.As(err, &m) || !errors.Is(err, ErrMismatch) {
				t.Fatalf("got %v, want a mismatch", err)
			}
			if m.File != tc.file || !strings.Contains(err.Error(), tc.want) || m.Counter != 3 {
				t.Fatalf("got %q (file %s), want file %s and %q", err, m.File, tc.file, tc.want)
			}
		})
	}
}

// A crash between a policy change writing policy.yaml and the anchor
// update leaves the successor in force, adopted by a closed ceremony.
func TestCheckAdoptedPolicy(t *testing.T) {
	w := observed()
	w.PolicyDigest, w.PolicySerial = dg1, 3
	w.PolicyAdoptedBy, w.PolicyPrevDigest = "0003-release", dg2
	if err := sample().Check(w); err != nil {
		t.Fatalf("adopted successor refused: %v", err)
	}
	w.PolicyAdoptedBy = "0004-release" // not closed in the anchor
	if err := sample().Check(w); err == nil {
		t.Fatal("a successor adopted by an unpinned ceremony passed")
	}
	w.PolicyAdoptedBy, w.PolicyPrevDigest = "0003-release", dg1 // replaced another policy
	if err := sample().Check(w); err == nil {
		t.Fatal("a successor of another policy passed")
	}
}

// A crash between the export (versions.json raised) and the anchor update
// leaves versions.json ahead, by a ceremony the anchor already closed.
func TestCheckAfterCrash(t *testing.T) {
	w := observed()
	w.Floors["pump"] = Floor{SecurityVersion: 3, Ceremony: "0003-release"}
	w.Steps["0003-release"] = "exported"
	if err := sample().Check(w); err != nil {
		t.Fatalf("crash window refused: %v", err)
	}
}

func TestNextAndClose(t *testing.T) {
	s := sample()
	n := s.Next()
	n.Close("0000-keygen")
	n.Close("0005-release")
	n.Close("0005-release")
	n.Floors["pump"] = Floor{SecurityVersion: 9}
	if n.Counter != 4 || len(n.Closed) != 5 || n.Closed[0] != "0000-keygen" || s.Floors["pump"].SecurityVersion != 2 || len(s.Closed) != 3 {
		t.Fatalf("Next/Close: %+v from %+v", n, s)
	}
	if err := n.validate(); err != nil {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	good, _ := json.Marshal(sample())
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(again); err != nil {
			t.Fatalf("re-parse of accepted anchor: %v", err)
		}
	})
}

// TestOpenSizeLimit: an envelope of exactly MaxEnvelope bytes (trailing
// JSON whitespace) is not refused for its size; one byte more is.
func TestOpenSizeLimit(t *testing.T) {
	k := key(t)
	env, err := sample().Sign(k)
	if err != nil {
		t.Fatal(err)
	}
	padded := append(env, []byte(strings.Repeat(" ", MaxEnvelope-len(env)))...)
	if _, err := Open(padded, k.Public()); err != nil && strings.Contains(err.Error(), "exceeds") {
		t.Errorf("exactly MaxEnvelope bytes: %v", err)
	}
	if _, err := Open(append(padded, ' '), k.Public()); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("one byte over: %v", err)
	}
}
