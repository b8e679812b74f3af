package main

import (
	"errors"
	"os"
	"path/filepath"

	"signbox/appliance"
	"signbox/tui"
)

func init() {
	register(&command{path: "open",
		usage:   "--workspace WS [--date YYYY-MM-DD] [--media DIR] [--out DIR] [--device STATE] [--operator NAME] [--operator-pin-fd N|--operator-pin-env NAME]",
		summary: "open the TUI on an appliance workspace at the status and choose-a-ceremony screen",
		run:     runOpen, locks: lockWorkspace})
}

func runOpen(e *env, args []string) error {
	fs := newFlags(e, "open")
	ws := fs.String("workspace", "", "appliance workspace `directory` (made by signbox init)")
	date := fs.String("date", "", "ceremony date YYYY-MM-DD, as the operators confirm it (default: this machine's date, shown on the status screen to confirm aloud)")
	media := fs.String("media", "", "inbound media `directory` to prefill for imports (default: WS/media/in)")
	out := fs.String("out", "", "outbound media `directory` to prefill for exports (default: WS/media/out)")
	device := fs.String("device", "", "emulated device `state` directory for rehearsals (optional)")
	operator := fs.String("operator", "operator", "who is at the keyboard, recorded with decisions")
	op := addOperatorFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ws == "" {
		return usageErr("--workspace is required (or run `signbox` inside the workspace)")
	}
	if *date == "" {
		*date = e.now().Format("2006-01-02")
	}
	if !isTerminal(e.stdin) || !isTerminalWriter(e.stdout) {
		return errors.New("the TUI needs a terminal; the headless commands (signbox ceremony ...) do the same steps")
	}
	if *media == "" {
		*media = filepath.Join(*ws, filepath.FromSlash(appliance.MediaInDir))
	}
	if *out == "" {
		// The workspace's own outbound directory (Init makes it; an older
		// workspace gets it now), so the first export has somewhere to go.
		*out = filepath.Join(*ws, filepath.FromSlash(appliance.MediaOutDir))
		if err := os.MkdirAll(*out, 0o700); err != nil {
			return err
		}
	}
	a, err := appliance.Open(appliance.Config{Root: *ws, AuditPIN: op.pin.source(e, "the audit token (operator)"),
		Device: *device, Operator: *operator, Now: e.now})
	if err != nil {
		return applianceErr(err)
	}
	return runTUI(e, a, tui.Options{Date: *date, MediaPath: *media, ExportPath: *out, Operator: *operator, Start: tui.ScreenHome})
}
