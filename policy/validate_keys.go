package policy

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
)

var labelPattern = idPattern

// secureBootAlgorithms are the SBV2 schemes (esp-idf-formats.md §1).
var secureBootAlgorithms = []Algorithm{RSA3072, ECDSAP256, ECDSAP384}

// firmwareAlgorithms are the keys.firmware algorithms: what MCUboot
// verifies (device/profile's MCUboot family; mcuboot-formats.md §2).
var firmwareAlgorithms = []Algorithm{RSA2048, RSA3072, ECDSAP256, ECDSAP384, Ed25519}

func (k *Keys) validate(path string, needSecureBoot bool) error {
	if len(k.SecureBoot) == 0 && needSecureBoot {
		return fmt.Errorf("%s.secure_boot: at least one Secure Boot key is required", path)
	}
	if len(k.SecureBoot) > MaxSecureBootSlots {
		return fmt.Errorf("%s.secure_boot: %d keys, but chips have only %d slots", path, len(k.SecureBoot), MaxSecureBootSlots)
	}
	labels := map[string]string{}
	slots := map[int]int{}
	for i := range k.SecureBoot {
		sb := &k.SecureBoot[i]
		p := fieldIndex(path+".secure_boot", i)
		if sb.Slot < 0 || sb.Slot >= MaxSecureBootSlots {
			return fmt.Errorf("%s.slot: %d is not an eFuse key slot (0-%d)", p, sb.Slot, MaxSecureBootSlots-1)
		}
		if j, dup := slots[sb.Slot]; dup {
			return fmt.Errorf("%s.slot: slot %d is already %s", p, sb.Slot, fieldIndex(path+".secure_boot", j))
		}
		slots[sb.Slot] = i
		if !slices.Contains(secureBootAlgorithms, sb.Algorithm) {
			return fmt.Errorf("%s.algorithm: %q is not a Secure Boot V2 scheme (want rsa-3072, ecdsa-p256 or ecdsa-p384)", p, sb.Algorithm)
		}
		if sb.Algorithm != k.SecureBoot[0].Algorithm {
			// A chip verifies with one scheme, fixed by its eFuses.
			return fmt.Errorf("%s.algorithm: %s differs from slot %d's %s; a chip uses one scheme", p, sb.Algorithm, k.SecureBoot[0].Slot, k.SecureBoot[0].Algorithm)
		}
		if err := sb.Key.validate(p, labels); err != nil {
			return err
		}
	}
	for i := range k.Firmware {
		if err := k.validateSingle(fieldIndex(path+".firmware", i), &k.Firmware[i], firmwareAlgorithms, labels); err != nil {
			return err
		}
	}
	if err := k.validateSingle(path+".release_bundle", k.ReleaseBundle, []Algorithm{ECDSAP256, ECDSAP384, RSA3072, Ed25519}, labels); err != nil {
		return err
	}
	if err := k.validateSingle(path+".audit_mac", k.AuditMAC, []Algorithm{HMACSHA256}, labels); err != nil {
		return err
	}
	if err := k.validateSingle(path+".audit_checkpoint", k.AuditCheckpoint, []Algorithm{Ed25519}, labels); err != nil {
		return err
	}
	for _, a := range []struct {
		path string
		key  *Key
	}{{path + ".audit_mac", k.AuditMAC}, {path + ".audit_checkpoint", k.AuditCheckpoint}} {
		if a.key.Backup {
			return fmt.Errorf("%s.backup: the audit keys live on the operator's audit token, which appliance backups do not cover", a.path)
		}
	}
	return nil
}

func (k *Keys) validateSingle(path string, key *Key, algs []Algorithm, labels map[string]string) error {
	if key == nil {
		return fmt.Errorf("%s: required", path)
	}
	if !slices.Contains(algs, key.Algorithm) {
		return fmt.Errorf("%s.algorithm: %q is not allowed here (want one of %v)", path, key.Algorithm, algs)
	}
	return key.validate(path, labels)
}

func (key *Key) validate(path string, labels map[string]string) error {
	if !labelPattern.MatchString(key.Label) {
		return fmt.Errorf("%s.label: %q must be 1-63 of a-z 0-9 . _ - starting with a letter or digit", path, key.Label)
	}
	if other, dup := labels[key.Label]; dup {
		return fmt.Errorf("%s.label: %q is already used by %s", path, key.Label, other)
	}
	labels[key.Label] = path
	switch key.Status {
	case StatusPlanned:
		if key.Fingerprint != "" {
			return fmt.Errorf("%s.fingerprint: a planned key has no fingerprint yet", path)
		}
		return nil
	case StatusActive, StatusRevoked:
	default:
		return fmt.Errorf("%s.status: unknown status %q (want planned, active or revoked)", path, key.Status)
	}
	if key.Algorithm == HMACSHA256 {
		if key.Fingerprint != "" {
			return fmt.Errorf("%s.fingerprint: a secret key has no public half to pin", path)
		}
		return nil
	}
	if key.Fingerprint == "" {
		return fmt.Errorf("%s.fingerprint: required for an %s key", path, key.Status)
	}
	if err := checkFingerprintSyntax(key.Fingerprint); err != nil {
		return fmt.Errorf("%s.fingerprint: %w", path, err)
	}
	return nil
}

// checkApprovalKeyType accepts the key types a personal token can sign
// approvals with and ceremony can verify.
func checkApprovalKeyType(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return errors.New("ECDSA keys must be P-256 or P-384")
		}
	case *rsa.PublicKey:
		if k.N.BitLen() < 3072 {
			return fmt.Errorf("RSA key has %d bits, want at least 3072", k.N.BitLen())
		}
	case ed25519.PublicKey:
	default:
		return fmt.Errorf("unsupported key type %T", pub)
	}
	return nil
}

// AlgorithmOf names the algorithm of a public key, so a generated or
// loaded key can be compared with the inventory.
func AlgorithmOf(pub crypto.PublicKey) (Algorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return ECDSAP256, nil
		case elliptic.P384():
			return ECDSAP384, nil
		}
	case *rsa.PublicKey:
		switch k.N.BitLen() {
		case 3072:
			return RSA3072, nil
		case 2048:
			return RSA2048, nil // allowed only where the inventory allows it: keys.firmware
		}
	case ed25519.PublicKey:
		return Ed25519, nil
	}
	return "", fmt.Errorf("unsupported key %T", pub)
}
