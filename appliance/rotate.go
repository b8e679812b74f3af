package appliance

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"signbox/appliance/internal/faults"
	"signbox/audit"
	"signbox/custody"
	"signbox/hsm"
	"signbox/internal/atomicfile"
	"signbox/policy"
)

// Files and the token object of a share rotation in progress.
const (
	shareSetNextName = "custody/shares.next.dsse" // the new set, before it is in place
	shareSetPrevName = "custody/shares.prev.dsse" // the old set, until the SO PIN has followed
	// rotationLinkLabel is a public data object on the appliance token:
	// the custody.Rotation between the old and the new secret. It exists
	// from before the user PIN changes until the SO PIN has followed.
	rotationLinkLabel = "signbox-rotation"
)

// rotateShares follows a policy change: a new secret, split among the new
// policy's share holders, becomes the appliance token's PINs, so shares
// of the old set (a removed custodian's, a lost token's) stop working.
// It runs inside the quorum session that adopted the policy, under the
// old quorum's shares.
//
// No step of it is atomic with the next, so each leaves what a restart
// needs to go on (see resumeRotation):
//
//  1. the new set is written beside the old one (shares.next.dsse);
//  2. the rotation link (old secret ⇄ new secret) is stored on the token;
//  3. the user PIN changes to the new secret's;
//  4. the old set is kept as shares.prev.dsse and the new one put in place;
//  5. (closeQuorum) after logout the SO PIN follows; then the link and
//     the old set are deleted.
//
// A session that resumed an interrupted rotation at unlock (q.resumed)
// has done 1–4 already.
func (a *Appliance) rotateShares(q *quorumSession, p *policy.Policy) (string, error) {
	if q.resumed != "" {
		return q.resumed, nil
	}
	next, err := custody.NewSecret(rand.Reader)
	if err != nil {
		return "", err
	}
	env, id, err := splitFor(q.tok, p, next, a.id)
	if err != nil {
		next.Wipe()
		return "", err
	}
	if err := atomicfile.Replace(filepath.Join(a.cfg.Root, shareSetNextName), env, 0o644); err != nil {
		next.Wipe()
		return "", err
	}
	faults.At("rotation: new set written")
	link, err := custody.NewRotation(q.secret, next, q.set, id)
	if err == nil {
		err = q.tok.PutData(rotationLinkLabel, link, true)
	}
	if err != nil {
		next.Wipe()
		return "", fmt.Errorf("share rotation: store the rotation link: %w", err)
	}
	faults.At("rotation: link written")
	if err := changePINs(q, next); err != nil {
		next.Wipe()
		return "", err
	}
	faults.At("rotation: user PIN changed")
	q.secret.Wipe()
	q.secret, q.set = next, id
	if err := a.installNextSet(p, id); err != nil {
		return "", err
	}
	faults.At("rotation: new set in place")
	return id, a.event(audit.CustodyEvent, "step", "shares rotated", "share_set", id, "policy_serial", fmt.Sprint(p.Serial),
		"threshold", fmt.Sprint(p.Custody().Threshold), "holders", fmt.Sprint(len(p.Custody().Holders)))
}

// installNextSet makes shares.next.dsse, whose set id is id, the set in
// force, keeping the one it replaces as shares.prev.dsse. Run again after
// a crash, it finds the work done and changes nothing.
func (a *Appliance) installNextSet(p *policy.Policy, id string) error {
	root := a.cfg.Root
	nextPath := filepath.Join(root, shareSetNextName)
	next, err := os.ReadFile(nextPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // already in place
	}
	if err != nil {
		return err
	}
	pub, err := a.releaseKeyFromPolicy(p)
	if err != nil {
		return err
	}
	set, err := custody.OpenSet(next, pub)
	if err != nil {
		return fmt.Errorf("%s: %w", shareSetNextName, err)
	}
	if set.ID() != id {
		return fmt.Errorf("%s holds share set %s, not %s that the rotation made", shareSetNextName, set.ID(), id)
	}
	cur, err := os.ReadFile(filepath.Join(root, ShareSetName))
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, next) {
		if err := atomicfile.Replace(filepath.Join(root, shareSetPrevName), cur, 0o644); err != nil {
			return err
		}
		if err := atomicfile.Replace(filepath.Join(root, ShareSetName), next, 0o644); err != nil {
			return err
		}
	}
	return removeIfExists(nextPath)
}

// readRotationLink returns the rotation link on the appliance token, nil
// when there is none. A link that does not parse is reported, not used.
func (a *Appliance) readRotationLink() (*custody.Rotation, error) {
	vals, err := a.pub.Data(rotationLinkLabel, true)
	if errors.Is(err, hsm.ErrObjectNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(vals) != 1 {
		return nil, fmt.Errorf("the appliance token holds %d rotation links", len(vals))
	}
	return custody.OpenRotation(vals[0])
}

// rotationPending reports a rotation link on the token: a rotation not
// finished down to the SO PIN. Presenting the shares again for the policy
// change that started it, or any later quorum session, finishes it.
func (a *Appliance) rotationPending() bool {
	link, err := a.readRotationLink()
	return err == nil && link != nil
}

// resumeRotation is called when the shares of set opened secret but the
// token refused its PIN: if the token's rotation link leads from that set,
// the PIN was changed by a rotation a crash interrupted. The link opens
// the new secret, which must log in; the new set is then put in place.
// It returns the token, the secret and set that opened it.
func (a *Appliance) resumeRotation(link *custody.Rotation, secret *custody.Secret, set string) (*hsm.Token, *custody.Secret, error) {
	next, err := link.Forward(secret)
	if err != nil {
		return nil, nil, err
	}
	tok, err := a.login(next)
	if err != nil {
		next.Wipe()
		return nil, nil, err
	}
	p, err := a.policy()
	if err == nil {
		err = a.installNextSet(p, link.To)
	}
	if err != nil {
		tok.Close()
		next.Wipe()
		return nil, nil, err
	}
	return tok, next, a.event(audit.CustodyEvent, "step", "share rotation resumed after an interruption",
		"from_set", set, "share_set", link.To)
}

// finishSOPIN moves the SO PIN to the session's secret after the user has
// logged out, then deletes the rotation link and the old set. A token
// whose SO PIN already follows (a crash after the change) is recognised
// by a no-op change under the new PIN.
func (a *Appliance) finishSOPIN(q *quorumSession) {
	old, next := q.pendingSO[0], q.pendingSO[1]
	defer clear(old)
	defer clear(next)
	faults.At("rotation: user logged out")
	err := hsm.SetSOPIN(a.cfg.ApplianceToken, old, next)
	if errors.Is(err, hsm.ErrPINIncorrect) && hsm.SetSOPIN(a.cfg.ApplianceToken, next, next) == nil {
		err = nil
	}
	if err != nil {
		_ = a.event(audit.CustodyEvent, "ceremony", q.plan, "step", "SO PIN not rotated", "error", err.Error())
		return
	}
	faults.At("rotation: SO PIN changed")
	if err := a.pub.DeleteData(rotationLinkLabel, true); err != nil {
		_ = a.event(audit.CustodyEvent, "ceremony", q.plan, "step", "rotation link not deleted", "error", err.Error())
		return
	}
	_ = removeIfExists(filepath.Join(a.cfg.Root, shareSetPrevName))
	_ = a.event(audit.CustodyEvent, "ceremony", q.plan, "step", "SO PIN rotated", "share_set", q.set)
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
// token allows only once the user has logged out; see finishSOPIN.
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
