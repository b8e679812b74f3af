package emu

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"signbox/device/esp"
	"signbox/internal/atomicfile"
)

// State directory files. Save writes them in this order, each atomically,
// so a crash of the emulator itself leaves at worst a newer flash with an
// older eFuse file: the same state as a power cut between a flash write and
// the following burn, which the boot chain already handles.
const (
	flashFile   = "flash.bin"
	efuseFile   = "efuse.bin"
	runtimeFile = "runtime.json"
)

// runtimeState is the device's RAM: what runs since the last boot.
type runtimeState struct {
	Running int `json:"running"`
}

// ProvisionDir provisions a device and saves it into dir, which must not
// exist or be empty. With cfg.Now the device also gets a fresh [Identity]
// and its own audit log, whose first entries record the provisioning.
func ProvisionDir(dir string, cfg ProvisionConfig) (ProvisionResult, error) {
	created, err := freshDir(dir)
	if err != nil {
		return ProvisionResult{}, err
	}
	var log *auditSink
	if cfg.Now != nil {
		id, err := newIdentity(rand.Reader)
		if err != nil {
			return ProvisionResult{}, err
		}
		log = &auditSink{id: id, now: cfg.Now, create: true}
	}
	res, err := provisionWith(cfg, log)
	if err == nil {
		res.Device.dir = dir
		if log != nil {
			err = log.id.store(dir)
		}
	}
	if err == nil {
		err = res.Device.Save()
	}
	if err != nil {
		// Nothing half-provisioned is left behind.
		if created {
			os.RemoveAll(dir)
		} else {
			emptyDir(dir)
		}
	}
	return res, err
}

// emptyDir removes what a failed provisioning wrote into a directory that
// was empty before it.
func emptyDir(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// freshDir makes sure dir is empty, creating it if needed; created says
// whether it did.
func freshDir(dir string) (created bool, err error) {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, os.MkdirAll(dir, 0o700)
	case err != nil:
		return false, err
	case len(ents) > 0:
		return false, fmt.Errorf("state directory %s: %w (not empty)", dir, atomicfile.ErrExists)
	}
	return false, nil
}

// Open loads a device from its state directory.
func Open(dir string) (*Device, error) {
	fb, err := os.ReadFile(filepath.Join(dir, flashFile))
	if err != nil {
		return nil, fmt.Errorf("open device: %w", err)
	}
	if len(fb) < firstAppOffset+appAlign || len(fb)%SectorSize != 0 || len(fb) > 1<<28 {
		return nil, fmt.Errorf("open device: %s: %d bytes is not a flash size: %w", flashFile, len(fb), ErrStateCorrupt)
	}
	eb, err := os.ReadFile(filepath.Join(dir, efuseFile))
	if err != nil {
		return nil, fmt.Errorf("open device: %w", err)
	}
	chip, bits, err := parseEFuses(eb)
	if err != nil {
		return nil, fmt.Errorf("open device: %w", err)
	}
	if !esp.Chip(chip).Known() {
		return nil, fmt.Errorf("open device: efuse.bin: chip id %d: %w", chip, esp.ErrUnknownChip)
	}
	rt, err := readRuntime(filepath.Join(dir, runtimeFile))
	if err != nil {
		return nil, fmt.Errorf("open device: %w", err)
	}
	id, hasID, err := loadIdentity(dir)
	if err != nil {
		return nil, fmt.Errorf("open device: %w", err)
	}
	p := &Power{}
	d := &Device{
		chip: esp.Chip(chip), power: p, dir: dir,
		flash:   &Flash{mem: fb, power: p},
		efuse:   &EFuses{bits: bits, power: p},
		running: rt.Running,
	}
	if hasID {
		d.audit = &auditSink{id: id}
	}
	return d, nil
}

func readRuntime(path string) (runtimeState, error) {
	rt := runtimeState{Running: -1}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return rt, nil
	}
	if err != nil {
		return rt, err
	}
	return rt, parseRuntime(b, &rt)
}

func parseRuntime(b []byte, rt *runtimeState) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(rt); err != nil {
		return fmt.Errorf("%s: %w: %v", runtimeFile, ErrStateCorrupt, err)
	}
	if dec.More() {
		return fmt.Errorf("%s: %w: trailing data", runtimeFile, ErrStateCorrupt)
	}
	if rt.Running < -1 || rt.Running > 1 {
		return fmt.Errorf("%s: %w: running slot %d", runtimeFile, ErrStateCorrupt, rt.Running)
	}
	return nil
}

// Save writes the device back to its state directory, then appends the
// events since the last save to the device's audit log and seals it with
// a checkpoint.
func (d *Device) Save() error {
	if d.dir == "" {
		return errors.New("save device: in-memory device has no state directory")
	}
	if err := atomicfile.Replace(filepath.Join(d.dir, flashFile), d.flash.mem, 0o600); err != nil {
		return fmt.Errorf("save device: %w", err)
	}
	if err := atomicfile.Replace(filepath.Join(d.dir, efuseFile), marshalEFuses(uint16(d.chip), d.efuse), 0o600); err != nil {
		return fmt.Errorf("save device: %w", err)
	}
	rt, _ := json.Marshal(runtimeState{Running: d.running})
	if err := atomicfile.Replace(filepath.Join(d.dir, runtimeFile), append(rt, '\n'), 0o600); err != nil {
		return fmt.Errorf("save device: %w", err)
	}
	// The audit log comes last: it may lack what the state above holds,
	// never the other way round.
	if d.audit != nil {
		if err := d.audit.flush(d.dir); err != nil {
			return fmt.Errorf("save device: audit log: %w", err)
		}
	}
	return nil
}
