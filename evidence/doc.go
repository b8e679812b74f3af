// Package evidence writes what hospitals and regulators receive with a
// release, and checks it again on the other side of the air gap.
//
// # Documents
//
// [Generate] turns plain inputs (the product, the release request's
// clinical block, the release SBOM and VEX exactly as they go into the
// bundle, the security versions, the ceremony date and plan digest, and
// the names of the other bundle files) into bundle documents:
//
//	csaf/<id>.json      CSAF 2.0 security advisory built from the VEX: TLP
//	                    label, self reference to its canonical URL, named by
//	                    its tracking ID per CSAF 2.0 §5.1, and checked
//	                    against the OASIS schema (schema/) when written
//	NOTICE.md           update notice for the hospital (why, risk, downtime,
//	                    clinical impact, install, confirm, roll back)
//	rollout.json        the rollout plan (staged waves or the whole fleet)
//	evidence.json       traceability rows: requirement → files → check
//	EVIDENCE.md         the same table for people
//
// They are ordinary bundle files (bundle.Contents.Documents), so the
// signed manifest covers them: the rollout plan is signed by being listed.
//
// # Traceability
//
// Each [Row] maps an FDA premarket cybersecurity item (Cybersecurity in
// Medical Devices, final guidance 2023, re-issued 2025: SBOM with support
// level and end-of-support per component, vulnerability assessment, event
// logging, update integrity, anti-rollback) or an IEC 81001-5-1:2021
// clause (5.7 verification, 6.1 maintenance, 6.3.3 update integrity) to
// the bundle files that evidence it and the signbox command that checks
// it. The clause summaries follow a secondary crosswalk (see
// design/device-and-audit.md part C) and should be read against the
// standard itself.
//
// # Checking
//
// [Check] needs a *bundle.Result, which only bundle.Verify makes, so the
// manifest signature, every file digest and every image signature have
// been checked before any row runs. Each row then re-checks its files'
// content: a file removed from the bundle, or altered and re-signed,
// fails its row.
//
// Nothing here reads the clock: dates are inputs.
package evidence
