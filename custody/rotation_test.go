package custody

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRotationLink(t *testing.T) {
	from, err := NewSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	to, err := NewSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewSecret(rand.Reader)
	a, b := strings.Repeat("a1", SetIDSize), strings.Repeat("b2", SetIDSize)
	link, err := NewRotation(from, to, a, b)
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenRotation(link)
	if err != nil {
		t.Fatal(err)
	}
	if r.From != a || r.To != b {
		t.Fatalf("sets %s→%s", r.From, r.To)
	}
	got, err := r.Forward(from)
	if err != nil || string(got.UserPIN()) != string(to.UserPIN()) {
		t.Fatalf("forward: %v", err)
	}
	back, err := r.Backward(to)
	if err != nil || string(back.SOPIN()) != string(from.SOPIN()) {
		t.Fatalf("backward: %v", err)
	}
	// Neither direction opens with the wrong secret, nor with the
	// direction swapped, nor moved to other set ids.
	for name, f := range map[string]func() (*Secret, error){
		"forward with a third secret":  func() (*Secret, error) { return r.Forward(other) },
		"forward with the new secret":  func() (*Secret, error) { return r.Forward(to) },
		"backward with the old secret": func() (*Secret, error) { return r.Backward(from) },
		"sets swapped": func() (*Secret, error) {
			moved := &Rotation{From: b, To: a, fwd: r.fwd, back: r.back}
			return moved.Forward(from)
		},
	} {
		if s, err := f(); !errors.Is(err, ErrWrongSecret) || s != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRotationLinkRefusals(t *testing.T) {
	s, _ := NewSecret(rand.Reader)
	u, _ := NewSecret(rand.Reader)
	a, b := strings.Repeat("a1", SetIDSize), strings.Repeat("b2", SetIDSize)
	if _, err := NewRotation(s, u, a, a); !errors.Is(err, ErrInvalidSet) {
		t.Errorf("same set: %v", err)
	}
	if _, err := NewRotation(s, u, "A1", b); !errors.Is(err, ErrInvalidSet) {
		t.Errorf("bad set id: %v", err)
	}
	good, _ := NewRotation(s, u, a, b)
	var j map[string]any
	_ = json.Unmarshal(good, &j)
	for name, edit := range map[string]func(map[string]any){
		"unknown field":  func(m map[string]any) { m["extra"] = 1 },
		"format 2":       func(m map[string]any) { m["format"] = 2 },
		"short forward":  func(m map[string]any) { m["forward"] = "00" },
		"upper-case set": func(m map[string]any) { m["to"] = strings.ToUpper(b) },
	} {
		m := map[string]any{}
		for k, v := range j {
			m[k] = v
		}
		edit(m)
		bad, _ := json.Marshal(m)
		if _, err := OpenRotation(bad); !errors.Is(err, ErrInvalidSet) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := OpenRotation(append(good, good...)); !errors.Is(err, ErrInvalidSet) {
		t.Errorf("two objects accepted")
	}
}

func FuzzOpenRotation(f *testing.F) {
	s, _ := NewSecret(rand.Reader)
	u, _ := NewSecret(rand.Reader)
	good, _ := NewRotation(s, u, strings.Repeat("a1", SetIDSize), strings.Repeat("b2", SetIDSize))
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := OpenRotation(b)
		if err != nil {
			return
		}
		if _, err := r.Forward(s); err != nil && !errors.Is(err, ErrWrongSecret) && !errors.Is(err, ErrInvalidSet) {
			t.Fatalf("forward: %v", err)
		}
	})
}
