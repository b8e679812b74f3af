package vuln

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestParseCVSS pins scores that FIRST's calculators and NVD publish for
// these vectors, one table per CVSS version.
func TestParseCVSS(t *testing.T) {
	for _, tc := range []struct {
		typ, vector string
		score       float64
		sev         Severity
		method      string
	}{
		{"CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, SeverityHigh, "CVSSv2"},
		{"CVSS_V2", "AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, SeverityHigh, "CVSSv2"},
		{"CVSS_V2", "AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, SeverityMedium, "CVSSv2"},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, SeverityCritical, "CVSSv31"},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, SeverityCritical, "CVSSv31"},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, SeverityMedium, "CVSSv31"},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, SeverityMedium, "CVSSv31"},
		{"CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5, SeverityMedium, "CVSSv31"},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1, SeverityLow, "CVSSv31"},
		{"CVSS_V3", "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0, SeverityNone, "CVSSv31"},
		{"CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1, SeverityCritical, "CVSSv3"},
		// Temporal metrics do not change the base score.
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O", 9.8, SeverityCritical, "CVSSv31"},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, SeverityCritical, "CVSSv4"},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0, SeverityCritical, "CVSSv4"},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0, SeverityNone, "CVSSv4"},
		// RUSTSEC-2024-0445 (cap-primitives), whose only score is this v4 vector.
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 2.3, SeverityLow, "CVSSv4"},
	} {
		t.Run(tc.vector, func(t *testing.T) {
			got, err := ParseCVSS(tc.typ, tc.vector)
			require.NoError(t, err)
			require.Equal(t, CVSS{Vector: tc.vector, Score: tc.score, Severity: tc.sev, Method: tc.method}, got)
		})
	}
}

// TestParseCVSSRefuses: an invalid vector is an error naming the type and
// the vector, never a severity.
func TestParseCVSSRefuses(t *testing.T) {
	for _, tc := range []struct{ name, typ, vector, want string }{
		{"v4 in a v3 entry", "CVSS_V3", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
			`invalid CVSS vector: CVSS_V3 vector "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N": not a CVSS v3.0 or v3.1 vector`},
		{"bad metric value", "CVSS_V3", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `invalid CVSS vector: CVSS_V3 vector "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": `},
		{"missing metric", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", `CVSS_V3 vector "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H": `},
		{"repeated metric", "CVSS_V3", "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `CVSS_V3 vector "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": `},
		{"no header", "CVSS_V3", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "not a CVSS v3.0 or v3.1 vector"},
		{"v4 missing metric", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H", `CVSS_V4 vector "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H": `},
		{"v4 bad value", "CVSS_V4", "CVSS:4.0/AV:Q/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", `CVSS_V4 vector "CVSS:4.0/AV:Q/`},
		{"v2 with a v3 vector", "CVSS_V2", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `CVSS_V2 vector "CVSS:3.1/`},
		{"v2 bad value", "CVSS_V2", "AV:N/AC:L/Au:N/C:X/I:P/A:P", `CVSS_V2 vector "AV:N/AC:L/Au:N/C:X/I:P/A:P": `},
		{"empty", "CVSS_V4", "", `CVSS_V4 vector "": `},
		{"not a CVSS type", "Ubuntu", "medium", `severity type "Ubuntu" is not CVSS_V2, CVSS_V3 or CVSS_V4`},
		{"oversized", "CVSS_V4", strings.Repeat("A", MaxVectorBytes+1), "CVSS_V4 vector of 513 bytes, more than 512"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCVSS(tc.typ, tc.vector)
			require.ErrorIs(t, err, ErrInvalidVector)
			require.ErrorContains(t, err, tc.want)
			require.Equal(t, CVSS{}, got)
		})
	}
}

func TestSeverityThreshold(t *testing.T) {
	require.True(t, SeverityHigh.AtLeast(SeverityHigh))
	require.False(t, SeverityMedium.AtLeast(SeverityHigh))
	require.False(t, SeverityUnknown.AtLeast(SeverityNone), "unknown is not ranked: its own policy rule decides")
	require.False(t, SeverityCritical.AtLeast(SeverityUnknown))
	_, err := ParseSeverity("severe")
	require.ErrorContains(t, err, `severity "severe"`)
}
