// Package hsm is signbox's only door to PKCS#11 hardware. It opens a token
// by RFC 7512 pkcs11: URI, logs in once, generates keys inside the token and
// hands callers standard library types: crypto.Signer for RSA-PSS, ECDSA and
// Ed25519 keys, func() hash.Hash for HMAC-SHA256 keys and io.Reader for the
// token's random number generator.
//
// # Opening a token
//
//	tok, err := hsm.Open("pkcs11:token=release?module-path=/usr/lib/softhsm/libsofthsm2.so", pinFunc)
//
// The PIN comes from a [PINFunc] (a terminal prompt, a file descriptor, an
// explicitly named environment variable) or from the URI's pin-source file.
// A pin-value in the URI is refused: a PIN in a URI ends up in argv, shell
// history and logs.
//
// # Keys
//
// [Token.GenerateKey] makes keys in the token with a random CKA_ID from the
// token's RNG. Private and secret keys are CKA_SENSITIVE and not extractable
// unless [Wrappable] asks for a backup-capable key; that decision cannot be
// changed later. A label already in use is refused with [ErrLabelExists]
// because PKCS#11 itself happily stores two keys with the same label.
//
// Pin the public half with [Token.PinnedSigner] and [Fingerprint] (SHA-256 of
// the PKIX SubjectPublicKeyInfo) so a swapped key is noticed before it signs.
//
// # Concurrency and process-wide state
//
// A PKCS#11 module is initialised once per process; this package counts
// users per module and per slot, so several Tokens may be open at once and a
// Token is safe for concurrent use: each operation borrows its own session
// from a pool. Login state belongs to the module, not to a session, so a
// second Open of an already logged-in token must present the same PIN, which
// is checked here because the token would not check it again.
//
// # Building without cgo
//
// miekg/pkcs11 loads the library through cgo. With CGO_ENABLED=0 the package
// still builds (nocgo.go) and every call returns an error saying why, so
// vet, staticcheck and cross-compiles of the rest of signbox keep working.
//
// # Known limits
//
//   - miekg/pkcs11 takes PINs as Go strings, which cannot be wiped; the
//     []byte copies this package holds are cleared after login.
//   - Label uniqueness is checked and enforced within one process. Two
//     processes generating the same label at the same instant could both
//     succeed; ceremonies run one signbox process per token.
//   - SoftHSM 2.6 never locks a user PIN (it only raises CKF_USER_PIN_COUNT_LOW),
//     so ErrPINLocked is tested against the return value, not a real lockout.
//   - Every signature is verified against the key's public half before it is
//     returned (see Signer), so a faulty token cannot hand out a bad one.
//
// # Errors
//
// Failures wrap one of the sentinels ([ErrTokenNotFound], [ErrPINIncorrect],
// [ErrPINLocked], [ErrKeyNotFound], [ErrLabelExists],
// [ErrMechanismUnsupported], [ErrFingerprintMismatch]) where one applies, and
// the raw PKCS#11 return value (a pkcs11.Error) otherwise.
package hsm
