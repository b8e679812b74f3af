// Package anchor is the state a quorum decided, pinned where a workspace
// edit cannot reach it.
//
// Policy, ceremony states, security-version floors and the audit log live
// in workspace files that anyone with write access can change. An anchor
// [State] is the short statement that binds them: the genesis and current
// policy digests, each product's released security version, the ceremony
// ids that must never be signed again, the audit log's head and the
// custody share set in force. The appliance writes it only inside a
// quorum-unlocked HSM session, as two PKCS#11 data objects on the appliance
// token: a private one (readable only after the quorum logs in: the
// authority) and a public one (readable by anyone, so every open of the
// workspace can check it without a PIN). Both hold the same DSSE envelope,
// signed by the appliance's release-bundle key.
//
// [State.Check] compares a [Workspace] observation with the anchor and
// returns a [*MismatchError] naming the file that differs. The appliance
// refuses to go on and records the refusal in the audit log.
//
// # Residual risks
//
//   - The public copy can be replaced by anyone who can open a R/W public
//     session on the token, with an older validly signed anchor. That
//     passes the check at open, and is caught at the next quorum login,
//     when the private copy is read: nothing is signed against it.
//   - A software token (SoftHSM) keeps its objects in files: root can put
//     back an older copy of the whole token directory, anchor included.
//     A hardware token does not allow that; with SoftHSM, keep the paper
//     log of anchor counters that every ceremony prints.
package anchor
