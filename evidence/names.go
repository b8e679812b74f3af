package evidence

// Bundle paths of the documents Generate writes.
const (
	AdvisoryName = "advisory.csaf.json"
	NoticeName   = "NOTICE.md"
	RolloutName  = "rollout.json"
	PackName     = "evidence.json"
	TableName    = "EVIDENCE.md"
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

// Documents lists every file Generate writes, in a fixed order.
func Documents() []string {
	return []string{AdvisoryName, NoticeName, RolloutName, PackName, TableName}
}
