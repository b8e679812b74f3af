package hsm

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// pinSourcePath reads RFC 7512's pin-source (§2.3) as the file it names:
// a path (relative ones to the working directory), or a file URI
// (RFC 8089: file:/p, file:///p or file://localhost/p). A command
// ("|/bin/prog") or any other URI is refused: signbox never runs a
// program to get a PIN, and reads it only from a local file.
func pinSourcePath(v string) (string, error) {
	bad := func(why string) error { return fmt.Errorf("pin-source %q: %s", v, why) }
	switch {
	case strings.HasPrefix(v, "|"):
		return "", bad("running a command for the PIN is refused; name a file")
	case v == "":
		return "", bad("empty")
	case !strings.HasPrefix(v, "file:"):
		if i := strings.Index(v, ":"); i > 0 && !strings.ContainsAny(v[:i], "/.") {
			return "", bad("only file: URIs name a PIN source signbox reads")
		}
		return v, nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Opaque != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", bad("not a file URI with an absolute path")
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", bad("a file on another host")
	}
	if !filepath.IsAbs(u.Path) {
		return "", bad("the path must be absolute")
	}
	return filepath.Clean(u.Path), nil
}
