package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"signbox/bundle"
)

func init() {
	register(&command{
		path:    "bundle verify",
		usage:   "BUNDLE --release-key PUB.pem [--product NAME] [--min-security-version N] [--last-version V --last-security-version N] [--efuse-digest HEX|FILE]... [--revoked-slot N]... [--format text|json]",
		summary: "verify a release bundle (directory or tar) without any secret",
		run:     runBundleVerify,
	})
}

func runBundleVerify(e *env, args []string) error {
	fs := newFlags(e, "bundle verify")
	keyPath := fs.String("release-key", "", "release-bundle public key (PEM)")
	product := fs.String("product", "", "expected product")
	minSV := fs.Uint("min-security-version", 0, "refuse bundles below this security version")
	lastV := fs.String("last-version", "", "version of the last release accepted (replay check)")
	lastSV := fs.Uint("last-security-version", 0, "security version of the last release accepted")
	var digests, revoked listFlag
	fs.Var(&digests, "efuse-digest", "device eFuse key digest (64 hex digits, or a file from espsecure digest_sbv2_public_key), slots 0, 1, 2 in order; replaces the bundle's own")
	fs.Var(&revoked, "revoked-slot", "eFuse key slot revoked on the device (0-2)")
	format := addFormat(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want exactly one BUNDLE")
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	opts := bundle.VerifyOptions{Product: *product, MinSecurityVersion: uint32(*minSV)}
	if *lastV != "" || *lastSV != 0 {
		opts.LastSeen = &bundle.Release{Version: *lastV, SecurityVersion: uint32(*lastSV)}
	}
	if err := parseSlots(&opts, digests, revoked); err != nil {
		return usageErr("%v", err)
	}
	res, err := verifyBundle(pos[0], *keyPath, opts, "do not install or ship this bundle; re-export it from the appliance")
	if asJSON {
		if err != nil {
			return invalidJSON(e, err, bundleInvalid)
		}
		return writeJSON(e.stdout, bundleJSONOf(res))
	}
	if err != nil {
		return err
	}
	printBundleResult(e.stdout, res)
	return nil
}

// verifyBundle checks a bundle under the release key in keyPath: exit 1
// (with invalidHint) when it is invalid, 3 when it could not be checked.
func verifyBundle(path, keyPath string, opts bundle.VerifyOptions, invalidHint string) (*bundle.Result, error) {
	if keyPath == "" {
		return nil, usageErr("--release-key is required")
	}
	pub, err := readPublicKey(keyPath)
	if err != nil {
		return nil, codedErr{err, 3}
	}
	res, err := bundle.Verify(path, pub, opts)
	if err != nil {
		var ve *bundle.VerifyError
		if errors.As(err, &ve) {
			return nil, withHint(codedErr{fmt.Errorf("INVALID: %w", err), 1}, "%s", invalidHint)
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil, withHint(codedErr{fmt.Errorf("could not check: %w", err), 3},
				"there is no bundle at %s yet: a ceremony writes its bundle only when it is exported "+
					"(see `signbox ceremony show --workspace WS`; finish it in `signbox open` or with `signbox ceremony run`)", path)
		}
		return nil, codedErr{fmt.Errorf("could not check: %w", err), 3}
	}
	return res, nil
}

func parseSlots(opts *bundle.VerifyOptions, digests, revoked []string) error {
	if len(digests) > 3 {
		return fmt.Errorf("at most 3 --efuse-digest values")
	}
	for i, d := range digests {
		b, err := readDigest(d)
		if err != nil {
			return fmt.Errorf("--efuse-digest %q: %w", d, err)
		}
		copy(opts.EfuseDigests[i][:], b)
	}
	for _, r := range revoked {
		n, err := strconv.Atoi(r)
		if err != nil || n < 0 || n > 2 {
			return fmt.Errorf("--revoked-slot %q: want 0, 1 or 2", r)
		}
		opts.Revoked[n] = true
	}
	return nil
}

// readDigest takes 64 hex digits, or a file holding either the 32 raw
// bytes espsecure's digest_sbv2_public_key writes or their hex.
func readDigest(arg string) ([]byte, error) {
	if b, err := hex.DecodeString(arg); err == nil && len(b) == 32 {
		return b, nil
	}
	raw, err := os.ReadFile(arg)
	if err != nil {
		return nil, fmt.Errorf("neither 64 hex digits nor a readable file: %w", err)
	}
	if len(raw) == 32 {
		return raw, nil
	}
	if b, err := hex.DecodeString(strings.TrimSpace(string(raw))); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, fmt.Errorf("file holds neither 32 raw bytes nor 64 hex digits")
}

func printBundleResult(w io.Writer, r *bundle.Result) {
	m := r.Manifest
	fmt.Fprintf(w, "bundle OK: %s %s for %s, security version %d\n", m.Product, m.Version, m.Chip, m.SecurityVersion)
	if m.Family != "" {
		fmt.Fprintf(w, "  family         %s\n", m.Family)
	}
	fmt.Fprintf(w, "  form           %s\n", r.Form)
	fmt.Fprintf(w, "  manifest       sha256:%s\n", r.ManifestSHA256)
	fmt.Fprintf(w, "  signed by      %s\n", r.ReleaseKeyID)
	fmt.Fprintf(w, "  ceremony date  %s\n", m.CeremonyDate)
	fmt.Fprintf(w, "  plan digest    %s\n", m.PlanDigest)
	fmt.Fprintf(w, "  files          %d checked (size and SHA-256)\n", r.Files)
	for _, im := range r.Images {
		if m.Family != "" {
			fmt.Fprintf(w, "  %-14s %s: %s signature OK, key hash %s, security counter %d\n", im.Role, im.Path, m.Family, im.KeyDigest, im.SecureVersion)
			continue
		}
		fmt.Fprintf(w, "  %-14s %s: Secure Boot V2 OK, key slot %d (eFuse key digest %s), secure_version %d\n", im.Role, im.Path, im.Slot, im.KeyDigest, im.SecureVersion)
	}
	fmt.Fprintf(w, "  product        %s\n", checked(r.ProductChecked, "not checked (pass --product)"))
	fmt.Fprintf(w, "  replay         %s\n", checked(r.ReplayChecked, "not checked (pass --last-version/--last-security-version or --min-security-version)"))
}

func checked(ok bool, otherwise string) string {
	if ok {
		return "checked"
	}
	return otherwise
}
