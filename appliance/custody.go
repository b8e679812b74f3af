package appliance

import (
	"crypto/ecdh"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"signbox/audit"
	"signbox/custody"
	"signbox/hsm"
	"signbox/policy"
)

// The appliance token's PINs are quorum-held (see package custody): the
// current share set lives in the workspace, sealed share by share to the
// custodians' own tokens and signed by the appliance's release-bundle key.
const (
	ShareSetName     = "custody/shares.dsse"
	applianceIDLabel = "signbox-appliance-id" // public data object on the appliance token
)

// ErrNoShare reports a custodian whose approval brought no share.
var ErrNoShare = errors.New("no share of the appliance PIN")

// tokenShareKey is a custodian's key-agreement key, inside their token.
type tokenShareKey struct {
	tok   *hsm.Token
	label string
	pub   *ecdh.PublicKey
}

func (k tokenShareKey) Public() *ecdh.PublicKey { return k.pub }

func (k tokenShareKey) ECDH(peer *ecdh.PublicKey) ([]byte, error) { return k.tok.ECDH(k.label, peer) }

// shareKeyOn finds the key-agreement key on tok that the policy pins as
// c's share key.
func shareKeyOn(tok *hsm.Token, c *policy.Custodian) (custody.ShareKey, error) {
	keys, err := tok.Keys()
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if !k.Derive || k.Fingerprint != c.ShareFingerprint() {
			continue
		}
		pub, err := tok.AgreementPublic(k.Label)
		if err != nil {
			return nil, err
		}
		return tokenShareKey{tok: tok, label: k.Label, pub: pub}, nil
	}
	return nil, fmt.Errorf("%w: no key-agreement key on this token matches %s's share key %s in the policy", hsm.ErrKeyNotFound, c.Name, c.ShareFingerprint())
}

// loadShareSet reads the workspace's share set and checks it belongs to
// this appliance and the policy in force, before anyone's token is used.
//
// While a share rotation is being finished (rotate.go), the set it
// replaced is kept as shares.prev.dsse: the quorum of the policy change
// that started the rotation presents shares of that set to finish it.
func (a *Appliance) loadShareSet(p *policy.Policy) (*custody.Set, error) {
	set, err := a.loadShareSetFile(ShareSetName, p)
	if err == nil || !errors.Is(err, custody.ErrWrongSet) {
		return set, err
	}
	if prev, perr := a.loadShareSetFile(shareSetPrevName, p); perr == nil {
		return prev, nil
	}
	if cur, perr := a.policy(); perr == nil && cur.Serial > p.Serial {
		return nil, err
	}
	if set, serr := a.loadShareSetFile(ShareSetName, nil); serr == nil && set.Header().PolicySerial < p.Serial {
		err = fmt.Errorf("%w (the policy change to serial %d was interrupted before its shares were rotated: export that ceremony again with its approving custodians)", err, p.Serial)
	}
	return nil, err
}

// loadShareSetFile reads one share set file of the workspace, verified
// with the policy's release-bundle key and, with p, checked to be for p.
func (a *Appliance) loadShareSetFile(name string, p *policy.Policy) (*custody.Set, error) {
	pol := p
	if pol == nil {
		var err error
		if pol, err = a.policy(); err != nil {
			return nil, err
		}
	}
	b, err := os.ReadFile(filepath.Join(a.cfg.Root, name))
	if err != nil {
		return nil, fmt.Errorf("custody share set: %w", err)
	}
	pub, err := a.releaseKeyFromPolicy(pol)
	if err != nil {
		return nil, err
	}
	set, err := custody.OpenSet(b, pub)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if p == nil {
		return set, nil
	}
	if err := set.CheckFor(a.id, p.Serial, p.Digest()); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return set, nil
}

// releaseShare unseals custodian c's share with their open token and adds
// it to the plan's collector. Only a custodian who approved this plan may
// release a share for it: the share follows the approval.
func (a *Appliance) releaseShare(planID string, c *policy.Custodian, tok *hsm.Token) error {
	s, err := a.session(planID)
	if err != nil {
		return err
	}
	if !approvedBy(s, c.Name) {
		return a.refuseShare(planID, c.Name, fmt.Errorf("%s has not approved plan %s; a share is released only with an approval", c.Name, planID))
	}
	if s.Policy().Custody().Holder(c.Name) == nil {
		return nil // a release-manager's approval counts; they hold no share
	}
	set, err := a.loadShareSet(s.Policy())
	if err != nil {
		return a.refuseShare(planID, c.Name, err)
	}
	key, err := shareKeyOn(tok, c)
	if err != nil {
		return a.refuseShare(planID, c.Name, err)
	}
	sh, err := set.Unseal(c.Name, key)
	if err != nil {
		return a.refuseShare(planID, c.Name, err)
	}
	col := a.collectors[planID]
	if col == nil || col.set != set.ID() {
		col = &collector{set: set.ID(), c: set.NewCollector()}
		a.collectors[planID] = col
	}
	if err := col.c.Add(sh); err != nil {
		sh.Wipe()
		return a.refuseShare(planID, c.Name, err)
	}
	have, need := col.c.Have()
	return a.event(audit.CustodyEvent, "ceremony", planID, "custodian", c.Name, "step", "share released",
		"share_set", set.ID(), "shares", fmt.Sprintf("%d, %d more needed", len(have), need))
}

// collector holds the shares released for one plan, in RAM only.
type collector struct {
	set string
	c   *custody.Collector
}

func (a *Appliance) refuseShare(planID, name string, cause error) error {
	_ = a.event(audit.CeremonyRefused, "ceremony", planID, "custodian", name, "step", "share", "reason", cause.Error())
	return fmt.Errorf("%s's share: %w", name, cause)
}

func (a *Appliance) wipeShares(planID string) {
	if col := a.collectors[planID]; col != nil {
		col.c.Wipe()
		delete(a.collectors, planID)
	}
}

// needsShare reports whether name holds a share that this session has
// not collected for planID yet.
func (a *Appliance) needsShare(planID, name string) bool {
	s, err := a.session(planID)
	if err != nil || s.Policy().Custody().Holder(name) == nil {
		return false
	}
	col := a.collectors[planID]
	if col == nil {
		return true
	}
	have, _ := col.c.Have()
	return !slices.Contains(have, name)
}
