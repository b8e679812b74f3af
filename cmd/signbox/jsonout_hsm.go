package main

import (
	"fmt"

	"signbox/hsm"
)

// `hsm tokens` and `hsm keys` with --format json (docs/cli-json.md).

type hsmTokenJSON struct {
	Label        string `json:"label"`
	Serial       string `json:"serial"`
	Slot         uint   `json:"slot"`
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
	PINLocked    bool   `json:"pin_locked"`
	URI          string `json:"uri"`
}

type hsmTokensJSON struct {
	Module string         `json:"module"`
	Tokens []hsmTokenJSON `json:"tokens"`
}

type hsmKeyJSON struct {
	Label       string `json:"label"`
	Algorithm   string `json:"algorithm"` // empty for a key signbox cannot use
	ID          string `json:"id"`
	Fingerprint string `json:"fingerprint"`
	Backup      string `json:"backup"`
	Unusable    string `json:"unusable,omitempty"`
	URI         string `json:"uri"`
}

type hsmKeysJSON struct {
	Token string       `json:"token"`
	Keys  []hsmKeyJSON `json:"keys"`
}

func hsmTokensJSONOf(module string, toks []hsm.TokenSummary) hsmTokensJSON {
	out := hsmTokensJSON{Module: module, Tokens: []hsmTokenJSON{}}
	for _, t := range toks {
		out.Tokens = append(out.Tokens, hsmTokenJSON{Label: t.Label, Serial: t.Serial, Slot: uint(t.SlotID), Manufacturer: t.Manufacturer,
			Model: t.Model, PINLocked: t.PINLocked, URI: fmt.Sprint(t.URI)})
	}
	return out
}

func hsmKeysJSONOf(tok *hsm.Token, keys []hsm.KeyInfo) hsmKeysJSON {
	out := hsmKeysJSON{Token: tok.Info().Label, Keys: []hsmKeyJSON{}}
	for _, k := range keys {
		out.Keys = append(out.Keys, hsmKeyJSON{Label: k.Label, Algorithm: string(k.Algorithm), ID: k.IDHex(), Fingerprint: k.Fingerprint,
			Backup: backupNote(k), Unusable: k.Unusable, URI: tok.Info().KeyURI(k)})
	}
	return out
}
