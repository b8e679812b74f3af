package vuln

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Scores as NVD publishes them for these common vectors.
func TestCVSS3Score(t *testing.T) {
	for vec, want := range map[string]float64{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": 9.8,
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H": 10.0,
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N": 6.1,
		"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N": 6.4,
		"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N": 5.5,
		"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N": 3.1,
		"CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H": 9.1,
		"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N": 0,
		// Temporal metrics after the base ones are allowed and ignored.
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O": 9.8,
	} {
		got, err := cvss3Score(vec)
		require.NoError(t, err, vec)
		require.Equal(t, want, got, vec)
	}
	for _, bad := range []string{
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
		"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
		"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	} {
		_, err := cvss3Score(bad)
		require.Error(t, err, bad)
	}
}

func TestSeverityThreshold(t *testing.T) {
	require.True(t, SeverityHigh.AtLeast(SeverityHigh))
	require.False(t, SeverityMedium.AtLeast(SeverityHigh))
	require.True(t, SeverityUnknown.AtLeast(SeverityCritical), "unknown counts as critical")
	_, err := ParseSeverity("severe")
	require.ErrorContains(t, err, `severity "severe"`)
}
