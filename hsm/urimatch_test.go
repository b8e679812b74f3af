//go:build cgo

package hsm_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

// withAttrs adds path attributes to a token URI before its query.
func withAttrs(uri string, attrs ...string) string {
	path, query, _ := strings.Cut(uri, "?")
	return path + ";" + strings.Join(attrs, ";") + "?" + query
}

// TestURITokenAttributesMatched: every RFC 7512 attribute naming the
// token, its slot or the library must match; none is ignored, so
// manufacturer=Thales never opens a SoftHSM token.
func TestURITokenAttributesMatched(t *testing.T) {
	info := hsmtest.NewTokenInfo(t)
	pin := hsmtest.StaticPIN(info.UserPIN)
	var me hsm.TokenSummary
	toks, err := hsm.ListTokens(hsmtest.Module())
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range toks {
		if ts.Label == info.Label {
			me = ts
		}
	}
	esc := func(s string) string { return strings.ReplaceAll(s, " ", "%20") }
	for name, tc := range map[string]struct {
		attrs []string
		opens bool
	}{
		"manufacturer matches":       {[]string{"manufacturer=" + esc(me.Manufacturer), "model=" + esc(me.Model)}, true},
		"library major version":      {[]string{"library-version=2"}, true},
		"other manufacturer":         {[]string{"manufacturer=Thales"}, false},
		"other model":                {[]string{"model=Luna%20K7"}, false},
		"other library manufacturer": {[]string{"library-manufacturer=Thales"}, false},
		"other library version":      {[]string{"library-version=99.1"}, false},
		"other slot manufacturer":    {[]string{"slot-manufacturer=Thales"}, false},
		"other slot description":     {[]string{"slot-description=Luna%20slot"}, false},
	} {
		t.Run(name, func(t *testing.T) {
			tok, err := hsm.Open(withAttrs(info.URI, tc.attrs...), pin)
			if tc.opens {
				if err != nil {
					t.Fatal(err)
				}
				tok.Close()
				return
			}
			if err == nil {
				tok.Close()
				t.Fatal("opened a token the URI does not describe")
			}
			if !errors.Is(err, hsm.ErrTokenNotFound) {
				t.Fatalf("err = %v, want ErrTokenNotFound", err)
			}
		})
	}
}

// TestURIPINSourceForms: RFC 7512 pin-source as a path or an RFC 8089
// file URI in each of its spellings.
func TestURIPINSourceForms(t *testing.T) {
	info := hsmtest.NewTokenInfo(t)
	f := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(f, append(info.UserPIN, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{f, "file:" + f, "file://" + f, "file://localhost" + f} {
		tok, err := hsm.Open(info.URI+"&pin-source="+src, nil)
		if err != nil {
			t.Fatalf("pin-source=%s: %v", src, err)
		}
		tok.Close()
	}
}
