package vuln

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func goRange(name, events string) string {
	return `,"affected":[{"package":{"ecosystem":"Go","name":"` + name + `"},"ranges":[{"type":"SEMVER","events":[` + events + `]}]}]`
}

// TestImportQuarantinesBadRecords: each record the importer refuses is
// set aside with its reason, the rest of the feed imports and scans, and
// every component a quarantined record names (or, when its packages
// cannot be read, every component of its ecosystem) is "not checked"
// against it, so the gate's allow_unchecked rule decides.
func TestImportQuarantinesBadRecords(t *testing.T) {
	src := snapshot(t, map[string][]byte{"Go": zipOf(t, map[string]string{
		"GO-1.json": rec("GO-1", goRange("example.com/a", `{"introduced":"0"},{"fixed":"2.0.0"}`)),
		// The id does not match the file name; it names example.com/b.
		"GO-2.json": rec("GO-3", goRange("example.com/b", `{"introduced":"0"}`)),
		// Not JSON: which packages it names is unknown.
		"GO-4.json":     `{"id":"GO-4"`,
		"dir/GO-5.json": rec("GO-5", goAffected),
		"GO-6.json":     rec("GO-6", `,"details":"`+strings.Repeat("x", MaxRecordBytes)+`"`),
		// What real osv.dev exports occasionally carry.
		"GO-7.json": rec("GO-7", `,"affected":[{"package":{"ecosystem":"Go","name":"example.com/c"},"ranges":[{"type":"FANCY","events":[{"introduced":"0"}]}]}]`),
		"GO-8.json": rec("GO-8", goRange("example.com/a", `{"introduced":"0"},{"fixed":"1.0.1"},{"last_affected":"1.0.5"}`)),
		"GO-9.json": rec("GO-9", goRange("example.com/b", `{"introduced":""}`)),
	})})
	dst := filepath.Join(t.TempDir(), "feed")
	info, err := Import(src, dst, testFresh)
	require.NoError(t, err)
	require.Equal(t, 1, info.Ecosystems[0].Records)
	require.Equal(t, 7, info.Ecosystems[0].Quarantined)
	var got []string
	for _, q := range info.Quarantined {
		got = append(got, fmt.Sprintf("%s %s %v: %s", q.Entry, q.ID, q.Packages, q.Reason))
	}
	require.Equal(t, []string{
		`GO-2.json GO-3 [Go/example.com/b]: malformed OSV record: id "GO-3" does not match the file name`,
		`GO-4.json  []: malformed OSV record: unexpected EOF`,
		`GO-6.json  []: malformed OSV record: ` + fmt.Sprintf("%d bytes, more than %d", len(rec("GO-6", `,"details":"`+strings.Repeat("x", MaxRecordBytes)+`"`)), MaxRecordBytes),
		`GO-7.json GO-7 [Go/example.com/c]: malformed OSV record: GO-7: affected[0]: ranges[0]: type "FANCY" is not SEMVER, ECOSYSTEM or GIT`,
		`GO-8.json GO-8 [Go/example.com/a]: malformed OSV record: GO-8: affected[0]: ranges[0]: both fixed and last_affected in one range`,
		`GO-9.json GO-9 [Go/example.com/b]: malformed OSV record: GO-9: event "introduced" has an empty version`,
		`dir/GO-5.json  []: entry is not a flat <ID>.json file`,
	}, got)

	feed, err := OpenFeed(dst, testFresh)
	require.NoError(t, err)
	res, err := Scan(feed, readSBOM(t, "testdata/scan.cdx.json"))
	require.NoError(t, err)
	require.Len(t, res.Findings, 1, "the rest of the feed scans")
	require.Equal(t, "GO-1", res.Findings[0].ID)
	got = nil
	for _, h := range res.Quarantined {
		got = append(got, h.String())
	}
	require.Equal(t, []string{
		"components[0] (Go/example.com/a@1.0.0): not checked against quarantined record GO-8 (Go/all.zip): malformed OSV record: GO-8: affected[0]: ranges[0]: both fixed and last_affected in one range",
		`components[1] (Go/example.com/b@1.0.0): not checked against quarantined record GO-3 (Go/all.zip): malformed OSV record: id "GO-3" does not match the file name`,
		`components[1] (Go/example.com/b@1.0.0): not checked against quarantined record GO-9 (Go/all.zip): malformed OSV record: GO-9: event "introduced" has an empty version`,
		"every Go component: not checked against quarantined record GO-4.json (Go/all.zip): malformed OSV record: unexpected EOF",
		"every Go component: not checked against quarantined record GO-6.json (Go/all.zip): " + res.Quarantined[4].Record.Reason,
		"every Go component: not checked against quarantined record dir/GO-5.json (Go/all.zip): entry is not a flat <ID>.json file",
	}, got)
	require.Equal(t, 2+len(res.Quarantined), res.NotChecked())

	// The gate: each hit blocks by allow_unchecked unless the policy lets
	// unchecked components pass.
	ds, err := LoadDecisions(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, ds.Record(Decision{Vuln: "GO-1", Component: "Go/example.com/a@1.0.0", State: StateNotAffected,
		Justification: "code_not_reachable", Detail: "not built in", By: "alice", At: decidedAt}))
	g := Gate(res, ds, GatePolicy{})
	quarantineBlocks := 0
	for _, b := range g.Blocking {
		if b.Unchecked != nil && strings.Contains(b.Reason, "quarantined feed record") {
			require.Equal(t, []string{RuleUnchecked}, b.Rules)
			quarantineBlocks++
		}
	}
	require.Equal(t, len(res.Quarantined), quarantineBlocks)
	require.True(t, Gate(res, ds, GatePolicy{AllowUnchecked: true}).Pass())
}

// TestImportRefusesAFeedThatIsMostlyBroken: past MaxQuarantined bad
// records the feed is refused as a whole, with the problems listed.
func TestImportRefusesAFeedThatIsMostlyBroken(t *testing.T) {
	entries := map[string]string{"GO-1.json": rec("GO-1", goAffected)}
	for i := range MaxQuarantined + 1 {
		entries[fmt.Sprintf("GO-B%d.json", i)] = `{`
	}
	_, err := Import(snapshot(t, map[string][]byte{"Go": zipOf(t, entries)}), filepath.Join(t.TempDir(), "feed"), testFresh)
	var re *RecordError
	require.True(t, errors.As(err, &re), "%v", err)
	require.ErrorIs(t, err, ErrMalformedRecord)
	require.Contains(t, err.Error(), fmt.Sprintf("%d malformed OSV records", MaxQuarantined+1))
}
