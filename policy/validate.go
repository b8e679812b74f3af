package policy

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"signbox/device/esp"
	"signbox/device/profile"
)

// idPattern keeps names usable in file names and easy to read aloud.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Chips lists the targets whose Secure Boot V2 scheme signbox knows
// (esp-idf-formats.md §1).
var Chips = []string{"esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5", "esp32c6", "esp32h2", "esp32p4"}

// MinThreshold is the smallest quorum a policy may set: nobody signs alone.
const MinThreshold = 2

func (p *Policy) validate() error {
	if p.Version != FormatVersion {
		return fmt.Errorf("version: policy format %d is not supported (this build reads %d)", p.Version, FormatVersion)
	}
	if !idPattern.MatchString(p.Name) {
		return fmt.Errorf("name: %q must be 1-63 of a-z 0-9 . _ - starting with a letter or digit", p.Name)
	}
	if p.Serial == 0 {
		return errors.New("serial: must be 1 or more")
	}
	if err := p.validateProducts(); err != nil {
		return err
	}
	if err := p.validateCustodians(); err != nil {
		return err
	}
	if err := p.validateQuorums(); err != nil {
		return err
	}
	if err := p.validateCustody(); err != nil {
		return err
	}
	if err := p.Keys.validate("keys", p.hasFamily(FamilyESP32)); err != nil {
		return err
	}
	if err := p.validateProductKeys(); err != nil {
		return err
	}
	if err := p.validateDistinctKeys(); err != nil {
		return err
	}
	if err := p.validateChipSchemes(); err != nil {
		return err
	}
	if err := p.Manufacturer.validate("manufacturer"); err != nil {
		return err
	}
	if err := p.Release.validate("release"); err != nil {
		return err
	}
	return p.validateChipSecurityVersion()
}

func (p *Policy) validateProducts() error {
	if len(p.Products) == 0 {
		return errors.New("products: at least one product is required")
	}
	seen := map[string]int{}
	for i := range p.Products {
		path := fieldIndex("products", i)
		if err := p.Products[i].validate(path); err != nil {
			return err
		}
		if j, dup := seen[p.Products[i].ID]; dup {
			return fmt.Errorf("%s.id: %q is already products[%d]", path, p.Products[i].ID, j)
		}
		seen[p.Products[i].ID] = i
	}
	return nil
}

// secureBootSchemes maps the policy's Secure Boot algorithms to the
// schemes of signbox/device/esp, whose per-chip table says which ones each
// chip's ROM verifies (esp-idf-formats.md §1, from soc_caps.h).
var secureBootSchemes = map[Algorithm]esp.Scheme{
	RSA3072: esp.SchemeRSA3072, ECDSAP256: esp.SchemeECDSAP256, ECDSAP384: esp.SchemeECDSAP384,
}

// chipAlgorithms lists the policy algorithms a chip verifies.
func chipAlgorithms(c esp.Chip) []Algorithm {
	var out []Algorithm
	for _, a := range []Algorithm{RSA3072, ECDSAP256, ECDSAP384} {
		if c.Supports(secureBootSchemes[a]) {
			out = append(out, a)
		}
	}
	return out
}

// validateChipSchemes makes sure every product's chip can verify the
// Secure Boot keys; otherwise every release would be unbootable.
func (p *Policy) validateChipSchemes() error {
	if len(p.Keys.SecureBoot) == 0 {
		return nil // no esp32 product: Keys.validate required them otherwise
	}
	alg := p.Keys.SecureBoot[0].Algorithm
	for i, pr := range p.Products {
		if pr.FamilyName() != FamilyESP32 {
			continue
		}
		chip, _ := esp.ParseChip(pr.Chip) // known: validateProducts ran first
		if s, ok := secureBootSchemes[alg]; !ok || !chip.Supports(s) {
			return fmt.Errorf("%s.chip: %s cannot verify %s Secure Boot signatures (it supports %v)", fieldIndex("products", i), pr.Chip, alg, chipAlgorithms(chip))
		}
	}
	return nil
}

// validateChipSecurityVersion ties release.security_version.max to the
// products' chips: a version beyond a chip's SECURE_VERSION eFuse field
// could never be recorded there, so the device could not hold its floor.
func (p *Policy) validateChipSecurityVersion() error {
	limit := p.Release.SecurityVersion.Max
	for i, pr := range p.Products {
		if pr.FamilyName() != FamilyESP32 {
			continue // MCUboot's SEC_CNT and hardware counter are 32 bits
		}
		chip, _ := esp.ParseChip(pr.Chip)
		if bits := chip.SecureVersionBits(); limit > bits {
			return fmt.Errorf("release.security_version.max: %d is more than %s (%s) can record: the %s SECURE_VERSION eFuse field has %d bits",
				limit, fieldIndex("products", i), pr.ID, chip, bits)
		}
	}
	return nil
}

func (pr *Product) validate(path string) error {
	if !idPattern.MatchString(pr.ID) {
		return fmt.Errorf("%s.id: %q must be 1-63 of a-z 0-9 . _ - starting with a letter or digit", path, pr.ID)
	}
	fam, err := profile.Lookup(pr.FamilyName())
	if err != nil {
		return fmt.Errorf("%s.family: %w", path, err)
	}
	switch fam.Name() {
	case FamilyESP32:
		if !slices.Contains(Chips, pr.Chip) {
			return fmt.Errorf("%s.chip: unknown chip %q (known: %v)", path, pr.Chip, Chips)
		}
		if pr.Board != "" || pr.Key != "" {
			return fmt.Errorf("%s: an esp32 product names a chip and is signed with keys.secure_boot; board and key are for mcuboot products", path)
		}
	case FamilyMCUboot:
		if pr.Chip != "" {
			return fmt.Errorf("%s.chip: an mcuboot product names its board, not a chip", path)
		}
		if err := profile.CheckTarget(fam, pr.Board); err != nil {
			return fmt.Errorf("%s.board: %w", path, err)
		}
		if pr.Key == "" {
			return fmt.Errorf("%s.key: an mcuboot product names its signing key in keys.firmware", path)
		}
	}
	return nil
}

// hasFamily reports whether any product is of family f.
func (p *Policy) hasFamily(f string) bool {
	return slices.ContainsFunc(p.Products, func(pr Product) bool { return pr.FamilyName() == f })
}

// validateProductKeys ties each mcuboot product to a keys.firmware key its
// board's bootloader can verify.
func (p *Policy) validateProductKeys() error {
	for i, pr := range p.Products {
		if pr.FamilyName() == FamilyESP32 {
			continue
		}
		path := fieldIndex("products", i)
		k := p.FirmwareKey(pr.Key)
		if k == nil {
			return fmt.Errorf("%s.key: no key labelled %q in keys.firmware", path, pr.Key)
		}
		fam, _ := profile.Lookup(pr.FamilyName())
		algs, err := fam.Algorithms(pr.Target())
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if !slices.Contains(algs, string(k.Algorithm)) {
			return fmt.Errorf("%s.key: %s is %s; %s on %s verifies %v", path, k.Label, k.Algorithm, pr.Family, pr.Board, algs)
		}
	}
	return nil
}

func (p *Policy) validateCustodians() error {
	if len(p.Custodians) == 0 {
		return errors.New("custodians: at least one custodian is required")
	}
	names := map[string]int{}
	keys := map[string]int{}
	for i := range p.Custodians {
		c := &p.Custodians[i]
		path := fieldIndex("custodians", i)
		if err := c.validate(path); err != nil {
			return err
		}
		if j, dup := names[c.Name]; dup {
			return fmt.Errorf("%s.name: %q is already custodians[%d]", path, c.Name, j)
		}
		if j, dup := keys[c.fingerprint]; dup {
			return fmt.Errorf("%s.approval_key: same key as custodians[%d] (%s); one key is one person", path, j, p.Custodians[j].Name)
		}
		names[c.Name], keys[c.fingerprint] = i, i
	}
	return nil
}

func (c *Custodian) validate(path string) error {
	if !idPattern.MatchString(c.Name) {
		return fmt.Errorf("%s.name: %q must be 1-63 of a-z 0-9 . _ - starting with a letter or digit", path, c.Name)
	}
	switch c.Role {
	case RoleCustodian, RoleReleaseManager, RoleWitness:
	default:
		return fmt.Errorf("%s.role: unknown role %q (want custodian, release-manager or witness)", path, c.Role)
	}
	pub, err := ParsePublicKeyPEM(c.ApprovalKey)
	if err != nil {
		return fmt.Errorf("%s.approval_key: %w", path, err)
	}
	if err := checkApprovalKeyType(pub); err != nil {
		return fmt.Errorf("%s.approval_key: %w", path, err)
	}
	fp, err := Fingerprint(pub)
	if err != nil {
		return fmt.Errorf("%s.approval_key: %w", path, err)
	}
	c.pub, c.fingerprint = pub, fp
	return c.parseShareKey(path)
}

func (p *Policy) validateQuorums() error {
	for _, k := range Kinds {
		path := "quorum." + string(k)
		r := p.Rule(k)
		if r == nil {
			return fmt.Errorf("%s: required", path)
		}
		if err := r.validate(path); err != nil {
			return err
		}
		eligible := 0
		for _, c := range p.Custodians {
			if r.Allows(c.Role) {
				eligible++
			}
		}
		if r.Threshold > eligible {
			return fmt.Errorf("%s.threshold: %d can never be met: only %d custodians hold roles %v", path, r.Threshold, eligible, r.Roles)
		}
	}
	return nil
}

func (q *QuorumRule) validate(path string) error {
	if q.Threshold < MinThreshold {
		return fmt.Errorf("%s.threshold: %d is below the minimum of %d; nobody may act alone", path, q.Threshold, MinThreshold)
	}
	if len(q.Roles) == 0 {
		return fmt.Errorf("%s.roles: at least one role is required", path)
	}
	for i, r := range q.Roles {
		switch r {
		case RoleCustodian, RoleReleaseManager, RoleWitness:
		default:
			return fmt.Errorf("%s: unknown role %q", fieldIndex(path+".roles", i), r)
		}
		if slices.Contains(q.Roles[:i], r) {
			return fmt.Errorf("%s: role %q listed twice", fieldIndex(path+".roles", i), r)
		}
	}
	return nil
}

// validateDistinctKeys refuses one key pinned in two places: two inventory
// entries, or an appliance key that is also someone's approval key (the
// appliance would then approve its own work).
func (p *Policy) validateDistinctKeys() error {
	seen := map[string]string{}
	for i, c := range p.Custodians {
		seen[c.fingerprint] = fieldIndex("custodians", i) + " (" + c.Name + ")"
	}
	for _, k := range p.AllKeys() {
		if k.Fingerprint == "" {
			continue
		}
		if other, dup := seen[k.Fingerprint]; dup {
			return fmt.Errorf("%s.fingerprint: same key as %s", k.Path, other)
		}
		seen[k.Fingerprint] = k.Path
	}
	return nil
}
