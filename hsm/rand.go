//go:build cgo

package hsm

import (
	"fmt"
	"io"

	"github.com/miekg/pkcs11"
)

// maxRandChunk bounds one C_GenerateRandom call.
const maxRandChunk = 1024

// Rand returns the token's random number generator as an io.Reader. Read
// fills the whole buffer or returns an error.
func (t *Token) Rand() io.Reader { return tokenRand{t} }

type tokenRand struct{ t *Token }

func (r tokenRand) Read(p []byte) (int, error) {
	n := 0
	err := r.t.pool.with(func(sh pkcs11.SessionHandle) error {
		for n < len(p) {
			b, err := r.t.ctx.GenerateRandom(sh, min(len(p)-n, maxRandChunk))
			if err != nil {
				return fmt.Errorf("C_GenerateRandom: %w", err)
			}
			n += copy(p[n:], b)
		}
		return nil
	})
	return n, err
}
