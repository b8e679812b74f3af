// Package demo builds a self-contained signbox demonstration: SoftHSM
// tokens for the appliance and three custodians, a 2-of-3 policy, a real
// OSV snapshot and a real CycloneDX SBOM (see data/README.md), an emulated
// ESP32-C3 provisioned with a factory release that went through a real
// ceremony, and release request media for the next release, waiting for
// the custodians in the TUI (`signbox demo`) or run scripted
// (`signbox demo --headless`).
//
// Everything is made through the same packages the appliance uses; the
// demo adds no shortcuts. The custodians' PINs are fixed and published
// (alice-pin, bob-pin, carol-pin) because the tokens are throwaway; they
// are never written to disk.
package demo
