// Package publish puts a verified release bundle where fielded devices
// can fetch it: an OCI registry (any conformant one, through oras-go v2)
// or, without a registry, an OCI image layout directory on disk through
// the very same code path (oras.Copy into an oci.Store instead of a
// remote.Repository).
//
// # What goes into the registry
//
// The bundle is one OCI artifact (artifactType [ArtifactType]): an empty
// config and one layer per bundle file, titled with its bundle path, so
// files shared between releases are stored once and an interrupted push
// resumes blob by blob. The artifact is tagged for people
// ([BundleTag]); devices never trust a tag.
//
// Freshness, rollback and mix-and-match protection come from The Update
// Framework (go-tuf v2 metadata): root, targets, snapshot and timestamp
// metadata are themselves small OCI artifacts in the same repository,
// tagged "tuf.<version>.<role>" (consistent snapshots) and "tuf.timestamp".
// The TUF target for a bundle is the bundle's OCI manifest: its length and
// SHA-256 in the targets metadata pin the manifest, which pins every layer
// by digest. The target's custom field ([Custom]) carries the product,
// chip, version, security version and the signed rollout plan.
//
// # Keys
//
// Root and targets keys belong in the appliance HSM and are used only in
// ceremonies; snapshot and timestamp are online keys on the connected
// side. Every key reaches this package as a crypto.Signer (an hsm.Token
// signer), verified against its own public key after signing. The ceremony
// wiring (the release ceremony signing the targets entry) is not done yet:
// [Publish] signs targets itself with the signer it is given.
//
// # Guarantees
//
// [Publish] refuses a bundle that does not verify (bundle.Verify), is
// idempotent (publishing the same bundle again pushes nothing and signs
// nothing) and resumable (blobs already present are skipped). The clock is
// an input: nothing here reads time.Now.
package publish
