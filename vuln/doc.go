// Package vuln matches SBOM components against offline OSV feeds and keeps
// the triage (VEX) decisions that gate a release.
//
// # Feeds
//
// A feed snapshot is a directory of <Ecosystem>/all.zip files, osv.dev's
// export layout, plus a feed.json (airgap's snapshot manifest) listing each zip's SHA-256 and size
// and the snapshot's creation time ([WriteManifest] makes one on the
// connected side). [Import] checks the manifest against the very bytes it
// parses, refuses zips the manifest does not list, refuses a snapshot
// older than [Freshness] allows relative to the ceremony date. A record
// that is malformed or oversized (an unknown range type, fixed and
// last_affected in one range, an empty event version, an id that is not
// its file name, ...) is quarantined ([Quarantined]): listed with its
// reason in index.json, the import report and the audit entry, and every
// component it names is "not checked" against it ([QuarantineHit]), so
// the gate's allow_unchecked rule decides rather than the record
// vanishing; the rest of the feed imports. More than [MaxQuarantined] of
// them refuse the feed as a whole ([RecordError]). Withdrawn records are
// dropped at import. The result is an index in the workspace: records.bin
// (the records, trimmed to the fields signbox uses, in a compact binary
// form) and index.json (counts, hashes, a SHA-256 per 64 KiB chunk of
// records.bin, the quarantine, and the byte spans of each package's
// records). [OpenFeed] reads index.json and applies the freshness policy;
// a scan then reads, verifies and decodes only the chunks holding the
// records of the packages the SBOM names, and parses each record's events
// once. [Feed.Digest] (the SHA-256 of index.json) identifies the feed in
// the ceremony plan.
//
// # Matching
//
// [Scan] follows the OSV schema's evaluation rules (ossf/osv-schema,
// docs/schema.md, "Evaluation"): a version is affected if it is listed in
// versions[] or lies in any SEMVER or ECOSYSTEM range. Within a range the
// events are sorted (introduced "0" first, limit "*" last, equal versions
// with introduced first); the version must lie below some limit if there
// are limits, and the last event at or below it decides: introduced turns
// affected on, fixed turns it off, last_affected turns it off only above
// it. SEMVER ranges use SemVer 2.0 precedence; ECOSYSTEM ranges use the
// ecosystem's own ordering from osv-scalibr's semantic package. Packages
// match when base ecosystems are equal, suffixes (Debian:12) are equal
// when both sides carry one, and names are equal after the ecosystem's
// normalisation (PEP 503 for PyPI). Records that are aliases of each other,
// directly or through a shared alias, become one [Finding].
//
// # Where signbox deliberately differs from osv-scanner 2.5 offline
//
// Each difference is pinned in TestDifferencesFromOSVScanner.
//
//   - A GIT range before a SEMVER or ECOSYSTEM range: osv-scanner stops at
//     the first non-version range and misses the version range; signbox
//     skips GIT ranges and evaluates the rest. (All 1385 PyPA entries that
//     mix GIT and ECOSYSTEM ranges list GIT first.)
//   - limit events: osv-scanner ignores them; signbox applies them.
//   - versions[] against Go versions: osv-scanner compares raw strings, so
//     an SBOM's v1.4.0 misses "1.4.0"; signbox strips Go's leading "v"
//     first.
//   - Maven components with group and name split (group=org.x,
//     name=lib): osv-scanner 2.5 drops the group and finds nothing;
//     signbox takes the name from the purl (org.x:lib).
//   - A component whose purl lacks @version but whose version field is set:
//     osv-scanner filters it out silently; signbox uses the version field.
//   - Components without a version or purl, and components in ecosystems
//     the feed lacks: osv-scanner warns or says nothing; signbox lists
//     them in [Result] and the gate blocks on them unless the policy allows
//     unchecked components.
//   - A range whose versions cannot be ordered (unsupported ecosystem, a
//     version on either side that is not a version in the range's
//     ordering, such as "master" against SemVer): osv-scanner errors,
//     reports the package, or orders the garbage somewhere; signbox
//     reports a finding marked Unevaluated ("could not evaluate"), never
//     "not affected", and the gate blocks it while open by its own rule
//     (could_not_evaluate) unless the policy allows it.
//   - The Go toolchain (purl golang.org/toolchain, version
//     v0.0.1-go1.21.3.linux-amd64): checked as Go release 1.21.3 against
//     the vulnerability database's "toolchain" and "stdlib" records.
//   - Severity: osv-scanner shows the highest CVSS score; signbox scores
//     CVSS v2, v3.0, v3.1 and v4.0 vectors with github.com/pandatix/go-cvss
//     (as osv-scanner does), takes the highest-rated, falls back to the
//     GHSA severity word, and otherwise rates "unknown", which the gate
//     rules by its own policy rule (unknown_severity), not as critical. A
//     record with an invalid vector is refused at import.
//   - Offline integrity: osv-scanner reads local zips without any check;
//     signbox requires the manifest and the feed age policy.
//
// # Triage
//
// A [Decision] is the CycloneDX analysis of one finding: state,
// justification, responses, detail, who and when. [Decisions] keeps them in
// one canonical file in a workspace directory; [Decisions.Digest] goes into
// the ceremony plan. Decisions are found by the finding's ID or any alias,
// so they survive a feed update that changes which record is primary.
// [Decision.Check] refuses contradictory analyses at entry;
// [Decision.CheckFinding] adds [CheckResolved]: resolved only with the fix
// in the SBOM. [Gate] applies both again with a [GatePolicy] and returns a
// [GateResult] listing every blocker with the rules that block it.
// [WriteVEX] writes the CycloneDX 1.6 VEX document in one streaming pass
// (each entry checked against the 1.6 enums as it is built; the bytes
// equal cyclonedx-go's encoding of [BuildVEX]'s document) and
// [WriteReport] the readable Markdown report.
package vuln
