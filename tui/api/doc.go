// Package api is the contract between the ceremony-room TUI and the
// appliance: the [Engine] interface the TUI consumes and the plain data
// types it exchanges. It imports nothing from signbox, so the glue in
// cmd/signbox can adapt the real ceremony, vuln, bundle, audit and device
// packages to it without the TUI ever importing them (or hsm/).
//
// Package tui re-exports every name here as a type alias, so callers may
// write tui.Engine, tui.Plan and so on.
package api
