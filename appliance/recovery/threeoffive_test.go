package recovery_test

import (
	"crypto/ecdh"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"signbox/airgap/envelope"
	"signbox/appliance"
	"signbox/ceremony"
	"signbox/custody"
	"signbox/demo"
	"signbox/hsm"
	"signbox/hsm/softhsm"
)

var five = []string{"c1", "c2", "c3", "c4", "c5"}

// threeOfFive initialises a second appliance whose policy asks 3 of 5:
// any two custodians' shares do not rebuild its PIN, three run a key
// generation ceremony.
func threeOfFive(t *testing.T, d *demo.Demo) {
	dir, err := softhsm.NewDir(d.HSM(), softhsm.WithModule(d.Module))
	require.NoError(t, err)
	approval, share, uris := map[string]string{}, map[string]string{}, map[string]string{}
	for _, n := range five {
		info, err := dir.InitToken(n, []byte("pin-"+n), []byte("so-"+n))
		require.NoError(t, err)
		uris[n] = info.URI
		tok, err := hsm.Open(info.URI, pinOf([]byte("pin-"+n)))
		require.NoError(t, err)
		ak, err := tok.GenerateKey("approval", hsm.ECDSAP256)
		require.NoError(t, err)
		sk, err := tok.GenerateAgreementKey("share")
		require.NoError(t, err)
		approval[n], share[n] = pemOf(t, ak.Public), pemOf(t, sk.Public)
		require.NoError(t, tok.Close())
	}
	audit, err := dir.InitToken("audit-35", []byte("pin-op35"), []byte("so-op35"))
	require.NoError(t, err)
	root := filepath.Join(t.TempDir(), "ws35")
	g, err := appliance.Init(appliance.InitOptions{Root: root, Module: d.Module, ApplianceLabel: "appliance-35",
		AuditToken: audit.URI, AuditPIN: pinOf([]byte("pin-op35")), Now: clock, Date: date, Founders: founders35(uris),
		Keys: []appliance.KeySpec{{Label: "sbv2-slot0", Alg: hsm.ECDSAP256, Backup: true}, {Label: "release-bundle", Alg: hsm.ECDSAP256, Backup: true},
			{Label: "audit-mac", Alg: hsm.HMACSHA256, Audit: true}, {Label: "audit-checkpoint", Alg: hsm.Ed25519, Audit: true}},
		Policy: func(fps map[string]string) ([]byte, error) { return policy35(approval, share, fps), nil },
	})
	require.NoError(t, err)
	require.Equal(t, 3, g.Policy.Custody().Threshold)

	set := openSet(t, root, g)
	col := set.NewCollector()
	for _, n := range []string{"c1", "c4"} {
		require.NoError(t, col.Add(unseal(t, set, n, uris[n])))
	}
	_, err = col.Combine()
	require.ErrorIs(t, err, custody.ErrTooFewShares, "two of five shares open nothing")
	col.Wipe()

	a, err := appliance.Open(appliance.Config{Root: root, AuditPIN: pinOf([]byte("pin-op35")), Now: clock})
	require.NoError(t, err)
	defer a.Close()
	s, err := a.PlanKeyGeneration(ceremony.KeyGenInputs{Date: date})
	require.NoError(t, err)
	for _, n := range []string{"c2", "c3"} {
		_, err := a.Approve(s.ID(), n, uris[n], pinOf([]byte("pin-"+n)))
		require.NoError(t, err)
	}
	_, err = a.Execute(s.ID(), nil)
	require.ErrorIs(t, err, ceremony.ErrTooFewApprovals)
	_, err = a.Approve(s.ID(), "c5", uris["c5"], pinOf([]byte("pin-c5")))
	require.NoError(t, err)
	_, err = a.Execute(s.ID(), nil)
	require.NoError(t, err, "three custodians' shares open the token")
	_, err = a.VerifyOutputs(s.ID())
	require.NoError(t, err)
	_, err = a.Export(s.ID(), t.TempDir())
	require.NoError(t, err)
}

func openSet(t *testing.T, root string, g *appliance.Genesis) *custody.Set {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, appliance.ShareSetName))
	require.NoError(t, err)
	wc, err := appliance.ReadConfig(root)
	require.NoError(t, err)
	tok, err := hsm.OpenPublic(wc.ApplianceToken)
	require.NoError(t, err)
	defer tok.Close()
	keys, err := tok.PublicKeys()
	require.NoError(t, err)
	for _, k := range keys {
		if k.Fingerprint == g.Policy.Keys.ReleaseBundle.Fingerprint {
			set, err := custody.OpenSet(b, k.Public)
			require.NoError(t, err)
			return set
		}
	}
	t.Fatal("no release key on the appliance token")
	return nil
}

func unseal(t *testing.T, set *custody.Set, name, uri string) *custody.Share {
	t.Helper()
	tok, err := hsm.Open(uri, pinOf([]byte("pin-"+name)))
	require.NoError(t, err)
	defer tok.Close()
	pub, err := tok.AgreementPublic("share")
	require.NoError(t, err)
	sh, err := set.Unseal(name, shareKey{tok, pub})
	require.NoError(t, err)
	return sh
}

func pemOf(t *testing.T, pub any) string {
	t.Helper()
	b, err := envelope.MarshalPublicKeyPEM(pub)
	require.NoError(t, err)
	return string(b)
}

func policy35(approval, share, fps map[string]string) []byte {
	ind := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n      ") }
	var b strings.Builder
	b.WriteString("version: 1\nname: three-of-five\nserial: 1\nproducts:\n  - {id: pump, chip: esp32c6}\ncustodians:\n")
	for _, n := range five {
		fmt.Fprintf(&b, "  - name: %s\n    role: custodian\n    approval_key: |\n      %s\n    share_key: |\n      %s\n", n, ind(approval[n]), ind(share[n]))
	}
	b.WriteString("quorum:\n")
	for _, k := range []string{"key_generation", "release_signing", "key_revocation", "policy_change"} {
		fmt.Fprintf(&b, "  %s: {threshold: 3, roles: [custodian]}\n", k)
	}
	fmt.Fprintf(&b, "keys:\n  secure_boot:\n    - {slot: 0, label: sbv2-slot0, algorithm: ecdsa-p256, status: active, fingerprint: %s}\n", fps["sbv2-slot0"])
	b.WriteString("    - {slot: 1, label: sbv2-slot1, algorithm: ecdsa-p256, status: planned}\n")
	fmt.Fprintf(&b, "  release_bundle: {label: release-bundle, algorithm: ecdsa-p256, status: active, fingerprint: %s}\n", fps["release-bundle"])
	fmt.Fprintf(&b, "  audit_mac: {label: audit-mac, algorithm: hmac-sha256, status: active}\n")
	fmt.Fprintf(&b, "  audit_checkpoint: {label: audit-checkpoint, algorithm: ed25519, status: active, fingerprint: %s}\n", fps["audit-checkpoint"])
	b.WriteString("release:\n  security_version: {monotonic: true, max: 16}\n  vuln_gate: {block_at: high, block_in_triage: true, exploitable_needs_response: true, allow_unchecked: false}\n")
	b.WriteString("  sbom: {required: true, min_spec_version: \"1.5\", require_hashes: false}\n  max_feed_age: 7d\n")
	return []byte(b.String())
}

type shareKey struct {
	tok *hsm.Token
	pub *ecdh.PublicKey
}

func (k shareKey) Public() *ecdh.PublicKey { return k.pub }

func (k shareKey) ECDH(peer *ecdh.PublicKey) ([]byte, error) { return k.tok.ECDH("share", peer) }

func founders35(uris map[string]string) []appliance.Presenter {
	var out []appliance.Presenter
	for _, n := range five {
		out = append(out, appliance.Presenter{Name: n, TokenURI: uris[n], PIN: pinOf([]byte("pin-" + n))})
	}
	return out
}
