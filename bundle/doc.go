// Package bundle is the signed release bundle that leaves the appliance.
//
// A bundle is a directory, or an equivalent single tar file, holding the
// signed firmware images, the Secure Boot V2 public keys with their eFuse
// key digests, the release SBOM and VEX, the ceremony transcript with the
// custodians' approvals, an audit checkpoint, and manifest.dsse.json: a
// DSSE envelope, signed by the HSM release-bundle key, over a canonical
// [Manifest] that lists every other file with its SHA-256 and size.
//
// [Build] assembles a bundle in memory; [Bundle.WriteDir] and
// [Bundle.WriteTar] export it through package airgap (temporary name,
// fsync, rename, read-back verification). [Verify] needs no secret: the
// release public key, plus what the verifier already knows (expected
// product, last release seen, revoked key digests), and it checks every
// file and every image's Secure Boot V2 signature.
//
// # Layout
//
//	manifest.dsse.json           DSSE envelope over the manifest (written last)
//	images/bootloader.bin        signed images (app required)
//	images/app.bin
//	keys/<name>.pub.pem          Secure Boot V2 public keys (PKIX PEM)
//	sbom.cdx.json                release SBOM (CycloneDX)
//	vex.cdx.json                 vulnerability triage (CycloneDX VEX)
//	ceremony/transcript.json     ceremony transcript
//	ceremony/approvals/<name>    custodian approvals (DSSE)
//	audit/checkpoint.txt         audit log checkpoint (C2SP signed note)
package bundle
