// Package airgap moves files across the air gap safely.
//
// # Import
//
// Media coming in — a release request from CI or an OSV feed snapshot —
// is a directory or a single tar file holding a manifest (request.json or
// feed.json) and the files it lists. [OpenMedia] reads either form without
// ever following a link: absolute paths, "..", symlinks, hard links,
// devices and other special files, duplicate or case-colliding names and
// anything over the [Limits] are refused before a byte is trusted. The
// manifest then has to list exactly the files present, with matching sizes
// and SHA-256 digests. [Import] stores the accepted files by SHA-256 in a
// [Store] (the workspace's objects/sha256/ directory) and records the
// import under imports/.
//
// # Export
//
// [ExportDir] and [ExportTar] write a set of files to removable media: a
// temporary name, fsync, rename, fsync of the directory; an existing
// target is refused; and the copy is read back and verified by a
// caller-supplied check before the export counts as done. A failing write
// or a full disk leaves nothing under the target name.
//
// # Writing requests
//
// [WriteRequest] is the one writer of release request media (the build
// side's `signbox request create` and the demo use it): [BuildRequest]
// makes request.json, [SignManifest] signs it with the build key, the
// media is written as an export, and the copy is read back with
// [VerifyRequest]. [ParseClinicalFile] reads the clinical and support
// file request create takes, in YAML or JSON.
package airgap
