package custody

import (
	"fmt"

	"github.com/cloudflare/circl/secretsharing"
)

// Collector gathers the verified shares of one set in RAM until Threshold
// distinct custodians have given theirs. It is not safe for concurrent use.
type Collector struct {
	set    *Set
	shares []*Share // in the order added
	wiped  bool
}

// NewCollector starts collecting shares of s.
func (s *Set) NewCollector() *Collector { return &Collector{set: s} }

// Add takes a share from Set.Unseal. The collector owns it from then on
// and wipes it in Wipe. Add refuses a share of another set or appliance, a
// second share from the same custodian, a wiped share, and a share that
// does not match this set's commitments (checked again here, so a share
// unsealed from a different copy of the set cannot slip in).
func (c *Collector) Add(sh *Share) error {
	if err := c.live(); err != nil {
		return err
	}
	if sh == nil || sh.wiped {
		return fmt.Errorf("custody: set %s: the share offered was already wiped: %w", c.set.id, ErrWiped)
	}
	if sh.setID != c.set.id || sh.appliance != c.set.hdr.Appliance {
		return &WrongSetError{Holder: sh.holder, ShareSet: sh.setID, ShareAppliance: sh.appliance,
			Set: c.set.id, Appliance: c.set.hdr.Appliance}
	}
	for _, have := range c.shares {
		if have.holder == sh.holder || have.index == sh.index {
			return &DuplicateShareError{Holder: sh.holder, Set: c.set.id}
		}
	}
	entry, err := c.set.find(sh.holder)
	if err != nil {
		return err
	}
	if entry.index != sh.index {
		return &CommitmentError{Holder: sh.holder, Set: c.set.id}
	}
	if err := c.set.verify(sh); err != nil {
		return err
	}
	c.shares = append(c.shares, sh)
	return nil
}

// Have returns who has given a share, in order, and how many more shares
// are needed before Combine can run (0 once Threshold are in).
func (c *Collector) Have() (names []string, need int) {
	names = make([]string, len(c.shares))
	for i, sh := range c.shares {
		names[i] = sh.holder
	}
	return names, max(0, c.set.hdr.Threshold-len(c.shares))
}

// Combine rebuilds the secret from Threshold collected shares and checks
// it against commitment 0 (g^secret), so a wrong result is refused rather
// than turned into a PIN that locks the token. The collector keeps its
// shares: call Wipe when the ceremony no longer needs them.
func (c *Collector) Combine() (*Secret, error) {
	if err := c.live(); err != nil {
		return nil, err
	}
	if names, need := c.Have(); need > 0 {
		return nil, &QuorumError{Set: c.set.id, Need: c.set.hdr.Threshold, Holders: len(c.set.shares), Have: names}
	}
	parts, err := c.scalars(c.set.hdr.Threshold)
	defer wipeParts(parts)
	if err != nil {
		return nil, err
	}
	secret, err := secretsharing.Recover(uint(c.set.hdr.Threshold-1), parts)
	if err != nil {
		return nil, fmt.Errorf("custody: set %s: rebuild: %w", c.set.id, err)
	}
	defer wipeScalar(secret)
	if !curve.NewElement().MulGen(secret).IsEqual(c.set.commitments[0]) {
		return nil, fmt.Errorf("custody: set %s: %w; refusing to use it", c.set.id, ErrWrongSecret)
	}
	return &Secret{key: scalarBytes(secret)}, nil
}

// scalars converts the first n shares for circl; the caller wipes them
// with wipeParts.
func (c *Collector) scalars(n int) ([]secretsharing.Share, error) {
	parts := make([]secretsharing.Share, 0, n)
	for _, sh := range c.shares[:n] {
		if sh.wiped {
			return parts, fmt.Errorf("custody: set %s: the share of %s was wiped after it was added: %w",
				c.set.id, sh.holder, ErrWiped)
		}
		v, err := scalarFromBytes(sh.value)
		if err != nil {
			return parts, &CommitmentError{Holder: sh.holder, Set: c.set.id}
		}
		id := curve.NewScalar().SetUint64(uint64(sh.index))
		parts = append(parts, secretsharing.Share{ID: id, Value: v})
	}
	return parts, nil
}

func wipeParts(parts []secretsharing.Share) {
	for _, p := range parts {
		wipeScalars(p.Value)
	}
}

// Wipe zeroes every share the collector holds and disables it; a nil
// Collector is ignored.
func (c *Collector) Wipe() {
	if c == nil {
		return
	}
	for _, sh := range c.shares {
		sh.Wipe()
	}
	c.shares = nil
	c.wiped = true
}

func (c *Collector) live() error {
	if c.wiped {
		return fmt.Errorf("custody: collector for set %s %w", c.set.id, ErrWiped)
	}
	return nil
}
