package appliance

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"signbox/audit"
	"signbox/custody"
	"signbox/hsm"
	"signbox/internal/atomicfile"
	"signbox/policy"
)

// rotateShares follows a policy change: a new secret, split among the new
// policy's share holders, becomes the appliance token's PINs, so shares
// of the old set (a removed custodian's, a lost token's) stop working.
// It runs inside the quorum session that adopted the policy, under the
// old quorum's shares.
//
// Order: the new set is written beside the old one first, then the user
// PIN changes, then the new set replaces the old. A crash in between
// leaves custody/shares.next.dsse; see the runbook "appliance token lost
// or locked" (restore from backup) for that window.
func (a *Appliance) rotateShares(q *quorumSession, p *policy.Policy) (string, error) {
	next, err := custody.NewSecret(rand.Reader)
	if err != nil {
		return "", err
	}
	env, id, err := splitFor(q.tok, p, next, a.id)
	if err != nil {
		next.Wipe()
		return "", err
	}
	nextPath := filepath.Join(a.cfg.Root, "custody", "shares.next.dsse")
	if err := atomicfile.Replace(nextPath, env, 0o644); err != nil {
		next.Wipe()
		return "", err
	}
	if err := changePINs(q, next); err != nil {
		next.Wipe()
		return "", err
	}
	if err := atomicfile.Replace(filepath.Join(a.cfg.Root, ShareSetName), env, 0o644); err != nil {
		return "", err
	}
	q.secret.Wipe()
	q.secret = next
	_ = removeIfExists(nextPath)
	return id, a.event(audit.CustodyEvent, "step", "shares rotated", "share_set", id, "policy_serial", fmt.Sprint(p.Serial),
		"threshold", fmt.Sprint(p.Custody().Threshold), "holders", fmt.Sprint(len(p.Custody().Holders)))
}

// splitFor seals secret to p's share holders and signs the set with the
// release-bundle key of the unlocked token.
func splitFor(tok *hsm.Token, p *policy.Policy, secret *custody.Secret, applianceID string) ([]byte, string, error) {
	r := p.Custody()
	holders := make([]custody.Holder, len(r.Holders))
	for i, c := range r.Holders {
		holders[i] = custody.Holder{Name: c.Name, Key: c.SharePublicKey()}
	}
	rk := p.Keys.ReleaseBundle
	signer, err := tok.PinnedSigner(rk.Label, rk.Fingerprint)
	if err != nil {
		return nil, "", fmt.Errorf("share set: release-bundle key: %w", err)
	}
	hdr := custody.SetHeader{Appliance: applianceID, PolicySerial: p.Serial, PolicyDigest: p.Digest(), Threshold: r.Threshold}
	env, err := custody.Split(rand.Reader, secret, hdr, holders, signer)
	if err != nil {
		return nil, "", err
	}
	set, err := custody.OpenSet(env, signer.Public())
	if err != nil {
		return nil, "", fmt.Errorf("read back the new share set: %w", err)
	}
	return env, set.ID(), nil
}

// changePINs moves the token's user PIN from the session's secret to next.
// The SO PIN is changed in the same quorum session by the SO login the
// token allows only once the user has logged out; see closeQuorum.
func changePINs(q *quorumSession, next *custody.Secret) error {
	oldPIN, newPIN := q.secret.UserPIN(), next.UserPIN()
	defer clear(oldPIN)
	defer clear(newPIN)
	if err := q.tok.SetUserPIN(oldPIN, newPIN); err != nil {
		return fmt.Errorf("change the appliance user PIN: %w", err)
	}
	q.pendingSO = [2][]byte{q.secret.SOPIN(), next.SOPIN()}
	return nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
