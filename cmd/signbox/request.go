package main

import (
	"crypto"
	"errors"
	"fmt"
	"io"

	"signbox/airgap"
)

func init() {
	register(&command{
		path:    "request verify",
		usage:   "MEDIA [--build-key PUB.pem]... [--format text|json]",
		summary: "check a release request (directory or tar) without importing it",
		run: func(e *env, args []string) error {
			_, err := verifyRequestCmd(e, "request verify", args, false)
			return err
		},
	})
	register(&command{
		path:    "request import",
		usage:   "MEDIA --workspace DIR [--operator-pin-fd N|--operator-pin-env NAME]",
		summary: "verify a release request under the policy's build key and store it in the workspace",
		run:     runRequestImport,
		locks:   lockWorkspace,
	})
}

// mediaFlags are shared by request and feed commands.
type mediaFlags struct {
	workspace string
	buildKeys listFlag
	json      bool // --format json (verify commands only)
}

func parseMediaArgs(e *env, name string, args []string, needWS bool) (string, *mediaFlags, []crypto.PublicKey, error) {
	fs := newFlags(e, name)
	var mf mediaFlags
	fs.StringVar(&mf.workspace, "workspace", "", "workspace directory")
	fs.Var(&mf.buildKeys, "build-key", "pinned build-system public key (PEM); when given, the media must be signed by it")
	format := new(string)
	if !needWS {
		format = addFormat(fs)
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return "", nil, nil, err
	}
	if *format != "" {
		if mf.json, err = jsonFormat(*format); err != nil {
			return "", nil, nil, err
		}
	}
	if len(pos) != 1 {
		return "", nil, nil, usageErr("want exactly one MEDIA (directory or tar file)")
	}
	if needWS && mf.workspace == "" {
		return "", nil, nil, usageErr("--workspace is required")
	}
	keys, err := readPublicKeys(mf.buildKeys)
	if err != nil {
		return "", nil, nil, codedErr{err, 3}
	}
	return pos[0], &mf, keys, nil
}

func verifyRequestCmd(e *env, name string, args []string, doImport bool) (*airgap.VerifiedRequest, error) {
	media, mf, keys, err := parseMediaArgs(e, name, args, doImport)
	if err != nil {
		return nil, err
	}
	v, err := airgap.VerifyRequest(media, airgap.VerifyOptions{BuildKeys: keys})
	if mf.json {
		if err != nil {
			return nil, invalidJSON(e, mediaErr(err), mediaRefused)
		}
		return v, writeJSON(e.stdout, requestJSONOf(v))
	}
	if err != nil {
		return nil, mediaErr(err)
	}
	r := v.Request
	fmt.Fprintf(e.stdout, "release request OK: %s %s for %s, security version %d\n", r.Product, r.Version, r.Chip, r.SecurityVersion)
	for _, im := range r.Images {
		fmt.Fprintf(e.stdout, "  %-11s %s  %d bytes  sha256:%s\n", im.Role, im.Path, im.Size, im.SHA256)
	}
	fmt.Fprintf(e.stdout, "  %-11s %s  %d bytes  sha256:%s\n", "sbom", r.SBOM.Path, r.SBOM.Size, r.SBOM.SHA256)
	printCommon(e.stdout, &v.Verified)
	return v, nil
}

func printCommon(w io.Writer, v *airgap.Verified) {
	fmt.Fprintf(w, "  manifest    sha256:%s (%s)\n", v.ManifestSHA256, v.Media().Form())
	switch v.Signature {
	case airgap.SignatureVerified:
		fmt.Fprintf(w, "  signature   verified, build key %s\n", v.SignedBy)
	case airgap.SignatureNotChecked:
		fmt.Fprintf(w, "  signature   present but NOT checked: no build key pinned (pass --build-key)\n")
	default:
		fmt.Fprintf(w, "  signature   none (no build key pinned)\n")
	}
}

// runRequestImport imports through the appliance: the policy's build key,
// not a flag, decides whether a signature is required, and the import or
// refusal is logged.
func runRequestImport(e *env, args []string) error {
	fs := newFlags(e, "request import")
	ws := fs.String("workspace", "", "workspace directory")
	op := addOperatorFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *ws == "" {
		return usageErr("want exactly one MEDIA (directory or tar file) and --workspace")
	}
	a, err := openAppliance(e, *ws, op)
	if err != nil {
		return err
	}
	defer a.Close()
	imp, err := a.ImportRelease(pos[0])
	if err != nil {
		return mediaErr(err)
	}
	r := imp.Request
	fmt.Fprintf(e.stdout, "release request OK: %s %s for %s, security version %d\n", r.Product, r.Version, r.Chip, r.SecurityVersion)
	if imp.SignedBy != "" {
		fmt.Fprintf(e.stdout, "  signature   verified, build key %s\n", imp.SignedBy)
	}
	fmt.Fprintf(e.stdout, "imported: request %s\n", imp.ID)
	return nil
}

// mediaErr turns a refusal into exit 1 with a hint; anything else could
// not be checked (exit 3).
func mediaErr(err error) error {
	var me *airgap.MediaError
	if errors.As(err, &me) {
		return withHint(codedErr{fmt.Errorf("REFUSED: %w", err), 1}, "nothing was imported; fix the media on the build side and bring it again")
	}
	return codedErr{fmt.Errorf("could not check: %w", err), 3}
}
