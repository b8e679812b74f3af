// Package ceremony is signbox's quorum-approved ceremony engine.
//
// # Kinds
//
// Four ceremony kinds exist: key generation (keys made in the HSM; public
// keys, eFuse digests and a device provisioning profile written out),
// release signing (ESP32 bootloader and app images signed with every
// active Secure Boot key), key revocation (a Secure Boot slot retired; the
// profile says which eFuse to burn) and policy change (a new policy
// installed, approved under the old one).
//
// # Plan and approvals
//
// Each ceremony has one canonical [Plan] (inputs by SHA-256, versions old →
// new, keys, policy digest, ceremony date) with one [Digest], shown as hex
// groups and as PGP words to read aloud. Custodians approve by signing the
// plan with the key on their own token; all signatures sit on one DSSE
// envelope whose payload is the plan. Approvals count by distinct key
// material, only for keys the policy lists under a role the ceremony kind
// allows, and only for this exact plan.
//
// # Step order
//
// A [Session] enforces load → verify inputs → evaluate policy → collect
// quorum → sign → verify → export. Each method fails with an error wrapping
// [ErrOutOfOrder] when called too early. [Session.CollectQuorum] is the only
// way to get a [Quorum], and [Session.Sign] takes one, so signing without a
// quorum does not compile. State is kept in the ceremony's directory so a
// crash resumes after signing, or refuses cleanly if it struck during
// signing; nothing is ever signed twice.
//
// # Files
//
// A [Workspace] owns, under its root:
//
//	ceremonies/<id>/plan.json             canonical plan (write-once)
//	ceremonies/<id>/inputs/               copies of the inputs, as planned
//	ceremonies/<id>/approvals.dsse.json   the approvals envelope
//	ceremonies/<id>/state.json            durable step, counted approvals, outputs
//	ceremonies/<id>/sign.intent           claimed once, before any HSM work
//	ceremonies/<id>/out/                  outputs and transcript.json (write-once)
//	versions.json                         last released security version per product
//	revocations.json                      retired Secure Boot slots
//	policy.yaml                           replaced only by a policy change's Export
//
// Ceremony ids are "<sequence>-<kind>", e.g. "0003-release"; the sequence
// is in the plan, so approvals of an older ceremony are recognised.
//
// The package never imports PKCS#11 and never reads the clock: the HSM is
// a [KeyStore] and approvers are crypto.Signers, and the ceremony date is an
// input the operators confirm. Steps are reported to a [Recorder] (the
// audit log) when one is set.
package ceremony
