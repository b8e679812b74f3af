// Package custody makes the appliance PKCS#11 token's PINs something no one
// person has. The PINs and the backup wrap key derive from one random
// secret, split M-of-N among custodians with Feldman verifiable secret
// sharing; each share is sealed to a P-256 key inside that custodian's own
// hardware token. Logging in needs M custodians, each opening their own
// share with their own token, in one process, for one ceremony.
//
// The package is pure Go. A custodian's token is the two-method
// [ShareKey] interface (CKM_ECDH1_DERIVE in production); the appliance key
// that signs manifests is any crypto.Signer. It never imports hsm or
// miekg/pkcs11.
//
// # Flow
//
// At key generation (or when the custodians change): [NewSecret] draws
// the secret from the token's RNG, the ceremony sets the token's PINs from
// [Secret.UserPIN] and [Secret.SOPIN], and [Split] writes the signed
// share-set manifest. At every later ceremony:
//
//	set, err := custody.OpenSet(manifest, applianceKey)      // signature, format, limits
//	err = set.CheckFor(applianceID, pol.Serial, pol.Digest()) // this appliance, this policy
//	c := set.NewCollector()
//	defer c.Wipe()
//	share, err := set.Unseal("alice", aliceToken)            // ECDH in alice's token, Feldman check
//	err = c.Add(share)                                       // ... until M are in
//	secret, err := c.Combine()                               // checked against commitment 0
//	pin := secret.UserPIN()                                  // C_Login, then clear(pin), secret.Wipe()
//
// # Scheme
//
// The secret is a uniformly random non-zero P-256 scalar s (32 bytes,
// big-endian). Derived values are HKDF-SHA256 with s as input keying
// material, no salt, and one info string each:
//
//	user PIN    hex(HKDF(s, "signbox appliance user PIN v1")[:32])  64 lowercase hex chars
//	SO PIN      hex(HKDF(s, "signbox appliance SO PIN v1")[:32])
//	backup key  HKDF(s, "signbox backup wrap key v1")[:32]           AES-256 key
//
// Split draws a polynomial f of degree M-1 over the P-256 scalar field with
// f(0) = s (github.com/cloudflare/circl/secretsharing, whose t is M-1). The
// share of holder i (1-based, in the order given to Split) is f(i). The
// Feldman commitments are C_j = a_j·G for each coefficient a_j, so
// C_0 = s·G. Unseal checks f(i)·G = Σ i^j·C_j before returning a share, and
// Combine checks the interpolated value against C_0, so a bad share or a
// wrong result is refused instead of becoming a PIN that locks the token.
//
// Each share value is sealed to the holder's share key K:
//
//	e            fresh ephemeral P-256 key, one per share
//	z            ECDH(e, K): the X coordinate (inside the token on Unseal)
//	k            HKDF-SHA256(z, no salt, info)[:32]
//	ciphertext   AES-256-GCM(k, nonce 12 zero bytes, f(i), AAD)
//
// The zero nonce is safe because each k comes from a fresh e and
// encrypts exactly one message. In info and AAD each string is a 2-byte
// big-endian length and its bytes; integers are big-endian:
//
//	info  "signbox custody share key v1", set id, holder, appliance,
//	      e's public key (65 bytes), K (65 bytes)
//	AAD   "signbox custody share header v1", version (1 byte), set id,
//	      appliance, policy serial (8), policy digest, threshold (2),
//	      number of holders (2), holder, index (2)
//
// The AAD is the canonical header bytes: a share copied into another set,
// or a set whose header was edited, fails to decrypt.
//
// # File format
//
// A share set is a DSSE envelope (see airgap/envelope) with payload type
// "application/vnd.signbox.custody-shares+json", signed by the appliance's
// pinned key. The payload is one JSON object, exactly as encoding/json
// writes it (keys in this order, no spaces); OpenSet refuses any other
// bytes, unknown or duplicate or case-folded keys, and trailing data:
//
//	version        1; any other value is refused before the rest is read
//	set_id         16 random bytes, 32 lowercase hex characters
//	appliance      appliance id, 1-128 of A-Z a-z 0-9 . _ : -
//	policy_serial  serial of the policy the set was made under
//	policy_digest  "sha256:" and 64 lowercase hex, as policy.Digest
//	threshold      M, from 2 to the number of holders
//	commitments    M lowercase hex compressed SEC1 points (33 bytes): C_0..C_{M-1}
//	shares         2 to 64 entries, one per holder:
//	  holder       custodian name, as in the policy (a-z 0-9 . _ -, 1-63)
//	  index        i+1 for shares[i]: the x-coordinate of the share
//	  key          holder's share key K, uncompressed SEC1 (65 bytes) in hex
//	  ephemeral    e's public key, uncompressed SEC1 (65 bytes) in hex
//	  ciphertext   AES-256-GCM ciphertext and tag (48 bytes) in hex
//
// Holder names and share keys are each unique within a set. Errors name
// keys by "sha256:" + hex SHA-256 of the PKIX DER, as hsm.Fingerprint does.
// Every bound is in limits.go with its reason.
//
// # Residual risks
//
//   - Memory. Wipe zeroes every byte slice this package owns that held
//     secret material: the secret, share values, ECDH outputs, derived
//     AES keys and PINs' raw HKDF output. It cannot reach copies made by
//     others: Go's garbage collector may have moved or copied memory;
//     circl keeps its own copies of the polynomial coefficients and
//     computes P-256 scalar arithmetic (sharing and Lagrange
//     interpolation) in math/big temporaries; crypto/aes keeps its
//     expanded key schedule; crypto/ecdh keeps the ephemeral private key;
//     and the caller holds the PIN until it clears it. Nothing is mlocked,
//     so pages may reach swap. The appliance must run without swap and
//     with core dumps disabled, and end the process after the ceremony.
//   - Timing. circl's P-256 scalar arithmetic is not constant time. The
//     appliance is air-gapped and runs one ceremony at a time, so no one
//     can measure it from outside; a process on the same machine during a
//     ceremony is already outside the trust model.
//   - During a ceremony the secret is in this process's memory, as for
//     every scheme that ends in a PIN: see the trust model.
//   - The commitments publish s·G. Recovering s from it is the discrete
//     logarithm problem on P-256; the PINs are HKDF outputs, not s.
//   - Re-splitting does not revoke. A share set made earlier for the same
//     secret still opens the token with its old holders' tokens. When a
//     custodian leaves, draw a new secret, change the PINs, and split that.
//   - The dealer is trusted. Feldman checks that shares are consistent
//     with the commitments, not that the appliance split the secret whose
//     PINs it set; rehearse a Combine from a quorum before the ceremony
//     that sets the PINs ends.
//   - One custodian's token and the manifest yield one share: below M it
//     reveals nothing about s.
package custody
