package emu

import (
	"fmt"
	"strings"
)

// TraceStep is one line of a boot trace.
type TraceStep struct {
	Stage string // "rom", "bootloader" or "app"
	Msg   string
}

// BootTrace is what one boot did, in order, and how it ended.
type BootTrace struct {
	Steps []TraceStep
	// Slot is the booted OTA slot, -1 if nothing booted.
	Slot int
	// App describes the booted app (zero if nothing booted).
	App AppInfo
	// SecureVersion is the eFuse anti-rollback value after the boot.
	SecureVersion int
}

// Booted reports whether an app is running.
func (t *BootTrace) Booted() bool { return t.Slot >= 0 }

func (t *BootTrace) add(stage, format string, args ...any) {
	t.Steps = append(t.Steps, TraceStep{Stage: stage, Msg: fmt.Sprintf(format, args...)})
}

// String renders the trace as the chip's console would, one step per line.
func (t *BootTrace) String() string {
	var b strings.Builder
	for _, s := range t.Steps {
		fmt.Fprintf(&b, "%-12s%s\n", s.Stage+":", s.Msg)
	}
	return b.String()
}

// AppInfo describes a verified app image.
type AppInfo struct {
	Version       string
	Project       string
	SecureVersion int
	KeySlot       int      // eFuse key slot whose digest verified it
	SHA256        [32]byte // of the image file as written (image, padding, signature sector)
	Size          int
}
