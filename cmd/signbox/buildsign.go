package main

import (
	"crypto"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"signbox/airgap"
	"signbox/hsm"
	"signbox/internal/atomicfile"
)

// signFlags name the build key that signs what CI hands across the air
// gap: --sign-with URI --key-label L, with the PIN flags.
type signFlags struct {
	token *tokenFlags
	label *string
}

func addSignFlags(e *env, fs *flag.FlagSet) *signFlags {
	pin := addPINFlags(fs)
	return &signFlags{
		token: &tokenFlags{name: "sign-with", pin: pin,
			uri:    fs.String("sign-with", "", "build key token `URI` (RFC 7512 pkcs11:)"),
			module: fs.String("module", defaultModule(e), "PKCS#11 library `PATH` when the URI has no module-path")},
		label: fs.String("key-label", "", "build key `LABEL` on the --sign-with token"),
	}
}

func (s *signFlags) enabled() bool { return *s.token.uri != "" }

// check requires --sign-with and --key-label together.
func (s *signFlags) check() error {
	if s.enabled() != (*s.label != "") {
		return usageErr("give --sign-with and --key-label together")
	}
	return nil
}

// open opens the token and finds the build key; close the token when done.
func (s *signFlags) open(e *env) (*hsm.Token, crypto.Signer, error) {
	tok, err := s.token.open(e)
	if err != nil {
		return nil, nil, err
	}
	sg, err := tok.Signer(*s.label)
	if err != nil {
		tok.Close()
		if errors.Is(err, hsm.ErrKeyNotFound) {
			return nil, nil, withHint(fmt.Errorf("--key-label %q: %w", *s.label, err), "`signbox hsm keys --token '%s'` lists the token's keys", *s.token.uri)
		}
		return nil, nil, fmt.Errorf("build key %q: %w", *s.label, err)
	}
	return tok, sg, nil
}

// writeSignedFeed writes feed.json and feed.dsse.json into the snapshot
// directory and reads the snapshot back as `feed verify --build-key` and
// an appliance pinning the key do. The signature is made before anything
// is written, so a wrong PIN leaves the directory as it was; a snapshot
// that does not read back loses both files again.
func writeSignedFeed(e *env, dir string, manifest []byte, s *signFlags) error {
	mPath, sPath := filepath.Join(dir, airgap.FeedManifest), filepath.Join(dir, airgap.FeedSignature)
	for _, p := range []string{mPath, sPath} {
		if _, err := os.Lstat(p); err == nil {
			return withHint(fmt.Errorf("%s: %w", p, atomicfile.ErrExists), "signbox never overwrites an output: start from the snapshot's zip files")
		}
	}
	tok, sg, err := s.open(e)
	if err != nil {
		return err
	}
	defer tok.Close()
	env, err := airgap.SignManifest(sg, manifest)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteNew(mPath, manifest, 0o644); err != nil {
		return err
	}
	if err := atomicfile.WriteNew(sPath, env, 0o644); err != nil {
		return errors.Join(err, os.Remove(mPath))
	}
	v, err := airgap.VerifyFeed(dir, airgap.VerifyOptions{BuildKeys: []crypto.PublicKey{sg.Public()}})
	if err != nil {
		return errors.Join(fmt.Errorf("read back: %w", err), os.Remove(sPath), os.Remove(mPath))
	}
	fmt.Fprintf(e.stdout, "wrote %s and %s\n", mPath, sPath)
	printCommon(e.stdout, &v.Verified)
	return nil
}
