//go:build cgo

package hsm

import (
	"errors"
	"fmt"
	"sync"

	"github.com/miekg/pkcs11"
)

// maxSessions bounds concurrent operations per Token; SoftHSM and most HSMs
// allow far more, but each session costs token memory.
const maxSessions = 16

// pool hands each operation its own session: a PKCS#11 session must not be
// used by two goroutines at once, while different sessions may.
type pool struct {
	ctx  session
	slot uint
	sem  chan struct{}             // one slot per session in use
	idle chan pkcs11.SessionHandle // sessions ready for reuse

	mu     sync.Mutex
	closed bool
}

func newPool(ctx session, slot uint, size int) *pool {
	return &pool{ctx: ctx, slot: slot, sem: make(chan struct{}, size), idle: make(chan pkcs11.SessionHandle, size)}
}

// with runs f on a borrowed session. A session on which the token reported
// an error is closed instead of reused: after a failure mid-operation its
// state (an unfinished C_SignInit, a lost login) is not worth trusting, and
// a new session costs microseconds.
func (p *pool) with(f func(sh pkcs11.SessionHandle) error) error {
	p.sem <- struct{}{}
	defer func() { <-p.sem }()
	sh, err := p.get()
	if err != nil {
		return err
	}
	err = f(sh)
	var rv pkcs11.Error
	if errors.As(err, &rv) {
		p.ctx.CloseSession(sh)
		return err
	}
	p.idle <- sh
	return err
}

func (p *pool) get() (pkcs11.SessionHandle, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return 0, fmt.Errorf("token is closed")
	}
	select {
	case sh := <-p.idle:
		return sh, nil
	default:
	}
	sh, err := p.ctx.OpenSession(p.slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		return 0, fmt.Errorf("C_OpenSession: %w", err)
	}
	return sh, nil
}

// close marks the pool closed, waits for operations in flight and closes every session.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for i := 0; i < cap(p.sem); i++ {
		p.sem <- struct{}{}
	}
	for done := false; !done; {
		select {
		case sh := <-p.idle:
			p.ctx.CloseSession(sh)
		default:
			done = true
		}
	}
	for i := 0; i < cap(p.sem); i++ {
		<-p.sem // later callers see closed and return an error
	}
}
