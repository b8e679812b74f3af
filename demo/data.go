package demo

import "embed"

// data holds the real SBOM and OSV snapshot the demo ships with.
//
//go:embed data/proton-bridge-v1.8.0.cdx.json data/osv/Go/all.zip
var data embed.FS

const (
	sbomFile = "data/proton-bridge-v1.8.0.cdx.json"
	feedZip  = "data/osv/Go/all.zip"
	// feedSnapshot is when the shipped Go vulnerability database snapshot
	// was taken (golang/vulndb commit a752ea54).
	feedSnapshot = "2026-08-21T00:00:00Z"
)
