// Package fleet is the device side of publish: the update client an
// emulated (or real) device runs against an OCI registry or OCI layout.
//
// [Pull] refreshes TUF metadata with go-tuf's updater, which does the
// TUF client workflow (root rotation, then timestamp, snapshot and
// targets, each signature, version and expiry checked: freeze, rollback,
// mix-and-match and endless-data attacks are refused), against the
// device's own metadata cache, so a version once seen is never accepted
// lower. It then picks the newest target for the device's product and
// chip, enforces the signed rollout plan (wave by group, percentage of a
// deterministic hash of the device id, start times, halt), fetches the OCI
// manifest whose length and SHA-256 TUF pinned and every layer by digest,
// and lays the bundle out in a fresh directory. [Install] then hands it to
// the device's own installer (bundle signature, eFuse digests, product,
// anti-rollback floor), boots it and confirms it.
//
// The clock is an input (Config.Now); nothing here reads time.Now.
package fleet
