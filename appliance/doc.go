// Package appliance is the signing appliance as one object: a workspace
// directory, its policy, the appliance HSM token, the audit log and the
// emulated rehearsal device, wired together so that a release request goes
// in and a verified, signed release bundle comes out.
//
// The ceremony rules live in package ceremony; appliance only connects the
// pieces the ceremony engine deliberately does not import: airgap (media),
// vuln and sbom (triage), bundle (the release bundle), audit (the log),
// hsm (keys) and device/emu (rehearsal). It implements the TUI's
// [api.Engine], and `signbox demo --headless` drives the same methods.
//
// # Time
//
// Nothing here reads a clock. The ceremony date is an input confirmed by
// the operators; timestamps for audit entries and triage decisions come
// from Config.Now, which only cmd/signbox fills with the wall clock.
//
// # Concurrency
//
// Every Engine method takes one mutex: ceremony sessions and the audit log
// writer are not meant to be driven from two places at once, and the TUI
// may start a new call while a cancelled one is still running.
package appliance
