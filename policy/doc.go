// Package policy parses and validates the appliance policy: who may approve
// which ceremony, which keys exist and where they live, and the rules a
// release must meet.
//
// # The file
//
// The policy is one YAML file, parsed strictly: unknown keys, duplicate keys,
// aliases, tags and extra documents are rejected, and every error names the
// field path (for example "custodians[1].approval_key"). Example policies
// live in testdata/ and are parsed by the tests, so they stay valid.
//
// # Identity
//
// A policy is identified by its [Policy.Digest], "sha256:" + hex of the exact
// file bytes, so anyone can check it with sha256sum. Keys are pinned by
// [Fingerprint], the same "sha256:<hex of SPKI DER>" that hsm.Fingerprint
// computes.
//
// # Changing the policy
//
// A policy change is itself a ceremony. [CheckSuccessor] says whether a new
// policy may follow the current one; the approvals are counted under the
// current (old) policy's policy_change quorum, never the new one.
package policy
