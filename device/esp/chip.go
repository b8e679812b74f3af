package esp

import "fmt"

// Chip is the chip_id field of the image header.
type Chip uint16

// Chip IDs (esp_app_format.h, esp_chip_id_t).
const (
	ESP32    Chip = 0
	ESP32S2  Chip = 2
	ESP32C3  Chip = 5
	ESP32S3  Chip = 9
	ESP32C2  Chip = 12
	ESP32C6  Chip = 13
	ESP32H2  Chip = 16
	ESP32P4  Chip = 18
	ESP32C61 Chip = 20
	ESP32C5  Chip = 23
)

// chipInfo is what Secure Boot V2 on a chip accepts (soc_caps.h and the
// secure-boot-v2 docs of esp-idf 102122904ade).
type chipInfo struct {
	name      string
	rsa       bool
	ecdsa     bool
	p384      bool
	maxBlocks int // ESP32 (rev >= 3) and C2 have one key digest and read one block
}

var chips = map[Chip]chipInfo{
	ESP32:    {"ESP32", true, false, false, 1},
	ESP32S2:  {"ESP32-S2", true, false, false, 3},
	ESP32C3:  {"ESP32-C3", true, false, false, 3},
	ESP32S3:  {"ESP32-S3", true, false, false, 3},
	ESP32C2:  {"ESP32-C2", false, true, false, 1},
	ESP32C6:  {"ESP32-C6", true, true, false, 3},
	ESP32H2:  {"ESP32-H2", true, true, false, 3},
	ESP32P4:  {"ESP32-P4", true, true, true, 3},
	ESP32C61: {"ESP32-C61", false, true, false, 3},
	ESP32C5:  {"ESP32-C5", true, true, true, 3},
}

// Known reports whether signbox knows the chip's Secure Boot V2 rules.
func (c Chip) Known() bool { _, ok := chips[c]; return ok }

func (c Chip) String() string {
	if i, ok := chips[c]; ok {
		return i.name
	}
	return fmt.Sprintf("unknown chip %d", uint16(c))
}

// MaxBlocks is how many signature blocks the chip's bootloader reads
// (and how many key digest slots it has); 0 for an unknown chip.
func (c Chip) MaxBlocks() int { return chips[c].maxBlocks }

// Supports reports whether the chip's Secure Boot V2 accepts the scheme.
func (c Chip) Supports(s Scheme) bool {
	i, ok := chips[c]
	if !ok {
		return false
	}
	switch s {
	case SchemeRSA3072:
		return i.rsa
	case SchemeECDSAP256:
		return i.ecdsa
	case SchemeECDSAP384:
		return i.p384
	}
	return false
}

// ParseChip maps a name like "esp32c3" or "ESP32-C3" to its ID.
func ParseChip(name string) (Chip, error) {
	norm := func(s string) string {
		out := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '-' || c == '_':
			case c >= 'A' && c <= 'Z':
				out = append(out, c+'a'-'A')
			default:
				out = append(out, c)
			}
		}
		return string(out)
	}
	for id, i := range chips {
		if norm(i.name) == norm(name) {
			return id, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownChip, name)
}
