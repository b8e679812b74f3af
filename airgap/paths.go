package airgap

import (
	"fmt"
	"strings"
)

// CheckPath validates a relative path on media or in a manifest. Paths are
// slash-separated components of [A-Za-z0-9._-], not starting with a dot
// or dash, which rules out absolute paths, "..", hidden files, backslashes,
// NUL, and every Unicode normalisation or case-folding trick at once. CI
// tools produce such names; anything else is refused.
func CheckPath(p string) error {
	if p == "" {
		return fmt.Errorf("empty path")
	}
	if len(p) > MaxPathBytes {
		return fmt.Errorf("path %.40q...: longer than %d bytes", p, MaxPathBytes)
	}
	if strings.HasPrefix(p, "/") {
		return fmt.Errorf("path %q: absolute", p)
	}
	parts := strings.Split(p, "/")
	if len(parts) > MaxPathDepth {
		return fmt.Errorf("path %q: deeper than %d levels", p, MaxPathDepth)
	}
	for _, c := range parts {
		if err := checkComponent(c); err != nil {
			return fmt.Errorf("path %q: %w", p, err)
		}
	}
	return nil
}

func checkComponent(c string) error {
	switch c {
	case "":
		return fmt.Errorf("empty component")
	case ".", "..":
		return fmt.Errorf("%q component", c)
	}
	if c[0] == '.' || c[0] == '-' {
		return fmt.Errorf("component %q starts with %q", c, c[0])
	}
	for i := 0; i < len(c); i++ {
		if !safeByte(c[i]) {
			return fmt.Errorf("component %q: byte 0x%02x not allowed (letters, digits, '.', '_', '-' only)", c, c[i])
		}
	}
	return nil
}

func safeByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
		b == '.' || b == '_' || b == '-'
}

// foldKey is the name under which case-insensitive file systems (FAT,
// exFAT, APFS, NTFS — i.e. most removable media) would store p. CheckPath
// allows only ASCII, so lower-casing is the whole fold.
func foldKey(p string) string { return strings.ToLower(p) }
