package emu

import "strings"

// flagName ties a one-bit eFuse to its name on the device's chip ("" when
// the chip lacks it) and to the C3/S3 name used when reporting that.
type flagName struct {
	f             Flag
	name, generic string
}

// flagNames are the device chip's names for the modelled one-bit eFuses
// (esp.EFuseNames, from each chip's esp_efuse_table.csv).
func (e *EFuses) flagNames() []flagName {
	n := e.chip.EFuseNames()
	jtag := func(i int) string {
		if i < len(n.JTAG) {
			return n.JTAG[i]
		}
		return ""
	}
	return []flagName{
		{SecureBootEn, n.SecureBootEn, "SECURE_BOOT_EN"},
		{DisPadJTAG, jtag(0), "DIS_PAD_JTAG"},
		{DisUSBJTAG, jtag(1), "DIS_USB_JTAG"},
		{DisDownloadMode, n.Download, "DIS_DOWNLOAD_MODE"},
		{EnableSecurityDownload, n.SecureDownload, "ENABLE_SECURITY_DOWNLOAD"},
	}
}

func (e *EFuses) flagList(f Flag) string {
	var s []string
	for _, n := range e.flagNames() {
		if f&n.f != 0 {
			s = append(s, n.name)
		}
	}
	return strings.Join(s, "+")
}

// jtagFlags are the flags that disable every JTAG path the chip has.
func (e *EFuses) jtagFlags() Flag {
	f := DisPadJTAG
	if len(e.chip.EFuseNames().JTAG) > 1 {
		f |= DisUSBJTAG
	}
	return f
}

// JTAGDisabled reports whether every JTAG disable the chip has is burned.
func (e *EFuses) JTAGDisabled() bool {
	f := e.jtagFlags()
	return Flag(e.bits[offFlags])&f == f
}

// slotName fills a per-slot eFuse name ("BLOCK_KEY%d"); names without a
// slot number (ESP32's BLOCK2) are returned as they are.
func slotName(format string, i int) string {
	return strings.Replace(format, "%d", string(rune('0'+i)), 1)
}
