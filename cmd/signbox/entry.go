package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"signbox/appliance"
	"signbox/tui"
)

// workspaceEnv names the appliance workspace `signbox` alone opens.
const workspaceEnv = "SIGNBOX_WORKSPACE"

// bareEntry is what `signbox` with no subcommand runs: on a terminal, the
// TUI at the status / choose-a-ceremony screen (`signbox open`) on the
// workspace SIGNBOX_WORKSPACE names, or on the current directory when it
// holds an appliance. Anywhere else it is the help, with the way in.
func bareEntry(e *env) ([]string, bool) {
	if !isTerminal(e.stdin) || !isTerminalWriter(e.stdout) {
		return nil, false
	}
	ws := e.getenv(workspaceEnv)
	if ws == "" {
		ws = "."
	}
	if _, err := os.Stat(filepath.Join(ws, appliance.ConfigName)); err != nil {
		return nil, false
	}
	if abs, err := filepath.Abs(ws); err == nil {
		ws = abs
	}
	return []string{"open", "--workspace", ws}, true
}

// bareHelp follows the command list when `signbox` alone opened nothing.
func bareHelp(e *env) {
	fmt.Fprintf(e.stdout, "\nthe TUI: `signbox` on a terminal in an appliance workspace (or with %s=WS),\n"+
		"  or `signbox open --workspace WS`; a new appliance: `signbox init`; a throwaway one: `signbox demo`\n", workspaceEnv)
}

// runTUI is the one way into the TUI, for `signbox`, `signbox open` and
// `signbox demo`: the engine is the appliance door the CLI uses, ctrl+c
// reaches the TUI (which asks first inside a ceremony) and the appliance
// is closed whatever happens.
func runTUI(e *env, a *appliance.Appliance, o tui.Options) error {
	if !isTerminal(e.stdin) || !isTerminalWriter(e.stdout) {
		a.Close()
		return errors.New("the TUI needs a terminal; the headless commands (signbox ceremony ...) do the same steps")
	}
	o.NoColor = e.getenv("NO_COLOR") != ""
	if o.ExportPath == "" {
		return errors.New("tui: no outbound media directory")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := tui.Run(ctx, appliance.Engine{A: a}, o, e.stdin, e.stdout)
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}
