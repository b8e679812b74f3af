// Package buildinfo reports signbox's own version for the documents that
// name the tool that wrote them.
package buildinfo

import "runtime/debug"

// Version is the main module's version, or "" for a development build
// ("(devel)"), whose version is not worth recording.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}
