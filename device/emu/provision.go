package emu

import (
	"errors"
	"fmt"
	"time"

	"signbox/device/esp"
)

// ProvisionConfig is what a factory station burns and flashes.
type ProvisionConfig struct {
	Chip   esp.Chip
	Layout Layout
	// Product is the policy's product id the device is (required):
	// install refuses bundles whose manifest names another.
	Product string
	// HardwareRevision is the board revision (optional); ChipRevision the
	// silicon revision as major*100+minor. Both are recorded on the
	// device's [Nameplate].
	HardwareRevision string
	ChipRevision     uint16
	// KeyDigests go into eFuse key slots 0, 1, ... (1 to 3 of them), as
	// printed by `espsecure digest_sbv2_public_key`; see esp.KeyDigest.
	KeyDigests [][32]byte
	// Bootloader and App are signed images; App goes into ota_0.
	Bootloader, App []byte
	// SecureDownload burns ENABLE_SECURITY_DOWNLOAD (flash and
	// security-info commands only) instead of disabling ROM download mode
	// entirely with DIS_DOWNLOAD_MODE.
	SecureDownload bool
	// Now is the provisioning station's clock. With it, ProvisionDir gives
	// the device an [Identity] and its own audit log, and the device keeps
	// the clock until it is saved (see [Device.SetClock]); without it the
	// device has no audit log. In-memory Provision ignores it.
	Now func() time.Time
}

// ProvisionResult describes a freshly provisioned device.
type ProvisionResult struct {
	Device     *Device
	Bootloader esp.Verified
	App        AppInfo
}

// Provision makes a blank device and provisions it: key digests first,
// then both images are checked against them (nothing else is written if
// they fail), then bootloader, partition table, erased otadata and the app
// in ota_0 are flashed, and last SECURE_BOOT_EN, the JTAG disables and the
// download-mode eFuse are burned. The eFuse secure version stays 0: the
// first boot raises it to the app's (ESP-IDF does so from blank otadata).
func Provision(cfg ProvisionConfig) (ProvisionResult, error) {
	return provisionWith(cfg, nil)
}

// provisionWith provisions with the device's audit log attached, so the
// provisioning itself is its first event.
func provisionWith(cfg ProvisionConfig, log *auditSink) (ProvisionResult, error) {
	d, err := New(cfg.Chip, cfg.Layout)
	if err != nil {
		return ProvisionResult{}, err
	}
	d.audit = log
	d.plate = cfg.nameplate()
	res, err := d.provision(cfg)
	res.Device = d
	ev := provisionEvent{Chip: cfg.Chip.String(), Product: cfg.Product, HardwareRevision: cfg.HardwareRevision,
		Keys: len(cfg.KeyDigests), AppVersion: res.App.Version}
	if err != nil {
		ev.Error = err.Error()
	}
	return res, errors.Join(err, d.record(EventProvision, ev))
}

type provisionEvent struct {
	Chip             string `json:"chip"`
	Product          string `json:"product"`
	HardwareRevision string `json:"hardware_revision,omitempty"`
	Keys             int    `json:"keys"`
	AppVersion       string `json:"app_version,omitempty"`
	Error            string `json:"error,omitempty"`
}

func (cfg ProvisionConfig) nameplate() Nameplate {
	return Nameplate{Product: cfg.Product, HardwareRevision: cfg.HardwareRevision, ChipRevision: cfg.ChipRevision}
}

func (d *Device) provision(cfg ProvisionConfig) (ProvisionResult, error) {
	var res ProvisionResult
	if err := d.plate.validate(); err != nil {
		return res, fmt.Errorf("provision: %w", err)
	}
	if err := d.checkChipConfig(cfg); err != nil {
		return res, fmt.Errorf("provision: %w", err)
	}
	for i, dg := range cfg.KeyDigests {
		if err := d.efuse.BurnKeyDigest(i, dg); err != nil {
			return res, fmt.Errorf("provision: %w", err)
		}
	}
	if len(cfg.Bootloader) > BootloaderMax {
		return res, fmt.Errorf("provision: bootloader: %w: %d bytes, at most %d before the partition table", ErrTooLarge, len(cfg.Bootloader), BootloaderMax)
	}
	bimg, err := esp.ParseImage(cfg.Bootloader)
	if err != nil {
		return res, fmt.Errorf("provision: bootloader: %w", err)
	}
	if res.Bootloader, err = d.checkImage(bimg, esp.KindBootloader, -1); err != nil {
		return res, fmt.Errorf("provision: bootloader: %w", err)
	}
	ota0 := cfg.Layout.partitions()[1]
	if res.App, err = d.checkUpdate(cfg.App, ota0, d.floorOf(0)); err != nil {
		return res, fmt.Errorf("provision: app: %w", err)
	}
	if err := d.flashFactory(cfg); err != nil {
		return res, fmt.Errorf("provision: %w", err)
	}
	flags := SecureBootEn | d.efuse.jtagFlags() | DisDownloadMode
	if cfg.SecureDownload {
		flags = SecureBootEn | d.efuse.jtagFlags() | EnableSecurityDownload
	}
	if err := d.efuse.BurnFlags(flags); err != nil {
		return res, fmt.Errorf("provision: %w", err)
	}
	return res, nil
}

// checkChipConfig applies the chip's facts (esp.Chip) to what the factory
// asks for: as many key digests as the chip has slots, a silicon revision
// whose ROM does Secure Boot V2 (ESP32 v3.0 and later), secure download
// mode only where the chip has it.
func (d *Device) checkChipConfig(cfg ProvisionConfig) error {
	if n := d.chip.KeySlots(); len(cfg.KeyDigests) == 0 || len(cfg.KeyDigests) > n {
		return fmt.Errorf("%d key digests, want 1 to %d: %s has %d key digest slot(s)", len(cfg.KeyDigests), n, d.chip, n)
	}
	if r := d.chip.MinRevisionSBV2(); cfg.ChipRevision < r {
		return fmt.Errorf("%w: %s %s; Secure Boot V2 needs %s or later", esp.ErrChipRevision, d.chip,
			ChipRevisionString(cfg.ChipRevision), ChipRevisionString(r))
	}
	if cfg.SecureDownload && d.chip.EFuseNames().SecureDownload == "" {
		return fmt.Errorf("%w: %s has no secure download mode (no ENABLE_SECURITY_DOWNLOAD)", ErrNoSuchEFuse, d.chip)
	}
	return nil
}

// flashFactory writes what esptool's write_flash would at the factory.
func (d *Device) flashFactory(cfg ProvisionConfig) error {
	table, err := EncodePartitionTable(cfg.Layout.partitions())
	if err != nil {
		return err
	}
	if err := d.flash.write(BootloaderOffset, cfg.Bootloader); err != nil {
		return fmt.Errorf("bootloader: %w", err)
	}
	if err := d.flash.write(PartitionTableOffset, table); err != nil {
		return fmt.Errorf("partition table: %w", err)
	}
	if err := d.flash.Erase(otadataOffset, otadataSize); err != nil {
		return fmt.Errorf("otadata: %w", err)
	}
	if err := d.flash.write(firstAppOffset, cfg.App); err != nil {
		return fmt.Errorf("ota_0: %w", err)
	}
	return nil
}
