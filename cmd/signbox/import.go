package main

import (
	"fmt"

	"signbox/airgap"
)

func init() {
	register(&command{
		path:    "feed verify",
		usage:   "MEDIA [--build-key PUB.pem]... [--format text|json]",
		summary: "check an OSV feed snapshot (feed.json + all.zip files) without importing it; `vuln import` imports",
		run:     runFeedVerify,
	})
}

func runFeedVerify(e *env, args []string) error {
	media, mf, keys, err := parseMediaArgs(e, "feed verify", args, false)
	if err != nil {
		return err
	}
	v, err := airgap.VerifyFeed(media, airgap.VerifyOptions{BuildKeys: keys})
	if mf.json {
		if err != nil {
			return invalidJSON(e, mediaErr(err), mediaRefused)
		}
		return writeJSON(e.stdout, feedJSONOf(v))
	}
	if err != nil {
		return mediaErr(err)
	}
	fmt.Fprintf(e.stdout, "OSV feed snapshot OK: taken %s from %s\n", v.Feed.Snapshot, v.Feed.Source)
	for _, f := range v.Feed.Files {
		fmt.Fprintf(e.stdout, "  %-12s %s  %d bytes  sha256:%s\n", f.Ecosystem, f.Path, f.Size, f.SHA256)
	}
	printCommon(e.stdout, &v.Verified)
	return nil
}
