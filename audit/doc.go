// Package audit is signbox's tamper-evident audit log: every ceremony step,
// key and policy event, import decision and (on the emulated device) boot,
// update and config event becomes one entry that an auditor can later
// verify without trusting the appliance.
//
// # Layers
//
// Each entry has a canonical, length-prefixed encoding ([Entry]) naming the
// log's origin, its sequence number, its MAC key epoch, the caller's time,
// a [Type] and a payload (by convention [Fields] text). Over the same
// leaves (tlog.RecordHash of the entry bytes) the log keeps
//
//   - a SHA-256 hash chain, c_i = H("signbox-audit-chain-v1" ‖ c_{i-1} ‖ leaf_i),
//     stored as each entry's Prev field, for simple sequential checks;
//   - an HMAC-SHA256 tag per entry, HMAC(K_epoch, c_i), from a [KeyRing]
//     whose keys stay in the HSM (or, on the device emulator, a
//     [DerivedKeys] forward-secure chain);
//   - an RFC 6962 Merkle tree (golang.org/x/mod/sumdb/tlog), sealed by
//     signed checkpoints in the C2SP tlog-checkpoint / signed-note format
//     with a separate Ed25519 key ([NoteSigner] over any crypto.Signer).
//
// Checkpoints are issued at log creation, when a caller asks ([Log.Checkpoint],
// e.g. at ceremony close), on every [Log.Export], on [Log.Close] and after
// every Config.CheckpointEvery entries. The size of the last one is kept in
// a [Floor] outside the log, so truncation or a restored older copy is
// refused on [Open].
//
// # Using it
//
//	cfg := audit.Config{Origin: "signbox.local/SN1234/audit", Keys: hsmkeys.New(tok, "audit-mac"),
//		Signer: checkpointSigner, Floor: audit.FileFloor(path)}
//	l, err := audit.Create(dir, cfg, now)      // once
//	l, err := audit.Open(dir, cfg, now)        // after a restart; recovers a torn tail
//	err = l.NewEpoch("session", now)           // per ceremony session
//	p, _ := audit.Fields("reason", "bad signature")
//	e, err := l.Append(audit.UpdateRejected, p, now)
//	sh, err := l.Checkpoint("ceremony-close", now)
//	sh, err := l.Export(outDir, now)           // sh.Note is the checkpoint to hand the auditor
//	err = l.Close(now)                         // shutdown checkpoint
//	r, err := audit.Verify(outDir, audit.VerifyOptions{Trusted: v, LastSeen: prev})
//
// [Verify] returns a [Report] whose [Verdict] is OK, UnsealedTail or
// Tampered (with the first bad entry and the reason); [Checks] says which
// checks ran. [Walk] lists entries. `signbox audit verify` and `signbox
// audit show` are the command-line faces of both.
//
// An export (and a log directory) holds: log (the records), checkpoint
// (the latest signed note), checkpoints/<size> (every signed note),
// proofs/<a>-<b> (RFC 6962 consistency proofs between consecutive
// checkpoints, one base64 hash per line; exports only),
// inclusion/<index>.tlog-proof (a C2SP tlog-proof for each refusal, abort,
// auth failure and recovery, carrying the entry itself; exports only, see
// [VerifyInclusion]) and vkey (the signed-note verifier key). Stock golang.org/x/mod note.Open,
// tlog.CheckTree and tlog.CheckRecord verify them.
//
// # Crash consistency
//
// A record is len ‖ entry ‖ tag ‖ crc32c and is fsynced before Append
// returns. A checkpoint is written in the order CHECKPOINT entry →
// checkpoints/<size> (new file) → checkpoint (atomic replace) → floor, and
// [Open] completes whichever step a crash interrupted. Only a torn final
// record, necessarily after the last checkpoint, is ever dropped, and that
// is itself logged as LOG_RECOVERY and sealed. Every write goes through
// [FS], which tests replace with a page-cache model to cut the power (or
// fail with an I/O error) at each write in turn. [Log.AppendBatch] trades
// the fsync per entry for one per batch.
//
// # Residual risks
//
//   - Unsealed tail: up to CheckpointEvery entries after the last
//     checkpoint can be removed without a trace; Verify reports such a
//     tail as UnsealedTail, never OK, but a log cut exactly at a
//     checkpoint looks complete.
//   - MAC key epochs: the signbox hsm API can generate HMAC keys but
//     neither derive one key from another inside the token nor destroy
//     one, so the appliance's key ring (package hsmkeys) makes a fresh key
//     per epoch and leaves the old ones in the token. Someone with the token and its PIN
//     can therefore re-MAC old entries; they still cannot contradict a
//     checkpoint an auditor holds, which is why checkpoints, not MACs, are
//     the public evidence.
//   - Equivocation: the log key could sign two inconsistent checkpoints;
//     only an auditor who compares exports (LastSeen) notices.
//   - The Floor protects only as well as its storage is separated from the
//     log directory.
package audit
