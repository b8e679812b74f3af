package main

import (
	"encoding/hex"
	"fmt"

	"signbox/device/emu"
)

// `device status --format json` (docs/cli-json.md).

type deviceKeyJSON struct {
	Slot    int    `json:"slot"`
	Digest  string `json:"digest"` // hex, empty when the slot is unused
	Used    bool   `json:"used"`
	Revoked bool   `json:"revoked"`
}

type deviceAppJSON struct {
	Version       string `json:"version"`
	Project       string `json:"project"`
	SecureVersion int    `json:"secure_version"`
	KeySlot       int    `json:"key_slot"`
	SHA256        string `json:"sha256"`
	Size          int    `json:"size"`
}

type deviceSlotJSON struct {
	Label   string         `json:"label"`
	App     *deviceAppJSON `json:"app"` // null when the slot holds no app that verifies
	Problem string         `json:"problem,omitempty"`
}

type deviceStatusJSON struct {
	Chip             string           `json:"chip"`
	Product          string           `json:"product"`
	SecureBoot       bool             `json:"secure_boot"`
	JTAGDisabled     bool             `json:"jtag_disabled"`
	DownloadDisabled bool             `json:"download_disabled"`
	SecureDownload   bool             `json:"secure_download"`
	SecureVersion    int              `json:"secure_version"`
	Floor            int              `json:"floor"`
	FloorPending     bool             `json:"floor_pending"`
	Keys             []deviceKeyJSON  `json:"keys"`
	Bootloader       string           `json:"bootloader"`
	PartitionTable   string           `json:"partition_table"`
	Slots            []deviceSlotJSON `json:"slots"`
	Running          int              `json:"running"`
}

func deviceStatusJSONOf(s emu.Status) deviceStatusJSON {
	out := deviceStatusJSON{Chip: fmt.Sprint(s.Chip), Product: s.Nameplate.Product, SecureBoot: s.SecureBoot, JTAGDisabled: s.JTAGDisabled,
		DownloadDisabled: s.DownloadDisabled, SecureDownload: s.SecureDownload, SecureVersion: s.SecureVersion,
		Floor: s.Floor.Value, FloorPending: s.Floor.Pending, Keys: []deviceKeyJSON{}, Bootloader: s.Bootloader,
		PartitionTable: s.PartitionTable, Slots: []deviceSlotJSON{}, Running: s.Running}
	for _, k := range s.Keys {
		kj := deviceKeyJSON{Slot: k.Slot, Used: k.Used, Revoked: k.Revoked}
		if k.Used {
			kj.Digest = hex.EncodeToString(k.Digest[:])
		}
		out.Keys = append(out.Keys, kj)
	}
	for _, sl := range s.Slots {
		sj := deviceSlotJSON{Label: sl.Label, Problem: sl.Problem}
		if a := sl.App; a != nil {
			sj.App = &deviceAppJSON{Version: a.Version, Project: a.Project, SecureVersion: a.SecureVersion, KeySlot: a.KeySlot,
				SHA256: hex.EncodeToString(a.SHA256[:]), Size: a.Size}
		}
		out.Slots = append(out.Slots, sj)
	}
	return out
}
