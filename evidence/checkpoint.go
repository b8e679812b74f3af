package evidence

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// parseCheckpoint checks the shape of a C2SP tlog-checkpoint signed note
// (c2sp.org/tlog-checkpoint, c2sp.org/signed-note): origin line, decimal
// tree size, base64 root hash of 32 bytes, optional extension lines, a
// blank line, then one or more signature lines "— <name> <base64>". The
// signature itself needs the audit key, which the bundle does not carry;
// `signbox audit verify` checks it.
func parseCheckpoint(b []byte) (origin string, size uint64, err error) {
	if !bytes.HasSuffix(b, []byte("\n")) {
		return "", 0, fmt.Errorf("does not end in a newline")
	}
	body, sigs, ok := strings.Cut(string(b), "\n\n")
	if !ok {
		return "", 0, fmt.Errorf("no blank line before the signatures")
	}
	lines := strings.Split(body, "\n")
	if len(lines) < 3 || lines[0] == "" {
		return "", 0, fmt.Errorf("want origin, size and root hash lines")
	}
	if size, err = strconv.ParseUint(lines[1], 10, 64); err != nil || (lines[1] != "0" && strings.HasPrefix(lines[1], "0")) {
		return "", 0, fmt.Errorf("tree size %q is not a decimal number", lines[1])
	}
	if h, err := base64.StdEncoding.DecodeString(lines[2]); err != nil || len(h) != 32 {
		return "", 0, fmt.Errorf("root hash %q is not 32 bytes of base64", lines[2])
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		rest, ok := strings.CutPrefix(l, "— ")
		name, sig, ok2 := strings.Cut(rest, " ")
		raw, err := base64.StdEncoding.DecodeString(sig)
		if !ok || !ok2 || name == "" || err != nil || len(raw) < 5 {
			return "", 0, fmt.Errorf("signature line %q malformed", l)
		}
		n++
	}
	if n == 0 {
		return "", 0, fmt.Errorf("no signature")
	}
	return lines[0], size, nil
}
