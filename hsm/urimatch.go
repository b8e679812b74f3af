//go:build cgo

package hsm

import (
	"fmt"
	"strings"
)

// tokenMatches checks u's token attributes (RFC 7512 §2.3: token, serial,
// manufacturer, model) and slot-id against a token.
func tokenMatches(u URI, t TokenSummary) bool {
	return eq(u.Token, t.Label) && eq(u.Serial, t.Serial) && eq(u.Manufacturer, t.Manufacturer) &&
		eq(u.Model, t.Model) && (u.SlotID == nil || t.SlotID == *u.SlotID)
}

// eq: an attribute the URI does not give matches anything.
func eq(want, got string) bool { return want == "" || want == got }

// libraryMatches checks u's library attributes against C_GetInfo.
func (m *module) libraryMatches(u URI) (bool, error) {
	if u.LibraryManufacturer == "" && u.LibraryDescription == "" && u.LibraryVersion == "" {
		return true, nil
	}
	info, err := m.ctx.GetInfo()
	if err != nil {
		return false, fmt.Errorf("C_GetInfo: %w", err)
	}
	if u.LibraryVersion != "" {
		maj, min, _ := parseLibraryVersion(u.LibraryVersion) // checked at parse
		if maj != info.LibraryVersion.Major || (strings.Contains(u.LibraryVersion, ".") && min != info.LibraryVersion.Minor) {
			return false, nil
		}
	}
	return eq(u.LibraryManufacturer, trimPad(info.ManufacturerID)) && eq(u.LibraryDescription, trimPad(info.LibraryDescription)), nil
}

// slotMatches checks u's slot attributes against C_GetSlotInfo.
func (m *module) slotMatches(u URI, slot uint) (bool, error) {
	if u.SlotDescription == "" && u.SlotManufacturer == "" {
		return true, nil
	}
	si, err := m.ctx.GetSlotInfo(slot)
	if err != nil {
		return false, fmt.Errorf("C_GetSlotInfo slot %d: %w", slot, err)
	}
	return eq(u.SlotDescription, trimPad(si.SlotDescription)) && eq(u.SlotManufacturer, trimPad(si.ManufacturerID)), nil
}

// matching returns the tokens every library, slot and token attribute of
// u matches.
func (m *module) matching(u URI, all []TokenSummary) ([]TokenSummary, error) {
	lib, err := m.libraryMatches(u)
	if err != nil || !lib {
		return nil, err
	}
	var hits []TokenSummary
	for _, t := range all {
		if !tokenMatches(u, t) {
			continue
		}
		ok, err := m.slotMatches(u, t.SlotID)
		if err != nil {
			return nil, err
		}
		if ok {
			hits = append(hits, t)
		}
	}
	return hits, nil
}
