package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"signbox/appliance"
	"signbox/demo"
	"signbox/tui"

	"golang.org/x/term"
)

func init() {
	register(&command{
		path:    "demo",
		usage:   "[--workspace DIR] [--headless] [--product ID] [--date YYYY-MM-DD] [--module PATH]",
		summary: "create a SoftHSM-backed demo workspace and run the release ceremony (TUI or --headless)",
		run:     runDemo,
		locks:   &lockSpec{noun: "workspace", flag: "workspace", def: demoWorkspace},
	})
}

// demoWorkspace is --workspace's default, which the demo also locks.
const demoWorkspace = "demo-workspace"

func runDemo(e *env, args []string) error {
	fs := newFlags(e, "demo")
	wsFlag := fs.String("workspace", demoWorkspace, "demo workspace `directory` (created on first use, reused after)")
	headless := fs.Bool("headless", false, "run the release ceremony scripted and print what it did")
	date := fs.String("date", "", "ceremony date `YYYY-MM-DD` (default: today)")
	module := fs.String("module", defaultModule(e), "SoftHSM2 PKCS#11 module `path`")
	product := fs.String("product", demo.Product, "the demo product whose release runs: "+demo.Product+" (ESP32-C3) or "+demo.SecondProduct+" (MCUboot nRF52840)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *product != demo.Product && *product != demo.SecondProduct {
		return usageErr("--product %q: want %s or %s", *product, demo.Product, demo.SecondProduct)
	}
	if *date == "" {
		*date = e.now().Format("2006-01-02")
	}
	root, err := filepath.Abs(*wsFlag)
	if err != nil {
		return err
	}
	d, err := openOrSetUpDemo(e, root, *module, *date)
	if err != nil {
		return err
	}
	a, err := d.Appliance(e.now, "demo operator")
	if err != nil {
		return err
	}
	if !*headless && (!isTerminal(e.stdin) || !isTerminalWriter(e.stdout)) {
		fmt.Fprintln(e.stderr, "signbox demo: standard input or output is not a terminal; running the ceremony headless (--headless)")
		*headless = true
	}
	if !*headless {
		// The same entry as `signbox open`, at the release ceremony.
		media, bundle := d.Request(), filepath.Join(d.Out(), appliance.BundleName(demo.Product, demo.NextVersion))
		if *product == demo.SecondProduct {
			media, bundle = d.SecondRequest(), filepath.Join(d.Out(), appliance.BundleName(demo.SecondProduct, demo.SecondVersion))
		}
		return runTUI(e, a, tui.Options{
			Date: *date, MediaPath: media, ExportPath: d.Out(), Operator: "release manager",
			BundlePath: bundle,
			Start:      tui.ScreenRelease,
		})
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = demo.HeadlessProduct(ctx, appliance.Engine{A: a}, d, *product, *date, e.stdout)
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err == nil && *product == demo.Product {
		err = demoFleet(e, d) // publish to the workspace's OCI layout; a second device pulls (demo_fleet.go)
	}
	return err
}

// isTerminal reports whether r is an interactive terminal the TUI can use.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// isTerminalWriter reports whether w is a terminal: `make demo > demo.log`
// must not write the TUI's escape codes into a file.
func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// openOrSetUpDemo reuses a demo workspace or creates one. SoftHSM reads
// SOFTHSM2_CONF once per process, so it is pointed at the demo's token
// directory before anything touches the library.
func openOrSetUpDemo(e *env, root, module, date string) (*demo.Demo, error) {
	l := demo.Layout{Root: root}
	if err := os.Setenv("SOFTHSM2_CONF", l.ConfPath()); err != nil {
		return nil, err
	}
	if _, err := os.Stat(root); err == nil {
		fmt.Fprintf(e.stderr, "signbox demo: reusing %s (remove it for a fresh demo)\n", root)
		return demo.Open(root, module)
	}
	d, err := demo.Setup(demo.Options{Root: root, Module: module, Date: date, Now: e.now, Log: e.stderr})
	if errors.Is(err, demo.ErrExists) {
		return demo.Open(root, module)
	}
	if err != nil {
		return nil, withHint(err, "remove %s before trying again; the demo never reuses a half-made workspace", root)
	}
	fmt.Fprintf(e.stderr, "signbox demo: custodian PINs are alice-pin, bob-pin and carol-pin (throwaway SoftHSM tokens)\n")
	return d, nil
}
