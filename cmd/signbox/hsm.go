package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"signbox/airgap/envelope"
	"signbox/hsm"
	"signbox/hsm/softhsm"
	"signbox/internal/atomicfile"
)

func init() {
	register(&command{path: "hsm tokens", usage: "[--module PATH] [--format text|json]",
		summary: "list the tokens a PKCS#11 module offers", run: runHSMTokens})
	register(&command{path: "hsm keys", usage: "--token URI [--pin-fd N | --pin-env NAME] [--format text|json]",
		summary: "list a token's keys: labels, ids, algorithms, SPKI fingerprints", run: runHSMKeys})
	register(&command{path: "hsm keygen", usage: "--token URI --label L --alg ALG [--wrappable] [--pub FILE] [--pin-fd N | --pin-env NAME]",
		summary: "generate a key inside a token", run: runHSMKeygen})
}

// defaultModule is --module's default: $SIGNBOX_SOFTHSM_MODULE, else the
// Debian SoftHSM2 path.
func defaultModule(e *env) string {
	if m := e.getenv("SIGNBOX_SOFTHSM_MODULE"); m != "" {
		return m
	}
	return softhsm.DefaultModule
}

func runHSMTokens(e *env, args []string) error {
	fs := newFlags(e, "hsm tokens")
	module := fs.String("module", defaultModule(e), "PKCS#11 library `PATH`")
	format := addFormat(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	toks, err := hsm.ListTokens(*module)
	if err != nil {
		return withHint(codedErr{err, 3}, "point --module (or SIGNBOX_SOFTHSM_MODULE) at the PKCS#11 library, e.g. %s", softhsm.DefaultModule)
	}
	if asJSON {
		return writeJSON(e.stdout, hsmTokensJSONOf(*module, toks))
	}
	if len(toks) == 0 {
		fmt.Fprintf(e.stdout, "no initialised tokens in %s\n", *module)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LABEL\tSERIAL\tSLOT\tMODEL\tPIN\tURI")
	for _, t := range toks {
		pin := "ok"
		if t.PINLocked {
			pin = "LOCKED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s %s\t%s\t%s\n", t.Label, t.Serial, t.SlotID, t.Manufacturer, t.Model, pin, t.URI)
	}
	return tw.Flush()
}

// openTokenFor opens uri with the PIN from the shared pin flags (pin.go);
// who names the token in a terminal prompt.
func openTokenFor(e *env, uri string, pin *pinFlags, who string) (*hsm.Token, error) {
	if uri == "" {
		return nil, usageErr("--token URI is required")
	}
	tok, err := hsm.Open(uri, pin.source(e, who))
	if err != nil {
		return nil, fmt.Errorf("open token: %w", err)
	}
	return tok, nil
}

// tokenFlags are the flags of commands that open one token.
type tokenFlags struct {
	uri    *string
	module *string
	pin    *pinFlags
	// name is the URI flag's name for messages; "" means "token".
	name string
}

func (f *tokenFlags) flagName() string {
	if f.name == "" {
		return "token"
	}
	return f.name
}

func addTokenFlags(e *env, fs interface {
	String(name, value, usage string) *string
}, pin *pinFlags) *tokenFlags {
	return &tokenFlags{
		uri:    fs.String("token", "", "token `URI` (RFC 7512 pkcs11:; module-path defaults to --module)"),
		module: fs.String("module", defaultModule(e), "PKCS#11 library `PATH` when the URI has no module-path"),
		pin:    pin,
	}
}

// open opens the token, filling in the module path when the URI omits it.
func (f *tokenFlags) open(e *env) (*hsm.Token, error) {
	if *f.uri == "" {
		return nil, usageErr("--%s URI is required", f.flagName())
	}
	u, err := hsm.ParseURI(*f.uri)
	if err != nil {
		return nil, usageErr("--%s: %v", f.flagName(), err)
	}
	if u.ModulePath == "" {
		u.ModulePath = *f.module
	}
	tok, err := hsm.Open(u.String(), f.pinSource(e, u))
	if err != nil {
		return nil, tokenHint(fmt.Errorf("open token: %w", err), u)
	}
	return tok, nil
}

func (f *tokenFlags) pinSource(e *env, u hsm.URI) hsm.PINFunc {
	if u.PINSource != "" && f.pin.fd < 0 && f.pin.env == "" {
		return nil // the URI's pin-source file
	}
	return f.pin.source(e, fmt.Sprintf("token %q", u.Token))
}

func tokenHint(err error, u hsm.URI) error {
	switch {
	case errors.Is(err, hsm.ErrTokenNotFound):
		return withHint(err, "`signbox hsm tokens --module %s` lists the tokens", u.ModulePath)
	case errors.Is(err, hsm.ErrPINIncorrect):
		return withHint(err, "check the PIN before retrying: repeated wrong PINs may lock the token")
	case errors.Is(err, hsm.ErrPINLocked):
		return withHint(err, "the token's security officer must unlock or reset the user PIN")
	}
	return err
}

func runHSMKeys(e *env, args []string) error {
	fs := newFlags(e, "hsm keys")
	tf := addTokenFlags(e, fs, addPINFlags(fs))
	format := addFormat(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	tok, err := tf.open(e)
	if err != nil {
		return err
	}
	defer tok.Close()
	keys, err := selectedKeys(tok, *tf.uri)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, hsmKeysJSONOf(tok, keys))
	}
	if len(keys) == 0 {
		fmt.Fprintf(e.stdout, "no keys on token %q\n", tok.Info().Label)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LABEL\tALGORITHM\tID\tFINGERPRINT\tBACKUP\tURI")
	var notes []string
	for _, k := range keys {
		alg := string(k.Algorithm)
		if k.Unusable != "" {
			alg = "unusable"
			notes = append(notes, fmt.Sprintf("key %q is not usable by signbox: %s", k.Label, k.Unusable))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.Label, orDash(alg), k.IDHex(), orDash(k.Fingerprint), backupNote(k),
			tok.Info().KeyURI(k))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(e.stdout, "note:", n)
	}
	return nil
}

// selectedKeys lists the token's keys the --token URI's object, id and
// type attributes select (all of them when it has none).
func selectedKeys(tok *hsm.Token, uri string) ([]hsm.KeyInfo, error) {
	u, err := hsm.ParseURI(uri)
	if err != nil {
		return nil, err
	}
	all, err := tok.Keys()
	if err != nil {
		return nil, err
	}
	var out []hsm.KeyInfo
	for _, k := range all {
		if u.SelectsKey(k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func backupNote(k hsm.KeyInfo) string {
	if k.Extractable {
		return "wrappable"
	}
	return "no"
}

func runHSMKeygen(e *env, args []string) error {
	fs := newFlags(e, "hsm keygen")
	tf := addTokenFlags(e, fs, addPINFlags(fs))
	label := fs.String("label", "", "key `LABEL` (must not exist on the token)")
	algName := fs.String("alg", "", "algorithm: rsa-3072, rsa-2048 (MCUboot only), ecdsa-p256, ecdsa-p384, ed25519 or hmac-sha256")
	wrappable := fs.Bool("wrappable", false, "make the key extractable under wrapping, for a backup token (cannot be changed later)")
	pubOut := fs.String("pub", "", "also write the public key as PEM to `FILE` (must not exist)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *label == "" || *algName == "" {
		return usageErr("--label and --alg are required")
	}
	alg, err := hsm.ParseAlgorithm(*algName)
	if err != nil {
		return usageErr("--alg: %v", err)
	}
	if *pubOut != "" && alg == hsm.HMACSHA256 {
		return usageErr("--pub: hmac-sha256 keys have no public half")
	}
	tok, err := tf.open(e)
	if err != nil {
		return err
	}
	defer tok.Close()
	return generateKey(e, tok, *label, alg, *wrappable, *pubOut)
}

func generateKey(e *env, tok *hsm.Token, label string, alg hsm.Algorithm, wrappable bool, pubOut string) error {
	var opts []hsm.GenOption
	if wrappable {
		opts = append(opts, hsm.Wrappable())
	}
	k, err := tok.GenerateKey(label, alg, opts...)
	if errors.Is(err, hsm.ErrLabelExists) {
		return withHint(err, "choose another --label; `signbox hsm keys` lists the labels in use")
	}
	if err != nil {
		return err
	}
	if pubOut != "" {
		if err := writePublicPEM(pubOut, k); err != nil {
			return fmt.Errorf("key %q was generated, but: %w", k.Label, err)
		}
	}
	fmt.Fprintf(e.stdout, "generated %s key %q\nid           %s\nfingerprint  %s (SHA-256 of the SPKI)\n", k.Algorithm, k.Label, k.IDHex(), orDash(k.Fingerprint))
	return nil
}

func writePublicPEM(path string, k hsm.KeyInfo) error {
	b, err := envelope.MarshalPublicKeyPEM(k.Public)
	if err != nil {
		return err
	}
	return atomicfile.WriteNew(path, b, 0o644)
}
