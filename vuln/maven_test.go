package vuln

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRealKeycloakMaven scans the real keycloak 10.0.2 SBOM (Maven
// coordinates split across group and name, versions such as 25.0-jre and
// 2.1.0.Final) against hand-made Maven records. Expected results were
// worked out by hand from Maven's ordering rules: a ".Final" qualifier
// equals the release, "-jre" sorts by its numeric part first.
func TestRealKeycloakMaven(t *testing.T) {
	maven := func(name, ranges string) string {
		return `,"affected":[{"package":{"ecosystem":"Maven","name":"` + name + `"}` + ranges + `}]`
	}
	eco := func(events string) string { return `,"ranges":[{"type":"ECOSYSTEM","events":[` + events + `]}]` }
	feed := importFeed(t, snapshot(t, map[string][]byte{"Maven": zipOf(t, map[string]string{
		"HM-1.json": rec("HM-1", maven("com.fasterxml.jackson.core:jackson-databind", eco(`{"introduced":"2.10.0"},{"fixed":"2.10.5.1"}`))),
		"HM-2.json": rec("HM-2", maven("com.google.guava:guava", eco(`{"introduced":"0"},{"fixed":"30.0-jre"}`))),
		"HM-3.json": rec("HM-3", maven("io.undertow:undertow-core", eco(`{"introduced":"2.1.0"},{"fixed":"2.1.1.Final"}`))),
		"HM-4.json": rec("HM-4", maven("commons-collections:commons-collections", eco(`{"introduced":"3.0"},{"last_affected":"3.2.1"}`))),
		"HM-5.json": rec("HM-5", maven("log4j:log4j", `,"versions":["1.2.17"]`)),
		"HM-6.json": rec("HM-6", maven("org.bouncycastle:bcprov-jdk15on", eco(`{"introduced":"0"},{"fixed":"1.62"}`))),
		// Named by artifact only, the way osv-scanner 2.5 builds Maven
		// names from CycloneDX: it must not match anything.
		"HM-7.json": rec("HM-7", maven("jackson-databind", eco(`{"introduced":"0"}`))),
	})}))
	res, err := Scan(feed, readSBOM(t, "../sbom/testdata/keycloak-10.0.2.cdx.json.gz"))
	require.NoError(t, err)
	require.Equal(t, []string{
		"HM-1 Maven/com.fasterxml.jackson.core:jackson-databind@2.10.1",
		"HM-2 Maven/com.google.guava:guava@25.0-jre",
		"HM-3 Maven/io.undertow:undertow-core@2.1.0.Final",
		"HM-4 Maven/commons-collections:commons-collections@3.2.1",
		"HM-5 Maven/log4j:log4j@1.2.17",
	}, pairs(res))
	require.Equal(t, 903, res.Scanned)
}
