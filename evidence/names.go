package evidence

import (
	"fmt"
	"regexp"
	"strings"
)

// Bundle paths of the documents Generate writes. The advisory's path
// depends on the release: see AdvisoryPath.
const (
	AdvisoryDir = "csaf/"
	NoticeName  = "NOTICE.md"
	RolloutName = "rollout.json"
	PackName    = "evidence.json"
	TableName   = "EVIDENCE.md"
)

// Bundle paths of files other packages put in every bundle (package
// bundle's layout); the traceability rows name them.
const (
	ManifestName   = "manifest.dsse.json"
	SBOMName       = "sbom.cdx.json"
	VEXName        = "vex.cdx.json"
	TranscriptName = "ceremony/transcript.json"
	CheckpointName = "audit/checkpoint.txt"
	imagesDir      = "images/"
	keysDir        = "keys/"
	approvalsDir   = "ceremony/approvals/"
)

// Kinds of the JSON documents, checked before anything else is decoded.
const (
	PackKind    = "signbox.evidence-pack/v1"
	RolloutKind = "signbox.rollout-plan/v1"
)

// TrackingID is the advisory's /document/tracking/id: unique per release
// of a product, as CSAF 2.0 §3.2.1.12.6 asks of the publisher.
func TrackingID(product, version string, securityVersion uint32) string {
	return fmt.Sprintf("%s-%s-sv%d", product, version, securityVersion)
}

var notFileNameChars = regexp.MustCompile(`[^+\-a-z0-9]+`)

// CSAFFileName is the file name CSAF 2.0 §5.1 prescribes for a tracking
// ID: lower-cased, every run of characters other than a-z, 0-9, "+" and
// "-" replaced by one "_", and ".json" appended.
func CSAFFileName(trackingID string) string {
	return notFileNameChars.ReplaceAllString(strings.ToLower(trackingID), "_") + ".json"
}

// AdvisoryPath is the advisory's bundle path: csaf/ and its §5.1 name.
func AdvisoryPath(product, version string, securityVersion uint32) string {
	return AdvisoryDir + CSAFFileName(TrackingID(product, version, securityVersion))
}

// Documents lists every file Generate writes for a release, in a fixed
// order.
func Documents(product, version string, securityVersion uint32) []string {
	return []string{AdvisoryPath(product, version, securityVersion), NoticeName, RolloutName, PackName, TableName}
}

func (in *Inputs) advisoryPath() string {
	return AdvisoryPath(in.Product, in.Version, in.SecurityVersion.New)
}

func (in *Inputs) documents() []string {
	return Documents(in.Product, in.Version, in.SecurityVersion.New)
}
