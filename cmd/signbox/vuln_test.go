package main

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
)

// A test-only command for the vuln_*.txtar scripts: `signbox testonly
// zip-feed RECORDS SNAPSHOT` zips RECORDS/<Ecosystem>/*.json into
// SNAPSHOT/<Ecosystem>/all.zip, the layout osv.dev exports.
func init() {
	register(&command{path: "testonly zip-feed", usage: "RECORDS SNAPSHOT", summary: "test only: build OSV all.zip files",
		run: func(e *env, args []string) error {
			if len(args) != 2 {
				return usageErr("want RECORDS SNAPSHOT")
			}
			return zipFeed(args[0], args[1])
		}})
}

func zipFeed(records, snapshot string) error {
	ecos, err := os.ReadDir(records)
	if err != nil {
		return err
	}
	for _, eco := range ecos {
		files, err := filepath.Glob(filepath.Join(records, eco.Name(), "*.json"))
		if err != nil || len(files) == 0 {
			return fmt.Errorf("%s: no records", eco.Name())
		}
		if err := os.MkdirAll(filepath.Join(snapshot, eco.Name()), 0o755); err != nil {
			return err
		}
		if err := zipFiles(filepath.Join(snapshot, eco.Name(), "all.zip"), files); err != nil {
			return err
		}
	}
	return nil
}

func zipFiles(out string, files []string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.Base(p))
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
