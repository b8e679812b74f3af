package main

import (
	"crypto"
	"errors"
	"fmt"
	"os"
	"strings"

	"signbox/device/mcuboot"
	"signbox/device/mcuboot/mcuemu"
	"signbox/device/profile"
)

// The device commands for an MCUboot device (device/mcuboot/mcuemu): the
// same commands as for an ESP32, chosen by what the state directory
// holds. Provision with --family mcuboot.

// mcubootOps are the MCUboot handlers of the --state-only commands.
var mcubootOps = map[string]func(e *env, d *mcuemu.Device) error{
	"boot":    runMCUbootBoot,
	"confirm": runMCUbootConfirm,
	"reject": func(*env, *mcuemu.Device) error {
		return withHint(errors.New("device reject: MCUboot has no reject"), "reset without confirming (`signbox device boot`): the bootloader reverts an unconfirmed test upgrade")
	},
	"status": runMCUbootStatus,
}

// withMCUboot opens the MCUboot device in state (the dispatcher holds its
// lock), runs op and saves the device even when op failed, as the flash
// changed anyway.
func withMCUboot(e *env, state string, op func(d *mcuemu.Device) error) error {
	d, err := mcuemu.Open(state)
	if err != nil {
		return err
	}
	opErr := op(d)
	if err := d.Save(state); err != nil {
		return errors.Join(opErr, err)
	}
	return mcubootHint(opErr)
}

func mcubootHint(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mcuemu.ErrNotRunning):
		return withHint(err, "run `signbox device boot` first")
	case errors.Is(err, mcuemu.ErrUnconfirmed):
		return withHint(err, "`signbox device confirm` keeps it; `signbox device boot` without confirming reverts it")
	case errors.Is(err, mcuemu.ErrNoBootableImage):
		return withHint(err, "the primary slot holds no image this bootloader's keys verify at its security counter")
	}
	return err
}

func runMCUbootBoot(e *env, d *mcuemu.Device) error {
	tr, err := d.Boot()
	fmt.Fprintln(e.stdout, tr)
	return err
}

func runMCUbootConfirm(e *env, d *mcuemu.Device) error {
	before := d.TrailerOf("primary")
	if err := d.Confirm(); err != nil {
		return err
	}
	if before.MagicGood && !before.ImageOK {
		fmt.Fprintln(e.stdout, "confirmed: image_ok set in the primary trailer; the next boot keeps this image and raises the security counter to its SEC_CNT")
	} else {
		fmt.Fprintln(e.stdout, "nothing to confirm: the running image is already permanent")
	}
	return nil
}

func runMCUbootStatus(e *env, d *mcuemu.Device) error {
	l := d.Layout()
	fmt.Fprintf(e.stdout, "MCUboot device: product %s, board %s, %s, %d-byte sectors, %d-byte writes\n",
		d.Product(), d.Board(), d.Mode(), l.SectorSize, l.WriteSize)
	fmt.Fprintf(e.stdout, "hardware security counter: %d\nrunning: %v\n", d.SecurityCounter(), d.Running())
	for _, name := range []string{"primary", "secondary"} {
		t := d.TrailerOf(name)
		fmt.Fprintf(e.stdout, "%s: %s; trailer magic %v, image_ok %v, copy_done %v, swap %s\n",
			name, slotSummary(d.SlotImage(name)), t.MagicGood, t.ImageOK, t.CopyDone, swapName(t.SwapType))
	}
	return nil
}

func slotSummary(slot []byte) string {
	img, err := mcuboot.ParseSlot(slot)
	if err != nil {
		if !mcuboot.HasMagic(slot) {
			return "no image"
		}
		return "damaged image: " + err.Error()
	}
	sc := "no SEC_CNT"
	if img.HasSecurityCounter {
		sc = fmt.Sprintf("SEC_CNT %d", img.SecurityCounter)
	}
	return fmt.Sprintf("image %s, %s, %d bytes", img.Header.Version, sc, img.Len)
}

func swapName(t mcuemu.SwapType) string {
	if t == 0 {
		return "unset"
	}
	return t.String()
}

func runMCUbootInstall(e *env, state, path string, permanent bool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return withMCUboot(e, state, func(d *mcuemu.Device) error {
		if err := d.Install(b, permanent); err != nil {
			return err
		}
		kind := "test"
		if permanent {
			kind = "permanent"
		}
		fmt.Fprintf(e.stdout, "installed %s into the secondary slot as a %s upgrade\n", path, kind)
		fmt.Fprintln(e.stdout, "reboot (`signbox device boot`) to let the bootloader check and swap it in")
		return nil
	})
}

// provisionMCUboot makes an MCUboot device for a board of device/profile
// with the bootloader keys and the factory image.
func provisionMCUboot(e *env, state, product, board, mode, image string, keyPaths []string) error {
	if state == "" || product == "" || board == "" || image == "" || len(keyPaths) == 0 {
		return usageErr("--family mcuboot needs --state, --product, --board, --key and --image")
	}
	b, err := profile.BoardByName(board)
	if err != nil {
		return usageErr("--board: %v", err)
	}
	m := map[string]mcuemu.Mode{"swap-using-move": mcuemu.SwapMove, "overwrite-only": mcuemu.OverwriteOnly}[mode]
	if m == 0 {
		return usageErr("--mode %q: want swap-using-move or overwrite-only", mode)
	}
	var keys []crypto.PublicKey
	for _, p := range keyPaths {
		pb, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		k, err := parsePublicKeyPEM(pb)
		if err != nil {
			return fmt.Errorf("key %s: %w", p, err)
		}
		if _, err := mcuboot.AlgorithmOf(k); err != nil {
			return fmt.Errorf("key %s: %w", p, err)
		}
		keys = append(keys, k)
	}
	factory, err := os.ReadFile(image)
	if err != nil {
		return err
	}
	if mcuemu.IsStateDir(state) {
		return fmt.Errorf("%s already holds an MCUboot device", state)
	}
	if _, err := mcuemu.Create(state, mcuemu.Config{Layout: b.Layout(), Mode: m, Keys: keys, Factory: factory, Product: product, Board: board}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "provisioned MCUboot %s %s in %s: %s, %d bootloader key(s), primary slot: %s\n",
		board, product, state, m, len(keys), slotSummary(factory))
	fmt.Fprintf(e.stdout, "run `signbox device boot --state %s`\n", state)
	return nil
}

// mcubootOnly lists the flags that only make sense for one family.
func familyFlagsErr(family string, set []string) error {
	if len(set) == 0 {
		return nil
	}
	return usageErr("%s only applies to the other device family, not %s", strings.Join(set, ", "), family)
}
