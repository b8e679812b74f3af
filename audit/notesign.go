package audit

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
)

// algEd25519 is the signed-note signature type byte for Ed25519
// (c2sp.org/signed-note, "Signature types": 0x01).
const algEd25519 = 0x01

// NoteSigner adapts a crypto.Signer holding an Ed25519 key (for signbox, a
// key inside the HSM) to x/mod's note.Signer, so checkpoints are standard
// signed notes that stock tools verify.
type NoteSigner struct {
	name   string
	hash   uint32
	pub    ed25519.PublicKey
	signer crypto.Signer
}

var _ note.Signer = (*NoteSigner)(nil)

// NewNoteSigner wraps s, which must hold an Ed25519 key, under the key
// name (for a checkpoint key: the log origin).
func NewNoteSigner(name string, s crypto.Signer) (*NoteSigner, error) {
	if err := checkOrigin(name); err != nil {
		return nil, fmt.Errorf("note key name: %w", err)
	}
	pub, ok := s.Public().(ed25519.PublicKey)
	if !ok || len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("note signer: need an Ed25519 key, have %T", s.Public())
	}
	return &NoteSigner{name: name, hash: noteKeyHash(name, pub), pub: pub, signer: s}, nil
}

// noteKeyHash is SHA-256(name ‖ "\n" ‖ 0x01 ‖ pub)[:4] as a big-endian
// uint32 (c2sp.org/signed-note, "Key IDs").
func noteKeyHash(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{algEd25519})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func (s *NoteSigner) Name() string    { return s.name }
func (s *NoteSigner) KeyHash() uint32 { return s.hash }

// Sign signs msg with the wrapped key and checks the signature against the
// public key before returning it, so a faulty HSM cannot make the log
// publish a checkpoint nobody can verify.
func (s *NoteSigner) Sign(msg []byte) ([]byte, error) {
	sig, err := s.signer.Sign(nil, msg, crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	if !ed25519.Verify(s.pub, msg, sig) {
		return nil, errors.New("sign checkpoint: signature from the key does not verify")
	}
	return sig, nil
}

// VerifierKey returns the vkey "<name>+<hash>+<base64(0x01‖pub)>" that an
// auditor pins (note.NewVerifier parses it).
func (s *NoteSigner) VerifierKey() string {
	vkey, err := note.NewEd25519VerifierKey(s.name, s.pub)
	if err != nil {
		panic(err) // unreachable: the key length was checked in NewNoteSigner
	}
	return vkey
}

// noteVerifier returns the x/mod verifier for s's public key.
func noteVerifier(s *NoteSigner) note.Verifier {
	v, err := note.NewVerifier(s.VerifierKey())
	if err != nil {
		panic(err) // unreachable: VerifierKey is well-formed by construction
	}
	return v
}
