package mcuemu

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"signbox/device/mcuboot"
)

func TestStateRoundTrip(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	if _, err := Create(dir, Config{Layout: testLayout, Mode: SwapMove, Factory: f.v1}); !errors.Is(err, ErrBadLayout) {
		t.Fatalf("created a device without keys: %v", err)
	}
	d, err := Create(dir, Config{Layout: testLayout, Mode: SwapMove, Keys: keysOf(f), Factory: f.v1, Product: "wearable", Board: "nrf52840"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(dir, Config{Layout: testLayout, Mode: SwapMove, Keys: keysOf(f), Factory: f.v1}); err == nil {
		t.Fatal("Create over an existing device")
	}
	mustBoot(t, d, 1)
	if err := d.Install(f.v2, false); err != nil {
		t.Fatal(err)
	}
	if err := d.Save(dir); err != nil {
		t.Fatal(err)
	}
	o, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Running() || o.SecurityCounter() != 1 || o.Product() != "wearable" || o.Board() != "nrf52840" ||
		!bytes.Equal(o.SlotImage("secondary"), d.SlotImage("secondary")) {
		t.Fatal("state did not round-trip")
	}
	// The reopened device completes the upgrade like the original.
	mustBoot(t, o, 2)
}

func TestStateRefusals(t *testing.T) {
	f := getFixture(t)
	d, err := New(Config{Layout: testLayout, Mode: SwapMove, Keys: keysOf(f), Factory: f.v1})
	if err != nil {
		t.Fatal(err)
	}
	good, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Unmarshal(good); err != nil {
		t.Fatal(err)
	}
	js := func(b []byte) []byte { return b[12 : 12+int(b[8])|int(b[9])<<8] }
	swap := func(old, new string) []byte {
		j := bytes.Replace(js(good), []byte(old), []byte(new), 1)
		out := append([]byte("SBMCUEMU"), byte(len(j)), byte(len(j)>>8), 0, 0)
		return append(append(out, j...), good[12+len(js(good)):]...)
	}
	for name, b := range map[string][]byte{
		"magic":         append([]byte("XBMCUEMU"), good[8:]...),
		"truncated":     good[:len(good)-1],
		"longer":        append(bytes.Clone(good), 0xFF),
		"format":        swap(`"signbox-mcuboot-device/v1"`, `"signbox-mcuboot-device/v9"`),
		"unknown field": swap(`"running"`, `"runnin"`),
		"mode":          swap(`"swap-using-move"`, `"swap-using-scratch"`),
		"write size":    swap(`"write_size":8`, `"write_size":3`),
		"key":           swap(`BEGIN PUBLIC KEY`, `BEGIN PRIVATE KEY`),
	} {
		if _, err := Unmarshal(b); !errors.Is(err, ErrBadState) {
			t.Errorf("%s: %v, want ErrBadState", name, err)
		}
	}
}

func TestOpenMissing(t *testing.T) {
	dir := t.TempDir()
	if IsStateDir(dir) {
		t.Fatal("empty dir is a state dir")
	}
	if _, err := Open(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, StateFile), []byte("SBMCUEMU"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrBadState) {
		t.Fatal(err)
	}
}

// FuzzUnmarshal: a state file is outside bytes (anyone can edit the state
// directory); Unmarshal must refuse or return a device that boots or
// fails to boot without panicking, and never boots an image the
// independent check refuses.
func FuzzUnmarshal(f *testing.F) {
	fx := getFixture(f)
	// 1 KiB sectors, 2 image sectors, a 1.5 KiB image: a small input the
	// fuzzer can mutate and minimise quickly.
	d, err := New(Config{Layout: Layout{SectorSize: 1024, WriteSize: 1, ImageSectors: 2}, Mode: SwapMove,
		Keys: keysOf(fx), Factory: signImage(f, fx.key, 1, 1, 900)})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := d.Marshal()
	f.Add(good)
	f.Add(good[:100])
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Unmarshal(b)
		if err != nil {
			return
		}
		tr, err := d.Boot()
		if err != nil {
			return
		}
		for _, k := range d.keys {
			if kh, err := mcuboot.KeyHash(k); err == nil && bytes.Equal(kh, tr.KeyHash) {
				independentVerify(t, d.SlotImage("primary"), k)
				return
			}
		}
		t.Fatalf("booted an image whose key hash %x names none of the device's keys", tr.KeyHash)
	})
}
