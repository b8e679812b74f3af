package appliance

import (
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"signbox/anchor"
	"signbox/audit"
	"signbox/hsm"
	"signbox/internal/atomicfile"
	"signbox/policy"
)

// The anchor (package anchor) is kept as two data objects on the
// appliance token, written only inside a quorum session: a private one,
// the authority, and a public one that every open checks without a PIN.
const (
	anchorPrivateLabel = "signbox-anchor"
	anchorPublicLabel  = "signbox-anchor-public"
	// anchorCopyName keeps the latest anchor envelope in the workspace, for
	// the paper log, backups and a restore onto a fresh token; it is
	// signed, and a restore shows its counter to check against the log.
	anchorCopyName = "custody/anchor.dsse"
)

// ErrNoAnchor reports an appliance token that holds no anchor: it was not
// initialised by signbox init, or its objects were destroyed.
var ErrNoAnchor = errors.New("the appliance token holds no anchor (not initialised with `signbox init`, or its objects were destroyed)")

// readAnchor reads the newest valid anchor of label from tok. Two objects
// exist only after a crash between writing the new one and destroying the
// old; the higher counter wins.
func readAnchor(tok *hsm.Token, label string, key crypto.PublicKey) (anchor.State, error) {
	vals, err := tok.Data(label, label == anchorPublicLabel)
	if errors.Is(err, hsm.ErrObjectNotFound) {
		return anchor.State{}, ErrNoAnchor
	}
	if err != nil {
		return anchor.State{}, err
	}
	var best anchor.State
	for _, v := range vals {
		st, err := anchor.Open(v, key)
		if err != nil {
			return anchor.State{}, fmt.Errorf("%s on the appliance token: %w", label, err)
		}
		if st.Counter > best.Counter {
			best = st
		}
	}
	return best, nil
}

// writeAnchor signs st with the release-bundle key of the unlocked token
// and stores it, private copy first, then the workspace copy under root.
func writeAnchor(root string, tok *hsm.Token, p *policy.Policy, st anchor.State) error {
	rk := p.Keys.ReleaseBundle
	signer, err := tok.PinnedSigner(rk.Label, rk.Fingerprint)
	if err != nil {
		return fmt.Errorf("anchor: release-bundle key: %w", err)
	}
	env, err := st.Sign(signer)
	if err != nil {
		return err
	}
	return putAnchor(root, tok, env)
}

func putAnchor(root string, tok *hsm.Token, env []byte) error {
	if err := tok.PutData(anchorPrivateLabel, env, false); err != nil {
		return fmt.Errorf("anchor: %w", err)
	}
	if err := tok.PutData(anchorPublicLabel, env, true); err != nil {
		return fmt.Errorf("anchor: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(root, "custody"), 0o700); err != nil {
		return err
	}
	return atomicfile.Replace(filepath.Join(root, anchorCopyName), env, 0o644)
}

// observe reads what the workspace files say, for anchor.State.Check.
func (a *Appliance) observe(p *policy.Policy) (anchor.Workspace, error) {
	w := anchor.Workspace{PolicySerial: p.Serial, PolicyDigest: p.Digest(), Floors: map[string]anchor.Floor{}, Steps: map[string]string{},
		PolicyAdoptedBy: a.tip.adoptedBy, PolicyPrevDigest: a.tip.prev}
	v, err := a.ws.Versions()
	if err != nil {
		return w, err
	}
	for prod, r := range v.Products {
		w.Floors[prod] = anchor.Floor{SecurityVersion: r.SecurityVersion, Ceremony: r.Ceremony}
	}
	ids, err := a.ws.Ceremonies()
	if err != nil {
		return w, err
	}
	for _, id := range ids {
		if step, err := a.ws.StepOf(id); err == nil {
			w.Steps[id] = step.String()
		}
	}
	if a.log != nil {
		w.AuditSize, w.AuditRoot = a.log.Size(), a.log.RootAt
	}
	return w, nil
}

// checkAnchor walks the policy approval chain from the genesis st pins,
// then compares the workspace with st; a difference is refused, recorded
// and returned naming the file.
func (a *Appliance) checkAnchor(st anchor.State, p *policy.Policy, when string) error {
	tip, err := verifyChain(a.cfg.Root, a.id, st, p)
	if err != nil {
		_ = a.event(audit.StateRefused, "when", when, "reason", err.Error())
		return err
	}
	a.tip = tip
	w, err := a.observe(p)
	if err != nil {
		return err
	}
	if err := st.Check(w); err != nil {
		_ = a.event(audit.StateRefused, "when", when, "reason", err.Error())
		return err
	}
	return nil
}

// nextAnchor is st advanced to what the workspace says now: floors from
// versions.json, every signed or aborted ceremony closed, the audit head
// and the policy in force.
func (a *Appliance) nextAnchor(st anchor.State, p *policy.Policy, shareSet string) (anchor.State, error) {
	w, err := a.observe(p)
	if err != nil {
		return st, err
	}
	n := st.Next()
	n.Floors = map[string]anchor.Floor{}
	n.Policy = anchor.Policy{Serial: p.Serial, Digest: p.Digest()}
	for prod, f := range w.Floors {
		n.Floors[prod] = f
	}
	ids, err := a.ws.Ceremonies()
	if err != nil {
		return st, err
	}
	for _, id := range ids {
		if step, err := a.ws.StepOf(id); err == nil && step.Closed() {
			n.Close(id)
		}
	}
	if shareSet != "" {
		n.ShareSet = shareSet
	}
	if a.log != nil {
		sh, err := a.log.Checkpoint("anchor #"+fmt.Sprint(n.Counter), a.cfg.Now())
		if err != nil {
			return st, err
		}
		n.Audit = anchor.Audit{Origin: a.log.Origin(), Size: sh.Size, Root: rootB64(sh.Root)}
	}
	return n, nil
}

func rootB64(h [32]byte) string { return base64.StdEncoding.EncodeToString(h[:]) }
