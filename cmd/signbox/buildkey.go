package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"signbox/airgap/envelope"
	"signbox/hsm"
	"signbox/internal/atomicfile"
)

func init() {
	register(&command{path: "build-key create",
		usage:   "--token URI --label L [--alg ecdsa-p256|ecdsa-p384|rsa-3072|ed25519] [--pub FILE] [--module PATH] [--pin-fd N | --pin-env NAME]",
		summary: "generate CI's build key in a token and print it for the policy's release.build_key (connected side)",
		run:     runBuildKeyCreate})
	register(&command{path: "build-key show",
		usage:   "--token URI --label L [--pub FILE] [--module PATH] [--pin-fd N | --pin-env NAME]",
		summary: "print an existing build key for the policy's release.build_key",
		run:     runBuildKeyShow})
}

type buildKeyFlags struct {
	token  *tokenFlags
	label  *string
	alg    *string
	pubOut *string
}

func parseBuildKeyFlags(e *env, name string, args []string, withAlg bool) (*buildKeyFlags, error) {
	fs := newFlags(e, name)
	f := &buildKeyFlags{token: addTokenFlags(e, fs, addPINFlags(fs))}
	f.label = fs.String("label", "", "build key `LABEL`")
	f.pubOut = fs.String("pub", "", "also write the public key as PEM to `FILE` (must not exist), for `request verify --build-key`")
	if withAlg {
		f.alg = fs.String("alg", "ecdsa-p256", "algorithm: ecdsa-p256, ecdsa-p384, rsa-3072 or ed25519")
	}
	if err := parseNoArgs(fs, args); err != nil {
		return nil, err
	}
	if *f.label == "" {
		return nil, usageErr("--label is required")
	}
	return f, nil
}

func runBuildKeyCreate(e *env, args []string) error {
	f, err := parseBuildKeyFlags(e, "build-key create", args, true)
	if err != nil {
		return err
	}
	alg, err := hsm.ParseAlgorithm(*f.alg)
	if err != nil || alg == hsm.HMACSHA256 {
		return usageErr("--alg %q: a build key signs, so ecdsa-p256, ecdsa-p384, rsa-3072 or ed25519", *f.alg)
	}
	tok, err := f.token.open(e)
	if err != nil {
		return err
	}
	defer tok.Close()
	k, err := tok.GenerateKey(*f.label, alg)
	if errors.Is(err, hsm.ErrLabelExists) {
		return withHint(err, "`signbox build-key show` prints the key already there; choose another --label for a new one")
	}
	if err != nil {
		return err
	}
	return showBuildKey(e, k, *f.pubOut, "generated")
}

func runBuildKeyShow(e *env, args []string) error {
	f, err := parseBuildKeyFlags(e, "build-key show", args, false)
	if err != nil {
		return err
	}
	tok, err := f.token.open(e)
	if err != nil {
		return err
	}
	defer tok.Close()
	k, err := tok.Key(*f.label)
	if err != nil {
		return withHint(fmt.Errorf("--label %q: %w", *f.label, err), "`signbox hsm keys` lists the token's keys")
	}
	if k.Public == nil || k.Derive {
		return fmt.Errorf("key %q is not a signing key", k.Label)
	}
	return showBuildKey(e, k, *f.pubOut, "build key")
}

// showBuildKey prints the key as the policy snippet that pins it, and
// writes its PEM to pubOut when given.
func showBuildKey(e *env, k hsm.KeyInfo, pubOut, what string) error {
	pem, err := envelope.MarshalPublicKeyPEM(k.Public)
	if err != nil {
		return fmt.Errorf("build key %q: %w", k.Label, err)
	}
	if pubOut != "" {
		if err := atomicfile.WriteNew(pubOut, pem, 0o644); err != nil {
			return fmt.Errorf("build key %q: %w", k.Label, err)
		}
	}
	id, err := envelope.KeyID(k.Public)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "# %s %s key %q, %s\n", what, k.Algorithm, k.Label, id)
	fmt.Fprintln(e.stdout, "# pin it as the appliance policy's release.build_key (by a policy change ceremony):")
	writeBuildKeyYAML(e.stdout, pem)
	return nil
}

// writeBuildKeyYAML writes the policy's release.build_key with the PEM as
// a literal block.
func writeBuildKeyYAML(w io.Writer, pem []byte) {
	fmt.Fprintln(w, "release:")
	fmt.Fprintln(w, "  build_key: |")
	for _, line := range strings.Split(strings.TrimRight(string(pem), "\n"), "\n") {
		fmt.Fprintf(w, "    %s\n", line)
	}
}
