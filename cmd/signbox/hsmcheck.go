package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"signbox/hsm"
	"signbox/policy"
)

func init() {
	register(&command{path: "hsm check", usage: "--token URI [--workspace WS] [--pin-fd N | --pin-env NAME] [--format text|json]",
		summary: "probe a token: per planned key (or every algorithm) whether generation, signing and verification work, and the mechanism used",
		run:     runHSMCheck})
}

// hsmCheckRow is one row of `hsm check`.
type hsmCheckRow struct {
	hsm.CheckResult
	Path  string `json:"policy_path,omitempty"` // e.g. keys.secure_boot[0]
	Token string `json:"token,omitempty"`       // appliance or audit: where the policy puts the key
}

type hsmCheckJSON struct {
	Token        string        `json:"token"`
	Manufacturer string        `json:"manufacturer"`
	Model        string        `json:"model"`
	Module       string        `json:"module"`
	OK           bool          `json:"ok"`
	Rows         []hsmCheckRow `json:"rows"`
	Features     []hsm.Feature `json:"features"`
}

func runHSMCheck(e *env, args []string) error {
	fs := newFlags(e, "hsm check")
	tf := addTokenFlags(e, fs, addPINFlags(fs))
	ws := fs.String("workspace", "", "workspace `directory` whose policy.yaml names the keys to check (default: every algorithm)")
	format := addFormat(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	rows, err := checkRows(*ws)
	if err != nil {
		return err
	}
	tok, err := tf.open(e)
	if err != nil {
		return err
	}
	defer tok.Close()
	info := tok.Info()
	out := hsmCheckJSON{Token: info.Label, Manufacturer: info.Manufacturer, Model: info.Model, OK: true}
	if u, err := hsm.ParseURI(info.URI); err == nil {
		out.Module = u.ModulePath
	}
	var failed []string
	for i := range rows {
		key := rows[i].Key
		rows[i].CheckResult = tok.Check(rows[i].Algorithm)
		rows[i].Key = key
		if !rows[i].OK() {
			out.OK = false
			failed = append(failed, rowName(rows[i]))
		}
	}
	out.Rows = rows
	out.Features = tok.Features()
	if asJSON {
		if err := writeJSON(e.stdout, out); err != nil {
			return err
		}
	} else if err := printCheck(e, out); err != nil {
		return err
	}
	if !out.OK {
		return fmt.Errorf("token %q cannot serve: %s", info.Label, strings.Join(failed, ", "))
	}
	return nil
}

func rowName(r hsmCheckRow) string {
	if r.Key != "" {
		return fmt.Sprintf("%s (%s)", r.Key, r.Algorithm)
	}
	return string(r.Algorithm)
}

// checkRows lists what to check: each key of the workspace policy that is
// planned or active, or every algorithm signbox supports.
func checkRows(ws string) ([]hsmCheckRow, error) {
	if ws == "" {
		var rows []hsmCheckRow
		for _, a := range hsm.Algorithms {
			rows = append(rows, hsmCheckRow{CheckResult: hsm.CheckResult{Algorithm: a}})
		}
		return rows, nil
	}
	b, err := os.ReadFile(filepath.Join(ws, "policy.yaml"))
	if err != nil {
		return nil, fmt.Errorf("--workspace: %w", err)
	}
	p, err := policy.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("--workspace: %w", err)
	}
	var rows []hsmCheckRow
	for _, k := range p.AllKeys() {
		if k.Status != policy.StatusPlanned && k.Status != policy.StatusActive {
			continue
		}
		a, err := hsm.ParseAlgorithm(string(k.Algorithm))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.Path, err)
		}
		where := "appliance"
		if k.Path == "keys.audit_mac" || k.Path == "keys.audit_checkpoint" {
			where = "audit"
		}
		rows = append(rows, hsmCheckRow{CheckResult: hsm.CheckResult{Algorithm: a, Key: k.Label}, Path: k.Path, Token: where})
	}
	return rows, nil
}

func printCheck(e *env, out hsmCheckJSON) error {
	fmt.Fprintf(e.stdout, "token %q (%s %s) via %s\n", out.Token, out.Manufacturer, out.Model, out.Module)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tALGORITHM\tGENERATE\tSIGN\tVERIFY\tMECHANISM (DIGEST)\tMECHANISM (MESSAGE)")
	var notes []string
	for _, r := range out.Rows {
		key := orDash(r.Key)
		if r.Token == "audit" {
			key += " (audit token)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", key, r.Algorithm, yesNo(r.Generate), yesNo(r.Sign), yesNo(r.Verify),
			orDash(r.Mechanism), orDash(r.Message))
		if r.Missing != "" {
			notes = append(notes, fmt.Sprintf("%s: unsupported by this token: %s", rowName(r), r.Missing))
		}
		if r.Error != "" {
			notes = append(notes, fmt.Sprintf("%s: %s", rowName(r), r.Error))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FEATURE	OK	VIA	NEEDED BY")
	for _, f := range out.Features {
		fmt.Fprintf(tw, "%s	%s	%s	%s\n", f.Name, yesNo(f.OK), f.Via, f.Needed)
		if f.Error != "" {
			notes = append(notes, fmt.Sprintf("%s: %s", f.Name, f.Error))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(e.stdout, "note:", n)
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
