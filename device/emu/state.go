package emu

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"signbox/device/esp"
	"signbox/internal/atomicfile"
	"signbox/internal/lock"
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

// The state directory is locked (signbox/internal/lock, "<dir>/.lock")
// whenever this package writes it, so the CLI, the appliance and any
// other caller never interleave their writes to one device. A caller that
// runs a whole read-modify-write cycle holds the lock itself and passes it
// in ([OpenLocked], [ProvisionLocked]); [Open] takes it only for each
// [Device.Save] and [Device.ExportAudit], and Save then also refuses
// (ErrStateChanged) when someone else saved the device since it was read:
// otherwise the later save would silently undo the earlier one's flash
// writes and eFuse burns.
const (
	whatSave      = "device/emu: save"
	whatExport    = "device/emu: audit export"
	whatProvision = "device/emu: provision"
)

// ErrStateChanged: the state files on disk are no longer those the device
// was read from (or last saved); another writer saved the device since.
// Nothing was written; open the device again and redo the operation.
var ErrStateChanged = errors.New("device state changed on disk since it was opened")

// stateSums are the SHA-256 digests of the three state files as this
// Device last read or wrote them; a missing file has the zero digest.
type stateSums struct {
	known                 bool
	flash, efuse, runtime [32]byte
}

func sumOf(b []byte, present bool) [32]byte {
	if !present {
		return [32]byte{}
	}
	return sha256.Sum256(b)
}

// ProvisionDir provisions a device and saves it into dir, which must not
// exist or be empty. With cfg.Now the device also gets a fresh [Identity]
// and its own audit log, whose first entries record the provisioning. The
// directory is locked while it is provisioned; the device returned takes
// the lock again for each save, as one from [Open] does.
func ProvisionDir(dir string, cfg ProvisionConfig) (ProvisionResult, error) {
	created, err := makeDir(dir)
	if err != nil {
		return ProvisionResult{}, err
	}
	l, err := lock.Acquire(dir, whatProvision)
	if err != nil {
		return ProvisionResult{}, fmt.Errorf("provision: %w", err)
	}
	defer l.Release()
	return provisionLocked(l, cfg, created)
}

// ProvisionLocked is [ProvisionDir] into the directory of l, a lock the
// caller holds and keeps holding for the device returned (see
// [OpenLocked]).
func ProvisionLocked(l *lock.Lock, cfg ProvisionConfig) (ProvisionResult, error) {
	if !l.Held() {
		return ProvisionResult{}, errors.New("provision: state directory lock not held")
	}
	return provisionLocked(l, cfg, false)
}

func provisionLocked(l *lock.Lock, cfg ProvisionConfig, created bool) (ProvisionResult, error) {
	dir := l.Dir()
	// Checked under the lock: two provisioners racing for one empty
	// directory must not both find it empty.
	if err := checkEmpty(dir); err != nil {
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
		res.Device.dir, res.Device.held = dir, l
		err = res.Device.plate.store(dir)
	}
	if err == nil && log != nil {
		err = log.id.store(dir)
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
// was empty before it. The lock file stays: removing a held lock's file
// would let someone else lock a new one.
func emptyDir(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != lock.FileName {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// makeDir creates dir (and its parents) if needed; created says whether
// this call made dir itself.
func makeDir(dir string) (created bool, err error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return false, err
	}
	err = os.Mkdir(dir, 0o700)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	}
	return false, err
}

// checkEmpty makes sure dir holds nothing but its lock file.
func checkEmpty(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.Name() != lock.FileName {
			return fmt.Errorf("state directory %s: %w (not empty)", dir, atomicfile.ErrExists)
		}
	}
	return nil
}

// Open loads a device from its state directory. It takes no lock: Save
// and ExportAudit lock the directory for their writes, and Save refuses
// with [ErrStateChanged] if another writer saved the device in between.
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
	rb, hasRT, err := readOptional(filepath.Join(dir, runtimeFile))
	if err != nil {
		return nil, fmt.Errorf("open device: %w", err)
	}
	rt, err := readRuntime(rb, hasRT)
	if err != nil {
		return nil, fmt.Errorf("open device: %w", err)
	}
	id, hasID, err := loadIdentity(dir)
	if err != nil {
		return nil, fmt.Errorf("open device: %w", err)
	}
	plate, _, err := loadNameplate(dir)
	if err != nil {
		return nil, fmt.Errorf("open device: %w", err)
	}
	p := &Power{}
	d := &Device{
		chip: esp.Chip(chip), plate: plate, power: p, dir: dir,
		flash:   &Flash{mem: fb, power: p},
		efuse:   &EFuses{bits: bits, chip: esp.Chip(chip), power: p},
		running: rt.Running,
		sums:    stateSums{known: true, flash: sumOf(fb, true), efuse: sumOf(eb, true), runtime: sumOf(rb, hasRT)},
	}
	if hasID {
		d.audit = &auditSink{id: id}
	}
	return d, nil
}

// OpenLocked is [Open] for a caller that holds the state directory's lock
// (l, from lock.Acquire on the directory) for its whole read-modify-write,
// as the signbox CLI does for a command: Save and ExportAudit then write
// under that lock instead of taking it themselves, which in the same
// process would conflict with it. The caller releases l.
func OpenLocked(l *lock.Lock) (*Device, error) {
	if !l.Held() {
		return nil, errors.New("open device: state directory lock not held")
	}
	d, err := Open(l.Dir())
	if err != nil {
		return nil, err
	}
	d.held = l
	return d, nil
}

// withLock runs fn with the state directory locked: under the caller's
// lock when it holds one, else under one taken for fn alone (locked then
// says so).
func (d *Device) withLock(what string, fn func(locked bool) error) error {
	if d.held.Held() {
		return fn(false)
	}
	l, err := lock.Acquire(d.dir, what)
	if err != nil {
		return err
	}
	defer l.Release()
	return fn(true)
}

func readOptional(path string) ([]byte, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	return b, err == nil, err
}

// unchanged compares the state files on disk with what the device last
// read or wrote.
func (d *Device) unchanged() error {
	if !d.sums.known {
		return nil
	}
	for _, f := range []struct {
		name string
		want [32]byte
	}{{flashFile, d.sums.flash}, {efuseFile, d.sums.efuse}, {runtimeFile, d.sums.runtime}} {
		b, ok, err := readOptional(filepath.Join(d.dir, f.name))
		if err != nil {
			return err
		}
		if sumOf(b, ok) != f.want {
			return fmt.Errorf("%s: %w", f.name, ErrStateChanged)
		}
	}
	return nil
}

func readRuntime(b []byte, present bool) (runtimeState, error) {
	rt := runtimeState{Running: -1}
	if !present {
		return rt, nil
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
// a checkpoint. The directory is locked for the writes (see [Open] and
// [OpenLocked]); without a caller-held lock, Save first checks that nobody
// saved the device since it was read, and refuses with [ErrStateChanged]
// before writing anything if somebody did.
func (d *Device) Save() error {
	if d.dir == "" {
		return errors.New("save device: in-memory device has no state directory")
	}
	err := d.withLock(whatSave, func(locked bool) error {
		if locked {
			if err := d.unchanged(); err != nil {
				return err
			}
		}
		return d.save()
	})
	if err != nil {
		return fmt.Errorf("save device: %w", err)
	}
	return nil
}

func (d *Device) save() error {
	eb := marshalEFuses(uint16(d.chip), d.efuse)
	rt, _ := json.Marshal(runtimeState{Running: d.running})
	rt = append(rt, '\n')
	for _, f := range []struct {
		name string
		data []byte
		sum  *[32]byte
	}{{flashFile, d.flash.mem, &d.sums.flash}, {efuseFile, eb, &d.sums.efuse}, {runtimeFile, rt, &d.sums.runtime}} {
		if err := atomicfile.Replace(filepath.Join(d.dir, f.name), f.data, 0o600); err != nil {
			return err
		}
		// What is on disk now is what this device wrote, whatever fails
		// after it.
		*f.sum = sha256.Sum256(f.data)
	}
	d.sums.known = true
	// The audit log comes last: it may lack what the state above holds,
	// never the other way round.
	if d.audit != nil {
		if err := d.audit.flush(d.dir); err != nil {
			return fmt.Errorf("audit log: %w", err)
		}
	}
	return nil
}
