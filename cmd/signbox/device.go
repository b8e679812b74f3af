package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"signbox/device/emu"
	"signbox/device/esp"
	"signbox/device/mcuboot/mcuemu"
)

// The device commands drive the emulator on a state directory, the way a
// firmware team drives a bench unit: provision once, then boot, install,
// confirm or reject, revoke, and look at the status.

func init() {
	register(&command{path: "device provision", usage: "--state DIR --chip CHIP --product ID [--hw-rev REV] [--chip-rev vX.Y] --key FILE [--key FILE...] --bootloader FILE --app FILE [--slot-size SIZE] [--secure-download] | --family mcuboot --state DIR --board BOARD --product ID --key PUB.pem [--key ...] --image FILE [--mode swap-using-move|overwrite-only]",
		summary: "burn key digests and secure boot eFuses, flash a signed bootloader and first app", run: runDeviceProvision, locks: lockDevice})
	register(&command{path: "device boot", usage: "--state DIR",
		summary: "reset the emulated device and print the boot trace", run: deviceOp("boot", runDeviceBoot), locks: lockDevice})
	register(&command{path: "device install", usage: "--state DIR [--release-key PUB.pem] [--permanent] BUNDLE|IMAGE",
		summary: "install a release bundle (signature checked first) or a signed app image into the inactive slot (MCUboot: the secondary slot, --permanent for a permanent upgrade)", run: runDeviceInstall, locks: lockDevice})
	register(&command{path: "device confirm", usage: "--state DIR",
		summary: "mark the running app VALID, then raise the eFuse secure version", run: deviceOp("confirm", runDeviceConfirm), locks: lockDevice})
	register(&command{path: "device reject", usage: "--state DIR",
		summary: "mark the running app INVALID and reboot into the other slot", run: deviceOp("reject", runDeviceReject), locks: lockDevice})
	register(&command{path: "device revoke-key", usage: "--state DIR N",
		summary: "burn the revoke bit of eFuse key slot N if the device stays bootable", run: runDeviceRevoke, locks: lockDevice})
	register(&command{path: "device status", usage: "--state DIR [--format text|json]",
		summary: "show eFuses, partition table, otadata and both slots", run: runDeviceStatusCmd})
}

// deviceOp wraps a command that takes only --state; an MCUboot state
// directory goes to the command's mcubootOps handler.
func deviceOp(name string, op func(e *env, d *emu.Device) error) func(e *env, args []string) error {
	return func(e *env, args []string) error {
		fs := newFlags(e, "device")
		state := fs.String("state", "", "device state directory")
		if err := parseNoArgs(fs, args); err != nil {
			return err
		}
		if *state != "" && mcuemu.IsStateDir(*state) {
			return withMCUboot(e, *state, func(d *mcuemu.Device) error { return mcubootOps[name](e, d) })
		}
		return withDevice(e, *state, func(d *emu.Device) error { return op(e, d) })
	}
}

// openDevice opens a state directory: under the command's lock when the
// dispatcher took one on it (locks.go), so the device's saves write under
// that lock rather than take it again, which in this process would fail.
func openDevice(e *env, state string) (*emu.Device, error) {
	if state == "" {
		return nil, usageErr("--state is required")
	}
	var d *emu.Device
	var err error
	if l := e.heldFor(state); l != nil {
		d, err = emu.OpenLocked(l)
	} else {
		d, err = emu.Open(state)
	}
	if err != nil {
		return nil, withHint(err, "create a device with `signbox device provision --state %s ...`", state)
	}
	return d, nil
}

// withDevice opens the state directory, runs op and saves the device even
// when op failed: a failed boot or a cut-short operation still changed the
// flash, as it would on a real chip. Save also appends the command's
// events to the device's own audit log, stamped with this clock.
func withDevice(e *env, state string, op func(d *emu.Device) error) error {
	d, err := openDevice(e, state)
	if err != nil {
		return err
	}
	d.SetClock(e.now)
	opErr := op(d)
	if err := d.Save(); err != nil {
		return errors.Join(opErr, err)
	}
	return deviceHint(opErr)
}

func deviceHint(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, emu.ErrNotRunning):
		return withHint(err, "run `signbox device boot` first")
	case errors.Is(err, emu.ErrDowngrade):
		return withHint(err, "the eFuse anti-rollback floor only goes up; build the release with a higher secure_version")
	case errors.Is(err, emu.ErrSignature):
		return withHint(err, "sign the image with a key whose digest is burned in eFuse and not revoked (`signbox device status`)")
	case errors.Is(err, emu.ErrRevokeUnsafe):
		return withHint(err, "install and confirm images signed with another provisioned key first")
	}
	return err
}

func runDeviceBoot(e *env, d *emu.Device) error {
	tr, err := d.Boot()
	fmt.Fprint(e.stdout, tr)
	return err
}

func runDeviceConfirm(e *env, d *emu.Device) error {
	r, err := d.Confirm()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "confirmed %s in ota_%d (was %s); eFuse secure version %d -> %d\n",
		r.App.Version, r.Slot, r.WasState, r.EFuseBefore, r.EFuseAfter)
	return nil
}

func runDeviceReject(e *env, d *emu.Device) error {
	tr, err := d.Reject()
	if tr != nil {
		fmt.Fprint(e.stdout, tr)
	}
	return err
}

func runDeviceStatusCmd(e *env, args []string) error {
	fs := newFlags(e, "device status")
	state := fs.String("state", "", "device state directory")
	format := addFormat(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	if *state != "" && mcuemu.IsStateDir(*state) {
		if asJSON {
			return usageErr("--format json is for ESP devices; an MCUboot device's status is text only for now")
		}
		d, err := mcuemu.Open(*state)
		if err != nil {
			return err
		}
		return mcubootOps["status"](e, d)
	}
	d, err := openDevice(e, *state)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, deviceStatusJSONOf(d.Status()))
	}
	fmt.Fprint(e.stdout, d.Status())
	return nil
}

func runDeviceInstall(e *env, args []string) error {
	fs := newFlags(e, "device install")
	state := fs.String("state", "", "device state directory")
	keyPath := fs.String("release-key", "", "release-bundle public key `PEM` the device trusts (required for bundles)")
	permanent := fs.Bool("permanent", false, "MCUboot: a permanent upgrade (image_ok set), never reverted")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want one release bundle (directory or .tar) or signed app image")
	}
	if *state != "" && mcuemu.IsStateDir(*state) {
		if isBundlePath(pos[0]) {
			return runMCUbootInstallBundle(e, *state, pos[0], *keyPath, *permanent)
		}
		if *keyPath != "" {
			return usageErr("--release-key checks a release bundle; %s is a bare image", pos[0])
		}
		return runMCUbootInstall(e, *state, pos[0], *permanent)
	}
	if *permanent {
		return familyFlagsErr("esp32", []string{"--permanent"})
	}
	src, err := installSource(pos[0], *keyPath)
	if err != nil {
		return err
	}
	return withDevice(e, *state, func(d *emu.Device) error {
		r, err := d.Install(src(d))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "installed %s (secure_version %d, key slot %d) into %s; otadata[%d] seq %d NEW\n",
			r.App.Version, r.App.SecureVersion, r.App.KeySlot, r.Label, r.OTAEntry, r.Seq)
		fmt.Fprintln(e.stdout, "reboot (`signbox device boot`) to try it, then confirm or reject")
		return nil
	})
}

// installSource picks how the device takes the update: a release bundle
// (a directory or a .tar, whose signature is checked first, as a fielded
// updater would) or a bare signed app image (bench use).
func installSource(path, keyPath string) (func(*emu.Device) emu.Source, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() || strings.HasSuffix(path, ".tar") {
		if keyPath == "" {
			return nil, usageErr("--release-key is required to install a release bundle")
		}
		pub, err := readPublicKey(keyPath)
		if err != nil {
			return nil, err
		}
		return func(d *emu.Device) emu.Source { return emu.BundleSource(path, pub, d) }, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return func(*emu.Device) emu.Source { return emu.AppImage(b) }, nil
}

func runDeviceRevoke(e *env, args []string) error {
	fs := newFlags(e, "device revoke-key")
	state := fs.String("state", "", "device state directory")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want one key slot number")
	}
	n, err := strconv.Atoi(pos[0])
	if err != nil {
		return usageErr("key slot %q is not a number", pos[0])
	}
	if *state != "" && mcuemu.IsStateDir(*state) {
		return errors.New("device revoke-key: an MCUboot bootloader's keys are built into it; revoke by shipping a bootloader without the key")
	}
	return withDevice(e, *state, func(d *emu.Device) error {
		r, err := d.RevokeKey(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked key slot %d\n", r.Slot)
		for _, l := range r.LostFallback {
			fmt.Fprintf(e.stdout, "warning: %s no longer verifies; the device cannot fall back to it\n", l)
		}
		return nil
	})
}

func runDeviceProvision(e *env, args []string) error {
	fs := newFlags(e, "device provision")
	state := fs.String("state", "", "new device state directory (must not exist or be empty)")
	chip := fs.String("chip", "", "chip, e.g. esp32c3, esp32c6")
	product := fs.String("product", "", "product id from the policy; install refuses bundles for another product")
	hwRev := fs.String("hw-rev", "", "board hardware revision to record (optional)")
	chipRev := fs.String("chip-rev", "", "silicon revision, e.g. v3.0 (ESP32 needs v3.0 or later for Secure Boot V2)")
	boot := fs.String("bootloader", "", "signed bootloader image")
	app := fs.String("app", "", "signed first app image (goes into ota_0)")
	slot := fs.String("slot-size", "", "bytes per OTA slot (e.g. 1984K, 0x1F0000); default fits a 4 MiB flash")
	secDL := fs.Bool("secure-download", false, "burn ENABLE_SECURITY_DOWNLOAD instead of disabling download mode")
	family := fs.String("family", "esp32", "device family: esp32 or mcuboot")
	board := fs.String("board", "", "MCUboot: board, e.g. nrf52840")
	mode := fs.String("mode", "swap-using-move", "MCUboot: upgrade mode, swap-using-move or overwrite-only")
	image := fs.String("image", "", "MCUboot: signed factory image for the primary slot")
	var keys listFlag
	fs.Var(&keys, "key", "public key PEM or 32-byte eFuse digest file, one per key slot (repeat up to 3 times); MCUboot: a bootloader key PEM")
	err := parseNoArgs(fs, args)
	if err != nil {
		return err
	}
	switch *family {
	case "mcuboot":
		var wrong []string
		for n, v := range map[string]string{"--chip": *chip, "--hw-rev": *hwRev, "--chip-rev": *chipRev, "--bootloader": *boot, "--app": *app, "--slot-size": *slot} {
			if v != "" {
				wrong = append(wrong, n)
			}
		}
		if *secDL {
			wrong = append(wrong, "--secure-download")
		}
		slices.Sort(wrong)
		if err := familyFlagsErr("mcuboot", wrong); err != nil {
			return err
		}
		return provisionMCUboot(e, *state, *product, *board, *mode, *image, keys)
	case "esp32":
		if *board != "" || *image != "" {
			return familyFlagsErr("esp32", []string{"--board/--image"})
		}
	default:
		return usageErr("--family %q: want esp32 or mcuboot", *family)
	}
	if *state == "" || *chip == "" || *product == "" || *boot == "" || *app == "" || len(keys) == 0 {
		return usageErr("--state, --chip, --product, --key, --bootloader and --app are required")
	}
	cfg := emu.ProvisionConfig{Layout: emu.DefaultLayout, Product: *product, HardwareRevision: *hwRev, SecureDownload: *secDL, Now: e.now}
	if *chipRev != "" {
		if cfg.ChipRevision, err = parseChipRev(*chipRev); err != nil {
			return usageErr("--chip-rev: %v", err)
		}
	}
	if cfg.Chip, err = esp.ParseChip(*chip); err != nil {
		return usageErr("--chip: %v", err)
	}
	if *slot != "" {
		if cfg.Layout.SlotSize, err = parseSize(*slot); err != nil {
			return usageErr("--slot-size: %v", err)
		}
	}
	for _, k := range keys {
		d, err := readKeyDigest(k)
		if err != nil {
			return err
		}
		cfg.KeyDigests = append(cfg.KeyDigests, d)
	}
	if cfg.Bootloader, err = os.ReadFile(*boot); err != nil {
		return err
	}
	if cfg.App, err = os.ReadFile(*app); err != nil {
		return err
	}
	var res emu.ProvisionResult
	if l := e.heldFor(*state); l != nil {
		res, err = emu.ProvisionLocked(l, cfg)
	} else {
		res, err = emu.ProvisionDir(*state, cfg) // a new directory: emu locks it
	}
	if err != nil {
		return deviceHint(err)
	}
	fmt.Fprintf(e.stdout, "provisioned %s %s in %s: %d key digest(s), secure boot on, JTAG off, download mode %s\n",
		cfg.Chip, cfg.Product, *state, len(cfg.KeyDigests), map[bool]string{true: "secure only", false: "off"}[*secDL])
	fmt.Fprintf(e.stdout, "ota_0: %s %s (secure_version %d); run `signbox device boot --state %s`\n",
		res.App.Project, res.App.Version, res.App.SecureVersion, *state)
	if vkey, err := res.Device.AuditVerifierKey(); err == nil {
		fmt.Fprintf(e.stdout, "audit log: %s/audit, checkpoint key %s\n", *state, vkey)
	}
	return nil
}

// readKeyDigest takes a PEM public key (PKIX) or a raw 32-byte digest as
// written by `espsecure digest_sbv2_public_key`.
func readKeyDigest(path string) ([32]byte, error) {
	var d [32]byte
	b, err := os.ReadFile(path)
	if err != nil {
		return d, err
	}
	if len(b) == 32 {
		copy(d[:], b)
		return d, nil
	}
	pub, err := parsePublicKeyPEM(b)
	if errors.Is(err, errNoPublicKeyPEM) {
		return d, fmt.Errorf("key %s: neither a PEM PUBLIC KEY nor a 32-byte digest", path)
	}
	if err != nil {
		return d, fmt.Errorf("key %s: %w", path, err)
	}
	if d, err = esp.KeyDigest(pub); err != nil {
		return d, fmt.Errorf("key %s: %w", path, err)
	}
	return d, nil
}

// parseChipRev reads a silicon revision "v3.0" or "3.0" as major*100+minor,
// the encoding of the image header's min_chip_rev_full.
func parseChipRev(s string) (uint16, error) {
	majS, minS, ok := strings.Cut(strings.TrimPrefix(s, "v"), ".")
	maj, err1 := strconv.ParseUint(majS, 10, 8)
	mnr, err2 := strconv.ParseUint(minS, 10, 8)
	if !ok || err1 != nil || err2 != nil || maj > 99 || mnr > 99 {
		return 0, fmt.Errorf("%q is not a revision like v3.0", s)
	}
	return uint16(maj*100 + mnr), nil
}

// parseSize reads "65536", "0x10000", "64K" or "2M".
func parseSize(s string) (int, error) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	}
	n, err := strconv.ParseInt(s, 0, 32)
	if err != nil || n <= 0 || n > (1<<30)/int64(mult) {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return int(n) * mult, nil
}
