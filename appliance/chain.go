package appliance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"signbox/anchor"
	"signbox/ceremony"
	"signbox/internal/atomicfile"
	"signbox/policy"
)

// The policy approval chain lives beside policy.yaml:
//
//	policychain/0001.yaml            the genesis policy (exact bytes)
//	policychain/0001.genesis.dsse    its approval by every founding share holder
//	policychain/000N.yaml            each later policy
//	policychain/000N.approvals.dsse  the policy-change ceremony's approvals under 000(N-1)
//
// Opening a workspace walks it from the genesis digest pinned in the HSM
// anchor to policy.yaml; a gap or a bad link is refused naming the file.
const chainDirName = "policychain"

func chainFile(root string, serial uint64, suffix string) string {
	return filepath.Join(root, chainDirName, fmt.Sprintf("%04d.%s", serial, suffix))
}

// chainTip is what the chain says about the policy in force.
type chainTip struct {
	adoptedBy string // the policy-change ceremony of the last link; "" at genesis
	prev      string // the digest of the policy before it
}

// signGenesis has every founder's open token sign the genesis statement
// and writes the chain's first link.
func signGenesis(root string, g *Genesis, founders []founder, date string) error {
	env, err := ceremony.NewGenesisEnvelope(ceremony.GenesisStatement{Appliance: g.ID, ShareSet: g.ShareSet, Date: date,
		Policy: ceremony.PolicyRef{Name: g.Policy.Name, Serial: g.Policy.Serial, Digest: g.Policy.Digest()}})
	if err != nil {
		return err
	}
	for _, f := range founders {
		if err := ceremony.SignGenesis(env, f.signer); err != nil {
			return fmt.Errorf("genesis approval by %s: %w", f.name, err)
		}
	}
	raw := ceremony.EncodeEnvelope(env)
	if _, err := ceremony.VerifyGenesis(raw, g.Policy); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(root, chainDirName), 0o700); err != nil {
		return err
	}
	if err := atomicfile.WriteNew(chainFile(root, g.Policy.Serial, "yaml"), g.Policy.Bytes(), 0o644); err != nil {
		return err
	}
	return atomicfile.WriteNew(chainFile(root, g.Policy.Serial, "genesis.dsse"), raw, 0o644)
}

// appendChain records an adopted policy and the approvals that adopted
// it; a rerun after a crash finds the same bytes and goes on.
func appendChain(root string, s *ceremony.Session, next *policy.Policy) error {
	for suffix, data := range map[string][]byte{"yaml": next.Bytes(), "approvals.dsse": s.Envelope()} {
		path := chainFile(root, next.Serial, suffix)
		err := atomicfile.WriteNew(path, data, 0o644)
		if errors.Is(err, atomicfile.ErrExists) {
			if old, rerr := os.ReadFile(path); rerr == nil && string(old) == string(data) {
				continue
			}
		}
		if err != nil {
			return fmt.Errorf("policy chain: %w", err)
		}
	}
	return nil
}

// verifyChain walks the chain from the genesis digest the anchor pins to
// the policy in force.
func verifyChain(root, applianceID string, st anchor.State, cur *policy.Policy) (chainTip, error) {
	refuse := func(serial uint64, suffix, format string, args ...any) (chainTip, error) {
		return chainTip{}, &anchor.MismatchError{File: fmt.Sprintf("%s/%04d.%s", chainDirName, serial, suffix), Counter: st.Counter, Detail: fmt.Sprintf(format, args...)}
	}
	prev, err := readChainPolicy(root, 1)
	if err != nil {
		return refuse(1, "yaml", "%v", err)
	}
	if prev.Digest() != st.GenesisPolicy {
		return refuse(1, "yaml", "is %s; the HSM pins genesis policy %s", prev.Digest(), st.GenesisPolicy)
	}
	gs, err := readAndVerifyGenesis(root, prev)
	if err != nil {
		return refuse(1, "genesis.dsse", "%v", err)
	}
	if gs.Appliance != applianceID {
		return refuse(1, "genesis.dsse", "approves appliance %s, not %s", gs.Appliance, applianceID)
	}
	tip := chainTip{}
	for serial := uint64(2); serial <= cur.Serial; serial++ {
		next, err := readChainPolicy(root, serial)
		if err != nil {
			return refuse(serial, "yaml", "%v", err)
		}
		raw, err := os.ReadFile(chainFile(root, serial, "approvals.dsse"))
		if err != nil {
			return refuse(serial, "approvals.dsse", "%v", err)
		}
		id, err := ceremony.VerifyPolicyLink(prev, next, raw)
		if err != nil {
			return refuse(serial, "approvals.dsse", "%v", err)
		}
		tip, prev = chainTip{adoptedBy: id, prev: prev.Digest()}, next
	}
	if prev.Digest() != cur.Digest() {
		return chainTip{}, &anchor.MismatchError{File: "policy.yaml", Counter: st.Counter,
			Detail: fmt.Sprintf("serial %d %s is not the last policy of the approval chain (%s)", cur.Serial, cur.Digest(), prev.Digest())}
	}
	return tip, nil
}

func readChainPolicy(root string, serial uint64) (*policy.Policy, error) {
	b, err := os.ReadFile(chainFile(root, serial, "yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("missing: the chain has no policy serial %d", serial)
	}
	if err != nil {
		return nil, err
	}
	p, err := policy.Parse(b)
	if err != nil {
		return nil, err
	}
	if p.Serial != serial {
		return nil, fmt.Errorf("holds policy serial %d", p.Serial)
	}
	return p, nil
}

func readAndVerifyGenesis(root string, p *policy.Policy) (*ceremony.GenesisStatement, error) {
	raw, err := os.ReadFile(chainFile(root, 1, "genesis.dsse"))
	if err != nil {
		return nil, err
	}
	return ceremony.VerifyGenesis(raw, p)
}
