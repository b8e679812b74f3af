// Package envelope signs and opens DSSE envelopes
// (https://github.com/secure-systems-lab/dsse) with standard library keys:
// any crypto.Signer holding ECDSA P-256, ECDSA P-384 or RSA (signed with
// RSA-PSS) — in signbox that is an HSM key from hsm.Token.Signer.
//
// Opening is strict: the envelope JSON is decoded with unknown fields and
// duplicate keys rejected, the payload type must be the one the caller
// expects, and at least one signature must verify under a pinned key.
package envelope
