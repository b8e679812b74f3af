package main

import (
	"fmt"

	"signbox/airgap"
)

func init() {
	register(&command{
		path:    "feed import",
		usage:   "MEDIA --workspace DIR [--build-key PUB.pem]...",
		summary: "verify an OSV feed snapshot (feed.json + all.zip files) and store it in the workspace",
		run:     runFeedImport,
		locks:   lockWorkspace,
	})
}

func runFeedImport(e *env, args []string) error {
	media, mf, keys, err := parseMediaArgs(e, "feed import", args, true)
	if err != nil {
		return err
	}
	v, err := airgap.VerifyFeed(media, airgap.VerifyOptions{BuildKeys: keys})
	if err != nil {
		return mediaErr(err)
	}
	fmt.Fprintf(e.stdout, "OSV feed snapshot OK: taken %s from %s\n", v.Feed.Snapshot, v.Feed.Source)
	for _, f := range v.Feed.Files {
		fmt.Fprintf(e.stdout, "  %-12s %s  %d bytes  sha256:%s\n", f.Ecosystem, f.Path, f.Size, f.SHA256)
	}
	printCommon(e.stdout, &v.Verified)
	return importVerified(e, mf.workspace, &v.Verified)
}
