package sbom

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestParsePURL pins what signbox relies on from packageurl-go, and the
// one exception it makes (Go module paths keep their case).
func TestParsePURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want PURL
	}{
		{"pkg:golang/github.com/ProtonMail/go-crypto@v0.0.0-2021#openpgp",
			PURL{Type: "golang", Namespace: "github.com/ProtonMail", Name: "go-crypto", Version: "v0.0.0-2021", Subpath: "openpgp"}},
		{"pkg:GOLANG/go@1.22.1", PURL{Type: "golang", Name: "go", Version: "1.22.1"}},
		{"pkg:npm/%40angular/core@16.0.0", PURL{Type: "npm", Namespace: "@angular", Name: "core", Version: "16.0.0"}},
		{"pkg:npm/@babel/core@7.0.0", PURL{Type: "npm", Namespace: "@babel", Name: "core", Version: "7.0.0"}},
		{"pkg:maven/org.keycloak/keycloak-core@10.0.2?type=jar",
			PURL{Type: "maven", Namespace: "org.keycloak", Name: "keycloak-core", Version: "10.0.2", Qualifiers: map[string]string{"type": "jar"}}},
		{"pkg:pypi/Django_REST@3.0", PURL{Type: "pypi", Name: "django-rest", Version: "3.0"}},
		{"pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=bookworm",
			PURL{Type: "deb", Namespace: "debian", Name: "openssl", Version: "3.0.11-1", Qualifiers: map[string]string{"arch": "amd64", "distro": "bookworm"}}},
		{"pkg://golang/example.com/m@v1.0.0", PURL{Type: "golang", Namespace: "example.com", Name: "m", Version: "v1.0.0"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePURL(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	for in, want := range map[string]string{
		"npm/left-pad@1":                 `purl scheme is not "pkg"`,
		"pkg:npm":                        "missing type or name",
		"pkg:golang/":                    "missing name",
		"pkg:npm/x@1?1bad=key":           "qualifier",
		"pkg:golang/example.com/%zz@v1":  "unescaping",
		"pkg:maven/org.example/a@1#a/..": "subpath",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := ParsePURL(in)
			require.Error(t, err)
			require.Contains(t, err.Error(), want)
			require.Contains(t, err.Error(), in)
		})
	}
}
