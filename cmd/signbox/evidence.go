package main

import (
	"fmt"

	"signbox/bundle"
	"signbox/evidence"
)

func init() {
	register(&command{
		path:    "evidence check",
		usage:   "BUNDLE --release-key PUB.pem [--product NAME] [--format text|json]",
		summary: "verify a release bundle, then check every FDA / IEC 81001-5-1 evidence row",
		run:     runEvidenceCheck,
	})
}

// runEvidenceCheck verifies the bundle exactly as `bundle verify` does,
// then runs every evidence row and prints the table. Exit 1 when the
// bundle or any row fails, 3 when the bundle could not be read.
func runEvidenceCheck(e *env, args []string) error {
	fs := newFlags(e, "evidence check")
	keyPath := fs.String("release-key", "", "release-bundle public key (PEM)")
	product := fs.String("product", "", "expected product")
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
		return usageErr("want exactly one BUNDLE")
	}
	res, err := verifyBundle(pos[0], *keyPath, bundle.VerifyOptions{Product: *product},
		"the evidence cannot be trusted; re-export the bundle from the appliance")
	if err != nil {
		return err
	}
	files, err := evidence.ReadBundle(pos[0], res)
	if err != nil {
		return codedErr{fmt.Errorf("could not check: %w", err), 3}
	}
	rep := evidence.Check(res, files)
	if asJSON {
		err = writeJSON(e.stdout, evidenceJSON(rep))
	} else {
		err = rep.Write(e.stdout)
	}
	if err != nil {
		return err
	}
	if !rep.Pass() {
		failed := 0
		for _, r := range rep.Rows {
			if !r.Pass {
				failed++
			}
		}
		return withHint(codedErr{fmt.Errorf("%d of %d evidence rows failed", failed, len(rep.Rows)), 1},
			"each failed row says which file and why; a bundle made by `signbox ceremony run` with a clinical block passes every row")
	}
	return nil
}
