// Package tui is the ceremony-room terminal UI: bubbletea screens that walk
// key custodians through a ceremony over an [Engine].
//
// # Structure
//
// The root model (model.go) owns navigation only: which page is shown and
// what the ceremony has produced so far (request, plan, export). Each
// screen is a page under tui/pages implementing common.Component; widgets
// live under tui/components; styles, the keymap and the size live in
// tui/common. No business rule lives here: the engine enforces step order
// and policy, the TUI reflects it.
//
// # Purity and concurrency
//
// Update and View do no I/O. Every engine call runs in a tea.Cmd built by
// common.Start, which captures its inputs by value and returns a typed
// common.Result stamped with the page instance and call number. The root
// drops results meant for a page that is no longer shown and each page
// drops results of calls it cancelled, so a late result never changes the
// screen. Execute's progress arrives on a channel read by a re-armed
// common.WaitProgress command. There is no package state.
//
// # Leaving, resuming, comfort
//
// esc at a ceremony page's top level and ctrl+c inside a ceremony ask
// first (leave.go) and say what is kept: before a plan exists there is
// nothing to keep; once the engine built it the operators keep it for
// later (Engine.Suspend wipes this session's shares and locks the
// appliance token) or abort it with a reason they confirm (Engine.Abort).
// Unfinished ceremonies are listed on the home screen and on the
// unfinished page, which resumes one at Approvals (Engine.Resume):
// custodians who approved earlier present their shares by approving
// again. Below 80×24 only a guard is drawn and no key but ctrl+c acts;
// ? (f1 while a field takes typing) shows every key of the screen.
//
// # PINs
//
// PINs are typed into a masked field that keeps bytes, handed to
// Engine.Approve inside the command, and zeroed when Approve returns. They
// are never rendered (only one '*' per byte) and never logged.
//
// # Engine
//
// [Engine] and its data types are declared in tui/api (so pages can use
// them without an import cycle) and re-exported here as aliases.
package tui
