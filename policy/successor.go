package policy

import "fmt"

// CheckSuccessor reports whether next may replace cur. The approvals for
// the change are counted under cur, never next: a policy cannot vouch for
// itself.
func CheckSuccessor(cur, next *Policy) error {
	if next.Name != cur.Name {
		return fmt.Errorf("name: new policy is %q, current is %q; a policy change keeps the name", next.Name, cur.Name)
	}
	if next.Serial != cur.Serial+1 {
		return fmt.Errorf("serial: new policy has serial %d, want %d (current %d + 1)", next.Serial, cur.Serial+1, cur.Serial)
	}
	if next.Digest() == cur.Digest() {
		return fmt.Errorf("new policy is identical to the current one")
	}
	for _, ck := range cur.AllKeys() {
		if ck.Status != StatusRevoked {
			continue
		}
		for _, nk := range next.AllKeys() {
			if nk.Path == ck.Path && nk.Status != StatusRevoked && nk.Label == ck.Label {
				return fmt.Errorf("%s.status: a revoked key cannot become %s again", nk.Path, nk.Status)
			}
		}
	}
	return nil
}
