package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"signbox/audit"
	"signbox/audit/hsmkeys"
)

func init() {
	register(&command{
		path:    "audit verify",
		usage:   "[--vkey VKEY | --vkey-file FILE] [--last-seen CHECKPOINT] [--token URI --mac-key LABEL [--pin-fd N | --pin-env NAME]] [--format text|json] EXPORT",
		summary: "verify an audit log export: OK (0), TAMPERED (1), UNSEALED TAIL (4), UNPINNED (5, no --vkey)",
		run:     runAuditVerify,
	})
	register(&command{
		path:    "audit verify-proof",
		usage:   "(--vkey VKEY | --vkey-file FILE) [--format text|json] PROOF.tlog-proof",
		summary: "verify one exported event's inclusion proof against the pinned key",
		run:     runAuditVerifyProof,
	})
	register(&command{
		path:    "audit show",
		usage:   "[--from N] [--limit N] [--format text|json] DIR",
		summary: "list the entries of an audit log or export",
		run:     runAuditShow,
	})
}

// verdictErr makes the verdict the exit code: 1 tampered, 4 unsealed
// tail, 5 unpinned (3 stays "could not check").
type verdictErr struct{ r *audit.Report }

func (v verdictErr) Error() string {
	if v.r.FirstBad >= 0 {
		return fmt.Sprintf("%v at entry %d: %s", v.r.Verdict, v.r.FirstBad, v.r.Reason)
	}
	return fmt.Sprintf("%v: %s", v.r.Verdict, v.r.Reason)
}

func (v verdictErr) ExitCode() int {
	switch v.r.Verdict {
	case audit.UnsealedTail:
		return 4
	case audit.Unpinned:
		return 5
	}
	return 1
}

type auditVerifyFlags struct {
	vkey, vkeyFile, lastSeen, token, macKey string
	pin                                     *pinFlags
}

func runAuditVerify(e *env, args []string) error {
	var f auditVerifyFlags
	fs := newFlags(e, "audit verify")
	fs.StringVar(&f.vkey, "vkey", "", "pinned checkpoint verifier `key` (name+hash+key)")
	fs.StringVar(&f.vkeyFile, "vkey-file", "", "read the pinned verifier key from `FILE`")
	fs.StringVar(&f.lastSeen, "last-seen", "", "a checkpoint `FILE` kept from an earlier export")
	fs.StringVar(&f.token, "token", "", "pkcs11: `URI` of the token holding the audit MAC keys")
	fs.StringVar(&f.macKey, "mac-key", "", "`LABEL` of the epoch-0 audit MAC key (later epochs: LABEL.eN)")
	f.pin = addPINFlags(fs)
	format := addFormat(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want exactly one EXPORT directory")
	}
	opt, closeTok, err := f.options(e)
	if err != nil {
		return err
	}
	defer closeTok()
	r, err := audit.Verify(pos[0], opt)
	if err != nil {
		return couldNotCheck{fmt.Errorf("%s: %w", pos[0], err)}
	}
	if asJSON {
		err = writeJSON(e.stdout, auditJSON(r))
	} else {
		printReport(e.stdout, r)
	}
	if err != nil {
		return err
	}
	if r.Verdict != audit.OK {
		return verdictErr{r}
	}
	return nil
}

// options turns flags into audit.VerifyOptions; the returned func closes
// the token, if one was opened.
func (f *auditVerifyFlags) options(e *env) (audit.VerifyOptions, func(), error) {
	var opt audit.VerifyOptions
	noop := func() {}
	v, err := f.verifier()
	if err != nil {
		return opt, noop, err
	}
	opt.Trusted = v
	if f.lastSeen != "" {
		if opt.LastSeen, err = os.ReadFile(f.lastSeen); err != nil {
			return opt, noop, couldNotCheck{fmt.Errorf("last-seen checkpoint: %w", err)}
		}
	}
	if (f.token == "") != (f.macKey == "") {
		return opt, noop, usageErr("--token and --mac-key go together")
	}
	if f.token == "" {
		return opt, noop, nil
	}
	tok, err := openTokenFor(e, f.token, f.pin, "token "+f.token)
	if err != nil {
		return opt, noop, couldNotCheck{err}
	}
	opt.Keys = hsmkeys.New(tok, f.macKey)
	return opt, func() { tok.Close() }, nil
}

func (f *auditVerifyFlags) verifier() (note.Verifier, error) {
	vkey := f.vkey
	switch {
	case f.vkey != "" && f.vkeyFile != "":
		return nil, usageErr("give --vkey or --vkey-file, not both")
	case f.vkeyFile != "":
		b, err := os.ReadFile(f.vkeyFile)
		if err != nil {
			return nil, couldNotCheck{fmt.Errorf("vkey file: %w", err)}
		}
		vkey = strings.TrimSpace(string(b))
	case vkey == "":
		return nil, nil
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, withHint(fmt.Errorf("verifier key %q: %w", vkey, err), "a vkey looks like signbox.local/SN1234/audit+1a2b3c4d+AXr...")
	}
	return v, nil
}

func printReport(w io.Writer, r *audit.Report) {
	if r.FirstBad >= 0 {
		fmt.Fprintf(w, "%v at entry %d: %s\n", r.Verdict, r.FirstBad, r.Reason)
	} else if r.Reason != "" {
		fmt.Fprintf(w, "%v: %s\n", r.Verdict, r.Reason)
	} else {
		fmt.Fprintf(w, "%v\n", r.Verdict)
	}
	fmt.Fprintf(w, "origin       %s\n", r.Origin)
	fmt.Fprintf(w, "entries      %d, sealed %d, by %d checkpoints, %d consistency proofs, %d inclusion proofs\n",
		r.Entries, r.Sealed, r.Checkpoints, r.Proofs, r.Inclusions)
	ran, skipped := checkNames(r)
	fmt.Fprintf(w, "checked      %s\n", strings.Join(ran, " "))
	if len(skipped) > 0 {
		fmt.Fprintf(w, "not checked  %s\n", strings.Join(skipped, " "))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "problem      %v\n", p)
	}
	for _, x := range r.Warnings {
		if x.Index < 0 {
			fmt.Fprintf(w, "warning      %s\n", x.Reason)
		} else {
			fmt.Fprintf(w, "warning      %v\n", x)
		}
	}
}

func checkNames(r *audit.Report) (ran, skipped []string) {
	c := r.Checks
	for _, x := range []struct {
		name string
		ok   bool
	}{
		{"chain", c.Chain}, {"tree", c.Tree}, {"signatures", c.Signatures}, {"key-pinned", c.KeyPinned},
		{"proofs", c.Proofs}, {"inclusion", c.Inclusion}, {fmt.Sprintf("macs(%d)", r.MACsChecked), c.MACs},
		{"last-seen", c.LastSeen},
	} {
		if x.ok {
			ran = append(ran, x.name)
		} else {
			skipped = append(skipped, strings.TrimSuffix(x.name, fmt.Sprintf("(%d)", r.MACsChecked)))
		}
	}
	return ran, skipped
}

func runAuditShow(e *env, args []string) error {
	fs := newFlags(e, "audit show")
	from := fs.Int64("from", 0, "first entry `N` to list")
	limit := fs.Int64("limit", 0, "list at most `N` entries (0: all)")
	format := addFormat(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want exactly one log or export DIR")
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	list := auditShowJSON{Entries: []auditEntryJSON{}}
	shown := int64(0)
	errStop := errors.New("stop")
	err = audit.Walk(pos[0], func(en audit.Entry) error {
		if en.Seq < *from {
			return nil
		}
		if *limit > 0 && shown >= *limit {
			return errStop
		}
		shown++
		if asJSON {
			list.Entries = append(list.Entries, auditEntryJSONOf(en))
			return nil
		}
		fmt.Fprintf(e.stdout, "%6d  %s  e%-3d %-18v %s\n", en.Seq, en.Time.UTC().Format("2006-01-02T15:04:05.000Z"), en.Epoch, en.Type, showPayload(en.Payload))
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	if errors.Is(err, audit.ErrTornTail) {
		if asJSON {
			list.TornTail = err.Error()
			return writeJSON(e.stdout, list)
		}
		fmt.Fprintf(e.stdout, "(%v)\n", err)
		return nil
	}
	if err == nil && asJSON {
		return writeJSON(e.stdout, list)
	}
	if err != nil {
		return withHint(err, "`signbox audit verify %s` gives the full verdict", pos[0])
	}
	return nil
}

// showPayload renders a payload on one line: key=value fields as they are,
// printable text quoted where needed, anything else as hex.
func showPayload(p []byte) string {
	if fields, err := audit.ParseFields(p); err == nil {
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = f[0] + "=" + quoteIfNeeded(f[1])
		}
		return strings.Join(parts, " ")
	}
	s := string(p)
	if strings.ToValidUTF8(s, "\ufffd") == s && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return s
	}
	const max = 64
	if len(p) > max {
		return fmt.Sprintf("hex:%x… (%d bytes)", p[:max], len(p))
	}
	return fmt.Sprintf("hex:%x", p)
}

func quoteIfNeeded(v string) string {
	if v == "" || strings.ContainsAny(v, " \"") {
		return fmt.Sprintf("%q", v)
	}
	return v
}

func runAuditVerifyProof(e *env, args []string) error {
	var f auditVerifyFlags
	fs := newFlags(e, "audit verify-proof")
	fs.StringVar(&f.vkey, "vkey", "", "pinned checkpoint verifier `key` (name+hash+key)")
	fs.StringVar(&f.vkeyFile, "vkey-file", "", "read the pinned verifier key from `FILE`")
	format := addFormat(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want exactly one PROOF file")
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	v, err := f.verifier()
	if err != nil {
		return err
	}
	if v == nil {
		return usageErr("a proof means nothing without the pinned key: give --vkey or --vkey-file")
	}
	raw, err := os.ReadFile(pos[0])
	if err != nil {
		return couldNotCheck{err}
	}
	en, h, err := audit.VerifyInclusion(raw, v)
	if asJSON {
		if err != nil {
			return invalidJSON(e, err, auditProofInvalid)
		}
		ej := auditEntryJSONOf(en)
		return writeJSON(e.stdout, auditProofJSON{Verdict: "OK", Origin: h.Origin, Size: int64(h.Size), Entry: &ej})
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "OK: entry %d is in %s at size %d\n", en.Seq, h.Origin, h.Size)
	fmt.Fprintf(e.stdout, "%6d  %s  e%-3d %-18v %s\n", en.Seq, en.Time.UTC().Format("2006-01-02T15:04:05.000Z"), en.Epoch, en.Type, showPayload(en.Payload))
	return nil
}
