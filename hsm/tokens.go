//go:build cgo

package hsm

import (
	"fmt"
	"strings"

	"github.com/miekg/pkcs11"
)

// ListTokens lists the initialised tokens of the PKCS#11 library at
// modulePath. It needs no PIN.
func ListTokens(modulePath string) ([]TokenSummary, error) {
	m, err := acquireModule(modulePath)
	if err != nil {
		return nil, err
	}
	defer m.release()
	return m.tokens(modulePath)
}

func (m *module) tokens(modulePath string) ([]TokenSummary, error) {
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("C_GetSlotList: %w", err)
	}
	var out []TokenSummary
	for _, slot := range slots {
		ti, err := m.ctx.GetTokenInfo(slot)
		if err != nil {
			return nil, fmt.Errorf("C_GetTokenInfo slot %d: %w", slot, err)
		}
		if ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			continue
		}
		out = append(out, summarize(slot, ti, modulePath))
	}
	return out, nil
}

func summarize(slot uint, ti pkcs11.TokenInfo, modulePath string) TokenSummary {
	s := TokenSummary{
		SlotID:       slot,
		Label:        trimPad(ti.Label),
		Serial:       trimPad(ti.SerialNumber),
		Manufacturer: trimPad(ti.ManufacturerID),
		Model:        trimPad(ti.Model),
		PINLocked:    ti.Flags&pkcs11.CKF_USER_PIN_LOCKED != 0,
		PINCountLow:  ti.Flags&pkcs11.CKF_USER_PIN_COUNT_LOW != 0,
		PINFinalTry:  ti.Flags&pkcs11.CKF_USER_PIN_FINAL_TRY != 0,
	}
	s.URI = URI{Token: s.Label, Serial: s.Serial, ModulePath: modulePath}.String()
	return s
}

// trimPad strips the blank padding of PKCS#11 fixed-width strings.
func trimPad(s string) string { return strings.TrimRight(s, " \x00") }

// selectToken finds the single token matching every selector in u.
func (m *module) selectToken(u URI) (TokenSummary, error) {
	if u.Token == "" && u.Serial == "" && u.SlotID == nil {
		return TokenSummary{}, fmt.Errorf("pkcs11 URI selects no token: give token=, serial= or slot-id=")
	}
	all, err := m.tokens(u.ModulePath)
	if err != nil {
		return TokenSummary{}, err
	}
	hits, err := m.matching(u, all)
	if err != nil {
		return TokenSummary{}, err
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		e := &TokenNotFoundError{Want: selector(u)}
		for _, t := range all {
			e.Available = append(e.Available, t.String())
		}
		return TokenSummary{}, e
	default:
		return TokenSummary{}, fmt.Errorf("%d tokens match %s; add serial= to pick one: %v", len(hits), selector(u), hits)
	}
}

func selector(u URI) string {
	var parts []string
	if u.Token != "" {
		parts = append(parts, fmt.Sprintf("token=%q", u.Token))
	}
	if u.Serial != "" {
		parts = append(parts, fmt.Sprintf("serial=%q", u.Serial))
	}
	if u.SlotID != nil {
		parts = append(parts, fmt.Sprintf("slot-id=%d", *u.SlotID))
	}
	for _, a := range [][2]string{{"manufacturer", u.Manufacturer}, {"model", u.Model},
		{"slot-description", u.SlotDescription}, {"slot-manufacturer", u.SlotManufacturer},
		{"library-manufacturer", u.LibraryManufacturer}, {"library-description", u.LibraryDescription},
		{"library-version", u.LibraryVersion}} {
		if a[1] != "" {
			parts = append(parts, fmt.Sprintf("%s=%q", a[0], a[1]))
		}
	}
	return strings.Join(parts, " ")
}
