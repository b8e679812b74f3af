package emu

import (
	"encoding/hex"
	"fmt"
	"strings"

	"signbox/device/esp"
)

// KeyStatus is one eFuse key digest slot.
type KeyStatus struct {
	Slot    int
	Digest  [32]byte
	Used    bool
	Revoked bool
}

// SlotStatus is one OTA slot as the bootloader would see it now.
type SlotStatus struct {
	Label   string
	App     *AppInfo // nil if the slot holds no app that verifies
	Problem string   // why App is nil
}

// Status is a read-only snapshot of the device.
type Status struct {
	Chip             esp.Chip
	Nameplate        Nameplate
	SecureBoot       bool
	JTAGDisabled     bool
	DownloadDisabled bool
	SecureDownload   bool
	SecureVersion    int
	Floor            Floor // what the installer checks; above SecureVersion while a raise is pending
	Keys             [KeySlots]KeyStatus
	Bootloader       string // "verified (...)" or the ROM's complaint
	PartitionTable   string // "ok" or the problem
	OTA              [2]esp.OTAEntry
	Slots            [2]SlotStatus
	Running          int
	Audit            *AuditStatus // nil for a device without its own audit log
}

// Status reports the device without writing anything.
func (d *Device) Status() Status {
	s := Status{
		Chip: d.chip, Nameplate: d.plate, SecureBoot: d.efuse.Flag(SecureBootEn),
		JTAGDisabled:     d.efuse.JTAGDisabled(),
		DownloadDisabled: d.efuse.Flag(DisDownloadMode),
		SecureDownload:   d.efuse.Flag(EnableSecurityDownload),
		SecureVersion:    d.efuse.SecureVersion(),
		Running:          d.running,
		PartitionTable:   "ok",
		Audit:            d.auditStatus(),
		Floor:            d.floorOf(0),
	}
	for i := range KeySlots {
		dg, used := d.efuse.KeyDigest(i)
		s.Keys[i] = KeyStatus{Slot: i, Digest: dg, Used: used, Revoked: d.efuse.Revoked(i)}
	}
	region, _ := d.flash.view(BootloaderOffset, BootloaderMax)
	if v, err := d.checkBootloader(region, -1); err != nil {
		s.Bootloader = err.Error()
	} else {
		s.Bootloader = fmt.Sprintf("verified (%s, key slot %d, secure_version %d)", v.Scheme(), v.Slot(), v.SecureVersion())
	}
	m, err := d.readMap()
	if err != nil {
		s.PartitionTable = err.Error()
		return s
	}
	s.Floor = d.floor(m)
	s.OTA, _ = d.readOTA(m)
	for i, p := range m.slots {
		s.Slots[i].Label = p.Label
		if info, err := d.verifySlot(p, -1); err != nil {
			s.Slots[i].Problem = strings.TrimPrefix(err.Error(), p.Label+": ")
		} else {
			s.Slots[i].App = &info
		}
	}
	return s
}

// String renders the status for a terminal.
func (s Status) String() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("chip:             %s", s.Chip)
	w("product:          %s", describePlate(s.Nameplate))
	w("secure boot:      %s", onOff(s.SecureBoot))
	w("JTAG disabled:    %s", yesNo(s.JTAGDisabled))
	w("download mode:    %s", downloadMode(s))
	if s.Floor.Pending {
		w("secure version:   %d (eFuse), %d confirmed: the next boot burns it; installs below it are refused", s.SecureVersion, s.Floor.Value)
	} else {
		w("secure version:   %d (eFuse)", s.SecureVersion)
	}
	for _, k := range s.Keys[:s.Chip.KeySlots()] {
		dg := hex.EncodeToString(k.Digest[:s.Chip.DigestLen()]) // ESP32-C2 keeps 128 bits
		switch {
		case !k.Used:
			w("key slot %d:       empty", k.Slot)
		case k.Revoked:
			w("key slot %d:       %s REVOKED", k.Slot, dg)
		default:
			w("key slot %d:       %s", k.Slot, dg)
		}
	}
	w("bootloader:       %s", s.Bootloader)
	w("partition table:  %s", s.PartitionTable)
	for i, e := range s.OTA {
		w("otadata[%d]:       %s", i, describeEntry(e))
	}
	for i, sl := range s.Slots {
		if sl.App == nil {
			w("ota_%d:            %s", i, sl.Problem)
			continue
		}
		mark := ""
		if s.Running == i {
			mark = "  [running]"
		}
		w("ota_%d:            %s %s, secure_version %d, key slot %d, sha256 %x%s",
			i, sl.App.Project, sl.App.Version, sl.App.SecureVersion, sl.App.KeySlot, sl.App.SHA256[:8], mark)
	}
	if s.Running < 0 {
		w("running:          nothing (boot the device)")
	}
	if a := s.Audit; a != nil {
		switch {
		case a.Problem != "":
			w("audit log:        %s: %s", a.Origin, a.Problem)
		case a.Pending > 0:
			w("audit log:        %s, %d entries, %d unsaved", a.Origin, a.Entries, a.Pending)
		default:
			w("audit log:        %s, %d entries", a.Origin, a.Entries)
		}
		w("audit vkey:       %s", a.VerifierKey)
	}
	return b.String()
}

func describePlate(n Nameplate) string {
	if n.Product == "" {
		return "none recorded (provisioned before devices recorded their product)"
	}
	s := n.Product
	if n.HardwareRevision != "" {
		s += ", hardware " + n.HardwareRevision
	}
	return s + ", chip revision " + ChipRevisionString(n.ChipRevision)
}

func onOff(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func downloadMode(s Status) string {
	switch {
	case s.DownloadDisabled:
		return "disabled"
	case s.SecureDownload:
		return "secure download only"
	}
	return "enabled"
}
