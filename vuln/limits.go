package vuln

// Bounds on feed input. Real feeds (golang/vulndb, RustSec) have records
// under 16 KiB and zips under 4 MiB; osv.dev's largest per-ecosystem
// exports (Debian, Ubuntu) are a few hundred MiB uncompressed. The bounds
// leave ample room while refusing zip bombs and runaway records.
const (
	// MaxRecordBytes bounds one OSV record (64x the largest real one).
	MaxRecordBytes = 1 << 20
	// MaxRecords bounds the entries in one ecosystem's zip.
	MaxRecords = 1_000_000
	// MaxZipUncompressed bounds the sum of one zip's uncompressed entries.
	MaxZipUncompressed = 4 << 30
	// MaxZipBytes bounds one all.zip on media; import holds one zip in
	// memory at a time so that the bytes hashed are the bytes parsed.
	MaxZipBytes = 512 << 20
	// MaxAffected, MaxEvents and MaxListItems bound lists inside a record
	// so that matching cost stays linear in the SBOM.
	MaxAffected  = 10_000
	MaxEvents    = 10_000
	MaxListItems = 100_000
	// MaxManifestBytes bounds the feed snapshot manifest.
	MaxManifestBytes = 1 << 20
	// MaxDecisionsBytes bounds the triage decisions file.
	MaxDecisionsBytes = 64 << 20
	// MaxVectorBytes bounds one CVSS vector string; a CVSS v4.0 vector
	// with every metric set is under 300 bytes.
	MaxVectorBytes = 512
	// MaxQuarantined bounds the records one import may set aside; a feed
	// with more bad records than this is refused as a whole.
	MaxQuarantined = 1000
	// maxProblems caps how many record problems one error lists.
	maxProblems = 20
)
